"""Domain events: past-tense facts an aggregate records; the audit log stores each one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

JSONValue = Any


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """One state change of one aggregate, with the before and after of every changed field."""

    event_type: str
    aggregate_type: str
    aggregate_id: str
    aggregate_version: int
    owner_unit: str | None
    occurred_at: datetime
    correlation_id: UUID | None
    changes: dict[str, dict[str, JSONValue]] = field(default_factory=dict)
    data: dict[str, JSONValue] = field(default_factory=dict)
    reason: str | None = None

    def payload(self) -> dict[str, JSONValue]:
        body: dict[str, JSONValue] = {"changes": self.changes}
        if self.data:
            body["data"] = self.data
        return body


def diff(before: dict[str, JSONValue], after: dict[str, JSONValue]) -> dict[str, dict[str, Any]]:
    """The fields whose value changed, as {field: {before, after}}."""
    return {
        key: {"before": before.get(key), "after": value}
        for key, value in after.items()
        if before.get(key) != value
    }
