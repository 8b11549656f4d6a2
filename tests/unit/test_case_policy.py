"""Who may run which case command: every (role, command) pair."""

from __future__ import annotations

import pytest

from domain.actor import Actor, Role
from domain.case.policy import PERMISSIONS, CaseCommand, authorise
from domain.errors import Forbidden

C = CaseCommand
HANDLER_COMMANDS = {
    C.ACCEPT,
    C.FILE,
    C.START_INVESTIGATING,
    C.CONCLUDE,
    C.REFUSE_TO_FILE,
    C.WITHDRAW,
    C.TRANSFER,
    C.REFUSE_JURISDICTION,
    C.START_MEASURE,
    C.EXTEND_MEASURE,
    C.END_MEASURE,
    C.RECORD_REVISIT,
    C.EXTEND_HANDLING_LIMIT,
    C.START_APPRAISAL,
    C.END_APPRAISAL,
    C.MARK_OUTSIDE_JURISDICTION,
    C.RECORD_NOT_FILING_NOTICE,
    C.RECORD_RECONSIDERATION_APPLICATION,
    C.RECORD_REVIEW_APPLICATION,
    C.RECORD_DETENTION_STEP,
}
EXPECTED: dict[Role, set[CaseCommand]] = {
    Role.INTEGRATION: {C.REGISTER},
    Role.SUPERVISOR: {
        C.REGISTER,
        C.TRANSFER,
        C.REFUSE_JURISDICTION,
        C.DESIGNATE_JURISDICTION,
        C.RECORD_REVISIT,
        C.START_TRACKING,
        C.CLOSE_TRACKING,
        C.MARK_OUTSIDE_JURISDICTION,
        C.RECORD_RECONSIDERATION_APPLICATION,
        C.DECIDE_RECONSIDERATION,
        C.EXTEND_RECONSIDERATION,
        C.RECORD_REVIEW_APPLICATION,
        C.DECIDE_REVIEW,
        C.EXTEND_REVIEW,
    },
    Role.LEADER: {
        C.TRANSFER,
        C.DESIGNATE_JURISDICTION,
        C.START_TRACKING,
        C.CLOSE_TRACKING,
        C.EXTEND_HANDLING_LIMIT,
        C.DECIDE_RECONSIDERATION,
        C.EXTEND_RECONSIDERATION,
        C.DECIDE_REVIEW,
        C.EXTEND_REVIEW,
    },
    Role.HANDLER: HANDLER_COMMANDS,
    Role.AUDITOR: set(),
    Role.LEGAL: set(),
    Role.INTAKE: set(),
}
PAIRS = [(role, command) for role in EXPECTED for command in CaseCommand]


def test_every_command_has_a_permission_entry():
    assert set(PERMISSIONS) == set(CaseCommand)


@pytest.mark.parametrize(("role", "command"), PAIRS, ids=[f"{r.value}-{c.name}" for r, c in PAIRS])
def test_a_role_runs_exactly_its_commands_and_is_forbidden_the_rest(role, command):
    actor = Actor(subject="someone", role=role, unit="FT" if role is Role.HANDLER else None)
    if command in EXPECTED[role]:
        authorise(actor, command)
    else:
        with pytest.raises(Forbidden, match=f"may not {command.value} a case"):
            authorise(actor, command)


@pytest.mark.parametrize("command", list(CaseCommand))
def test_the_system_may_run_every_command(command):
    authorise(Actor(subject="system", role=Role.SYSTEM), command)
