"""Recompute the hash chain over a range of positions and report the first break."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from audit.canonical import GENESIS_HASH, HEADER, EventBody, digest, timestamp
from audit.schema import audit_event

BATCH = 2_000


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    checked: int
    first_broken_position: int | None = None
    problem: str | None = None


def body_from_row(row: Any) -> EventBody:
    return EventBody(
        event_id=row.event_id,
        format_version=row.format_version,
        effective_at=row.effective_at,
        actor=row.actor,
        aggregate_type=row.aggregate_type,
        aggregate_id=row.aggregate_id,
        aggregate_version=row.aggregate_version,
        owner_unit=row.owner_unit,
        event_type=row.event_type,
        payload=row.payload,
        reason=row.reason,
        request_id=row.request_id,
        correlation_id=row.correlation_id,
        causation_id=row.causation_id,
    )


def check_row(row: Any, expected_position: int, expected_prev: str) -> str | None:
    """Why this row breaks the chain, or None when it holds."""
    if row.position != expected_position:
        return f"position {expected_position} is missing"
    if row.prev_hash != expected_prev:
        return "prevHash does not match the previous event's hash"
    if digest(row.canonical) != row.hash:
        return "hash does not match the stored canonical bytes"
    parts = row.canonical.split("\n", 4)
    if len(parts) != 5 or parts[:4] != [
        HEADER,
        str(row.position),
        row.prev_hash,
        timestamp(row.recorded_at),
    ]:
        return "the hashed header differs from the stored position, prevHash or recordedAt"
    if body_from_row(row).canonical() != parts[4]:
        return "stored fields differ from the canonical bytes that were hashed"
    return None


async def verify_chain(
    conn: AsyncConnection,
    *,
    start: int = 1,
    end: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Verification:
    """Check positions start..end (inclusive; to the head when end is None)."""
    start = max(start, 1)
    if start == 1:
        expected_prev = GENESIS_HASH
    else:
        previous = await conn.scalar(
            select(audit_event.c.hash).where(audit_event.c.position == start - 1)
        )
        if previous is None:
            return Verification(False, 0, start - 1, f"position {start - 1} is missing")
        expected_prev = previous
    checked = 0
    expected_position = start
    while True:
        query = (
            select(audit_event)
            .where(audit_event.c.position >= expected_position)
            .order_by(audit_event.c.position)
            .limit(BATCH)
        )
        if end is not None:
            query = query.where(audit_event.c.position <= end)
        rows = (await conn.execute(query)).all()
        for row in rows:
            problem = check_row(row, expected_position, expected_prev)
            if problem:
                return Verification(False, checked, expected_position, problem)
            expected_prev = row.hash
            expected_position += 1
            checked += 1
        if progress:
            progress(checked)
        if len(rows) < BATCH:
            break
    if end is not None and expected_position <= end:
        head = await conn.scalar(
            select(audit_event.c.position).order_by(audit_event.c.position.desc()).limit(1)
        )
        if head is not None and head >= expected_position:
            return Verification(
                False, checked, expected_position, f"position {expected_position} is missing"
            )
    return Verification(True, checked)
