"""The closed loop (闭环): which stage of 预警 → 发现 → 核查 → 整改 → 追责 an event belongs to.

Pure rules over event names, so a loop can be traced from the audit log alone: every event carries
its loop's correlation id, and events that join two loops (a merged complaint) name the other one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any


class Stage(StrEnum):
    EARLY_WARNING = "EARLY_WARNING"  # 预警
    DISCOVERY = "DISCOVERY"  # 发现
    VERIFICATION = "VERIFICATION"  # 核查
    RECTIFICATION = "RECTIFICATION"  # 整改
    ACCOUNTABILITY = "ACCOUNTABILITY"  # 追责


ORDER = list(Stage)

_BY_AGGREGATE = {
    "warning": Stage.EARLY_WARNING,
    "complaint": Stage.DISCOVERY,
    "petition": Stage.DISCOVERY,
    "case": Stage.DISCOVERY,
    "review": Stage.VERIFICATION,
    "accountability": Stage.ACCOUNTABILITY,
}

# Payload keys under `data` whose value is another loop's correlation id (migration 0006's
# trigger records them as loop links).
LINK_KEYS = ("intoCorrelationId", "linkedCorrelationId", "originCorrelationId")


def stage_of(aggregate_type: str, event_type: str) -> Stage | None:
    """The loop stage of one event, or None for reference data outside any loop."""
    if aggregate_type == "review" and "rectification" in event_type:
        return Stage.RECTIFICATION
    return _BY_AGGREGATE.get(aggregate_type)


def current_status(payloads: Iterable[Mapping[str, Any]]) -> str | None:
    """The last status (or stage) an item's events moved it to."""
    status = None
    for payload in payloads:
        changes = payload.get("changes") or {}
        for key in ("status", "stage"):
            change = changes.get(key)
            if isinstance(change, Mapping) and change.get("after") is not None:
                status = str(change["after"])
    return status
