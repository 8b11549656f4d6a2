#!/usr/bin/env python3
"""Bootstrap and task runner that needs nothing but Python 3.11+.

    python3 dev.py serve   # API with demo data at http://127.0.0.1:8000/graphql
    python3 dev.py test    # install, lint, type-check and run every test

It creates `.venv`, installs the hash-pinned `requirements.lock` and the project itself, then
runs the task inside that environment. Re-installs only when the lock file changes.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".jiandu-lock-sha256"


def _run(*args: str | Path, env: dict[str, str] | None = None) -> int:
    return subprocess.call([str(a) for a in args], cwd=ROOT, env=env)


def _must(*args: str | Path) -> None:
    code = _run(*args)
    if code != 0:
        sys.exit(code)


def ensure_environment() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs under any python3 on PATH
        sys.exit("Jiandu needs Python 3.11 or newer")
    if not (BIN / "python").exists():
        sys.stderr.write("creating .venv\n")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    wanted = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    sys.stderr.write("installing pinned dependencies from requirements.lock\n")
    pip: list[str | Path] = [
        BIN / "python",
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "-q",
    ]
    _must(*pip, "--require-hashes", "-r", LOCK)
    _must(*pip, "--no-deps", "-e", ROOT)
    STAMP.write_text(wanted)


def _local_postgres_answers(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def test(extra: list[str]) -> int:
    steps: list[tuple[str, list[str | Path]]] = [
        ("ruff", [BIN / "ruff", "check", "."]),
        ("ruff format", [BIN / "ruff", "format", "--check", "."]),
        ("mypy", [BIN / "mypy", "."]),
    ]
    for name, cmd in steps:
        sys.stderr.write(f"== {name}\n")
        code = _run(*cmd)
        if code != 0:
            return code
    workers = os.environ.get("JIANDU_TEST_WORKERS", "2")
    pytest: list[str | Path] = [BIN / "python", "-m", "pytest", "-q", "-n", workers, *extra]
    sys.stderr.write("== pytest (embedded PostgreSQL)\n")
    code = _run(*pytest, env={**os.environ, "JIANDU_TEST_SERVER": "embedded"})
    if code != 0:
        return code
    if os.environ.get("JIANDU_TEST_LOCAL", "auto") != "off" and _local_postgres_answers():
        sys.stderr.write("== pytest (PostgreSQL at 127.0.0.1:5432)\n")
        url = os.environ.get(
            "JIANDU_TEST_LOCAL_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        )
        code = _run(
            *pytest,
            env={**os.environ, "JIANDU_TEST_SERVER": "url", "JIANDU_TEST_URL": url},
        )
    return code


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"serve", "test", "jiandu"}:
        sys.stderr.write(__doc__ or "")
        return 2
    ensure_environment()
    task, rest = argv[0], argv[1:]
    if task == "serve":
        return _run(BIN / "jiandu", "serve", "--demo", *rest)
    if task == "jiandu":
        return _run(BIN / "jiandu", *rest)
    return test(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
