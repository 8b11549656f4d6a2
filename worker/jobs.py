"""Scheduled scans as rows of `warning_job`, leased by workers with FOR UPDATE SKIP LOCKED.

A lease is a time limit, not a held lock: a worker that dies leaves its job leased until the lease
runs out, then any worker claims it again. A worker finishing a job it no longer holds (its lease
ran out and another took it) changes nothing. docs/decisions/0014 says why not a queue library.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.warning.rules import RuleKind, WarningRule
from store.clockwatch import SHARDS

# How often each kind is scanned: clocks change phase at fixed instants, so they are scanned
# often; patterns over windows of days can wait longer (on-change evaluation covers new facts).
EVERY: dict[RuleKind, int] = {
    RuleKind.DEADLINE: 60,
    RuleKind.DETENTION_OVERDUE: 60,
    RuleKind.MEASURE_NEAR_LIMIT: 600,
    RuleKind.ALERT_NOT_ACCEPTED: 120,
    RuleKind.NOT_FILED: 600,
    RuleKind.FILED_NO_ACTIVITY: 600,
    RuleKind.LONG_INVESTIGATION: 3600,
    RuleKind.IMPROPER_WITHDRAWAL: 3600,
    RuleKind.OFFICER_COMPLAINTS: 900,
    RuleKind.UNIT_COMPLAINTS: 900,
    RuleKind.REPEAT_COMPLAINANT: 900,
    RuleKind.UNIT_SATISFACTION: 900,
    RuleKind.PEER_OUTLIER: 3600,
}
LEASE = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    rule_code: str
    shard: int
    shards: int


def jobs_for(rule: WarningRule) -> list[tuple[str, int, int]]:
    """(name, shard, shards) of the jobs that scan `rule`."""
    if rule.kind is RuleKind.DEADLINE:
        return [(f"{rule.code}#{n:02d}", n, SHARDS) for n in range(SHARDS)]
    return [(rule.code, 0, 1)]


async def ensure_jobs(conn: AsyncConnection, rules: list[WarningRule], now: datetime) -> None:
    rows = [
        {
            "name": name,
            "rule": rule.code,
            "shard": shard,
            "shards": shards,
            "every": EVERY[rule.kind],
            "now": now,
        }
        for rule in rules
        for name, shard, shards in jobs_for(rule)
    ]
    if rows:
        await conn.execute(
            text(
                "INSERT INTO warning_job (name, rule_code, shard, shards, every_seconds, "
                "next_run_at) VALUES (:name, :rule, :shard, :shards, :every, :now) "
                "ON CONFLICT (name) DO NOTHING"
            ),
            rows,
        )


_CLAIM = text(
    """
    UPDATE warning_job j
    SET leased_by = :me, lease_until = :until, last_started_at = :now, runs = j.runs + 1
    WHERE j.name = (
        SELECT name FROM warning_job
        WHERE next_run_at <= :now AND (lease_until IS NULL OR lease_until < :now)
        ORDER BY next_run_at, name
        FOR UPDATE SKIP LOCKED
        LIMIT 1
    )
    RETURNING j.name, j.rule_code, j.shard, j.shards
    """
)


async def claim(conn: AsyncConnection, me: str, now: datetime) -> Job | None:
    row = (await conn.execute(_CLAIM, {"me": me, "now": now, "until": now + LEASE})).first()
    return Job(row.name, row.rule_code, row.shard, row.shards) if row else None


async def finish(
    conn: AsyncConnection,
    job: Job,
    me: str,
    now: datetime,
    *,
    stats: dict[str, Any] | None = None,
    error: str | None = None,
) -> bool:
    """Release the lease and schedule the next run; False if the lease was no longer ours."""
    result = await conn.execute(
        text(
            """
            UPDATE warning_job
            SET leased_by = NULL, lease_until = NULL, last_finished_at = :now,
                next_run_at = :now + make_interval(secs => every_seconds),
                last_stats = CAST(:stats AS jsonb), last_error = :error
            WHERE name = :name AND leased_by = :me
            """
        ),
        {
            "now": now,
            "name": job.name,
            "me": me,
            "stats": _json(stats),
            "error": error,
        },
    )
    return bool(result.rowcount)


async def run_soon(conn: AsyncConnection, rule_code: str, now: datetime) -> None:
    """A changed rule is re-evaluated everywhere at the next claim."""
    await conn.execute(
        text("UPDATE warning_job SET next_run_at = :now WHERE rule_code = :rule"),
        {"now": now, "rule": rule_code},
    )


def _json(value: dict[str, Any] | None) -> str | None:
    import json

    return None if value is None else json.dumps(value)
