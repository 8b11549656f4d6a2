"""Builders of reviews in every state, shared by the review unit tests (this module has no tests)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from domain.deadlines import ClockRule, ClockUnit, HolidayCalendar
from domain.review.aggregate import CriterionScore, Origin, Review, StepTemplate
from domain.review.clocks import RECOMMENDATION_RESPONSE, RECTIFICATION, ReviewClocks
from domain.review.status import (
    FindingNature,
    FindingResult,
    InspectionMethod,
    OriginType,
    Rating,
    Responsibility,
    ReviewKind,
    ReviewStatus,
)

S = ReviewStatus
K = ReviewKind
SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(day: int, hour: int = 10, month: int = 11) -> datetime:
    """A moment in late 2026, Shanghai time (2026-11-23 is a Monday)."""
    return datetime(2026, month, day, hour, tzinfo=SHANGHAI)


AT = shanghai(23)
RECTIFICATION_RULE = ClockRule(
    code="review.rectification.DEFAULT",
    name="整改期限",
    start_event="review.rectification_added",
    unit=ClockUnit.CALENDAR_DAYS,
    limit=30,
    basis="local rule: 30 日",
)
RESPONSE_RULE = ClockRule(
    code="review.recommendation_response.DEFAULT",
    name="执法监督建议书回复",
    start_event="review.recommendation_issued",
    unit=ClockUnit.CALENDAR_DAYS,
    limit=15,
    basis="local rule: 15 日",
)
CLOCKS = ReviewClocks(
    rules={
        (RECTIFICATION, "DEFAULT"): RECTIFICATION_RULE,
        (RECOMMENDATION_RESPONSE, "DEFAULT"): RESPONSE_RULE,
    },
    calendar=HolidayCalendar(),
    tz=SHANGHAI,
)
NO_CLOCKS = ReviewClocks(rules={}, calendar=HolidayCalendar(), tz=SHANGHAI)

FIVE_LEVELS = (
    StepTemplate(1, "HANDLING_OFFICER", "办案民警", Responsibility.HANDLER),
    StepTemplate(2, "UNIT_LEADER", "单位分管领导", Responsibility.REVIEWER),
    StepTemplate(3, "LEGAL_SUPERVISOR", "法制监督员", Responsibility.REVIEWER),
    StepTemplate(4, "LEGAL_OFFICER", "法制员", Responsibility.REVIEWER),
    StepTemplate(5, "BUREAU_LEADER", "局领导", Responsibility.APPROVER),
)
HOLDERS = {1: "P-FT-XS-001", 2: "P-FT-001", 3: "P-FZ-001", 4: "P-ZA-001", 5: "P-JDZX-001"}

_ids = itertools.count(1)


def opened(
    kind: ReviewKind = K.VERIFICATION,
    *,
    plan: tuple[StepTemplate, ...] = FIVE_LEVELS,
    at: datetime = AT,
) -> Review:
    n = next(_ids)
    return Review.open(
        id=f"R-{n:04d}",
        kind=kind,
        subject="倒查三个派出所互相推诿",
        unit="FT",
        origin=Origin(type=OriginType.COMPLAINT, id=str(UUID(int=n))),
        correlation=UUID(int=10_000 + n),
        plan=plan,
        at=at,
    )


def inspection(kind: ReviewKind = K.VERIFICATION) -> Review:
    n = next(_ids)
    return Review.open(
        id=f"R-{n:04d}",
        kind=kind,
        subject="网上巡查发现降格处理",
        unit="FT-XS",
        origin=Origin(
            type=OriginType.INSPECTION,
            method=InspectionMethod.ONLINE_PATROL,
            description="巡查发现治安案件降格处理",
        ),
        correlation=UUID(int=20_000 + n),
        plan=FIVE_LEVELS,
        at=AT,
    )


def concluded(review: Review, *, at: datetime = AT) -> Review:
    """Bring a verification or an evaluation to CONCLUDED."""
    if review.kind is K.VERIFICATION:
        review.assign_verifiers(officers=("P-JDZX-001", "P-DC-001"), at=at)
        review.add_evidence(description="接处警记录", attachment_sha256="ab" * 32, at=at)
        review.record_finding(
            result=FindingResult.PARTLY_SUBSTANTIATED,
            nature=FindingNature.FAULT,
            summary="值班领导未指定管辖，推诿属实。",
            at=at,
        )
    elif review.kind is K.CASE_QUALITY_EVALUATION:
        review.record_evaluation(
            scores=(CriterionScore("FILING", 18, 20), CriterionScore("EVIDENCE", 27, 30)),
            rating=Rating.QUALIFIED,
            note=None,
            at=at,
        )
    else:
        raise ValueError("a legal review is concluded by its sign-off")
    assert review.status is S.CONCLUDED
    return review


def in_signoff(review: Review, *, at: datetime = AT) -> Review:
    if review.kind is K.LEGAL_REVIEW:
        review.assign_verifiers(officers=("P-FZ-001",), at=at)
    elif review.status is not S.CONCLUDED:
        concluded(review, at=at)
    review.start_signoff(holders=HOLDERS, at=at)
    assert review.status is S.IN_SIGNOFF
    return review


def sign_all(review: Review, *, at: datetime = AT) -> Review:
    while review.status is S.IN_SIGNOFF:
        step = review.current_step()
        assert step is not None
        review.sign_step(
            step_no=step.step_no, approve=True, comment=None, signer=step.holder, at=at
        )
    assert review.status is S.SIGNED_OFF
    return review


def later(days: int) -> datetime:
    return AT + timedelta(days=days)
