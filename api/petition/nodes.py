"""Petitions as Relay nodes, scoped to the caller."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from api.context import Info
from api.nodes import NodeKind, register
from api.petition.queries import visible_petition_row
from api.petition.types import Petition


async def _petition(info: Info, local_id: str) -> Any | None:
    try:
        uuid = UUID(local_id)
    except ValueError:
        return None
    row = await visible_petition_row(info, uuid)
    return Petition.from_row(row) if row else None


register(
    NodeKind(
        type_name="Petition",
        aggregate_type="petition",
        load=_petition,
        audit_id=lambda local_id: str(UUID(local_id)),
    )
)
