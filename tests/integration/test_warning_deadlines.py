"""Deadline warnings: every running clock is watched; blue, orange, red; resolved when met."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import text

from domain.actor import Actor, Role
from domain.clock import MovableClock
from service import complaints
from service.context import Runtime
from tests.integration.support import call, registered_and_triaged
from tests.integration.warning_support import drain, events_of, open_warnings, scan, warnings

HANDLER = Actor(subject="handler-ft", role=Role.HANDLER, unit="FT")


async def _clock(runtime: Runtime, complaint_id: str, key: str) -> Any:
    async with runtime.engine.connect() as conn:
        return (
            await conn.execute(
                text(
                    "SELECT * FROM clock_watch WHERE aggregate_type = 'complaint' "
                    "AND aggregate_id = :id AND clock_key = :key"
                ),
                {"id": complaint_id, "key": key},
            )
        ).first()


async def test_a_reply_clock_goes_blue_orange_red_and_resolves_when_replied(
    runtime: Runtime, clock: MovableClock
) -> None:
    complaint = await registered_and_triaged(runtime)
    watched = await _clock(runtime, complaint.id, "reply")
    assert watched is not None
    assert watched.unit_code == "FT"
    assert watched.warn_at < watched.last_day_at < watched.due_at

    clock.set(watched.warn_at - timedelta(minutes=1))
    assert (await scan(runtime, "DEADLINE")).raised == 0

    clock.set(watched.warn_at)
    assert (await scan(runtime, "DEADLINE")).raised == 1
    (blue,) = await open_warnings(runtime, "DEADLINE")
    assert blue.level == "BLUE"
    assert blue.item_type == "complaint"
    assert blue.item_id == complaint.id
    assert blue.correlation_id == complaint.correlation_id
    assert blue.due_by == watched.due_at
    assert "reply" in blue.explanation
    assert watched.basis == blue.facts["clockBasis"]

    # Scanning again changes nothing: evaluation is idempotent.
    again = await scan(runtime, "DEADLINE")
    assert (again.raised, again.changed, again.resolved) == (0, 0, 0)

    clock.set(watched.last_day_at)
    assert (await scan(runtime, "DEADLINE")).changed == 1
    clock.set(watched.due_at)
    assert (await scan(runtime, "DEADLINE")).changed == 1
    (red,) = await open_warnings(runtime, "DEADLINE")
    assert red.id == blue.id
    assert red.level == "RED"

    await drain(runtime)
    current = await complaints.start_handling(
        call(runtime, HANDLER), UUID(complaint.id), complaint.version
    )
    await complaints.reply(
        call(runtime, HANDLER), UUID(complaint.id), current.version, text="已核实处理。"
    )
    assert await _clock(runtime, complaint.id, "reply") is None
    outcome = await drain(runtime)
    assert outcome.resolved == 1
    assert await open_warnings(runtime, "DEADLINE") == []
    assert await events_of(runtime, blue.id) == [
        "warning.raised",
        "warning.level_raised",
        "warning.level_raised",
        "warning.resolved",
    ]
    # The callback clock that replying started is watched in its turn.
    assert await _clock(runtime, complaint.id, "callback") is not None


async def test_on_change_evaluation_warns_a_clock_already_in_its_warning_period(
    runtime: Runtime, clock: MovableClock
) -> None:
    complaint = await registered_and_triaged(runtime)
    watched = await _clock(runtime, complaint.id, "reply")
    assert watched is not None
    clock.set(watched.due_at + timedelta(hours=1))
    await complaints.start_handling(call(runtime, HANDLER), UUID(complaint.id), complaint.version)
    await drain(runtime)
    (red,) = await open_warnings(runtime, "DEADLINE")
    assert red.level == "RED"
    assert red.due_by == clock.now() + timedelta(hours=24)


async def test_a_dismissed_deadline_warning_stays_dismissed_until_it_gets_worse(
    runtime: Runtime, clock: MovableClock
) -> None:
    from service import warning as warnings_service
    from tests.integration.support import SUPERVISOR

    complaint = await registered_and_triaged(runtime)
    watched = await _clock(runtime, complaint.id, "reply")
    assert watched is not None
    clock.set(watched.warn_at)
    await scan(runtime, "DEADLINE")
    (blue,) = await open_warnings(runtime, "DEADLINE")
    await warnings_service.dismiss(
        call(runtime, SUPERVISOR), blue.id, blue.version, reason="已电话督促，单位承诺按期答复"
    )
    assert (await scan(runtime, "DEADLINE")).raised == 0
    clock.set(watched.due_at)
    assert (await scan(runtime, "DEADLINE")).raised == 1
    levels = [(w.level, w.status) for w in await warnings(runtime, "DEADLINE")]
    assert levels == [("BLUE", "DISMISSED"), ("RED", "RAISED")]


async def test_an_untriaged_letters_reply_clock_is_the_centres(runtime: Runtime) -> None:
    from tests.integration.support import register

    complaint = await register(runtime)
    watched = await _clock(runtime, complaint.id, "reply")
    assert watched is not None
    assert watched.unit_code == "SZ-JDZX"
