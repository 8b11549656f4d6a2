"""The criminal-procedure clocks of migration 0008, moved with the MovableClock across each limit.

Transfer out of jurisdiction (art. 175), the notice of not filing (art. 178), 复议 / 复核 (art.
179), the 24-hour steps after detention (art. 126–128) and the penalty decision (行政处罚法 art. 60).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from domain.case.aggregate import (
    FIRST_REVISIT_DUE,
    NOT_FILING_NOTICE_DUE,
    PENALTY_DECISION_DUE,
    RECONSIDERATION_DECISION_DUE,
    RECONSIDERATION_WINDOW,
    REVIEW_DECISION_DUE,
    REVIEW_WINDOW,
    SECOND_REVISIT_DUE,
    Case,
    detention_step_key,
    outside_jurisdiction_key,
)
from domain.case.status import (
    CaseKind,
    ChallengeLevel,
    ChallengeOutcome,
    DetentionStep,
    MeasureKind,
)
from domain.clock import MovableClock
from domain.errors import ValidationFailed
from tests.unit.test_case_clocks import (
    ONE_MINUTE,
    _just_before_and_at,
    accepted,
    end_of,
    filed,
    overdue_at,
    start,
)
from tests.unit.test_case_state_machine import CALENDAR, CLOCKS, HANDLER, SUPERVISOR, shanghai

RECON = ChallengeLevel.RECONSIDERATION
REVIEW = ChallengeLevel.REVIEW


def due_of(case: Case, key: str) -> datetime:
    """The due date of a running clock (never suspended here)."""
    due = state(case, key).deadline.due_at
    assert due is not None
    return due


def state(case: Case, key: str):
    return next(s for s in case.deadline_states() if s.key == key)


def window(case: Case, key: str):
    return next(s for s in case.window_states() if s.key == key)


# -- art. 175: transfer within 24 h ------------------------------------------------------------


def mark(case: Case, clock: MovableClock) -> None:
    case.mark_outside_jurisdiction(
        reason="案发地属罗湖区", at=clock.now(), by=HANDLER, clocks=CLOCKS
    )


def transfer(case: Case, clock: MovableClock, to: str = "FT-SB") -> None:
    case.transfer(to_unit=to, reason="移送有管辖权的机关", at=clock.now(), by=HANDLER)


def test_a_case_outside_jurisdiction_must_be_transferred_within_24_hours():
    # given
    clock = MovableClock(shanghai(11, 23, 10))
    case = accepted(clock)

    # when
    mark(case, clock)

    # then: exactly 24 h, no day rounding
    key = outside_jurisdiction_key(1)
    due = due_of(case, key)
    assert due == clock.now() + timedelta(hours=24)
    deadline = state(case, key).deadline
    assert "art. 175" in deadline.basis
    assert "counted exactly" in deadline.computation
    assert case.next_due_at == due
    _just_before_and_at(clock, case, key, due)


def test_a_transfer_one_instant_before_the_limit_meets_it_and_at_the_limit_misses_it():
    clock = MovableClock(shanghai(11, 23, 10))
    in_time, late = accepted(clock), accepted(clock)
    mark(in_time, clock)
    mark(late, clock)
    due = due_of(in_time, outside_jurisdiction_key(1))

    clock.set(due - ONE_MINUTE)
    transfer(in_time, clock)
    clock.set(due)
    transfer(late, clock)

    clock.advance(timedelta(days=10))
    assert not overdue_at(in_time, outside_jurisdiction_key(1), clock.now())
    assert not in_time.missed_deadline
    assert overdue_at(late, outside_jurisdiction_key(1), clock.now())
    assert late.missed_deadline


def test_marking_twice_is_refused_until_transferred_and_administrative_cases_have_no_rule():
    clock = MovableClock(shanghai(11, 23, 10))
    case = accepted(clock)
    mark(case, clock)
    with pytest.raises(ValidationFailed, match="already marked"):
        mark(case, clock)
    clock.advance(timedelta(hours=1))
    transfer(case, clock)
    clock.advance(timedelta(hours=1))
    mark(case, clock)
    assert [o.number for o in case.outside_jurisdiction] == [1, 2]

    administrative = accepted(clock, CaseKind.ADMINISTRATIVE)
    with pytest.raises(ValidationFailed) as refused:
        mark(administrative, clock)
    assert refused.value.field == "kind"


# -- art. 178: notice of not filing within 3 日 -------------------------------------------------


def refused(clock: MovableClock, kind: CaseKind = CaseKind.CRIMINAL) -> Case:
    case = accepted(clock, kind)
    case.refuse_to_file(reason="没有犯罪事实", at=clock.now(), by=HANDLER, clocks=CLOCKS)
    return case


def serve(case: Case, clock: MovableClock) -> None:
    case.record_not_filing_notice(served_at=clock.now(), at=clock.now(), by=HANDLER, clocks=CLOCKS)


def test_the_notice_of_not_filing_is_due_within_three_days():
    # given: refused on Monday 2026-11-23
    clock = MovableClock(shanghai(11, 23, 10))
    case = refused(clock)

    # then: the start day is not counted; Thursday is the last day
    due = due_of(case, NOT_FILING_NOTICE_DUE)
    assert due == end_of(11, 26)
    assert "art. 178" in state(case, NOT_FILING_NOTICE_DUE).deadline.basis
    assert case.next_due_at == due
    _just_before_and_at(clock, case, NOT_FILING_NOTICE_DUE, due)


def test_serving_the_notice_one_instant_before_the_limit_meets_it_and_at_it_misses_it():
    clock = MovableClock(shanghai(11, 23, 10))
    in_time, late = refused(clock), refused(clock)
    due = due_of(in_time, NOT_FILING_NOTICE_DUE)
    clock.set(due - ONE_MINUTE)
    serve(in_time, clock)
    clock.set(due)
    serve(late, clock)
    assert not overdue_at(in_time, NOT_FILING_NOTICE_DUE, clock.now())
    assert not in_time.missed_deadline
    assert overdue_at(late, NOT_FILING_NOTICE_DUE, clock.now())
    assert late.missed_deadline


def test_a_notice_falling_due_on_a_holiday_moves_to_the_next_working_day():
    # given: refused Monday 2026-09-28; the third day is National Day; nobody is in custody
    clock = MovableClock(shanghai(9, 28, 10))
    case = refused(clock)

    deadline = state(case, NOT_FILING_NOTICE_DUE).deadline
    shifted = CALENDAR.next_working_day(end_of(10, 1).date())
    assert deadline.due_at == end_of(shifted.month, shifted.day)
    assert deadline.due_at > end_of(10, 1)
    assert "moved to the next working day" in deadline.computation


def test_the_notice_is_refused_twice_and_an_administrative_refusal_has_no_notice_clock():
    clock = MovableClock(shanghai(11, 23, 10))
    case = refused(clock)
    with pytest.raises(ValidationFailed) as future:
        case.record_not_filing_notice(
            served_at=clock.now() + timedelta(hours=1), at=clock.now(), by=HANDLER, clocks=CLOCKS
        )
    assert future.value.field == "servedAt"
    with pytest.raises(ValidationFailed) as early:
        case.record_not_filing_notice(
            served_at=clock.now() - timedelta(hours=1), at=clock.now(), by=HANDLER, clocks=CLOCKS
        )
    assert early.value.field == "servedAt"
    serve(case, clock)
    with pytest.raises(ValidationFailed, match="already recorded"):
        serve(case, clock)

    administrative = refused(clock, CaseKind.ADMINISTRATIVE)
    assert NOT_FILING_NOTICE_DUE not in administrative.deadlines


# -- art. 179: 复议 then 复核 ---------------------------------------------------------------------


def apply(case: Case, level: ChallengeLevel, at: datetime, now: datetime) -> None:
    case.record_challenge_application(level=level, applied_at=at, at=now, by=HANDLER, clocks=CLOCKS)


def decide(case: Case, level: ChallengeLevel, clock: MovableClock, outcome=ChallengeOutcome.UPHELD):
    case.decide_challenge(
        level=level,
        outcome=outcome,
        reason="维持不予立案决定",
        at=clock.now(),
        by=SUPERVISOR,
        clocks=CLOCKS,
    )


def served(clock: MovableClock) -> Case:
    case = refused(clock)
    clock.advance(timedelta(hours=2))
    serve(case, clock)
    return case


def test_the_reconsideration_window_is_seven_days_from_the_notice_and_refuses_late_applications():
    # given: served Monday 2026-11-23 12:00
    clock = MovableClock(shanghai(11, 23, 10))
    case = served(clock)
    late = served(clock)

    # then: the window closes at the end of Monday 11-30
    closes = window(case, RECONSIDERATION_WINDOW).deadline.due_at
    assert closes is not None
    assert closes == end_of(11, 30)
    assert "art. 179" in window(case, RECONSIDERATION_WINDOW).deadline.basis

    # when: one instant before it closes, and exactly when it closes
    clock.set(closes + timedelta(hours=1))
    apply(case, RECON, closes - ONE_MINUTE, clock.now())
    with pytest.raises(ValidationFailed, match="window closed") as refused_late:
        apply(late, RECON, closes, clock.now())

    # then
    assert refused_late.value.field == "appliedAt"
    assert late.challenge(RECON) is None
    assert case.challenge(RECON) is not None


def test_a_lapsed_application_window_is_never_overdue_for_the_police():
    clock = MovableClock(shanghai(11, 23, 10))
    case = served(clock)
    clock.advance(timedelta(days=60))
    overdue = {s.key for s in case.deadline_states() if s.overdue(clock.now())}
    assert overdue <= {FIRST_REVISIT_DUE, SECOND_REVISIT_DUE}  # the revisits, not the window
    assert RECONSIDERATION_WINDOW not in {s.key for s in case.deadline_states()}


def test_the_reconsideration_is_decided_within_thirty_days_of_the_application():
    # given: applied Tuesday 2026-11-24 10:00
    clock = MovableClock(shanghai(11, 23, 10))
    case = served(clock)
    clock.set(shanghai(11, 24, 10))
    apply(case, RECON, clock.now(), clock.now())

    # then: 30 日, start day not counted → the end of 12-24
    due = due_of(case, RECONSIDERATION_DECISION_DUE)
    assert due == end_of(12, 24)
    _just_before_and_at(clock, case, RECONSIDERATION_DECISION_DUE, due)


def test_a_decision_one_instant_before_the_limit_meets_it():
    clock = MovableClock(shanghai(11, 23, 10))
    case = served(clock)
    clock.set(shanghai(11, 24, 10))
    apply(case, RECON, clock.now(), clock.now())
    due = due_of(case, RECONSIDERATION_DECISION_DUE)
    clock.set(due - ONE_MINUTE)
    decide(case, RECON, clock)
    clock.advance(timedelta(days=1))
    assert not overdue_at(case, RECONSIDERATION_DECISION_DUE, clock.now())


def test_the_decision_extends_once_by_at_most_thirty_days_with_a_reason():
    clock = MovableClock(shanghai(11, 23, 10))
    case = served(clock)
    clock.set(shanghai(11, 24, 10))
    apply(case, RECON, clock.now(), clock.now())

    def extend(days: int) -> None:
        case.extend_challenge(
            level=RECON,
            amount=days,
            reason="案情重大、复杂",
            at=clock.now(),
            by=SUPERVISOR,
            clocks=CLOCKS,
        )

    with pytest.raises(ValidationFailed, match="at most 30") as too_long:
        extend(31)
    assert too_long.value.field == "days"
    extend(20)
    assert due_of(case, RECONSIDERATION_DECISION_DUE) == end_of(1, 13, year=2027)
    with pytest.raises(ValidationFailed, match="already extended once"):
        extend(10)
    challenge = case.challenge(RECON)
    assert challenge is not None
    assert challenge.extension is not None
    assert challenge.extension.amount == 20


def test_an_extension_after_the_decision_fell_due_is_refused():
    clock = MovableClock(shanghai(11, 23, 10))
    case = served(clock)
    apply(case, RECON, clock.now(), clock.now())
    clock.set(due_of(case, RECONSIDERATION_DECISION_DUE))
    with pytest.raises(ValidationFailed, match="before that"):
        case.extend_challenge(
            level=RECON, amount=10, reason="案情复杂", at=clock.now(), by=SUPERVISOR, clocks=CLOCKS
        )


def test_an_upheld_reconsideration_opens_the_review_window_and_the_review_is_timed_likewise():
    # given: 复议 applied and upheld on Tuesday 2026-12-01 10:00
    clock = MovableClock(shanghai(11, 23, 10))
    case = served(clock)
    clock.set(shanghai(11, 24, 10))
    apply(case, RECON, clock.now(), clock.now())
    clock.set(shanghai(12, 1, 10))
    decide(case, RECON, clock)

    # then: 复核 may be applied for until the end of 12-08
    closes = window(case, REVIEW_WINDOW).deadline.due_at
    assert closes is not None
    assert closes == end_of(12, 8)
    clock.set(closes)
    with pytest.raises(ValidationFailed, match="window closed"):
        apply(case, REVIEW, closes, clock.now())
    apply(case, REVIEW, closes - ONE_MINUTE, clock.now())

    # and the 复核 is decided within 30 日 of the application
    due = due_of(case, REVIEW_DECISION_DUE)
    assert due == end_of(1, 7, year=2027)
    _just_before_and_at(clock, case, REVIEW_DECISION_DUE, due)
    decide(case, REVIEW, clock)
    review = case.challenge(REVIEW)
    assert review is not None
    assert review.outcome is ChallengeOutcome.UPHELD


def test_review_needs_an_upheld_reconsideration_and_reconsideration_needs_the_notice():
    clock = MovableClock(shanghai(11, 23, 10))
    no_notice = refused(clock)
    with pytest.raises(ValidationFailed, match="notice of not filing"):
        apply(no_notice, RECON, clock.now(), clock.now())

    case = served(clock)
    with pytest.raises(ValidationFailed, match="复核 follows"):
        apply(case, REVIEW, clock.now(), clock.now())
    apply(case, RECON, clock.now(), clock.now())
    decide(case, RECON, clock, ChallengeOutcome.OVERTURNED)
    with pytest.raises(ValidationFailed, match="复核 follows"):
        apply(case, REVIEW, clock.now(), clock.now())
    assert REVIEW_WINDOW not in case.deadlines
    with pytest.raises(ValidationFailed, match="awaiting a decision"):
        decide(case, RECON, clock)


# -- art. 126–128: 24 h after a criminal detention ---------------------------------------------


def detained(clock: MovableClock) -> Case:
    case = filed(clock)
    start(case, clock, MeasureKind.CRIMINAL_DETENTION)
    return case


def step(case: Case, which: DetentionStep, clock: MovableClock, number: int = 1) -> None:
    case.record_detention_step(
        number=number, step=which, done_at=clock.now(), note=None, at=clock.now(), by=HANDLER
    )


@pytest.mark.parametrize("which", list(DetentionStep))
def test_each_detention_step_is_due_24_hours_after_the_detention(which):
    # given
    clock = MovableClock(shanghai(11, 23, 10))
    case = detained(clock)

    # then
    key = detention_step_key(1, which)
    due = due_of(case, key)
    assert due == clock.now() + timedelta(hours=24)
    assert "art. 126–128" in state(case, key).deadline.basis
    _just_before_and_at(clock, case, key, due)


@pytest.mark.parametrize("which", list(DetentionStep))
def test_a_step_one_instant_before_24_hours_meets_it_and_at_24_hours_misses_it(which):
    clock = MovableClock(shanghai(11, 23, 10))
    in_time, late = detained(clock), detained(clock)
    key = detention_step_key(1, which)
    due = due_of(in_time, key)
    clock.set(due - ONE_MINUTE)
    step(in_time, which, clock)
    clock.set(due)
    step(late, which, clock)
    clock.advance(timedelta(days=1))
    assert not overdue_at(in_time, key, clock.now())
    assert overdue_at(late, key, clock.now())
    assert late.missed_deadline


def test_in_custody_a_holiday_does_not_move_the_detention_steps():
    # given: detained on National Day eve, 2026-09-30 10:00; the next day is a holiday
    clock = MovableClock(shanghai(9, 30, 10))
    case = detained(clock)

    # then: due exactly 24 h later, on the holiday itself
    for which in DetentionStep:
        deadline = state(case, detention_step_key(1, which)).deadline
        assert deadline.due_at == shanghai(10, 1, 10)
        assert "moved" not in deadline.computation


def test_only_a_criminal_detention_has_steps_and_each_is_recorded_once():
    clock = MovableClock(shanghai(11, 23, 10))
    case = detained(clock)
    start(case, clock, MeasureKind.BAIL, label="嫌疑人乙")
    assert all(not k.startswith("detention.2.") for k in case.deadlines)
    with pytest.raises(ValidationFailed) as bail:
        step(case, DetentionStep.FAMILY_NOTIFIED, clock, number=2)
    assert bail.value.field == "measureNumber"
    step(case, DetentionStep.FAMILY_NOTIFIED, clock)
    with pytest.raises(ValidationFailed) as twice:
        step(case, DetentionStep.FAMILY_NOTIFIED, clock)
    assert twice.value.field == "step"
    with pytest.raises(ValidationFailed) as early:
        case.record_detention_step(
            number=1,
            step=DetentionStep.FIRST_INTERROGATION,
            done_at=clock.now() - timedelta(hours=1),
            note=None,
            at=clock.now(),
            by=HANDLER,
        )
    assert early.value.field == "doneAt"


# -- 行政处罚法 art. 60: penalty decision within 90 日 of filing ----------------------------------


def filed_administrative(clock: MovableClock) -> Case:
    case = accepted(clock, CaseKind.ADMINISTRATIVE)
    case.file(at=clock.now(), by=HANDLER, clocks=CLOCKS)
    return case


def test_an_administrative_case_has_ninety_days_from_filing_for_the_penalty_decision():
    # given: filed Tuesday 2026-03-10
    clock = MovableClock(shanghai(3, 10, 10))
    case = filed_administrative(clock)

    # then: start day not counted → Monday 2026-06-08
    due = due_of(case, PENALTY_DECISION_DUE)
    assert due == end_of(6, 8)
    assert "行政处罚法 art. 60" in state(case, PENALTY_DECISION_DUE).deadline.basis
    _just_before_and_at(clock, case, PENALTY_DECISION_DUE, due)


def test_concluding_one_instant_before_the_penalty_limit_meets_it_and_at_it_misses_it():
    clock = MovableClock(shanghai(3, 10, 10))
    in_time, late = filed_administrative(clock), filed_administrative(clock)
    for case in (in_time, late):
        case.start_investigating(at=clock.now(), by=HANDLER)
    due = due_of(in_time, PENALTY_DECISION_DUE)
    clock.set(due - ONE_MINUTE)
    in_time.conclude(at=clock.now(), by=HANDLER)
    clock.set(due)
    late.conclude(at=clock.now(), by=HANDLER)
    assert not overdue_at(in_time, PENALTY_DECISION_DUE, clock.now())
    assert overdue_at(late, PENALTY_DECISION_DUE, clock.now())


def test_a_criminal_case_has_no_penalty_decision_clock():
    clock = MovableClock(shanghai(3, 10, 10))
    case = accepted(clock)
    case.file(at=clock.now(), by=HANDLER, clocks=CLOCKS)
    assert PENALTY_DECISION_DUE not in case.deadlines
