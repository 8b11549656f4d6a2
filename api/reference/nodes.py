"""Reference data as Relay nodes: units, officers and categories are visible to every role."""

from __future__ import annotations

from typing import Any

from api.context import Info
from api.nodes import NodeKind, register
from api.reference.types import ComplaintCategory, Officer, Unit


async def _unit(info: Info, code: str) -> Any | None:
    row = await info.context.loaders.unit.load(code)
    return Unit.from_row(row) if row else None


async def _officer(info: Info, code: str) -> Any | None:
    row = await info.context.loaders.officer.load(code)
    return Officer.from_row(row) if row else None


async def _category(info: Info, code: str) -> Any | None:
    row = await info.context.loaders.category.load(code)
    return ComplaintCategory.from_row(row) if row else None


register(NodeKind(type_name="Unit", aggregate_type="unit", load=_unit))
register(NodeKind(type_name="Officer", aggregate_type="officer", load=_officer))
register(NodeKind(type_name="ComplaintCategory", aggregate_type="category", load=_category))
