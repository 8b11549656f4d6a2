"""ASGI factory for uvicorn workers: `uvicorn --factory runtime.asgi:create`."""

from __future__ import annotations

from starlette.applications import Starlette

from api.app import create_app
from runtime.bootstrap import build_runtime, database_url
from runtime.config import load_settings
from runtime.logs import configure_logging


def create() -> Starlette:
    settings = load_settings()
    configure_logging(level=settings.log_level, fmt=settings.log_format)
    runtime = build_runtime(database_url(settings), settings)
    return create_app(
        runtime,
        secret=settings.jwt_secret,
        graphiql=not settings.is_production,
        fast_reads=settings.fast_reads,
    )
