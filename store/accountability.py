"""Accountability and points-ledger repositories: rows ⇄ aggregates, version-checked on save.

An accountability is one row: its subjects, measures and appeals are jsonb parts that change only
with it. A points ledger is a row of running totals plus append-only entry rows; the repository
inserts the entries a command added, in the same transaction as the ledger's version step.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Table, Text, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import Mapped, mapped_column

from domain.accountability.aggregate import (
    Accountability,
    Appeal,
    FaultType,
    Measure,
    MeasureOrder,
    PersonSubject,
    UnitSubject,
)
from domain.accountability.exposure import ExposureEntry
from domain.accountability.ledger import (
    EntryKind,
    ForbiddenIndicators,
    PointsEntry,
    PointsLedger,
    SourceRef,
)
from domain.accountability.status import (
    AccountabilityStatus,
    AppealOutcome,
    ChainRole,
    Culpability,
    MeasureKind,
    MeasureStatus,
    Responsibility,
    SubjectKind,
    SubjectRole,
)
from domain.errors import Conflict
from store import rows
from store.codecs import deadline_from_json, deadline_to_json
from store.repository import Repository
from store.rows import Row

# -- rows ----------------------------------------------------------------------------------------


class AccountabilityRow(Row):
    __tablename__ = "accountability"
    id: Mapped[UUID] = mapped_column(primary_key=True)
    version: Mapped[int]
    status: Mapped[str]
    review_id: Mapped[UUID]
    unit_code: Mapped[str]
    correlation_id: Mapped[UUID]
    opened_at: Mapped[datetime]
    fault_type_code: Mapped[str]
    fault_type: Mapped[str]
    fault_date: Mapped[date]
    culpability: Mapped[str]
    lifelong: Mapped[bool]
    persons: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    units: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    officer_codes: Mapped[list[str]] = mapped_column(ARRAY(Text))
    unit_codes: Mapped[list[str]] = mapped_column(ARRAY(Text))
    proposed: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    proposed_at: Mapped[datetime | None]
    measures: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None]
    appeal_due_at: Mapped[datetime | None]
    appeal_window: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    appeals: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    exposure: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    published_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class AccountabilityMeasurePointsRow(Row):
    __tablename__ = "accountability_measure_points"
    measure: Mapped[str] = mapped_column(primary_key=True)
    points: Mapped[int]
    basis: Mapped[str]


class EvaluationForbiddenIndicatorRow(Row):
    __tablename__ = "evaluation_forbidden_indicator"
    code: Mapped[str] = mapped_column(primary_key=True)
    name: Mapped[str]
    aliases: Mapped[list[str]] = mapped_column(ARRAY(Text))
    basis: Mapped[str]


class PointsLedgerRow(Row):
    __tablename__ = "points_ledger"
    officer_code: Mapped[str] = mapped_column(primary_key=True)
    version: Mapped[int]
    earned: Mapped[int]
    deducted: Mapped[int]
    offset_total: Mapped[int]
    reversed: Mapped[int]
    entry_count: Mapped[int]
    updated_at: Mapped[datetime]


class PointsEntryRow(Row):
    __tablename__ = "points_entry"
    officer_code: Mapped[str] = mapped_column(primary_key=True)
    no: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str]
    amount: Mapped[int]
    balance_after: Mapped[int]
    indicator_code: Mapped[str | None]
    reason: Mapped[str]
    source_type: Mapped[str | None]
    source_id: Mapped[str | None]
    recorded_at: Mapped[datetime]


accountability = cast(Table, AccountabilityRow.__table__)
measure_points = cast(Table, AccountabilityMeasurePointsRow.__table__)
forbidden_indicator = cast(Table, EvaluationForbiddenIndicatorRow.__table__)
points_ledger = cast(Table, PointsLedgerRow.__table__)
points_entry = cast(Table, PointsEntryRow.__table__)

T = accountability

# -- rows ⇄ domain ---------------------------------------------------------------------------------


def _fault_type(data: dict[str, Any]) -> FaultType:
    return FaultType(code=str(data["code"]), text=str(data["text"]))


def person_from_record(data: dict[str, Any]) -> PersonSubject:
    return PersonSubject(
        officer=str(data["officer"]),
        role=SubjectRole(data["role"]),
        unit_at_fault=str(data["unitAtFault"]),
        fault_type=_fault_type(data["faultType"]),
        responsibility=Responsibility(data["responsibility"]),
        chain_role=ChainRole(data["chainRole"]),
        share=int(data["share"]),
    )


def unit_from_record(data: dict[str, Any]) -> UnitSubject:
    return UnitSubject(
        unit=str(data["unit"]),
        fault_type=_fault_type(data["faultType"]),
        responsibility=Responsibility(data["responsibility"]),
    )


def order_from_record(data: dict[str, Any]) -> MeasureOrder:
    return MeasureOrder(
        subject=str(data["subject"]), kind=MeasureKind(data["kind"]), days=data["days"]
    )


def measure_to_record(measure: Measure) -> dict[str, Any]:
    return {
        "no": measure.no,
        "subjectKind": measure.subject_kind.value,
        "subject": measure.subject,
        "kind": measure.kind.value,
        "days": measure.days,
        "period": deadline_to_json(measure.period) if measure.period else None,
        "decidedAt": measure.decided_at.isoformat(),
        "status": measure.status.value,
        "appealNo": measure.appeal_no,
    }


def measure_from_record(data: dict[str, Any]) -> Measure:
    return Measure(
        no=int(data["no"]),
        subject_kind=SubjectKind(data["subjectKind"]),
        subject=str(data["subject"]),
        kind=MeasureKind(data["kind"]),
        days=data["days"],
        period=deadline_from_json(data["period"]) if data.get("period") else None,
        decided_at=datetime.fromisoformat(data["decidedAt"]),
        status=MeasureStatus(data["status"]),
        appeal_no=data.get("appealNo"),
    )


def appeal_to_record(appeal: Appeal) -> dict[str, Any]:
    return {"no": appeal.no, **appeal.as_record()}


def appeal_from_record(data: dict[str, Any]) -> Appeal:
    decided = data.get("decidedAt")
    return Appeal(
        no=int(data["no"]),
        appellant=str(data["appellant"]),
        grounds=str(data["grounds"]),
        lodged_at=datetime.fromisoformat(data["lodgedAt"]),
        outcome=AppealOutcome(data["outcome"]) if data.get("outcome") else None,
        note=data.get("note"),
        decided_at=datetime.fromisoformat(decided) if decided else None,
    )


def to_aggregate(row: Any) -> Accountability:
    return Accountability(
        id=str(row.id),
        version=row.version,
        review_id=str(row.review_id),
        unit=row.unit_code,
        correlation=row.correlation_id,
        opened_at=row.opened_at,
        fault_type=FaultType(code=row.fault_type_code, text=row.fault_type),
        fault_date=row.fault_date,
        culpability=Culpability(row.culpability),
        persons=tuple(person_from_record(p) for p in row.persons),
        units=tuple(unit_from_record(u) for u in row.units),
        status=AccountabilityStatus(row.status),
        proposed=tuple(order_from_record(o) for o in row.proposed),
        proposed_at=row.proposed_at,
        measures=tuple(measure_from_record(m) for m in row.measures),
        decided_at=row.decided_at,
        decision_note=row.decision_note,
        appeal_window=deadline_from_json(row.appeal_window) if row.appeal_window else None,
        appeals=tuple(appeal_from_record(a) for a in row.appeals),
        exposure=ExposureEntry.from_record(row.exposure) if row.exposure else None,
    )


def state(item: Accountability) -> dict[str, Any]:
    """The accountability row's changeable columns."""
    window = item.appeal_window
    return {
        "version": item.version,
        "status": item.status.value,
        "persons": [{"officer": p.officer, **p.as_record()} for p in item.persons],
        "units": [{"unit": u.unit, **u.as_record()} for u in item.units],
        "officer_codes": list(item.officer_codes),
        "unit_codes": list(item.unit_codes),
        "proposed": [o.as_record() for o in item.proposed],
        "proposed_at": item.proposed_at,
        "measures": [measure_to_record(m) for m in item.measures],
        "decided_at": item.decided_at,
        "decision_note": item.decision_note,
        "appeal_due_at": window.due_at if window else None,
        "appeal_window": deadline_to_json(window) if window else None,
        "appeals": [appeal_to_record(a) for a in item.appeals],
        "exposure": item.exposure.as_record() if item.exposure else None,
        "published_at": item.exposure.published_at if item.exposure else None,
    }


