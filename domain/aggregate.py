"""The base every aggregate shares: an id, a version, and the events recorded since loading."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from domain.events import DomainEvent, diff


class Aggregate:
    """Check-then-change: methods validate, then `_change` mutates, bumps version, records."""

    aggregate_type: ClassVar[str]

    def __init__(self, *, id: str, version: int) -> None:
        self.id = id
        self.version = version
        self.pending_events: list[DomainEvent] = []

    @property
    def owner_unit(self) -> str | None:
        return None

    @property
    def correlation_id(self) -> UUID | None:
        return None

    def snapshot(self) -> dict[str, Any]:
        """JSON-ready values of the audited fields (no personal data)."""
        raise NotImplementedError

    def _change(
        self,
        event_type: str,
        *,
        at: datetime,
        mutate: Callable[[], None],
        reason: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> DomainEvent:
        before = self.snapshot() if self.version else {}
        mutate()
        self.version += 1
        event = DomainEvent(
            event_type=f"{self.aggregate_type}.{event_type}",
            aggregate_type=self.aggregate_type,
            aggregate_id=self.id,
            aggregate_version=self.version,
            owner_unit=self.owner_unit,
            occurred_at=at,
            correlation_id=self.correlation_id,
            changes=diff(before, self.snapshot()),
            data=data or {},
            reason=reason,
        )
        self.pending_events.append(event)
        return event

    def collect_events(self) -> list[DomainEvent]:
        events, self.pending_events = self.pending_events, []
        return events
