"""The petition's DataLoaders: one query per kind of nested record per request, scoped."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, func, select
from strawberry.dataloader import DataLoader

from api.context import Info
from domain.actor import Actor
from service.context import Call
from service.scope import complaint_visibility, subtree_select
from store import petition as tables
from store import rows

_KEY = "petition-loaders"
P = tables.petition.c


def petition_visibility(actor: Actor) -> ColumnElement[bool] | None:
    """The condition a petition row must meet for `actor`, or None when centre-wide."""
    if not actor.is_unit_scoped:
        return None
    assert actor.unit is not None
    # 信访工作条例 art. 30: never shown to the unit or officer it is about (migration 0002).
    hidden = func.jiandu_hidden_from(
        P.complained_units, P.complained_officers, actor.unit, actor.officer
    )
    return P.handling_unit_code.in_(subtree_select(actor.unit)) & ~hidden


class PetitionLoaders:
    def __init__(self, call: Call) -> None:
        self.call = call
        # Linked items are loaded in the caller's scope: a link never shows what a lookup would not.
        self.petition = DataLoader(self._petitions)
        self.complaint = DataLoader(self._complaints)
        self.dispatches = DataLoader(self._records(tables.petition_dispatch))
        self.interviews = DataLoader(self._records(tables.petition_interview))
        self.attachments = DataLoader(self._records(tables.petition_attachment))

    async def _scoped(
        self, table: Any, condition: ColumnElement[bool] | None, ids: list[UUID]
    ) -> list[Any]:
        query = select(table).where(table.c.id.in_(ids))
        if condition is not None:
            query = query.where(condition)
        async with self.call.runtime.engine.connect() as conn:
            found = {r.id: r for r in await conn.execute(query)}
        return [found.get(i) for i in ids]

    async def _petitions(self, ids: list[UUID]) -> list[Any]:
        return await self._scoped(tables.petition, petition_visibility(self.call.actor), ids)

    async def _complaints(self, ids: list[UUID]) -> list[Any]:
        return await self._scoped(rows.complaint, complaint_visibility(self.call.actor), ids)

    def _records(self, table: Any) -> Any:
        async def load(ids: list[UUID]) -> list[list[Any]]:
            async with self.call.runtime.engine.connect() as conn:
                result = await conn.execute(
                    select(table).where(table.c.petition_id.in_(ids)).order_by(table.c.seq)
                )
                grouped: dict[UUID, list[Any]] = defaultdict(list)
                for row in result:
                    grouped[row.petition_id].append(row)
            return [grouped.get(i, []) for i in ids]

        return load


def petition_loaders(info: Info) -> PetitionLoaders:
    """This request's petition loaders, made on first use (api/loaders.py stays shared)."""
    found = info.context.extras.get(_KEY)
    if not isinstance(found, PetitionLoaders):
        found = PetitionLoaders(info.context.call)
        info.context.extras[_KEY] = found
    return found
