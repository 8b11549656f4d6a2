"""Review repository: the review row and its child rows ⇄ the aggregate, version-checked on save.

Children (evidence, rectifications, sign-off steps, recommendations) are rows of their own so that
unit scope, overdue filters and the accountability aggregate can query them. The repository
remembers the children it loaded and, on save, inserts the new ones and updates the changed ones
(evidence is append-only: the application role may not update it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Table, Text, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import Mapped, mapped_column

from audit.schema import audit_event
from domain.actor import Actor
from domain.errors import Conflict
from domain.review.aggregate import (
    CriterionScore,
    Evaluation,
    Evidence,
    Finding,
    Origin,
    Recommendation,
    Rectification,
    Review,
    SignoffStep,
    StepTemplate,
)
from domain.review.status import (
    FindingNature,
    FindingResult,
    InspectionMethod,
    OriginType,
    Rating,
    RecommendationStatus,
    RectificationStatus,
    Responsibility,
    ReviewKind,
    ReviewStatus,
    StepDecision,
)
from store import rows
from store.codecs import deadline_from_json, deadline_to_json
from store.repository import Repository
from store.rows import Row

# -- rows ----------------------------------------------------------------------------------------


class SignoffTemplateRow(Row):
    __tablename__ = "signoff_template"
    kind: Mapped[str] = mapped_column(primary_key=True)
    step_no: Mapped[int] = mapped_column(primary_key=True)
    role_tag: Mapped[str]
    label: Mapped[str]
    responsibility: Mapped[str]


class ReviewRow(Row):
    __tablename__ = "review"
    id: Mapped[UUID] = mapped_column(primary_key=True)
    version: Mapped[int]
    kind: Mapped[str]
    status: Mapped[str]
    subject: Mapped[str]
    unit_code: Mapped[str]
    origin_type: Mapped[str]
    origin_id: Mapped[str | None]
    inspection_method: Mapped[str | None]
    origin_description: Mapped[str | None]
    correlation_id: Mapped[UUID]
    opened_at: Mapped[datetime]
    verifiers: Mapped[list[str]] = mapped_column(ARRAY(Text))
    finding: Mapped[str | None]
    finding_nature: Mapped[str | None]
    finding_summary: Mapped[str | None]
    finding_recorded_at: Mapped[datetime | None]
    rating: Mapped[str | None]
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    evaluated_at: Mapped[datetime | None]
    signoff_plan: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    signoff_round: Mapped[int]
    signoff_step: Mapped[int | None]
    signed_off_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class ReviewEvidenceRow(Row):
    __tablename__ = "review_evidence"
    review_id: Mapped[UUID] = mapped_column(primary_key=True)
    no: Mapped[int] = mapped_column(primary_key=True)
    description: Mapped[str]
    attachment_sha256: Mapped[str | None]
    added_at: Mapped[datetime]


class ReviewRectificationRow(Row):
    __tablename__ = "review_rectification"
    review_id: Mapped[UUID] = mapped_column(primary_key=True)
    no: Mapped[int] = mapped_column(primary_key=True)
    owner_unit_code: Mapped[str]
    verifying_unit_code: Mapped[str | None]
    requirement: Mapped[str]
    status: Mapped[str]
    due_at: Mapped[datetime | None]
    deadline: Mapped[dict[str, Any]] = mapped_column(JSONB)
    watch_days: Mapped[int | None]
    added_at: Mapped[datetime]
    done_note: Mapped[str | None]
    done_reported_at: Mapped[datetime | None]
    closed_off_at: Mapped[datetime | None]
    closed_off_by_unit: Mapped[str | None]
    comment: Mapped[str | None]
    returned_at: Mapped[datetime | None]
    watch_until: Mapped[datetime | None]
    watch: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    recurrences: Mapped[int]
    recurrence_note: Mapped[str | None]


class ReviewSignoffStepRow(Row):
    __tablename__ = "review_signoff_step"
    review_id: Mapped[UUID] = mapped_column(primary_key=True)
    round: Mapped[int] = mapped_column(primary_key=True)
    step_no: Mapped[int] = mapped_column(primary_key=True)
    role_tag: Mapped[str]
    label: Mapped[str]
    responsibility: Mapped[str]
    holder_code: Mapped[str]
    decision: Mapped[str]
    comment: Mapped[str | None]
    signed_at: Mapped[datetime | None]


class ReviewRecommendationRow(Row):
    __tablename__ = "review_recommendation"
    review_id: Mapped[UUID] = mapped_column(primary_key=True)
    no: Mapped[int] = mapped_column(primary_key=True)
    unit_code: Mapped[str]
    content: Mapped[str]
    issued_at: Mapped[datetime]
    due_at: Mapped[datetime | None]
    deadline: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    status: Mapped[str]
    response: Mapped[str | None]
    responded_at: Mapped[datetime | None]


signoff_template = cast(Table, SignoffTemplateRow.__table__)
review = cast(Table, ReviewRow.__table__)
review_evidence = cast(Table, ReviewEvidenceRow.__table__)
review_rectification = cast(Table, ReviewRectificationRow.__table__)
review_signoff_step = cast(Table, ReviewSignoffStepRow.__table__)
review_recommendation = cast(Table, ReviewRecommendationRow.__table__)

T = review

# -- rows ⇄ domain ---------------------------------------------------------------------------------


def template_from_record(data: dict[str, Any]) -> StepTemplate:
    return StepTemplate(
        step_no=int(data["stepNo"]),
        role_tag=str(data["roleTag"]),
        label=str(data["label"]),
        responsibility=Responsibility(data["responsibility"]),
    )


def evidence_from_row(row: Any) -> Evidence:
    return Evidence(
        no=row.no,
        description=row.description,
        attachment_sha256=row.attachment_sha256,
        added_at=row.added_at,
    )


def rectification_from_row(row: Any) -> Rectification:
    return Rectification(
        no=row.no,
        owner_unit=row.owner_unit_code,
        verifying_unit=row.verifying_unit_code,
        requirement=row.requirement,
        deadline=deadline_from_json(row.deadline),
        watch_days=row.watch_days,
        added_at=row.added_at,
        status=RectificationStatus(row.status),
        done_note=row.done_note,
        done_reported_at=row.done_reported_at,
        closed_off_at=row.closed_off_at,
        closed_off_by_unit=row.closed_off_by_unit,
        comment=row.comment,
        returned_at=row.returned_at,
        watch=deadline_from_json(row.watch) if row.watch else None,
        recurrences=row.recurrences,
        recurrence_note=row.recurrence_note,
    )


def step_from_row(row: Any) -> SignoffStep:
    return SignoffStep(
        round=row.round,
        step_no=row.step_no,
        role_tag=row.role_tag,
        label=row.label,
        responsibility=Responsibility(row.responsibility),
        holder=row.holder_code,
        decision=StepDecision(row.decision),
        comment=row.comment,
        signed_at=row.signed_at,
    )


def recommendation_from_row(row: Any) -> Recommendation:
    return Recommendation(
        no=row.no,
        unit=row.unit_code,
        content=row.content,
        issued_at=row.issued_at,
        deadline=deadline_from_json(row.deadline) if row.deadline else None,
        status=RecommendationStatus(row.status),
        response=row.response,
        responded_at=row.responded_at,
    )


def finding_from_row(row: Any) -> Finding | None:
    if row.finding is None:
        return None
    return Finding(
        result=FindingResult(row.finding),
        nature=FindingNature(row.finding_nature),
        summary=row.finding_summary,
        recorded_at=row.finding_recorded_at,
    )


def evaluation_from_row(row: Any) -> Evaluation | None:
    if row.rating is None:
        return None
    data = row.evaluation or {}
    return Evaluation(
        scores=tuple(
            CriterionScore(criterion=s["criterion"], score=float(s["score"]), max=float(s["max"]))
            for s in data.get("scores", [])
        ),
        rating=Rating(row.rating),
        note=data.get("note"),
        evaluated_at=row.evaluated_at,
    )


def origin_from_row(row: Any) -> Origin:
    return Origin(
        type=OriginType(row.origin_type),
        id=row.origin_id,
        method=InspectionMethod(row.inspection_method) if row.inspection_method else None,
        description=row.origin_description,
    )


def to_aggregate(
    row: Any,
    *,
    evidence: Sequence[Any] = (),
    rectifications: Sequence[Any] = (),
    steps: Sequence[Any] = (),
    recommendations: Sequence[Any] = (),
) -> Review:
    return Review(
        id=str(row.id),
        version=row.version,
        kind=ReviewKind(row.kind),
        subject=row.subject,
        unit=row.unit_code,
        origin=origin_from_row(row),
        correlation=row.correlation_id,
        opened_at=row.opened_at,
        plan=tuple(template_from_record(t) for t in row.signoff_plan),
        status=ReviewStatus(row.status),
        verifiers=tuple(row.verifiers),
        evidence=tuple(evidence_from_row(r) for r in evidence),
        finding=finding_from_row(row),
        evaluation=evaluation_from_row(row),
        rectifications=tuple(rectification_from_row(r) for r in rectifications),
        steps=tuple(step_from_row(r) for r in steps),
        signoff_round=row.signoff_round,
        signoff_step=row.signoff_step,
        signed_off_at=row.signed_off_at,
        recommendations=tuple(recommendation_from_row(r) for r in recommendations),
        closed_at=row.closed_at,
    )


def state(review: Review) -> dict[str, Any]:
    """The review row's changeable columns."""
    finding = review.finding
    evaluation = review.evaluation
    return {
        "version": review.version,
        "status": review.status.value,
        "verifiers": list(review.verifiers),
        "finding": finding.result.value if finding else None,
        "finding_nature": finding.nature.value if finding else None,
        "finding_summary": finding.summary if finding else None,
        "finding_recorded_at": finding.recorded_at if finding else None,
        "rating": evaluation.rating.value if evaluation else None,
        "evaluation": (
            {"scores": [s.as_record() for s in evaluation.scores], "note": evaluation.note}
            if evaluation
            else None
        ),
        "evaluated_at": evaluation.evaluated_at if evaluation else None,
        "signoff_round": review.signoff_round,
        "signoff_step": review.signoff_step,
        "signed_off_at": review.signed_off_at,
        "closed_at": review.closed_at,
    }


