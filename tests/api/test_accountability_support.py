"""Builders shared by the accountability API tests: reviews and accountabilities set up through
service calls (this module has no tests)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from api.relay import to_global_id
from domain.accountability.aggregate import Accountability, MeasureOrder
from domain.accountability.status import Culpability, MeasureKind, SubjectRole
from domain.actor import Actor, Role
from domain.review.aggregate import Review
from domain.review.status import FindingNature, FindingResult
from service import accountability as accountabilities
from service import review as reviews
from service.accountability import OpenAccountability, PersonInput
from service.context import Call, Runtime
from tests.api.test_review_fixtures import (
    ACCOUNTS,
    HOLDERS,
    SIGNER_ROLES,
    SIGNER_UNITS,
    concluded,
    from_complaint,
    in_signoff,
    inspection,
)

SUPERVISOR = Actor(subject="api-supervisor", role=Role.SUPERVISOR)
LEADER = Actor(subject="api-leader", role=Role.LEADER)
# Seed 000: the on-duty leader, the lead officer and the auxiliary of 香蜜湖派出所 (FT-XS).
ON_DUTY = "P-FT-XS-001"
LEAD = "P-FT-XS-002"
LEAD_ACCOUNT = "liming"
AUX = "A-FT-XS-003"
FAULT_DAY = date(2026, 11, 20)
PERSONS = (
    PersonInput(officer_code=ON_DUTY, role=SubjectRole.ON_DUTY_LEADER),
    PersonInput(officer_code=LEAD, role=SubjectRole.LEAD_OFFICER),
    PersonInput(officer_code=AUX, role=SubjectRole.AUXILIARY),
)
MEASURES = (
    MeasureOrder(ON_DUTY, MeasureKind.POST_ADJUSTMENT),
    MeasureOrder(LEAD, MeasureKind.DEMERIT),
    MeasureOrder(AUX, MeasureKind.CRITICISM_EDUCATION),
)

OUTCOME = """
fragment Outcome on AccountabilityChangeResult {
  __typename
  ... on Accountability { id version status }
  ... on Error { code message }
  ... on ValidationError { field }
  ... on ConflictError { currentVersion }
  ... on InvalidTransitionError { currentStatus attempted allowedNextStatuses }
}
"""


def call(runtime: Runtime, actor: Actor = SUPERVISOR) -> Call:
    return Call(runtime=runtime, actor=actor, request_id="api-test")


def gid(item: Accountability) -> str:
    return to_global_id("Accountability", item.id)


def review_gid(review: Review) -> str:
    return to_global_id("Review", review.id)


def holder(step_no: int) -> Actor:
    code = HOLDERS[step_no]
    return Actor(
        subject=ACCOUNTS[code], role=SIGNER_ROLES[step_no], unit=SIGNER_UNITS[step_no], officer=code
    )


async def signed_off(runtime: Runtime, review: Review) -> Review:
    """Every step of the five-level chain approved by its holder: SIGNED_OFF."""
    review = await in_signoff(runtime, review)
    for step_no in sorted(HOLDERS):
        review = await reviews.sign_step(
            call(runtime, holder(step_no)),
            UUID(review.id),
            review.version,
            step_no=step_no,
            approve=True,
            comment=None,
        )
    return review


async def fault_review(runtime: Runtime, *, complaint_id: str | None = None) -> Review:
    """A verification whose finding is a fault (执法过错), signed off."""
    review = (
        await from_complaint(runtime, complaint_id) if complaint_id else await inspection(runtime)
    )
    return await signed_off(runtime, await concluded(runtime, review))


async def flaw_review(runtime: Runtime) -> Review:
    """A verification whose finding is a flaw (执法瑕疵), concluded."""
    review = await inspection(runtime)
    rid = UUID(review.id)
    review = await reviews.assign_verifiers(
        call(runtime), rid, review.version, officer_codes=("P-JDZX-001",)
    )
    review = await reviews.add_evidence(
        call(runtime), rid, review.version, description="案卷", attachment_sha256=None
    )
    return await reviews.record_finding(
        call(runtime),
        rid,
        review.version,
        result=FindingResult.PARTLY_SUBSTANTIATED,
        nature=FindingNature.FLAW,
        summary="文书填写不规范，属执法瑕疵。",
    )


async def opened(
    runtime: Runtime,
    review: Review | None = None,
    *,
    persons: tuple[PersonInput, ...] = PERSONS,
    culpability: Culpability = Culpability.NEGLIGENCE,
    fault_date: date = FAULT_DAY,
) -> Accountability:
    review = review or await fault_review(runtime)
    return await accountabilities.open_accountability(
        call(runtime),
        OpenAccountability(
            review_id=UUID(review.id),
            fault_type_code="BUCK_PASSING",
            fault_type="接处警推诿扯皮",
            fault_date=fault_date,
            culpability=culpability,
            persons=persons,
        ),
    )


async def proposed(runtime: Runtime, item: Accountability | None = None) -> Accountability:
    item = item or await opened(runtime)
    return await accountabilities.propose_measures(
        call(runtime), UUID(item.id), item.version, orders=MEASURES
    )


async def decided(runtime: Runtime, item: Accountability | None = None) -> Accountability:
    item = await proposed(runtime, item)
    return await accountabilities.decide(
        call(runtime, LEADER), UUID(item.id), item.version, orders=None, note="经研究决定"
    )


def lead_handler() -> dict[str, Any]:
    """The lead officer's own token: a handler of FT-XS whose subject is the officer's account."""
    return {"role": Role.HANDLER, "unit": "FT-XS", "sub": LEAD_ACCOUNT}
