"""Builders shared by the review API tests: reviews set up through service calls (no tests here)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from api.relay import to_global_id
from domain.actor import Actor, Role
from domain.review.aggregate import CriterionScore, Review
from domain.review.status import (
    FindingNature,
    FindingResult,
    InspectionMethod,
    OriginType,
    Rating,
    ReviewKind,
)
from service import review as reviews
from service.context import Call, Runtime
from service.review import OpenReview

SUPERVISOR = Actor(subject="api-supervisor", role=Role.SUPERVISOR)
# The five levels of the chain, held by officers of the demo city (reference/demo-city.json).
HOLDERS = {1: "P-FT-XS-001", 2: "P-FT-001", 3: "P-FZ-001", 4: "P-ZA-001", 5: "P-JDZX-001"}
ACCOUNTS = {
    "P-FT-XS-001": "wangjg",
    "P-FT-001": "linzy",
    "P-FZ-001": "huangj",
    "P-ZA-001": "dengl",
    "P-JDZX-001": "liuy",
}
# The role each holder's token carries when signing over HTTP.
SIGNER_ROLES = {1: Role.HANDLER, 2: Role.LEADER, 3: Role.LEGAL, 4: Role.LEGAL, 5: Role.LEADER}
SIGNER_UNITS = {1: "FT-XS", 2: None, 3: None, 4: None, 5: None}


def handler(unit: str) -> Actor:
    return Actor(subject=f"api-handler-{unit.lower()}", role=Role.HANDLER, unit=unit)


def call(runtime: Runtime, actor: Actor = SUPERVISOR) -> Call:
    return Call(runtime=runtime, actor=actor, request_id="api-test")


def rid(review: Review) -> str:
    """The review's Relay global id, as clients see it."""
    return to_global_id("Review", review.id)


def signer(step_no: int) -> dict[str, Any]:
    """Who signs step `step_no` over HTTP: the holder's account as the token subject."""
    return {
        "role": SIGNER_ROLES[step_no],
        "unit": SIGNER_UNITS[step_no],
        "sub": ACCOUNTS[HOLDERS[step_no]],
    }


async def inspection(
    runtime: Runtime,
    *,
    kind: ReviewKind = ReviewKind.VERIFICATION,
    unit: str = "FT",
    subject: str = "网上巡查发现降格处理",
) -> Review:
    return await reviews.open_review(
        call(runtime),
        OpenReview(
            kind=kind,
            subject=subject,
            unit_code=unit,
            origin_type=OriginType.INSPECTION,
            inspection_method=InspectionMethod.ONLINE_PATROL,
            inspection_description="巡查发现治安案件降格处理",
        ),
    )


async def from_complaint(
    runtime: Runtime, complaint_id: str, *, kind: ReviewKind = ReviewKind.VERIFICATION
) -> Review:
    return await reviews.open_review(
        call(runtime),
        OpenReview(
            kind=kind,
            subject="倒查三个派出所互相推诿",
            unit_code="FT",
            origin_type=OriginType.COMPLAINT,
            origin_id=complaint_id,
        ),
    )


async def concluded(runtime: Runtime, review: Review) -> Review:
    """Verifiers assigned, one item of evidence, a partly-substantiated fault: CONCLUDED, v4."""
    rid_ = UUID(review.id)
    review = await reviews.assign_verifiers(
        call(runtime), rid_, review.version, officer_codes=("P-JDZX-001", "P-DC-001")
    )
    review = await reviews.add_evidence(
        call(runtime), rid_, review.version, description="接处警录音", attachment_sha256=None
    )
    return await reviews.record_finding(
        call(runtime),
        rid_,
        review.version,
        result=FindingResult.PARTLY_SUBSTANTIATED,
        nature=FindingNature.FAULT,
        summary="值班领导未指定管辖，推诿部分属实。",
    )


async def with_rectification(
    runtime: Runtime,
    review: Review,
    *,
    owner: str = "FT-XS",
    verifier: str | None = "SZ-DC",
    watch_days: int | None = None,
    due_date: date | None = None,
) -> Review:
    return await reviews.add_rectification(
        call(runtime),
        UUID(review.id),
        review.version,
        owner_unit_code=owner,
        verifying_unit_code=verifier,
        requirement="建立首接责任制",
        due_date=due_date,
        watch_days=watch_days,
    )


async def rectification_done(runtime: Runtime, review: Review, *, no: int = 1) -> Review:
    owner = review.rectification(no).owner_unit
    return await reviews.report_rectification_done(
        call(runtime, handler(owner)), UUID(review.id), review.version, no=no, note="已整改"
    )


async def with_recommendation(runtime: Runtime, review: Review, *, unit: str = "FT") -> Review:
    return await reviews.issue_recommendation(
        call(runtime), UUID(review.id), review.version, unit_code=unit, content="建议完善制度"
    )


async def in_signoff(runtime: Runtime, review: Review) -> Review:
    return await reviews.start_signoff(
        call(runtime), UUID(review.id), review.version, holders=HOLDERS
    )


async def evaluated(runtime: Runtime, *, unit: str, rating: Rating = Rating.QUALIFIED) -> Review:
    """A case-quality evaluation of `unit`, rated now."""
    review = await inspection(runtime, kind=ReviewKind.CASE_QUALITY_EVALUATION, unit=unit)
    return await reviews.record_evaluation(
        call(runtime),
        UUID(review.id),
        review.version,
        scores=(CriterionScore("FILING", 18, 20), CriterionScore("EVIDENCE", 25, 30)),
        rating=rating,
        note=None,
    )
