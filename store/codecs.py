"""JSON forms of domain values that are stored in jsonb columns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.deadlines import ClockUnit, Deadline


def deadline_to_json(deadline: Deadline) -> dict[str, Any]:
    return {
        "ruleCode": deadline.rule_code,
        "basis": deadline.basis,
        "startedAt": deadline.started_at.isoformat(),
        "dueAt": deadline.due_at.isoformat() if deadline.due_at else None,
        "unit": deadline.unit.value,
        "limit": deadline.limit,
        "extension": deadline.extension,
        "paused": deadline.paused,
        "computation": deadline.computation,
    }


def deadline_from_json(data: dict[str, Any]) -> Deadline:
    return Deadline(
        rule_code=data["ruleCode"],
        basis=data["basis"],
        started_at=datetime.fromisoformat(data["startedAt"]),
        due_at=datetime.fromisoformat(data["dueAt"]) if data.get("dueAt") else None,
        unit=ClockUnit(data["unit"]),
        limit=data["limit"],
        extension=data["extension"],
        paused=data["paused"],
        computation=data["computation"],
    )
