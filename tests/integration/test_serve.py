"""`jiandu serve` on a fresh data folder: embedded PostgreSQL, an authenticated answer, a clean stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "from runtime.cli import main; main()"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _postgres_serving(pgdata: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = process.info.get("cmdline") or []
        if process.info.get("name") == "postgres" and str(pgdata) in " ".join(cmdline):
            found.append(process)
    return found


def test_serve_answers_an_authenticated_query_and_stops_its_embedded_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIANDU_", "DATABASE_URL"))}
    env.update({"JIANDU_DATA_DIR": str(tmp_path), "JIANDU_LOG_FORMAT": "json"})
    port = _free_port()
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            time.sleep(0.3)
        minted = subprocess.run(
            [*CLI, "token", "--sub", "alice", "--role", "supervisor"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        answer = httpx.post(
            f"{base}/graphql",
            json={"query": "{ viewer { role } complaintCategories { code } }"},
            headers={"Authorization": f"Bearer {minted.stdout.strip()}"},
            timeout=10,
        )
        assert answer.status_code == 200
        data = answer.json()["data"]
        assert data["viewer"]["role"] == "supervisor"
        assert {"ENF_BUCK_PASSING", "ENFORCEMENT"} <= {
            c["code"] for c in data["complaintCategories"]
        }
        assert (
            httpx.post(f"{base}/graphql", json={"query": "{ viewer { role } }"}).status_code == 401
        )
        assert _postgres_serving(tmp_path / "pgdata")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    deadline = time.monotonic() + 15
    while _postgres_serving(tmp_path / "pgdata") and time.monotonic() < deadline:
        time.sleep(0.3)
    assert not _postgres_serving(tmp_path / "pgdata"), (
        "the embedded PostgreSQL outlived jiandu serve"
    )
