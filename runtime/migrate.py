"""Bring a database to the current schema (as its owner) and load the complaint taxonomy."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from runtime.database import sqlalchemy_url

ROOT = Path(__file__).resolve().parent.parent


def upgrade(url: str) -> None:
    """alembic upgrade heads against `url` (every branch), whatever the working directory."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["url"] = sqlalchemy_url(url)
    command.upgrade(config, "heads")