def _evidence_values(review_id: UUID, item: Evidence) -> dict[str, Any]:
    return {
        "review_id": review_id,
        "no": item.no,
        "description": item.description,
        "attachment_sha256": item.attachment_sha256,
        "added_at": item.added_at,
    }


def _rectification_values(review_id: UUID, item: Rectification) -> dict[str, Any]:
    return {
        "review_id": review_id,
        "no": item.no,
        "owner_unit_code": item.owner_unit,
        "verifying_unit_code": item.verifying_unit,
        "requirement": item.requirement,
        "status": item.status.value,
        "due_at": item.deadline.due_at,
        "deadline": deadline_to_json(item.deadline),
        "watch_days": item.watch_days,
        "added_at": item.added_at,
        "done_note": item.done_note,
        "done_reported_at": item.done_reported_at,
        "closed_off_at": item.closed_off_at,
        "closed_off_by_unit": item.closed_off_by_unit,
        "comment": item.comment,
        "returned_at": item.returned_at,
        "watch_until": item.watch.due_at if item.watch else None,
        "watch": deadline_to_json(item.watch) if item.watch else None,
        "recurrences": item.recurrences,
        "recurrence_note": item.recurrence_note,
    }


def _step_values(review_id: UUID, step: SignoffStep) -> dict[str, Any]:
    return {
        "review_id": review_id,
        "round": step.round,
        "step_no": step.step_no,
        "role_tag": step.role_tag,
        "label": step.label,
        "responsibility": step.responsibility.value,
        "holder_code": step.holder,
        "decision": step.decision.value,
        "comment": step.comment,
        "signed_at": step.signed_at,
    }


