"""An external PostgreSQL whose database owner is not a superuser: migrate, then act as jiandu_app."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from uuid import UUID

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from audit.verify import verify_chain
from domain.actor import SYSTEM_ACTOR
from runtime.bootstrap import build_runtime, migrate
from runtime.config import load_settings
from service import reference
from service.context import Call
from tests.integration.support import register


@pytest.fixture
def owner_database(server_url: str) -> Iterator[str]:
    suffix = uuid.uuid4().hex[:10]
    role, name = f"jiandu_owner_{suffix}", f"jiandu_owned_{suffix}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{role}" LOGIN CREATEROLE')
        admin.execute(f'CREATE DATABASE "{name}" OWNER "{role}"')
        version = admin.info.server_version
        admin.execute(
            "DO $$ BEGIN CREATE ROLE jiandu_app NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
        if version >= 160000:
            # PostgreSQL 16: CREATEROLE alone may grant only roles one administers.
            admin.execute(f'GRANT jiandu_app TO "{role}" WITH ADMIN OPTION')
    try:
        yield (
            make_url(server_url)
            .set(username=role, database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')


async def test_a_non_superuser_owner_migrates_and_the_app_acts_as_the_application_role(
    owner_database,
):
    runtime = build_runtime(owner_database, load_settings(), pool_size=2)
    try:
        await migrate(owner_database, runtime)
        await reference.apply(
            Call(runtime=runtime, actor=SYSTEM_ACTOR), reference.read(reference.DEMO_CITY_FILE)
        )
        complaint = await register(runtime)
        async with runtime.engine.connect() as conn:
            assert await conn.scalar(text("SELECT current_user")) == "jiandu_app"
            assert (await verify_chain(conn)).ok
            assert (
                await conn.scalar(
                    text("SELECT version FROM complaint WHERE id = :id"), {"id": UUID(complaint.id)}
                )
                == 1
            )
            with pytest.raises(Exception, match=r"append-only|permission denied"):
                await conn.execute(text("DELETE FROM audit_event"))
    finally:
        await runtime.engine.dispose()
