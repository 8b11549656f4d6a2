"""Evaluating warning rules: measure (store.warning_facts), reconcile (domain), write in batches.

Two evaluators may reach the same subject at once (the on-change consumer and a scheduled scan,
or two scans after a lease ran out). Each batch therefore takes a transaction-scoped advisory
lock per (rule, subject, window), re-reads those warnings under the lock and reconciles again, so
the second evaluator sees the first one's commit and does nothing; the unique index on open
warnings is the last guard.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from uuid import uuid4

from domain.actor import SYSTEM_ACTOR, Actor
from domain.warning.aggregate import Finding, Warning
from domain.warning.reconcile import keys_to_check, reconcile
from domain.warning.rules import WarningRule
from service.context import Call, Runtime
from store.warning import WarningRepository
from store.warning_facts import ALL, MEASURES, Scope

BATCH = 250

EVALUATOR = Actor(subject="jiandu-evaluator", role=SYSTEM_ACTOR.role)


@dataclass(slots=True)
class Outcome:
    """What one evaluation changed, for logs and job statistics."""

    findings: int = 0
    raised: int = 0
    changed: int = 0
    resolved: int = 0
    warnings: list[Warning] = field(default_factory=list)

    def add(self, other: Outcome) -> None:
        self.findings += other.findings
        self.raised += other.raised
        self.changed += other.changed
        self.resolved += other.resolved
        self.warnings.extend(other.warnings)

    def as_stats(self) -> dict[str, int]:
        return {
            "findings": self.findings,
            "raised": self.raised,
            "changed": self.changed,
            "resolved": self.resolved,
        }


async def evaluate(
    runtime: Runtime, rule: WarningRule, scope: Scope = ALL, *, request_id: str | None = None
) -> Outcome:
    """Bring the warnings of `rule` for the subjects in `scope` in line with the facts now."""
    now = runtime.clock.now()
    async with runtime.engine.connect() as conn:
        findings = await MEASURES[rule.kind](conn, rule, now, runtime.tz, scope)
        levels = await WarningRepository(conn).open_levels(rule.code, scope)
        await conn.rollback()
    outcome = Outcome(findings=len(findings))
    # A first pass without locks finds what might change; only those keys are locked and redone.
    keys = keys_to_check(rule, findings, levels)
    by_key = {f.key: f for f in findings}
    call = Call(runtime=runtime, actor=EVALUATOR, request_id=request_id)
    for start in range(0, len(keys), BATCH):
        chunk = keys[start : start + BATCH]
        outcome.add(await _apply(call, rule, chunk, [by_key[k] for k in chunk if k in by_key]))
    return outcome


async def _apply(
    call: Call, rule: WarningRule, keys: Sequence[tuple[str, str]], findings: Iterable[Finding]
) -> Outcome:
    now = call.runtime.clock.now()
    outcome = Outcome()
    async with call.unit_of_work() as uow:
        warnings = uow.repository(WarningRepository)
        await warnings.lock_keys(rule.code, keys)
        opened = await warnings.open_for_keys(rule.code, keys)
        dismissed = await warnings.dismissed_for(rule.code, keys)
        plan = reconcile(rule, findings, opened, dismissed, now)
        for r in plan.raises:
            warning = Warning.raise_(
                id=str(uuid4()),
                rule=rule,
                finding=r.finding,
                level=r.level,
                at=now,
                correlation_id=uuid4(),
            )
            warnings.add(warning)
            outcome.warnings.append(warning)
        for c in plan.changes:
            c.warning.change_level(rule=rule, finding=c.finding, level=c.level, at=now)
            outcome.warnings.append(c.warning)
        for s in plan.resolves:
            s.warning.resolve(at=now, why=s.why)
            outcome.warnings.append(s.warning)
        await uow.commit()
    outcome.raised, outcome.changed, outcome.resolved = (
        len(plan.raises),
        len(plan.changes),
        len(plan.resolves),
    )
    return outcome
