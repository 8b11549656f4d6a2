"""When a running clock enters each phase a deadline rule grades: warning period, last day, overdue.

All in Asia/Shanghai (UTC+8, no daylight saving since 1991): a day clock falls due at the local
midnight ending its last day; due_at is the first instant past the limit.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.deadlines import (
    ClockRule,
    ClockUnit,
    Deadline,
    HolidayCalendar,
    RunningClock,
    add_months,
    compute_deadline,
)
from domain.warning.clocks import (
    LAST_DAY,
    OVERDUE,
    WARNING_PERIOD,
    ClockPhases,
    phase_at,
    phases,
)

SH = ZoneInfo("Asia/Shanghai")
TINY = timedelta(microseconds=1)
START = datetime(2026, 11, 23, 9, 0, tzinfo=SH)  # a Monday


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SH)


def running(unit: ClockUnit, due_at: datetime, *, limit: int = 7) -> RunningClock:
    deadline = Deadline(
        rule_code=f"test.{unit.value}",
        basis="test basis",
        started_at=START.astimezone(UTC),
        due_at=due_at.astimezone(UTC),
        unit=unit,
        limit=limit,
        extension=0,
        paused=0,
        computation="by hand",
    )
    return RunningClock(key="reply", deadline=deadline, unit_code="FT-XS", name="reply")


# unit, local due time, warn_before → (warn_at, last_day_at), all local
CASES: list[tuple[ClockUnit, datetime, int, datetime, datetime]] = [
    # An hour clock: the last hour, and warn_before hours ahead of due (at least the last hour).
    (ClockUnit.HOURS, local(2026, 11, 24, 9, 30), 0, local(2026, 11, 24, 8, 30), local(2026, 11, 24, 8, 30)),
    (ClockUnit.HOURS, local(2026, 11, 24, 9, 30), 1, local(2026, 11, 24, 8, 30), local(2026, 11, 24, 8, 30)),
    (ClockUnit.HOURS, local(2026, 11, 24, 9, 30), 3, local(2026, 11, 24, 6, 30), local(2026, 11, 24, 8, 30)),
    # Last day Monday 2026-11-30: the day starts at local midnight; warn_before days ahead of it.
    (ClockUnit.CALENDAR_DAYS, local(2026, 12, 1), 0, local(2026, 11, 30), local(2026, 11, 30)),
    (ClockUnit.CALENDAR_DAYS, local(2026, 12, 1), 1, local(2026, 11, 29), local(2026, 11, 30)),
    (ClockUnit.CALENDAR_DAYS, local(2026, 12, 1), 3, local(2026, 11, 27), local(2026, 11, 30)),
    # Last day Thursday 2026-12-03 (working days and calendar days ahead agree here).
    (ClockUnit.WORKING_DAYS, local(2026, 12, 4), 0, local(2026, 12, 3), local(2026, 12, 3)),
    (ClockUnit.WORKING_DAYS, local(2026, 12, 4), 1, local(2026, 12, 2), local(2026, 12, 3)),
    (ClockUnit.WORKING_DAYS, local(2026, 12, 4), 3, local(2026, 11, 30), local(2026, 12, 3)),
    # Last day 2027-11-29: warn_before months ahead of due, at local midnight.
    (ClockUnit.MONTHS, local(2027, 11, 30), 0, local(2027, 11, 29), local(2027, 11, 29)),
    (ClockUnit.MONTHS, local(2027, 11, 30), 1, local(2027, 10, 30), local(2027, 11, 29)),
    (ClockUnit.MONTHS, local(2027, 11, 30), 3, local(2027, 8, 30), local(2027, 11, 29)),
    # Due 2027-03-31: a month earlier is clamped to the end of February.
    (ClockUnit.MONTHS, local(2027, 3, 31), 1, local(2027, 2, 28), local(2027, 3, 30)),
    (ClockUnit.MONTHS, local(2027, 3, 31), 3, local(2026, 12, 31), local(2027, 3, 30)),
]  # fmt: skip


@pytest.mark.parametrize(("unit", "due", "warn_before", "warn_at", "last_day_at"), CASES)
def test_phase_start_times(unit, due, warn_before, warn_at, last_day_at):
    p = phases(running(unit, due), warn_before, SH)

    assert p == ClockPhases(warn_at=warn_at, last_day_at=last_day_at, due_at=due)
    assert p.due_at.tzinfo is UTC  # in the deadline's own zone
    assert p.warn_at <= p.last_day_at < p.due_at


@pytest.mark.parametrize(("unit", "due", "warn_before", "warn_at", "last_day_at"), CASES)
def test_phase_at_each_boundary(unit, due, warn_before, warn_at, last_day_at):
    p = phases(running(unit, due), warn_before, SH)

    assert phase_at(p, warn_at - timedelta(days=400)) == 0
    assert phase_at(p, warn_at - TINY) == 0
    if warn_at < last_day_at:
        assert phase_at(p, warn_at) == WARNING_PERIOD
        assert phase_at(p, last_day_at - TINY) == WARNING_PERIOD
    assert phase_at(p, last_day_at) == LAST_DAY
    assert phase_at(p, due - TINY) == LAST_DAY
    assert phase_at(p, due) == OVERDUE  # due_at is already past the limit
    assert phase_at(p, due + timedelta(days=400)) == OVERDUE


def test_phase_numbers():
    assert (WARNING_PERIOD, LAST_DAY, OVERDUE) == (1, 2, 3)


def test_warn_before_zero_means_no_warning_period_in_every_unit():
    for unit, due, warn_before, _, _ in CASES:
        if warn_before == 0:
            p = phases(running(unit, due), 0, SH)
            assert p.warn_at == p.last_day_at, unit


def test_an_hour_clock_warns_at_least_its_last_hour():
    due = local(2026, 11, 24, 9, 30)
    for warn_before in (0, 1):
        p = phases(running(ClockUnit.HOURS, due), warn_before, SH)
        assert p.warn_at == p.last_day_at == due - timedelta(hours=1)


def test_a_warning_period_longer_than_the_clock_starts_in_the_past():
    p = phases(running(ClockUnit.CALENDAR_DAYS, local(2026, 11, 25), limit=1), 10, SH)

    assert p.warn_at == local(2026, 11, 14)
    assert phase_at(p, START) == WARNING_PERIOD


def test_phases_of_computed_deadlines():
    # 3 calendar days from Monday 09:00: last day Thursday, due at the midnight ending it.
    rule = ClockRule(
        code="case.notice",
        name="notice",
        start_event="case.accepted",
        unit=ClockUnit.CALENDAR_DAYS,
        limit=3,
        basis="art. 178",
    )
    deadline = compute_deadline(rule, started_at=START, tz=SH, calendar=HolidayCalendar.EMPTY)
    clock = RunningClock(key="notice", deadline=deadline, unit_code="FT", name="send notice")

    p = phases(clock, rule.warn_before, SH)

    assert p.due_at == local(2026, 11, 27)
    assert p.last_day_at == local(2026, 11, 26)
    assert p.warn_at == local(2026, 11, 25)
    assert [phase_at(p, START + timedelta(days=d)) for d in range(5)] == [0, 0, 1, 2, 3]

    # 24 hours from Monday 09:00, warned 3 hours ahead.
    hours = dataclasses.replace(rule, code="notify", unit=ClockUnit.HOURS, limit=24)
    deadline = compute_deadline(hours, started_at=START, tz=SH, calendar=HolidayCalendar.EMPTY)
    p = phases(RunningClock(key="notify", deadline=deadline, unit_code="FT", name="n"), 3, SH)
    assert (p.warn_at, p.last_day_at, p.due_at) == (
        local(2026, 11, 24, 6),
        local(2026, 11, 24, 8),
        local(2026, 11, 24, 9),
    )


# -- properties over computed deadlines -----------------------------------------------------------


_STARTS = st.datetimes(
    min_value=datetime(2020, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive by contract
    max_value=datetime(2035, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@st.composite
def clocks(draw: st.DrawFn) -> RunningClock:
    unit = draw(st.sampled_from(list(ClockUnit)))
    limit = draw(st.integers(1, 24 if unit is ClockUnit.MONTHS else 60))
    rule = ClockRule(
        code=f"rule.{unit.value}", name="n", start_event="e", unit=unit, limit=limit, basis="b"
    )
    deadline = compute_deadline(
        rule, started_at=draw(_STARTS), tz=SH, calendar=HolidayCalendar.EMPTY
    )
    return RunningClock(key="k", deadline=deadline, unit_code="U", name="n")


def _is_local_midnight(moment: datetime) -> bool:
    return moment.astimezone(SH).timetz().replace(tzinfo=None) == time()


@given(clock=clocks(), warn_before=st.integers(0, 12))
def test_phases_are_ordered_for_every_unit_and_warn_before(clock, warn_before):
    p = phases(clock, warn_before, SH)
    due = clock.deadline.due_at
    assert due is not None

    assert p.warn_at <= p.last_day_at <= p.due_at == due
    if clock.deadline.unit is ClockUnit.HOURS:
        assert p.last_day_at == due - timedelta(hours=1)
        assert p.warn_at == due - timedelta(hours=max(warn_before, 1))
        return
    assert _is_local_midnight(p.due_at)
    assert _is_local_midnight(p.last_day_at)
    assert _is_local_midnight(p.warn_at)
    assert p.due_at - p.last_day_at == timedelta(days=1)
    due_day = due.astimezone(SH).date()
    if clock.deadline.unit is ClockUnit.MONTHS:
        warn_day = min(add_months(due_day, -warn_before), due_day - timedelta(days=1))
    else:
        warn_day = due_day - timedelta(days=1 + warn_before)
    assert p.warn_at.astimezone(SH).date() == warn_day


@given(clock=clocks(), warn_before=st.integers(0, 12), more=st.integers(0, 12))
def test_more_warning_never_starts_later(clock, warn_before, more):
    sooner = phases(clock, warn_before + more, SH)
    later = phases(clock, warn_before, SH)

    assert sooner.warn_at <= later.warn_at
    assert (sooner.last_day_at, sooner.due_at) == (later.last_day_at, later.due_at)


@given(
    clock=clocks(),
    warn_before=st.integers(0, 12),
    offsets=st.lists(st.integers(-400 * 24 * 60, 400 * 24 * 60), min_size=2, max_size=6),
)
def test_phase_at_never_goes_back_as_time_passes(clock, warn_before, offsets):
    p = phases(clock, warn_before, SH)
    moments = sorted(p.due_at + timedelta(minutes=m) for m in offsets)

    seen = [phase_at(p, m) for m in moments]

    assert seen == sorted(seen)
    assert all(phase in (0, WARNING_PERIOD, LAST_DAY, OVERDUE) for phase in seen)
    assert phase_at(p, p.due_at) == OVERDUE
    assert phase_at(p, p.last_day_at) == LAST_DAY
    assert phase_at(p, p.warn_at - TINY) == 0


# -- RunningClock ---------------------------------------------------------------------------------


def test_a_running_clock_keeps_its_fields():
    clock = running(ClockUnit.CALENDAR_DAYS, local(2026, 12, 1))

    assert clock.key == "reply"
    assert clock.unit_code == "FT-XS"
    assert clock.name == "reply"
    assert clock.deadline.due_at == local(2026, 12, 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        clock.key = "other"  # type: ignore[misc]


def test_a_suspended_deadline_is_not_a_running_clock():
    deadline = dataclasses.replace(running(ClockUnit.HOURS, START).deadline, due_at=None)

    with pytest.raises(ValueError, match="suspended"):
        RunningClock(key="reply", deadline=deadline, unit_code="FT-XS", name="reply")


@pytest.mark.parametrize(
    ("key", "unit_code"), [("", "FT"), ("  ", "FT"), ("reply", ""), ("reply", " ")]
)
def test_a_running_clock_needs_a_key_and_a_unit(key, unit_code):
    deadline = running(ClockUnit.HOURS, START).deadline

    with pytest.raises(ValueError, match="must not be blank"):
        RunningClock(key=key, deadline=deadline, unit_code=unit_code, name="reply")
