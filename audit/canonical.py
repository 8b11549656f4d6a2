"""The canonical form of an audit event: the exact bytes that are hashed.

Format version 1 (docs/audit-format.md): a JSON object with the keys below, serialised per
RFC 8785 (JSON Canonicalization Scheme: sorted keys, no insignificant white space, UTF-8),
hashed with SHA-256. Timestamps are UTC ISO 8601 with microseconds and a `Z`; the position is a
decimal string (it outgrows IEEE doubles); absent values are JSON null. The chain starts at
64 zeros; each event's `prevHash` is the previous event's `hash`.
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


def timestamp(value: datetime) -> str:
    """UTC, microseconds, Z: one spelling per instant."""
    if value.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class EventRecord:
    """Every hashed field of one audit event."""

    position: int
    event_id: UUID
    format_version: int
    recorded_at: datetime
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
    prev_hash: str

    def canonical(self) -> str:
        document: dict[str, Any] = {
            "formatVersion": self.format_version,
            "position": str(self.position),
            "eventId": str(self.event_id),
            "recordedAt": timestamp(self.recorded_at),
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
            "prevHash": self.prev_hash,
        }
        return rfc8785.dumps(document).decode("utf-8")


def digest(canonical: str) -> str:
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
