"""DataLoaders: one query per kind of nested object per request, however many rows ask."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import insert, select
from strawberry.dataloader import DataLoader

from service.context import Call
from store import rows


class Loaders:
    def __init__(self, call: Call) -> None:
        self.call = call
        self.unit = DataLoader(self._units)
        self.category = DataLoader(self._categories)
        self.officer = DataLoader(self._officers)
        self.complainant = DataLoader(self._complainants)
        self.complaint = DataLoader(self._complaints)

    async def _fetch(self, table: Any, key: Any, keys: Sequence[Any]) -> list[Any]:
        async with self.call.runtime.engine.connect() as conn:
            found = {
                getattr(r, key.name): r
                for r in await conn.execute(select(table).where(key.in_(keys)))
            }
        return [found.get(k) for k in keys]

    async def _units(self, codes: list[str]) -> list[Any]:
        return await self._fetch(rows.unit, rows.unit.c.code, codes)

    async def _categories(self, codes: list[str]) -> list[Any]:
        return await self._fetch(rows.category, rows.category.c.code, codes)

    async def _officers(self, codes: list[str]) -> list[Any]:
        return await self._fetch(rows.officer, rows.officer.c.code, codes)

    async def _complaints(self, ids: list[UUID]) -> list[Any]:
        return await self._fetch(rows.complaint, rows.complaint.c.id, ids)

    async def _complainants(self, ids: list[UUID]) -> list[Any]:
        """Identities; reading them unmasked is recorded in the personal-data access log."""
        actor = self.call.actor
        async with self.call.runtime.engine.begin() as conn:
            result = await conn.execute(
                select(rows.complainant).where(rows.complainant.c.id.in_(ids))
            )
            found = {r.id: r for r in result}
            readable = [pid for pid, row in found.items() if row.erased_at is None]
            if actor.may_read_identity and readable:
                await conn.execute(
                    insert(rows.PersonalDataAccessRow),
                    [
                        {
                            "complainant_id": person_id,
                            "actor_subject": actor.subject,
                            "actor_role": actor.role.value,
                            "request_id": self.call.request_id,
                        }
                        for person_id in readable
                    ],
                )
        return [found.get(i) for i in ids]
