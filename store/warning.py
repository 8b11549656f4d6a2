"""Warning and warning-rule repositories: rows ⇄ aggregates, version-checked on save."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Table, and_, func, insert, or_, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import Mapped, mapped_column

from domain.errors import Conflict
from domain.warning.aggregate import ItemRef, Warning
from domain.warning.rules import ForbiddenIndicator, RuleKind, WarningRule
from domain.warning.status import OPEN, Level, WarningStatus
from store.repository import Repository
from store.rows import Row


class WarningRuleRow(Row):
    __tablename__ = "warning_rule"
    code: Mapped[str] = mapped_column(primary_key=True)
    version: Mapped[int]
    kind: Mapped[str]
    name: Mapped[str]
    basis: Mapped[str]
    params: Mapped[dict[str, Any]] = mapped_column(JSONB)
    levels: Mapped[dict[str, Any]] = mapped_column(JSONB)
    enabled: Mapped[bool]
    updated_at: Mapped[datetime]


class WarningRow(Row):
    __tablename__ = "warning"
    id: Mapped[UUID] = mapped_column(primary_key=True)
    version: Mapped[int]
    rule_code: Mapped[str]
    rule_version: Mapped[int]
    subject_kind: Mapped[str]
    subject_key: Mapped[str]
    subject_label: Mapped[str]
    window_key: Mapped[str]
    level: Mapped[str]
    status: Mapped[str]
    measure: Mapped[float]
    facts: Mapped[dict[str, Any]] = mapped_column(JSONB)
    explanation: Mapped[str]
    unit_code: Mapped[str | None]
    item_type: Mapped[str | None]
    item_id: Mapped[str | None]
    correlation_id: Mapped[UUID]
    raised_at: Mapped[datetime]
    due_by: Mapped[datetime]
    level_changed_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None]
    acknowledgement: Mapped[str | None]
    dismissed_at: Mapped[datetime | None]
    dismissal_reason: Mapped[str | None]
    escalated_at: Mapped[datetime | None]
    review_id: Mapped[UUID | None]
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None]
    updated_at: Mapped[datetime]


class ClockWatchRow(Row):
    __tablename__ = "clock_watch"
    aggregate_type: Mapped[str] = mapped_column(primary_key=True)
    aggregate_id: Mapped[str] = mapped_column(primary_key=True)
    clock_key: Mapped[str] = mapped_column(primary_key=True)
    rule_code: Mapped[str]
    name: Mapped[str]
    unit_code: Mapped[str]
    correlation_id: Mapped[UUID | None]
    started_at: Mapped[datetime]
    warn_at: Mapped[datetime]
    last_day_at: Mapped[datetime]
    due_at: Mapped[datetime]
    basis: Mapped[str]
    computation: Mapped[str]
    shard: Mapped[int]


class WarningJobRow(Row):
    __tablename__ = "warning_job"
    name: Mapped[str] = mapped_column(primary_key=True)
    rule_code: Mapped[str]
    shard: Mapped[int]
    shards: Mapped[int]
    every_seconds: Mapped[int]
    next_run_at: Mapped[datetime]
    leased_by: Mapped[str | None]
    lease_until: Mapped[datetime | None]
    runs: Mapped[int]
    last_started_at: Mapped[datetime | None]
    last_finished_at: Mapped[datetime | None]
    last_error: Mapped[str | None]
    last_stats: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class WarningCursorRow(Row):
    __tablename__ = "warning_cursor"
    name: Mapped[str] = mapped_column(primary_key=True)
    position: Mapped[int]
    updated_at: Mapped[datetime]


R = cast(Table, WarningRuleRow.__table__)
W = cast(Table, WarningRow.__table__)
CLOCKS = cast(Table, ClockWatchRow.__table__)
JOBS = cast(Table, WarningJobRow.__table__)
CURSOR = cast(Table, WarningCursorRow.__table__)
FORBIDDEN = text("SELECT code, name, aliases, basis FROM evaluation_forbidden_indicator")


def rule_from_row(row: Any) -> WarningRule:
    return WarningRule(
        id=row.code,
        version=row.version,
        kind=RuleKind(row.kind),
        name=row.name,
        basis=row.basis,
        params=dict(row.params),
        levels=dict(
            sorted(((Level(k), float(v)) for k, v in row.levels.items()), key=lambda p: p[0].rank)
        ),
        enabled=row.enabled,
    )


def warning_from_row(row: Any) -> Warning:
    return Warning(
        id=str(row.id),
        version=row.version,
        rule_code=row.rule_code,
        rule_version=row.rule_version,
        subject_kind=row.subject_kind,
        subject_key=row.subject_key,
        subject_label=row.subject_label,
        window_key=row.window_key,
        level=row.level,
        status=row.status,
        measure=row.measure,
        facts=row.facts,
        explanation=row.explanation,
        unit_code=row.unit_code,
        item=ItemRef(row.item_type, row.item_id) if row.item_type else None,
        correlation_id=row.correlation_id,
        raised_at=row.raised_at,
        due_by=row.due_by,
        level_changed_at=row.level_changed_at,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
        acknowledgement=row.acknowledgement,
        dismissed_at=row.dismissed_at,
        dismissal_reason=row.dismissal_reason,
        escalated_at=row.escalated_at,
        review_id=str(row.review_id) if row.review_id else None,
        resolved_at=row.resolved_at,
        resolution=row.resolution,
    )


def _state(w: Warning) -> dict[str, Any]:
    return {
        "rule_version": w.rule_version,
        "level": w.level.value,
        "status": w.status.value,
        "measure": w.measure,
        "facts": w.facts,
        "explanation": w.explanation,
        "due_by": w.due_by,
        "level_changed_at": w.level_changed_at,
        "acknowledged_at": w.acknowledged_at,
        "acknowledged_by": w.acknowledged_by,
        "acknowledgement": w.acknowledgement,
        "dismissed_at": w.dismissed_at,
        "dismissal_reason": w.dismissal_reason,
        "escalated_at": w.escalated_at,
        "review_id": UUID(w.review_id) if w.review_id else None,
        "resolved_at": w.resolved_at,
        "resolution": w.resolution,
    }


async def forbidden_indicators(conn: AsyncConnection) -> dict[str, ForbiddenIndicator]:
    result = await conn.execute(FORBIDDEN)
    return {
        r.code: ForbiddenIndicator(r.code, r.name, tuple(r.aliases or ()), r.basis) for r in result
    }


async def load_rules(conn: AsyncConnection) -> list[WarningRule]:
    result = await conn.execute(select(R).order_by(R.c.code))
    return [rule_from_row(row) for row in result]


class WarningRuleRepository(Repository[WarningRule]):
    async def get(self, code: str) -> WarningRule | None:
        row = (await self._conn.execute(select(R).where(R.c.code == code))).first()
        return self._seen(rule_from_row(row)) if row else None

    async def save(self, aggregate: WarningRule, *, loaded_version: int) -> None:
        at = aggregate.pending_events[-1].occurred_at
        values = {
            "kind": aggregate.kind.value,
            "name": aggregate.name,
            "basis": aggregate.basis,
            "params": aggregate.params,
            "levels": {level.value: value for level, value in aggregate.levels.items()},
            "enabled": aggregate.enabled,
            "updated_at": at,
        }
        if loaded_version == 0:
            await self._conn.execute(
                insert(R).values(code=aggregate.code, version=aggregate.version, **values)
            )
            return
        result = await self._conn.execute(
            update(R)
            .where(R.c.code == aggregate.code, R.c.version == loaded_version)
            .values(version=aggregate.version, **values)
        )
        if result.rowcount != 1:
            raise Conflict(
                f"warning rule {aggregate.code} changed since version {loaded_version}; reload it"
            )


class WarningRepository(Repository[Warning]):
    async def get(self, warning_id: UUID, *, for_update: bool = False) -> Warning | None:
        query = select(W).where(W.c.id == warning_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return self._seen(warning_from_row(row)) if row else None

    async def lock_keys(self, rule_code: str, keys: Iterable[tuple[str, str]]) -> None:
        """Serialise evaluators on (rule, subject, window), in one order so none deadlock."""
        hashes = sorted({hash_key(rule_code, s, w) for s, w in keys})
        if hashes:
            await self._conn.execute(
                text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) k"),
                {"keys": hashes},
            )

    async def open_levels(self, rule_code: str, scope: Any) -> dict[tuple[str, str], Level]:
        """(subject, window) → level of the rule's open warnings in a `warning_facts.Scope`."""
        query = select(W.c.subject_key, W.c.window_key, W.c.level).where(
            W.c.rule_code == rule_code, W.c.status.in_([s.value for s in OPEN])
        )
        if scope.items is not None:
            if not scope.items:
                return {}
            query = query.where(
                tuple_(W.c.item_type, W.c.item_id).in_([(i.type, i.id) for i in scope.items])
            )
        elif scope.shard is not None:
            query = query.where(func.right(W.c.item_id, 1) == "0123456789abcdef"[scope.shard])
        elif scope.subject_keys is not None:
            query = query.where(W.c.subject_key == func.any(_text_array(scope.subject_keys)))
        result = await self._conn.execute(query)
        return {(row.subject_key, row.window_key): Level(row.level) for row in result}

    async def open_for_keys(self, rule_code: str, keys: Sequence[tuple[str, str]]) -> list[Warning]:
        if not keys:
            return []
        query = select(W).where(
            W.c.rule_code == rule_code,
            W.c.status.in_([s.value for s in OPEN]),
            tuple_(W.c.subject_key, W.c.window_key).in_(list(keys)),
        )
        return [self._seen(warning_from_row(row)) for row in await self._conn.execute(query)]

    async def dismissed_for(self, rule_code: str, keys: Sequence[tuple[str, str]]) -> list[Warning]:
        if not keys:
            return []
        query = select(W).where(
            W.c.rule_code == rule_code,
            W.c.status == WarningStatus.DISMISSED.value,
            tuple_(W.c.subject_key, W.c.window_key).in_(list(keys)),
        )
        return [warning_from_row(row) for row in await self._conn.execute(query)]

    async def save_all(self, changed: list[tuple[Warning, int]]) -> None:
        # A scan raises warnings by the hundred: one multi-row INSERT for the new ones.
        fresh = [_new_row(w) for w, loaded in changed if loaded == 0]
        if fresh:
            await self._conn.execute(insert(W), fresh)
        for aggregate, loaded_version in changed:
            if loaded_version:
                await self.save(aggregate, loaded_version=loaded_version)

    async def save(self, aggregate: Warning, *, loaded_version: int) -> None:
        at = aggregate.pending_events[-1].occurred_at
        if loaded_version == 0:
            await self._conn.execute(insert(W).values(**_new_row(aggregate)))
            return
        result = await self._conn.execute(
            update(W)
            .where(W.c.id == UUID(aggregate.id), W.c.version == loaded_version)
            .values(version=aggregate.version, updated_at=at, **_state(aggregate))
        )
        if result.rowcount != 1:
            raise Conflict(
                f"warning {aggregate.id} changed since version {loaded_version}; reload it",
            )


