"""Shared fixtures: a real PostgreSQL, a migrated template, a fresh database per test.

Which server: JIANDU_TEST_SERVER=embedded (default; pgserver in .jiandu/test-pgdata) or
JIANDU_TEST_SERVER=url with JIANDU_TEST_URL (e.g. the machine's server at 127.0.0.1:5432).
Each test gets its own database cloned from a template that was migrated once, so tests can
commit for real (commit-time triggers, races) and never see each other.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from api.app import create_app
from api.auth import mint
from domain.actor import SYSTEM_ACTOR, Role
from domain.clock import MovableClock
from runtime.bootstrap import build_runtime, migrate
from runtime.config import load_settings
from runtime.database import start_embedded
from service import reference
from service.context import Call, Runtime

ROOT = Path(__file__).resolve().parent.parent
SECRET = "test-secret-" + "x" * 40
# Monday 2026-11-23 09:00 in Shanghai: working days ahead, a weekend after five of them.
START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for pattern in (
        "migrations/**/*.py",
        "migrations/data/*.json",
        "reference/*.json",
        "service/reference.py",
        "store/*.py",
        "domain/**/*.py",
    ):
        for path in sorted(ROOT.glob(pattern)):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def server_url() -> str:
    """A libpq URL of the test server's maintenance database."""
    if os.environ.get("JIANDU_TEST_SERVER", "embedded") == "url":
        return os.environ["JIANDU_TEST_URL"]
    return start_embedded(ROOT / ".jiandu" / "test-pgdata")


def _build_template(server: str, name: str) -> None:
    async def build() -> None:
        url = _with_database(server, name)
        settings = load_settings()
        runtime = build_runtime(url, settings, pool_size=1)
        try:
            await migrate(url, runtime)
            await reference.apply(
                Call(runtime=runtime, actor=SYSTEM_ACTOR), reference.read(reference.DEMO_CITY_FILE)
            )
        finally:
            await runtime.engine.dispose()

    asyncio.run(build())


@pytest.fixture(scope="session")
def template_name(server_url: str) -> str:
    """Migrated once per code version; workers of one run wait for whoever builds it."""
    name = f"jiandu_tpl_{_fingerprint()}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext('jiandu-test-template'))")
        try:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
            if not exists:
                # Templates of other code versions stay: another checkout may be testing with one.
                conn.execute(f'DROP DATABASE IF EXISTS "{name}_build" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}_build" ENCODING UTF8 TEMPLATE template0')
                _build_template(server_url, f"{name}_build")
                conn.execute(f'ALTER DATABASE "{name}_build" RENAME TO "{name}"')
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext('jiandu-test-template'))")
    return name


@pytest.fixture
def database_url(server_url: str, template_name: str) -> Iterator[str]:
    """A fresh database cloned from the template; dropped after the test."""
    name = f"jiandu_t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}" STRATEGY FILE_COPY')
    try:
        yield _with_database(server_url, name)
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(START)


@pytest.fixture
async def runtime(database_url: str, clock: MovableClock) -> AsyncIterator[Runtime]:
    rt = build_runtime(database_url, load_settings(), clock=clock, pool_size=25)
    try:
        yield rt
    finally:
        await rt.engine.dispose()


@pytest.fixture
def owner(database_url: str) -> Iterator[psycopg.Connection[Any]]:
    """A connection as the database owner (a superuser on the test servers), autocommit."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        yield conn


def token(role: Role | str, *, unit: str | None = None, sub: str | None = None) -> str:
    role = Role(role)
    return mint(SECRET, subject=sub or f"test-{role.value}", role=role, unit=unit)


class GraphQLClient:
    """Posts GraphQL documents over HTTP (in-process ASGI) with a role's token."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        role: Role | str | None = Role.SUPERVISOR,
        unit: str | None = None,
        sub: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if role is not None:
            sent["Authorization"] = f"Bearer {token(role, unit=unit, sub=sub)}"
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=sent
        )

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        role: Role | str | None = Role.SUPERVISOR,
        unit: str | None = None,
        sub: str | None = None,
    ) -> dict[str, Any]:
        """The `data` of a response that must have no GraphQL errors."""
        response = await self.post(query, variables, role=role, unit=unit, sub=sub)
        body = response.json()
        assert response.status_code == 200, body
        assert not body.get("errors"), body["errors"]
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture
async def gql(runtime: Runtime) -> AsyncIterator[GraphQLClient]:
    app = create_app(runtime, secret=SECRET, graphiql=True)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://jiandu.test") as http:
        yield GraphQLClient(http)
    await app.state.reader.close()
