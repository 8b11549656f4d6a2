"""Where "now" comes from: the system clock in production, a movable one in tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable


def _aware_utc(moment: datetime, what: str) -> datetime:
    """Return `moment` in UTC, rejecting naive datetimes."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


@runtime_checkable
class Clock(Protocol):
    """Source of the current instant (timezone-aware, UTC)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    __slots__ = ()

    def now(self) -> datetime:
        """Return the current instant in UTC."""
        return datetime.now(UTC)


class MovableClock:
    """A clock that only moves when told to, for tests and demo data."""

    __slots__ = ("_now",)

    def __init__(self, start: datetime) -> None:
        self._now = _aware_utc(start, "start")

    def now(self) -> datetime:
        """Return the clock's current instant in UTC."""
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move the clock by `delta` (negative moves it back)."""
        self._now += delta

    def set(self, moment: datetime) -> None:
        """Put the clock at `moment`."""
        self._now = _aware_utc(moment, "moment")

    def __repr__(self) -> str:
        return f"MovableClock({self._now.isoformat()})"
