"""The `jiandu` console script, run as a subprocess against the test database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jwt
import pytest

from tests.integration.support import register

ROOT = Path(__file__).resolve().parents[2]
JIANDU = [sys.executable, "-c", "from runtime.cli import main; main()"]


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*JIANDU, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIANDU_")}
    env.update({"JIANDU_DATA_DIR": str(tmp_path), "JIANDU_LOG_FORMAT": "json", **extra})
    return env


def test_token_prints_only_a_token_that_names_its_role_and_unit(tmp_path):
    result = _run(["token", "--sub", "alice", "--role", "handler", "--unit", "FT"], _env(tmp_path))
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert result.stdout == token + "\n"
    secret = (tmp_path / "jwt-secret").read_text().strip()
    claims = jwt.decode(token, secret, algorithms=["HS256"])
    assert (claims["sub"], claims["role"], claims["unit"]) == ("alice", "handler", "FT")
    assert "exp" in claims


def test_the_development_secret_is_generated_once_and_private(tmp_path):
    _run(["token", "--sub", "a", "--role", "auditor"], _env(tmp_path))
    first = (tmp_path / "jwt-secret").read_text()
    _run(["token", "--sub", "b", "--role", "auditor"], _env(tmp_path))
    assert (tmp_path / "jwt-secret").read_text() == first
    assert (tmp_path / "jwt-secret").stat().st_mode & 0o777 == 0o600
    assert len(bytes.fromhex(first.strip())) == 32


def test_production_refuses_to_start_without_a_secret(tmp_path):
    result = _run(
        ["token", "--sub", "a", "--role", "auditor"], _env(tmp_path, JIANDU_ENV="production")
    )
    assert result.returncode == 2
    assert "JIANDU_JWT_SECRET" in result.stderr
    assert not (tmp_path / "jwt-secret").exists()


@pytest.mark.db
async def test_audit_verify_exits_zero_on_an_intact_chain_and_one_at_the_first_break(
    runtime, owner, database_url, tmp_path
):
    await register(runtime)
    await register(runtime, complainant_phone="13800000000")
    env = _env(tmp_path, DATABASE_URL=database_url)
    intact = _run(["audit", "verify"], env)
    assert intact.returncode == 0, intact.stderr
    assert "audit_chain_intact" in intact.stderr

    (target,) = owner.execute("SELECT max(position) - 1 FROM audit_event").fetchone()
    owner.execute("SET session_replication_role = replica")  # superuser bypass of the guard
    owner.execute("UPDATE audit_event SET reason = 'edited' WHERE position = %s", (target,))
    owner.execute("SET session_replication_role = origin")
    broken = _run(["audit", "verify"], env)
    assert broken.returncode == 1
    assert f"broken at position {target}" in broken.stdout
    assert _run(["audit", "verify", "--to", str(target - 1)], env).returncode == 0
