"""Reviews as Relay nodes, scoped to the caller."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from api.context import Info
from api.nodes import NodeKind, register
from api.review.queries import visible_review_row
from api.review.types import Review


async def _review(info: Info, local_id: str) -> Any | None:
    try:
        uuid = UUID(local_id)
    except ValueError:
        return None
    row = await visible_review_row(info, uuid)
    return Review.from_row(row) if row else None


register(
    NodeKind(
        type_name="Review",
        aggregate_type="review",
        load=_review,
        audit_id=lambda local_id: str(UUID(local_id)),
    )
)
