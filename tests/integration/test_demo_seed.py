"""The demo data: every state and channel, the seed-000 story, and an audit log that accounts for all of it.

Seeding takes seconds, so one test seeds once and runs every check. The timeline ends at the
fixture clock's now (a fixed Monday), so the data are the same on every run.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from audit.schema import audit_event
from audit.verify import verify_chain
from domain.complaint.status import ComplaintStatus
from domain.personal import normalise_id_number
from service import demo
from store import rows

pytestmark = pytest.mark.db
C = rows.complaint.c
A = audit_event.c


async def test_the_demo_seed_covers_every_state_and_channel_and_tells_the_story(runtime):
    started = time.perf_counter()
    steps: list[str] = []
    summary = await demo.seed(runtime, progress=steps.append)
    assert time.perf_counter() - started < 60
    assert steps
    assert summary["reference_events"] == 0  # the demo city was already loaded: idempotent

    await _every_status_and_channel_appears(runtime, summary)
    await _the_buck_passing_story_is_closed(runtime)
    await _no_complaint_is_routed_to_a_unit_it_complains_about(runtime)
    await _the_timeline_ends_at_the_clock(runtime)
    await _repeat_complainants_use_several_channels(runtime)
    await _some_complainants_give_a_valid_id_number(runtime)
    await _the_audit_log_verifies_and_holds_one_event_per_version(runtime)


async def _every_status_and_channel_appears(runtime, summary):
    async with runtime.engine.connect() as conn:
        statuses = dict(
            (await conn.execute(select(C.status, func.count()).group_by(C.status))).all()
        )
        channels = dict(
            (
                await conn.execute(select(C.channel_code, func.count()).group_by(C.channel_code))
            ).all()
        )
    assert set(statuses) == {s.value for s in ComplaintStatus}
    assert set(channels) == set(demo.CHANNELS)
    assert sum(statuses.values()) == summary["complaints"] >= 250
    assert all(summary[f"by_status_{s}"] == n for s, n in statuses.items())
    assert summary["reopened"] > 0
    assert summary["overdue"] > 0
    assert summary["pushed_by_12345"] > 0


async def _the_buck_passing_story_is_closed(runtime):
    async with runtime.engine.connect() as conn:
        story = (
            await conn.execute(
                select(rows.complaint).where(
                    C.external_system == demo.STORY_SYSTEM, C.external_ticket == demo.STORY_TICKET
                )
            )
        ).one()
    assert story.status == "CLOSED"
    assert story.category_code == "ENF_BUCK_PASSING"
    assert story.channel_code == "DIRECTOR_MAILBOX"
    assert story.important
    assert "推诿" in story.subject
    assert "部分属实" in story.reply_text
    assert {"FT-XS", "FT-SB", "FT-HF"} <= set(story.complained_units)
    assert story.satisfaction == "SATISFIED"


async def _no_complaint_is_routed_to_a_unit_it_complains_about(runtime):
    async with runtime.engine.connect() as conn:
        routed = (
            await conn.execute(
                select(C.primary_unit_code, C.complained_units).where(
                    C.primary_unit_code.is_not(None)
                )
            )
        ).all()
    assert routed
    assert all(unit not in complained for unit, complained in routed)


async def _the_timeline_ends_at_the_clock(runtime):
    now = runtime.clock.now()
    async with runtime.engine.connect() as conn:
        first, last = (
            await conn.execute(
                select(func.min(A.effective_at), func.max(A.effective_at)).where(
                    A.aggregate_type == "complaint"
                )
            )
        ).one()
    assert last <= now
    assert now - first <= demo.SPAN


async def _repeat_complainants_use_several_channels(runtime):
    person = rows.complainant.c
    async with runtime.engine.connect() as conn:
        repeated = (
            await conn.execute(
                select(person.phone, func.count(func.distinct(C.channel_code)))
                .join(rows.complaint, C.complainant_id == person.id)
                .group_by(person.phone)
                .having(func.count() > 1)
            )
        ).all()
    assert len(repeated) >= 10
    assert all(channels >= 2 for _, channels in repeated)


async def _some_complainants_give_a_valid_id_number(runtime):
    async with runtime.engine.connect() as conn:
        numbers = (
            await conn.scalars(
                select(rows.complainant.c.id_number).where(
                    rows.complainant.c.id_number.is_not(None)
                )
            )
        ).all()
    assert numbers
    assert all(normalise_id_number(n) == n for n in numbers)  # the check digit holds


async def _the_audit_log_verifies_and_holds_one_event_per_version(runtime):
    async with runtime.engine.connect() as conn:
        verification = await verify_chain(conn)
        events = (
            await conn.execute(
                select(A.aggregate_id, func.count())
                .where(A.aggregate_type == "complaint")
                .group_by(A.aggregate_id)
            )
        ).all()
        versions = (await conn.execute(select(C.id, C.version))).all()
    assert verification.ok, verification.problem
    assert {str(aggregate): n for aggregate, n in events} == {
        str(complaint): version for complaint, version in versions
    }
