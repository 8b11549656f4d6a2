"""GraphQL types of a loop trace (闭环追溯)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from api.audit.types import AuditActor, AuditEvent


@strawberry.enum(description="预警 → 发现 → 核查 → 整改 → 追责")
class LoopStageKind(Enum):
    EARLY_WARNING = "EARLY_WARNING"
    DISCOVERY = "DISCOVERY"
    VERIFICATION = "VERIFICATION"
    RECTIFICATION = "RECTIFICATION"
    ACCOUNTABILITY = "ACCOUNTABILITY"


@strawberry.type(description="One item's part in a loop stage, with its events in order.")
class LoopItem:
    id: strawberry.ID
    type: str
    status: str | None
    started_at: datetime
    ended_at: datetime
    duration_seconds: float
    actors: list[AuditActor]
    events: list[AuditEvent]


@strawberry.type
class LoopStage:
    stage: LoopStageKind
    items: list[LoopItem]
    started_at: datetime
    ended_at: datetime
    duration_seconds: float


@strawberry.type(description="A whole loop, from the first signal to the last sanction.")
class LoopTrace:
    correlation_ids: list[strawberry.ID]
    stages: list[LoopStage]
    started_at: datetime
    ended_at: datetime
    duration_seconds: float


@strawberry.type
class LoopQueries:
    @strawberry.field(
        description="Any item of a loop → the whole chain in order: stages, items, actors, events."
    )
    async def loop_trace(self, info: strawberry.Info, id: strawberry.ID) -> LoopTrace:
        from api.loop.queries import loop_trace

        return await loop_trace(info, id)
