"""The daily due list (逐一销账清零): a unit subtree's running clocks that are past due or nearly so.

Read from the running-clock projection (`clock_watch`), which the unit of work keeps in step with
the aggregates: a clock that is met leaves the list in the commit that meets it. A day clock's
`due_at` is the first instant past its limit (local midnight after its last day), so a clock is
overdue on `date` when `due_at` ≤ the start of that local day, due that day when `due_at` falls in
(start, start + 1 day], and due the next day when it falls in (start + 1 day, start + 2 days].
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from sqlalchemy import case, cast, exists, func, select
from sqlalchemy.dialects.postgresql import UUID as PG_UUID

from api.context import Info
from api.reference.types import Unit
from api.relay import Node
from api.warning.types import WarningNode, item_global_id, load_item, loaders
from domain.actor import Actor
from service.scope import in_subtree, subtree_select
from store import rows
from store.warning import CLOCKS
from store.warning_facts import clock_subject

K = CLOCKS.c


@strawberry.type(description="One running clock to clear (销账): what, whose, due when, and why.")
class DueItem:
    item_type: str = strawberry.field(description="The item's aggregate type (complaint, case, …).")
    item_id: strawberry.ID = strawberry.field(description="The item's global id.")
    clock_key: str
    clock_name: str
    rule_code: str = strawberry.field(description="The clock rule that sets its limit.")
    due_at: dt.datetime = strawberry.field(description="The first instant past the limit.")
    started_at: dt.datetime
    basis: str = strawberry.field(description="The legal basis of the limit (法律依据).")
    computation: str = strawberry.field(description="How the due time was computed.")
    overdue_by: float | None = strawberry.field(
        description="Hours past due now; null while not overdue."
    )
    correlation_id: strawberry.ID | None = strawberry.field(description="The item's loop.")
    local_id: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: Any, now: dt.datetime) -> DueItem:
        late = (now - row.due_at).total_seconds() / 3600
        return cls(
            item_type=row.aggregate_type,
            item_id=strawberry.ID(item_global_id(row.aggregate_type, row.aggregate_id)),
            clock_key=row.clock_key,
            clock_name=row.name,
            rule_code=row.rule_code,
            due_at=row.due_at,
            started_at=row.started_at,
            basis=row.basis,
            computation=row.computation,
            overdue_by=round(late, 2) if now >= row.due_at else None,
            correlation_id=strawberry.ID(str(row.correlation_id)) if row.correlation_id else None,
            local_id=row.aggregate_id,
        )

    @strawberry.field(description="The item itself; null when out of your scope.")
    async def item(self, info: Info) -> Node | None:
        return await load_item(info, self.item_type, self.local_id)

    @strawberry.field(description="The open deadline warning on this clock, if one was raised.")
    async def warning(self, info: Info) -> WarningNode | None:
        subject = clock_subject(self.item_type, self.local_id, self.clock_key)
        row = await loaders(info).clock_warning.load(subject)
        return WarningNode.from_row(row) if row else None


@strawberry.type(description="One responsible unit's clocks on the due list.")
class DueListUnit:
    unit_code: str
    overdue: list[DueItem] = strawberry.field(description="Past due at the start of the day.")
    due_today: list[DueItem]
    due_tomorrow: list[DueItem]

    @strawberry.field
    async def unit(self, info: Info) -> Unit | None:
        row = await info.context.loaders.unit.load(self.unit_code)
        return Unit.from_row(row) if row else None


@strawberry.type(description="The daily due list of a unit's subtree (逐一销账清零).")
class DueList:
    date: dt.date
    unit: Unit = strawberry.field(description="The unit whose subtree is listed.")
    total_overdue: int
    total_due_today: int
    total_due_tomorrow: int
    units: list[DueListUnit] = strawberry.field(
        description="Responsible units with something on the list, by unit code; items by due "
        "time, then item."
    )


def _start_of(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=tz)


def _not_hidden(actor: Actor) -> Any:
    """A complaint's clocks stay off the list of a unit or officer it complains about."""
    c = rows.complaint.c
    complaint_id = case(
        (K.aggregate_type == "complaint", cast(K.aggregate_id, PG_UUID(as_uuid=True))),
        else_=None,
    )
    hidden = func.jiandu_hidden_from(
        c.complained_units, c.complained_officers, actor.unit, actor.officer
    )
    return ~exists(select(c.id).where(c.id == complaint_id, hidden))


async def due_list(info: Info, day: dt.date, unit_code: str) -> DueList | None:
    call = info.context.call
    actor = call.actor
    start = _start_of(day, call.runtime.tz)
    today_end = _start_of(day + dt.timedelta(days=1), call.runtime.tz)
    tomorrow_end = _start_of(day + dt.timedelta(days=2), call.runtime.tz)
    query = select(CLOCKS).where(
        K.unit_code.in_(subtree_select(unit_code)), K.due_at <= tomorrow_end
    )
    if actor.is_unit_scoped:
        query = query.where(_not_hidden(actor))
    async with call.runtime.engine.connect() as conn:
        unit = (
            await conn.execute(select(rows.unit).where(rows.unit.c.code == unit_code))
        ).one_or_none()
        if unit is None:
            return None
        if actor.is_unit_scoped:
            assert actor.unit is not None
            if not await in_subtree(conn, unit_code=unit_code, root_code=actor.unit):
                return None
        found = (await conn.execute(query)).all()

    now = call.runtime.clock.now()
    by_unit: dict[str, DueListUnit] = {}
    for row in sorted(
        found, key=lambda r: (r.due_at, r.aggregate_type, r.aggregate_id, r.clock_key)
    ):
        entry = by_unit.get(row.unit_code)
        if entry is None:
            entry = DueListUnit(unit_code=row.unit_code, overdue=[], due_today=[], due_tomorrow=[])
            by_unit[row.unit_code] = entry
        item = DueItem.from_row(row, now)
        if row.due_at <= start:
            entry.overdue.append(item)
        elif row.due_at <= today_end:
            entry.due_today.append(item)
        else:
            entry.due_tomorrow.append(item)
    units = [by_unit[code] for code in sorted(by_unit)]
    return DueList(
        date=day,
        unit=Unit.from_row(unit),
        total_overdue=sum(len(u.overdue) for u in units),
        total_due_today=sum(len(u.due_today) for u in units),
        total_due_tomorrow=sum(len(u.due_tomorrow) for u in units),
        units=units,
    )
