"""Builders for the warning tests: rules by code, evaluation, and the warnings a rule holds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from domain.warning.rules import WarningRule
from service.context import Runtime
from service.evaluation import Outcome, evaluate
from store.warning import load_rules
from store.warning_facts import ALL, Scope
from worker.changes import consume


async def rule(runtime: Runtime, code: str) -> WarningRule:
    async with runtime.engine.connect() as conn:
        found = {r.code: r for r in await load_rules(conn)}
    return found[code]


async def scan(runtime: Runtime, code: str, scope: Scope = ALL) -> Outcome:
    return await evaluate(runtime, await rule(runtime, code), scope)


async def drain(runtime: Runtime) -> Outcome:
    """Run the on-change consumer until it has read the whole audit log."""
    total = Outcome()
    while True:
        consumed = await consume(runtime)
        total.add(consumed.outcome)
        if not consumed.events:
            return total


async def warnings(runtime: Runtime, code: str, **where: Any) -> list[Any]:
    clauses = " ".join(f"AND {k} = :{k}" for k in where)
    async with runtime.engine.connect() as conn:
        result = await conn.execute(
            text(f"SELECT * FROM warning WHERE rule_code = :code {clauses} ORDER BY raised_at, id"),
            {"code": code, **where},
        )
        return list(result)


async def open_warnings(runtime: Runtime, code: str) -> list[Any]:
    return [
        w
        for w in await warnings(runtime, code)
        if w.status in ("RAISED", "ACKNOWLEDGED", "ESCALATED")
    ]


async def events_of(runtime: Runtime, warning_id: Any) -> list[str]:
    async with runtime.engine.connect() as conn:
        result = await conn.execute(
            text(
                "SELECT event_type FROM audit_event WHERE aggregate_type = 'warning' "
                "AND aggregate_id = :id ORDER BY position"
            ),
            {"id": str(warning_id)},
        )
        return [row.event_type for row in result]
