"""Who may run which accountability command: every (command, role) pair; who reads."""

from __future__ import annotations

import pytest

from domain.accountability.policy import (
    PERMISSIONS,
    AccountabilityCommand,
    authorise,
    may_read,
)
from domain.actor import SYSTEM_ACTOR, Actor, Role
from domain.errors import Forbidden

C = AccountabilityCommand
CENTRE = {Role.SUPERVISOR, Role.LEADER}

# The centre opens and apportions; legal officers help propose; only a leader decides, decides
# appeals and publishes; the person held accountable (a handler) or the centre appeals; the
# centre records points earned and offsets.
EXPECTED: dict[AccountabilityCommand, set[Role]] = {
    C.OPEN: CENTRE,
    C.CHANGE_SHARES: CENTRE,
    C.PROPOSE_MEASURES: CENTRE | {Role.LEGAL},
    C.DECIDE: {Role.LEADER},
    C.APPEAL: {Role.HANDLER, Role.SUPERVISOR},
    C.DECIDE_APPEAL: {Role.LEADER},
    C.PUBLISH: {Role.LEADER},
    C.RECORD_POINTS_ENTRY: {Role.SUPERVISOR},
}
HUMAN_ROLES = [role for role in Role if role is not Role.SYSTEM]
PAIRS = [(command, role) for command in AccountabilityCommand for role in HUMAN_ROLES]


def actor(role: Role) -> Actor:
    return Actor(subject=f"{role.value}-1", role=role, unit="FT")


def test_every_command_has_its_expected_permission_entry():
    assert {c: set(r) for c, r in PERMISSIONS.items()} == EXPECTED


@pytest.mark.parametrize(("command", "role"), [(c, r) for c, r in PAIRS if r in EXPECTED[c]])
def test_a_permitted_role_passes(command, role):
    authorise(actor(role), command)


@pytest.mark.parametrize(("command", "role"), [(c, r) for c, r in PAIRS if r not in EXPECTED[c]])
def test_any_other_role_is_forbidden(command, role):
    with pytest.raises(Forbidden) as refused:
        authorise(actor(role), command)
    assert role.value in refused.value.message


@pytest.mark.parametrize("command", list(AccountabilityCommand))
def test_the_system_may_run_every_command(command):
    authorise(SYSTEM_ACTOR, command)


@pytest.mark.parametrize(
    ("role", "reads"),
    [
        (Role.SUPERVISOR, True),
        (Role.LEADER, True),
        (Role.LEGAL, True),
        (Role.AUDITOR, True),
        (Role.HANDLER, True),  # within its subtree
        (Role.INTAKE, False),
        (Role.INTEGRATION, False),
    ],
)
def test_who_reads_accountabilities(role, reads):
    assert may_read(actor(role)) is reads
