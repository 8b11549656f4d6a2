"""Cases as Relay nodes, scoped to the caller."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from api.case.queries import visible_case_row
from api.case.types import Case
from api.context import Info
from api.nodes import NodeKind, register


async def _case(info: Info, local_id: str) -> Any | None:
    try:
        uuid = UUID(local_id)
    except ValueError:
        return None
    row = await visible_case_row(info, uuid)
    return Case.from_row(row) if row else None


register(
    NodeKind(
        type_name="Case",
        aggregate_type="case",
        load=_case,
        audit_id=lambda local_id: str(UUID(local_id)),
    )
)
