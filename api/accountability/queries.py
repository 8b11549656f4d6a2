"""Accountability reads: scoped to the caller, keyset-paged; the integrity record; the exposure board."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import strawberry
from sqlalchemy import Select, any_, exists, select

from api.accountability.types import (
    Accountability,
    AccountabilityStatus,
    ExposureEntry,
    IntegrityFault,
    OfficerIntegrity,
    PointsLedger,
)
from api.complaint.types import Complaint
from api.context import Info
from api.failures import ClientError
from api.relay import Connection, newest_first, uuid_of
from domain.accountability.exposure import ExposureEntry as DomainExposureEntry
from domain.errors import Forbidden
from service.accountability import officer_visible, require_reader, visibility
from service.scope import complaint_visibility, subtree_codes
from store import accountability as store
from store import rows

C = store.accountability.c
MAX_COMPLAINTS = 100


@strawberry.input(description="Filters combine with AND; list filters match any of their values.")
class AccountabilityFilter:
    status: list[AccountabilityStatus] | None = None
    unit_code: str | None = strawberry.field(
        default=None,
        description="A unit held accountable, or a person's unit at the time of the fault, lies "
        "within this unit's subtree.",
    )
    officer_code: str | None = strawberry.field(
        default=None, description="This officer is among the persons held accountable."
    )
    lifelong: bool | None = strawberry.field(
        default=None, description="Intentional or grossly negligent faults (终身追责)."
    )


def _reader(info: Info) -> None:
    try:
        require_reader(info.context.call.actor)
    except Forbidden as error:
        raise ClientError(error.message, code="FORBIDDEN") from None


def _scoped(info: Info, query: Select[Any]) -> Select[Any]:
    condition = visibility(info.context.call.actor)
    return query if condition is None else query.where(condition)


async def visible_accountability_row(info: Info, accountability_id: UUID) -> Any | None:
    from domain.accountability.policy import may_read

    if not may_read(info.context.call.actor):
        return None
    query = _scoped(info, select(store.accountability).where(C.id == accountability_id))
    async with info.context.call.runtime.engine.connect() as conn:
        return (await conn.execute(query)).one_or_none()


async def one(info: Info, id: strawberry.ID) -> Accountability | None:
    uuid = uuid_of(id, "Accountability")
    if uuid is None:
        return None
    row = await visible_accountability_row(info, uuid)
    return Accountability.from_row(row) if row else None


def _filtered(query: Select[Any], f: AccountabilityFilter | None) -> Select[Any]:
    if f is None:
        return query
    if f.status:
        query = query.where(C.status.in_([s.value for s in f.status]))
    if f.unit_code:
        unit = rows.unit.c
        query = query.where(
            exists(
                select(unit.code).where(unit.code == any_(C.unit_codes), subtree_codes(f.unit_code))
            )
        )
    if f.officer_code:
        query = query.where(C.officer_codes.contains([f.officer_code]))
    if f.lifelong is not None:
        query = query.where(C.lifelong.is_(f.lifelong))
    return query


async def many(
    info: Info, first: int | None, after: str | None, filter: AccountabilityFilter | None
) -> Connection[Accountability]:
    _reader(info)
    return await newest_first(
        info.context.call.runtime.engine,
        _filtered(_scoped(info, select(store.accountability)), filter),
        at=C.opened_at,
        id=C.id,
        first=first,
        after=after,
        node=Accountability.from_row,
    )


async def integrity(info: Info, officer_code: str) -> OfficerIntegrity | None:
    """The officer's record wherever they served: null if unknown or outside a handler's scope."""
    _reader(info)
    actor = info.context.call.actor
    async with info.context.call.runtime.engine.connect() as conn:
        known = await conn.scalar(
            select(rows.officer.c.code).where(rows.officer.c.code == officer_code)
        )
        if known is None or not await officer_visible(conn, actor, officer_code):
            return None
        faults = (
            await conn.execute(
                select(store.accountability)
                .where(C.officer_codes.contains([officer_code]))
                .order_by(C.opened_at.desc(), C.id.desc())
            )
        ).all()
        ledger = (
            await conn.execute(
                select(store.points_ledger).where(
                    store.points_ledger.c.officer_code == officer_code
                )
            )
        ).one_or_none()
        complaints_query = (
            select(rows.complaint)
            .where(rows.complaint.c.complained_officers.contains([officer_code]))
            .order_by(rows.complaint.c.received_at.desc(), rows.complaint.c.id.desc())
            .limit(MAX_COMPLAINTS)
        )
        condition = complaint_visibility(actor)
        if condition is not None:
            complaints_query = complaints_query.where(condition)
        complaints = (await conn.execute(complaints_query)).all()
    records = []
    for row in faults:
        item = store.to_aggregate(row)
        person = item.person(officer_code)
        if person is not None:
            records.append(IntegrityFault.build(item, person))
    return OfficerIntegrity(
        officer_code=officer_code,
        faults=records,
        points=PointsLedger.from_row(ledger) if ledger else PointsLedger.empty(officer_code),
        complaints=[Complaint.from_row(r) for r in complaints],
    )


async def exposure_board(
    info: Info, first: int | None, after: str | None
) -> Connection[ExposureEntry]:
    """Published typical cases, newest first; they hold no personal data, so every role reads them."""
    return await newest_first(
        info.context.call.runtime.engine,
        select(C.id, C.exposure, C.published_at).where(C.published_at.is_not(None)),
        at=C.published_at,
        id=C.id,
        first=first,
        after=after,
        node=lambda r: ExposureEntry.from_domain(
            str(r.id), DomainExposureEntry.from_record(r.exposure)
        ),
    )


@strawberry.type
class AccountabilityQueries:
    @strawberry.field(
        description="An accountability by its global id; null if absent or out of scope."
    )
    async def accountability(self, info: Info, id: strawberry.ID) -> Accountability | None:
        return await one(info, id)

    @strawberry.field(
        description="Accountabilities, newest first; keyset cursors; `first` at most 100."
    )
    async def accountabilities(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: AccountabilityFilter | None = None,
    ) -> Connection[Accountability]:
        return await many(info, first, after, filter)

    @strawberry.field(
        description="An officer's enforcement-integrity record (执法诚信档案): faults (with the "
        "unit at the time of each), points entries and balance, complaints naming them. Null if "
        "the officer is unknown or, for a handler, not serving in its subtree."
    )
    async def officer_integrity(self, info: Info, officer_code: str) -> OfficerIntegrity | None:
        return await integrity(info, officer_code)

    @strawberry.field(
        description="The exposure board (曝光台): published typical cases without personal data, "
        "newest first."
    )
    async def exposure_board(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[ExposureEntry]:
        return await exposure_board(info, first, after)