def entry_from_row(row: Any) -> PointsEntry:
    return PointsEntry(
        no=row.no,
        kind=EntryKind(row.kind),
        amount=row.amount,
        balance_after=row.balance_after,
        indicator=row.indicator_code,
        reason=row.reason,
        source=SourceRef(type=row.source_type, id=row.source_id) if row.source_type else None,
        recorded_at=row.recorded_at,
    )


def ledger_from_row(row: Any, *, unit: str | None = None) -> PointsLedger:
    return PointsLedger(
        officer=row.officer_code,
        version=row.version,
        earned=row.earned,
        deducted=row.deducted,
        offset=row.offset_total,
        reversed=row.reversed,
        entry_count=row.entry_count,
        unit=unit,
    )


# -- the repositories ------------------------------------------------------------------------------


class AccountabilityRepository(Repository[Accountability]):
    async def get(self, accountability_id: UUID) -> Accountability | None:
        row = (await self._conn.execute(select(T).where(T.c.id == accountability_id))).one_or_none()
        return self._seen(to_aggregate(row)) if row else None

    async def of_review(self, review_id: UUID) -> str | None:
        """The accountability already opened from a review, if any."""
        found = await self._conn.scalar(select(T.c.id).where(T.c.review_id == review_id))
        return str(found) if found else None

    async def save(self, aggregate: Accountability, *, loaded_version: int) -> None:
        occurred_at = aggregate.pending_events[-1].occurred_at
        if loaded_version == 0:
            await self._conn.execute(
                insert(T).values(
                    id=UUID(aggregate.id),
                    review_id=UUID(aggregate.review_id),
                    unit_code=aggregate.unit,
                    correlation_id=aggregate.correlation,
                    opened_at=aggregate.opened_at,
                    fault_type_code=aggregate.fault_type.code,
                    fault_type=aggregate.fault_type.text,
                    fault_date=aggregate.fault_date,
                    culpability=aggregate.culpability.value,
                    lifelong=aggregate.lifelong,
                    **state(aggregate),
                )
            )
            return
        result = await self._conn.execute(
            update(T)
            .where(T.c.id == UUID(aggregate.id), T.c.version == loaded_version)
            .values(updated_at=occurred_at, **state(aggregate))
        )
        if result.rowcount != 1:
            raise Conflict(
                f"accountability {aggregate.id} changed since version {loaded_version}; reload it"
            )


