"""Repositories of the reference aggregates: units, officers, categories; and clock settings."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.deadlines import ClockRule, ClockUnit, HolidayCalendar
from domain.errors import Conflict
from domain.reference.model import Assignment, Category, Officer, OfficerKind, Unit, UnitKind
from store import rows
from store.repository import Repository


def _unit(row: Any) -> Unit:
    return Unit(
        code=row.code,
        version=row.version,
        name=row.name,
        kind=UnitKind(row.kind),
        parent=row.parent_code,
        path=row.path,
    )


async def _guarded_update(
    conn: AsyncConnection, table: Any, key: Any, loaded: int, **values: Any
) -> None:
    result = await conn.execute(
        update(table).where(key, table.c.version == loaded).values(updated_at=_now(), **values)
    )
    if result.rowcount != 1:
        raise Conflict(f"{table.name} changed since version {loaded}; reload it")


def _now() -> Any:
    return func.now()


class UnitRepository(Repository[Unit]):
    async def get(self, code: str) -> Unit | None:
        row = (
            await self._conn.execute(select(rows.unit).where(rows.unit.c.code == code))
        ).one_or_none()
        return self._seen(_unit(row)) if row else None

    async def all(self) -> list[Unit]:
        result = await self._conn.execute(select(rows.unit).order_by(rows.unit.c.path))
        return [self._seen(_unit(row)) for row in result]

    async def save(self, aggregate: Unit, *, loaded_version: int) -> None:
        values = {
            "version": aggregate.version,
            "name": aggregate.name,
            "kind": aggregate.kind.value,
            "parent_code": aggregate.parent,
            "path": aggregate.path,
        }
        if loaded_version == 0:
            await self._conn.execute(insert(rows.unit).values(code=aggregate.code, **values))
        else:
            await _guarded_update(
                self._conn, rows.unit, rows.unit.c.code == aggregate.code, loaded_version, **values
            )


class OfficerRepository(Repository[Officer]):
    async def get(self, code: str) -> Officer | None:
        row = (
            await self._conn.execute(select(rows.officer).where(rows.officer.c.code == code))
        ).one_or_none()
        if row is None:
            return None
        history = await self._conn.execute(
            select(rows.officer_assignment)
            .where(rows.officer_assignment.c.officer_code == code)
            .order_by(rows.officer_assignment.c.valid_from)
        )
        return self._seen(
            Officer(
                code=row.code,
                version=row.version,
                name=row.name,
                kind=OfficerKind(row.kind),
                assignments=tuple(
                    Assignment(unit=h.unit_code, valid_from=h.valid_from) for h in history
                ),
                account=row.account,
            )
        )

    async def save(self, aggregate: Officer, *, loaded_version: int) -> None:
        values = {
            "version": aggregate.version,
            "name": aggregate.name,
            "kind": aggregate.kind.value,
            "unit_code": aggregate.unit,
            "account": aggregate.account,
        }
        if loaded_version == 0:
            await self._conn.execute(insert(rows.officer).values(code=aggregate.code, **values))
        else:
            await _guarded_update(
                self._conn,
                rows.officer,
                rows.officer.c.code == aggregate.code,
                loaded_version,
                **values,
            )
        # Assignments only ever grow: insert the ones the table does not hold yet.
        existing = set(
            await self._conn.scalars(
                select(rows.officer_assignment.c.valid_from).where(
                    rows.officer_assignment.c.officer_code == aggregate.code
                )
            )
        )
        fresh = [a for a in aggregate.assignments if a.valid_from not in existing]
        if fresh:
            await self._conn.execute(
                insert(rows.officer_assignment),
                [
                    {
                        "officer_code": aggregate.code,
                        "unit_code": a.unit,
                        "valid_from": a.valid_from,
                    }
                    for a in fresh
                ],
            )


class CategoryRepository(Repository[Category]):
    async def get(self, code: str) -> Category | None:
        row = (
            await self._conn.execute(select(rows.category).where(rows.category.c.code == code))
        ).one_or_none()
        if row is None:
            return None
        return self._seen(
            Category(
                code=row.code,
                version=row.version,
                name=row.name,
                parent=row.parent_code,
                is_enforcement=row.is_enforcement,
            )
        )

    async def save(self, aggregate: Category, *, loaded_version: int) -> None:
        values = {
            "version": aggregate.version,
            "name": aggregate.name,
            "parent_code": aggregate.parent,
            "is_enforcement": aggregate.is_enforcement,
        }
        if loaded_version == 0:
            await self._conn.execute(insert(rows.category).values(code=aggregate.code, **values))
        else:
            await _guarded_update(
                self._conn,
                rows.category,
                rows.category.c.code == aggregate.code,
                loaded_version,
                **values,
            )


async def load_clock_rules(
    conn: AsyncConnection, clock_prefix: str
) -> dict[tuple[str, str], ClockRule]:
    """Rules of one aggregate's clocks, keyed by (clock suffix, scope), e.g. ("reply", "ONLINE")."""
    result = await conn.execute(
        select(rows.clock_rule).where(rows.clock_rule.c.clock.startswith(clock_prefix + "."))
    )
    return {
        (row.clock.removeprefix(clock_prefix + "."), row.scope): ClockRule(
            code=row.code,
            name=row.name,
            start_event=row.start_event,
            unit=ClockUnit(row.unit),
            limit=row.limit_value,
            basis=row.basis,
            max_extension=row.max_extension,
            extension_approver=row.extension_approver,
            shift_holiday_end=row.shift_holiday_end,
            warn_before=row.warn_before,
        )
        for row in result
    }


async def load_calendar(conn: AsyncConnection) -> HolidayCalendar:
    result = await conn.execute(select(rows.calendar_day))
    holidays: set[date] = set()
    workdays: set[date] = set()
    for row in result:
        (holidays if row.kind == "HOLIDAY" else workdays).add(row.day)
    return HolidayCalendar(holidays=frozenset(holidays), makeup_workdays=frozenset(workdays))
