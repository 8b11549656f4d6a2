"""Apply a reference data file (units, officers, categories) through audited aggregates.

Idempotent: applying the same file twice records nothing the second time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from domain.actor import Role
from domain.errors import Forbidden, ValidationFailed
from domain.reference.model import Category, Officer, OfficerKind, Unit, UnitKind
from service.context import Call

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference"
TAXONOMY_FILE = REFERENCE_DIR / "taxonomy.json"
DEMO_CITY_FILE = REFERENCE_DIR / "demo-city.json"


@dataclass(frozen=True, slots=True)
class Applied:
    events: int


def read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


async def apply(call: Call, data: dict[str, Any]) -> Applied:
    if call.actor.role not in {Role.SYSTEM, Role.SUPERVISOR}:
        raise Forbidden("only supervisors change reference data")
    now = call.runtime.clock.now()
    async with call.unit_of_work() as uow:
        defined: dict[str, Unit] = {}
        for item in data.get("units", []):
            unit = await uow.units.get(item["code"])
            kind = UnitKind(item["kind"])
            if unit is None:
                parent = None
                if item.get("parent"):
                    parent = defined.get(item["parent"]) or await uow.units.get(item["parent"])
                    if parent is None:
                        raise ValidationFailed(
                            f"unit {item['code']}: parent {item['parent']} is not defined before it",
                            field="parent",
                        )
                unit = uow.units.add(
                    Unit.define(
                        code=item["code"], name=item["name"], kind=kind, parent=parent, at=now
                    )
                )
            else:
                unit.update(name=item["name"], kind=kind, at=now)
            defined[unit.code] = unit
        for item in data.get("categories", []):
            category = await uow.categories.get(item["code"])
            if category is None:
                uow.categories.add(
                    Category.define(
                        code=item["code"],
                        name=item["name"],
                        parent=item.get("parent"),
                        is_enforcement=bool(item["isEnforcement"]),
                        at=now,
                    )
                )
            else:
                category.update(
                    name=item["name"], is_enforcement=bool(item["isEnforcement"]), at=now
                )
        for item in data.get("officers", []):
            officer = await uow.officers.get(item["code"])
            officer_kind = OfficerKind(item["kind"])
            since = date.fromisoformat(item["since"])
            if officer is None:
                uow.officers.add(
                    Officer.register(
                        code=item["code"],
                        name=item["name"],
                        kind=officer_kind,
                        unit=item["unit"],
                        since=since,
                        account=item.get("account"),
                        at=now,
                    )
                )
            else:
                officer.update(
                    name=item["name"], kind=officer_kind, account=item.get("account"), at=now
                )
                if officer.unit != item["unit"]:
                    officer.assign(unit=item["unit"], since=since, at=now)
        records = await uow.commit()
    return Applied(events=len(records))