class PointsLedgerRepository(Repository[PointsLedger]):
    async def get(self, officer_code: str) -> PointsLedger | None:
        known = self._loaded.get(officer_code)
        if known is not None:
            return known[0]
        row = (
            await self._conn.execute(
                select(points_ledger).where(points_ledger.c.officer_code == officer_code)
            )
        ).one_or_none()
        if row is None:
            return None
        unit = await self._conn.scalar(
            select(rows.officer.c.unit_code).where(rows.officer.c.code == officer_code)
        )
        return self._seen(ledger_from_row(row, unit=unit))

    async def get_or_start(self, officer_code: str) -> PointsLedger:
        """The officer's ledger, or a new empty one (version 0) that its first entry creates."""
        found = await self.get(officer_code)
        if found is not None:
            return found
        unit = await self._conn.scalar(
            select(rows.officer.c.unit_code).where(rows.officer.c.code == officer_code)
        )
        return self.add(PointsLedger.empty(officer_code, unit=unit))

    async def save(self, aggregate: PointsLedger, *, loaded_version: int) -> None:
        values = {
            "version": aggregate.version,
            "earned": aggregate.earned,
            "deducted": aggregate.deducted,
            "offset_total": aggregate.offset,
            "reversed": aggregate.reversed,
            "entry_count": aggregate.entry_count,
        }
        if loaded_version == 0:
            await self._conn.execute(
                insert(points_ledger).values(officer_code=aggregate.officer, **values)
            )
        else:
            result = await self._conn.execute(
                update(points_ledger)
                .where(
                    points_ledger.c.officer_code == aggregate.officer,
                    points_ledger.c.version == loaded_version,
                )
                .values(updated_at=aggregate.pending_events[-1].occurred_at, **values)
            )
            if result.rowcount != 1:
                raise Conflict(
                    f"the points ledger of {aggregate.officer} changed since version "
                    f"{loaded_version}; reload it"
                )
        if aggregate.new_entries:
            await self._conn.execute(
                insert(points_entry),
                [
                    {
                        "officer_code": aggregate.officer,
                        "no": e.no,
                        "kind": e.kind.value,
                        "amount": e.amount,
                        "balance_after": e.balance_after,
                        "indicator_code": e.indicator,
                        "reason": e.reason,
                        "source_type": e.source.type if e.source else None,
                        "source_id": e.source.id if e.source else None,
                        "recorded_at": e.recorded_at,
                    }
                    for e in aggregate.new_entries
                ],
            )
            aggregate.new_entries.clear()


# -- configuration and lookups the service needs ---------------------------------------------------


async def load_measure_points(conn: AsyncConnection) -> dict[MeasureKind, int]:
    """Points deducted per decided measure (migration 0007)."""
    found = await conn.execute(select(measure_points.c.measure, measure_points.c.points))
    return {MeasureKind(row.measure): row.points for row in found}


async def load_forbidden_indicators(conn: AsyncConnection) -> ForbiddenIndicators:
    found = await conn.execute(select(forbidden_indicator))
    codes: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for row in found:
        codes[row.code] = row.name
        for alias in row.aliases:
            aliases[alias] = row.code
    return ForbiddenIndicators(codes=codes, aliases=aliases)


async def officer_names(conn: AsyncConnection, codes: Sequence[str]) -> dict[str, Any]:
    """Officer rows (name, kind, unit) by code."""
    if not codes:
        return {}
    found = await conn.execute(select(rows.officer).where(rows.officer.c.code.in_(list(codes))))
    return {row.code: row for row in found}


async def unit_rows(conn: AsyncConnection, codes: Sequence[str]) -> dict[str, Any]:
    """Unit rows by code, with their parents' names (for exposure-board labels)."""
    if not codes:
        return {}
    unit = rows.unit.alias("u")
    parent = rows.unit.alias("p")
    found = await conn.execute(
        select(unit.c.code, unit.c.name, unit.c.kind, parent.c.name.label("parent_name"))
        .select_from(unit.outerjoin(parent, parent.c.code == unit.c.parent_code))
        .where(unit.c.code.in_(list(codes)))
    )
    return {row.code: row for row in found}
