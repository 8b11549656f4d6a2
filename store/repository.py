"""What every repository shares: it remembers the aggregates it handed out and their versions."""

from __future__ import annotations

from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from domain.aggregate import Aggregate

A = TypeVar("A", bound=Aggregate)


class Repository(Generic[A]):
    """The unit of work saves every aggregate seen here that recorded events, then audits them."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._loaded: dict[str, tuple[A, int]] = {}

    def _seen(self, aggregate: A) -> A:
        known = self._loaded.get(aggregate.id)
        if known is not None:
            return known[0]
        self._loaded[aggregate.id] = (aggregate, aggregate.version)
        return aggregate

    def add(self, aggregate: A) -> A:
        """A new aggregate (loaded version 0) to insert at commit."""
        self._loaded[aggregate.id] = (aggregate, 0)
        return aggregate

    def changed(self) -> list[tuple[A, int]]:
        return [(agg, loaded) for agg, loaded in self._loaded.values() if agg.pending_events]

    async def save(self, aggregate: A, *, loaded_version: int) -> None:
        raise NotImplementedError

    async def save_all(self, changed: list[tuple[A, int]]) -> None:
        """Save every changed aggregate; a repository may batch them."""
        for aggregate, loaded_version in changed:
            await self.save(aggregate, loaded_version=loaded_version)
