"""The audit table as SQLAlchemy sees it (created by migration 0001, with its triggers)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, SmallInteger, Table, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID

metadata = MetaData()

audit_event = Table(
    "audit_event",
    metadata,
    Column("position", BigInteger, primary_key=True),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("format_version", SmallInteger, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("effective_at", DateTime(timezone=True), nullable=False),
    Column("actor", JSONB, nullable=False),
    Column("aggregate_type", Text, nullable=False),
    Column("aggregate_id", Text, nullable=False),
    Column("aggregate_version", Integer, nullable=False),
    Column("owner_unit", Text),
    Column("event_type", Text, nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("reason", Text),
    Column("request_id", Text),
    Column("correlation_id", UUID(as_uuid=True)),
    Column("causation_id", UUID(as_uuid=True)),
    Column("prev_hash", Text, nullable=False),
    Column("hash", Text, nullable=False),
    Column("canonical", Text, nullable=False),
)
