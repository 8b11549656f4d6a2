"""The case's running clocks: the unmet, unsuspended clocks of `deadline_states()`, for its unit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.case.aggregate import (
    FIRST_REVISIT_DUE,
    HANDLING_DUE,
    NOT_FILING_NOTICE_DUE,
    PENALTY_DECISION_DUE,
    RECONSIDERATION_DECISION_DUE,
    RECONSIDERATION_WINDOW,
    REVIEW_WINDOW,
    SECOND_REVISIT_DUE,
    Case,
    detention_step_key,
    outside_jurisdiction_key,
)
from domain.case.status import CaseKind, ChallengeLevel, DetentionStep, MeasureKind, RevisitOutcome
from domain.clock import MovableClock
from tests.unit.test_case_clocks import accepted, filed, start
from tests.unit.test_case_criminal_clocks import (
    apply,
    decide,
    filed_administrative,
    mark,
    refused,
    serve,
    step,
    transfer,
)
from tests.unit.test_case_state_machine import CLOCKS, HANDLER, register, shanghai

REVISITS = [FIRST_REVISIT_DUE, SECOND_REVISIT_DUE]
RECON = ChallengeLevel.RECONSIDERATION


def keys(case: Case) -> list[str]:
    found = [c.key for c in case.running_clocks()]
    assert len(found) == len(set(found)), found
    return found


def running(case: Case, key: str):
    return next(c for c in case.running_clocks() if c.key == key)


def revisit(case: Case, clock: MovableClock) -> None:
    case.record_revisit(
        outcome=RevisitOutcome.SATISFIED, note=None, at=clock.now(), by=HANDLER, clocks=CLOCKS
    )


def test_an_administrative_case_runs_its_handling_penalty_and_revisit_clocks_for_its_unit():
    # given: accepted and filed on Monday 2026-11-23
    clock = MovableClock(shanghai(11, 23, 10))

    # when
    case = filed_administrative(clock)

    # then: the clocks of deadline_states(), in their order, each with its deadline
    assert keys(case) == [HANDLING_DUE, PENALTY_DECISION_DUE, *REVISITS]
    states = {s.key: s.deadline for s in case.deadline_states()}
    for c in case.running_clocks():
        assert c.unit_code == "FT-XS"
        assert c.deadline is states[c.key]
    assert running(case, HANDLING_DUE).name == "handle the administrative case"
    assert running(case, FIRST_REVISIT_DUE).name == "first revisit"


def test_a_revisit_disappears_once_recorded_and_an_overdue_clock_keeps_running():
    clock = MovableClock(shanghai(11, 23, 10))
    case = accepted(clock, CaseKind.ADMINISTRATIVE)

    clock.advance(timedelta(days=2))
    revisit(case, clock)
    assert FIRST_REVISIT_DUE not in keys(case)

    # past the second revisit's due time it is overdue, still unmet, so still running
    second = running(case, SECOND_REVISIT_DUE).deadline
    assert second.due_at is not None
    clock.set(second.due_at + timedelta(days=1))
    assert second.is_overdue(clock.now())
    assert SECOND_REVISIT_DUE in keys(case)


def test_concluding_meets_the_handling_limits_and_a_finished_case_chases_no_revisits():
    clock = MovableClock(shanghai(11, 23, 10))
    case = filed_administrative(clock)
    case.start_investigating(at=clock.now(), by=HANDLER)
    clock.advance(timedelta(days=3))

    case.conclude(at=clock.now(), by=HANDLER)

    assert case.running_clocks() == []
    # running_clocks only: the revisits are still states, unmet, and later overdue
    unmet = {s.key for s in case.deadline_states() if s.satisfied_at is None}
    assert unmet == set(REVISITS)
    clock.advance(timedelta(days=60))
    assert case.is_overdue(clock.now())


def test_a_transfer_moves_every_clock_to_the_new_unit():
    clock = MovableClock(shanghai(11, 23, 10))
    case = accepted(clock)
    mark(case, clock)
    marked = outside_jurisdiction_key(1)
    assert keys(case) == [marked, *REVISITS]
    assert {c.unit_code for c in case.running_clocks()} == {"FT-XS"}

    clock.advance(timedelta(hours=3))
    transfer(case, clock, to="FT-SB")

    assert keys(case) == REVISITS  # the transfer met the 24-hour clock
    assert {c.unit_code for c in case.running_clocks()} == {"FT-SB"}


def test_a_detention_runs_its_measure_and_three_step_clocks_until_met_or_ended():
    clock = MovableClock(shanghai(11, 23, 10))
    case = filed(clock)
    revisit(case, clock)  # leave the second revisit and the detention's clocks
    start(case, clock, MeasureKind.CRIMINAL_DETENTION)
    steps = [detention_step_key(1, s) for s in DetentionStep]
    assert keys(case) == [SECOND_REVISIT_DUE, "measure.1", *steps]
    assert running(case, "measure.1").name == "end or extend measure 1 (CRIMINAL_DETENTION)"
    for key in steps:
        assert running(case, key).deadline.unit.value == "hours"
        assert "(measure 1)" in running(case, key).name

    clock.advance(timedelta(hours=2))
    step(case, DetentionStep.FAMILY_NOTIFIED, clock)
    assert detention_step_key(1, DetentionStep.FAMILY_NOTIFIED) not in keys(case)

    case.end_measure(
        number=1, ended_at=clock.now(), reason="转为取保候审", at=clock.now(), by=HANDLER
    )
    assert "measure.1" not in keys(case)

    number = start(case, clock, MeasureKind.BAIL)
    assert running(case, f"measure.{number}").name == "end or extend measure 2 (BAIL)"
    assert len(keys(case)) == len(set(keys(case)))


def test_not_filing_runs_the_notice_then_the_decision_but_never_the_applicants_window():
    clock = MovableClock(shanghai(11, 23, 10))
    case = refused(clock)
    assert keys(case) == [NOT_FILING_NOTICE_DUE]  # not filed is final: no revisits

    clock.advance(timedelta(hours=2))
    serve(case, clock)
    assert RECONSIDERATION_WINDOW in {s.key for s in case.window_states()}
    assert case.running_clocks() == []

    clock.advance(timedelta(days=2))
    apply(case, RECON, clock.now(), clock.now())
    assert keys(case) == [RECONSIDERATION_DECISION_DUE]
    assert "复议" in running(case, RECONSIDERATION_DECISION_DUE).name

    clock.advance(timedelta(days=5))
    decide(case, RECON, clock)
    assert REVIEW_WINDOW in {s.key for s in case.window_states()}
    assert case.running_clocks() == []


def test_an_open_appraisal_suspends_the_handling_clock_until_it_ends():
    clock = MovableClock(shanghai(11, 23, 10))
    case = accepted(clock, CaseKind.ADMINISTRATIVE)

    case.start_appraisal(reason="伤情鉴定", at=clock.now(), by=HANDLER, clocks=CLOCKS)
    assert HANDLING_DUE not in keys(case)

    clock.advance(timedelta(days=4))
    case.end_appraisal(at=clock.now(), by=HANDLER, clocks=CLOCKS)
    assert keys(case)[0] == HANDLING_DUE


@pytest.mark.parametrize("kind", list(CaseKind))
def test_a_registered_case_has_no_clock_before_acceptance(kind):
    assert register(kind).running_clocks() == []
