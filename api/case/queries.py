"""Case reads: straight from the table, scoped to the caller, keyset-paged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import strawberry
from sqlalchemy import Select, func, or_, select, tuple_

from api.case.types import Case, CaseKind, CaseStage
from api.context import Info
from api.failures import ClientError
from api.relay import Connection, build_connection, decode_cursor, encode_cursor, page_size, uuid_of
from service.case import case_visibility
from service.scope import subtree_select
from store.case import police_case

C = police_case.c
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


@strawberry.input(description="Filters combine with AND; list filters match any of their values.")
class CaseFilter:
    stage: list[CaseStage] | None = None
    kind: list[CaseKind] | None = None
    unit_code: str | None = strawberry.field(
        default=None, description="Owning unit within this unit's subtree."
    )
    overdue: bool | None = strawberry.field(
        default=None, description="Some deadline of the case or its measures passed unmet."
    )
    has_open_measure: bool | None = strawberry.field(
        default=None, description="A coercive measure is still in force."
    )


def _scoped(info: Info, query: Select[Any]) -> Select[Any]:
    condition = case_visibility(info.context.call.actor)
    return query if condition is None else query.where(condition)


async def visible_case_row(info: Info, case_id: UUID) -> Any | None:
    query = _scoped(info, select(police_case).where(C.id == case_id))
    async with info.context.call.runtime.engine.connect() as conn:
        return (await conn.execute(query)).one_or_none()


async def case(info: Info, id: strawberry.ID) -> Case | None:
    uuid = uuid_of(id, "Case")
    if uuid is None:
        return None
    row = await visible_case_row(info, uuid)
    return Case.from_row(row) if row else None


def _overdue(now: datetime) -> Any:
    """A running clock past due, or one met late; never NULL, so that NOT of it is meaningful."""
    return or_(C.missed_deadline, func.coalesce(C.next_due_at <= now, False))


def _filtered(info: Info, query: Select[Any], f: CaseFilter | None) -> Select[Any]:
    if f is None:
        return query
    if f.stage:
        query = query.where(C.stage.in_([s.value for s in f.stage]))
    if f.kind:
        query = query.where(C.kind.in_([k.value for k in f.kind]))
    if f.unit_code:
        query = query.where(C.unit_code.in_(subtree_select(f.unit_code)))
    if f.overdue is not None:
        condition = _overdue(info.context.call.runtime.clock.now())
        query = query.where(condition if f.overdue else ~condition)
    if f.has_open_measure is not None:
        query = query.where((C.open_measures > 0) if f.has_open_measure else C.open_measures == 0)
    return query


def _after(after: str) -> tuple[datetime, UUID]:
    micros, last_id = decode_cursor(after, 2)
    try:
        return EPOCH + timedelta(microseconds=int(micros)), UUID(str(last_id))
    except (TypeError, ValueError):
        raise ClientError("the `after` cursor is not valid", code="VALIDATION") from None


async def cases(
    info: Info, first: int | None, after: str | None, filter: CaseFilter | None
) -> Connection[Case]:
    size = page_size(first)
    query = _filtered(info, _scoped(info, select(police_case)), filter)
    if after is not None:
        query = query.where(tuple_(C.alert_received_at, C.id) < tuple_(*_after(after)))
    query = query.order_by(C.alert_received_at.desc(), C.id.desc()).limit(size + 1)
    async with info.context.call.runtime.engine.connect() as conn:
        found = (await conn.execute(query)).all()
    return build_connection(
        found,
        size=size,
        after=after,
        key=lambda r: ((r.alert_received_at - EPOCH) // MICROSECOND, str(r.id)),
        node=Case.from_row,
        cursor=encode_cursor,
    )


@strawberry.type
class CaseQueries:
    @strawberry.field(name="case", description="A case by its global id; null if out of scope.")
    async def case_by_id(self, info: Info, id: strawberry.ID) -> Case | None:
        return await case(info, id)

    @strawberry.field(description="Newest alert first; keyset cursors; `first` at most 100.")
    async def cases(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: CaseFilter | None = None,
    ) -> Connection[Case]:
        return await cases(info, first, after, filter)
