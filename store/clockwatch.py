"""The running-clock projection: each aggregate's running clocks, replaced on every save.

The unit of work calls `sync` with the aggregates it saved, in the same transaction, so the table
never disagrees with the aggregates: a clock that is met leaves it in the commit that meets it.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.aggregate import Aggregate
from domain.deadlines import RunningClock
from domain.warning.clocks import phases

# Scheduled deadline scans split the table into this many shards, one job each.
SHARDS = 16

_DELETE = text(
    "DELETE FROM clock_watch c USING unnest(CAST(:types AS text[]), CAST(:ids AS text[])) "
    "AS x(t, i) WHERE c.aggregate_type = x.t AND c.aggregate_id = x.i"
)
_INSERT = text(
    "INSERT INTO clock_watch (aggregate_type, aggregate_id, clock_key, rule_code, name, unit_code,"
    " correlation_id, started_at, warn_at, last_day_at, due_at, basis, computation, shard) "
    "VALUES (:aggregate_type, :aggregate_id, :clock_key, :rule_code, :name, :unit_code,"
    " :correlation_id, :started_at, :warn_at, :last_day_at, :due_at, :basis, :computation, :shard)"
)
WARN_BEFORE = text("SELECT code, warn_before FROM clock_rule")
# Who answers for a clock no unit holds yet: the supervision centre, else the top unit.
CENTRE = text(
    "SELECT code FROM unit ORDER BY (kind = 'CENTRE') DESC, (parent_code IS NULL) DESC, code LIMIT 1"
)


def shard_of(aggregate_type: str, aggregate_id: str) -> int:
    """The id's last hex digit (ids are UUIDs), so warnings about items can be sharded alike."""
    last = aggregate_id[-1:].lower()
    if last and last in "0123456789abcdef":
        return int(last, 16)
    return zlib.crc32(f"{aggregate_type}:{aggregate_id}".encode()) % SHARDS


def clocks_of(aggregate: Aggregate) -> list[RunningClock] | None:
    """The aggregate's running clocks, or None for an aggregate that has no clocks at all."""
    running = getattr(aggregate, "running_clocks", None)
    return None if running is None else list(running())


def rows_for(
    aggregate: Aggregate,
    clocks: Sequence[RunningClock],
    tz: ZoneInfo,
    warn_before: Mapping[str, int],
) -> list[dict[str, Any]]:
    shard = shard_of(aggregate.aggregate_type, aggregate.id)
    found = []
    for clock in clocks:
        p = phases(clock, warn_before.get(clock.deadline.rule_code, 1), tz)
        found.append(
            {
                "aggregate_type": aggregate.aggregate_type,
                "aggregate_id": aggregate.id,
                "clock_key": clock.key,
                "rule_code": clock.deadline.rule_code,
                "name": clock.name,
                "unit_code": clock.unit_code,
                "correlation_id": aggregate.correlation_id,
                "started_at": clock.deadline.started_at,
                "warn_at": p.warn_at,
                "last_day_at": p.last_day_at,
                "due_at": p.due_at,
                "basis": clock.deadline.basis,
                "computation": clock.deadline.computation,
                "shard": shard,
            }
        )
    return found


async def load_warn_before(conn: AsyncConnection) -> dict[str, int]:
    return {row.code: row.warn_before for row in await conn.execute(WARN_BEFORE)}


async def sync(
    conn: AsyncConnection,
    aggregates: Sequence[Aggregate],
    tz: ZoneInfo,
    warn_before: Mapping[str, int],
) -> None:
    """Replace the clock rows of `aggregates` (those that have clocks) by their running clocks."""
    clocked = [(a, c) for a in aggregates if (c := clocks_of(a)) is not None]
    if not clocked:
        return
    await conn.execute(
        _DELETE,
        {"types": [a.aggregate_type for a, _ in clocked], "ids": [a.id for a, _ in clocked]},
    )
    fresh = [row for a, clocks in clocked for row in rows_for(a, clocks, tz, warn_before)]
    if any(row["unit_code"] is None for row in fresh):
        centre = await conn.scalar(CENTRE)
        for row in fresh:
            row["unit_code"] = row["unit_code"] or centre
        fresh = [row for row in fresh if row["unit_code"] is not None]
    if fresh:
        await conn.execute(_INSERT, fresh)
