"""What every application service call needs: where the data is, who acts, what time it is."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from audit.recorder import RequestMeta
from domain.actor import Actor
from domain.clock import Clock
from store.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Runtime:
    """Process-wide: the engine, the injected clock, deployment settings."""

    engine: AsyncEngine
    clock: Clock
    tz: ZoneInfo
    duplicate_threshold: float = 0.5


@dataclass(frozen=True, slots=True)
class Call:
    """One request: the runtime plus the actor and request id."""

    runtime: Runtime
    actor: Actor
    request_id: str | None = None
    command_id: UUID = field(default_factory=uuid4)

    def unit_of_work(self) -> UnitOfWork:
        meta = RequestMeta(
            actor=self.actor, request_id=self.request_id, causation_id=self.command_id
        )
        return UnitOfWork(self.runtime.engine, meta)
