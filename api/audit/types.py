"""GraphQL types of the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON


@strawberry.type
class AuditActor:
    issuer: str | None
    subject: str
    role: str
    unit: str | None
    officer: str | None


@strawberry.type(description="One append-only, hash-chained audit event.")
class AuditEvent:
    position: str = strawberry.field(description="Gap-free, commit-ordered; a string (64-bit).")
    event_id: strawberry.ID
    format_version: int
    event_type: str
    aggregate_type: str
    aggregate_id: str
    aggregate_version: int
    owner_unit: str | None
    recorded_at: datetime
    effective_at: datetime
    actor: AuditActor
    payload: JSON
    reason: str | None
    request_id: str | None
    correlation_id: strawberry.ID | None
    causation_id: strawberry.ID | None
    prev_hash: str
    hash: str
    canonical: str = strawberry.field(
        description="The exact text that was hashed: the chain header, then the RFC 8785 body."
    )

    @classmethod
    def from_row(cls, row: Any) -> AuditEvent:
        actor = row.actor
        return cls(
            position=str(row.position),
            event_id=strawberry.ID(str(row.event_id)),
            format_version=row.format_version,
            event_type=row.event_type,
            aggregate_type=row.aggregate_type,
            aggregate_id=row.aggregate_id,
            aggregate_version=row.aggregate_version,
            owner_unit=row.owner_unit,
            recorded_at=row.recorded_at,
            effective_at=row.effective_at,
            actor=AuditActor(
                issuer=actor.get("issuer"),
                subject=actor["subject"],
                role=actor["role"],
                unit=actor.get("unit"),
                officer=actor.get("officer"),
            ),
            payload=row.payload,
            reason=row.reason,
            request_id=row.request_id,
            correlation_id=strawberry.ID(str(row.correlation_id)) if row.correlation_id else None,
            causation_id=strawberry.ID(str(row.causation_id)) if row.causation_id else None,
            prev_hash=row.prev_hash,
            hash=row.hash,
            canonical=row.canonical,
        )


@strawberry.type
class AuditVerification:
    ok: bool
    checked: int
    first_broken_position: str | None
    problem: str | None


@strawberry.input
class AuditEventFilter:
    aggregate_type: str | None = None
    event_type: str | None = None
    correlation_id: strawberry.ID | None = None
