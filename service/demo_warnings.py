"""Warnings in the demo: the evaluator runs along the timeline as a worker would have.

Each simulated morning the on-change consumer reads what was committed since the last one and the
scheduled scans run at that moment, so the demo's warnings were raised, changed level and
resolved when the facts say they would have been, each with its audit trail.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text

from service.context import Runtime
from service.evaluation import evaluate
from store.warning import load_rules
from worker.changes import consume

MORNING = 9  # local hour of the daily evaluation


class Watch:
    """Calls `until(moment)` before each seed command: evaluates every morning passed."""

    def __init__(self, runtime: Runtime, start: datetime, tz: ZoneInfo) -> None:
        self.runtime = runtime
        local = start.astimezone(tz)
        first = local.replace(hour=MORNING, minute=0, second=0, microsecond=0)
        self.next = first if first > local else first + timedelta(days=1)
        self.ticks = 0

    async def until(self, moment: datetime, set_clock: object) -> None:
        while self.next <= moment:
            set_clock(self.next)  # type: ignore[operator]
            await tick(self.runtime)
            self.next += timedelta(days=1)
            self.ticks += 1


async def tick(runtime: Runtime) -> None:
    """What the worker would do now: pending changes, then every scan."""
    while (await consume(runtime)).events:
        pass
    async with runtime.engine.connect() as conn:
        rules = await load_rules(conn)
        await conn.rollback()
    for rule in rules:
        await evaluate(runtime, rule)


async def counts(runtime: Runtime) -> dict[str, int]:
    async with runtime.engine.connect() as conn:
        rows = list(await conn.execute(text("SELECT rule_code, status FROM warning")))
    by_rule = Counter(row.rule_code for row in rows)
    by_status = Counter(row.status for row in rows)
    return {
        "warnings": len(rows),
        **{f"warnings_{code}": n for code, n in sorted(by_rule.items())},
        **{f"warnings_{status}": n for status, n in sorted(by_status.items())},
    }


async def respond(runtime: Runtime) -> None:
    """What people did with today's warnings: units acknowledged some, the centre set one aside."""
    from domain.actor import Actor, Role
    from service import warning
    from service.context import Call

    async with runtime.engine.connect() as conn:
        due = list(
            await conn.execute(
                text(
                    "SELECT id, version, unit_code FROM warning WHERE rule_code = 'DEADLINE' "
                    "AND status = 'RAISED' AND level IN ('BLUE', 'ORANGE') "
                    "ORDER BY raised_at, id LIMIT 5"
                )
            )
        )
        repeated = (
            await conn.execute(
                text(
                    "SELECT id, version FROM warning WHERE rule_code = 'REPEAT_COMPLAINANT' "
                    "AND status = 'RAISED' ORDER BY raised_at, id LIMIT 1"
                )
            )
        ).first()
    for row in due:
        handler = Actor(
            subject=f"demo-handler-{row.unit_code}", role=Role.HANDLER, unit=row.unit_code
        )
        await warning.acknowledge(
            Call(runtime=runtime, actor=handler),
            row.id,
            row.version,
            note="已收到点对点提醒，正在办理，按期办结后销账。",
        )
    if repeated is not None:
        centre = Actor(subject="demo-supervisor", role=Role.SUPERVISOR, unit="SZ-JDZX")
        await warning.dismiss(
            Call(runtime=runtime, actor=centre),
            repeated.id,
            repeated.version,
            reason="经研判，系同一事项经不同渠道的重复反映，已在首件中一并办理答复，暂不启动核查。",
        )
