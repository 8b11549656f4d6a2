"""Deadline computation: units, holidays, custody, extensions, pauses, months and explanations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.clock import Clock, MovableClock, SystemClock
from domain.deadlines import (
    ClockRule,
    ClockUnit,
    Deadline,
    HolidayCalendar,
    Pause,
    add_months,
    compute_deadline,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR_FILE = Path(__file__).resolve().parents[2] / "reference" / "calendar-cn.json"
CN = HolidayCalendar.from_mapping(json.loads(CALENDAR_FILE.read_text(encoding="utf-8")))

HOTLINE = ClockRule(
    code="complaint.reply.HOTLINE_12345",
    name="12345 热线答复",
    start_event="complaint.registered",
    unit=ClockUnit.WORKING_DAYS,
    limit=7,
    basis="local rule",
    max_extension=8,
    extension_approver="centre_head",
)
ADMIN_CASE = ClockRule(
    code="case.admin.handling",
    name="治安案件办案期限",
    start_event="case.accepted",
    unit=ClockUnit.CALENDAR_DAYS,
    limit=30,
    basis="行政案件程序规定 art. 165",
    max_extension=30,
    extension_approver="superior_unit",
)
NOT_FILING_NOTICE = ClockRule(
    code="case.criminal.not_filed_notice",
    name="不予立案通知",
    start_event="case.not_filed",
    unit=ClockUnit.CALENDAR_DAYS,
    limit=3,
    basis="公安机关办理刑事案件程序规定 art. 178",
)
DETENTION_NOTICE = ClockRule(
    code="detention.notify_family",
    name="通知家属",
    start_event="detention.started",
    unit=ClockUnit.HOURS,
    limit=24,
    basis="公安机关办理刑事案件程序规定 art. 126",
)
BAIL = ClockRule(
    code="measure.bail",
    name="取保候审",
    start_event="measure.bail.started",
    unit=ClockUnit.MONTHS,
    limit=12,
    basis="公安机关办理刑事案件程序规定 art. 107",
)
RESIDENTIAL_SURVEILLANCE = ClockRule(
    code="measure.residential_surveillance",
    name="监视居住",
    start_event="measure.surveillance.started",
    unit=ClockUnit.MONTHS,
    limit=6,
    basis="公安机关办理刑事案件程序规定 art. 122",
)


def at(text: str) -> datetime:
    """Parse a local Shanghai time like "2026-11-20 10:00"."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def rule_fields(**overrides: object) -> dict[str, object]:
    """Keyword arguments for a valid three-calendar-day rule, with overrides."""
    fields: dict[str, object] = {
        "code": "test.calendar",
        "name": "测试",
        "start_event": "test.started",
        "unit": ClockUnit.CALENDAR_DAYS,
        "limit": 3,
        "basis": "test basis",
    }
    fields.update(overrides)
    return fields


def calendar_days(limit: int, *, shift_holiday_end: bool = True) -> ClockRule:
    """A calendar-day rule with the given limit."""
    return ClockRule(
        code="test.calendar",
        name="测试",
        start_event="test.started",
        unit=ClockUnit.CALENDAR_DAYS,
        limit=limit,
        basis="test basis",
        shift_holiday_end=shift_holiday_end,
    )


def working_days(limit: int) -> ClockRule:
    """A working-day rule with the given limit."""
    return ClockRule(
        code="test.working",
        name="测试",
        start_event="test.started",
        unit=ClockUnit.WORKING_DAYS,
        limit=limit,
        basis="test basis",
    )


def last_day(deadline: Deadline) -> date:
    """The last counted local day: due_at is the midnight that ends it."""
    assert deadline.due_at is not None
    local = deadline.due_at.astimezone(SHANGHAI)
    assert local.time() == datetime.min.time()
    return local.date() - timedelta(days=1)


def compute(
    rule: ClockRule,
    started_at: datetime,
    *,
    calendar: HolidayCalendar = CN,
    extension: int = 0,
    pauses: Sequence[Pause] = (),
    in_custody: bool = False,
) -> Deadline:
    """compute_deadline in Shanghai, by default with the CN calendar."""
    return compute_deadline(
        rule,
        started_at=started_at,
        tz=SHANGHAI,
        calendar=calendar,
        extension=extension,
        pauses=pauses,
        in_custody=in_custody,
    )


