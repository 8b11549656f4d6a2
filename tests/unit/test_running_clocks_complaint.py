"""The complaint's running clocks: the reply until the reply, then the callback until the callback."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.clock import MovableClock
from domain.complaint.aggregate import Complaint
from domain.complaint.clocks import CALLBACK, REPLY
from domain.complaint.status import ComplaintStatus, Satisfaction
from tests.unit.test_complaint_state_machine import (
    ATTITUDE,
    CLOCKS,
    MAILBOX,
    RECEIVED_AT,
    complaint_in,
    register,
)

S = ComplaintStatus
PRIMARY = "SZ.FT.S1"  # the primary unit complaint_in triages to; the line unit is SZ.LEGAL


def keys(complaint: Complaint) -> list[str]:
    found = [c.key for c in complaint.running_clocks()]
    assert len(found) == len(set(found))
    return found


def test_the_reply_clock_runs_for_the_primary_unit_until_the_reply():
    # given
    complaint = complaint_in(S.HANDLING)

    # when
    [clock] = complaint.running_clocks()

    # then
    assert clock.key == REPLY == "reply"
    assert clock.unit_code == PRIMARY
    assert clock.deadline is complaint.deadlines[REPLY]
    assert clock.name == "reply to the complainant"


def test_after_the_reply_only_the_callback_runs_and_the_callback_meets_it():
    complaint = complaint_in(S.REPLIED)
    [clock] = complaint.running_clocks()
    assert clock.key == CALLBACK == "callback"
    assert clock.unit_code == PRIMARY
    assert clock.deadline is complaint.deadlines[CALLBACK]

    complaint.record_callback(
        satisfaction=Satisfaction.SATISFIED, note=None, at=RECEIVED_AT + timedelta(days=3)
    )

    assert complaint.running_clocks() == []


@pytest.mark.parametrize("status", [S.CALLED_BACK, S.CLOSED, S.MERGED, S.REJECTED])
def test_nothing_runs_once_done_or_ended(status):
    assert complaint_in(status).running_clocks() == []


def test_an_untriaged_complaints_reply_clock_runs_for_the_centre_that_routes_it():
    complaint = complaint_in(S.RECEIVED)
    assert REPLY in complaint.deadlines
    (clock,) = complaint.running_clocks()
    assert (clock.key, clock.unit_code) == (REPLY, None)

    complaint.triage(
        category=ATTITUDE,
        primary_unit="SZ.NS.S2",
        line_unit="SZ.LEGAL",
        importance=None,
        at=RECEIVED_AT + timedelta(hours=3),
    )

    assert keys(complaint) == [REPLY]
    assert complaint.running_clocks()[0].unit_code == "SZ.NS.S2"


def test_a_reopened_complaint_runs_a_new_reply_clock_and_no_callback():
    clock = MovableClock(RECEIVED_AT + timedelta(days=5))
    complaint = complaint_in(S.CALLED_BACK, satisfaction=Satisfaction.DISSATISFIED)
    old_reply = complaint.deadlines[REPLY]

    complaint.reopen(reason="来信人对答复不满意", at=clock.now(), clocks=CLOCKS)

    [running] = complaint.running_clocks()
    assert keys(complaint) == [REPLY]
    assert running.deadline is not old_reply
    assert running.deadline.started_at == clock.now()


def test_a_channel_without_a_rule_has_no_running_clock():
    complaint = register(channel=MAILBOX)
    complaint.triage(
        category=ATTITUDE, primary_unit=PRIMARY, line_unit=None, importance=None, at=RECEIVED_AT
    )
    assert complaint.running_clocks() == []
