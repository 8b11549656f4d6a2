"""`jiandu worker`: one on-change consumer at a time (a session advisory lock), and every worker
claiming scheduled scans. Start as many as you like; they share the work through PostgreSQL.
"""

from __future__ import annotations

import asyncio
import os
import socket
from contextlib import suppress
from dataclasses import dataclass, field

import psycopg
import structlog
from sqlalchemy import text

from service.context import Runtime
from service.evaluation import Outcome, evaluate
from store.warning import load_rules
from store.warning_facts import Scope
from worker import jobs
from worker.changes import consume

log = structlog.get_logger("jiandu.worker")

# pg_advisory_lock key of the on-change consumer ("jiandu" + 1).
CONSUMER_LOCK = 0x6A69616E6475_01
POLL_SECONDS = 1.0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def run_due_jobs(runtime: Runtime, me: str, *, limit: int | None = None) -> list[str]:
    """Claim and run due scans until none is left (or `limit` ran); the names of those run."""
    ran: list[str] = []
    async with runtime.engine.begin() as conn:
        await jobs.ensure_jobs(conn, await load_rules(conn), runtime.clock.now())
    while limit is None or len(ran) < limit:
        async with runtime.engine.begin() as conn:
            job = await jobs.claim(conn, me, runtime.clock.now())
        if job is None:
            break
        outcome, error = Outcome(), None
        try:
            async with runtime.engine.connect() as conn:
                rules = {r.code: r for r in await load_rules(conn)}
                await conn.rollback()
            rule = rules[job.rule_code]
            scope = Scope(shard=job.shard) if job.shards > 1 else Scope()
            outcome = await evaluate(runtime, rule, scope, request_id=f"job:{job.name}")
        except Exception as exc:  # one failing scan must not stop the others
            error = f"{type(exc).__name__}: {exc}"
            log.exception("scan_failed", job=job.name)
        async with runtime.engine.begin() as conn:
            await jobs.finish(
                conn, job, me, runtime.clock.now(), stats=outcome.as_stats(), error=error
            )
        log.info("scan_done", job=job.name, worker=me, **outcome.as_stats())
        ran.append(job.name)
    return ran


@dataclass(slots=True)
class Worker:
    runtime: Runtime
    conninfo: str  # libpq URL for LISTEN
    name: str = field(default_factory=worker_name)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        log.info("worker_started", worker=self.name)
        tasks = [asyncio.create_task(self._consume_loop()), asyncio.create_task(self._scan_loop())]
        await self.stop.wait()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with suppress(asyncio.CancelledError):
                await task
        log.info("worker_stopped", worker=self.name)

    async def _scan_loop(self) -> None:
        while not self.stop.is_set():
            try:
                await run_due_jobs(self.runtime, self.name)
            except Exception:
                log.exception("scan_loop_failed", worker=self.name)
            await asyncio.sleep(POLL_SECONDS * 5)

    async def _consume_loop(self) -> None:
        """Hold the consumer lock (or wait for it), then evaluate on every audit notification."""
        while not self.stop.is_set():
            try:
                async with await psycopg.AsyncConnection.connect(
                    self.conninfo, autocommit=True
                ) as listener:
                    got = await (
                        await listener.execute("SELECT pg_try_advisory_lock(%s)", (CONSUMER_LOCK,))
                    ).fetchone()
                    if not got or not got[0]:
                        await asyncio.sleep(POLL_SECONDS * 5)
                        continue
                    log.info("consumer_lock_taken", worker=self.name)
                    await listener.execute("LISTEN jiandu_audit")
                    while not self.stop.is_set():
                        await self._drain()
                        # Wake on the next commit, or poll: a notification can be missed.
                        async for _ in listener.notifies(timeout=POLL_SECONDS, stop_after=1):
                            break
            except (OSError, psycopg.Error):
                log.exception("consumer_connection_lost", worker=self.name)
                await asyncio.sleep(POLL_SECONDS)

    async def _drain(self) -> None:
        while True:
            consumed = await consume(self.runtime)
            if consumed.events:
                log.info(
                    "changes_evaluated",
                    worker=self.name,
                    events=consumed.events,
                    position=consumed.position,
                    **consumed.outcome.as_stats(),
                )
            if consumed.events < 1000:
                return


async def evaluate_everything(runtime: Runtime) -> Outcome:
    """Every rule over everything, now (seeds and tests)."""
    total = Outcome()
    async with runtime.engine.connect() as conn:
        rules = await load_rules(conn)
        await conn.rollback()
    for rule in rules:
        total.add(await evaluate(runtime, rule))
    return total


async def catch_up(runtime: Runtime) -> None:
    """Move the on-change cursor to the head without evaluating (after a full evaluation)."""
    async with runtime.engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE warning_cursor SET position = "
                "(SELECT coalesce(max(position), 0) FROM audit_event) WHERE name = 'on-change'"
            )
        )
