"""Case stages, kinds, and the transition table every command checks."""

from __future__ import annotations

from enum import StrEnum


class CaseStage(StrEnum):
    ALERT_RECEIVED = "ALERT_RECEIVED"  # 接警
    ACCEPTED = "ACCEPTED"  # 受案
    FILED = "FILED"  # 立案
    INVESTIGATING = "INVESTIGATING"  # 侦查
    CONCLUDED = "CONCLUDED"  # 结案
    NOT_FILED = "NOT_FILED"  # 不予立案
    WITHDRAWN = "WITHDRAWN"  # 撤案


class CaseKind(StrEnum):
    CRIMINAL = "CRIMINAL"  # 刑事
    ADMINISTRATIVE = "ADMINISTRATIVE"  # 行政 / 治安


class MeasureKind(StrEnum):
    CRIMINAL_DETENTION = "CRIMINAL_DETENTION"  # 刑事拘留
    BAIL = "BAIL"  # 取保候审
    RESIDENTIAL_SURVEILLANCE = "RESIDENTIAL_SURVEILLANCE"  # 监视居住


class RevisitOutcome(StrEnum):
    SATISFIED = "SATISFIED"
    BASICALLY_SATISFIED = "BASICALLY_SATISFIED"
    DISSATISFIED = "DISSATISFIED"


class DetentionStep(StrEnum):
    """The three things due within 24 h of a criminal detention (art. 126–128)."""

    SENT_TO_DETENTION_CENTRE = "SENT_TO_DETENTION_CENTRE"  # 送看守所羁押
    FAMILY_NOTIFIED = "FAMILY_NOTIFIED"  # 通知家属
    FIRST_INTERROGATION = "FIRST_INTERROGATION"  # 第一次讯问


class ChallengeLevel(StrEnum):
    """A challenge of not filing (art. 179): 复议 by the deciding body, then 复核 one level up."""

    RECONSIDERATION = "RECONSIDERATION"  # 复议
    REVIEW = "REVIEW"  # 复核


class ChallengeOutcome(StrEnum):
    UPHELD = "UPHELD"  # 维持不予立案
    OVERTURNED = "OVERTURNED"  # 撤销不予立案


S = CaseStage

# Commands that move the case to another stage.
_MOVES: dict[CaseStage, dict[str, CaseStage]] = {
    S.ALERT_RECEIVED: {"accept": S.ACCEPTED},
    S.ACCEPTED: {"file": S.FILED, "refuse to file": S.NOT_FILED},
    S.FILED: {"start investigating": S.INVESTIGATING, "withdraw": S.WITHDRAWN},
    S.INVESTIGATING: {"conclude": S.CONCLUDED, "withdraw": S.WITHDRAWN},
    S.CONCLUDED: {},
    S.NOT_FILED: {},
    S.WITHDRAWN: {},
}

OPEN_STAGES = frozenset({S.ALERT_RECEIVED, S.ACCEPTED, S.FILED, S.INVESTIGATING})
FINAL_STAGES = frozenset({S.CONCLUDED, S.NOT_FILED, S.WITHDRAWN})
_ACCEPTED_AND_OPEN = frozenset({S.ACCEPTED, S.FILED, S.INVESTIGATING})
_SINCE_ACCEPTANCE = frozenset(S) - {S.ALERT_RECEIVED}
_FILED_AND_OPEN = frozenset({S.FILED, S.INVESTIGATING})

# Commands that keep the stage, and the stages they are allowed in. Measures exist only on filed
# cases; ending one stays possible after the case ends so that no measure is left open.
_STAYS: dict[str, frozenset[CaseStage]] = {
    "transfer": OPEN_STAGES,
    "refuse jurisdiction": OPEN_STAGES,
    "designate jurisdiction": OPEN_STAGES,
    "start measure": _FILED_AND_OPEN,
    "extend measure": _FILED_AND_OPEN,
    "end measure": _FILED_AND_OPEN | {S.CONCLUDED, S.WITHDRAWN},
    "record revisit": _SINCE_ACCEPTANCE,
    "start tracking": OPEN_STAGES,
    "close tracking": frozenset(S),
    "extend handling limit": _ACCEPTED_AND_OPEN,
    "start appraisal": _ACCEPTED_AND_OPEN,
    "end appraisal": _SINCE_ACCEPTANCE,
    # The criminal-procedure clocks (migration 0008).
    "mark outside jurisdiction": OPEN_STAGES,
    "record not filing notice": frozenset({S.NOT_FILED}),
    "record reconsideration application": frozenset({S.NOT_FILED}),
    "decide reconsideration": frozenset({S.NOT_FILED}),
    "extend reconsideration": frozenset({S.NOT_FILED}),
    "record review application": frozenset({S.NOT_FILED}),
    "decide review": frozenset({S.NOT_FILED}),
    "extend review": frozenset({S.NOT_FILED}),
    "record detention step": _FILED_AND_OPEN | {S.CONCLUDED, S.WITHDRAWN},
}

# The transition table: from each stage, the commands allowed and the stage each leads to.
TRANSITIONS: dict[CaseStage, dict[str, CaseStage]] = {
    stage: {
        **moves,
        **{command: stage for command, stages in _STAYS.items() if stage in stages},
    }
    for stage, moves in _MOVES.items()
}

ALLOWED: dict[CaseStage, frozenset[CaseStage]] = {
    stage: frozenset(targets.values()) for stage, targets in TRANSITIONS.items()
}
