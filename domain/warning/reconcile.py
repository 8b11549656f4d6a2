"""Reconciliation: from what a rule found now and the warnings already there, what must change.

Evaluation is idempotent: the same findings against the same warnings yield no action, so
re-running a scan, or two evaluators reaching the same subject, changes nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from domain.warning.aggregate import Finding, Warning
from domain.warning.rules import Direction, WarningRule
from domain.warning.status import Level


@dataclass(frozen=True, slots=True)
class Raise:
    finding: Finding
    level: Level


@dataclass(frozen=True, slots=True)
class ChangeLevel:
    warning: Warning
    finding: Finding
    level: Level


@dataclass(frozen=True, slots=True)
class Resolve:
    warning: Warning
    why: str


@dataclass(slots=True)
class Plan:
    raises: list[Raise] = field(default_factory=list)
    changes: list[ChangeLevel] = field(default_factory=list)
    resolves: list[Resolve] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.raises) + len(self.changes) + len(self.resolves)


def reconcile(
    rule: WarningRule,
    findings: Iterable[Finding],
    open_warnings: Iterable[Warning],
    dismissed: Iterable[Warning],
    now: datetime,
) -> Plan:
    """`open_warnings` must be every open warning of `rule` among the subjects evaluated."""
    plan = Plan()
    opened = {(w.subject_key, w.window_key): w for w in open_warnings}
    set_aside: dict[tuple[str, str], list[Warning]] = {}
    for warning in dismissed:
        set_aside.setdefault((warning.subject_key, warning.window_key), []).append(warning)
    seen: set[tuple[str, str]] = set()
    for finding in findings:
        if finding.key in seen:
            continue
        seen.add(finding.key)
        level = rule.level_for(finding.measure) if rule.enabled else None
        existing = opened.get(finding.key)
        if existing is not None:
            if level is None:
                plan.resolves.append(Resolve(existing, _cleared(rule, finding)))
            elif level is not existing.level:
                plan.changes.append(ChangeLevel(existing, finding, level))
            continue
        if level is None:
            continue
        if any(d.suppresses(level, now, rule.window_days) for d in set_aside.get(finding.key, ())):
            continue
        plan.raises.append(Raise(finding, level))
    for key, warning in opened.items():
        if key not in seen:
            why = (
                f"rule {rule.code} is disabled"
                if not rule.enabled
                else f"condition cleared: {rule.spec.measure} no longer reaches a threshold"
            )
            plan.resolves.append(Resolve(warning, why))
    return plan


def _cleared(rule: WarningRule, finding: Finding) -> str:
    if not rule.enabled:
        return f"rule {rule.code} is disabled"
    side = "below" if rule.direction is Direction.HIGHER_IS_WORSE else "above"
    return (
        f"condition cleared: {rule.spec.measure} is {finding.measure:g}, "
        f"{side} every threshold. {finding.details}"
    )


def keys_to_check(
    rule: WarningRule,
    findings: Iterable[Finding],
    open_levels: Mapping[tuple[str, str], Level],
) -> list[tuple[str, str]]:
    """Keys whose warning may change, from the open warnings' levels alone (a cheap first pass).

    A key with a finding at the level its open warning already has needs nothing; every other
    key is locked and reconciled in full. Dismissals are only consulted in that second pass.
    """
    keys: set[tuple[str, str]] = set()
    seen: set[tuple[str, str]] = set()
    for finding in findings:
        seen.add(finding.key)
        level = rule.level_for(finding.measure) if rule.enabled else None
        current = open_levels.get(finding.key)
        if level is not current:
            keys.add(finding.key)
    keys.update(key for key in open_levels if key not in seen)
    return sorted(keys)
