"""The database and server the bench runs against, and their tear-down.

Embedded (default): a temp JIANDU_DATA_DIR and no DATABASE_URL; every subprocess that touches
the database (migrate, seed, serve) starts or joins the embedded PostgreSQL in <tmp>/pgdata,
which stops when the last of them exits. With --database-url: a fresh database
`jiandu_bench_<random>` on that server, dropped at the end.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
READY_TIMEOUT = 120.0
STOP_TIMEOUT = 30.0
STEP_TIMEOUT = 1800.0


class BenchError(RuntimeError):
    """Setting up or running the bench failed; the message says where."""


def _say(message: str) -> None:
    sys.stderr.write(f"[bench] {message}\n")
    sys.stderr.flush()


def _jiandu() -> list[str]:
    script = BIN / "jiandu"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from runtime.cli import main; main()"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no output)"


@dataclass
class Environment:
    """Temp folder, database, secret and the env every subprocess gets."""

    server_url: str | None = None  # --database-url: the server to create the database on
    tmp: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="jiandu-bench-")))
    secret: str = field(default_factory=lambda: secrets.token_hex(32))
    database: str | None = None
    database_url: str | None = None

    @property
    def embedded(self) -> bool:
        return self.server_url is None

    @property
    def pgdata(self) -> Path:
        return self.tmp / "pgdata"

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("JIANDU_") and k != "DATABASE_URL"
        }
        env.update(
            {
                "JIANDU_DATA_DIR": str(self.tmp),
                "JIANDU_JWT_SECRET": self.secret,
                "JIANDU_LOG_LEVEL": "warning",
                "JIANDU_ENV": "development",
                "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p),
            }
        )
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    def create_database(self) -> None:
        if self.server_url is None:
            return
        name = f"jiandu_bench_{secrets.token_hex(6)}"
        with psycopg.connect(self.server_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'CREATE DATABASE "{name}" ENCODING UTF8 TEMPLATE template0')
        self.database = name
        self.database_url = (
            make_url(self.server_url).set(database=name).render_as_string(hide_password=False)
        )
        _say(f"created database {name}")

    def run_step(self, name: str, args: list[str], timeout: float = STEP_TIMEOUT) -> str:
        """Run a subprocess to completion; its stdout, or BenchError with its stderr."""
        log = self.tmp / f"{name}.stderr"
        started = time.perf_counter()
        with log.open("wb") as stderr:
            try:
                done = subprocess.run(
                    args,
                    cwd=ROOT,
                    env=self.env(),
                    stdout=subprocess.PIPE,
                    stderr=stderr,
                    timeout=timeout,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                raise BenchError(f"{name} did not finish in {timeout:.0f}s") from None
        if done.returncode != 0:
            raise BenchError(f"{name} exited with {done.returncode}:\n{_tail(log)}")
        _say(f"{name} done in {time.perf_counter() - started:.1f}s")
        return done.stdout.decode(errors="replace")

    def migrate(self) -> None:
        self.run_step("migrate", [*_jiandu(), "migrate"])

    def seed(self, complaints: int) -> str:
        return self.run_step(
            "seed", [sys.executable, "-m", "bench.seed", "--complaints", str(complaints)]
        )

    def tear_down(self) -> None:
        """Drop the database or stop a stray embedded server, then remove the temp folder."""
        if self.database and self.server_url:
            try:
                with psycopg.connect(self.server_url, autocommit=True, connect_timeout=10) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
                _say(f"dropped database {self.database}")
            except psycopg.Error as error:
                _say(f"could not drop database {self.database}: {error}")
        if self.embedded:
            _stop_stray_postmaster(self.pgdata)
        shutil.rmtree(self.tmp, ignore_errors=True)


def _postmaster_pid(pgdata: Path) -> int | None:
    try:
        first = (pgdata / "postmaster.pid").read_text().splitlines()[0]
        return int(first)
    except (OSError, ValueError, IndexError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop_stray_postmaster(pgdata: Path) -> None:
    """The embedded server stops with its last handle; if one is still up (a handle process
    was killed), fast-shutdown it by the pid in its own postmaster.pid."""
    deadline = time.monotonic() + 10
    pid = _postmaster_pid(pgdata)
    while pid is not None and _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)  # the last handle may still be running `pg_ctl stop`
        pid = _postmaster_pid(pgdata)
    if pid is None or not _alive(pid):
        return
    _say(f"embedded PostgreSQL {pid} still running; stopping it")
    os.kill(pid, signal.SIGINT)
    deadline = time.monotonic() + 15
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)


def _group_members(pgid: int) -> list[str]:
    """`pid command` of every live (not zombie) process in process group `pgid`."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if fields[0] == "Z" or int(fields[2]) != pgid:
                continue
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue
        members.append(f"{entry.name} {cmdline.strip()[:120]}")
    return members


def _group_settles(pgid: int, seconds: float) -> list[str]:
    """Wait up to `seconds` for the group to empty; whoever is still in it."""
    deadline = time.monotonic() + seconds
    members = _group_members(pgid)
    while members and time.monotonic() < deadline:
        time.sleep(0.2)
        members = _group_members(pgid)
    return members


class Server:
    """`jiandu serve` as a subprocess in its own session, stderr kept in a file."""

    def __init__(
        self, environment: Environment, *, workers: int, warning_worker: bool = True
    ) -> None:
        self.environment = environment
        self.workers = workers
        self.warning_worker = warning_worker
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.stderr_path = environment.tmp / "serve.stderr"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        args = [
            *_jiandu(),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            *([] if self.warning_worker else ["--no-worker"]),
        ]
        with self.stderr_path.open("wb") as stderr:
            self.process = subprocess.Popen(
                args,
                cwd=ROOT,
                env=self.environment.env(),
                stdin=subprocess.DEVNULL,
                stdout=stderr,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _say(f"serve started (pid {self.process.pid}, port {self.port}, workers {self.workers})")
        self._wait_ready()

    def _wait_ready(self) -> None:
        assert self.process is not None
        started = time.monotonic()
        deadline = started + READY_TIMEOUT
        with httpx.Client(base_url=self.base_url, timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise BenchError(
                        f"serve exited with {self.process.returncode} before it was ready:\n"
                        + self.stderr_tail()
                    )
                with contextlib.suppress(httpx.HTTPError):
                    if client.get("/readyz").status_code == 200:
                        _say(f"server ready in {time.monotonic() - started:.1f}s")
                        return
                time.sleep(0.25)
        raise BenchError(f"serve not ready after {READY_TIMEOUT:.0f}s:\n{self.stderr_tail()}")

    def stderr_tail(self, lines: int = 40) -> str:
        return _tail(self.stderr_path, lines)

    def errors_logged(self) -> list[str]:
        """Lines of the server's output that look like errors or tracebacks."""
        try:
            text = self.stderr_path.read_text(errors="replace")
        except OSError:
            return []
        markers = ("Traceback", "error", "Error", "ERROR", "exception")
        return [line for line in text.splitlines() if any(m in line for m in markers)]

    def stop(self) -> int | None:
        """SIGTERM, wait; SIGKILL the session if it will not go. The exit code."""
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                _say("serve did not stop on SIGTERM; killing its process group")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        # Workers share the session; make sure none outlived the supervisor.
        for sig in (signal.SIGTERM, signal.SIGKILL):
            members = _group_settles(process.pid, 3.0)
            if not members:
                break
            _say(f"serve's group still has {members}; sending {sig.name}")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
        _say(f"serve stopped (exit code {process.returncode})")
        return process.returncode
