"""Who may run which case command (refused with FORBIDDEN otherwise)."""

from __future__ import annotations

from enum import StrEnum

from domain.actor import Actor, Role
from domain.errors import Forbidden


class CaseCommand(StrEnum):
    REGISTER = "register"
    ACCEPT = "accept"
    FILE = "file"
    START_INVESTIGATING = "start investigating"
    CONCLUDE = "conclude"
    REFUSE_TO_FILE = "refuse to file"
    WITHDRAW = "withdraw"
    TRANSFER = "transfer"
    REFUSE_JURISDICTION = "refuse jurisdiction"
    DESIGNATE_JURISDICTION = "designate jurisdiction"
    START_MEASURE = "start measure"
    EXTEND_MEASURE = "extend measure"
    END_MEASURE = "end measure"
    RECORD_REVISIT = "record revisit"
    START_TRACKING = "start tracking"
    CLOSE_TRACKING = "close tracking"
    EXTEND_HANDLING_LIMIT = "extend handling limit"
    START_APPRAISAL = "start appraisal"
    END_APPRAISAL = "end appraisal"
    MARK_OUTSIDE_JURISDICTION = "mark outside jurisdiction"
    RECORD_NOT_FILING_NOTICE = "record not filing notice"
    RECORD_RECONSIDERATION_APPLICATION = "record reconsideration application"
    DECIDE_RECONSIDERATION = "decide reconsideration"
    EXTEND_RECONSIDERATION = "extend reconsideration"
    RECORD_REVIEW_APPLICATION = "record review application"
    DECIDE_REVIEW = "decide review"
    EXTEND_REVIEW = "extend review"
    RECORD_DETENTION_STEP = "record detention step"


C = CaseCommand
_HANDLER = frozenset({Role.HANDLER})
_CENTRE = frozenset({Role.SUPERVISOR, Role.LEADER})

PERMISSIONS: dict[CaseCommand, frozenset[Role]] = {
    C.REGISTER: frozenset({Role.INTEGRATION, Role.SUPERVISOR}),
    C.ACCEPT: _HANDLER,
    C.FILE: _HANDLER,
    C.START_INVESTIGATING: _HANDLER,
    C.CONCLUDE: _HANDLER,
    C.REFUSE_TO_FILE: _HANDLER,
    C.WITHDRAW: _HANDLER,
    # A unit hands a case on or declines it; the centre may record either for it.
    C.TRANSFER: frozenset({Role.HANDLER, Role.SUPERVISOR, Role.LEADER}),
    C.REFUSE_JURISDICTION: frozenset({Role.HANDLER, Role.SUPERVISOR}),
    C.DESIGNATE_JURISDICTION: _CENTRE,
    C.START_MEASURE: _HANDLER,
    C.EXTEND_MEASURE: _HANDLER,
    C.END_MEASURE: _HANDLER,
    # Revisits are made by the unit and, in Shenzhen's practice, by the centre (seed 000).
    C.RECORD_REVISIT: frozenset({Role.HANDLER, Role.SUPERVISOR}),
    C.START_TRACKING: _CENTRE,
    C.CLOSE_TRACKING: _CENTRE,
    # The handler records the next level's approval; a leader may record it directly.
    C.EXTEND_HANDLING_LIMIT: frozenset({Role.HANDLER, Role.LEADER}),
    C.START_APPRAISAL: _HANDLER,
    C.END_APPRAISAL: _HANDLER,
    # The unit finds the case is not its own (art. 175); the centre may record it as well.
    C.MARK_OUTSIDE_JURISDICTION: frozenset({Role.HANDLER, Role.SUPERVISOR}),
    C.RECORD_NOT_FILING_NOTICE: _HANDLER,
    # Applications are received by the unit (复议) or the one above it (复核), or at the centre;
    # the decisions and their extension (案情重大、复杂) are the centre's.
    C.RECORD_RECONSIDERATION_APPLICATION: frozenset({Role.HANDLER, Role.SUPERVISOR}),
    C.DECIDE_RECONSIDERATION: _CENTRE,
    C.EXTEND_RECONSIDERATION: _CENTRE,
    C.RECORD_REVIEW_APPLICATION: frozenset({Role.HANDLER, Role.SUPERVISOR}),
    C.DECIDE_REVIEW: _CENTRE,
    C.EXTEND_REVIEW: _CENTRE,
    C.RECORD_DETENTION_STEP: _HANDLER,
}


def authorise(actor: Actor, command: CaseCommand) -> None:
    if actor.role is Role.SYSTEM:
        return
    if actor.role not in PERMISSIONS[command]:
        allowed = ", ".join(sorted(r.value for r in PERMISSIONS[command]))
        raise Forbidden(f"role {actor.role.value} may not {command.value} a case ({allowed} may)")
