"""What every application service call needs: where the data is, who acts, what time it is."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from audit.recorder import RequestMeta
from domain.actor import Actor
from domain.clock import Clock
from store.clockwatch import load_warn_before
from store.uow import UnitOfWork

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Runtime:
    """Process-wide: the engine, the injected clock, deployment settings."""

    engine: AsyncEngine
    clock: Clock
    tz: ZoneInfo
    duplicate_threshold: float = 0.5
    # Configuration that changes only by migration (clock rules, the holiday calendar), kept a
    # short while so that a command does not re-read it every time.
    config_ttl: float = 60.0
    _config: dict[str, tuple[float, Any]] = field(default_factory=dict)

    async def config(self, key: str, load: Callable[[], Awaitable[T]]) -> T:
        now = time.monotonic()
        cached = self._config.get(key)
        if cached is not None and now - cached[0] < self.config_ttl:
            value: T = cached[1]
            return value
        fresh = await load()
        self._config[key] = (now, fresh)
        return fresh


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
        runtime = self.runtime

        async def warn_before(conn: AsyncConnection) -> Mapping[str, int]:
            return await runtime.config("warn-before", lambda: load_warn_before(conn))

        return UnitOfWork(runtime.engine, meta, tz=runtime.tz, warn_before=warn_before)
