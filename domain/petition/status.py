"""Petition states, findings and the transition table every command checks."""

from __future__ import annotations

from enum import StrEnum


class PetitionStatus(StrEnum):
    REGISTERED = "REGISTERED"  # 登记并转送/交办, awaiting the receiving unit's decision
    RETURNED = "RETURNED"  # 退回: the receiving unit objects to the routing (art. 23–24)
    NOT_ACCEPTED = "NOT_ACCEPTED"  # 不予受理
    ACCEPTED = "ACCEPTED"  # 受理
    HANDLING = "HANDLING"  # 办理中
    ANSWERED = "ANSWERED"  # 出具处理意见 (art. 32)
    REVIEW_REQUESTED = "REVIEW_REQUESTED"  # 请求复查 (art. 35)
    REVIEWED = "REVIEWED"  # 复查意见
    RE_EXAMINATION_REQUESTED = "RE_EXAMINATION_REQUESTED"  # 请求复核 (art. 36)
    RE_EXAMINED = "RE_EXAMINED"  # 复核意见: the same matter is not accepted again
    CLOSED = "CLOSED"  # 办结归档


class Finding(StrEnum):
    """The finding of an answer, a review or a re-examination (信访工作条例 art. 32)."""

    SUPPORT = "SUPPORT"  # 支持
    EXPLAIN = "EXPLAIN"  # 解释说明
    NOT_SUPPORT = "NOT_SUPPORT"  # 不予支持


class SupervisionLevel(StrEnum):
    MINISTRY = "MINISTRY"  # 部督
    PROVINCE = "PROVINCE"  # 省厅督办
    CITY = "CITY"  # 市局


class RoutingDecision(StrEnum):
    """What the common superior decided about a disputed routing (art. 24)."""

    UPHELD = "UPHELD"  # the receiving unit keeps the item
    REASSIGNED = "REASSIGNED"  # the item goes to another unit


class BacklogCause(StrEnum):
    HANDLING_OVERDUE = "HANDLING_OVERDUE"  # 60 + 30 日 passed without an answer
    REPEATED_AFTER_RE_EXAMINATION = "REPEATED_AFTER_RE_EXAMINATION"  # 复核后仍重复信访
    DESIGNATED = "DESIGNATED"  # marked by the centre


class JudicialAidStatus(StrEnum):
    APPLIED = "APPLIED"
    GRANTED = "GRANTED"
    REFUSED = "REFUSED"


class Outcome(StrEnum):
    STOPPED = "STOPPED"  # 息诉罢访
    SETTLED = "SETTLED"  # 案结事了
    CONTINUING = "CONTINUING"  # still petitioning


S = PetitionStatus

# Commands that record backlog work (积案化解) or judge the backlog; they never move the state.
WORK_COMMANDS = (
    "mark as backlog",
    "assign a leader to",
    "record a dispatch on",
    "record an interview on",
    "record a lawyer on",
    "refer to legal aid",
    "record judicial aid on",
    "record the outcome of",
)
ATTACH = "add an attachment to"
REPEAT = "record a repeated arrival of"

_WORK_STATES = (
    S.ACCEPTED,
    S.HANDLING,
    S.ANSWERED,
    S.REVIEW_REQUESTED,
    S.REVIEWED,
    S.RE_EXAMINATION_REQUESTED,
    S.RE_EXAMINED,
    S.CLOSED,
)


def _with_work(status: PetitionStatus, moves: dict[str, PetitionStatus]) -> dict[str, S]:
    """Backlog work stays in the state: a backlog is often procedurally ended yet unresolved."""
    table = dict(moves)
    if status in _WORK_STATES:
        table.update(dict.fromkeys(WORK_COMMANDS, status))
    table[ATTACH] = status  # the case file (案卷) grows in every state
    return table


# The transition table: from each state, the commands allowed and the state each leads to.
TRANSITIONS: dict[PetitionStatus, dict[str, PetitionStatus]] = {
    status: _with_work(status, moves)
    for status, moves in {
        S.REGISTERED: {
            "accept": S.ACCEPTED,
            "refuse": S.NOT_ACCEPTED,
            "object to the routing of": S.RETURNED,
        },
        S.RETURNED: {"decide the routing of": S.REGISTERED},
        S.NOT_ACCEPTED: {},
        S.ACCEPTED: {"start handling": S.HANDLING, "extend the handling of": S.ACCEPTED},
        S.HANDLING: {"answer": S.ANSWERED, "extend the handling of": S.HANDLING},
        S.ANSWERED: {"request review of": S.REVIEW_REQUESTED, "close": S.CLOSED},
        S.REVIEW_REQUESTED: {"decide the review of": S.REVIEWED},
        S.REVIEWED: {"request re-examination of": S.RE_EXAMINATION_REQUESTED, "close": S.CLOSED},
        S.RE_EXAMINATION_REQUESTED: {"decide the re-examination of": S.RE_EXAMINED},
        S.RE_EXAMINED: {"close": S.CLOSED, REPEAT: S.RE_EXAMINED},
        S.CLOSED: {REPEAT: S.CLOSED},
    }.items()
}

ALLOWED: dict[PetitionStatus, frozenset[PetitionStatus]] = {
    status: frozenset(targets.values()) for status, targets in TRANSITIONS.items()
}

# States in which the handling clock runs (accepted, not yet answered).
UNANSWERED = frozenset({S.ACCEPTED, S.HANDLING})
OPEN_STATUSES = frozenset(set(PetitionStatus) - {S.NOT_ACCEPTED, S.CLOSED})
