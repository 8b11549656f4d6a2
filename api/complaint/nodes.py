"""Complaints as Relay nodes, scoped to the caller."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from api.complaint.queries import visible_complaint_row
from api.complaint.types import Complaint
from api.context import Info
from api.nodes import NodeKind, register


async def _complaint(info: Info, local_id: str) -> Any | None:
    try:
        uuid = UUID(local_id)
    except ValueError:
        return None
    row = await visible_complaint_row(info, uuid)
    return Complaint.from_row(row) if row else None


register(
    NodeKind(
        type_name="Complaint",
        aggregate_type="complaint",
        load=_complaint,
        audit_id=lambda local_id: str(UUID(local_id)),
    )
)