# --- hours ---------------------------------------------------------------------------------


def test_an_hours_clock_runs_exactly_the_limit_ignoring_holidays() -> None:
    deadline = compute(DETENTION_NOTICE, at("2026-10-01 10:30"))
    assert deadline.due_at == at("2026-10-02 10:30")
    assert deadline.due_at.tzinfo is UTC
    assert deadline.unit is ClockUnit.HOURS
    assert deadline.paused == 0


def test_a_closed_pause_extends_an_hours_clock_by_its_exact_duration() -> None:
    pause = Pause(at("2026-03-01 12:00"), at("2026-03-01 14:30"), "听证")
    deadline = compute(DETENTION_NOTICE, at("2026-03-01 10:00"), pauses=[pause])
    assert deadline.due_at == at("2026-03-02 12:30")
    assert deadline.paused == 2
    assert "2 h 30 min paused" in deadline.computation


def test_overlapping_pauses_are_not_counted_twice() -> None:
    pauses = [
        Pause(at("2026-03-01 12:00"), at("2026-03-01 14:00"), "听证"),
        Pause(at("2026-03-01 13:00"), at("2026-03-01 15:00"), "鉴定"),
    ]
    deadline = compute(DETENTION_NOTICE, at("2026-03-01 10:00"), pauses=pauses)
    assert deadline.due_at == at("2026-03-02 13:00")
    assert deadline.paused == 3


# --- calendar days -------------------------------------------------------------------------


def test_the_start_day_is_not_counted_and_the_deadline_ends_at_local_midnight() -> None:
    # 2026-03-02 is a Monday; three days later is Thursday 2026-03-05.
    deadline = compute(NOT_FILING_NOTICE, at("2026-03-02 23:30"))
    assert last_day(deadline) == date(2026, 3, 5)
    assert deadline.due_at == datetime(2026, 3, 5, 16, 0, tzinfo=UTC)


def test_the_start_day_is_the_local_date_not_the_utc_date() -> None:
    # 17:00 UTC on Monday is already Tuesday 01:00 in Shanghai.
    deadline = compute(NOT_FILING_NOTICE, datetime(2026, 3, 2, 17, 0, tzinfo=UTC))
    assert last_day(deadline) == date(2026, 3, 6)


def test_a_holiday_on_the_last_calendar_day_moves_the_deadline_to_the_next_working_day() -> None:
    # 2026-09-23 + 10 days = 2026-10-03, inside National Day (10-01..10-07).
    deadline = compute(calendar_days(10), at("2026-09-23 09:00"))
    assert last_day(deadline) == date(2026, 10, 8)
    assert "2026-10-03 is a holiday → moved to the next working day 2026-10-08" in (
        deadline.computation
    )


def test_a_weekend_on_the_last_calendar_day_moves_the_deadline_to_monday() -> None:
    # 2026-11-20 is a Friday; eight days later is Saturday 2026-11-28.
    deadline = compute(calendar_days(8), at("2026-11-20 10:00"))
    assert last_day(deadline) == date(2026, 11, 30)


def test_a_make_up_saturday_on_the_last_calendar_day_does_not_move_the_deadline() -> None:
    # 2026-02-28 is a Saturday worked in exchange for the Spring Festival.
    deadline = compute(calendar_days(8), at("2026-02-20 10:00"))
    assert last_day(deadline) == date(2026, 2, 28)


def test_a_rule_without_holiday_shift_keeps_a_holiday_last_day() -> None:
    rule = calendar_days(10, shift_holiday_end=False)
    deadline = compute(rule, at("2026-09-23 09:00"))
    assert last_day(deadline) == date(2026, 10, 3)
    assert "this rule does not move the deadline" in deadline.computation


def test_a_holiday_on_the_last_day_does_not_move_the_deadline_while_in_custody() -> None:
    deadline = compute(calendar_days(10), at("2026-09-23 09:00"), in_custody=True)
    assert last_day(deadline) == date(2026, 10, 3)
    assert "in custody" in deadline.computation


