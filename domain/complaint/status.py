"""Complaint states and the transition table every command checks."""

from __future__ import annotations

from enum import StrEnum


class ComplaintStatus(StrEnum):
    RECEIVED = "RECEIVED"
    TRIAGED = "TRIAGED"
    HANDLING = "HANDLING"
    REPLIED = "REPLIED"
    CALLED_BACK = "CALLED_BACK"
    CLOSED = "CLOSED"
    MERGED = "MERGED"
    REJECTED = "REJECTED"


class Satisfaction(StrEnum):
    SATISFIED = "SATISFIED"
    BASICALLY_SATISFIED = "BASICALLY_SATISFIED"
    DISSATISFIED = "DISSATISFIED"


S = ComplaintStatus

# The transition table: from each state, the commands allowed and the state each leads to.
# Re-triage (TRIAGED --triage--> TRIAGED) re-routes an item before anyone starts on it.
TRANSITIONS: dict[ComplaintStatus, dict[str, ComplaintStatus]] = {
    S.RECEIVED: {"triage": S.TRIAGED, "merge": S.MERGED, "reject": S.REJECTED},
    S.TRIAGED: {
        "triage": S.TRIAGED,
        "start handling": S.HANDLING,
        "merge": S.MERGED,
        "reject": S.REJECTED,
    },
    S.HANDLING: {"reply": S.REPLIED},
    S.REPLIED: {"record callback": S.CALLED_BACK},
    S.CALLED_BACK: {"close": S.CLOSED, "reopen": S.HANDLING},
    S.CLOSED: {"reopen": S.HANDLING},
    S.MERGED: {},
    S.REJECTED: {},
}

ALLOWED: dict[ComplaintStatus, frozenset[ComplaintStatus]] = {
    status: frozenset(targets.values()) for status, targets in TRANSITIONS.items()
}

OPEN_STATUSES = frozenset({S.RECEIVED, S.TRIAGED, S.HANDLING, S.REPLIED, S.CALLED_BACK})
