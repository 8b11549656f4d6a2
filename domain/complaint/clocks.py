"""The complaint's clocks: which rule times the reply and the callback, per channel."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.deadlines import ClockRule, Deadline, HolidayCalendar, compute_deadline

REPLY = "reply"
CALLBACK = "callback"


@dataclass(frozen=True, slots=True)
class ComplaintClocks:
    """Clock rules keyed by (clock, channel code); a channel without a rule has no deadline."""

    rules: Mapping[tuple[str, str], ClockRule]
    calendar: HolidayCalendar
    tz: ZoneInfo

    def due(self, clock: str, *, channel: str, started_at: datetime) -> Deadline | None:
        rule = self.rules.get((clock, channel))
        if rule is None:
            return None
        return compute_deadline(rule, started_at=started_at, tz=self.tz, calendar=self.calendar)
