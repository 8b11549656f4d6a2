"""Accountabilities and points ledgers as Relay nodes, scoped to the caller."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select

from api.accountability.queries import visible_accountability_row
from api.accountability.types import Accountability, PointsLedger
from api.context import Info
from api.nodes import NodeKind, register
from service.accountability import officer_visible
from store import accountability as store
from store import rows


async def _accountability(info: Info, local_id: str) -> Any | None:
    try:
        uuid = UUID(local_id)
    except ValueError:
        return None
    row = await visible_accountability_row(info, uuid)
    return Accountability.from_row(row) if row else None


async def _ledger(info: Info, officer_code: str) -> Any | None:
    """An officer's ledger (empty before its first entry); null if unknown or out of scope."""
    async with info.context.call.runtime.engine.connect() as conn:
        known = await conn.scalar(
            select(rows.officer.c.code).where(rows.officer.c.code == officer_code)
        )
        if known is None or not await officer_visible(conn, info.context.call.actor, officer_code):
            return None
        row = (
            await conn.execute(
                select(store.points_ledger).where(
                    store.points_ledger.c.officer_code == officer_code
                )
            )
        ).one_or_none()
    return PointsLedger.from_row(row) if row else PointsLedger.empty(officer_code)


register(
    NodeKind(
        type_name="Accountability",
        aggregate_type="accountability",
        load=_accountability,
        audit_id=lambda local_id: str(UUID(local_id)),
    )
)
register(NodeKind(type_name="PointsLedger", aggregate_type="points_ledger", load=_ledger))