def test_without_a_holiday_calendar_only_weekends_move_the_deadline() -> None:
    deadline = compute(calendar_days(10), at("2026-09-23 09:00"), calendar=HolidayCalendar.EMPTY)
    # 2026-10-03 is a Saturday, so it still moves, but only to Monday.
    assert last_day(deadline) == date(2026, 10, 5)


# --- working days --------------------------------------------------------------------------


def test_working_days_skip_the_weekend() -> None:
    # Friday 2026-11-20: Mon 23 … Fri 27 are five, Mon 30 and Tue 12-01 make seven.
    deadline = compute(HOTLINE, at("2026-11-20 10:00"))
    assert last_day(deadline) == date(2026, 12, 1)
    assert deadline.due_at == at("2026-12-02 00:00")
    assert "skipped 2026-11-21 weekend, 2026-11-22 weekend" in deadline.computation
    assert "2026-12-02T00:00+08:00" in deadline.computation


def test_working_days_skip_a_public_holiday_and_count_a_make_up_saturday() -> None:
    # Wed 2026-09-30; 10-01..10-07 are holidays; Thu 8, Fri 9, make-up Sat 10.
    deadline = compute(working_days(3), at("2026-09-30 16:00"))
    assert last_day(deadline) == date(2026, 10, 10)
    assert "2026-10-01 holiday" in deadline.computation


def test_a_make_up_saturday_counts_as_a_working_day() -> None:
    # Thu 2026-02-26: Fri 27 is one, make-up Sat 28 is two.
    deadline = compute(working_days(2), at("2026-02-26 09:00"))
    assert last_day(deadline) == date(2026, 2, 28)
    empty = compute(working_days(2), at("2026-02-26 09:00"), calendar=HolidayCalendar.EMPTY)
    assert last_day(empty) == date(2026, 3, 2)


def test_working_days_cross_the_spring_festival() -> None:
    # Fri 2026-02-13: make-up Sat 14 is one; 15..23 are holidays; Tue 24 is two.
    deadline = compute(working_days(2), at("2026-02-13 09:00"))
    assert last_day(deadline) == date(2026, 2, 24)


def test_a_long_list_of_skipped_days_is_elided() -> None:
    deadline = compute(working_days(15), at("2026-09-18 09:00"))
    assert "…" in deadline.computation
    assert "in all)" in deadline.computation


def test_counting_into_a_year_the_calendar_does_not_cover_is_noted() -> None:
    deadline = compute(working_days(10), at("2026-12-28 09:00"))
    assert "no entries for 2027" in deadline.computation


# --- extensions ----------------------------------------------------------------------------


def test_an_extension_within_the_maximum_is_added_to_the_limit() -> None:
    # 2026-03-02 + 60 days = 2026-05-01, Labour Day (05-01..05-05) → Wednesday 05-06.
    deadline = compute(ADMIN_CASE, at("2026-03-02 10:00"), extension=30)
    assert deadline.extension == 30
    assert last_day(deadline) == date(2026, 5, 6)
    assert "30 calendar days + 30 extension" in deadline.computation


def test_an_extension_beyond_the_maximum_is_rejected_naming_the_maximum() -> None:
    with pytest.raises(ValueError, match="maximum of 30"):
        compute(ADMIN_CASE, at("2026-03-02 10:00"), extension=31)


def test_a_rule_that_is_not_extendable_rejects_any_extension() -> None:
    with pytest.raises(ValueError, match="not extendable"):
        compute(NOT_FILING_NOTICE, at("2026-03-02 10:00"), extension=1)


def test_a_negative_extension_is_rejected() -> None:
    with pytest.raises(ValueError, match="extension"):
        compute(ADMIN_CASE, at("2026-03-02 10:00"), extension=-1)


# --- pauses --------------------------------------------------------------------------------


def test_a_closed_pause_adds_its_whole_calendar_days_to_the_deadline() -> None:
    # 2026-03-02 + 30 = 04-01; an appraisal from 03-10 to 03-19 adds 9 days → Friday 04-10.
    appraisal = Pause(at("2026-03-10 09:00"), at("2026-03-19 15:00"), "鉴定")
    deadline = compute(ADMIN_CASE, at("2026-03-02 10:00"), pauses=[appraisal])
    assert deadline.paused == 9
    assert last_day(deadline) == date(2026, 4, 10)
    assert "鉴定 2026-03-10 09:00 → 2026-03-19 15:00" in deadline.computation


