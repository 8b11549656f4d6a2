"""Who may run which petition command: every (command, role) pair."""

from __future__ import annotations

import pytest

from domain.actor import SYSTEM_ACTOR, Actor, Role
from domain.errors import Forbidden
from domain.petition.policy import PERMISSIONS, PetitionCommand, authorise

C = PetitionCommand
CENTRE = {Role.SUPERVISOR, Role.LEADER}
WORKERS = {Role.HANDLER, Role.SUPERVISOR, Role.LEADER}
RECEIVERS = {Role.INTAKE, Role.SUPERVISOR, Role.LEADER}

# Intake registers; the centre judges (accepts, refuses, decides routing and reviews, marks
# backlog, assigns the leader); only a leader approves an extension (art. 34); the handling unit
# answers and records the backlog work, as the centre may; auditors and legal officers only read.
EXPECTED: dict[PetitionCommand, set[Role]] = {
    C.REGISTER: {Role.INTAKE},
    C.ACCEPT: CENTRE,
    C.REFUSE: CENTRE,
    C.OBJECT_TO_ROUTING: WORKERS,
    C.DECIDE_ROUTING: CENTRE,
    C.START_HANDLING: {Role.HANDLER},
    C.EXTEND_HANDLING: {Role.LEADER},
    C.ANSWER: {Role.HANDLER},
    C.REQUEST_REVIEW: RECEIVERS,
    C.DECIDE_REVIEW: CENTRE,
    C.REQUEST_RE_EXAMINATION: RECEIVERS,
    C.DECIDE_RE_EXAMINATION: CENTRE,
    C.CLOSE: CENTRE,
    C.RECORD_REPEAT: {Role.INTAKE},
    C.MARK_BACKLOG: CENTRE,
    C.ASSIGN_LEADER: CENTRE,
    C.RECORD_DISPATCH: WORKERS,
    C.RECORD_INTERVIEW: WORKERS,
    C.RECORD_LAWYER: WORKERS,
    C.REFER_LEGAL_AID: WORKERS,
    C.RECORD_JUDICIAL_AID: WORKERS,
    C.RECORD_OUTCOME: WORKERS,
    C.ADD_ATTACHMENT: {Role.INTAKE, Role.HANDLER, Role.SUPERVISOR, Role.LEADER},
}

HUMAN_ROLES = [role for role in Role if role is not Role.SYSTEM]
PAIRS = [(command, role) for command in PetitionCommand for role in HUMAN_ROLES]
ALLOWED = [(c, r) for c, r in PAIRS if r in EXPECTED[c]]
REFUSED = [(c, r) for c, r in PAIRS if r not in EXPECTED[c]]


def _id(pair: tuple[PetitionCommand, Role]) -> str:
    return f"{pair[0].value.replace(' ', '_')}-{pair[1].value}"


def actor(role: Role) -> Actor:
    return Actor(subject=f"{role.value}-1", role=role, unit="FT")


def test_every_command_has_a_permission_entry():
    assert set(PERMISSIONS) == set(PetitionCommand)
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
    assert f"role {role.value} may not {command.value} a petition" in error.message
    for allowed in EXPECTED[command]:
        assert allowed.value in error.message


@pytest.mark.parametrize("command", list(PetitionCommand), ids=lambda c: c.value)
def test_the_system_may_run_every_command(command):
    authorise(SYSTEM_ACTOR, command)


@pytest.mark.parametrize("role", [Role.LEGAL, Role.AUDITOR, Role.INTEGRATION], ids=str)
def test_readers_may_run_no_petition_command(role):
    for command in PetitionCommand:
        with pytest.raises(Forbidden):
            authorise(actor(role), command)
