"""Where the database is: DATABASE_URL, or an embedded PostgreSQL in the data folder."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import structlog
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

APP_ROLE = "jiandu_app"
EMBEDDED_DATABASE = "jiandu"
# A process that started the embedded server hands its URL to worker processes through this.
RESOLVED_URL_ENV = "JIANDU_RESOLVED_DATABASE_URL"

log = structlog.get_logger(__name__)
_embedded: dict[Path, Any] = {}


@contextlib.contextmanager
def _utf8_locale() -> Iterator[None]:
    """initdb takes the locale from the environment; make it UTF-8 whatever the shell has."""
    saved = {key: os.environ.get(key) for key in ("LC_ALL", "LANG")}
    os.environ["LC_ALL"] = os.environ["LANG"] = "C.UTF-8"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def start_embedded(pgdata: Path) -> str:
    """Start (or join) the embedded server; return a libpq URL of its `postgres` database."""
    pgdata = pgdata.resolve()
    if pgdata not in _embedded:
        from pgserver import get_server  # type: ignore[attr-defined]  # late: embedded only

        pgdata.mkdir(parents=True, exist_ok=True)
        log.info("embedded_postgres_starting", pgdata=str(pgdata))
        with _utf8_locale():
            _embedded[pgdata] = get_server(pgdata, cleanup_mode="stop")
    uri: str = _embedded[pgdata].get_uri()
    return uri


def ensure_database(server_url: str, name: str) -> str:
    """Create database `name` on the server if missing; return its URL."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}" ENCODING UTF8 TEMPLATE template0')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def resolve_url(database_url: str | None, data_dir: Path) -> str:
    """The libpq URL the process should use: explicit, handed down, or embedded."""
    if database_url:
        return database_url
    handed_down = os.environ.get(RESOLVED_URL_ENV)
    if handed_down:
        return handed_down
    url = ensure_database(start_embedded(data_dir / "pgdata"), EMBEDDED_DATABASE)
    os.environ[RESOLVED_URL_ENV] = url
    return url


def sqlalchemy_url(url: str) -> str:
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def owner_sync_url() -> str:
    from runtime.config import load_settings

    settings = load_settings()
    return sqlalchemy_url(resolve_url(settings.database_url, settings.data_dir))


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """An engine whose every connection acts as the application role (never the owner)."""
    engine = create_async_engine(
        sqlalchemy_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        connect_args={"prepare_threshold": 2},
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _act_as_app_role(dbapi_connection: Any, _record: Any) -> None:
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET ROLE {APP_ROLE}")
        cursor.execute("SET TIME ZONE 'UTC'")
        cursor.close()
        dbapi_connection.autocommit = autocommit

    return engine
