"""On-change evaluation: read the audit log after the cursor, evaluate what those events touch.

Positions are gap-free and in commit order (decision 0003), so reading `position > cursor` never
skips a commit, and a rule evaluated here sees every transaction up to the events it reads: counts
that span concurrent transactions come out right, which a rule evaluated inside one transaction
could not do. The cursor moves only after the evaluation commits; a crash in between repeats the
evaluation, which changes nothing the second time (reconciliation is idempotent).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import text

from domain.warning.aggregate import ItemRef
from domain.warning.rules import RuleKind, WarningRule
from service.context import Runtime
from service.evaluation import Outcome, evaluate
from store.warning import load_rules
from store.warning_facts import Scope, complaint_subjects, withdrawal_cases
from worker.jobs import run_soon

CURSOR = "on-change"
CLOCKED = ("complaint", "case", "petition", "review", "accountability")
CASE_KINDS = frozenset(
    {
        RuleKind.ALERT_NOT_ACCEPTED,
        RuleKind.NOT_FILED,
        RuleKind.FILED_NO_ACTIVITY,
        RuleKind.LONG_INVESTIGATION,
        RuleKind.DETENTION_OVERDUE,
        RuleKind.MEASURE_NEAR_LIMIT,
    }
)
COMPLAINT_SUBJECTS = {
    RuleKind.OFFICER_COMPLAINTS: "officer",
    RuleKind.UNIT_COMPLAINTS: "unit",
    RuleKind.REPEAT_COMPLAINANT: "complainant",
    RuleKind.UNIT_SATISFACTION: "handling",
}


@dataclass(slots=True)
class Consumed:
    events: int
    position: int
    outcome: Outcome


async def consume(runtime: Runtime, *, limit: int = 1000) -> Consumed:
    """Evaluate the events after the cursor (at most `limit`), then move the cursor past them."""
    async with runtime.engine.connect() as conn:
        start = await conn.scalar(
            text("SELECT position FROM warning_cursor WHERE name = :n"), {"n": CURSOR}
        )
        rows = list(
            await conn.execute(
                text(
                    "SELECT position, aggregate_type, aggregate_id FROM audit_event "
                    "WHERE position > :p ORDER BY position LIMIT :limit"
                ),
                {"p": start, "limit": limit},
            )
        )
        rules = await load_rules(conn)
        await conn.rollback()
    outcome = Outcome()
    if not rows:
        return Consumed(0, int(start or 0), outcome)
    touched: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        touched[row.aggregate_type].add(row.aggregate_id)
    changed_rules = touched.pop("warning_rule", set())
    touched.pop("warning", None)
    scopes = await _scopes(runtime, rules, touched)
    for rule in rules:
        scope = scopes.get(rule.code)
        if scope is not None:
            outcome.add(await evaluate(runtime, rule, scope))
    last = rows[-1].position
    async with runtime.engine.begin() as conn:
        for code in sorted(changed_rules):
            await run_soon(conn, code, runtime.clock.now())
        await conn.execute(
            text(
                "UPDATE warning_cursor SET position = :last, updated_at = now() "
                "WHERE name = :n AND position < :last"
            ),
            {"last": last, "n": CURSOR},
        )
    return Consumed(len(rows), last, outcome)


async def _scopes(
    runtime: Runtime, rules: list[WarningRule], touched: dict[str, set[str]]
) -> dict[str, Scope]:
    items = sorted(
        (ItemRef(kind, i) for kind in CLOCKED for i in touched.get(kind, ())),
        key=lambda r: (r.type, r.id),
    )
    cases = [r for r in items if r.type == "case"]
    async with runtime.engine.connect() as conn:
        subjects = await complaint_subjects(conn, sorted(touched.get("complaint", ())))
        withdrawn = await withdrawal_cases(conn, sorted(touched.get("review", ())))
        await conn.rollback()
    scopes: dict[str, Scope] = {}
    for rule in rules:
        if rule.kind is RuleKind.DEADLINE and items:
            scopes[rule.code] = Scope(items=items)
        elif rule.kind in CASE_KINDS and cases:
            scopes[rule.code] = Scope(items=cases)
        elif rule.kind is RuleKind.IMPROPER_WITHDRAWAL:
            also = [ItemRef("case", i) for i in withdrawn]
            if cases or also:
                scopes[rule.code] = Scope(items=sorted({*cases, *also}, key=lambda r: r.id))
        elif rule.kind in COMPLAINT_SUBJECTS:
            keys = subjects[COMPLAINT_SUBJECTS[rule.kind]]
            if keys:
                scopes[rule.code] = Scope(subject_keys=keys)
        # Peer comparison is over whole periods and peer groups: scheduled scans only.
    return scopes
