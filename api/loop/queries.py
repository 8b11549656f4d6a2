"""loopTrace: one item's whole loop, stage by stage, from the audit log."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import strawberry
from sqlalchemy import text

from api import nodes
from api.audit.types import AuditActor, AuditEvent
from api.context import Info
from api.failures import ClientError
from api.loop.types import LoopItem, LoopStage, LoopStageKind, LoopTrace
from api.relay import from_global_id, to_global_id
from domain.loop import ORDER, Stage, current_status, stage_of

# A loop is a handful of items; this bounds a pathological one.
MAX_EVENTS = 5_000

_CORRELATION = text(
    "SELECT correlation_id FROM audit_event WHERE aggregate_type = :type AND aggregate_id = :id"
    " AND correlation_id IS NOT NULL ORDER BY position DESC LIMIT 1"
)
_LINKED = text(
    "WITH RECURSIVE loops(id) AS ("
    " SELECT CAST(:start AS uuid)"
    " UNION SELECT CASE WHEN l.correlation_id = loops.id THEN l.linked_correlation_id"
    " ELSE l.correlation_id END"
    " FROM loop_link l JOIN loops ON loops.id IN (l.correlation_id, l.linked_correlation_id)"
    ") SELECT id FROM loops"
)
_EVENTS = text(
    "SELECT * FROM audit_event WHERE correlation_id = ANY(:ids) ORDER BY position LIMIT :limit"
)


@dataclass
class _Item:
    aggregate_type: str
    aggregate_id: str
    rows: list[Any] = field(default_factory=list)


def _seconds(start: datetime, end: datetime) -> float:
    return round((end - start).total_seconds(), 3)


async def _visible(info: Info, kind: nodes.NodeKind | None, aggregate_id: str) -> bool:
    if not info.context.call.actor.is_unit_scoped:
        return True
    return kind is not None and await kind.load(info, aggregate_id) is not None


async def loop_trace(info: Info, id: str) -> LoopTrace:
    type_name, local_id = from_global_id(id)
    kind = nodes.kind_of(type_name)
    if kind is None or await kind.load(info, local_id) is None:
        raise ClientError(f"{id} was not found", code="NOT_FOUND")
    async with info.context.call.runtime.engine.connect() as conn:
        start = await conn.scalar(
            _CORRELATION, {"type": kind.aggregate_type, "id": kind.audit_id(local_id)}
        )
        if start is None:
            raise ClientError(f"{id} belongs to no loop", code="VALIDATION")
        loops = [row.id for row in await conn.execute(_LINKED, {"start": start})]
        rows = (await conn.execute(_EVENTS, {"ids": loops, "limit": MAX_EVENTS})).all()
    staged: dict[Stage, dict[tuple[str, str], _Item]] = defaultdict(dict)
    for row in rows:
        stage = stage_of(row.aggregate_type, row.event_type)
        if stage is None:
            continue
        key = (row.aggregate_type, row.aggregate_id)
        staged[stage].setdefault(key, _Item(row.aggregate_type, row.aggregate_id)).rows.append(row)
    stages = []
    for stage in ORDER:
        items = []
        for item in staged.get(stage, {}).values():
            item_kind = nodes.kind_for_aggregate(item.aggregate_type)
            if not await _visible(info, item_kind, item.aggregate_id):
                continue
            items.append(_loop_item(item, item_kind))
        if items:
            begun = min(i.started_at for i in items)
            ended = max(i.ended_at for i in items)
            stages.append(
                LoopStage(
                    stage=LoopStageKind(stage.value),
                    items=items,
                    started_at=begun,
                    ended_at=ended,
                    duration_seconds=_seconds(begun, ended),
                )
            )
    if not stages:
        raise ClientError(f"{id} was not found", code="NOT_FOUND")
    begun = min(s.started_at for s in stages)
    ended = max(s.ended_at for s in stages)
    return LoopTrace(
        correlation_ids=[strawberry.ID(str(loop)) for loop in _in_order_of_appearance(rows)],
        stages=stages,
        started_at=begun,
        ended_at=ended,
        duration_seconds=_seconds(begun, ended),
    )


def _in_order_of_appearance(rows: Sequence[Any]) -> list[UUID]:
    """The loops, oldest first (rows are in position order)."""
    return list(dict.fromkeys(row.correlation_id for row in rows))


def _loop_item(item: _Item, kind: nodes.NodeKind | None) -> LoopItem:
    first, last = item.rows[0], item.rows[-1]
    actors: dict[tuple[str, str], AuditActor] = {}
    for row in item.rows:
        actor = row.actor
        actors.setdefault(
            (actor["subject"], actor["role"]),
            AuditActor(
                issuer=actor.get("issuer"),
                subject=actor["subject"],
                role=actor["role"],
                unit=actor.get("unit"),
                officer=actor.get("officer"),
            ),
        )
    type_name = kind.type_name if kind else item.aggregate_type
    return LoopItem(
        id=strawberry.ID(to_global_id(type_name, item.aggregate_id)),
        type=type_name,
        status=current_status(row.payload for row in item.rows),
        started_at=first.effective_at,
        ended_at=last.effective_at,
        duration_seconds=_seconds(first.effective_at, last.effective_at),
        actors=list(actors.values()),
        events=[AuditEvent.from_row(row) for row in item.rows],
    )