def _recommendation_values(review_id: UUID, letter: Recommendation) -> dict[str, Any]:
    return {
        "review_id": review_id,
        "no": letter.no,
        "unit_code": letter.unit,
        "content": letter.content,
        "issued_at": letter.issued_at,
        "due_at": letter.deadline.due_at if letter.deadline else None,
        "deadline": deadline_to_json(letter.deadline) if letter.deadline else None,
        "status": letter.status.value,
        "response": letter.response,
        "responded_at": letter.responded_at,
    }


Children = dict[str, dict[tuple[int, ...], dict[str, Any]]]
_KEYS: dict[str, tuple[str, ...]] = {
    "review_evidence": ("no",),
    "review_rectification": ("no",),
    "review_signoff_step": ("round", "step_no"),
    "review_recommendation": ("no",),
}
_TABLES: dict[str, Table] = {
    "review_evidence": review_evidence,
    "review_rectification": review_rectification,
    "review_signoff_step": review_signoff_step,
    "review_recommendation": review_recommendation,
}


def _children(review: Review) -> Children:
    rid = UUID(review.id)
    return {
        "review_evidence": {(e.no,): _evidence_values(rid, e) for e in review.evidence},
        "review_rectification": {
            (r.no,): _rectification_values(rid, r) for r in review.rectifications
        },
        "review_signoff_step": {(s.round, s.step_no): _step_values(rid, s) for s in review.steps},
        "review_recommendation": {
            (r.no,): _recommendation_values(rid, r) for r in review.recommendations
        },
    }


# -- the repository --------------------------------------------------------------------------------


