"""A Python asyncio load generator (httpx): N workers, a fixed duration, per-operation latency.

Every loop is bounded: workers stop issuing at the deadline or after `max_ops` operations, each
request has a timeout, and the whole run is cancelled `GRACE` seconds after the deadline.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from bench.data import Routing
from bench.workloads import Pair, pair

REQUEST_TIMEOUT = 10.0
GRACE = 30.0

# One operation: given the client, the worker number and the worker's iteration, an error
# message (None when it succeeded).
Operation = Callable[[httpx.AsyncClient, int, int], Awaitable[str | None]]


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)  # seconds, successful operations
    errors: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


async def drive(
    base_url: str, operation: Operation, *, concurrency: int, duration: float, max_ops: int
) -> Run:
    run = Run()
    issued = 0
    started = time.perf_counter()
    deadline = started + duration

    async def worker(number: int) -> None:
        # One client and one keep-alive connection per worker: a shared httpx pool costs far
        # more client CPU per request at these concurrencies.
        nonlocal issued
        async with httpx.AsyncClient(
            base_url=base_url, limits=httpx.Limits(max_connections=1), timeout=REQUEST_TIMEOUT
        ) as client:
            iteration = 0
            while time.perf_counter() < deadline and issued < max_ops:
                issued += 1
                t0 = time.perf_counter()
                try:
                    error = await operation(client, number, iteration)
                except httpx.HTTPError as failure:
                    error = f"{type(failure).__name__}: {failure}"
                if error is None:
                    run.latencies.append(time.perf_counter() - t0)
                else:
                    run.errors[error[:300]] += 1
                iteration += 1

    tasks = [asyncio.create_task(worker(n)) for n in range(concurrency)]
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=duration + GRACE)
    except TimeoutError:
        run.errors["run cancelled: requests still pending after the grace period"] += 1
    run.elapsed = time.perf_counter() - started
    return run


def run_sync(
    base_url: str, operation: Operation, *, concurrency: int, duration: float, max_ops: int
) -> Run:
    """`drive` on a fresh event loop (uvloop's when it is installed, as it is with uvicorn)."""
    coroutine = drive(
        base_url, operation, concurrency=concurrency, duration=duration, max_ops=max_ops
    )
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def _graphql_error(response: httpx.Response) -> str | None:
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    if b'"errors"' in response.content:
        return f"GraphQL errors: {response.text[:200]}"
    return None


def post_operation(bodies: list[bytes], token: str) -> Operation:
    """POST one of `bodies` (rotating per worker and iteration) to /graphql."""
    headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}
    count = len(bodies)

    async def operation(client: httpx.AsyncClient, number: int, iteration: int) -> str | None:
        payload = bodies[(number * 7919 + iteration) % count]
        response = await client.post("/graphql", content=payload, headers=headers)
        return _graphql_error(response)

    return operation


def _outcome(response: httpx.Response, field_name: str) -> tuple[dict[str, object] | None, str]:
    error = _graphql_error(response)
    if error:
        return None, error
    result = json.loads(response.content)["data"][field_name]
    if result.get("__typename") != "Complaint":
        return None, f"{field_name} returned {result}"
    return result, ""


def pair_operation(intake_token: str, supervisor_token: str, *, seed: int = 1000) -> Operation:
    """registerComplaint (intake), then triageComplaint (supervisor, expectedVersion 1)."""
    routing = Routing.from_reference()
    intake = {"content-type": "application/json", "authorization": f"Bearer {intake_token}"}
    supervisor = {
        "content-type": "application/json",
        "authorization": f"Bearer {supervisor_token}",
    }
    generators: dict[int, random.Random] = {}

    async def operation(client: httpx.AsyncClient, number: int, iteration: int) -> str | None:
        rng = generators.setdefault(number, random.Random(seed + number))
        planned: Pair = pair(rng, routing, seed * 1_000_000 + number * 100_000 + iteration)
        response = await client.post("/graphql", content=planned.register, headers=intake)
        registered, error = _outcome(response, "registerComplaint")
        if registered is None:
            return error
        response = await client.post(
            "/graphql", content=planned.triage(str(registered["id"])), headers=supervisor
        )
        triaged, error = _outcome(response, "triageComplaint")
        if triaged is None:
            return error
        if triaged.get("status") != "TRIAGED":
            return f"triage left status {triaged.get('status')}"
        return None

    return operation
