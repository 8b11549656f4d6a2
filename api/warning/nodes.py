"""Warnings and warning rules as Relay nodes, scoped to the caller."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from api.context import Info
from api.nodes import NodeKind, register
from api.warning.queries import rule, visible_warning_row
from api.warning.types import WarningNode


async def _warning(info: Info, local_id: str) -> Any | None:
    try:
        uuid = UUID(local_id)
    except ValueError:
        return None
    row = await visible_warning_row(info, uuid)
    return WarningNode.from_row(row) if row else None


async def _rule(info: Info, code: str) -> Any | None:
    return await rule(info, code)


register(
    NodeKind(
        type_name="Warning",
        aggregate_type="warning",
        load=_warning,
        audit_id=lambda local_id: str(UUID(local_id)),
    )
)
# Rules are configuration every role may read; their id is their code.
register(NodeKind(type_name="WarningRule", aggregate_type="warning_rule", load=_rule))
