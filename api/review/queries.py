"""Review reads: straight from the tables, scoped to the caller, keyset-paged; the excellent share."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import strawberry
from sqlalchemy import Select, and_, func, or_, select

from api.context import Info
from api.failures import ClientError
from api.relay import (
    Connection,
    from_global_id,
    newest_first,
    uuid_of,
)
from api.review.types import (
    ExcellentShare,
    Review,
    ReviewFindingResult,
    ReviewKind,
    ReviewStatus,
)
from domain.actor import Role
from domain.review.status import (
    PENDING_RECTIFICATION,
    OriginType,
    Rating,
    RecommendationStatus,
    RectificationStatus,
)
from service.review import visibility
from service.scope import in_subtree, subtree_select
from store import rows
from store.review import review, review_recommendation, review_rectification

C = review.c
# The items `openReview` starts a review from (a warning is taken up by `escalateWarning`).
ORIGIN_TYPES = {
    "Complaint": OriginType.COMPLAINT,
    "Petition": OriginType.PETITION,
    "Case": OriginType.CASE,
}
# Every origin with an item behind it, for filtering reviews by where they started.
FILTER_ORIGIN_TYPES = {**ORIGIN_TYPES, "Warning": OriginType.WARNING}


@strawberry.input(description="Filters combine with AND; list filters match any of their values.")
class ReviewFilter:
    kind: list[ReviewKind] | None = None
    status: list[ReviewStatus] | None = None
    unit_code: str | None = strawberry.field(
        default=None, description="The reviewed unit is within this unit's subtree."
    )
    overdue: bool | None = strawberry.field(
        default=None,
        description="A rectification or recommendation response past due, or done late.",
    )
    finding: list[ReviewFindingResult] | None = None
    origin_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Reviews started from this complaint, petition, case or warning.",
    )


def _scoped(info: Info, query: Select[Any]) -> Select[Any]:
    condition = visibility(info.context.call.actor)
    return query if condition is None else query.where(condition)


async def visible_review_row(info: Info, review_id: UUID) -> Any | None:
    query = _scoped(info, select(review).where(C.id == review_id))
    async with info.context.call.runtime.engine.connect() as conn:
        return (await conn.execute(query)).one_or_none()


async def one(info: Info, id: strawberry.ID) -> Review | None:
    uuid = uuid_of(id, "Review")
    if uuid is None:
        return None
    row = await visible_review_row(info, uuid)
    return Review.from_row(row) if row else None


def overdue_condition(now: datetime) -> Any:
    """Past due and not done, or done late, on any rectification or recommendation response."""
    rect = review_rectification.c
    letter = review_recommendation.c
    done = [RectificationStatus.DONE_REPORTED.value, RectificationStatus.CLOSED_OFF.value]
    late_rectifications = select(rect.review_id).where(
        or_(
            and_(rect.status.in_([s.value for s in PENDING_RECTIFICATION]), rect.due_at <= now),
            and_(rect.status.in_(done), rect.done_reported_at > rect.due_at),
        )
    )
    late_letters = select(letter.review_id).where(
        or_(
            and_(letter.status == RecommendationStatus.ISSUED.value, letter.due_at <= now),
            letter.responded_at > letter.due_at,
        )
    )
    return or_(C.id.in_(late_rectifications), C.id.in_(late_letters))


def _origin(origin_id: strawberry.ID) -> tuple[str, str]:
    type_name, local_id = from_global_id(origin_id)
    origin = FILTER_ORIGIN_TYPES.get(type_name)
    if origin is None:
        raise ClientError(
            "originId must name a complaint, petition, case or warning", code="VALIDATION"
        )
    return origin.value, audit_id(local_id)


def audit_id(local_id: str) -> str:
    """The aggregate id the audit log uses for an item's local id (UUIDs in canonical form)."""
    try:
        return str(UUID(local_id))
    except ValueError:
        return local_id


def _filtered(info: Info, query: Select[Any], f: ReviewFilter | None) -> Select[Any]:
    if f is None:
        return query
    if f.kind:
        query = query.where(C.kind.in_([k.value for k in f.kind]))
    if f.status:
        query = query.where(C.status.in_([s.value for s in f.status]))
    if f.unit_code:
        query = query.where(C.unit_code.in_(subtree_select(f.unit_code)))
    if f.finding:
        query = query.where(C.finding.in_([r.value for r in f.finding]))
    if f.origin_id:
        origin_type, origin_id = _origin(f.origin_id)
        query = query.where(C.origin_type == origin_type, C.origin_id == origin_id)
    if f.overdue is not None:
        condition = overdue_condition(info.context.call.runtime.clock.now())
        query = query.where(condition if f.overdue else ~condition)
    return query


async def many(
    info: Info, first: int | None, after: str | None, filter: ReviewFilter | None
) -> Connection[Review]:
    return await newest_first(
        info.context.call.runtime.engine,
        _filtered(info, _scoped(info, select(review)), filter),
        at=C.opened_at,
        id=C.id,
        first=first,
        after=after,
        node=Review.from_row,
    )


async def excellent_share(
    info: Info, unit_code: str, start: datetime, end: datetime
) -> ExcellentShare:
    """Evaluations of the unit's subtree in [start, end), and how many were rated excellent."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ClientError("from and to must carry a time zone", code="VALIDATION")
    if start >= end:
        raise ClientError("`from` must be before `to`", code="VALIDATION")
    actor = info.context.call.actor
    async with info.context.call.runtime.engine.connect() as conn:
        known = await conn.scalar(select(rows.unit.c.code).where(rows.unit.c.code == unit_code))
        if known is None:
            raise ClientError(f"unknown unit {unit_code}", code="VALIDATION")
        if actor.role is Role.HANDLER and not (
            actor.unit and await in_subtree(conn, unit_code=unit_code, root_code=actor.unit)
        ):
            raise ClientError(f"unit {unit_code} is outside your unit's subtree", code="FORBIDDEN")
        counted = (
            await conn.execute(
                select(
                    func.count(),
                    func.count().filter(C.rating == Rating.EXCELLENT.value),
                ).where(
                    C.rating.is_not(None),
                    C.evaluated_at >= start,
                    C.evaluated_at < end,
                    C.unit_code.in_(subtree_select(unit_code)),
                )
            )
        ).one()
    evaluated, excellent = int(counted[0]), int(counted[1])
    return ExcellentShare(
        unit_code=unit_code,
        from_=start,
        to=end,
        evaluated=evaluated,
        excellent=excellent,
        share=excellent / evaluated if evaluated else None,
    )


@strawberry.type
class ReviewQueries:
    @strawberry.field(description="A review by its global id; null if absent or out of scope.")
    async def review(self, info: Info, id: strawberry.ID) -> Review | None:
        return await one(info, id)

    @strawberry.field(description="Reviews, newest first; keyset cursors; `first` at most 100.")
    async def reviews(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: ReviewFilter | None = None,
    ) -> Connection[Review]:
        return await many(info, first, after, filter)

    @strawberry.field(
        description="Share of case-quality evaluations rated excellent (优秀率) among the "
        "evaluations of a unit's subtree in [from, to)."
    )
    async def excellent_share(
        self,
        info: Info,
        unit_code: str,
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
    ) -> ExcellentShare:
        return await excellent_share(info, unit_code, from_, to)
