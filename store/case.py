"""Case repository: rows ⇄ aggregates, with the optimistic version check on save."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Table, insert, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.case.aggregate import Case
from domain.case.status import CaseKind, CaseStage
from domain.case.values import (
    Appraisal,
    Challenge,
    Designation,
    DetentionStepDone,
    Extension,
    ExternalRef,
    Measure,
    NotFilingNotice,
    OutsideJurisdiction,
    Refusal,
    Revisit,
    StageStep,
    Tracking,
    Transfer,
)
from domain.errors import Conflict
from store.codecs import deadline_from_json, deadline_to_json
from store.repository import Repository
from store.rows import Row


class CaseRow(Row):
    __tablename__ = "police_case"
    id: Mapped[UUID] = mapped_column(primary_key=True)
    version: Mapped[int]
    kind: Mapped[str]
    title: Mapped[str]
    summary: Mapped[str]
    stage: Mapped[str]
    unit_code: Mapped[str]
    lead_officer_code: Mapped[str | None]
    external_system: Mapped[str | None]
    external_record_id: Mapped[str | None]
    alert_received_at: Mapped[datetime]
    registered_at: Mapped[datetime]
    correlation_id: Mapped[UUID]
    stage_history: Mapped[list[Any]] = mapped_column(JSONB)
    transfers: Mapped[list[Any]] = mapped_column(JSONB)
    refusals: Mapped[list[Any]] = mapped_column(JSONB)
    designations: Mapped[list[Any]] = mapped_column(JSONB)
    measures: Mapped[list[Any]] = mapped_column(JSONB)
    revisits: Mapped[list[Any]] = mapped_column(JSONB)
    trackings: Mapped[list[Any]] = mapped_column(JSONB)
    appraisals: Mapped[list[Any]] = mapped_column(JSONB)
    handling_extensions: Mapped[list[Any]] = mapped_column(JSONB)
    deadlines: Mapped[dict[str, Any]] = mapped_column(JSONB)
    open_measures: Mapped[int]
    next_due_at: Mapped[datetime | None]
    missed_deadline: Mapped[bool]
    updated_at: Mapped[datetime]
    # Added by migration 0008.
    outside_jurisdiction: Mapped[list[Any]] = mapped_column(JSONB)
    not_filing_notice: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    not_filing_challenges: Mapped[list[Any]] = mapped_column(JSONB)
    detention_steps: Mapped[list[Any]] = mapped_column(JSONB)


police_case = cast(Table, CaseRow.__table__)
T = police_case


def _measure_to_json(measure: Measure) -> dict[str, Any]:
    stored = measure.as_json()
    stored["deadline"] = deadline_to_json(measure.deadline) if measure.deadline else None
    return stored


def _measure_from_json(data: dict[str, Any]) -> Measure:
    deadline = data.get("deadline")
    return Measure.from_json(data, deadline_from_json(deadline) if deadline else None)


def to_aggregate(row: Any) -> Case:
    return Case(
        id=str(row.id),
        version=row.version,
        kind=CaseKind(row.kind),
        title=row.title,
        summary=row.summary,
        unit=row.unit_code,
        lead_officer=row.lead_officer_code,
        alert_received_at=row.alert_received_at,
        correlation=row.correlation_id,
        external_ref=(
            ExternalRef(system=row.external_system, record_id=row.external_record_id)
            if row.external_system
            else None
        ),
        stage=CaseStage(row.stage),
        history=tuple(StageStep.from_json(s) for s in row.stage_history),
        transfers=tuple(Transfer.from_json(t) for t in row.transfers),
        refusals=tuple(Refusal.from_json(r) for r in row.refusals),
        designations=tuple(Designation.from_json(d) for d in row.designations),
        measures=tuple(_measure_from_json(m) for m in row.measures),
        revisits=tuple(Revisit.from_json(r) for r in row.revisits),
        trackings=tuple(Tracking.from_json(t) for t in row.trackings),
        appraisals=tuple(Appraisal.from_json(a) for a in row.appraisals),
        handling_extensions=tuple(Extension.from_json(e) for e in row.handling_extensions),
        deadlines={k: deadline_from_json(v) for k, v in row.deadlines.items()},
        outside_jurisdiction=tuple(
            OutsideJurisdiction.from_json(o) for o in row.outside_jurisdiction
        ),
        not_filing_notice=(
            NotFilingNotice.from_json(row.not_filing_notice) if row.not_filing_notice else None
        ),
        challenges=tuple(Challenge.from_json(c) for c in row.not_filing_challenges),
        detention_steps=tuple(DetentionStepDone.from_json(d) for d in row.detention_steps),
    )


def state(case: Case) -> dict[str, Any]:
    """The columns a command may change (the API builds its view of an aggregate from these)."""
    return {
        "version": case.version,
        "stage": case.stage.value,
        "title": case.title,
        "summary": case.summary,
        "unit_code": case.unit,
        "lead_officer_code": case.lead_officer,
        "stage_history": [s.as_json() for s in case.history],
        "transfers": [t.as_json() for t in case.transfers],
        "refusals": [r.as_json() for r in case.refusals],
        "designations": [d.as_json() for d in case.designations],
        "measures": [_measure_to_json(m) for m in case.measures],
        "revisits": [r.as_json() for r in case.revisits],
        "trackings": [t.as_json() for t in case.trackings],
        "appraisals": [a.as_json() for a in case.appraisals],
        "handling_extensions": [e.as_json() for e in case.handling_extensions],
        "deadlines": {k: deadline_to_json(v) for k, v in case.deadlines.items()},
        "open_measures": len(case.open_measures),
        "next_due_at": case.next_due_at,
        "missed_deadline": case.missed_deadline,
        "outside_jurisdiction": [o.as_json() for o in case.outside_jurisdiction],
        "not_filing_notice": case.not_filing_notice.as_json() if case.not_filing_notice else None,
        "not_filing_challenges": [c.as_json() for c in case.challenges],
        "detention_steps": [d.as_json() for d in case.detention_steps],
    }


def fixed(case: Case) -> dict[str, Any]:
    """The columns set once, at registration."""
    return {
        "id": UUID(case.id),
        "kind": case.kind.value,
        "external_system": case.external_ref.system if case.external_ref else None,
        "external_record_id": case.external_ref.record_id if case.external_ref else None,
        "alert_received_at": case.alert_received_at,
        "correlation_id": case.correlation,
    }


class CaseRepository(Repository[Case]):
    async def get(self, case_id: UUID) -> Case | None:
        row = (await self._conn.execute(select(T).where(T.c.id == case_id))).one_or_none()
        return self._seen(to_aggregate(row)) if row else None

    async def find_by_external_ref(self, ref: ExternalRef) -> Case | None:
        query = select(T).where(
            T.c.external_system == ref.system, T.c.external_record_id == ref.record_id
        )
        row = (await self._conn.execute(query)).one_or_none()
        return self._seen(to_aggregate(row)) if row else None

    async def save(self, case: Case, *, loaded_version: int) -> None:
        if loaded_version == 0:
            await self._conn.execute(
                insert(T).values(
                    registered_at=case.pending_events[0].occurred_at, **fixed(case), **state(case)
                )
            )
            return
        result = await self._conn.execute(
            update(T)
            .where(T.c.id == UUID(case.id), T.c.version == loaded_version)
            .values(updated_at=case.pending_events[-1].occurred_at, **state(case))
        )
        if result.rowcount != 1:
            raise Conflict(f"case {case.id} changed since version {loaded_version}; reload it")
