"""Who may run which review command: every (command, role) pair."""

from __future__ import annotations

import pytest

from domain.actor import SYSTEM_ACTOR, Actor, Role
from domain.errors import Forbidden
from domain.review.policy import PERMISSIONS, ReviewCommand, authorise

C = ReviewCommand
CENTRE = {Role.SUPERVISOR, Role.LEADER}

# The centre opens, verifies, concludes, orders and closes; the owner unit's handler reports
# rectifications done and answers recommendations; the verifying unit's handler (or the centre)
# closes off, returns and reports recurrences; any person holding a step signs it (the holder
# check is the aggregate's); the legal department also evaluates case quality; auditors only read.
EXPECTED: dict[ReviewCommand, set[Role]] = {
    C.OPEN: CENTRE,
    C.ASSIGN_VERIFIERS: CENTRE,
    C.ADD_EVIDENCE: CENTRE,
    C.RECORD_FINDING: CENTRE,
    C.ADD_RECTIFICATION: CENTRE,
    C.REPORT_RECTIFICATION_DONE: {Role.HANDLER},
    C.CLOSE_OFF_RECTIFICATION: CENTRE | {Role.HANDLER},
    C.RETURN_RECTIFICATION: CENTRE | {Role.HANDLER},
    C.REPORT_RECTIFICATION_RECURRENCE: CENTRE | {Role.HANDLER},
    C.START_SIGNOFF: CENTRE,
    C.SIGN_STEP: {Role.LEGAL, Role.LEADER, Role.SUPERVISOR, Role.HANDLER, Role.INTAKE},
    C.RECORD_EVALUATION: CENTRE | {Role.LEGAL},
    C.ISSUE_RECOMMENDATION: CENTRE,
    C.RECORD_RECOMMENDATION_RESPONSE: {Role.HANDLER},
    C.CLOSE: CENTRE,
}

HUMAN_ROLES = [role for role in Role if role is not Role.SYSTEM]
PAIRS = [(command, role) for command in ReviewCommand for role in HUMAN_ROLES]
ALLOWED = [(c, r) for c, r in PAIRS if r in EXPECTED[c]]
REFUSED = [(c, r) for c, r in PAIRS if r not in EXPECTED[c]]


def _id(pair: tuple[ReviewCommand, Role]) -> str:
    return f"{pair[0].value.replace(' ', '_')}-{pair[1].value}"


def actor(role: Role) -> Actor:
    return Actor(subject=f"{role.value}-1", role=role, unit="FT")


def test_every_command_has_a_permission_entry():
    assert set(PERMISSIONS) == set(ReviewCommand)
    assert {c: set(roles) for c, roles in PERMISSIONS.items()} == EXPECTED


def test_auditors_and_integrations_change_nothing():
    assert all(
        Role.AUDITOR not in roles and Role.INTEGRATION not in roles
        for roles in PERMISSIONS.values()
    )


@pytest.mark.parametrize(("command", "role"), ALLOWED, ids=map(_id, ALLOWED))
def test_a_permitted_role_may_run_the_command(command, role):
    authorise(actor(role), command)


@pytest.mark.parametrize(("command", "role"), REFUSED, ids=map(_id, REFUSED))
def test_any_other_role_is_forbidden_naming_who_may(command, role):
    with pytest.raises(Forbidden) as refused:
        authorise(actor(role), command)
    assert role.value in refused.value.message
    assert all(r.value in refused.value.message for r in EXPECTED[command])


@pytest.mark.parametrize("command", list(ReviewCommand))
def test_the_system_itself_may_run_any_command(command):
    authorise(SYSTEM_ACTOR, command)
