"""Who may run which petition command (refused with FORBIDDEN otherwise)."""

from __future__ import annotations

from enum import StrEnum

from domain.actor import Actor, Role
from domain.errors import Forbidden


class PetitionCommand(StrEnum):
    REGISTER = "register"
    ACCEPT = "accept"
    REFUSE = "refuse"
    OBJECT_TO_ROUTING = "object to the routing of"
    DECIDE_ROUTING = "decide the routing of"
    START_HANDLING = "start handling"
    EXTEND_HANDLING = "extend the handling of"
    ANSWER = "answer"
    REQUEST_REVIEW = "request review of"
    DECIDE_REVIEW = "decide the review of"
    REQUEST_RE_EXAMINATION = "request re-examination of"
    DECIDE_RE_EXAMINATION = "decide the re-examination of"
    CLOSE = "close"
    RECORD_REPEAT = "record a repeated arrival of"
    MARK_BACKLOG = "mark as backlog"
    ASSIGN_LEADER = "assign a leader to"
    RECORD_DISPATCH = "record a dispatch on"
    RECORD_INTERVIEW = "record an interview on"
    RECORD_LAWYER = "record a lawyer on"
    REFER_LEGAL_AID = "refer to legal aid"
    RECORD_JUDICIAL_AID = "record judicial aid on"
    RECORD_OUTCOME = "record the outcome of"
    ADD_ATTACHMENT = "add an attachment to"


C = PetitionCommand
_CENTRE = frozenset({Role.SUPERVISOR, Role.LEADER})
# Backlog work is done by the handling unit and by the centre's leaders (包案领导约谈, 调度).
_WORKERS = frozenset({Role.HANDLER, Role.SUPERVISOR, Role.LEADER})
# The petitioner's requests reach the petition office (intake) or the centre.
_RECEIVERS = frozenset({Role.INTAKE, Role.SUPERVISOR, Role.LEADER})

PERMISSIONS: dict[PetitionCommand, frozenset[Role]] = {
    C.REGISTER: frozenset({Role.INTAKE}),
    C.ACCEPT: _CENTRE,
    C.REFUSE: _CENTRE,
    # The receiving unit objects (退回); the centre may file the objection for it.
    C.OBJECT_TO_ROUTING: _WORKERS,
    C.DECIDE_ROUTING: _CENTRE,
    C.START_HANDLING: frozenset({Role.HANDLER}),
    # 信访工作条例 art. 34: extension needs the head's approval.
    C.EXTEND_HANDLING: frozenset({Role.LEADER}),
    C.ANSWER: frozenset({Role.HANDLER}),
    C.REQUEST_REVIEW: _RECEIVERS,
    C.DECIDE_REVIEW: _CENTRE,
    C.REQUEST_RE_EXAMINATION: _RECEIVERS,
    C.DECIDE_RE_EXAMINATION: _CENTRE,
    C.CLOSE: _CENTRE,
    C.RECORD_REPEAT: frozenset({Role.INTAKE}),
    C.MARK_BACKLOG: _CENTRE,
    C.ASSIGN_LEADER: _CENTRE,
    C.RECORD_DISPATCH: _WORKERS,
    C.RECORD_INTERVIEW: _WORKERS,
    C.RECORD_LAWYER: _WORKERS,
    C.REFER_LEGAL_AID: _WORKERS,
    C.RECORD_JUDICIAL_AID: _WORKERS,
    C.RECORD_OUTCOME: _WORKERS,
    C.ADD_ATTACHMENT: frozenset({Role.INTAKE, Role.HANDLER, Role.SUPERVISOR, Role.LEADER}),
}


def authorise(actor: Actor, command: PetitionCommand) -> None:
    if actor.role is Role.SYSTEM:
        return
    if actor.role not in PERMISSIONS[command]:
        allowed = ", ".join(sorted(r.value for r in PERMISSIONS[command]))
        raise Forbidden(
            f"role {actor.role.value} may not {command.value} a petition ({allowed} may)"
        )
