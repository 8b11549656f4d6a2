"""The petition's clocks (信访工作条例): which rule times each step; all rows of `clock_rule`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.deadlines import ClockRule, Deadline, HolidayCalendar, compute_deadline

SCOPE = "default"

REGISTER = "register"  # art. 22: register and forward within 15 日 of receipt
NOTICE = "notice"  # art. 23: written notice of acceptance or not within 15 日
OBJECTION = "objection"  # art. 23–24: object to a mis-routed item within 5 工作日
HANDLING = "handling"  # art. 34: 60 日 from acceptance, +≤30 once
BACKLOG = "backlog"  # derived: the handling rule with its whole extension (60 + 30)
REVIEW_REQUEST = "review_request"  # art. 35: request 复查 within 30 日 of the answer
REVIEW = "review"  # art. 35: decide within 30 日
RE_EXAMINATION_REQUEST = "re_examination_request"  # art. 36
RE_EXAMINATION = "re_examination"  # art. 36

# Every kind of deadline a petition can carry, in the order of the procedure.
KINDS = (
    REGISTER,
    NOTICE,
    OBJECTION,
    HANDLING,
    BACKLOG,
    REVIEW_REQUEST,
    REVIEW,
    RE_EXAMINATION_REQUEST,
    RE_EXAMINATION,
)
# Windows open a right (to object, to request); passing one is not a breach by anyone.
WINDOWS = frozenset({OBJECTION, REVIEW_REQUEST, RE_EXAMINATION_REQUEST})


@dataclass(frozen=True, slots=True)
class PetitionClocks:
    """Clock rules keyed by (clock, scope); a clock without a rule has no deadline."""

    rules: Mapping[tuple[str, str], ClockRule]
    calendar: HolidayCalendar
    tz: ZoneInfo

    def rule(self, clock: str) -> ClockRule | None:
        return self.rules.get((clock, SCOPE))

    def due(self, clock: str, *, started_at: datetime, extension: int = 0) -> Deadline | None:
        if clock == BACKLOG:
            handling = self.rule(HANDLING)
            if handling is None:
                return None
            return compute_deadline(
                handling,
                started_at=started_at,
                tz=self.tz,
                calendar=self.calendar,
                extension=handling.max_extension,
            )
        rule = self.rule(clock)
        if rule is None:
            return None
        return compute_deadline(
            rule, started_at=started_at, tz=self.tz, calendar=self.calendar, extension=extension
        )