def test_a_pause_within_one_day_adds_nothing_to_a_day_clock() -> None:
    hearing = Pause(at("2026-03-10 09:00"), at("2026-03-10 17:00"), "听证")
    deadline = compute(ADMIN_CASE, at("2026-03-02 10:00"), pauses=[hearing])
    assert deadline.paused == 0
    assert last_day(deadline) == date(2026, 4, 1)


def test_a_closed_pause_adds_days_to_a_working_day_clock() -> None:
    hearing = Pause(at("2026-11-24 09:00"), at("2026-11-26 09:00"), "听证")
    deadline = compute(HOTLINE, at("2026-11-20 10:00"), pauses=[hearing])
    assert deadline.paused == 2
    assert last_day(deadline) == date(2026, 12, 3)


def test_an_open_pause_suspends_the_deadline() -> None:
    appraisal = Pause(at("2026-03-10 09:00"), None, "鉴定")
    deadline = compute(ADMIN_CASE, at("2026-03-02 10:00"), pauses=[appraisal])
    assert deadline.due_at is None
    assert deadline.is_suspended
    assert "suspended" in deadline.computation
    far_future = at("2030-01-01 00:00")
    assert not deadline.is_overdue(far_future)
    assert deadline.remaining(far_future) is None


def test_a_pause_before_the_clock_started_is_rejected() -> None:
    early = Pause(at("2026-03-01 09:00"), at("2026-03-03 09:00"), "鉴定")
    with pytest.raises(ValueError, match="before the clock started"):
        compute(ADMIN_CASE, at("2026-03-02 10:00"), pauses=[early])


def test_a_pause_that_ends_before_it_starts_is_rejected() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        Pause(at("2026-03-03 09:00"), at("2026-03-02 09:00"), "鉴定")


# --- overdue and remaining -----------------------------------------------------------------


def test_a_deadline_is_not_overdue_before_it_is_due_and_is_overdue_from_the_due_instant() -> None:
    deadline = compute(HOTLINE, at("2026-11-20 10:00"))
    due = at("2026-12-02 00:00")
    assert not deadline.is_overdue(due - timedelta(seconds=1))
    assert deadline.is_overdue(due)
    assert deadline.remaining(at("2026-12-01 12:00")) == timedelta(hours=12)
    assert deadline.remaining(at("2026-12-02 06:00")) == timedelta(hours=-6)


def test_a_deadline_satisfied_in_time_is_never_overdue() -> None:
    deadline = compute(HOTLINE, at("2026-11-20 10:00"))
    later = at("2027-01-01 00:00")
    assert not deadline.is_overdue(later, satisfied_at=at("2026-12-01 23:59"))


def test_a_deadline_satisfied_at_its_due_instant_was_satisfied_one_instant_late() -> None:
    deadline = compute(HOTLINE, at("2026-11-20 10:00"))
    assert deadline.due_at == at("2026-12-02 00:00")
    assert deadline.is_overdue(at("2026-12-01 00:00"), satisfied_at=at("2026-12-02 00:00"))


def test_a_deadline_satisfied_late_is_overdue() -> None:
    deadline = compute(HOTLINE, at("2026-11-20 10:00"))
    assert deadline.is_overdue(at("2026-11-21 00:00"), satisfied_at=at("2026-12-02 00:01"))


# --- months --------------------------------------------------------------------------------


def test_twelve_months_of_bail_end_the_day_before_the_same_day_a_year_later() -> None:
    deadline = compute(BAIL, at("2026-01-15 10:00"))
    assert last_day(deadline) == date(2027, 1, 14)
    assert deadline.due_at == at("2027-01-15 00:00")


