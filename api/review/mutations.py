"""Review mutations: each returns the review or a typed error, never a stack trace."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from enum import Enum
from typing import Annotated, Any, TypeAlias
from uuid import UUID

import strawberry

from api.context import Info
from api.failures import (
    ClientError,
    ConflictError,
    ForbiddenError,
    InvalidTransitionError,
    NotFoundError,
    ValidationError,
    present_or_error,
)
from api.relay import from_global_id, uuid_or_not_found
from api.review.queries import ORIGIN_TYPES, audit_id
from api.review.types import (
    InspectionMethod,
    Review,
    ReviewFindingNature,
    ReviewFindingResult,
    ReviewKind,
    ReviewRating,
)
from domain.errors import ValidationFailed
from domain.review import status as states
from domain.review.aggregate import CriterionScore
from domain.review.aggregate import Review as ReviewAggregate
from service import review as service
from service.review import OpenReview

OpenReviewResult: TypeAlias = Annotated[
    Review | ValidationError | ForbiddenError | ConflictError,
    strawberry.union("OpenReviewResult"),
]
ReviewChangeResult: TypeAlias = Annotated[
    Review
    | ValidationError
    | NotFoundError
    | ConflictError
    | ForbiddenError
    | InvalidTransitionError,
    strawberry.union(
        "ReviewChangeResult", description="The changed review, or why it could not change."
    ),
]


@strawberry.input(description="An inspection that found the matter (no item behind it).")
class InspectionInput:
    method: InspectionMethod
    description: str


@strawberry.input(description="Give exactly one of originId and inspection.")
class OpenReviewInput:
    kind: ReviewKind
    subject: str
    unit_code: str = strawberry.field(description="The unit whose enforcement is reviewed.")
    origin_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The complaint, petition or case it starts from; the review joins its loop.",
    )
    inspection: InspectionInput | None = None


@strawberry.input
class AssignReviewVerifiersInput:
    officer_codes: list[str]


@strawberry.input
class AddReviewEvidenceInput:
    description: str
    attachment_sha256: str | None = None


@strawberry.input
class RecordReviewFindingInput:
    finding: ReviewFindingResult
    nature: ReviewFindingNature = strawberry.field(
        description="FLAW (执法瑕疵) → evaluation, FAULT (执法过错) → accountability, or NONE."
    )
    summary: str


@strawberry.input
class AddReviewRectificationInput:
    owner_unit_code: str
    requirement: str
    due_date: date | None = strawberry.field(
        default=None, description="Last day (local); without it the rectification clock rule."
    )
    verifying_unit_code: str | None = strawberry.field(
        default=None, description="A unit other than the owner; null: the supervision centre."
    )
    watch_days: int | None = strawberry.field(
        default=None, description="Days after closing off during which a recurrence reopens it."
    )


@strawberry.input
class ReportRectificationDoneInput:
    rectification_no: int
    note: str


@strawberry.input
class CloseOffRectificationInput:
    rectification_no: int
    comment: str | None = None


@strawberry.input
class ReturnRectificationInput:
    rectification_no: int
    comment: str


@strawberry.input
class ReportRectificationRecurrenceInput:
    rectification_no: int
    note: str
    due_date: date | None = None


@strawberry.input
class SignoffHolderInput:
    step_no: int
    officer_code: str


@strawberry.input
class StartReviewSignoffInput:
    holders: list[SignoffHolderInput]


@strawberry.enum
class SignoffVerdict(Enum):
    APPROVE = "APPROVE"
    RETURN = "RETURN"


@strawberry.input(description="Only the step's holder signs, and only the step that is next.")
class SignReviewStepInput:
    step_no: int
    decision: SignoffVerdict
    comment: str | None = strawberry.field(default=None, description="Required for a return.")


@strawberry.input
class CriterionScoreInput:
    criterion_code: str
    score: float
    max: float


@strawberry.input
class RecordReviewEvaluationInput:
    scores: list[CriterionScoreInput]
    rating: ReviewRating
    note: str | None = None


@strawberry.input
class IssueSupervisionRecommendationInput:
    unit_code: str
    content: str


@strawberry.input
class RecordRecommendationResponseInput:
    recommendation_no: int
    response: str


async def _run(action: Callable[[], Awaitable[ReviewAggregate]]) -> Any:
    return await present_or_error(action, Review.from_aggregate)


def _id(id: strawberry.ID) -> UUID:
    return uuid_or_not_found(id, "Review", "review")


def _open_command(input: OpenReviewInput) -> OpenReview:
    kind = states.ReviewKind(input.kind.value)
    if (input.origin_id is None) == (input.inspection is None):
        raise ValidationFailed("give exactly one of originId and inspection", field="originId")
    if input.inspection is not None:
        return OpenReview(
            kind=kind,
            subject=input.subject,
            unit_code=input.unit_code,
            origin_type=states.OriginType.INSPECTION,
            inspection_method=states.InspectionMethod(input.inspection.method.value),
            inspection_description=input.inspection.description,
        )
    assert input.origin_id is not None
    try:
        type_name, local_id = from_global_id(input.origin_id)
    except ClientError:
        raise ValidationFailed("originId is not a valid global id", field="originId") from None
    origin_type = ORIGIN_TYPES.get(type_name)
    if origin_type is None:
        raise ValidationFailed(
            f"a review starts from a complaint, petition or case, not a {type_name}",
            field="originId",
        )
    return OpenReview(
        kind=kind,
        subject=input.subject,
        unit_code=input.unit_code,
        origin_type=origin_type,
        origin_id=audit_id(local_id),
    )


@strawberry.type
class ReviewMutations:
    @strawberry.mutation(
        description="Open a review (核查 / 评查 / 审核) from a complaint, petition or case, or "
        "from an inspection (网上巡查, 飞行临检, 专项评查)."
    )
    async def open_review(self, info: Info, input: OpenReviewInput) -> OpenReviewResult:
        return await _run(lambda: service.open_review(info.context.call, _open_command(input)))

    @strawberry.mutation(description="Assign the verifiers (核查人员); replaces the list.")
    async def assign_review_verifiers(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: AssignReviewVerifiersInput,
    ) -> ReviewChangeResult:
        return await _run(
            lambda: service.assign_verifiers(
                info.context.call,
                _id(id),
                expected_version,
                officer_codes=tuple(input.officer_codes),
            )
        )

    @strawberry.mutation(description="Add an item of evidence (证据).")
    async def add_review_evidence(
        self, info: Info, id: strawberry.ID, expected_version: int, input: AddReviewEvidenceInput
    ) -> ReviewChangeResult:
        return await _run(
            lambda: service.add_evidence(
                info.context.call,
                _id(id),
                expected_version,
                description=input.description,
                attachment_sha256=input.attachment_sha256,
            )
        )

    @strawberry.mutation(description="Record the verification's finding (核查结论).")
    async def record_review_finding(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: RecordReviewFindingInput,
    ) -> ReviewChangeResult:
        return await _run(
            lambda: service.record_finding(
                info.context.call,
                _id(id),
                expected_version,
                result=states.FindingResult(input.finding.value),
                nature=states.FindingNature(input.nature.value),
                summary=input.summary,
            )
        )

    @strawberry.mutation(description="Order a rectification (整改) from an owner unit.")
    async def add_review_rectification(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: AddReviewRectificationInput,
    ) -> ReviewChangeResult:
        return await _run(
            lambda: service.add_rectification(
                info.context.call,
                _id(id),
                expected_version,
                owner_unit_code=input.owner_unit_code,
                verifying_unit_code=input.verifying_unit_code,
                requirement=input.requirement,
                due_date=input.due_date,
                watch_days=input.watch_days,
            )
        )

    @strawberry.mutation(description="The owner unit reports the rectification done.")
    async def report_rectification_done(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: ReportRectificationDoneInput,
    ) -> ReviewChangeResult:
        return await _run(
            lambda: service.report_rectification_done(
                info.context.call,
                _id(id),
                expected_version,
                no=input.rectification_no,
                note=input.note,
            )
        )

    @strawberry.mutation(description="The verifying unit closes the rectification off (销号).")
    async def close_off_rectification(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: CloseOffRectificationInput,
    ) -> ReviewChangeResult:
        return await _run(
            lambda: service.close_off_rectification(
                info.context.call,
                _id(id),
                expected_version,
                no=input.rectification_no,
                comment=input.comment,
            )
        )

    @strawberry.mutation(description="The verifying unit returns the rectification, saying why.")
    async def return_rectification(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: ReturnRectificationInput,
    ) -> ReviewChangeResult:
        return await _run(
            lambda: service.return_rectification(
                info.context.call,
                _id(id),
                expected_version,
                no=input.rectification_no,
                comment=input.comment,
            )
        )

    @strawberry.mutation(
        description="A recurrence (反弹) within the watch period reopens a closed-off rectification."
    )
    async def report_rectification_recurrence(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: ReportRectificationRecurrenceInput,
    ) -> ReviewChangeResult:
        return await _run(
            lambda: service.report_rectification_recurrence(
                info.context.call,
                _id(id),
                expected_version,
                no=input.rectification_no,
                note=input.note,
                due_date=input.due_date,
            )
        )

    @strawberry.mutation(
        description="Start the sign-off chain (五级审核): a holder (officer code) for each step."
    )
    async def start_review_signoff(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: StartReviewSignoffInput,
    ) -> ReviewChangeResult:
        async def action() -> ReviewAggregate:
            numbers = [h.step_no for h in input.holders]
            if len(set(numbers)) != len(numbers):
                raise ValidationFailed("each step is given one holder", field="holders")
            return await service.start_signoff(
                info.context.call,
                _id(id),
                expected_version,
                holders={h.step_no: h.officer_code for h in input.holders},
            )

        return await _run(action)

    @strawberry.mutation(
        description="Approve or return (with a comment) the next step; only its holder may. A "
        "return starts a new round at step 1."
    )
    async def sign_review_step(
        self, info: Info, id: strawberry.ID, expected_version: int, input: SignReviewStepInput
    ) -> ReviewChangeResult:
        return await _run(
            lambda: service.sign_step(
                info.context.call,
                _id(id),
                expected_version,
                step_no=input.step_no,
                approve=input.decision is SignoffVerdict.APPROVE,
                comment=input.comment,
            )
        )

    @strawberry.mutation(description="Record a case-quality evaluation (执法质量考评).")
    async def record_review_evaluation(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: RecordReviewEvaluationInput,
    ) -> ReviewChangeResult:
        return await _run(
            lambda: service.record_evaluation(
                info.context.call,
                _id(id),
                expected_version,
                scores=tuple(
                    CriterionScore(criterion=s.criterion_code, score=s.score, max=s.max)
                    for s in input.scores
                ),
                rating=states.Rating(input.rating.value),
                note=input.note,
            )
        )

    @strawberry.mutation(
        description="Issue a supervision recommendation letter (执法监督建议书) to a unit."
    )
    async def issue_supervision_recommendation(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: IssueSupervisionRecommendationInput,
    ) -> ReviewChangeResult:
        return await _run(
            lambda: service.issue_recommendation(
                info.context.call,
                _id(id),
                expected_version,
                unit_code=input.unit_code,
                content=input.content,
            )
        )

    @strawberry.mutation(description="The unit's response to a supervision recommendation.")
    async def record_recommendation_response(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: RecordRecommendationResponseInput,
    ) -> ReviewChangeResult:
        return await _run(
            lambda: service.record_recommendation_response(
                info.context.call,
                _id(id),
                expected_version,
                no=input.recommendation_no,
                response=input.response,
            )
        )

    @strawberry.mutation(
        description="Close the review: every rectification closed off and past its watch period, "
        "every recommendation answered, and the chain signed off where the kind has one."
    )
    async def close_review(
        self, info: Info, id: strawberry.ID, expected_version: int
    ) -> ReviewChangeResult:
        return await _run(lambda: service.close(info.context.call, _id(id), expected_version))
