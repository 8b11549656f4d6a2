"""Who may run which review command (refused with FORBIDDEN otherwise).

Roles are the first gate. Commands on units' work add a second, checked by the service: a
handler acts only for units in its own subtree, and a sign-off step is signed only by its holder.
"""

from __future__ import annotations

from enum import StrEnum

from domain.actor import Actor, Role
from domain.errors import Forbidden


class ReviewCommand(StrEnum):
    OPEN = "open"
    ASSIGN_VERIFIERS = "assign verifiers"
    ADD_EVIDENCE = "add evidence"
    RECORD_FINDING = "record finding"
    ADD_RECTIFICATION = "add rectification"
    REPORT_RECTIFICATION_DONE = "report rectification done"
    CLOSE_OFF_RECTIFICATION = "close off rectification"
    RETURN_RECTIFICATION = "return rectification"
    REPORT_RECTIFICATION_RECURRENCE = "report rectification recurrence"
    START_SIGNOFF = "start sign-off"
    SIGN_STEP = "sign step"
    RECORD_EVALUATION = "record evaluation"
    ISSUE_RECOMMENDATION = "issue recommendation"
    RECORD_RECOMMENDATION_RESPONSE = "record recommendation response"
    CLOSE = "close"


C = ReviewCommand
_CENTRE = frozenset({Role.SUPERVISOR, Role.LEADER})
# The verifying unit (验收单位) closes off or returns: its handler, or the centre.
_VERIFIERS = _CENTRE | {Role.HANDLER}
# A step is signed by whoever holds it, whatever their role; auditors only read, and an
# integration is not a person who can hold a step.
_SIGNERS = frozenset(Role) - {Role.AUDITOR, Role.INTEGRATION, Role.SYSTEM}

PERMISSIONS: dict[ReviewCommand, frozenset[Role]] = {
    C.OPEN: _CENTRE,
    C.ASSIGN_VERIFIERS: _CENTRE,
    C.ADD_EVIDENCE: _CENTRE,
    C.RECORD_FINDING: _CENTRE,
    C.ADD_RECTIFICATION: _CENTRE,
    C.REPORT_RECTIFICATION_DONE: frozenset({Role.HANDLER}),
    C.CLOSE_OFF_RECTIFICATION: _VERIFIERS,
    C.RETURN_RECTIFICATION: _VERIFIERS,
    C.REPORT_RECTIFICATION_RECURRENCE: _VERIFIERS,
    C.START_SIGNOFF: _CENTRE,
    C.SIGN_STEP: _SIGNERS,
    # Case-quality evaluation (执法质量考评) is the legal department's work as well as the centre's.
    C.RECORD_EVALUATION: _CENTRE | {Role.LEGAL},
    C.ISSUE_RECOMMENDATION: _CENTRE,
    C.RECORD_RECOMMENDATION_RESPONSE: frozenset({Role.HANDLER}),
    C.CLOSE: _CENTRE,
}


def authorise(actor: Actor, command: ReviewCommand) -> None:
    if actor.role is Role.SYSTEM:
        return
    if actor.role not in PERMISSIONS[command]:
        allowed = ", ".join(sorted(r.value for r in PERMISSIONS[command]))
        raise Forbidden(
            f"role {actor.role.value} may not {command.value} on a review ({allowed} may)"
        )
