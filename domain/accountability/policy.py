"""Who may run which accountability command (refused with FORBIDDEN otherwise).

Roles are the first gate. The service adds a second for appeals: a handler lodges an appeal only
as the appellant (the officer its token names).
"""

from __future__ import annotations

from enum import StrEnum

from domain.actor import Actor, Role
from domain.errors import Forbidden


class AccountabilityCommand(StrEnum):
    OPEN = "open"
    CHANGE_SHARES = "change the shares of"
    PROPOSE_MEASURES = "propose measures on"
    DECIDE = "decide"
    APPEAL = "appeal"
    DECIDE_APPEAL = "decide an appeal on"
    PUBLISH = "publish"
    RECORD_POINTS_ENTRY = "record a points entry on"


C = AccountabilityCommand
_CENTRE = frozenset({Role.SUPERVISOR, Role.LEADER})

PERMISSIONS: dict[AccountabilityCommand, frozenset[Role]] = {
    C.OPEN: _CENTRE,
    C.CHANGE_SHARES: _CENTRE,
    # Legal officers (法制员) draft measures with the centre; a leader decides.
    C.PROPOSE_MEASURES: _CENTRE | {Role.LEGAL},
    C.DECIDE: frozenset({Role.LEADER}),
    # The person held accountable appeals (as a handler with their own token), or the centre
    # records an appeal received on paper.
    C.APPEAL: frozenset({Role.HANDLER, Role.SUPERVISOR}),
    C.DECIDE_APPEAL: frozenset({Role.LEADER}),
    C.PUBLISH: frozenset({Role.LEADER}),
    C.RECORD_POINTS_ENTRY: frozenset({Role.SUPERVISOR}),
}

# Who reads accountabilities and integrity records: the centre, legal, leaders, auditors; a
# handler only within its unit's subtree.
READERS = frozenset({Role.SUPERVISOR, Role.LEADER, Role.LEGAL, Role.AUDITOR, Role.HANDLER})


def authorise(actor: Actor, command: AccountabilityCommand) -> None:
    if actor.role is Role.SYSTEM:
        return
    if actor.role not in PERMISSIONS[command]:
        allowed = ", ".join(sorted(r.value for r in PERMISSIONS[command]))
        what = (
            "an officer's points ledger"
            if command is C.RECORD_POINTS_ENTRY
            else "an accountability"
        )
        raise Forbidden(f"role {actor.role.value} may not {command.value} {what} ({allowed} may)")


def may_read(actor: Actor) -> bool:
    return actor.role is Role.SYSTEM or actor.role in READERS