def test_six_months_of_residential_surveillance_clamp_to_the_month_end() -> None:
    # 2026-08-31 + 6 months = 2027-02-28 (no 31st), so the last day is 2027-02-27.
    deadline = compute(RESIDENTIAL_SURVEILLANCE, at("2026-08-31 10:00"))
    assert last_day(deadline) == date(2027, 2, 27)
    assert "clamped to month end" in deadline.computation


def test_a_month_clock_ending_on_a_holiday_is_not_moved() -> None:
    # Same day 2026-10-02, last day 2026-10-01 (National Day) stays.
    deadline = compute(BAIL, at("2025-10-02 10:00"))
    assert last_day(deadline) == date(2026, 10, 1)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 1, 15), 12, date(2027, 1, 15)),
        (date(2026, 5, 31), 0, date(2026, 5, 31)),
    ],
)
def test_add_months_keeps_the_day_or_clamps_to_the_month_end(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months) == expected


# --- explanations and validation -----------------------------------------------------------


def test_the_computation_names_the_start_event_the_rule_basis_and_the_due_instant() -> None:
    deadline = compute(ADMIN_CASE, at("2026-03-02 10:00"))
    assert deadline.computation.startswith(
        "start 2026-03-02 10:00 Asia/Shanghai (case.accepted); start day not counted"
    )
    assert deadline.computation.endswith("basis: 行政案件程序规定 art. 165")
    assert deadline.basis == "行政案件程序规定 art. 165"
    assert deadline.rule_code == "case.admin.handling"
    assert "due at end of 2026-04-01 = 2026-04-02T00:00+08:00" in deadline.computation


def test_a_naive_start_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        compute(ADMIN_CASE, datetime(2026, 3, 2, 10, 0))  # noqa: DTZ001


def test_a_naive_pause_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Pause(datetime(2026, 3, 2, 10, 0), None, "鉴定")  # noqa: DTZ001


def test_a_naive_now_is_rejected_when_checking_overdue() -> None:
    deadline = compute(ADMIN_CASE, at("2026-03-02 10:00"))
    with pytest.raises(ValueError, match="timezone-aware"):
        deadline.is_overdue(datetime(2026, 3, 2, 10, 0))  # noqa: DTZ001


