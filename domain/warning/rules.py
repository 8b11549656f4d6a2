"""Warning rules are data: a kind (what is measured), parameters, and a threshold per level.

A supervisor changes them through audited commands; each kind says which parameters it takes,
which way its measure gets worse, and what the subject of its warnings is. Indicators that
evaluation must not use (DOMAIN.md: fines, detentions, case counts, return and clearance rates)
are refused by name and alias, whatever the kind.
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from domain.aggregate import Aggregate
from domain.errors import ValidationFailed
from domain.warning.status import Level, SubjectKind


class RuleKind(StrEnum):
    DEADLINE = "DEADLINE"  # every running clock: before due, due day, overdue
    OFFICER_COMPLAINTS = "OFFICER_COMPLAINTS"  # repeated complaints against one officer
    UNIT_COMPLAINTS = "UNIT_COMPLAINTS"  # repeated complaints against one unit
    REPEAT_COMPLAINANT = "REPEAT_COMPLAINANT"  # one person, one matter, several channels
    UNIT_SATISFACTION = "UNIT_SATISFACTION"  # satisfaction over a unit's last callbacks
    ALERT_NOT_ACCEPTED = "ALERT_NOT_ACCEPTED"  # 有警不处
    NOT_FILED = "NOT_FILED"  # 有案不立
    FILED_NO_ACTIVITY = "FILED_NO_ACTIVITY"  # 立而不侦
    LONG_INVESTIGATION = "LONG_INVESTIGATION"  # 久侦不决
    DETENTION_OVERDUE = "DETENTION_OVERDUE"  # 羁押超期
    MEASURE_NEAR_LIMIT = "MEASURE_NEAR_LIMIT"  # 取保候审 / 监视居住 near its limit
    IMPROPER_WITHDRAWAL = "IMPROPER_WITHDRAWAL"  # 违规撤案
    PEER_OUTLIER = "PEER_OUTLIER"  # far above peers of the same unit kind and period


class Direction(StrEnum):
    HIGHER_IS_WORSE = "HIGHER_IS_WORSE"
    LOWER_IS_WORSE = "LOWER_IS_WORSE"


@dataclass(frozen=True, slots=True)
class ParamSpec:
    description: str
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = True
    choices: tuple[str, ...] | None = None  # a text parameter takes one of these
    default: Any = None

    def check(self, name: str, value: Any) -> Any:
        if self.choices is not None:
            if not isinstance(value, str) or value not in self.choices:
                raise ValidationFailed(
                    f"{name} must be one of {', '.join(self.choices)}, got {value!r}",
                    field=f"params.{name}",
                )
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationFailed(
                f"{name} must be a number, got {value!r}", field=f"params.{name}"
            )
        if not math.isfinite(value):
            raise ValidationFailed(f"{name} must be a finite number", field=f"params.{name}")
        if self.integer and value != int(value):
            raise ValidationFailed(f"{name} must be a whole number", field=f"params.{name}")
        if self.minimum is not None and value < self.minimum:
            raise ValidationFailed(
                f"{name} must be at least {self.minimum:g}", field=f"params.{name}"
            )
        if self.maximum is not None and value > self.maximum:
            raise ValidationFailed(
                f"{name} must be at most {self.maximum:g}", field=f"params.{name}"
            )
        return int(value) if self.integer else float(value)


RESPOND = ParamSpec("hours the responsible unit has to act on a warning", 1, 24 * 30, default=72)
WINDOW = ParamSpec("length of the sliding window, in days", 1, 730, default=90)


@dataclass(frozen=True, slots=True)
class KindSpec:
    subject: SubjectKind | None  # None: a parameter chooses (peer comparison)
    measure: str  # what the thresholds are compared with
    direction: Direction
    params: Mapping[str, ParamSpec] = field(default_factory=dict)
    window_param: str | None = None  # the parameter giving the window in days, if any


# Measures a peer comparison may use; each is a count over the period.
PEER_MEASURES = ("COMPLAINTS", "DISSATISFIED_CALLBACKS", "OVERDUE_CLOCKS")

SPECS: dict[RuleKind, KindSpec] = {
    RuleKind.DEADLINE: KindSpec(
        SubjectKind.ITEM,
        "phase of the clock: 1 within its warning period, 2 on its last day, 3 overdue",
        Direction.HIGHER_IS_WORSE,
    ),
    RuleKind.OFFICER_COMPLAINTS: KindSpec(
        SubjectKind.OFFICER,
        "complaints naming the officer received in the window",
        Direction.HIGHER_IS_WORSE,
        {"windowDays": WINDOW},
        "windowDays",
    ),
    RuleKind.UNIT_COMPLAINTS: KindSpec(
        SubjectKind.UNIT,
        "complaints against the unit received in the window",
        Direction.HIGHER_IS_WORSE,
        {"windowDays": WINDOW},
        "windowDays",
    ),
    RuleKind.REPEAT_COMPLAINANT: KindSpec(
        SubjectKind.COMPLAINANT,
        "complaints by one person about one matter (category) in the window",
        Direction.HIGHER_IS_WORSE,
        {
            "windowDays": ParamSpec("length of the sliding window, in days", 1, 730, default=30),
            "minChannels": ParamSpec("distinct channels the person used", 1, 10, default=2),
        },
        "windowDays",
    ),
    RuleKind.UNIT_SATISFACTION: KindSpec(
        SubjectKind.UNIT,
        "percentage of satisfied callbacks among the unit's last callbacks",
        Direction.LOWER_IS_WORSE,
        {
            "lastCallbacks": ParamSpec("callbacks counted, newest first", 1, 1000, default=20),
            "minCallbacks": ParamSpec("callbacks needed before judging", 1, 1000, default=5),
        },
    ),
    RuleKind.ALERT_NOT_ACCEPTED: KindSpec(
        SubjectKind.ITEM, "hours since the alert, still not accepted", Direction.HIGHER_IS_WORSE
    ),
    RuleKind.NOT_FILED: KindSpec(
        SubjectKind.ITEM,
        "days since acceptance without a decision to file or not",
        Direction.HIGHER_IS_WORSE,
    ),
    RuleKind.FILED_NO_ACTIVITY: KindSpec(
        SubjectKind.ITEM, "days since filing without investigation", Direction.HIGHER_IS_WORSE
    ),
    RuleKind.LONG_INVESTIGATION: KindSpec(
        SubjectKind.ITEM, "days under investigation without conclusion", Direction.HIGHER_IS_WORSE
    ),
    RuleKind.DETENTION_OVERDUE: KindSpec(
        SubjectKind.ITEM,
        "hours past the criminal detention limit, the person still held",
        Direction.HIGHER_IS_WORSE,
    ),
    RuleKind.MEASURE_NEAR_LIMIT: KindSpec(
        SubjectKind.ITEM,
        "days left before the bail or residential surveillance limit",
        Direction.LOWER_IS_WORSE,
    ),
    RuleKind.IMPROPER_WITHDRAWAL: KindSpec(
        SubjectKind.ITEM,
        "days from filing to withdrawal, without a legal review of the withdrawal",
        Direction.LOWER_IS_WORSE,
    ),
    RuleKind.PEER_OUTLIER: KindSpec(
        None,
        "times the average of peers (same unit kind, same period) on the measure",
        Direction.HIGHER_IS_WORSE,
        {
            "subjects": ParamSpec("who is compared", choices=("OFFICER", "UNIT"), default="UNIT"),
            "measure": ParamSpec("what is counted", choices=PEER_MEASURES, default="COMPLAINTS"),
            "periodDays": ParamSpec("length of the period compared, in days", 7, 730, default=90),
            "minCount": ParamSpec("smallest count worth a warning", 1, 10_000, default=3),
        },
        "periodDays",
    ),
}


@dataclass(frozen=True, slots=True)
class ForbiddenIndicator:
    """An indicator evaluation must not use (考评不得以…为指标), with its basis."""

    code: str
    name: str
    aliases: tuple[str, ...]
    basis: str

    def matches(self, text: str) -> bool:
        wanted = _normal(text)
        return any(_normal(n) == wanted for n in (self.code, self.name, *self.aliases))


def _normal(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def check_levels(kind: RuleKind, levels: Mapping[Level | str, float]) -> dict[Level, float]:
    """Thresholds per level, at least one, ordered so that a worse level needs a worse measure."""
    if not levels:
        raise ValidationFailed("a rule needs a threshold for at least one level", field="levels")
    parsed: dict[Level, float] = {}
    for key, value in levels.items():
        try:
            level = Level(key)
        except ValueError:
            raise ValidationFailed(f"unknown level {key!r}", field="levels") from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationFailed(f"threshold of {level} must be a number", field="levels")
        if not math.isfinite(value):
            raise ValidationFailed(f"threshold of {level} must be finite", field="levels")
        parsed[level] = float(value)
    ordered = sorted(parsed, key=lambda lv: lv.rank)
    worse_up = SPECS[kind].direction is Direction.HIGHER_IS_WORSE
    for lower, higher in itertools.pairwise(ordered):
        a, b = parsed[lower], parsed[higher]
        if (worse_up and not a < b) or (not worse_up and not a > b):
            word = "above" if worse_up else "below"
            raise ValidationFailed(
                f"the {higher} threshold must be {word} the {lower} threshold "
                f"({SPECS[kind].measure})",
                field="levels",
            )
    return {level: parsed[level] for level in ordered}


def check_params(
    kind: RuleKind, params: Mapping[str, Any], forbidden: Mapping[str, ForbiddenIndicator]
) -> dict[str, Any]:
    """Known parameters only, each within its range; defaults filled; forbidden indicators refused."""
    for name, value in params.items():
        if isinstance(value, str):
            for indicator in forbidden.values():
                if indicator.matches(value):
                    raise ValidationFailed(
                        f"{indicator.name} ({indicator.code}) is an indicator evaluation must "
                        f"not use ({indicator.basis})",
                        field=f"params.{name}",
                    )
    spec = SPECS[kind]
    unknown = sorted(set(params) - set(spec.params) - {"respondHours"})
    if unknown:
        known = ", ".join(sorted({*spec.params, "respondHours"}))
        raise ValidationFailed(
            f"{kind} rules take no parameter {', '.join(unknown)} (they take {known})",
            field="params",
        )
    checked: dict[str, Any] = {}
    for name, param in {**spec.params, "respondHours": RESPOND}.items():
        checked[name] = param.check(name, params.get(name, param.default))
    return checked


class WarningRule(Aggregate):
    """One configured rule; its version is part of every warning it raises."""

    aggregate_type: ClassVar[str] = "warning_rule"

    def __init__(
        self,
        *,
        id: str,
        version: int,
        kind: RuleKind,
        name: str,
        basis: str,
        params: dict[str, Any],
        levels: dict[Level, float],
        enabled: bool = True,
    ) -> None:
        super().__init__(id=id, version=version)
        self.kind = kind
        self.name = name
        self.basis = basis
        self.params = params
        self.levels = levels
        self.enabled = enabled

    @property
    def code(self) -> str:
        return self.id

    @property
    def spec(self) -> KindSpec:
        return SPECS[self.kind]

    @property
    def subject_kind(self) -> SubjectKind:
        chosen = self.spec.subject
        return chosen if chosen is not None else SubjectKind(self.params["subjects"])

    @property
    def window_days(self) -> int | None:
        name = self.spec.window_param
        return int(self.params[name]) if name else None

    @property
    def respond_hours(self) -> int:
        return int(self.params["respondHours"])

    @property
    def direction(self) -> Direction:
        return self.spec.direction

    def level_for(self, measure: float) -> Level | None:
        """The worst level whose threshold the measure reaches, or None below every threshold."""
        reached: Level | None = None
        for level, threshold in self.levels.items():
            if self.direction is Direction.HIGHER_IS_WORSE:
                hit = measure >= threshold
            else:
                hit = measure <= threshold
            if hit and (reached is None or level.rank > reached.rank):
                reached = level
        return reached

    def threshold_text(self, level: Level) -> str:
        sign = "≥" if self.direction is Direction.HIGHER_IS_WORSE else "≤"
        return f"{self.spec.measure} {sign} {self.levels[level]:g}"

    def snapshot(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "name": self.name,
            "basis": self.basis,
            "params": dict(self.params),
            "levels": {level.value: value for level, value in self.levels.items()},
            "enabled": self.enabled,
        }

    @classmethod
    def define(
        cls,
        *,
        code: str,
        kind: RuleKind,
        name: str,
        basis: str,
        params: Mapping[str, Any],
        levels: Mapping[Level | str, float],
        forbidden: Mapping[str, ForbiddenIndicator],
        at: datetime,
        enabled: bool = True,
    ) -> WarningRule:
        code = code.strip()
        if not code or not code.replace("_", "").replace(".", "").isalnum() or not code.isupper():
            raise ValidationFailed(
                "a rule code is upper-case letters, digits, '_' and '.'", field="code"
            )
        _require(name, "name")
        _require(basis, "basis")
        rule = cls(
            id=code,
            version=0,
            kind=kind,
            name=name.strip(),
            basis=basis.strip(),
            params=check_params(kind, params, forbidden),
            levels=check_levels(kind, levels),
            enabled=enabled,
        )
        rule._change("defined", at=at, mutate=lambda: None)
        return rule

    def change(
        self,
        *,
        at: datetime,
        reason: str,
        forbidden: Mapping[str, ForbiddenIndicator],
        name: str | None = None,
        basis: str | None = None,
        params: Mapping[str, Any] | None = None,
        levels: Mapping[Level | str, float] | None = None,
        enabled: bool | None = None,
    ) -> None:
        _require(reason, "reason")
        new_params = check_params(self.kind, params, forbidden) if params is not None else None
        new_levels = check_levels(self.kind, levels) if levels is not None else None
        if name is not None:
            _require(name, "name")
        if basis is not None:
            _require(basis, "basis")

        after = {
            "name": name.strip() if name is not None else self.name,
            "basis": basis.strip() if basis is not None else self.basis,
            "params": new_params if new_params is not None else self.params,
            "levels": new_levels if new_levels is not None else self.levels,
            "enabled": enabled if enabled is not None else self.enabled,
        }
        if all(getattr(self, key) == value for key, value in after.items()):
            raise ValidationFailed("the change leaves the rule as it was", field="params")

        def mutate() -> None:
            for key, value in after.items():
                setattr(self, key, value)

        self._change("changed", at=at, mutate=mutate, reason=reason.strip())


def _require(value: str, what: str) -> None:
    if not value or not value.strip():
        raise ValidationFailed(f"{what} must not be blank", field=what)
