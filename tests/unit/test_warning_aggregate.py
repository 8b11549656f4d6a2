"""The warning aggregate: raising, re-grading, people's commands, suppression; who may act."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.actor import SYSTEM_ACTOR, Actor, Role
from domain.errors import Forbidden, InvalidTransition, ValidationFailed
from domain.warning.aggregate import Finding, ItemRef, Warning
from domain.warning.policy import PERMISSIONS, WarningCommand, authorise
from domain.warning.rules import RuleKind, WarningRule
from domain.warning.status import OPEN, TRANSITIONS, Level, SubjectKind, WarningStatus
from tests.unit.test_warning_rules import AT, FORBIDDEN, define

CORRELATION = UUID("00000000-0000-4000-8000-000000000001")
ITEM_CORRELATION = UUID("00000000-0000-4000-8000-000000000002")
UNIT = "FT-XS"


def finding(
    measure: float,
    *,
    subject_key: str = "officer:P-1",
    window_key: str = "2026-08-25/2026-11-23",
    due_at: datetime | None = None,
    correlation_id: UUID | None = None,
    basis: str | None = None,
    details: str = "complaints C-1, C-2, C-3 in 90 days",
) -> Finding:
    return Finding(
        subject_kind=SubjectKind.OFFICER,
        subject_key=subject_key,
        subject_label="Officer P-1 (FT-XS)",
        window_key=window_key,
        measure=measure,
        details=details,
        unit_code=UNIT,
        items=(ItemRef("complaint", "C-1"), ItemRef("complaint", "C-2")),
        item=None,
        correlation_id=correlation_id,
        due_at=due_at,
        basis=basis,
    )


def officer_rule() -> WarningRule:
    """OFFICER_COMPLAINTS: BLUE 3, ORANGE 5, RED 8; respond within 72 hours."""
    return define(RuleKind.OFFICER_COMPLAINTS)


def raised(
    level: Level = Level.BLUE,
    *,
    measure: float | None = None,
    rule: WarningRule | None = None,
    found: Finding | None = None,
    at: datetime = AT,
) -> Warning:
    rule = rule or officer_rule()
    found = found or finding(measure if measure is not None else rule.levels[level])
    warning = Warning.raise_(
        id=str(uuid4()), rule=rule, finding=found, level=level, at=at, correlation_id=CORRELATION
    )
    warning.collect_events()
    return warning


# -- raise ----------------------------------------------------------------------------------------


def test_raising_records_version_one_and_a_raised_event():
    rule = officer_rule()
    found = finding(6)

    warning = Warning.raise_(
        id="W-1", rule=rule, finding=found, level=Level.ORANGE, at=AT, correlation_id=CORRELATION
    )

    assert warning.version == 1
    assert warning.status is WarningStatus.RAISED
    assert warning.level is Level.ORANGE
    assert warning.rule_code == "R1"
    assert warning.rule_version == rule.version == 1
    assert warning.subject_kind is SubjectKind.OFFICER
    assert (warning.subject_key, warning.window_key) == found.key
    assert warning.measure == 6
    assert warning.unit_code == warning.owner_unit == UNIT
    assert warning.raised_at == warning.level_changed_at == AT
    assert warning.correlation_id == CORRELATION
    assert warning.is_open
    assert warning.allowed_commands == frozenset(TRANSITIONS[WarningStatus.RAISED])

    [event] = warning.collect_events()
    assert event.event_type == "warning.raised"
    assert event.aggregate_type == "warning"
    assert event.aggregate_id == "W-1"
    assert event.aggregate_version == 1
    assert event.owner_unit == UNIT
    assert event.correlation_id == CORRELATION
    assert event.occurred_at == AT
    assert event.reason == warning.explanation
    assert event.changes["status"] == {"before": None, "after": "RAISED"}
    assert event.changes["level"] == {"before": None, "after": "ORANGE"}


def test_the_facts_and_explanation_name_the_threshold_measure_and_details():
    rule = officer_rule()
    found = finding(6)

    warning = raised(Level.ORANGE, rule=rule, found=found)

    assert warning.facts == {
        "measure": 6,
        "measureName": rule.spec.measure,
        "threshold": 5.0,
        "levels": {"BLUE": 3.0, "ORANGE": 5.0, "RED": 8.0},
        "window": found.window_key,
        "items": [{"type": "complaint", "id": "C-1"}, {"type": "complaint", "id": "C-2"}],
        "details": found.details,
    }
    text = warning.explanation
    assert text.startswith("ORANGE · Repeated complaints: Officer P-1 (FT-XS)")
    assert f"{rule.spec.measure} ≥ 5" in text
    assert "(measured 6)" in text
    assert text.endswith(found.details)


def test_the_explanation_of_a_lower_is_worse_rule():
    rule = define(RuleKind.UNIT_SATISFACTION)
    warning = raised(Level.RED, rule=rule, found=finding(55.5))

    assert "≤ 60" in warning.explanation
    assert "(measured 55.5)" in warning.explanation
    assert warning.facts["threshold"] == 60.0


def test_an_item_finding_brings_its_correlation_and_clock_facts():
    rule = define(RuleKind.DEADLINE)
    due = AT + timedelta(days=2)
    found = finding(
        1, due_at=due, correlation_id=ITEM_CORRELATION, basis="行政案件程序规定 art. 165"
    )

    warning = Warning.raise_(
        id="W-2", rule=rule, finding=found, level=Level.BLUE, at=AT, correlation_id=CORRELATION
    )

    assert warning.correlation_id == ITEM_CORRELATION
    assert warning.pending_events[0].correlation_id == ITEM_CORRELATION
    assert warning.facts["dueAt"] == due.isoformat()
    assert warning.facts["clockBasis"] == "行政案件程序规定 art. 165"
    assert warning.snapshot()["dueBy"] == due.isoformat()


def test_without_a_finding_correlation_the_one_passed_is_used():
    warning = raised(found=finding(3, correlation_id=None))
    assert warning.correlation_id == CORRELATION
    assert "dueAt" not in warning.facts
    assert "clockBasis" not in warning.facts


@pytest.mark.parametrize(
    ("due_in", "expected_in"),
    [
        (timedelta(hours=5), timedelta(hours=5)),  # the clock's own due time while ahead
        (timedelta(days=30), timedelta(days=30)),  # even if later than the response time
        (timedelta(0), timedelta(hours=24)),  # due now: past, so the response time
        (timedelta(hours=-3), timedelta(hours=24)),  # overdue
        (None, timedelta(hours=24)),  # no clock
    ],
)
def test_due_by(due_in, expected_in):
    rule = define(RuleKind.DEADLINE)  # respondHours 24
    due_at = None if due_in is None else AT + due_in
    warning = raised(Level.BLUE, rule=rule, found=finding(1, due_at=due_at))

    assert warning.due_by == AT + expected_in


def test_due_by_uses_the_rules_response_hours():
    rule = define(params={"windowDays": 90, "respondHours": 7})
    assert raised(rule=rule).due_by == AT + timedelta(hours=7)
    assert raised().due_by == AT + timedelta(hours=72)


# -- change level ---------------------------------------------------------------------------------


def test_raising_the_level():
    rule = officer_rule()
    warning = raised(Level.BLUE, rule=rule)
    later = AT + timedelta(hours=10)

    warning.change_level(rule=rule, finding=finding(9), level=Level.RED, at=later)

    assert warning.level is Level.RED
    assert warning.status is WarningStatus.RAISED
    assert warning.measure == 9
    assert warning.level_changed_at == later
    assert warning.raised_at == AT
    assert warning.facts["threshold"] == 8.0
    assert "≥ 8" in warning.explanation
    assert warning.version == 2
    [event] = warning.collect_events()
    assert event.event_type == "warning.level_raised"
    assert event.aggregate_version == 2
    assert event.reason == warning.explanation
    assert event.changes["level"] == {"before": "BLUE", "after": "RED"}
    assert event.changes["measure"] == {"before": 3, "after": 9}


def test_lowering_the_level():
    rule = officer_rule()
    warning = raised(Level.RED, rule=rule)

    warning.change_level(rule=rule, finding=finding(4), level=Level.BLUE, at=AT + timedelta(days=1))

    assert warning.level is Level.BLUE
    [event] = warning.collect_events()
    assert event.event_type == "warning.level_lowered"
    assert event.changes["level"] == {"before": "RED", "after": "BLUE"}


def test_a_change_of_level_never_moves_due_by_later():
    rule = officer_rule()
    warning = raised(Level.BLUE, rule=rule)  # due by AT + 72 h

    warning.change_level(
        rule=rule, finding=finding(6), level=Level.ORANGE, at=AT + timedelta(hours=10)
    )
    assert warning.due_by == AT + timedelta(hours=72)

    warning.change_level(
        rule=rule, finding=finding(4), level=Level.BLUE, at=AT + timedelta(hours=48)
    )
    assert warning.due_by == AT + timedelta(hours=72)

    # A clock due sooner than the response time brings it forward.
    soon = AT + timedelta(hours=11)
    warning.change_level(
        rule=rule, finding=finding(9, due_at=soon), level=Level.RED, at=AT + timedelta(hours=10)
    )
    assert warning.due_by == soon


def test_a_change_of_level_records_the_rule_version_it_was_judged_by():
    rule = officer_rule()
    warning = raised(Level.BLUE, rule=rule)
    rule.change(at=AT, reason="lower", forbidden=FORBIDDEN, levels={"BLUE": 2, "RED": 4})

    warning.change_level(rule=rule, finding=finding(4), level=Level.RED, at=AT)

    assert warning.rule_version == rule.version == 2
    assert warning.facts["levels"] == {"BLUE": 2.0, "RED": 4.0}


def test_the_same_level_is_not_a_change():
    rule = officer_rule()
    warning = raised(Level.ORANGE, rule=rule)

    with pytest.raises(ValidationFailed, match="already ORANGE"):
        warning.change_level(rule=rule, finding=finding(7), level=Level.ORANGE, at=AT)
    assert warning.version == 1
    assert warning.pending_events == []


@pytest.mark.parametrize("status", sorted(OPEN))
def test_the_level_changes_in_every_open_state_without_changing_the_state(status):
    rule = officer_rule()
    warning = in_status(status)

    warning.change_level(rule=rule, finding=finding(9), level=Level.RED, at=AT)

    assert warning.status is status
    assert warning.level is Level.RED


# -- people's commands ----------------------------------------------------------------------------


def in_status(status: WarningStatus) -> Warning:
    warning = raised(Level.BLUE)
    later = AT + timedelta(hours=1)
    if status is WarningStatus.ACKNOWLEDGED:
        warning.acknowledge(at=later, by="handler-1")
    elif status is WarningStatus.ESCALATED:
        warning.escalate(at=later, review_id="REV-1")
    elif status is WarningStatus.DISMISSED:
        warning.dismiss(at=later, reason="duplicate of an earlier complaint")
    elif status is WarningStatus.RESOLVED:
        warning.resolve(at=later, why="condition cleared")
    warning.collect_events()
    assert warning.status is status
    return warning


def test_acknowledging():
    warning = raised()
    at = AT + timedelta(hours=2)

    warning.acknowledge(at=at, by="handler-1", note="  已安排核查  ")

    assert warning.status is WarningStatus.ACKNOWLEDGED
    assert warning.acknowledged_at == at
    assert warning.acknowledged_by == "handler-1"
    assert warning.acknowledgement == "已安排核查"
    assert warning.is_open
    [event] = warning.collect_events()
    assert event.event_type == "warning.acknowledged"
    assert event.aggregate_version == 2
    assert event.reason == "已安排核查"
    assert event.changes["status"] == {"before": "RAISED", "after": "ACKNOWLEDGED"}
    assert event.changes["acknowledgedBy"] == {"before": None, "after": "handler-1"}


@pytest.mark.parametrize("note", [None, "", "   "])
def test_an_acknowledgement_note_is_optional(note):
    warning = raised()
    warning.acknowledge(at=AT, by="handler-1", note=note)

    assert warning.acknowledgement is None
    assert warning.collect_events()[0].reason is None


@pytest.mark.parametrize("status", [WarningStatus.RAISED, WarningStatus.ACKNOWLEDGED])
def test_dismissing_from_raised_or_acknowledged(status):
    warning = in_status(status)
    at = AT + timedelta(hours=3)

    warning.dismiss(at=at, reason="  complaints were about another officer  ")

    assert warning.status is WarningStatus.DISMISSED
    assert warning.dismissed_at == at
    assert warning.dismissal_reason == "complaints were about another officer"
    assert not warning.is_open
    assert warning.allowed_commands == frozenset()
    [event] = warning.collect_events()
    assert event.event_type == "warning.dismissed"
    assert event.reason == "complaints were about another officer"


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_dismissal_needs_a_reason(reason):
    warning = raised()

    with pytest.raises(ValidationFailed) as caught:
        warning.dismiss(at=AT, reason=reason)

    assert caught.value.field == "reason"
    assert warning.status is WarningStatus.RAISED
    assert warning.version == 1
    assert warning.pending_events == []


def test_an_escalated_warning_cannot_be_dismissed():
    warning = in_status(WarningStatus.ESCALATED)

    with pytest.raises(InvalidTransition) as caught:
        warning.dismiss(at=AT, reason="no longer relevant")

    assert caught.value.current == "ESCALATED"
    assert caught.value.attempted == "dismiss"
    assert caught.value.allowed == ("ESCALATED", "RESOLVED")


@pytest.mark.parametrize("status", [WarningStatus.RAISED, WarningStatus.ACKNOWLEDGED])
def test_escalating_to_a_review(status):
    warning = in_status(status)
    at = AT + timedelta(hours=4)

    warning.escalate(at=at, review_id="REV-7", reason="pattern across three units")

    assert warning.status is WarningStatus.ESCALATED
    assert warning.escalated_at == at
    assert warning.review_id == "REV-7"
    assert warning.is_open
    assert warning.allowed_commands == frozenset({"resolve", "change level"})
    [event] = warning.collect_events()
    assert event.event_type == "warning.escalated"
    assert event.data == {"reviewId": "REV-7"}
    assert event.payload()["data"] == {"reviewId": "REV-7"}
    assert event.reason == "pattern across three units"
    assert event.changes["reviewId"] == {"before": None, "after": "REV-7"}


COMMANDS: dict[str, Callable[[Warning], None]] = {
    "acknowledge": lambda w: w.acknowledge(at=AT, by="handler-1"),
    "dismiss": lambda w: w.dismiss(at=AT, reason="not warranted"),
    "escalate": lambda w: w.escalate(at=AT, review_id="REV-9"),
    "resolve": lambda w: w.resolve(at=AT, why="condition cleared"),
    "change level": lambda w: w.change_level(
        rule=officer_rule(),
        finding=finding(9 if w.level is not Level.RED else 3),
        level=Level.RED if w.level is not Level.RED else Level.BLUE,
        at=AT,
    ),
}


def test_the_commands_table_covers_every_transition_name():
    assert set(COMMANDS) == {c for moves in TRANSITIONS.values() for c in moves}


@pytest.mark.parametrize("command", ["acknowledge", "dismiss", "escalate"])
def test_after_escalation_only_resolve_and_change_level(command):
    warning = in_status(WarningStatus.ESCALATED)

    with pytest.raises(InvalidTransition):
        COMMANDS[command](warning)
    assert warning.status is WarningStatus.ESCALATED
    assert warning.pending_events == []


def test_acknowledging_twice_is_refused():
    warning = in_status(WarningStatus.ACKNOWLEDGED)
    with pytest.raises(InvalidTransition, match="cannot acknowledge from ACKNOWLEDGED"):
        warning.acknowledge(at=AT, by="handler-2")


@pytest.mark.parametrize("status", sorted(OPEN))
def test_resolving_from_every_open_state(status):
    warning = in_status(status)
    at = AT + timedelta(days=2)

    warning.resolve(at=at, why="condition cleared: 2 complaints in the window")

    assert warning.status is WarningStatus.RESOLVED
    assert warning.resolved_at == at
    assert warning.resolution == "condition cleared: 2 complaints in the window"
    assert not warning.is_open
    [event] = warning.collect_events()
    assert event.event_type == "warning.resolved"
    assert event.reason == "condition cleared: 2 complaints in the window"
    assert event.changes["status"] == {"before": status.value, "after": "RESOLVED"}


@pytest.mark.parametrize("status", [WarningStatus.DISMISSED, WarningStatus.RESOLVED])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_nothing_is_allowed_after_a_final_state(status, command):
    warning = in_status(status)
    before = warning.snapshot()

    with pytest.raises(InvalidTransition) as caught:
        COMMANDS[command](warning)

    assert caught.value.current == status.value
    assert caught.value.attempted == command
    assert caught.value.allowed == ()
    assert "final state" in caught.value.message
    assert warning.snapshot() == before
    assert warning.pending_events == []


@pytest.mark.parametrize("status", list(WarningStatus))
def test_open_means_one_of_the_open_states(status):
    assert in_status(status).is_open is (status in OPEN)


@given(st.lists(st.sampled_from(sorted(COMMANDS)), max_size=8))
def test_any_sequence_of_commands_follows_the_transition_table(commands):
    warning = raised(Level.BLUE)
    version = warning.version
    for command in commands:
        before = warning.status
        allowed = TRANSITIONS[before]
        if command in allowed:
            COMMANDS[command](warning)
            version += 1
            assert warning.status is allowed[command]
            [event] = warning.collect_events()
            assert event.aggregate_version == warning.version == version
        else:
            with pytest.raises(InvalidTransition):
                COMMANDS[command](warning)
            assert warning.status is before
            assert warning.version == version
            assert warning.pending_events == []


def test_the_snapshot_is_json_ready_through_a_lifecycle():
    rule = officer_rule()
    warning = raised(Level.BLUE, rule=rule)
    warning.acknowledge(at=AT, by="handler-1")
    warning.change_level(rule=rule, finding=finding(8), level=Level.RED, at=AT)
    warning.escalate(at=AT, review_id="REV-1")
    warning.resolve(at=AT, why="cleared")

    snap = warning.snapshot()
    assert json.loads(json.dumps(snap)) == snap
    assert [e.event_type for e in warning.collect_events()] == [
        "warning.acknowledged",
        "warning.level_raised",
        "warning.escalated",
        "warning.resolved",
    ]
    assert warning.version == 5


# -- suppression ----------------------------------------------------------------------------------


DISMISSED_AT = AT + timedelta(hours=1)


def dismissed(level: Level = Level.ORANGE) -> Warning:
    warning = raised(level)
    warning.dismiss(at=DISMISSED_AT, reason="explained by a reorganisation")
    return warning


@pytest.mark.parametrize(
    ("finding_level", "expected"),
    [(Level.BLUE, True), (Level.ORANGE, True), (Level.RED, False)],
)
def test_a_dismissal_covers_its_level_and_lower(finding_level, expected):
    warning = dismissed(Level.ORANGE)
    assert warning.suppresses(finding_level, DISMISSED_AT + timedelta(days=1), 30) is expected


def test_a_dismissal_lapses_after_its_window():
    warning = dismissed(Level.ORANGE)
    end = DISMISSED_AT + timedelta(days=30)

    assert warning.suppresses(Level.ORANGE, DISMISSED_AT, 30)
    assert warning.suppresses(Level.ORANGE, end - timedelta(microseconds=1), 30)
    assert not warning.suppresses(Level.ORANGE, end, 30)
    assert not warning.suppresses(Level.BLUE, end + timedelta(days=1), 30)


def test_without_a_window_a_dismissal_holds_for_ever():
    warning = dismissed(Level.RED)
    far = DISMISSED_AT + timedelta(days=3650)

    assert warning.suppresses(Level.RED, far, None)
    assert warning.suppresses(Level.BLUE, far, None)


@pytest.mark.parametrize("status", [s for s in WarningStatus if s is not WarningStatus.DISMISSED])
def test_only_a_dismissal_suppresses(status):
    warning = in_status(status)
    for level in Level:
        assert not warning.suppresses(level, AT + timedelta(hours=2), None)


# -- policy ---------------------------------------------------------------------------------------


EXPECTED: dict[WarningCommand, set[Role]] = {
    WarningCommand.ACKNOWLEDGE: {Role.HANDLER, Role.LEGAL, Role.SUPERVISOR, Role.LEADER},
    WarningCommand.DISMISS: {Role.SUPERVISOR, Role.LEADER},
    WarningCommand.ESCALATE: {Role.SUPERVISOR, Role.LEADER},
    WarningCommand.CHANGE_RULE: {Role.SUPERVISOR},
}


def actor(role: Role, **kwargs: Any) -> Actor:
    return Actor(subject=f"{role.value}-1", role=role, **kwargs)


def test_the_permission_table_is_as_expected():
    assert set(PERMISSIONS) == set(WarningCommand)
    assert {c: set(roles) for c, roles in PERMISSIONS.items()} == EXPECTED


@pytest.mark.parametrize("command", list(WarningCommand))
@pytest.mark.parametrize("role", [r for r in Role if r is not Role.SYSTEM])
def test_who_may_run_each_command(command, role):
    if role in EXPECTED[command]:
        authorise(actor(role, unit=UNIT), command)
        return
    with pytest.raises(Forbidden) as caught:
        authorise(actor(role, unit=UNIT), command)
    assert caught.value.code == "FORBIDDEN"
    assert f"role {role.value} may not {command.value}" in caught.value.message
    for allowed in EXPECTED[command]:
        assert allowed.value in caught.value.message


@pytest.mark.parametrize("command", list(WarningCommand))
def test_the_system_may_run_every_command(command):
    authorise(SYSTEM_ACTOR, command)
    authorise(actor(Role.SYSTEM), command)