class ReviewRepository(Repository[Review]):
    def __init__(self, conn: AsyncConnection) -> None:
        super().__init__(conn)
        self._stored: dict[str, Children] = {}

    async def get(self, review_id: UUID) -> Review | None:
        row = (await self._conn.execute(select(T).where(T.c.id == review_id))).one_or_none()
        if row is None:
            return None
        known = self._loaded.get(str(row.id))
        if known is not None:
            return known[0]

        async def of(table: Table, *order: Any) -> list[Any]:
            query = select(table).where(table.c.review_id == review_id).order_by(*order)
            return list((await self._conn.execute(query)).all())

        loaded = to_aggregate(
            row,
            evidence=await of(review_evidence, review_evidence.c.no),
            rectifications=await of(review_rectification, review_rectification.c.no),
            steps=await of(
                review_signoff_step, review_signoff_step.c.round, review_signoff_step.c.step_no
            ),
            recommendations=await of(review_recommendation, review_recommendation.c.no),
        )
        self._stored[loaded.id] = _children(loaded)
        return self._seen(loaded)

    def add(self, aggregate: Review) -> Review:
        self._stored[aggregate.id] = {table: {} for table in _TABLES}
        return super().add(aggregate)

    async def save(self, aggregate: Review, *, loaded_version: int) -> None:
        occurred_at = aggregate.pending_events[-1].occurred_at
        if loaded_version == 0:
            origin = aggregate.origin
            await self._conn.execute(
                insert(T).values(
                    id=UUID(aggregate.id),
                    kind=aggregate.kind.value,
                    subject=aggregate.subject,
                    unit_code=aggregate.unit,
                    origin_type=origin.type.value,
                    origin_id=origin.id,
                    inspection_method=origin.method.value if origin.method else None,
                    origin_description=origin.description,
                    correlation_id=aggregate.correlation,
                    opened_at=aggregate.opened_at,
                    signoff_plan=[t.as_record() for t in aggregate.plan],
                    **state(aggregate),
                )
            )
        else:
            result = await self._conn.execute(
                update(T)
                .where(T.c.id == UUID(aggregate.id), T.c.version == loaded_version)
                .values(updated_at=occurred_at, **state(aggregate))
            )
            if result.rowcount != 1:
                raise Conflict(
                    f"review {aggregate.id} changed since version {loaded_version}; reload it"
                )
        await self._save_children(aggregate)

    async def _save_children(self, aggregate: Review) -> None:
        before = self._stored.get(aggregate.id, {})
        now = _children(aggregate)
        for name, items in now.items():
            table = _TABLES[name]
            stored = before.get(name, {})
            fresh = [values for key, values in items.items() if key not in stored]
            if fresh:
                await self._conn.execute(insert(table), fresh)
            for key, values in items.items():
                if key in stored and stored[key] != values:
                    match = [table.c[c] == v for c, v in zip(_KEYS[name], key, strict=True)]
                    await self._conn.execute(
                        update(table)
                        .where(table.c.review_id == UUID(aggregate.id), *match)
                        .values(**values)
                    )
        self._stored[aggregate.id] = now


# -- lookups the review service needs ----------------------------------------------------------------


async def signoff_plan(conn: AsyncConnection, kind: ReviewKind) -> tuple[StepTemplate, ...]:
    """The configured sign-off chain of one kind of review, in step order."""
    t = signoff_template.c
    result = await conn.execute(
        select(signoff_template).where(t.kind == kind.value).order_by(t.step_no)
    )
    return tuple(
        StepTemplate(
            step_no=row.step_no,
            role_tag=row.role_tag,
            label=row.label,
            responsibility=Responsibility(row.responsibility),
        )
        for row in result
    )


async def correlation_of(
    conn: AsyncConnection, aggregate_type: str, aggregate_id: str
) -> UUID | None:
    """The loop an item belongs to, as its latest audit event says; None if it has none."""
    a = audit_event.c
    found = await conn.scalar(
        select(a.correlation_id)
        .where(a.aggregate_type == aggregate_type, a.aggregate_id == aggregate_id)
        .order_by(a.position.desc())
        .limit(1)
    )
    return cast(UUID | None, found)


async def officer_of(conn: AsyncConnection, actor: Actor) -> str | None:
    """The officer a token names: its `officer` claim, else the officer whose account it is."""
    if actor.officer is not None:
        return actor.officer
    found = await conn.scalar(
        select(rows.officer.c.code).where(rows.officer.c.account == actor.subject)
    )
    return cast(str | None, found)


async def unknown_codes(conn: AsyncConnection, table: Table, codes: Sequence[str]) -> list[str]:
    """Which of `codes` are not keys of `table` (units or officers)."""
    if not codes:
        return []
    column = table.c.code
    found = set(await conn.scalars(select(column).where(column.in_(list(codes)))))
    return [c for c in dict.fromkeys(codes) if c not in found]
