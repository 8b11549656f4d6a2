"""GraphQL types of the review aggregate, and the loaders that batch its children per request."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar, cast
from uuid import UUID

import strawberry
from sqlalchemy import Table, select
from strawberry.dataloader import DataLoader

from api import nodes
from api.audit.types import AuditEvent
from api.complaint.types import Deadline
from api.context import Info
from api.reference.types import Officer, Unit
from api.relay import Connection, Node, from_global_id, to_global_id
from domain.review import aggregate as domain
from domain.review import status as states
from service.context import Call
from store import review as store

X = TypeVar("X")


@strawberry.enum(description="What kind of review: 核查 / 倒查, 执法质量考评, 法制审核.")
class ReviewKind(Enum):
    VERIFICATION = "VERIFICATION"
    CASE_QUALITY_EVALUATION = "CASE_QUALITY_EVALUATION"
    LEGAL_REVIEW = "LEGAL_REVIEW"


@strawberry.enum(description="Review lifecycle states.")
class ReviewStatus(Enum):
    OPEN = "OPEN"
    VERIFYING = "VERIFYING"
    CONCLUDED = "CONCLUDED"
    IN_SIGNOFF = "IN_SIGNOFF"
    SIGNED_OFF = "SIGNED_OFF"
    CLOSED = "CLOSED"


@strawberry.enum(
    description="What started a review: an item under supervision, an inspection, or an "
    "escalated warning."
)
class ReviewOriginKind(Enum):
    COMPLAINT = "complaint"
    PETITION = "petition"
    CASE = "case"
    INSPECTION = "inspection"
    WARNING = "warning"


@strawberry.enum(description="How an inspection found the matter: 网上巡查, 飞行临检, 专项评查.")
class InspectionMethod(Enum):
    ONLINE_PATROL = "ONLINE_PATROL"
    SURPRISE_INSPECTION = "SURPRISE_INSPECTION"
    SPECIAL_EVALUATION = "SPECIAL_EVALUATION"


@strawberry.enum(description="A verification's finding: 属实 / 部分属实 / 不属实.")
class ReviewFindingResult(Enum):
    SUBSTANTIATED = "SUBSTANTIATED"
    PARTLY_SUBSTANTIATED = "PARTLY_SUBSTANTIATED"
    NOT_SUBSTANTIATED = "NOT_SUBSTANTIATED"


@strawberry.enum(
    description="What was found: a flaw (执法瑕疵) goes to evaluation, a fault (执法过错) to "
    "accountability."
)
class ReviewFindingNature(Enum):
    FLAW = "FLAW"
    FAULT = "FAULT"
    NONE = "NONE"


@strawberry.enum(description="Where a finding leads next in the closed loop.")
class FindingReferral(Enum):
    EVALUATION = "EVALUATION"
    ACCOUNTABILITY = "ACCOUNTABILITY"
    NONE = "NONE"


@strawberry.enum(description="Case-quality rating (执法质量考评): 优秀 / 合格 / 不合格.")
class ReviewRating(Enum):
    EXCELLENT = "EXCELLENT"
    QUALIFIED = "QUALIFIED"
    UNQUALIFIED = "UNQUALIFIED"


@strawberry.enum(description="A rectification item's state (整改 → 销号).")
class RectificationStatus(Enum):
    OPEN = "OPEN"
    DONE_REPORTED = "DONE_REPORTED"
    RETURNED = "RETURNED"
    CLOSED_OFF = "CLOSED_OFF"
    REOPENED = "REOPENED"


@strawberry.enum(description="What the holder of a sign-off step decided.")
class SignoffDecision(Enum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    RETURNED = "RETURNED"
    NOT_REACHED = "NOT_REACHED"


@strawberry.enum(
    description="The share of a fault a step's holder bears: 办案人 HANDLER, 审核人 REVIEWER, "
    "审批人 APPROVER."
)
class SignoffResponsibility(Enum):
    HANDLER = "HANDLER"
    REVIEWER = "REVIEWER"
    APPROVER = "APPROVER"


@strawberry.enum
class RecommendationStatus(Enum):
    ISSUED = "ISSUED"
    RESPONDED = "RESPONDED"


_REFERRAL = {
    states.FindingNature.FLAW: FindingReferral.EVALUATION,
    states.FindingNature.FAULT: FindingReferral.ACCOUNTABILITY,
    states.FindingNature.NONE: FindingReferral.NONE,
}
# Global-id type names of the items a review can start from (their API modules register them).
ORIGIN_TYPE_NAMES = {
    states.OriginType.COMPLAINT: "Complaint",
    states.OriginType.PETITION: "Petition",
    states.OriginType.CASE: "Case",
    states.OriginType.WARNING: "Warning",
}


def _now(info: Info) -> datetime:
    return info.context.call.runtime.clock.now()


async def _unit(info: Info, code: str | None) -> Unit | None:
    if code is None:
        return None
    row = await info.context.loaders.unit.load(code)
    return Unit.from_row(row) if row else None


async def _officer(info: Info, code: str) -> Officer | None:
    row = await info.context.loaders.officer.load(code)
    return Officer.from_row(row) if row else None


# -- loaders -----------------------------------------------------------------------------------------


class ReviewLoaders:
    """One query per kind of child per request, however many reviews ask."""

    def __init__(self, call: Call) -> None:
        self.call = call
        self.evidence = DataLoader(self._evidence)
        self.rectifications = DataLoader(self._rectifications)
        self.steps = DataLoader(self._steps)
        self.recommendations = DataLoader(self._recommendations)

    async def _children(
        self, table: Table, ids: Sequence[UUID], convert: Callable[[Any], X], *order: Any
    ) -> list[list[X]]:
        query = select(table).where(table.c.review_id.in_(ids)).order_by(*order)
        async with self.call.runtime.engine.connect() as conn:
            found = await conn.execute(query)
            grouped: dict[UUID, list[X]] = defaultdict(list)
            for row in found:
                grouped[row.review_id].append(convert(row))
        return [grouped.get(i, []) for i in ids]

    async def _evidence(self, ids: list[UUID]) -> list[list[domain.Evidence]]:
        t = store.review_evidence
        return await self._children(t, ids, store.evidence_from_row, t.c.no)

    async def _rectifications(self, ids: list[UUID]) -> list[list[domain.Rectification]]:
        t = store.review_rectification
        return await self._children(t, ids, store.rectification_from_row, t.c.no)

    async def _steps(self, ids: list[UUID]) -> list[list[domain.SignoffStep]]:
        t = store.review_signoff_step
        return await self._children(t, ids, store.step_from_row, t.c.round, t.c.step_no)

    async def _recommendations(self, ids: list[UUID]) -> list[list[domain.Recommendation]]:
        t = store.review_recommendation
        return await self._children(t, ids, store.recommendation_from_row, t.c.no)


def loaders(info: Info) -> ReviewLoaders:
    found = info.context.extras.get("review-loaders")
    if found is None:
        found = ReviewLoaders(info.context.call)
        info.context.extras["review-loaders"] = found
    return cast(ReviewLoaders, found)


# -- the parts of a review ---------------------------------------------------------------------------


@strawberry.type(description="What started the review.")
class ReviewOrigin:
    kind: ReviewOriginKind
    item_id: strawberry.ID | None = strawberry.field(
        description="The global id of the complaint, petition, case or warning; null for an "
        "inspection."
    )
    inspection_method: InspectionMethod | None
    description: str | None

    @strawberry.field(description="The origin item, if it exists and is in your scope.")
    async def item(self, info: Info) -> Node | None:
        if self.item_id is None:
            return None
        type_name = ORIGIN_TYPE_NAMES[states.OriginType(self.kind.value)]
        kind = nodes.kind_of(type_name)
        if kind is None:
            return None
        _, local_id = from_global_id(self.item_id)
        return await kind.load(info, local_id)

    @classmethod
    def from_domain(cls, origin: domain.Origin) -> ReviewOrigin:
        item_id = None
        if origin.id is not None and origin.type in ORIGIN_TYPE_NAMES:
            item_id = strawberry.ID(to_global_id(ORIGIN_TYPE_NAMES[origin.type], origin.id))
        return cls(
            kind=ReviewOriginKind(origin.type.value),
            item_id=item_id,
            inspection_method=InspectionMethod(origin.method.value) if origin.method else None,
            description=origin.description,
        )


@strawberry.type(description="An item of evidence (证据); attachments are named by their SHA-256.")
class ReviewEvidence:
    no: int
    description: str
    attachment_sha256: str | None
    added_at: datetime

    @classmethod
    def from_domain(cls, item: domain.Evidence) -> ReviewEvidence:
        return cls(
            no=item.no,
            description=item.description,
            attachment_sha256=item.attachment_sha256,
            added_at=item.added_at,
        )


@strawberry.type(description="A verification's finding (核查结论).")
class ReviewFinding:
    result: ReviewFindingResult
    nature: ReviewFindingNature
    summary: str
    recorded_at: datetime
    referral: FindingReferral = strawberry.field(
        description="Flaws go to evaluation (考评), faults to accountability (追责)."
    )

    @classmethod
    def from_domain(cls, finding: domain.Finding) -> ReviewFinding:
        return cls(
            result=ReviewFindingResult(finding.result.value),
            nature=ReviewFindingNature(finding.nature.value),
            summary=finding.summary,
            recorded_at=finding.recorded_at,
            referral=_REFERRAL[finding.nature],
        )


@strawberry.type
class ReviewCriterionScore:
    criterion_code: str
    score: float
    max: float


@strawberry.type(description="A case-quality evaluation (执法质量考评).")
class ReviewEvaluation:
    scores: list[ReviewCriterionScore]
    total: float
    max_total: float
    rating: ReviewRating
    note: str | None
    evaluated_at: datetime

    @classmethod
    def from_domain(cls, evaluation: domain.Evaluation) -> ReviewEvaluation:
        return cls(
            scores=[
                ReviewCriterionScore(criterion_code=s.criterion, score=s.score, max=s.max)
                for s in evaluation.scores
            ],
            total=evaluation.total,
            max_total=evaluation.max_total,
            rating=ReviewRating(evaluation.rating.value),
            note=evaluation.note,
            evaluated_at=evaluation.evaluated_at,
        )


@strawberry.type(
    description="A rectification item (整改): the owner unit rectifies and reports; a different "
    "unit closes it off (销号) or returns it."
)
class ReviewRectification:
    no: int
    requirement: str
    status: RectificationStatus
    watch_days: int | None
    watch_until: datetime | None = strawberry.field(
        description="End of the watch period after closing off; a recurrence before it reopens."
    )
    done_note: str | None
    done_reported_at: datetime | None
    closed_off_at: datetime | None
    closed_off_by_unit_code: str | None
    comment: str | None = strawberry.field(description="Of the last close-off or return.")
    returned_at: datetime | None
    recurrences: int
    recurrence_note: str | None
    item: strawberry.Private[domain.Rectification]

    @classmethod
    def from_domain(cls, item: domain.Rectification) -> ReviewRectification:
        return cls(
            no=item.no,
            requirement=item.requirement,
            status=RectificationStatus(item.status.value),
            watch_days=item.watch_days,
            watch_until=item.watch.due_at if item.watch else None,
            done_note=item.done_note,
            done_reported_at=item.done_reported_at,
            closed_off_at=item.closed_off_at,
            closed_off_by_unit_code=item.closed_off_by_unit,
            comment=item.comment,
            returned_at=item.returned_at,
            recurrences=item.recurrences,
            recurrence_note=item.recurrence_note,
            item=item,
        )

    @strawberry.field(description="The unit that rectifies (整改责任单位).")
    async def owner_unit(self, info: Info) -> Unit | None:
        return await _unit(info, self.item.owner_unit)

    @strawberry.field(description="The unit that verifies and closes off; null: the centre.")
    async def verifying_unit(self, info: Info) -> Unit | None:
        return await _unit(info, self.item.verifying_unit)

    @strawberry.field(description="Rectification due (整改期限), with its basis and computation.")
    def due(self, info: Info) -> Deadline:
        return Deadline.build(
            f"rectification.{self.no}",
            self.item.deadline,
            now=_now(info),
            satisfied_at=self.item.satisfied_at,
        )

    @strawberry.field
    def overdue(self, info: Info) -> bool:
        return self.item.is_overdue(_now(info))


@strawberry.type(description="A configured step of the review kind's sign-off chain.")
class SignoffPlanStep:
    step_no: int
    role_tag: str
    label: str
    responsibility: SignoffResponsibility


@strawberry.type(
    description="One step of one round of the sign-off chain (五级审核): a role-tagged record of "
    "who held it and what they decided."
)
class ReviewSignoffStep:
    round: int
    step_no: int
    role_tag: str
    label: str
    responsibility: SignoffResponsibility
    holder_code: str
    decision: SignoffDecision
    comment: str | None
    signed_at: datetime | None

    @classmethod
    def from_domain(cls, step: domain.SignoffStep) -> ReviewSignoffStep:
        return cls(
            round=step.round,
            step_no=step.step_no,
            role_tag=step.role_tag,
            label=step.label,
            responsibility=SignoffResponsibility(step.responsibility.value),
            holder_code=step.holder,
            decision=SignoffDecision(step.decision.value),
            comment=step.comment,
            signed_at=step.signed_at,
        )

    @strawberry.field
    async def holder(self, info: Info) -> Officer | None:
        return await _officer(info, self.holder_code)


@strawberry.type(description="The sign-off chain once started: its current round and its history.")
class ReviewSignoff:
    round: int
    current_step_no: int | None = strawberry.field(description="Null once signed off.")
    signed_off_at: datetime | None
    history: list[ReviewSignoffStep] = strawberry.field(
        description="Every step of every round, oldest round first."
    )

    @strawberry.field(description="The steps of the current round, in order.")
    def steps(self) -> list[ReviewSignoffStep]:
        return [s for s in self.history if s.round == self.round]

    @strawberry.field(description="The step waiting for its holder's signature.")
    def current_step(self) -> ReviewSignoffStep | None:
        for step in self.steps():
            if step.step_no == self.current_step_no:
                return step
        return None


@strawberry.type(description="A supervision recommendation letter (执法监督建议书) to a unit.")
class SupervisionRecommendation:
    no: int
    content: str
    issued_at: datetime
    status: RecommendationStatus
    response: str | None
    responded_at: datetime | None
    letter: strawberry.Private[domain.Recommendation]

    @classmethod
    def from_domain(cls, letter: domain.Recommendation) -> SupervisionRecommendation:
        return cls(
            no=letter.no,
            content=letter.content,
            issued_at=letter.issued_at,
            status=RecommendationStatus(letter.status.value),
            response=letter.response,
            responded_at=letter.responded_at,
            letter=letter,
        )

    @strawberry.field
    async def unit(self, info: Info) -> Unit | None:
        return await _unit(info, self.letter.unit)

    @strawberry.field(description="Response due, per the recommendation clock rule.")
    def response_due(self, info: Info) -> Deadline | None:
        if self.letter.deadline is None:
            return None
        return Deadline.build(
            f"recommendation.{self.no}",
            self.letter.deadline,
            now=_now(info),
            satisfied_at=self.letter.responded_at,
        )

    @strawberry.field
    def overdue(self, info: Info) -> bool:
        return self.letter.is_overdue(_now(info))


# -- the review --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Children:
    """Children already in hand (a mutation's aggregate); None means load them."""

    evidence: tuple[domain.Evidence, ...]
    rectifications: tuple[domain.Rectification, ...]
    steps: tuple[domain.SignoffStep, ...]
    recommendations: tuple[domain.Recommendation, ...]


@strawberry.type(description="A review (核查 / 评查 / 审核) in the closed loop.")
class Review(Node):
    version: int
    kind: ReviewKind
    status: ReviewStatus
    subject: str
    correlation_id: strawberry.ID = strawberry.field(
        description="The loop it belongs to: its origin's, or a new one for an inspection."
    )
    origin: ReviewOrigin
    opened_at: datetime
    closed_at: datetime | None
    verifier_codes: list[str]
    finding: ReviewFinding | None
    evaluation: ReviewEvaluation | None
    signoff_plan: list[SignoffPlanStep] = strawberry.field(
        description="The sign-off chain this review needs (configured per kind when opened)."
    )

    uuid: strawberry.Private[UUID]
    unit_code: strawberry.Private[str]
    signoff_round: strawberry.Private[int]
    signoff_step: strawberry.Private[int | None]
    signed_off_at: strawberry.Private[datetime | None]
    known: strawberry.Private[_Children | None]

    @classmethod
    def from_row(cls, row: Any) -> Review:
        return cls._build(store.to_aggregate(row), known=None)

    @classmethod
    def from_aggregate(cls, review: domain.Review) -> Review:
        """Built while the unit of work is open, from the aggregate's own children."""
        return cls._build(
            review,
            known=_Children(
                evidence=review.evidence,
                rectifications=review.rectifications,
                steps=review.steps,
                recommendations=review.recommendations,
            ),
        )

    @classmethod
    def _build(cls, review: domain.Review, *, known: _Children | None) -> Review:
        return cls(
            id=strawberry.ID(to_global_id("Review", review.id)),
            uuid=UUID(review.id),
            version=review.version,
            kind=ReviewKind(review.kind.value),
            status=ReviewStatus(review.status.value),
            subject=review.subject,
            correlation_id=strawberry.ID(str(review.correlation)),
            origin=ReviewOrigin.from_domain(review.origin),
            opened_at=review.opened_at,
            closed_at=review.closed_at,
            verifier_codes=list(review.verifiers),
            finding=ReviewFinding.from_domain(review.finding) if review.finding else None,
            evaluation=(
                ReviewEvaluation.from_domain(review.evaluation) if review.evaluation else None
            ),
            signoff_plan=[
                SignoffPlanStep(
                    step_no=t.step_no,
                    role_tag=t.role_tag,
                    label=t.label,
                    responsibility=SignoffResponsibility(t.responsibility.value),
                )
                for t in review.plan
            ],
            unit_code=review.unit,
            signoff_round=review.signoff_round,
            signoff_step=review.signoff_step,
            signed_off_at=review.signed_off_at,
            known=known,
        )

    async def _rectifications(self, info: Info) -> Sequence[domain.Rectification]:
        if self.known is not None:
            return self.known.rectifications
        return await loaders(info).rectifications.load(self.uuid)

    async def _recommendations(self, info: Info) -> Sequence[domain.Recommendation]:
        if self.known is not None:
            return self.known.recommendations
        return await loaders(info).recommendations.load(self.uuid)

    @strawberry.field(description="The unit whose enforcement is reviewed (被查单位).")
    async def unit(self, info: Info) -> Unit | None:
        return await _unit(info, self.unit_code)

    @strawberry.field(description="The officers assigned to verify (核查人员).")
    async def verifiers(self, info: Info) -> list[Officer]:
        found = await info.context.loaders.officer.load_many(self.verifier_codes)
        return [Officer.from_row(row) for row in found if row is not None]

    @strawberry.field
    async def evidence(self, info: Info) -> list[ReviewEvidence]:
        items = (
            self.known.evidence
            if self.known is not None
            else await loaders(info).evidence.load(self.uuid)
        )
        return [ReviewEvidence.from_domain(item) for item in items]

    @strawberry.field(description="Rectification items (整改), in the order they were ordered.")
    async def rectifications(self, info: Info) -> list[ReviewRectification]:
        return [ReviewRectification.from_domain(r) for r in await self._rectifications(info)]

    @strawberry.field(description="The sign-off chain; null until it starts.")
    async def signoff(self, info: Info) -> ReviewSignoff | None:
        if self.signoff_round == 0:
            return None
        steps = (
            self.known.steps
            if self.known is not None
            else await loaders(info).steps.load(self.uuid)
        )
        return ReviewSignoff(
            round=self.signoff_round,
            current_step_no=self.signoff_step,
            signed_off_at=self.signed_off_at,
            history=[ReviewSignoffStep.from_domain(s) for s in steps],
        )

    @strawberry.field(description="Supervision recommendation letters (执法监督建议书).")
    async def recommendations(self, info: Info) -> list[SupervisionRecommendation]:
        return [SupervisionRecommendation.from_domain(r) for r in await self._recommendations(info)]

    @strawberry.field(
        description="Whether a rectification or a recommendation response is past due or was "
        "done late."
    )
    async def overdue(self, info: Info) -> bool:
        now = _now(info)
        return any(r.is_overdue(now) for r in await self._rectifications(info)) or any(
            r.is_overdue(now) for r in await self._recommendations(info)
        )

    @strawberry.field(description="Every deadline of this review and its items.")
    async def deadlines(self, info: Info) -> list[Deadline]:
        now = _now(info)
        found = [
            Deadline.build(
                f"rectification.{r.no}", r.deadline, now=now, satisfied_at=r.satisfied_at
            )
            for r in await self._rectifications(info)
        ]
        found += [
            Deadline.build(
                f"recommendation.{r.no}", r.deadline, now=now, satisfied_at=r.responded_at
            )
            for r in await self._recommendations(info)
            if r.deadline is not None
        ]
        return found

    @strawberry.field(description="This review's audit events, oldest first.")
    async def audit_trail(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[AuditEvent]:
        from api.audit.queries import trail

        return await trail(info, self.id, first, after)


@strawberry.type(
    description="The share of evaluations rated excellent among a unit subtree's evaluations in a "
    "period (优秀率; the share is controlled)."
)
class ExcellentShare:
    unit_code: str
    from_: datetime = strawberry.field(name="from")
    to: datetime
    evaluated: int
    excellent: int
    share: float | None = strawberry.field(description="excellent / evaluated; null when none.")
