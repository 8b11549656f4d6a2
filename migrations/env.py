"""Alembic environment: runs as the owner against the URL the caller configured."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from runtime.database import owner_sync_url

config = context.config
url = config.attributes.get("url") or owner_sync_url()


def run_migrations_online() -> None:
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
