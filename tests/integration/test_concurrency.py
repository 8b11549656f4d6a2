"""Concurrent writers: no lost update, contiguous versions, a gap-free commit-ordered cursor."""

from __future__ import annotations

import asyncio
from uuid import UUID

import pytest
from sqlalchemy import select, text

from audit.schema import audit_event
from audit.verify import verify_chain
from domain.actor import Actor, Role
from domain.errors import Conflict
from service import complaints
from service.context import Call
from tests.integration.support import INTAKE, SUPERVISOR, register, registered_and_triaged

WRITERS = 20


async def _version(runtime, complaint_id: str) -> int:
    async with runtime.engine.connect() as conn:
        return await conn.scalar(
            text("SELECT version FROM complaint WHERE id = :id"), {"id": complaint_id}
        )


@pytest.mark.db
async def test_twenty_writers_on_one_complaint_lose_no_update_and_keep_versions_contiguous(runtime):
    complaint = await registered_and_triaged(runtime)
    attempts: dict[int, int] = {}

    async def writer(index: int) -> None:
        call = Call(runtime=runtime, actor=SUPERVISOR, request_id=f"writer-{index}")
        attempts[index] = 0
        while True:
            attempts[index] += 1
            version = await _version(runtime, complaint.id)
            try:
                await complaints.triage(
                    call,
                    UUID(complaint.id),
                    version,
                    category_code="ENF_INACTION",
                    unit_code="FT" if index % 2 else "LH",
                    line_unit_code="SZ-DC",
                    importance=bool(index % 3),
                )
                return
            except Conflict:
                await asyncio.sleep(0)

    await asyncio.wait_for(asyncio.gather(*(writer(i) for i in range(WRITERS))), timeout=60)

    final = await _version(runtime, complaint.id)
    assert final == 2 + WRITERS
    async with runtime.engine.connect() as conn:
        events = (
            await conn.execute(
                select(audit_event.c.aggregate_version, audit_event.c.request_id)
                .where(audit_event.c.aggregate_id == complaint.id)
                .order_by(audit_event.c.position)
            )
        ).all()
        assert (await verify_chain(conn)).ok
    assert [e.aggregate_version for e in events] == list(range(1, final + 1))
    writers = [e.request_id for e in events[2:]]
    assert sorted(writers) == sorted(f"writer-{i}" for i in range(WRITERS))
    assert sum(attempts.values()) > WRITERS, "the race should have produced conflicts"


@pytest.mark.db
async def test_of_twenty_writers_holding_the_same_version_exactly_one_wins(runtime):
    complaint = await registered_and_triaged(runtime)

    async def writer(index: int) -> bool:
        call = Call(runtime=runtime, actor=SUPERVISOR, request_id=f"writer-{index}")
        try:
            await complaints.reject(call, UUID(complaint.id), 2, reason=f"duplicate {index}")
            return True
        except Conflict:
            return False

    outcomes = await asyncio.gather(*(writer(i) for i in range(WRITERS)))
    assert outcomes.count(True) == 1
    assert await _version(runtime, complaint.id) == 3


@pytest.mark.db
async def test_a_reader_paging_by_position_never_skips_an_event_under_concurrent_writers(runtime):
    writers, per_writer = 6, 8
    done = asyncio.Event()
    async with runtime.engine.connect() as conn:
        start = await conn.scalar(text("SELECT coalesce(max(position), 0) FROM audit_event"))
    seen: list[int] = []

    async def reader() -> None:
        cursor = start
        while True:
            finished = done.is_set()
            async with runtime.engine.connect() as conn:
                batch = list(
                    await conn.scalars(
                        select(audit_event.c.position)
                        .where(audit_event.c.position > cursor)
                        .order_by(audit_event.c.position)
                        .limit(7)
                    )
                )
            # Every batch continues exactly where the last one ended: nothing appears out of order.
            assert batch == list(range(cursor + 1, cursor + 1 + len(batch)))
            seen.extend(batch)
            if batch:
                cursor = batch[-1]
            elif finished:
                return
            await asyncio.sleep(0)

    async def writer(index: int) -> None:
        for n in range(per_writer):
            await register(
                runtime,
                subject=f"并发写入 {index}-{n}",
                complainant_phone=f"1390000{index:02d}{n:02d}",
            )

    reading = asyncio.create_task(reader())
    await asyncio.gather(*(writer(i) for i in range(writers)))
    done.set()
    await asyncio.wait_for(reading, timeout=30)
    assert seen == list(range(start + 1, start + 1 + writers * per_writer))


@pytest.mark.db
async def test_concurrent_pushes_of_one_external_reference_create_one_complaint(runtime):
    integration = Actor(subject="hotline-12345", role=Role.INTEGRATION)
    from service.complaints import RegisterComplaint

    command = RegisterComplaint(
        channel="HOTLINE_12345",
        subject="工单推送",
        content="同一工单重复推送",
        complainant_name="李四",
        complainant_phone="13900001111",
        external_system="12345-platform",
        external_ticket="T-0001",
    )
    results = await asyncio.gather(
        *(complaints.register(Call(runtime=runtime, actor=integration), command) for _ in range(10))
    )
    assert len({r.id for r in results}) == 1
    async with runtime.engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM complaint")) == 1
        registered = await conn.scalar(
            text("SELECT count(*) FROM audit_event WHERE event_type = 'complaint.registered'")
        )
    assert registered == 1
    assert INTAKE.role is Role.INTAKE
