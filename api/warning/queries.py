"""Warning reads: straight from the tables, scoped to the caller, keyset-paged; rules; due list."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Any
from uuid import UUID

import strawberry
from sqlalchemy import ColumnElement, Select, select

from api import nodes
from api.context import Info
from api.failures import ClientError
from api.relay import (
    Connection,
    from_global_id,
    newest_first,
    uuid_of,
)
from api.warning.duelist import DueList, due_list
from api.warning.types import (
    WarningLevel,
    WarningNode,
    WarningRuleType,
    WarningStatus,
    sorted_rules,
)
from domain.actor import Actor
from domain.warning.status import OPEN
from service.scope import subtree_select
from store.warning import R, W, load_rules, rule_from_row

C = W.c


def visibility(actor: Actor) -> ColumnElement[bool] | None:
    """A handler sees the warnings its unit's subtree must act on; everyone else all of them.

    The same rule as `service.warning.visible`, as SQL.
    """
    if not actor.is_unit_scoped:
        return None
    assert actor.unit is not None
    return C.unit_code.in_(subtree_select(actor.unit))


def _scoped(info: Info, query: Select[Any]) -> Select[Any]:
    condition = visibility(info.context.call.actor)
    return query if condition is None else query.where(condition)


async def visible_warning_row(info: Info, warning_id: UUID) -> Any | None:
    query = _scoped(info, select(W).where(C.id == warning_id))
    async with info.context.call.runtime.engine.connect() as conn:
        return (await conn.execute(query)).one_or_none()


async def one(info: Info, id: strawberry.ID) -> WarningNode | None:
    uuid = uuid_of(id, "Warning")
    if uuid is None:
        return None
    row = await visible_warning_row(info, uuid)
    return WarningNode.from_row(row) if row else None


@strawberry.input(description="Filters combine with AND; list filters match any of their values.")
class WarningFilter:
    status: list[WarningStatus] | None = None
    level: list[WarningLevel] | None = None
    rule_code: str | None = None
    unit_code: str | None = strawberry.field(
        default=None, description="The responsible unit is within this unit's subtree."
    )
    subject_key: str | None = None
    item_id: strawberry.ID | None = strawberry.field(
        default=None, description="Warnings about this item (a complaint, case, petition, …)."
    )
    open: bool | None = strawberry.field(
        default=None, description="true: RAISED, ACKNOWLEDGED or ESCALATED; false: the others."
    )
    raised_from: datetime | None = strawberry.field(default=None, description="Inclusive.")
    raised_to: datetime | None = strawberry.field(default=None, description="Exclusive.")


def _item(item_id: strawberry.ID) -> tuple[str, str]:
    type_name, local_id = from_global_id(item_id)
    kind = nodes.kind_of(type_name)
    if kind is None:
        raise ClientError("itemId must name an item (complaint, case, …)", code="VALIDATION")
    try:
        return kind.aggregate_type, kind.audit_id(local_id)
    except ValueError:
        raise ClientError("itemId is not a valid global id", code="VALIDATION") from None


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None:
        raise ClientError(f"{name} must carry a time zone", code="VALIDATION")
    return moment


def _filtered(query: Select[Any], f: WarningFilter | None) -> Select[Any]:
    if f is None:
        return query
    if f.status:
        query = query.where(C.status.in_([s.value for s in f.status]))
    if f.level:
        query = query.where(C.level.in_([lv.value for lv in f.level]))
    if f.rule_code:
        query = query.where(C.rule_code == f.rule_code)
    if f.unit_code:
        query = query.where(C.unit_code.in_(subtree_select(f.unit_code)))
    if f.subject_key:
        query = query.where(C.subject_key == f.subject_key)
    if f.item_id:
        item_type, item_id = _item(f.item_id)
        query = query.where(C.item_type == item_type, C.item_id == item_id)
    if f.open is not None:
        open_states = C.status.in_([s.value for s in OPEN])
        query = query.where(open_states if f.open else ~open_states)
    if f.raised_from is not None:
        query = query.where(C.raised_at >= _aware(f.raised_from, "raisedFrom"))
    if f.raised_to is not None:
        query = query.where(C.raised_at < _aware(f.raised_to, "raisedTo"))
    return query


async def many(
    info: Info, first: int | None, after: str | None, filter: WarningFilter | None
) -> Connection[WarningNode]:
    return await newest_first(
        info.context.call.runtime.engine,
        _filtered(_scoped(info, select(W)), filter),
        at=C.raised_at,
        id=C.id,
        first=first,
        after=after,
        node=WarningNode.from_row,
    )


async def rule(info: Info, code: str) -> WarningRuleType | None:
    async with info.context.call.runtime.engine.connect() as conn:
        row = (await conn.execute(select(R).where(R.c.code == code))).one_or_none()
    return WarningRuleType.from_domain(rule_from_row(row)) if row else None


async def rules(info: Info) -> list[WarningRuleType]:
    async with info.context.call.runtime.engine.connect() as conn:
        return sorted_rules(await load_rules(conn))


@strawberry.type
class WarningQueries:
    @strawberry.field(description="A warning by its global id; null if absent or out of scope.")
    async def warning(self, info: Info, id: strawberry.ID) -> WarningNode | None:
        return await one(info, id)

    @strawberry.field(
        description="Warnings, newest raised first; keyset cursors; `first` at most 100."
    )
    async def warnings(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: WarningFilter | None = None,
    ) -> Connection[WarningNode]:
        return await many(info, first, after, filter)

    @strawberry.field(description="Every warning rule, by code.")
    async def warning_rules(self, info: Info) -> list[WarningRuleType]:
        return await rules(info)

    @strawberry.field(
        description="The daily point-to-point list (逐一销账清零) of a unit's subtree: every "
        "running clock overdue at the start of `date`, due on `date` or due the day after "
        "(local days), per responsible unit. Null for an unknown unit or one outside your scope."
    )
    async def due_list(self, info: Info, date: dt.date, unit_code: str) -> DueList | None:
        return await due_list(info, date, unit_code)
