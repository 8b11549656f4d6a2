"""Accountability states, the kinds of its parts, and the transition table every command checks."""

from __future__ import annotations

from enum import StrEnum


class AccountabilityStatus(StrEnum):
    OPEN = "OPEN"  # fault determined (过错认定): subjects and shares being settled
    PROPOSED = "PROPOSED"  # measures proposed, waiting for a leader's decision
    DECIDED = "DECIDED"  # decided; the appeal window (申诉期) runs
    APPEALED = "APPEALED"  # at least one appeal (申诉) waits for its decision
    APPEAL_DECIDED = "APPEAL_DECIDED"  # every appeal lodged so far is decided


class SubjectRole(StrEnum):
    """A person's role in the matter (seed 000: 值班所领导, 主办民警, 聘员)."""

    ON_DUTY_LEADER = "ON_DUTY_LEADER"  # 值班所领导
    LEAD_OFFICER = "LEAD_OFFICER"  # 主办民警
    AUXILIARY = "AUXILIARY"  # 聘员 / 辅警
    OTHER = "OTHER"


class SubjectKind(StrEnum):
    PERSON = "PERSON"
    UNIT = "UNIT"


class Responsibility(StrEnum):
    DIRECT = "DIRECT"  # 直接责任
    LEADERSHIP = "LEADERSHIP"  # 领导责任


class ChainRole(StrEnum):
    """Role in the decision chain, by which a fault is apportioned."""

    HANDLING_OFFICER = "HANDLING_OFFICER"  # 办案人
    REVIEWER = "REVIEWER"  # 审核人
    APPROVER = "APPROVER"  # 审批人
    APPRAISER = "APPRAISER"  # 鉴定人


class Culpability(StrEnum):
    """The fault's mental element; intent and gross negligence follow the person for life."""

    INTENT = "INTENT"  # 故意
    GROSS_NEGLIGENCE = "GROSS_NEGLIGENCE"  # 重大过失
    NEGLIGENCE = "NEGLIGENCE"  # 一般过失

    @property
    def lifelong(self) -> bool:
        """终身追责: intentional or grossly negligent faults."""
        return self is not Culpability.NEGLIGENCE


class MeasureKind(StrEnum):
    CRITICISM_EDUCATION = "CRITICISM_EDUCATION"  # 批评教育
    ADMONISHMENT = "ADMONISHMENT"  # 诫勉
    POST_ADJUSTMENT = "POST_ADJUSTMENT"  # 调整职务
    ORDERED_RESIGNATION = "ORDERED_RESIGNATION"  # 责令辞职
    SUSPENSION = "SUSPENSION"  # 停止执行职务, 10–60 日
    CONFINEMENT = "CONFINEMENT"  # 禁闭, 1–7 日
    WARNING = "WARNING"  # 警告
    DEMERIT = "DEMERIT"  # 记过
    MAJOR_DEMERIT = "MAJOR_DEMERIT"  # 记大过
    DEMOTION = "DEMOTION"  # 降级
    DISMISSAL_FROM_POST = "DISMISSAL_FROM_POST"  # 撤职
    EXPULSION = "EXPULSION"  # 开除 (no sanction period)

    @property
    def is_sanction(self) -> bool:
        """A disciplinary sanction (政务处分 / 处分); one person takes at most one per matter."""
        return self in SANCTIONS

    @property
    def needs_days(self) -> bool:
        """Suspension and confinement are set in days within their rule's range."""
        return self in {MeasureKind.SUSPENSION, MeasureKind.CONFINEMENT}

    @property
    def for_units(self) -> bool:
        """Only criticism (通报批评) applies to a unit; every other measure is personal."""
        return self is MeasureKind.CRITICISM_EDUCATION


SANCTIONS = frozenset(
    {
        MeasureKind.WARNING,
        MeasureKind.DEMERIT,
        MeasureKind.MAJOR_DEMERIT,
        MeasureKind.DEMOTION,
        MeasureKind.DISMISSAL_FROM_POST,
        MeasureKind.EXPULSION,
    }
)
# Measures whose period a clock rule times (clock `accountability.measure`, scope = the kind).
TIMED = frozenset(
    {
        MeasureKind.SUSPENSION,
        MeasureKind.CONFINEMENT,
        MeasureKind.WARNING,
        MeasureKind.DEMERIT,
        MeasureKind.MAJOR_DEMERIT,
        MeasureKind.DEMOTION,
        MeasureKind.DISMISSAL_FROM_POST,
    }
)


class MeasureStatus(StrEnum):
    IN_FORCE = "IN_FORCE"
    SUPERSEDED = "SUPERSEDED"  # replaced by an appeal decision CHANGED
    REVOKED = "REVOKED"  # an appeal decision REVOKED


class AppealOutcome(StrEnum):
    UPHELD = "UPHELD"  # 维持
    CHANGED = "CHANGED"  # 变更
    REVOKED = "REVOKED"  # 撤销


S = AccountabilityStatus

# The transition table: from each state, the commands allowed and the state each leads to.
# `Accountability.available()` narrows "decide appeal" / "decide last appeal" by how many appeals
# are pending, as the review narrows its sign-off steps.
TRANSITIONS: dict[AccountabilityStatus, dict[str, AccountabilityStatus]] = {
    S.OPEN: {"change shares": S.OPEN, "propose measures": S.PROPOSED},
    S.PROPOSED: {
        "change shares": S.PROPOSED,
        "propose measures": S.PROPOSED,
        "decide": S.DECIDED,
    },
    S.DECIDED: {"appeal": S.APPEALED, "publish": S.DECIDED},
    S.APPEALED: {
        "appeal": S.APPEALED,
        "decide appeal": S.APPEALED,
        "decide last appeal": S.APPEAL_DECIDED,
    },
    S.APPEAL_DECIDED: {"appeal": S.APPEALED, "publish": S.APPEAL_DECIDED},
}

ALLOWED: dict[AccountabilityStatus, frozenset[AccountabilityStatus]] = {
    status: frozenset(targets.values()) for status, targets in TRANSITIONS.items()
}
