"""Wire a process: settings → database URL → migrated schema → engine → runtime."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.actor import SYSTEM_ACTOR
from domain.clock import Clock, SystemClock
from runtime.config import Settings
from runtime.database import create_engine, resolve_url
from runtime.migrate import upgrade
from service import reference, warning
from service.context import Call, Runtime


@dataclass(frozen=True, slots=True)
class Wired:
    url: str
    runtime: Runtime


def database_url(settings: Settings) -> str:
    return resolve_url(settings.database_url, settings.data_dir)


def build_runtime(
    url: str, settings: Settings, *, clock: Clock | None = None, pool_size: int = 10
) -> Runtime:
    engine: AsyncEngine = create_engine(url, pool_size=pool_size)
    return Runtime(
        engine=engine,
        clock=clock or SystemClock(),
        tz=settings.timezone,
        duplicate_threshold=settings.duplicate_threshold,
    )


async def migrate(url: str, runtime: Runtime) -> int:
    """Schema to head, then the taxonomy through audited commands; the number of new events."""
    upgrade(url)
    call = Call(runtime=runtime, actor=SYSTEM_ACTOR)
    applied = await reference.apply(call, reference.read(reference.TAXONOMY_FILE))
    return applied.events + await warning.ensure_default_rules(call)
