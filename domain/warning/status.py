"""Warning levels, states, subjects, and the transitions every command checks."""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    """The three colours of local practice, least to most urgent."""

    BLUE = "BLUE"
    ORANGE = "ORANGE"
    RED = "RED"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Level.BLUE: 1, Level.ORANGE: 2, Level.RED: 3}


class WarningStatus(StrEnum):
    RAISED = "RAISED"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    ESCALATED = "ESCALATED"  # a review took it up; resolves when its condition clears
    DISMISSED = "DISMISSED"
    RESOLVED = "RESOLVED"  # its condition cleared


# At most one warning in these states per rule, subject and window (a unique index holds it).
OPEN = frozenset({WarningStatus.RAISED, WarningStatus.ACKNOWLEDGED, WarningStatus.ESCALATED})


class SubjectKind(StrEnum):
    ITEM = "ITEM"  # one complaint, case, petition, review (or one of its clocks)
    OFFICER = "OFFICER"
    UNIT = "UNIT"
    COMPLAINANT = "COMPLAINANT"  # named by a salted commitment, never by personal data


S = WarningStatus
TRANSITIONS: dict[WarningStatus, dict[str, WarningStatus]] = {
    S.RAISED: {
        "acknowledge": S.ACKNOWLEDGED,
        "dismiss": S.DISMISSED,
        "escalate": S.ESCALATED,
        "resolve": S.RESOLVED,
        "change level": S.RAISED,
    },
    S.ACKNOWLEDGED: {
        "dismiss": S.DISMISSED,
        "escalate": S.ESCALATED,
        "resolve": S.RESOLVED,
        "change level": S.ACKNOWLEDGED,
    },
    S.ESCALATED: {"resolve": S.RESOLVED, "change level": S.ESCALATED},
    S.DISMISSED: {},
    S.RESOLVED: {},
}
