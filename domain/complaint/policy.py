"""Who may run which complaint command (refused with FORBIDDEN otherwise)."""

from __future__ import annotations

from enum import StrEnum

from domain.actor import Actor, Role
from domain.errors import Forbidden


class ComplaintCommand(StrEnum):
    REGISTER = "register"
    TRIAGE = "triage"
    START_HANDLING = "start handling"
    REPLY = "reply"
    RECORD_CALLBACK = "record callback"
    CLOSE = "close"
    REOPEN = "reopen"
    MERGE = "merge"
    REJECT = "reject"
    ERASE_IDENTITY = "erase the identity of"


C = ComplaintCommand
_CENTRE = frozenset({Role.SUPERVISOR, Role.LEADER})

PERMISSIONS: dict[ComplaintCommand, frozenset[Role]] = {
    C.REGISTER: frozenset({Role.INTAKE, Role.INTEGRATION}),
    C.TRIAGE: _CENTRE,
    C.START_HANDLING: frozenset({Role.HANDLER}),
    C.REPLY: frozenset({Role.HANDLER}),
    C.RECORD_CALLBACK: _CENTRE,
    C.CLOSE: _CENTRE,
    C.REOPEN: _CENTRE,
    C.MERGE: _CENTRE,
    C.REJECT: _CENTRE,
    C.ERASE_IDENTITY: _CENTRE,
}


def authorise(actor: Actor, command: ComplaintCommand) -> None:
    if actor.role is Role.SYSTEM:
        return
    if actor.role not in PERMISSIONS[command]:
        allowed = ", ".join(sorted(r.value for r in PERMISSIONS[command]))
        raise Forbidden(
            f"role {actor.role.value} may not {command.value} a complaint ({allowed} may)"
        )
