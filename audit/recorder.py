"""Appends domain events to the audit log inside the caller's transaction.

The application computes each event's canonical body; the insert trigger (migration 0001) takes
one transaction-scoped advisory lock, reads the chain head, and assigns position, previous hash,
recorded-at and hash. The lock is held until the commit is visible, so positions are gap-free and
in commit order, and no two writers can link to the same head (docs/decisions/0003). Doing this
in the trigger keeps the serialised section to one statement and the commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncConnection

from audit.canonical import FORMAT_VERSION, EventBody
from audit.schema import audit_event
from domain.actor import Actor
from domain.events import DomainEvent


@dataclass(frozen=True, slots=True)
class RequestMeta:
    """What caused these events: the actor, the HTTP request and the command."""

    actor: Actor
    request_id: str | None
    causation_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class Appended:
    position: int
    hash: str


def _row(event: DomainEvent, meta: RequestMeta, actor: dict[str, Any]) -> dict[str, Any]:
    body = EventBody(
        event_id=uuid4(),
        format_version=FORMAT_VERSION,
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
    )
    return {
        "event_id": body.event_id,
        "format_version": body.format_version,
        "effective_at": body.effective_at,
        "actor": body.actor,
        "aggregate_type": body.aggregate_type,
        "aggregate_id": body.aggregate_id,
        "aggregate_version": body.aggregate_version,
        "owner_unit": body.owner_unit,
        "event_type": body.event_type,
        "payload": body.payload,
        "reason": body.reason,
        "request_id": body.request_id,
        "correlation_id": body.correlation_id,
        "causation_id": body.causation_id,
        # The trigger prefixes the chain header and hashes the result.
        "canonical": body.canonical(),
    }


async def append(
    conn: AsyncConnection, events: Sequence[DomainEvent], meta: RequestMeta
) -> list[Appended]:
    """Insert `events` at the head of the chain; call last, just before COMMIT."""
    if not events:
        return []
    actor = meta.actor.as_record()
    result = await conn.execute(
        audit_event.insert().returning(
            audit_event.c.position, audit_event.c.hash, sort_by_parameter_order=True
        ),
        [_row(event, meta, actor) for event in events],
    )
    return [Appended(position=row.position, hash=row.hash) for row in result]
