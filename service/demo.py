"""Demo data: a small city and its complaints, all through the application services."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from domain.actor import SYSTEM_ACTOR
from service import reference
from service.context import Call, Runtime
from store import rows


async def has_complaints(runtime: Runtime) -> bool:
    async with runtime.engine.connect() as conn:
        return await conn.scalar(select(rows.complaint.c.id).limit(1)) is not None


async def seed(
    runtime: Runtime, *, progress: Callable[[str], None] = lambda _: None
) -> dict[str, int]:
    progress("reference data")
    applied = await reference.apply(
        Call(runtime=runtime, actor=SYSTEM_ACTOR), reference.read(reference.DEMO_CITY_FILE)
    )
    return {"reference_events": applied.events}