@pytest.mark.parametrize(
    "overrides",
    [
        {"limit": 0},
        {"max_extension": -1},
        {"warn_before": -1},
        {"basis": " "},
        {"code": ""},
        {"unit": "fortnights"},
    ],
)
def test_an_invalid_rule_is_rejected(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        ClockRule(**rule_fields(**overrides))  # type: ignore[arg-type]


def test_a_rule_accepts_its_unit_as_the_configured_string() -> None:
    rule = ClockRule(**rule_fields(unit="working_days"))  # type: ignore[arg-type]
    assert rule.unit is ClockUnit.WORKING_DAYS


# --- calendar ------------------------------------------------------------------------------


def test_the_empty_calendar_has_weekends_only() -> None:
    assert HolidayCalendar.EMPTY.is_working_day(date(2026, 10, 1))
    assert not HolidayCalendar.EMPTY.is_working_day(date(2026, 10, 3))
    assert HolidayCalendar.EMPTY.next_working_day(date(2026, 10, 3)) == date(2026, 10, 5)
    assert HolidayCalendar.EMPTY.next_working_day(date(2026, 10, 5)) == date(2026, 10, 5)


def test_the_reference_calendar_knows_the_2025_and_2026_notices() -> None:
    assert not CN.is_working_day(date(2025, 1, 28))  # 除夕 2025
    assert CN.is_working_day(date(2025, 2, 8))  # make-up Saturday
    assert not CN.is_working_day(date(2026, 2, 23))  # last day of Spring Festival 2026
    assert CN.is_working_day(date(2026, 10, 10))  # make-up Saturday
    assert CN.next_working_day(date(2026, 10, 1)) == date(2026, 10, 8)
    assert CN.known_years == {2025, 2026}
    assert all(d.weekday() >= 5 for d in CN.makeup_workdays)


def test_a_calendar_is_read_from_a_mapping_of_iso_dates() -> None:
    calendar = HolidayCalendar.from_mapping(
        {"holidays": ["2026-01-01"], "makeupWorkdays": ["2026-01-04"], "name": "CN"}
    )
    assert calendar.holidays == {date(2026, 1, 1)}
    assert calendar.makeup_workdays == {date(2026, 1, 4)}
    with pytest.raises(ValueError, match="not an ISO date"):
        HolidayCalendar.from_mapping({"holidays": ["2026-13-01"]})


def test_a_make_up_workday_on_a_weekday_or_on_a_holiday_is_rejected() -> None:
    with pytest.raises(ValueError, match="weekend"):
        HolidayCalendar(makeup_workdays=frozenset({date(2026, 1, 5)}))
    with pytest.raises(ValueError, match="both holiday and make-up"):
        HolidayCalendar(
            holidays=frozenset({date(2026, 1, 4)}), makeup_workdays=frozenset({date(2026, 1, 4)})
        )


# --- clock ---------------------------------------------------------------------------------


def test_a_movable_clock_moves_only_when_told_and_speaks_utc() -> None:
    clock = MovableClock(at("2026-03-02 10:00"))
    assert isinstance(clock, Clock)
    assert clock.now() == at("2026-03-02 10:00")
    assert clock.now().tzinfo is UTC
    clock.advance(timedelta(hours=2))
    assert clock.now() == at("2026-03-02 12:00")
    clock.set(at("2026-04-01 00:00"))
    assert clock.now() == at("2026-04-01 00:00")
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.set(datetime(2026, 4, 1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="timezone-aware"):
        MovableClock(datetime(2026, 4, 1))  # noqa: DTZ001


def test_the_system_clock_returns_aware_utc_now() -> None:
    now = SystemClock().now()
    assert now.tzinfo is UTC
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)


# --- properties ----------------------------------------------------------------------------

starts = st.datetimes(
    min_value=datetime(2024, 12, 1),  # noqa: DTZ001
    max_value=datetime(2026, 12, 31),  # noqa: DTZ001
    timezones=st.just(SHANGHAI),
)


def _weekend(d: date) -> bool:
    return d.weekday() >= 5


spring = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 4, 30))
calendars = st.builds(
    lambda holidays, makeups: HolidayCalendar(
        holidays=frozenset(holidays), makeup_workdays=frozenset(makeups - holidays)
    ),
    st.frozensets(spring, max_size=40),
    st.frozensets(spring.filter(_weekend), max_size=10),
)


def _working_days_between(calendar: HolidayCalendar, after: date, through: date) -> int:
    """Working days strictly after `after` up to and including `through`."""
    count = 0
    day = after + timedelta(days=1)
    while day <= through:
        count += calendar.is_working_day(day)
        day += timedelta(days=1)
    return count


@settings(max_examples=300, deadline=None)
@given(start=starts, n=st.integers(min_value=1, max_value=60))
def test_n_working_days_end_on_a_working_day_with_exactly_n_working_days_after_the_start(
    start: datetime, n: int
) -> None:
    deadline = compute(working_days(n), start)
    end = last_day(deadline)
    assert CN.is_working_day(end)
    assert _working_days_between(CN, start.date(), end) == n


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2026, 1, 1),  # noqa: DTZ001
        max_value=datetime(2026, 3, 31),  # noqa: DTZ001
        timezones=st.just(SHANGHAI),
    ),
    n=st.integers(min_value=1, max_value=30),
    calendar=calendars,
)
def test_working_days_hold_for_any_calendar(
    start: datetime, n: int, calendar: HolidayCalendar
) -> None:
    deadline = compute(working_days(n), start, calendar=calendar)
    end = last_day(deadline)
    assert calendar.is_working_day(end)
    assert _working_days_between(calendar, start.date(), end) == n


@settings(max_examples=200, deadline=None)
@given(start=starts, n=st.integers(min_value=1, max_value=90), in_custody=st.booleans())
def test_calendar_days_end_n_days_later_or_on_the_first_working_day_after(
    start: datetime, n: int, in_custody: bool
) -> None:
    deadline = compute(calendar_days(n), start, in_custody=in_custody)
    end = last_day(deadline)
    nominal = start.date() + timedelta(days=n)
    if in_custody:
        assert end == nominal
    else:
        assert end == CN.next_working_day(nominal)
        assert CN.is_working_day(end)
