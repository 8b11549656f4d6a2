"""Reference aggregates. They change rarely, but every change is audited like any other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar

from domain.aggregate import Aggregate
from domain.errors import ValidationFailed


class UnitKind(StrEnum):
    BUREAU = "BUREAU"  # 市局
    SUB_BUREAU = "SUB_BUREAU"  # 分局
    STATION = "STATION"  # 派出所
    LINE_DEPARTMENT = "LINE_DEPARTMENT"  # 条线业务警种 (legal, inspection, criminal investigation…)
    CENTRE = "CENTRE"  # 执法监督中心


class OfficerKind(StrEnum):
    POLICE = "POLICE"  # 民警
    AUXILIARY = "AUXILIARY"  # 聘员 / 辅警


def _code(value: str, field: str) -> str:
    clean = value.strip()
    if not clean or len(clean) > 64 or "." in clean or any(c.isspace() for c in clean):
        raise ValidationFailed(
            f"{field} must be 1 to 64 characters without dots or spaces", field=field
        )
    return clean


class Unit(Aggregate):
    aggregate_type: ClassVar[str] = "unit"

    def __init__(
        self, *, code: str, version: int, name: str, kind: UnitKind, parent: str | None, path: str
    ) -> None:
        super().__init__(id=code, version=version)
        self.code = code
        self.name = name
        self.kind = kind
        self.parent = parent
        self.path = path

    @property
    def owner_unit(self) -> str | None:
        return self.code

    def snapshot(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind.value,
            "parent": self.parent,
            "path": self.path,
        }

    @classmethod
    def define(
        cls, *, code: str, name: str, kind: UnitKind, parent: Unit | None, at: datetime
    ) -> Unit:
        clean = _code(code, "code")
        path = f"{parent.path}.{clean}" if parent else clean
        unit = cls(code=clean, version=0, name=name, kind=kind, parent=None, path="")

        def apply() -> None:
            unit.name, unit.kind, unit.path = name, kind, path
            unit.parent = parent.code if parent else None

        unit._change("defined", at=at, mutate=apply)
        return unit

    def update(self, *, name: str, kind: UnitKind, at: datetime) -> None:
        if (name, kind) == (self.name, self.kind):
            return

        def apply() -> None:
            self.name, self.kind = name, kind

        self._change("updated", at=at, mutate=apply)

    def contains(self, other_path: str) -> bool:
        return other_path == self.path or other_path.startswith(self.path + ".")


@dataclass(frozen=True, slots=True)
class Assignment:
    unit: str
    valid_from: date


class Officer(Aggregate):
    """An officer or auxiliary. Assignments are dated so a fault follows the person (终身追责)."""

    aggregate_type: ClassVar[str] = "officer"

    def __init__(
        self,
        *,
        code: str,
        version: int,
        name: str,
        kind: OfficerKind,
        assignments: tuple[Assignment, ...],
        account: str | None,
    ) -> None:
        super().__init__(id=code, version=version)
        self.code = code
        self.name = name
        self.kind = kind
        self.assignments = assignments
        self.account = account

    @property
    def unit(self) -> str:
        return self.assignments[-1].unit

    @property
    def owner_unit(self) -> str | None:
        return self.unit if self.assignments else None

    def unit_on(self, day: date) -> str | None:
        current = None
        for assignment in self.assignments:
            if assignment.valid_from <= day:
                current = assignment.unit
        return current

    def snapshot(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind.value,
            "account": self.account,
            "assignments": [
                {"unit": a.unit, "validFrom": a.valid_from.isoformat()} for a in self.assignments
            ],
        }

    @classmethod
    def register(
        cls,
        *,
        code: str,
        name: str,
        kind: OfficerKind,
        unit: str,
        since: date,
        account: str | None,
        at: datetime,
    ) -> Officer:
        officer = cls(
            code=_code(code, "code"), version=0, name="", kind=kind, assignments=(), account=None
        )

        def apply() -> None:
            officer.name, officer.account = name, account
            officer.assignments = (Assignment(unit=unit, valid_from=since),)

        officer._change("registered", at=at, mutate=apply)
        return officer

    def assign(self, *, unit: str, since: date, at: datetime) -> None:
        if self.assignments and since <= self.assignments[-1].valid_from:
            raise ValidationFailed(
                "a new assignment must start after the current one", field="validFrom"
            )
        if self.assignments and self.unit == unit:
            return

        def apply() -> None:
            self.assignments = (*self.assignments, Assignment(unit=unit, valid_from=since))

        self._change("assigned", at=at, mutate=apply)

    def update(self, *, name: str, kind: OfficerKind, account: str | None, at: datetime) -> None:
        if (name, kind, account) == (self.name, self.kind, self.account):
            return

        def apply() -> None:
            self.name, self.kind, self.account = name, kind, account

        self._change("updated", at=at, mutate=apply)


class Category(Aggregate):
    """A node of the multi-level complaint taxonomy (多层级分类)."""

    aggregate_type: ClassVar[str] = "category"

    def __init__(
        self, *, code: str, version: int, name: str, parent: str | None, is_enforcement: bool
    ) -> None:
        super().__init__(id=code, version=version)
        self.code = code
        self.name = name
        self.parent = parent
        self.is_enforcement = is_enforcement

    def snapshot(self) -> dict[str, Any]:
        return {"name": self.name, "parent": self.parent, "isEnforcement": self.is_enforcement}

    @classmethod
    def define(
        cls, *, code: str, name: str, parent: str | None, is_enforcement: bool, at: datetime
    ) -> Category:
        category = cls(
            code=_code(code, "code"), version=0, name="", parent=None, is_enforcement=False
        )

        def apply() -> None:
            category.name, category.parent, category.is_enforcement = name, parent, is_enforcement

        category._change("defined", at=at, mutate=apply)
        return category

    def update(self, *, name: str, is_enforcement: bool, at: datetime) -> None:
        if (name, is_enforcement) == (self.name, self.is_enforcement):
            return

        def apply() -> None:
            self.name, self.is_enforcement = name, is_enforcement

        self._change("updated", at=at, mutate=apply)
