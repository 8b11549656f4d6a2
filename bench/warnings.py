"""`python -m bench.warnings`: how long a full scan over 1,000,000 open items takes, and what
on-change evaluation adds to a mutation.

Against `--database-url` (a server URL; a fresh database `jiandu_bench_warnings_<n>` is created on
it and dropped at the end) or, by default, the embedded PostgreSQL in a temp folder.

1. Scan. One million running clocks are written straight into `clock_watch` (the projection the
   deadline rule scans; no aggregate rows are needed for it), due times spread evenly over the
   100 days from five days ago, so that about 7 % are in their warning period or overdue. Then:
   the DEADLINE rule over all 16 shards as one worker runs it (the first scan raises a warning per
   clock found, each audited), the same scan again (nothing changes), and a round of all
   scheduled jobs shared by two workers.
2. On change. N complaints naming one of a few officers are registered one after another through
   the service, first with no worker, then with `jiandu worker` running as its own process:
   the latency of each registration (p50, p99) both ways, and the lag from commit until the
   on-change evaluator has evaluated it (its cursor passed the event's position).

Figures are for this machine in this run only; compare them as ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _say(message: str) -> None:
    sys.stderr.write(f"[bench.warnings] {message}\n")
    sys.stderr.flush()


async def _prepare(url: str) -> Any:
    from domain.actor import SYSTEM_ACTOR
    from runtime.bootstrap import build_runtime, migrate
    from runtime.config import load_settings
    from service import reference
    from service.context import Call

    settings = load_settings()
    runtime = build_runtime(url, settings, pool_size=8)
    await migrate(url, runtime)
    await reference.apply(
        Call(runtime=runtime, actor=SYSTEM_ACTOR), reference.read(reference.DEMO_CITY_FILE)
    )
    return runtime


FILL = """
INSERT INTO clock_watch (aggregate_type, aggregate_id, clock_key, rule_code, name, unit_code,
    correlation_id, started_at, warn_at, last_day_at, due_at, basis, computation, shard)
SELECT 'complaint', id::text, 'reply', 'complaint.reply.ONLINE', 'reply to the complainant',
       units[1 + (n %% array_length(units, 1))], gen_random_uuid(), due - interval '10 days',
       due - interval '2 days', due - interval '1 day', due,
       '投诉答复时限（本地规则）', 'bench: 7 working days', ('x' || right(id::text, 1))::bit(4)::int
