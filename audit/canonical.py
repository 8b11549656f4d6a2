"""The bytes that are hashed: a short chain header, then the event body in canonical JSON.

Format version 1 (docs/audit-format.md). The body is a JSON object of the event's own fields,
serialised per RFC 8785 (JSON Canonicalization Scheme) and computed by the application. The
database adds what only it can know at commit time — position, previous hash, recorded-at — as
a header, and hashes the whole text with SHA-256:

    jiandu-audit/1 LF <position> LF <prevHash> LF <recordedAt> LF <body>

Timestamps are UTC ISO 8601 with six fraction digits and `Z`; absent values are JSON null.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import rfc8785

FORMAT_VERSION = 1
GENESIS_HASH = "0" * 64
HEADER = "jiandu-audit/1"


def timestamp(value: datetime) -> str:
    """UTC, microseconds, Z: one spelling per instant (the trigger's to_char spells it alike)."""
    if value.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class EventBody:
    """Every field of one audit event that the application decides."""

    event_id: UUID
    format_version: int
    effective_at: datetime
    actor: dict[str, Any]
    aggregate_type: str
    aggregate_id: str
    aggregate_version: int
    owner_unit: str | None
    event_type: str
    payload: dict[str, Any]
    reason: str | None
    request_id: str | None
    correlation_id: UUID | None
    causation_id: UUID | None

    def canonical(self) -> str:
        document: dict[str, Any] = {
            "formatVersion": self.format_version,
            "eventId": str(self.event_id),
            "effectiveAt": timestamp(self.effective_at),
            "actor": self.actor,
            "aggregateType": self.aggregate_type,
            "aggregateId": self.aggregate_id,
            "aggregateVersion": self.aggregate_version,
            "ownerUnit": self.owner_unit,
            "eventType": self.event_type,
            "payload": self.payload,
            "reason": self.reason,
            "requestId": self.request_id,
            "correlationId": str(self.correlation_id) if self.correlation_id else None,
            "causationId": str(self.causation_id) if self.causation_id else None,
        }
        return rfc8785.dumps(document).decode("utf-8")


def chained(*, position: int, prev_hash: str, recorded_at: datetime, body: str) -> str:
    """The full hashed text, as the insert trigger builds it."""
    return f"{HEADER}\n{position}\n{prev_hash}\n{timestamp(recorded_at)}\n{body}"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
