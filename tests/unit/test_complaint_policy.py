"""Who may run which complaint command: every (command, role) pair."""

from __future__ import annotations

import pytest

from domain.actor import SYSTEM_ACTOR, Actor, Role
from domain.complaint.policy import PERMISSIONS, ComplaintCommand, authorise
from domain.errors import Forbidden

C = ComplaintCommand
CENTRE = {Role.SUPERVISOR, Role.LEADER}

# The policy as the supervision centre describes it: intake (and the hotline integrations)
# register, the handling unit works and replies, the centre judges everything else.
EXPECTED: dict[ComplaintCommand, set[Role]] = {
    C.REGISTER: {Role.INTAKE, Role.INTEGRATION},
    C.TRIAGE: CENTRE,
    C.START_HANDLING: {Role.HANDLER},
    C.REPLY: {Role.HANDLER},
    C.RECORD_CALLBACK: CENTRE,
    C.CLOSE: CENTRE,
    C.REOPEN: CENTRE,
    C.MERGE: CENTRE,
    C.REJECT: CENTRE,
    C.ERASE_IDENTITY: CENTRE,
}

HUMAN_ROLES = [role for role in Role if role is not Role.SYSTEM]
PAIRS = [(command, role) for command in ComplaintCommand for role in HUMAN_ROLES]
ALLOWED = [(c, r) for c, r in PAIRS if r in EXPECTED[c]]
REFUSED = [(c, r) for c, r in PAIRS if r not in EXPECTED[c]]


def _id(pair: tuple[ComplaintCommand, Role]) -> str:
    return f"{pair[0].value.replace(' ', '_')}-{pair[1].value}"


def actor(role: Role) -> Actor:
    return Actor(subject=f"{role.value}-1", role=role, unit="SZ.FT")


def test_every_command_has_a_permission_entry():
    assert set(PERMISSIONS) == set(ComplaintCommand)
    assert {c: set(roles) for c, roles in PERMISSIONS.items()} == EXPECTED


def test_no_command_is_open_to_the_system_role_by_permission_only_by_bypass():
    assert all(Role.SYSTEM not in roles for roles in PERMISSIONS.values())


@pytest.mark.parametrize(("command", "role"), ALLOWED, ids=map(_id, ALLOWED))
def test_a_permitted_role_may_run_the_command(command, role):
    authorise(actor(role), command)


@pytest.mark.parametrize(("command", "role"), REFUSED, ids=map(_id, REFUSED))
def test_any_other_role_is_forbidden_naming_who_may(command, role):
    with pytest.raises(Forbidden) as refused:
        authorise(actor(role), command)

    error = refused.value
    assert error.code == "FORBIDDEN"
    assert f"role {role.value} may not {command.value} a complaint" in error.message
    for allowed in EXPECTED[command]:
        assert allowed.value in error.message


@pytest.mark.parametrize("command", list(ComplaintCommand), ids=lambda c: c.value)
def test_the_system_may_run_every_command(command):
    authorise(SYSTEM_ACTOR, command)
    authorise(Actor(subject="migration", role=Role.SYSTEM), command)


@pytest.mark.parametrize("role", [Role.LEGAL, Role.AUDITOR], ids=str)
def test_legal_officers_and_auditors_may_run_no_complaint_command(role):
    for command in ComplaintCommand:
        with pytest.raises(Forbidden):
            authorise(actor(role), command)


def test_a_handler_without_a_unit_is_still_only_a_handler():
    handler = Actor(subject="h", role=Role.HANDLER)

    authorise(handler, C.REPLY)
    with pytest.raises(Forbidden):
        authorise(handler, C.CLOSE)
