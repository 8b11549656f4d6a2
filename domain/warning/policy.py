"""Who may run which warning command (refused with FORBIDDEN otherwise)."""

from __future__ import annotations

from enum import StrEnum

from domain.actor import Actor, Role
from domain.errors import Forbidden


class WarningCommand(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    DISMISS = "dismiss"
    ESCALATE = "escalate"
    CHANGE_RULE = "change a warning rule"


C = WarningCommand
_CENTRE = frozenset({Role.SUPERVISOR, Role.LEADER})

PERMISSIONS: dict[WarningCommand, frozenset[Role]] = {
    # The unit that must act acknowledges (point-to-point reminders, 点对点提醒), or the centre.
    C.ACKNOWLEDGE: _CENTRE | {Role.HANDLER, Role.LEGAL},
    # Setting a warning aside is a judgement of the supervision centre, with a reason.
    C.DISMISS: _CENTRE,
    C.ESCALATE: _CENTRE,
    # Rules are the supervisor's configuration (thresholds, windows, levels).
    C.CHANGE_RULE: frozenset({Role.SUPERVISOR}),
}


def authorise(actor: Actor, command: WarningCommand) -> None:
    if actor.role is Role.SYSTEM:
        return
    if actor.role not in PERMISSIONS[command]:
        allowed = ", ".join(sorted(r.value for r in PERMISSIONS[command]))
        raise Forbidden(f"role {actor.role.value} may not {command.value} ({allowed} may)")
