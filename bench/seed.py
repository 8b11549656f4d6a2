"""Load reference data and N triaged complaints through the application services.

Run as a subprocess by the bench (`python -m bench.seed --complaints N`) with the same
environment as the server, so it finds the same database (DATABASE_URL or the embedded one in
JIANDU_DATA_DIR) and, for the embedded server, holds its handle only while it runs.
Prints one JSON line: {"complaints": N, "seconds": S, "reference_events": E}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from datetime import timedelta
from uuid import UUID

from bench.data import Routing, synthetic
from domain.actor import SYSTEM_ACTOR, Actor, Role
from runtime.bootstrap import build_runtime, database_url
from runtime.config import load_settings
from service import complaints, reference
from service.complaints import RegisterComplaint
from service.context import Call, Runtime

INTAKE = Actor(subject="bench-intake", role=Role.INTAKE)
SUPERVISOR = Actor(subject="bench-supervisor", role=Role.SUPERVISOR)
SPREAD = timedelta(days=60)
# Every tenth complaint gets a duplicate merged into it, so loop traces span two loops.
DUPLICATE_EVERY = 10


async def _one(runtime: Runtime, routing: Routing, rng: random.Random, index: int) -> str:
    item = synthetic(rng, routing, index)
    received_at = runtime.clock.now() - SPREAD * rng.random()
    registered = await complaints.register(
        Call(runtime=runtime, actor=INTAKE, request_id="bench-seed"),
        RegisterComplaint(
            channel=item.channel,
            subject=item.subject,
            content=item.content,
            complainant_name=item.name,
            complainant_phone=item.phone,
            received_at=received_at,
        ),
    )
    await complaints.triage(
        Call(runtime=runtime, actor=SUPERVISOR, request_id="bench-seed"),
        UUID(registered.id),
        registered.version,
        category_code=item.category,
        unit_code=item.unit,
        line_unit_code=item.line_unit,
        importance=None,
    )
    return registered.id


async def _duplicate_of(
    runtime: Runtime, routing: Routing, rng: random.Random, target: str
) -> None:
    """A second letter about the same matter, merged into the first: their loops join."""
    item = synthetic(rng, routing, 0)
    again = await complaints.register(
        Call(runtime=runtime, actor=INTAKE, request_id="bench-seed"),
        RegisterComplaint(
            channel=item.channel,
            subject=item.subject,
            content=item.content,
            complainant_name=item.name,
            complainant_phone=item.phone,
        ),
    )
    await complaints.merge(
        Call(runtime=runtime, actor=SUPERVISOR, request_id="bench-seed"),
        UUID(again.id),
        again.version,
        into_id=UUID(target),
        reason="同一事项重复来信",
    )


async def seed(count: int, concurrency: int, rng_seed: int) -> dict[str, float]:
    settings = load_settings()
    runtime = build_runtime(database_url(settings), settings, pool_size=concurrency)
    started = time.perf_counter()
    try:
        applied = await reference.apply(
            Call(runtime=runtime, actor=SYSTEM_ACTOR), reference.read(reference.DEMO_CITY_FILE)
        )
        routing = Routing.from_reference()
        rng = random.Random(rng_seed)
        queue: asyncio.Queue[int] = asyncio.Queue()
        for index in range(count):
            queue.put_nowait(index)

        async def worker() -> None:
            while True:
                try:
                    index = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                complaint_id = await _one(runtime, routing, rng, index)
                if index % DUPLICATE_EVERY == 0:
                    await _duplicate_of(runtime, routing, rng, complaint_id)

        await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
    finally:
        await runtime.engine.dispose()
    return {
        "complaints": count,
        "seconds": round(time.perf_counter() - started, 2),
        "reference_events": applied.events,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.seed", description=__doc__)
    parser.add_argument("--complaints", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    summary = asyncio.run(seed(args.complaints, args.concurrency, args.seed))
    sys.stdout.write(json.dumps(summary) + "\n")


if __name__ == "__main__":
    main()
