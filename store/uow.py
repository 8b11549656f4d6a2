"""The unit of work: one transaction that saves aggregates and appends their audit events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from types import TracebackType
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from audit.recorder import Appended, RequestMeta, append
from domain.actor import Role
from domain.errors import DomainError
from store import clockwatch, rows
from store.complaints import ComplaintRepository
from store.errors import translate
from store.reference import CategoryRepository, OfficerRepository, UnitRepository
from store.repository import Repository

R = TypeVar("R", bound=Repository[Any])
WarnBefore = Callable[[AsyncConnection], Awaitable[Mapping[str, int]]]
DEFAULT_TZ = ZoneInfo("Asia/Shanghai")


class UnitOfWork:
    """`async with UnitOfWork(...) as uow: ...; await uow.commit()`; leaving without commit rolls back."""

    def __init__(
        self,
        engine: AsyncEngine,
        meta: RequestMeta,
        *,
        tz: ZoneInfo = DEFAULT_TZ,
        warn_before: WarnBefore = clockwatch.load_warn_before,
    ) -> None:
        self._engine = engine
        self.meta = meta
        self.recorded: list[Appended] = []
        self._tz = tz
        self._warn_before = warn_before

    async def __aenter__(self) -> UnitOfWork:
        self.conn: AsyncConnection = await self._engine.connect()
        await self.conn.begin()
        self._repositories: dict[type[Repository[Any]], Repository[Any]] = {}
        # Reference data first: other aggregates may point at units defined in the same command.
        self.units = self.repository(UnitRepository)
        self.categories = self.repository(CategoryRepository)
        self.officers = self.repository(OfficerRepository)
        self.complaints = self.repository(ComplaintRepository)
        return self

    def repository(self, kind: type[R]) -> R:
        """This transaction's repository of one kind; saved at commit in first-use order."""
        found = self._repositories.get(kind)
        if found is None:
            found = kind(self.conn)
            self._repositories[kind] = found
        return found  # type: ignore[return-value]

    async def commit(self) -> list[Appended]:
        """Save every changed aggregate, append its events to the audit log, commit once."""
        try:
            events = []
            saved = []
            for repository in self._repositories.values():
                changed = repository.changed()
                await repository.save_all(changed)
                for aggregate, _ in changed:
                    events.extend(aggregate.collect_events())
                    saved.append(aggregate)
            if any(clockwatch.clocks_of(a) is not None for a in saved):
                warn_before = await self._warn_before(self.conn)
                await clockwatch.sync(self.conn, saved, self._tz, warn_before)
            self.recorded = await append(self.conn, events, await self._with_officer(self.meta))
            await self.conn.commit()
        except DBAPIError as error:
            await self.conn.rollback()
            domain_error = translate(error)
            if domain_error is None:
                raise
            raise domain_error from error
        return self.recorded

    async def _with_officer(self, meta: RequestMeta) -> RequestMeta:
        """A token subject that is an officer's account names that officer in the audit actor."""
        actor = meta.actor
        if actor.officer is not None or actor.role is Role.SYSTEM:
            return meta
        officer = await self.conn.scalar(
            select(rows.officer.c.code).where(rows.officer.c.account == actor.subject)
        )
        if officer is None:
            return meta
        return replace(meta, actor=replace(actor, officer=officer))

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self.conn.in_transaction():
                await self.conn.rollback()
        finally:
            await self.conn.close()
        if isinstance(exc, DBAPIError):
            domain_error = translate(exc)
            if domain_error is not None:
                raise domain_error from exc


__all__ = ["DomainError", "UnitOfWork"]
