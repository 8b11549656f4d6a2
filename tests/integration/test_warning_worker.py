"""Workers share the work through PostgreSQL: no duplicate warnings, leases picked up again."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import UUID

from sqlalchemy import text

from domain.clock import MovableClock
from domain.review.status import OriginType
from service import warning as warnings_service
from service.context import Runtime
from store.warning_facts import Scope
from tests.api.test_case_support import registered
from tests.integration.support import SUPERVISOR, call, register, registered_and_triaged
from tests.integration.warning_support import drain, events_of, open_warnings, rule, scan
from worker import jobs
from worker.run import run_due_jobs


async def _many_overdue_clocks(runtime: Runtime, clock: MovableClock, n: int) -> None:
    for _ in range(n):
        await registered_and_triaged(runtime)
    clock.advance(timedelta(days=30))


async def test_two_evaluators_at_once_raise_each_warning_once(
    runtime: Runtime, clock: MovableClock
) -> None:
    await _many_overdue_clocks(runtime, clock, 12)
    deadline = await rule(runtime, "DEADLINE")
    from service.evaluation import evaluate

    outcomes = await asyncio.gather(*(evaluate(runtime, deadline) for _ in range(4)))
    assert sum(o.raised for o in outcomes) == 12
    assert len(await open_warnings(runtime, "DEADLINE")) == 12
    async with runtime.engine.connect() as conn:
        duplicates = await conn.scalar(
            text(
                "SELECT count(*) FROM (SELECT 1 FROM warning GROUP BY rule_code, subject_key, "
                "window_key HAVING count(*) > 1) d"
            )
        )
    assert duplicates == 0


async def test_two_workers_share_the_scheduled_scans(runtime: Runtime, clock: MovableClock) -> None:
    await _many_overdue_clocks(runtime, clock, 10)
    ran = await asyncio.gather(run_due_jobs(runtime, "worker-a"), run_due_jobs(runtime, "worker-b"))
    names = ran[0] + ran[1]
    # Each job ran once, by one of them: 16 deadline shards and one job per other rule.
    assert len(names) == len(set(names)) == 16 + 13
    assert len(await open_warnings(runtime, "DEADLINE")) == 10
    # Nothing is due again until its interval has passed.
    assert await run_due_jobs(runtime, "worker-a") == []
    clock.advance(timedelta(seconds=61))
    again = await run_due_jobs(runtime, "worker-b")
    assert {n for n in again if n.startswith("DEADLINE#")} == {
        f"DEADLINE#{n:02d}" for n in range(16)
    }


async def test_a_crashed_workers_job_is_claimed_again_after_its_lease(
    runtime: Runtime, clock: MovableClock
) -> None:
    await run_due_jobs(runtime, "worker-a")  # creates the jobs
    clock.advance(timedelta(hours=1))
    async with runtime.engine.begin() as conn:
        crashed = await jobs.claim(conn, "worker-dead", clock.now())
    assert crashed is not None
    taken = await run_due_jobs(runtime, "worker-b")
    assert crashed.name not in taken
    clock.advance(jobs.LEASE + timedelta(seconds=1))
    assert crashed.name in await run_due_jobs(runtime, "worker-b")
    # The crashed worker coming back cannot finish a job that is no longer its own.
    async with runtime.engine.begin() as conn:
        assert not await jobs.finish(conn, crashed, "worker-dead", clock.now())


async def test_the_consumer_misses_no_commit_and_moves_its_cursor(
    runtime: Runtime, clock: MovableClock
) -> None:
    officer = "P-FT-HF-001"
    # Complaints committed concurrently: the count spans transactions the evaluator saw whole.
    await asyncio.gather(
        *(
            register(runtime, complained_officers=(officer,), complainant_phone=f"1310000000{n}")
            for n in range(5)
        )
    )
    await drain(runtime)
    (orange,) = await open_warnings(runtime, "OFFICER_COMPLAINTS")
    assert orange.level == "ORANGE"
    assert orange.measure == 5
    async with runtime.engine.connect() as conn:
        cursor = await conn.scalar(text("SELECT position FROM warning_cursor"))
        head = await conn.scalar(text("SELECT max(position) FROM audit_event"))
    # The cursor read the warning's own events too, which evaluate nothing.
    assert cursor == head
    again = await drain(runtime)
    assert (again.raised, again.changed, again.resolved) == (0, 0, 0)


async def test_escalating_opens_a_review_in_the_warnings_loop(
    runtime: Runtime, clock: MovableClock
) -> None:
    case = await registered(runtime)
    letter = await register(runtime)
    clock.advance(timedelta(hours=30))
    await scan(runtime, "ALERT_NOT_ACCEPTED")
    (blue,) = await open_warnings(runtime, "ALERT_NOT_ACCEPTED")
    escalated, review = await warnings_service.escalate(
        call(runtime, SUPERVISOR),
        blue.id,
        blue.version,
        warnings_service.Escalate(
            unit_code="SZ-DC", related_type="complaint", related_id=letter.id
        ),
    )
    assert escalated.status.value == "ESCALATED"
    assert escalated.review_id == review.id
    assert review.origin.type is OriginType.WARNING
    assert review.origin.id == str(blue.id)
    assert review.correlation == case.correlation_id == blue.correlation_id
    assert await events_of(runtime, blue.id) == ["warning.raised", "warning.escalated"]
    async with runtime.engine.connect() as conn:
        linked = await conn.scalar(
            text("SELECT linked_correlation_id FROM loop_link WHERE correlation_id = :c"),
            {"c": case.correlation_id},
        )
    assert linked == letter.correlation_id
    # Still open while escalated; resolved once the alert is accepted.
    from service import case as cases
    from tests.api.test_case_support import handler

    await cases.accept(call(runtime, handler(case.unit)), UUID(case.id), case.version)
    await drain(runtime)
    assert await open_warnings(runtime, "ALERT_NOT_ACCEPTED") == []


async def test_a_scope_of_items_evaluates_only_those(runtime: Runtime, clock: MovableClock) -> None:
    from domain.warning.aggregate import ItemRef

    first = await registered_and_triaged(runtime)
    await registered_and_triaged(runtime)
    clock.advance(timedelta(days=30))
    outcome = await scan(runtime, "DEADLINE", Scope(items=[ItemRef("complaint", first.id)]))
    assert outcome.raised == 1
