"""The case's clocks: handling limit, revisits and coercive measures, as clock-rule rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.deadlines import ClockRule, Deadline, HolidayCalendar, Pause, compute_deadline

# Clock names (the part after "case." in clock_rule.clock) and their scopes.
HANDLING = "handling"  # scope: the case kind (only ADMINISTRATIVE has a rule by default)
REVISIT = "revisit"  # scopes FIRST, SECOND
MEASURE = "measure"  # scope: the measure kind, or SERIOUS_DETENTION
FIRST = "FIRST"
SECOND = "SECOND"
# The criminal-procedure clocks added by migration 0008 (公安机关办理刑事案件程序规定, 行政处罚法).
OUTSIDE_JURISDICTION = "outside_jurisdiction"  # scope: the case kind (CRIMINAL by default)
NOT_FILING_NOTICE = "not_filing_notice"  # scope: the case kind (CRIMINAL by default)
NOT_FILING_CHALLENGE = "not_filing_challenge"  # scopes below: 复议 / 复核, apply and decide
RECONSIDERATION_APPLICATION = "RECONSIDERATION_APPLICATION"
RECONSIDERATION_DECISION = "RECONSIDERATION_DECISION"
REVIEW_APPLICATION = "REVIEW_APPLICATION"
REVIEW_DECISION = "REVIEW_DECISION"
DETENTION_STEP = "detention_step"  # scope: the step (SENT_TO_DETENTION_CENTRE, ...)
PENALTY_DECISION = "penalty_decision"  # scope: the case kind (ADMINISTRATIVE by default)
# 流窜作案、多次作案、结伙作案: the arrest-approval request may wait up to 30 日 (art. 129).
SERIOUS_DETENTION = "CRIMINAL_DETENTION_SERIOUS"


@dataclass(frozen=True, slots=True)
class CaseClocks:
    """Clock rules keyed by (clock, scope); a missing rule means no deadline."""

    rules: Mapping[tuple[str, str], ClockRule]
    calendar: HolidayCalendar
    tz: ZoneInfo

    def rule(self, clock: str, scope: str) -> ClockRule | None:
        return self.rules.get((clock, scope))

    def due(
        self,
        rule: ClockRule,
        *,
        started_at: datetime,
        extension: int = 0,
        pauses: Sequence[Pause] = (),
        in_custody: bool = False,
    ) -> Deadline:
        return compute_deadline(
            rule,
            started_at=started_at,
            tz=self.tz,
            calendar=self.calendar,
            extension=extension,
            pauses=pauses,
            in_custody=in_custody,
        )

    def day_begins(self, started_at: datetime, days: int) -> datetime:
        """The local start of day `days` after `started_at`'s day (the start day is day 0)."""
        day = started_at.astimezone(self.tz).date() + timedelta(days=days)
        return datetime.combine(day, time(), tzinfo=self.tz).astimezone(UTC)
