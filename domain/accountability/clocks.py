"""The accountability's clocks: each measure's period and the appeal window (申诉期).

Rules come from `clock_rule` (migration 0007): clock `accountability.measure` with the measure kind
as scope, and clock `accountability.appeal` with scope DEFAULT. A measure set in days (停止执行职务
10–60 日, 禁闭 1–7 日) is a rule whose limit is the minimum and whose maximum extension reaches the
maximum: the days beyond the minimum are counted as its extension, so that the computation shows
both the range and the basis.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.accountability.status import TIMED, MeasureKind
from domain.deadlines import ClockRule, Deadline, HolidayCalendar, compute_deadline
from domain.errors import ValidationFailed

MEASURE = "measure"
APPEAL = "appeal"
DEFAULT_SCOPE = "DEFAULT"


@dataclass(frozen=True, slots=True)
class AccountabilityClocks:
    """Clock rules keyed by (clock, scope)."""

    rules: Mapping[tuple[str, str], ClockRule]
    calendar: HolidayCalendar
    tz: ZoneInfo

    def day_range(self, kind: MeasureKind) -> tuple[int, int]:
        """The days a measure set in days may last, from its rule (minimum, maximum)."""
        rule = self._measure_rule(kind)
        return rule.limit, rule.limit + rule.max_extension

    def check_days(self, kind: MeasureKind, days: int | None, *, field: str = "days") -> None:
        """Days are given for suspension and confinement, within their rule's range, and only then."""
        if not kind.needs_days:
            if days is not None:
                raise ValidationFailed(f"{kind.value} is not set in days", field=field)
            return
        low, high = self.day_range(kind)
        if days is None or not low <= days <= high:
            raise ValidationFailed(
                f"{kind.value} lasts {low} to {high} days ({self._measure_rule(kind).basis})",
                field=field,
            )

    def measure_period(
        self, kind: MeasureKind, *, days: int | None, started_at: datetime
    ) -> Deadline | None:
        """When the measure's period ends; None for a measure without one (e.g. 开除, 诫勉)."""
        if kind not in TIMED:
            return None
        self.check_days(kind, days)
        rule = self._measure_rule(kind)
        extension = (days - rule.limit) if days is not None else 0
        return compute_deadline(
            rule, started_at=started_at, tz=self.tz, calendar=self.calendar, extension=extension
        )

    def appeal_window(self, *, started_at: datetime) -> Deadline | None:
        """The last moment an appeal (申诉) is accepted; None if no rule is configured."""
        rule = self.rules.get((APPEAL, DEFAULT_SCOPE))
        if rule is None:
            return None
        return compute_deadline(rule, started_at=started_at, tz=self.tz, calendar=self.calendar)

    def _measure_rule(self, kind: MeasureKind) -> ClockRule:
        rule = self.rules.get((MEASURE, kind.value))
        if rule is None:
            raise ValidationFailed(
                f"no clock rule times {kind.value} (clock_rule accountability.measure)",
                field="measures",
            )
        return rule
