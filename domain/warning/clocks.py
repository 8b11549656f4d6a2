"""When a running clock enters each phase a deadline rule grades: warning period, last day, overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.deadlines import ClockUnit, RunningClock, add_months

# Phases, the measure of the deadline rule.
WARNING_PERIOD, LAST_DAY, OVERDUE = 1, 2, 3


@dataclass(frozen=True, slots=True)
class ClockPhases:
    warn_at: datetime  # the warning period starts (warn_before units ahead)
    last_day_at: datetime  # the last day (or, for an hour clock, the last hour) starts
    due_at: datetime  # the first instant past the limit


def phases(clock: RunningClock, warn_before: int, tz: ZoneInfo) -> ClockPhases:
    """Phase start times of a running clock, counted in its own unit."""
    due = clock.deadline.due_at
    assert due is not None  # a running clock is never suspended
    unit = clock.deadline.unit
    if unit is ClockUnit.HOURS:
        last = due - timedelta(hours=1)
        warn = due - timedelta(hours=max(warn_before, 1))
    else:
        # Day clocks end at the end of their last day; that day starts one local day earlier.
        local_due = due.astimezone(tz)
        last = (local_due - timedelta(days=1)).astimezone(due.tzinfo)
        if unit is ClockUnit.MONTHS:
            warn_day = add_months(local_due.date(), -warn_before)
            warn = datetime.combine(warn_day, local_due.timetz()).astimezone(due.tzinfo)
        else:
            warn = (local_due - timedelta(days=1 + warn_before)).astimezone(due.tzinfo)
    warn = min(warn, last)
    return ClockPhases(warn_at=warn, last_day_at=last, due_at=due)


def phase_at(p: ClockPhases, now: datetime) -> int:
    """0 before the warning period, then 1, 2, 3."""
    if now >= p.due_at:
        return OVERDUE
    if now >= p.last_day_at:
        return LAST_DAY
    if now >= p.warn_at:
        return WARNING_PERIOD
    return 0
