"""Petition reads: straight from the tables, scoped to the caller, keyset-paged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import strawberry
from sqlalchemy import ColumnElement, Select, and_, func, or_, select, tuple_

from api.context import Info
from api.failures import ClientError
from api.petition.loaders import petition_visibility
from api.petition.types import Petition, PetitionStatus, PetitionSupervisionLevel
from api.relay import Connection, build_connection, decode_cursor, encode_cursor, page_size, uuid_of
from domain.petition.status import UNANSWERED
from service.scope import subtree_select
from store.petition import petition as table

P = table.c
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
_UNANSWERED = [s.value for s in UNANSWERED]


@strawberry.input(description="Filters combine with AND; list filters match any of their values.")
class PetitionFilter:
    status: list[PetitionStatus] | None = None
    supervision_level: list[PetitionSupervisionLevel] | None = None
    backlog: bool | None = strawberry.field(
        default=None, description="Backlog cases (积案), including those computed as of now."
    )
    unit_code: str | None = strawberry.field(
        default=None, description="Handling unit within this unit's subtree."
    )
    overdue: bool | None = strawberry.field(
        default=None, description="A duty deadline passed unmet, or was met late."
    )


def _scoped(info: Info, query: Select[Any]) -> Select[Any]:
    condition = petition_visibility(info.context.call.actor)
    return query if condition is None else query.where(condition)


async def visible_petition_row(info: Info, petition_id: UUID) -> Any | None:
    query = _scoped(info, select(table).where(P.id == petition_id))
    async with info.context.call.runtime.engine.connect() as conn:
        return (await conn.execute(query)).one_or_none()


async def find_petition(info: Info, id: strawberry.ID) -> Petition | None:
    uuid = uuid_of(id, "Petition")
    if uuid is None:
        return None
    row = await visible_petition_row(info, uuid)
    return Petition.from_row(row) if row else None


def backlog_condition(now: datetime) -> ColumnElement[bool]:
    """Marked, or unanswered past the 60 + 30 日 threshold; as `Petition.backlog` computes it."""
    return or_(
        P.backlog_since.is_not(None),
        and_(P.status.in_(_UNANSWERED), P.backlog_due_at <= now),
    )


def overdue_condition(now: datetime) -> ColumnElement[bool]:
    """A duty deadline past due and unmet, or met late; never NULL, so NOT of it is meaningful."""
    return func.coalesce(
        or_(
            P.registered_at > P.register_due_at,
            and_(P.status == "REGISTERED", P.notice_due_at <= now),
            P.accepted_at > P.notice_due_at,
            P.refused_at > P.notice_due_at,
            and_(P.status.in_(_UNANSWERED), P.handling_due_at <= now),
            P.answered_at > P.handling_due_at,
            and_(P.status == "REVIEW_REQUESTED", P.review_due_at <= now),
            P.reviewed_at > P.review_due_at,
            and_(P.status == "RE_EXAMINATION_REQUESTED", P.re_examination_due_at <= now),
            P.re_examined_at > P.re_examination_due_at,
        ),
        False,
    )


def _filtered(info: Info, query: Select[Any], f: PetitionFilter | None) -> Select[Any]:
    if f is None:
        return query
    now = info.context.call.runtime.clock.now()
    if f.status:
        query = query.where(P.status.in_([s.value for s in f.status]))
    if f.supervision_level:
        query = query.where(P.supervision_level.in_([s.value for s in f.supervision_level]))
    if f.unit_code:
        query = query.where(P.handling_unit_code.in_(subtree_select(f.unit_code)))
    if f.backlog is not None:
        condition = backlog_condition(now)
        query = query.where(condition if f.backlog else ~condition)
    if f.overdue is not None:
        condition = overdue_condition(now)
        query = query.where(condition if f.overdue else ~condition)
    return query


def _cursor(key: Any) -> str:
    received, petition_id = key
    return encode_cursor([(received - EPOCH) // MICROSECOND, str(petition_id)])


def _after(after: str) -> tuple[datetime, UUID]:
    micros, petition_id = decode_cursor(after, 2)
    try:
        return EPOCH + timedelta(microseconds=int(micros)), UUID(str(petition_id))
    except (TypeError, ValueError, OverflowError):
        raise ClientError("the `after` cursor is not valid", code="VALIDATION") from None


async def list_petitions(
    info: Info, first: int | None, after: str | None, filter: PetitionFilter | None
) -> Connection[Petition]:
    size = page_size(first)
    query = _filtered(info, _scoped(info, select(table)), filter)
    if after is not None:
        query = query.where(tuple_(P.received_at, P.id) < tuple_(*_after(after)))
    query = query.order_by(P.received_at.desc(), P.id.desc()).limit(size + 1)
    async with info.context.call.runtime.engine.connect() as conn:
        found = (await conn.execute(query)).all()
    return build_connection(
        found,
        size=size,
        after=after,
        key=lambda r: (r.received_at, r.id),
        node=Petition.from_row,
        cursor=_cursor,
    )


@strawberry.type
class PetitionQueries:
    @strawberry.field(description="A petition by its global id; null if absent or out of scope.")
    async def petition(self, info: Info, id: strawberry.ID) -> Petition | None:
        return await find_petition(info, id)

    @strawberry.field(description="Petitions, newest first; keyset cursors; `first` at most 100.")
    async def petitions(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: PetitionFilter | None = None,
    ) -> Connection[Petition]:
        return await list_petitions(info, first, after, filter)
