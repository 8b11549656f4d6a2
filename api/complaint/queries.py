"""Complaint reads: straight from the tables, scoped to the caller, keyset-paged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import strawberry
from sqlalchemy import Select, and_, func, or_, select, tuple_

from api.complaint.types import (
    Complaint,
    ComplaintStatus,
    DuplicateCandidate,
    DuplicateReason,
)
from api.context import Info
from api.failures import ClientError
from api.fastpath import decode_complaint_cursor, encode_complaint_cursor
from api.reference.types import Channel
from api.relay import Connection, build_connection, page_size, uuid_of
from domain.complaint.status import OPEN_STATUSES
from domain.similarity import bigrams, jaccard
from service.scope import complaint_visibility, subtree_select
from store import rows

C = rows.complaint.c
DUPLICATE_WINDOW = timedelta(days=30)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


@strawberry.input(description="Filters combine with AND; list filters match any of their values.")
class ComplaintFilter:
    status: list[ComplaintStatus] | None = None
    channel: list[Channel] | None = None
    unit_code: str | None = strawberry.field(
        default=None, description="Primary or line unit within this unit's subtree."
    )
    category_code: str | None = strawberry.field(
        default=None, description="This category or any of its children."
    )
    received_from: datetime | None = None
    received_to: datetime | None = None
    overdue: bool | None = None
    important: bool | None = None


def _scoped(info: Info, query: Select[Any]) -> Select[Any]:
    condition = complaint_visibility(info.context.call.actor)
    return query if condition is None else query.where(condition)


async def visible_complaint_row(info: Info, complaint_id: UUID) -> Any | None:
    query = _scoped(info, select(rows.complaint).where(C.id == complaint_id))
    async with info.context.call.runtime.engine.connect() as conn:
        return (await conn.execute(query)).one_or_none()


async def complaint(info: Info, id: strawberry.ID) -> Complaint | None:
    uuid = uuid_of(id, "Complaint")
    if uuid is None:
        return None
    row = await visible_complaint_row(info, uuid)
    return Complaint.from_row(row) if row else None


def _overdue(now: datetime) -> Any:
    """Past due and not done, or done late; never NULL, so that NOT of it is meaningful."""
    return func.coalesce(
        or_(
            and_(C.status.in_(["RECEIVED", "TRIAGED", "HANDLING"]), C.reply_due_at <= now),
            and_(C.status == "REPLIED", C.callback_due_at <= now),
            C.replied_at >= C.reply_due_at,
            C.called_back_at >= C.callback_due_at,
        ),
        False,
    )


def _filtered(info: Info, query: Select[Any], f: ComplaintFilter | None) -> Select[Any]:
    if f is None:
        return query
    if f.status:
        query = query.where(C.status.in_([s.value for s in f.status]))
    if f.channel:
        query = query.where(C.channel_code.in_([c.value for c in f.channel]))
    if f.unit_code:
        units = subtree_select(f.unit_code)
        query = query.where(or_(C.primary_unit_code.in_(units), C.line_unit_code.in_(units)))
    if f.category_code:
        query = query.where(
            C.category_code.in_(
                select(rows.category.c.code).where(
                    or_(
                        rows.category.c.code == f.category_code,
                        rows.category.c.parent_code == f.category_code,
                    )
                )
            )
        )
    if f.received_from:
        query = query.where(C.received_at >= f.received_from)
    if f.received_to:
        query = query.where(C.received_at < f.received_to)
    if f.important is not None:
        query = query.where(C.important.is_(f.important))
    if f.overdue is not None:
        condition = _overdue(info.context.call.runtime.clock.now())
        query = query.where(condition if f.overdue else ~condition)
    return query


async def complaints(
    info: Info, first: int | None, after: str | None, filter: ComplaintFilter | None
) -> Connection[Complaint]:
    size = page_size(first)
    query = _filtered(info, _scoped(info, select(rows.complaint)), filter)
    if after is not None:
        decoded = decode_complaint_cursor(after)
        if decoded is None:
            raise ClientError("the `after` cursor is not valid", code="VALIDATION")
        micros, last_id = decoded
        key = (EPOCH + timedelta(microseconds=micros), last_id)
        query = query.where(tuple_(C.received_at, C.id) < tuple_(*key))
    query = query.order_by(C.received_at.desc(), C.id.desc()).limit(size + 1)
    async with info.context.call.runtime.engine.connect() as conn:
        found = (await conn.execute(query)).all()
    return build_connection(
        found,
        size=size,
        after=after,
        key=lambda r: (r.received_at, r.id),
        node=Complaint.from_row,
        cursor=lambda key: encode_complaint_cursor((key[0] - EPOCH) // MICROSECOND, key[1]),
    )


async def duplicate_candidates(info: Info, target: Complaint) -> list[DuplicateCandidate]:
    """Earlier open complaints: same phone or ID number, or similar text about the same unit."""
    person = rows.complainant.c
    async with info.context.call.runtime.engine.connect() as conn:
        me = (
            await conn.execute(
                select(person.phone, person.id_number).where(person.id == target.complainant_id)
            )
        ).one_or_none()
        units = [u for u in [target.primary_unit_code, *target.complained_unit_codes] if u]
        same_person = []
        if me is not None and me.phone:
            same_person.append(person.phone == me.phone)
        if me is not None and me.id_number:
            same_person.append(person.id_number == me.id_number)
        near_unit = and_(
            C.received_at >= target.received_at - DUPLICATE_WINDOW,
            or_(C.primary_unit_code.in_(units), C.complained_units.overlap(units)),
        )
        matchers = [*same_person, near_unit] if units else same_person
        if not matchers:
            return []
        query = _scoped(
            info,
            select(rows.complaint, person.phone.label("p_phone"), person.id_number.label("p_idn"))
            .join(rows.complainant, person.id == C.complainant_id)
            .where(
                C.id != target.uuid,
                C.received_at <= target.received_at,
                C.status.in_([s.value for s in OPEN_STATUSES]),
                or_(*matchers),
            )
            .order_by(C.received_at.desc())
            .limit(200),
        )
        candidates = (await conn.execute(query)).all()
    mine = bigrams(target.subject + target.content)
    threshold = info.context.call.runtime.duplicate_threshold
    found: list[DuplicateCandidate] = []
    for row in candidates:
        reasons = []
        if me is not None and me.phone and row.p_phone == me.phone:
            reasons.append(DuplicateReason.SAME_PHONE)
        if me is not None and me.id_number and row.p_idn == me.id_number:
            reasons.append(DuplicateReason.SAME_ID_NUMBER)
        score = jaccard(mine, bigrams(row.subject + row.content))
        if score >= threshold and row.received_at >= target.received_at - DUPLICATE_WINDOW:
            reasons.append(DuplicateReason.SIMILAR_TEXT)
        if reasons:
            found.append(
                DuplicateCandidate(
                    complaint=Complaint.from_row(row), reasons=reasons, similarity=round(score, 3)
                )
            )
    found.sort(key=lambda d: (-len(d.reasons), -d.similarity))
    return found
