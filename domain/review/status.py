"""Review states, the kinds of review, and the transition tables every command checks."""

from __future__ import annotations

from enum import StrEnum


class ReviewKind(StrEnum):
    VERIFICATION = "VERIFICATION"  # 核查 / 倒查
    CASE_QUALITY_EVALUATION = "CASE_QUALITY_EVALUATION"  # 执法质量考评
    LEGAL_REVIEW = "LEGAL_REVIEW"  # 法制审核


class ReviewStatus(StrEnum):
    OPEN = "OPEN"  # opened, nobody assigned yet
    VERIFYING = "VERIFYING"  # verifiers (or evaluators, legal reviewers) at work
    CONCLUDED = "CONCLUDED"  # finding or evaluation recorded
    IN_SIGNOFF = "IN_SIGNOFF"  # the legal sign-off chain (五级审核) is running
    SIGNED_OFF = "SIGNED_OFF"  # every step of the chain approved
    CLOSED = "CLOSED"


class OriginType(StrEnum):
    """What started the review; the first three are items with an audit trail of their own."""

    COMPLAINT = "complaint"
    PETITION = "petition"
    CASE = "case"
    INSPECTION = "inspection"
    WARNING = "warning"  # an escalated warning (预警 → 核查)


class InspectionMethod(StrEnum):
    ONLINE_PATROL = "ONLINE_PATROL"  # 网上巡查
    SURPRISE_INSPECTION = "SURPRISE_INSPECTION"  # 飞行临检
    SPECIAL_EVALUATION = "SPECIAL_EVALUATION"  # 专项评查


class FindingResult(StrEnum):
    SUBSTANTIATED = "SUBSTANTIATED"  # 属实
    PARTLY_SUBSTANTIATED = "PARTLY_SUBSTANTIATED"  # 部分属实
    NOT_SUBSTANTIATED = "NOT_SUBSTANTIATED"  # 不属实


class FindingNature(StrEnum):
    """What was found: a flaw goes to evaluation, a fault to accountability."""

    FLAW = "FLAW"  # 执法瑕疵 → evaluation (考评)
    FAULT = "FAULT"  # 执法过错 → accountability (追责)
    NONE = "NONE"


class Rating(StrEnum):
    EXCELLENT = "EXCELLENT"  # 优秀
    QUALIFIED = "QUALIFIED"  # 合格
    UNQUALIFIED = "UNQUALIFIED"  # 不合格


class RectificationStatus(StrEnum):
    OPEN = "OPEN"  # 整改中
    DONE_REPORTED = "DONE_REPORTED"  # 已报整改完成
    RETURNED = "RETURNED"  # 退回重改
    CLOSED_OFF = "CLOSED_OFF"  # 已销号
    REOPENED = "REOPENED"  # 反弹: recurred within the watch period


class StepDecision(StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    RETURNED = "RETURNED"
    NOT_REACHED = "NOT_REACHED"  # a later step of a round that an earlier step returned


class Responsibility(StrEnum):
    """The role a step plays when fault is apportioned (办案人 / 审核人 / 审批人)."""

    HANDLER = "HANDLER"
    REVIEWER = "REVIEWER"
    APPROVER = "APPROVER"


class RecommendationStatus(StrEnum):
    ISSUED = "ISSUED"
    RESPONDED = "RESPONDED"


S = ReviewStatus
K = ReviewKind

# Commands on the review's follow-up items: rectifications (整改) and supervision recommendations
# (执法监督建议书). They run once there is something to follow up and until the review closes.
FOLLOW_UP = (
    "add rectification",
    "report rectification done",
    "close off rectification",
    "return rectification",
    "report rectification recurrence",
    "issue recommendation",
    "record recommendation response",
)
# Corrections of the file: before sign-off, and again while a returned chain is back at step 1.
REVISIONS = ("add evidence", "record finding", "record evaluation")


def _staying(status: ReviewStatus, commands: tuple[str, ...]) -> dict[str, ReviewStatus]:
    return dict.fromkeys(commands, status)


# The transition table: from each state, the commands allowed and the state each leads to.
# `Review.available()` narrows it by kind and by configuration (see KIND_GUARDS there).
TRANSITIONS: dict[ReviewStatus, dict[str, ReviewStatus]] = {
    S.OPEN: {
        "assign verifiers": S.VERIFYING,
        "add evidence": S.OPEN,
        "record evaluation": S.CONCLUDED,
        "start sign-off": S.IN_SIGNOFF,
    },
    S.VERIFYING: {
        "assign verifiers": S.VERIFYING,
        "add evidence": S.VERIFYING,
        "record finding": S.CONCLUDED,
        "record evaluation": S.CONCLUDED,
        "start sign-off": S.IN_SIGNOFF,
    },
    S.CONCLUDED: {
        **_staying(S.CONCLUDED, REVISIONS),
        **_staying(S.CONCLUDED, FOLLOW_UP),
        "start sign-off": S.IN_SIGNOFF,
        "close": S.CLOSED,
    },
    S.IN_SIGNOFF: {
        **_staying(S.IN_SIGNOFF, REVISIONS),
        **_staying(S.IN_SIGNOFF, FOLLOW_UP),
        "approve step": S.IN_SIGNOFF,
        "approve last step": S.SIGNED_OFF,
        "return step": S.IN_SIGNOFF,
    },
    S.SIGNED_OFF: {**_staying(S.SIGNED_OFF, FOLLOW_UP), "close": S.CLOSED},
    S.CLOSED: {},
}

# What concludes each kind before its sign-off: a verification signs its finding, an evaluation
# its scores; a legal review (法制审核) is concluded by the sign-off itself.
CONCLUSION: dict[ReviewKind, str | None] = {
    K.VERIFICATION: "record finding",
    K.CASE_QUALITY_EVALUATION: "record evaluation",
    K.LEGAL_REVIEW: None,
}

OPEN_STATUSES = frozenset(set(S) - {S.CLOSED})

# Each rectification item's own life cycle.
R = RectificationStatus
RECTIFICATION_TRANSITIONS: dict[RectificationStatus, dict[str, RectificationStatus]] = {
    R.OPEN: {"report rectification done": R.DONE_REPORTED},
    R.DONE_REPORTED: {
        "close off rectification": R.CLOSED_OFF,
        "return rectification": R.RETURNED,
    },
    R.RETURNED: {"report rectification done": R.DONE_REPORTED},
    R.CLOSED_OFF: {"report rectification recurrence": R.REOPENED},
    R.REOPENED: {"report rectification done": R.DONE_REPORTED},
}
PENDING_RECTIFICATION = frozenset({R.OPEN, R.RETURNED, R.REOPENED})
