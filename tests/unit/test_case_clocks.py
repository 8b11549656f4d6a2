"""The case's clocks, moved with the injected MovableClock across every due date."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from domain.case.aggregate import FIRST_REVISIT_DUE, HANDLING_DUE, SECOND_REVISIT_DUE, Case
from domain.case.status import CaseKind, DetentionStep, MeasureKind, RevisitOutcome
from domain.clock import MovableClock
from domain.errors import ValidationFailed
from tests.unit.test_case_state_machine import CLOCKS, HANDLER, SHANGHAI, register, shanghai

ONE_MINUTE = timedelta(minutes=1)


def end_of(month: int, day: int, year: int = 2026) -> datetime:
    """The instant a day ends in Shanghai, i.e. when a deadline on that day falls due."""
    return shanghai(month, day, year=year) - timedelta(hours=9) + timedelta(days=1)


def accepted(clock: MovableClock, kind: CaseKind = CaseKind.CRIMINAL) -> Case:
    """Registered an hour ago and accepted now."""
    case = register(kind, at=clock.now() - timedelta(hours=1))
    case.accept(at=clock.now(), by=HANDLER, clocks=CLOCKS)
    return case


def filed(clock: MovableClock) -> Case:
    case = accepted(clock)
    case.file(at=clock.now(), by=HANDLER)
    return case


def start(case: Case, clock: MovableClock, kind: MeasureKind, label: str = "嫌疑人甲") -> int:
    measure = case.start_measure(
        kind=kind,
        person_label=label,
        started_at=clock.now(),
        at=clock.now(),
        by=HANDLER,
        clocks=CLOCKS,
    )
    return measure.number


def extend(case: Case, clock: MovableClock, number: int, amount: int, *, serious: bool = False):
    case.extend_measure(
        number=number,
        amount=amount,
        reason="提请批准逮捕的时间延长，经负责人批准",
        serious=serious,
        at=clock.now(),
        by=HANDLER,
        clocks=CLOCKS,
    )


def due_of(case: Case, key: str) -> datetime | None:
    state = next(s for s in case.deadline_states() if s.key == key)
    return state.deadline.due_at


def overdue_at(case: Case, key: str, now: datetime) -> bool:
    return next(s for s in case.deadline_states() if s.key == key).overdue(now)


def _just_before_and_at(clock: MovableClock, case: Case, key: str, due: datetime) -> None:
    """The clock `key` is not overdue a minute before `due`, and is at `due`."""
    clock.set(due - ONE_MINUTE)
    assert not overdue_at(case, key, clock.now())
    clock.set(due)
    assert overdue_at(case, key, clock.now())
    assert case.is_overdue(clock.now())


# -- coercive measures -------------------------------------------------------------------------


def test_bail_runs_twelve_months_and_cannot_be_extended():
    # given
    clock = MovableClock(shanghai(3, 10, 10))
    case = filed(clock)
    number = start(case, clock, MeasureKind.BAIL)
    # the first revisit is met so that only the measure's clock is left to watch
    # then: the last day is the day before the same date a year later
    due = due_of(case, "measure.1")
    assert due == end_of(3, 9, year=2027)
    deadline = case.measure(number).deadline
    assert deadline is not None
    assert "art. 107" in deadline.basis
    assert "12 months" in deadline.computation
    with pytest.raises(ValidationFailed, match="cannot be extended") as refused:
        extend(case, clock, number, 1)
    assert refused.value.field == "amount"
    _just_before_and_at(clock, case, "measure.1", due)


def test_residential_surveillance_runs_six_months_and_ending_it_in_time_is_not_overdue():
    # given
    clock = MovableClock(shanghai(3, 10, 10))
    case = filed(clock)
    number = start(case, clock, MeasureKind.RESIDENTIAL_SURVEILLANCE)
    due = due_of(case, "measure.1")
    assert due == end_of(9, 9)

    # when: ended on its last day
    clock.set(due - timedelta(hours=2))
    case.end_measure(
        number=number, ended_at=clock.now(), reason="变更为取保候审", at=clock.now(), by=HANDLER
    )

    # then: never overdue, however far the clock moves
    clock.advance(timedelta(days=400))
    assert not overdue_at(case, "measure.1", clock.now())
    assert not case.measure(number).is_open
    assert case.open_measures == ()
    assert case.missed_deadline is False


def test_a_measure_ended_after_its_limit_stays_overdue_as_a_missed_deadline():
    # given
    clock = MovableClock(shanghai(3, 10, 10))
    case = filed(clock)
    number = start(case, clock, MeasureKind.RESIDENTIAL_SURVEILLANCE)

    # when: ended a day late (超期)
    clock.set(end_of(9, 10))
    case.end_measure(number=number, ended_at=clock.now(), reason=None, at=clock.now(), by=HANDLER)

    # then
    assert overdue_at(case, "measure.1", clock.now())
    assert case.missed_deadline is True


def test_detention_must_be_followed_by_an_arrest_request_within_three_days():
    # given: Monday 2026-11-23
    clock = MovableClock(shanghai(11, 23, 10))
    case = filed(clock)

    # when
    start(case, clock, MeasureKind.CRIMINAL_DETENTION)

    # then: the start day is not counted; Thursday is the last day
    due = due_of(case, "measure.1")
    assert due == end_of(11, 26)
    # the 24-hour steps after detention (art. 126–128) fall due first
    assert case.next_due_at == clock.now() + timedelta(hours=24)
    for step in DetentionStep:
        case.record_detention_step(
            number=1, step=step, done_at=clock.now(), note=None, at=clock.now(), by=HANDLER
        )
    assert case.next_due_at == due
    _just_before_and_at(clock, case, "measure.1", due)


def test_detention_extends_by_one_to_four_days_and_no_further():
    # given
    clock = MovableClock(shanghai(11, 23, 10))
    case = filed(clock)
    number = start(case, clock, MeasureKind.CRIMINAL_DETENTION)

    # when: +3 then +1 days, decided before the limit passes
    clock.advance(timedelta(days=1))
    extend(case, clock, number, 3)
    extend(case, clock, number, 1)

    # then
    measure = case.measure(number)
    assert measure.extension == 4
    assert due_of(case, "measure.1") == end_of(11, 30)
    assert measure.deadline is not None
    assert "+ 4 extension" in measure.deadline.computation
    with pytest.raises(ValidationFailed, match="at most 4") as refused:
        extend(case, clock, number, 1)
    assert refused.value.field == "amount"
    _just_before_and_at(clock, case, "measure.1", end_of(11, 30))


def test_detention_for_roving_repeated_or_gang_crime_may_run_up_to_thirty_days():
    # given
    clock = MovableClock(shanghai(11, 23, 10))
    case = filed(clock)
    number = start(case, clock, MeasureKind.CRIMINAL_DETENTION)

    # when
    clock.advance(timedelta(days=2))
    extend(case, clock, number, 20, serious=True)
    extend(case, clock, number, 7)  # the grounds, once given, stay

    # then: 3 + 27 days
    measure = case.measure(number)
    assert measure.serious
    assert measure.deadline is not None
    assert measure.deadline.rule_code == "case.measure.CRIMINAL_DETENTION_SERIOUS"
    assert "流窜作案" in measure.deadline.basis
    assert due_of(case, "measure.1") == end_of(12, 23)
    with pytest.raises(ValidationFailed, match="at most 27"):
        extend(case, clock, number, 1)
    _just_before_and_at(clock, case, "measure.1", end_of(12, 23))


def test_an_extension_after_the_limit_passed_is_refused():
    # given
    clock = MovableClock(shanghai(11, 23, 10))
    case = filed(clock)
    number = start(case, clock, MeasureKind.CRIMINAL_DETENTION)

    # when
    clock.set(end_of(11, 26))

    # then
    with pytest.raises(ValidationFailed, match="before that"):
        extend(case, clock, number, 2)
    assert case.measure(number).extension == 0


def test_detention_is_not_moved_off_a_holiday_because_the_person_is_in_custody():
    # given: started Monday 2026-09-28; the third day is National Day (a holiday)
    clock = MovableClock(shanghai(9, 28, 10))
    case = filed(clock)

    # when
    start(case, clock, MeasureKind.CRIMINAL_DETENTION)

    # then
    measure = case.measure(1)
    assert measure.in_custody
    assert measure.deadline is not None
    assert measure.deadline.due_at == end_of(10, 1)
    assert "in custody: not moved" in measure.deadline.computation
    _just_before_and_at(clock, case, "measure.1", end_of(10, 1))


def test_the_handling_limit_ending_on_the_same_holiday_moves_to_the_next_working_day():
    # given: accepted 2026-09-01, the thirtieth day is 2026-10-01
    clock = MovableClock(shanghai(9, 1, 10))

    # when
    case = accepted(clock, CaseKind.ADMINISTRATIVE)

    # then: nobody is in custody, so the holiday moves the deadline (art. 35)
    deadline = case.deadlines[HANDLING_DUE]
    assert deadline.due_at == end_of(10, 8)
    assert "moved to the next working day 2026-10-08" in deadline.computation


# -- the administrative handling limit ---------------------------------------------------------


def test_an_administrative_case_has_thirty_days_from_acceptance():
    # given
    clock = MovableClock(shanghai(6, 1, 10))

    # when
    case = accepted(clock, CaseKind.ADMINISTRATIVE)

    # then
    deadline = case.deadlines[HANDLING_DUE]
    assert deadline.due_at == end_of(7, 1)
    assert deadline.rule_code == "case.handling.ADMINISTRATIVE"
    assert "行政案件程序规定 art. 165" in deadline.basis
    assert set(case.deadlines) == {HANDLING_DUE, FIRST_REVISIT_DUE, SECOND_REVISIT_DUE}
    _just_before_and_at(clock, case, HANDLING_DUE, end_of(7, 1))


def test_an_appraisal_stops_the_handling_clock_and_its_days_are_not_counted():
    # given
    clock = MovableClock(shanghai(6, 1, 10))
    case = accepted(clock, CaseKind.ADMINISTRATIVE)

    # when: an appraisal from Friday 06-05 to Monday 06-15
    clock.set(shanghai(6, 5, 9))
    case.start_appraisal(reason="伤情鉴定", at=clock.now(), by=HANDLER, clocks=CLOCKS)

    # then: while it runs the clock is suspended and nothing is overdue
    assert case.deadlines[HANDLING_DUE].due_at is None
    assert "suspended" in case.deadlines[HANDLING_DUE].computation
    clock.set(end_of(7, 20))
    assert not overdue_at(case, HANDLING_DUE, clock.now())
    assert case.next_due_at == case.deadlines[FIRST_REVISIT_DUE].due_at

    # when
    clock.set(shanghai(6, 15, 17))
    case.end_appraisal(at=clock.now(), by=HANDLER, clocks=CLOCKS)

    # then: ten days later than without the appraisal, 07-11, a Saturday, so moved to Monday
    deadline = case.deadlines[HANDLING_DUE]
    assert deadline.due_at == end_of(7, 13)
    assert deadline.paused == 10
    assert "鉴定" in deadline.computation
    assert "2026-07-11 is a weekend → moved to the next working day 2026-07-13" in (
        deadline.computation
    )
    _just_before_and_at(clock, case, HANDLING_DUE, end_of(7, 13))


def test_the_handling_limit_extends_by_thirty_days_once_and_not_beyond():
    # given
    clock = MovableClock(shanghai(6, 1, 10))
    case = accepted(clock, CaseKind.ADMINISTRATIVE)
    clock.set(shanghai(6, 5, 9))
    case.start_appraisal(reason="伤情鉴定", at=clock.now(), by=HANDLER, clocks=CLOCKS)
    clock.set(shanghai(6, 15, 17))
    case.end_appraisal(at=clock.now(), by=HANDLER, clocks=CLOCKS)

    # when: approved before the limit passes
    clock.set(shanghai(7, 10, 9))
    case.extend_handling_limit(
        amount=30, reason="经上一级公安机关批准延长", at=clock.now(), by=HANDLER, clocks=CLOCKS
    )

    # then: 30 + 30 days + 10 paused
    deadline = case.deadlines[HANDLING_DUE]
    assert deadline.due_at == end_of(8, 10)
    assert deadline.extension == 30
    assert "+ 30 extension + 10 days paused" in deadline.computation
    with pytest.raises(ValidationFailed, match="at most 30"):
        case.extend_handling_limit(
            amount=1, reason="再次延长", at=clock.now(), by=HANDLER, clocks=CLOCKS
        )
    _just_before_and_at(clock, case, HANDLING_DUE, end_of(8, 10))


def test_concluding_in_time_meets_the_handling_limit_and_concluding_late_misses_it():
    # given
    clock = MovableClock(shanghai(6, 1, 10))
    on_time = accepted(clock, CaseKind.ADMINISTRATIVE)
    late = accepted(clock, CaseKind.ADMINISTRATIVE)
    for case in (on_time, late):
        case.file(at=clock.now(), by=HANDLER)
        case.start_investigating(at=clock.now(), by=HANDLER)

    # when
    clock.set(end_of(7, 1) - ONE_MINUTE)
    on_time.conclude(at=clock.now(), by=HANDLER)
    clock.set(end_of(7, 1) + ONE_MINUTE)
    late.conclude(at=clock.now(), by=HANDLER)

    # then
    clock.advance(timedelta(days=90))
    assert not overdue_at(on_time, HANDLING_DUE, clock.now())
    assert overdue_at(late, HANDLING_DUE, clock.now())
    assert late.missed_deadline is True


def test_a_criminal_case_has_no_handling_limit_to_extend_or_pause():
    # given
    clock = MovableClock(shanghai(6, 1, 10))
    case = accepted(clock, CaseKind.CRIMINAL)

    # then
    assert HANDLING_DUE not in case.deadlines
    with pytest.raises(ValidationFailed, match="no handling limit"):
        case.extend_handling_limit(
            amount=30, reason="批准", at=clock.now(), by=HANDLER, clocks=CLOCKS
        )
    with pytest.raises(ValidationFailed, match="no handling limit"):
        case.start_appraisal(reason="鉴定", at=clock.now(), by=HANDLER, clocks=CLOCKS)


# -- revisits ----------------------------------------------------------------------------------


def _revisit(case: Case, clock: MovableClock) -> None:
    case.record_revisit(
        outcome=RevisitOutcome.BASICALLY_SATISFIED,
        note="电话回访报警人",
        at=clock.now(),
        by=HANDLER,
        clocks=CLOCKS,
    )


def test_the_first_revisit_is_due_within_fifteen_days_of_acceptance():
    # given: accepted Monday 2026-11-23
    clock = MovableClock(shanghai(11, 23, 10))
    case = accepted(clock)

    # then
    assert due_of(case, FIRST_REVISIT_DUE) == end_of(12, 8)
    assert case.deadlines[FIRST_REVISIT_DUE].rule_code == "case.revisit.FIRST"
    assert case.next_due_at == end_of(12, 8)
    _just_before_and_at(clock, case, FIRST_REVISIT_DUE, end_of(12, 8))


def test_the_second_revisit_falls_between_day_fifteen_and_day_thirty():
    # given
    clock = MovableClock(shanghai(11, 23, 10))
    case = accepted(clock)
    clock.advance(timedelta(days=3))
    _revisit(case, clock)
    assert case.next_due_at == end_of(12, 23)

    # when: day 14 is too early
    clock.set(shanghai(12, 7, 23, 59))
    with pytest.raises(ValidationFailed, match="opens at 2026-12-08T00:00"):
        _revisit(case, clock)

    # then: day 15 is in the window, and the second clock is met
    clock.set(shanghai(12, 8, 9))
    _revisit(case, clock)
    assert [r.number for r in case.revisits] == [1, 2]
    assert due_of(case, SECOND_REVISIT_DUE) == end_of(12, 23)
    clock.set(end_of(12, 23) + timedelta(days=30))
    assert not case.is_overdue(clock.now())
    assert case.next_due_at is None
    with pytest.raises(ValidationFailed, match="both revisits"):
        _revisit(case, clock)


def test_a_missed_second_revisit_is_overdue_after_day_thirty():
    # given
    clock = MovableClock(shanghai(11, 23, 10))
    case = accepted(clock)
    clock.advance(timedelta(days=2))
    _revisit(case, clock)

    # then
    _just_before_and_at(clock, case, SECOND_REVISIT_DUE, end_of(12, 23))
    assert not overdue_at(case, FIRST_REVISIT_DUE, clock.now())


def test_a_late_first_revisit_is_a_missed_deadline():
    # given
    clock = MovableClock(shanghai(11, 23, 10))
    case = accepted(clock)

    # when: day 16
    clock.set(shanghai(12, 9, 10))
    _revisit(case, clock)

    # then
    assert overdue_at(case, FIRST_REVISIT_DUE, clock.now())
    assert case.missed_deadline is True
    assert case.revisits[0].at.astimezone(SHANGHAI).day == 9
