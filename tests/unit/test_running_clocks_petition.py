"""The petition's running clocks: the handling body's duties, never the windows (rights)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.clock import MovableClock
from domain.petition.aggregate import Petition
from domain.petition.clocks import (
    BACKLOG,
    HANDLING,
    NOTICE,
    OBJECTION,
    RE_EXAMINATION,
    RE_EXAMINATION_REQUEST,
    REVIEW,
    REVIEW_REQUEST,
)
from domain.petition.status import Finding, PetitionStatus, RoutingDecision
from tests.unit.test_petition_state_machine import (
    CLOCKS,
    HAPPY_PATH,
    SIDE_AT,
    STEP_AT,
    petition_in,
    register,
    shanghai,
    step,
)

S = PetitionStatus
WINDOWS = {OBJECTION, REVIEW_REQUEST, RE_EXAMINATION_REQUEST}
# What runs in each state of the happy path (the register clock is met at registration).
EXPECTED = {
    S.REGISTERED: [NOTICE],
    S.ACCEPTED: [HANDLING, BACKLOG],
    S.HANDLING: [HANDLING, BACKLOG],
    S.ANSWERED: [],
    S.REVIEW_REQUESTED: [REVIEW],
    S.REVIEWED: [],
    S.RE_EXAMINATION_REQUESTED: [RE_EXAMINATION],
    S.RE_EXAMINED: [],
    S.CLOSED: [],
}


def keys(petition: Petition) -> list[str]:
    found = [c.key for c in petition.running_clocks()]
    assert len(found) == len(set(found)), found
    return found


@pytest.mark.parametrize("status", HAPPY_PATH)
def test_each_state_runs_exactly_its_duties_for_the_handling_unit(status):
    petition = petition_in(status)

    assert keys(petition) == EXPECTED[status]
    for clock in petition.running_clocks():
        assert clock.unit_code == "FT-XS"
        assert clock.deadline is petition.deadlines[clock.key]
        assert clock.key not in WINDOWS


def test_the_petitioners_windows_and_the_objection_window_never_run():
    petition = petition_in(S.REVIEWED)
    assert set(petition.deadlines) >= WINDOWS  # all three were opened on the way
    assert not WINDOWS & set(keys(petition))


def test_the_notice_is_met_by_acceptance_or_refusal():
    accepted = register()
    accepted.accept(at=SIDE_AT, clocks=CLOCKS)
    assert NOTICE not in keys(accepted)

    refused = petition_in(S.NOT_ACCEPTED)
    assert refused.running_clocks() == []


def test_an_objection_interrupts_the_notice_and_a_reassignment_restarts_it_for_the_new_unit():
    petition = petition_in(S.RETURNED)
    assert petition.running_clocks() == []

    petition.decide_routing(
        decision=RoutingDecision.REASSIGNED,
        superior_unit="FT",
        unit="FT-LH",
        reason="案发地属莲花派出所",
        at=SIDE_AT + timedelta(days=1),
        clocks=CLOCKS,
    )

    [clock] = petition.running_clocks()
    assert clock.key == NOTICE
    assert clock.unit_code == "FT-LH"
    assert clock.deadline.started_at == SIDE_AT + timedelta(days=1)


def test_handling_and_backlog_run_past_their_due_time_until_the_answer():
    clock = MovableClock(STEP_AT[S.HANDLING])
    petition = petition_in(S.HANDLING)
    backlog = petition.deadlines[BACKLOG]
    assert backlog.due_at is not None
    clock.set(backlog.due_at + timedelta(days=1))

    assert petition.is_backlog(clock.now())
    assert keys(petition) == [HANDLING, BACKLOG]
    assert [c.name for c in petition.running_clocks()] == [
        "handle and answer the petition",
        "answer the petition before it becomes a backlog case (积案)",
    ]

    petition.answer(finding=Finding.SUPPORT, text="支持诉求。", at=clock.now(), clocks=CLOCKS)
    assert petition.running_clocks() == []


def test_the_review_and_re_examination_decisions_disappear_once_decided():
    petition = petition_in(S.REVIEW_REQUESTED)
    assert keys(petition) == [REVIEW]
    step(petition, S.REVIEWED, STEP_AT[S.REVIEWED])
    assert keys(petition) == []
    step(petition, S.RE_EXAMINATION_REQUESTED, STEP_AT[S.RE_EXAMINATION_REQUESTED])
    assert keys(petition) == [RE_EXAMINATION]
    step(petition, S.RE_EXAMINED, shanghai(2026, 12, 30))
    assert keys(petition) == []
