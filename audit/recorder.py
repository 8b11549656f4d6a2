"""Appends domain events to the audit log inside the caller's transaction.

Positions are gap-free and in commit order: the recorder takes one transaction-scoped advisory
lock just before commit, reads the chain head, and inserts the events with the next positions.
The lock is released only after the commit is visible, so no reader can see position n+1 before
n, and no two writers can link to the same head (docs/decisions/0003).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from audit.canonical import FORMAT_VERSION, GENESIS_HASH, EventRecord, digest
from audit.schema import audit_event
from domain.actor import Actor
from domain.events import DomainEvent

AUDIT_LOCK_KEY = 7_381_201

_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
# A separate statement on purpose: in READ COMMITTED a statement's snapshot is taken when it
# starts, so a head read in the statement that waited for the lock could miss the commit of the
# writer it waited for (the insert trigger rejects such a stale head; see decision 0003).
_HEAD = text(
    "SELECT clock_timestamp() AS now, head.position, head.hash FROM (SELECT 1) AS one"
    " LEFT JOIN LATERAL (SELECT position, hash FROM audit_event ORDER BY position DESC LIMIT 1)"
    " AS head ON true"
)


@dataclass(frozen=True, slots=True)
class RequestMeta:
    """What caused these events: the actor, the HTTP request and the command."""

    actor: Actor
    request_id: str | None
    causation_id: UUID | None = None


async def append(
    conn: AsyncConnection, events: Sequence[DomainEvent], meta: RequestMeta
) -> list[EventRecord]:
    """Insert `events` at the head of the chain; call last, just before COMMIT."""
    if not events:
        return []
    await conn.execute(_LOCK, {"key": AUDIT_LOCK_KEY})
    head = (await conn.execute(_HEAD)).one()
    position: int = head.position or 0
    prev_hash: str = head.hash or GENESIS_HASH
    actor = meta.actor.as_record()
    records: list[EventRecord] = []
    rows: list[dict[str, Any]] = []
    for event in events:
        position += 1
        record = EventRecord(
            position=position,
            event_id=uuid4(),
            format_version=FORMAT_VERSION,
            recorded_at=head.now,
            effective_at=event.occurred_at,
            actor=actor,
            aggregate_type=event.aggregate_type,
            aggregate_id=event.aggregate_id,
            aggregate_version=event.aggregate_version,
            owner_unit=event.owner_unit,
            event_type=event.event_type,
            payload=event.payload(),
            reason=event.reason,
            request_id=meta.request_id,
            correlation_id=event.correlation_id,
            causation_id=meta.causation_id,
            prev_hash=prev_hash,
        )
        canonical = record.canonical()
        prev_hash = digest(canonical)
        records.append(record)
        rows.append(
            {
                "position": record.position,
                "event_id": record.event_id,
                "format_version": record.format_version,
                "recorded_at": record.recorded_at,
                "effective_at": record.effective_at,
                "actor": record.actor,
                "aggregate_type": record.aggregate_type,
                "aggregate_id": record.aggregate_id,
                "aggregate_version": record.aggregate_version,
                "owner_unit": record.owner_unit,
                "event_type": record.event_type,
                "payload": record.payload,
                "reason": record.reason,
                "request_id": record.request_id,
                "correlation_id": record.correlation_id,
                "causation_id": record.causation_id,
                "prev_hash": record.prev_hash,
                "hash": prev_hash,
                "canonical": canonical,
            }
        )
    await conn.execute(audit_event.insert(), rows)
    # Listeners (the change feed) learn the new head once this transaction commits.
    await conn.execute(text("SELECT pg_notify('jiandu_audit', :p)"), {"p": str(position)})
    return records
