"""The review's clocks: rectification deadlines (整改期限), recommendation responses, watch periods.

Rules come from `clock_rule` (clock `review.<name>`, scope DEFAULT or a review kind). A deadline
given as a date and a watch period given in days are counted by the same function, as calendar
days with the start day not counted, so that every due date explains itself the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain.deadlines import ClockRule, ClockUnit, Deadline, HolidayCalendar, compute_deadline
from domain.errors import ValidationFailed

RECTIFICATION = "rectification"
RECOMMENDATION_RESPONSE = "recommendation_response"
DEFAULT_SCOPE = "DEFAULT"


@dataclass(frozen=True, slots=True)
class ReviewClocks:
    """Clock rules keyed by (clock, scope); a kind's own rule wins over the DEFAULT one."""

    rules: Mapping[tuple[str, str], ClockRule]
    calendar: HolidayCalendar
    tz: ZoneInfo

    def rule(self, clock: str, *, kind: str) -> ClockRule | None:
        return self.rules.get((clock, kind)) or self.rules.get((clock, DEFAULT_SCOPE))

    def due(self, clock: str, *, kind: str, started_at: datetime) -> Deadline | None:
        rule = self.rule(clock, kind=kind)
        if rule is None:
            return None
        return compute_deadline(rule, started_at=started_at, tz=self.tz, calendar=self.calendar)

    def due_on(self, day: date, *, started_at: datetime, field: str) -> Deadline:
        """A deadline set as a date: due at the end of that local day."""
        days = (day - started_at.astimezone(self.tz).date()).days
        if days <= 0:
            raise ValidationFailed(f"{field} must be after today", field=field)
        rule = ClockRule(
            code="review.rectification.date",
            name="整改期限(指定日期)",
            start_event="review.rectification_added",
            unit=ClockUnit.CALENDAR_DAYS,
            limit=days,
            basis="deadline set by the supervision centre when ordering the rectification",
            shift_holiday_end=False,
        )
        return compute_deadline(rule, started_at=started_at, tz=self.tz, calendar=self.calendar)

    def watch_period(self, days: int, *, started_at: datetime) -> Deadline:
        """The end of a watch period after closing off, during which a recurrence reopens."""
        rule = ClockRule(
            code="review.rectification.watch",
            name="销号后观察期",
            start_event="review.rectification_closed_off",
            unit=ClockUnit.CALENDAR_DAYS,
            limit=days,
            basis="watch period set on the rectification when it was ordered",
            shift_holiday_end=False,
        )
        return compute_deadline(rule, started_at=started_at, tz=self.tz, calendar=self.calendar)