def _new_row(aggregate: Warning) -> dict[str, Any]:
    return {
        "id": UUID(aggregate.id),
        "version": aggregate.version,
        "rule_code": aggregate.rule_code,
        "subject_kind": aggregate.subject_kind.value,
        "subject_key": aggregate.subject_key,
        "subject_label": aggregate.subject_label,
        "window_key": aggregate.window_key,
        "unit_code": aggregate.unit_code,
        "item_type": aggregate.item.type if aggregate.item else None,
        "item_id": aggregate.item.id if aggregate.item else None,
        "correlation_id": aggregate.correlation_id,
        "raised_at": aggregate.raised_at,
        "updated_at": aggregate.pending_events[-1].occurred_at,
        **_state(aggregate),
    }


def hash_key(rule_code: str, subject_key: str, window_key: str) -> int:
    """A stable signed 64-bit advisory-lock key."""
    import hashlib

    digest = hashlib.blake2b(
        f"{rule_code}\x1f{subject_key}\x1f{window_key}".encode(), digest_size=8
    ).digest()
    return int.from_bytes(digest, "big", signed=True)


def _text_array(values: Sequence[str]) -> Any:
    from sqlalchemy import bindparam
    from sqlalchemy.dialects.postgresql import ARRAY
    from sqlalchemy.types import Text

    return bindparam("subject_keys", list(values), type_=ARRAY(Text))


__all__ = [
    "CLOCKS",
    "CURSOR",
    "JOBS",
    "R",
    "W",
    "WarningRepository",
    "WarningRuleRepository",
    "and_",
    "or_",
]