FROM (
    SELECT n, gen_random_uuid() AS id,
           %(start)s::timestamptz + (n * interval '100 days' / %(count)s) AS due,
           (SELECT array_agg(code ORDER BY code) FROM unit WHERE kind = 'STATION') AS units
    FROM generate_series(1, %(count)s) AS n
) s
"""


async def scan(url: str, owner_url: str, count: int) -> dict[str, Any]:
    from service.evaluation import evaluate
    from store.warning import load_rules
    from store.warning_facts import Scope
    from worker.run import run_due_jobs

    runtime = await _prepare(url)
    now = runtime.clock.now()
    started = time.perf_counter()
    with psycopg.connect(owner_url, autocommit=True) as conn:
        conn.execute(FILL, {"start": now - timedelta(days=5), "count": count})
        conn.execute("ANALYZE clock_watch")
    fill_s = time.perf_counter() - started
    async with runtime.engine.connect() as conn:
        deadline = next(r for r in await load_rules(conn) if r.code == "DEADLINE")

    async def full() -> tuple[float, dict[str, int]]:
        began = time.perf_counter()
        totals: dict[str, int] = {"findings": 0, "raised": 0, "changed": 0, "resolved": 0}
        for shard in range(16):
            outcome = await evaluate(runtime, deadline, Scope(shard=shard))
            for key, value in outcome.as_stats().items():
                totals[key] += value
        return time.perf_counter() - began, totals

    first_s, first = await full()
    _say(f"first full deadline scan: {first_s:.1f} s, {first}")
    second_s, second = await full()
    _say(f"second full deadline scan: {second_s:.1f} s, {second}")
    # All scheduled jobs, shared by two workers, one clock minute later.
    from domain.clock import MovableClock

    moved = MovableClock(now + timedelta(minutes=2))
    from dataclasses import replace

    later = replace(runtime, clock=moved)
    began = time.perf_counter()
    ran = await asyncio.gather(run_due_jobs(later, "bench-a"), run_due_jobs(later, "bench-b"))
    shared_s = time.perf_counter() - began
    await runtime.engine.dispose()
    return {
        "open_items": count,
        "fill_seconds": round(fill_s, 1),
        "first_scan_seconds": round(first_s, 1),
        "first_scan": first,
        "second_scan_seconds": round(second_s, 1),
        "second_scan": second,
        "two_workers_all_jobs_seconds": round(shared_s, 1),
        "two_workers_jobs": [len(ran[0]), len(ran[1])],
    }


async def on_change(url: str, count: int, env: dict[str, str]) -> dict[str, Any]:
    from domain.actor import Actor, Role
    from service import complaints
    from service.complaints import RegisterComplaint
    from service.context import Call

    runtime = await _prepare(url)
    intake = Call(runtime=runtime, actor=Actor(subject="bench-intake", role=Role.INTAKE))
    officers = ["P-FT-XS-001", "P-FT-SB-001", "P-LH-DM-001", "P-NS-YH-001"]

    async def register(n: int) -> tuple[float, int]:
        began = time.perf_counter()
        await complaints.register(
            intake,
            RegisterComplaint(
                channel="ONLINE",
                subject="派出所推诿不受理报案",
                content="报案被告知不属本所管辖。",
                complainant_name="王五",
                complainant_phone=f"139{n:08d}",
                complained_officers=(officers[n % len(officers)],),
            ),
        )
        async with runtime.engine.connect() as conn:
            position = await conn.scalar(text("SELECT max(position) FROM audit_event"))
        return time.perf_counter() - began, int(position)

    async def cursor() -> int:
        async with runtime.engine.connect() as conn:
            return int(await conn.scalar(text("SELECT position FROM warning_cursor")))

    alone = [(await register(n))[0] * 1000 for n in range(count)]
    # Bring the cursor to the head before the worker measures anything.
    worker = subprocess.Popen(  # noqa: ASYNC220  (started once, before measuring)
        [str(ROOT / ".venv" / "bin" / "jiandu"), "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        async with runtime.engine.connect() as conn:
            head = int(await conn.scalar(text("SELECT max(position) FROM audit_event")))
        deadline = time.monotonic() + 300
        while await cursor() < head and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        beside: list[float] = []
        lags: list[float] = []
        for n in range(count, 2 * count):
            took, position = await register(n)
            committed = time.perf_counter()
            beside.append(took * 1000)
            while await cursor() < position:  # noqa: ASYNC110  (polls another process)
                await asyncio.sleep(0.002)
            lags.append((time.perf_counter() - committed) * 1000)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    async with runtime.engine.connect() as conn:
        raised = await conn.scalar(text("SELECT count(*) FROM warning"))
    await runtime.engine.dispose()

    def summary(values: list[float]) -> dict[str, float]:
        return {
            "p50_ms": round(statistics.median(values), 2),
            "p99_ms": round(_percentile(values, 0.99), 2),
        }

    return {
        "mutations": count,
        "register_without_worker": summary(alone),
        "register_with_worker": summary(beside),
        "commit_to_evaluated": summary(lags),
        "warnings_raised": raised,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.warnings")
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: embedded)")
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--mutations", type=int, default=300)
    args = parser.parse_args()
    from runtime.logs import configure_logging

    configure_logging(level="warning", fmt="console")
    env = dict(os.environ, JIANDU_LOG_LEVEL="warning")
    tmp = tempfile.mkdtemp(prefix="jiandu-bench-warnings-")
    if args.database_url:
        server = args.database_url
    else:
        from runtime.database import start_embedded

        server = start_embedded(Path(tmp) / "pgdata")
    from runtime.database import ensure_database

    name = f"jiandu_bench_warnings_{os.getpid()}"
    url = ensure_database(server, name)
    env["DATABASE_URL"] = url
    os.environ["DATABASE_URL"] = url
    try:
        results: dict[str, Any] = {"at": datetime.now(UTC).isoformat()}
        _say(f"database {name}; {args.items:,} open items")
        results["scan"] = asyncio.run(scan(url, url, args.items))
        # A fresh database for the on-change part, so that the million clocks do not weigh on it.
        url2 = ensure_database(server, name + "_b")
        env["DATABASE_URL"] = url2
        os.environ["DATABASE_URL"] = url2
        results["on_change"] = asyncio.run(on_change(url2, args.mutations, env))
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            for db in (name, name + "_b"):
                conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    path = out / f"warnings-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    sys.stdout.write(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
