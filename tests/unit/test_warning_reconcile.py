"""Reconciliation: findings against the warnings already there; re-running changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import uuid4

from hypothesis import given
from hypothesis import strategies as st

from domain.warning.aggregate import Finding, Warning
from domain.warning.reconcile import ChangeLevel, Plan, Raise, Resolve, reconcile
from domain.warning.rules import RuleKind, WarningRule
from domain.warning.status import OPEN, Level, WarningStatus
from tests.unit.test_warning_aggregate import finding, officer_rule, raised
from tests.unit.test_warning_rules import AT, define

NOW = AT + timedelta(days=3)
KEY = ("officer:P-1", "2026-08-25/2026-11-23")


def plan_of(
    rule: WarningRule,
    findings: Sequence[Finding],
    open_warnings: Sequence[Warning] = (),
    dismissed: Sequence[Warning] = (),
    now: datetime = NOW,
) -> Plan:
    return reconcile(rule, findings, open_warnings, dismissed, now)


def dismissed_warning(
    level: Level, *, at: datetime = AT, subject_key: str = KEY[0], window_key: str = KEY[1]
) -> Warning:
    rule = officer_rule()
    found = finding(rule.levels[level], subject_key=subject_key, window_key=window_key)
    warning = raised(level, rule=rule, found=found)
    warning.dismiss(at=at, reason="explained by a reorganisation")
    return warning


# -- one subject ----------------------------------------------------------------------------------


def test_a_finding_reaching_a_threshold_with_no_open_warning_is_raised():
    rule = officer_rule()
    found = finding(5)

    plan = plan_of(rule, [found])

    assert plan.raises == [Raise(found, Level.ORANGE)]
    assert plan.changes == []
    assert plan.resolves == []
    assert len(plan) == 1


def test_a_finding_below_every_threshold_and_no_warning_is_nothing():
    assert len(plan_of(officer_rule(), [finding(2)])) == 0
    assert len(plan_of(officer_rule(), [])) == 0


def test_the_same_level_is_no_action_even_if_the_measure_moved():
    rule = officer_rule()
    warning = raised(Level.ORANGE, rule=rule)  # measure 5

    assert len(plan_of(rule, [finding(7)], [warning])) == 0


def test_a_different_level_changes_the_warning():
    rule = officer_rule()
    warning = raised(Level.BLUE, rule=rule)
    up, down = finding(8), finding(3)

    assert plan_of(rule, [up], [warning]).changes == [ChangeLevel(warning, up, Level.RED)]

    red = raised(Level.RED, rule=rule)
    plan = plan_of(rule, [down], [red])
    assert plan.changes == [ChangeLevel(red, down, Level.BLUE)]
    assert plan.raises == []
    assert plan.resolves == []


def test_an_open_warning_resolves_when_its_measure_falls_below_every_threshold():
    rule = officer_rule()
    warning = raised(Level.ORANGE, rule=rule)
    found = finding(2, details="complaints C-1, C-2 in 90 days")

    plan = plan_of(rule, [found], [warning])

    [resolve] = plan.resolves
    assert resolve.warning is warning
    assert resolve.why.startswith("condition cleared:")
    assert "is 2, below every threshold" in resolve.why
    assert resolve.why.endswith("complaints C-1, C-2 in 90 days")
    assert plan.raises == []
    assert plan.changes == []


def test_a_lower_is_worse_warning_resolves_when_its_measure_rises_above_every_threshold():
    rule = define(RuleKind.UNIT_SATISFACTION)  # BLUE 85, ORANGE 75, RED 60
    warning = raised(Level.RED, rule=rule, found=finding(50))

    [resolve] = plan_of(rule, [finding(92)], [warning]).resolves

    assert "is 92, above every threshold" in resolve.why
    assert plan_of(rule, [finding(85)], [warning]).changes[0].level is Level.BLUE


def test_an_open_warning_missing_from_the_findings_resolves():
    rule = officer_rule()
    warning = raised(Level.RED, rule=rule)

    plan = plan_of(rule, [], [warning])

    assert plan.resolves == [
        Resolve(
            warning,
            f"condition cleared: {rule.spec.measure} no longer reaches a threshold",
        )
    ]


def test_a_new_window_raises_anew_and_the_old_window_resolves():
    rule = define(RuleKind.DEADLINE)
    old = raised(Level.ORANGE, rule=rule, found=finding(2, window_key="2026-11-30T16:00:00+00:00"))
    renewed = finding(1, window_key="2026-12-30T16:00:00+00:00")  # the clock was extended

    plan = plan_of(rule, [renewed], [old])

    assert plan.raises == [Raise(renewed, Level.BLUE)]
    assert [r.warning for r in plan.resolves] == [old]


def test_many_subjects_each_get_their_own_action():
    rule = officer_rule()
    kept = raised(Level.BLUE, rule=rule, found=finding(3, subject_key="officer:KEPT"))
    changed = raised(Level.BLUE, rule=rule, found=finding(3, subject_key="officer:UP"))
    cleared = raised(Level.BLUE, rule=rule, found=finding(3, subject_key="officer:DOWN"))
    gone = raised(Level.RED, rule=rule, found=finding(9, subject_key="officer:GONE"))
    findings = [
        finding(4, subject_key="officer:KEPT"),
        finding(6, subject_key="officer:UP"),
        finding(1, subject_key="officer:DOWN"),
        finding(8, subject_key="officer:NEW"),
        finding(0, subject_key="officer:QUIET"),
    ]

    plan = plan_of(rule, findings, [kept, changed, cleared, gone])

    assert [(r.finding.subject_key, r.level) for r in plan.raises] == [("officer:NEW", Level.RED)]
    assert [(c.warning, c.level) for c in plan.changes] == [(changed, Level.ORANGE)]
    assert [r.warning for r in plan.resolves] == [cleared, gone]
    assert len(plan) == 4


# -- disabled rules -------------------------------------------------------------------------------


def test_a_disabled_rule_raises_nothing_and_resolves_every_open_warning():
    rule = officer_rule()
    with_finding = raised(Level.BLUE, rule=rule, found=finding(3, subject_key="officer:A"))
    without = raised(Level.RED, rule=rule, found=finding(9, subject_key="officer:B"))
    rule.change(at=AT, reason="paused for review", forbidden={}, enabled=False)
    findings = [finding(8, subject_key="officer:A"), finding(8, subject_key="officer:C")]

    plan = plan_of(rule, findings, [with_finding, without])

    assert plan.raises == []
    assert plan.changes == []
    assert {r.warning.subject_key for r in plan.resolves} == {"officer:A", "officer:B"}
    assert {r.why for r in plan.resolves} == {"rule R1 is disabled"}


# -- dismissals -----------------------------------------------------------------------------------


def test_a_dismissal_suppresses_its_level_and_lower_within_the_window():
    rule = officer_rule()  # window 90 days
    set_aside = dismissed_warning(Level.ORANGE)

    assert len(plan_of(rule, [finding(5)], dismissed=[set_aside])) == 0
    assert len(plan_of(rule, [finding(3)], dismissed=[set_aside])) == 0
    red = finding(8)
    assert plan_of(rule, [red], dismissed=[set_aside]).raises == [Raise(red, Level.RED)]


def test_a_dismissal_lapses_after_the_rules_window():
    rule = officer_rule()
    set_aside = dismissed_warning(Level.ORANGE, at=AT)
    found = finding(5)

    assert len(plan_of(rule, [found], dismissed=[set_aside], now=AT + timedelta(days=89))) == 0
    late = plan_of(rule, [found], dismissed=[set_aside], now=AT + timedelta(days=90))
    assert late.raises == [Raise(found, Level.ORANGE)]


def test_a_dismissal_under_a_rule_without_a_window_holds_for_ever():
    rule = define(RuleKind.NOT_FILED)  # BLUE 7, ORANGE 15, RED 30; no window parameter
    set_aside = dismissed_warning(Level.ORANGE)

    far = AT + timedelta(days=3650)
    assert len(plan_of(rule, [finding(20)], dismissed=[set_aside], now=far)) == 0
    assert plan_of(rule, [finding(30)], dismissed=[set_aside], now=far).raises[0].level is Level.RED


def test_a_dismissal_covers_only_its_own_subject_and_window():
    rule = officer_rule()
    set_aside = dismissed_warning(Level.RED)
    other_subject = finding(5, subject_key="officer:P-2")
    other_window = finding(5, window_key="2026-09-01/2026-11-30")

    plan = plan_of(rule, [other_subject, other_window], dismissed=[set_aside])

    assert [r.finding for r in plan.raises] == [other_subject, other_window]


def test_the_worst_of_several_dismissals_counts():
    rule = officer_rule()
    dismissals = [dismissed_warning(Level.BLUE), dismissed_warning(Level.RED)]

    assert len(plan_of(rule, [finding(9)], dismissed=dismissals)) == 0


def test_an_open_warning_is_re_graded_whatever_was_dismissed_before():
    rule = officer_rule()
    warning = raised(Level.BLUE, rule=rule)
    set_aside = dismissed_warning(Level.RED)

    plan = plan_of(rule, [finding(8)], [warning], [set_aside])

    assert [(c.warning, c.level) for c in plan.changes] == [(warning, Level.RED)]


# -- duplicates -----------------------------------------------------------------------------------


def test_duplicate_findings_for_one_key_are_handled_once():
    rule = officer_rule()
    first, second = finding(5), finding(9)

    assert plan_of(rule, [first, second]).raises == [Raise(first, Level.ORANGE)]

    warning = raised(Level.BLUE, rule=rule)
    plan = plan_of(rule, [first, second, finding(1)], [warning])
    assert plan.changes == [ChangeLevel(warning, first, Level.ORANGE)]
    assert plan.resolves == []


def test_duplicate_findings_below_threshold_resolve_once():
    rule = officer_rule()
    warning = raised(Level.BLUE, rule=rule)

    plan = plan_of(rule, [finding(1), finding(2)], [warning])

    assert [r.warning for r in plan.resolves] == [warning]


# -- idempotence ----------------------------------------------------------------------------------


def apply(rule: WarningRule, plan: Plan, now: datetime) -> list[Warning]:
    """Carry the plan out, as evaluation does; return the warnings it raised."""
    made = []
    for r in plan.raises:
        warning = Warning.raise_(
            id=str(uuid4()),
            rule=rule,
            finding=r.finding,
            level=r.level,
            at=now,
            correlation_id=uuid4(),
        )
        made.append(warning)
    for c in plan.changes:
        c.warning.change_level(rule=rule, finding=c.finding, level=c.level, at=now)
    for s in plan.resolves:
        s.warning.resolve(at=now, why=s.why)
    return made


SUBJECTS = [f"officer:P-{n}" for n in range(5)]
_MEASURES = st.one_of(
    st.sampled_from([0, 2, 3, 4, 5, 8, 60, 75, 85, 100]),
    st.floats(min_value=-10, max_value=110, allow_nan=False),
)


@st.composite
def situations(draw: st.DrawFn) -> tuple[WarningRule, list[Finding], list[Warning], list[Warning]]:
    kind = draw(st.sampled_from([RuleKind.OFFICER_COMPLAINTS, RuleKind.UNIT_SATISFACTION]))
    rule = define(kind, enabled=draw(st.booleans()))
    windows = st.sampled_from(["W1", "W2"])
    findings = [
        finding(
            draw(_MEASURES), subject_key=draw(st.sampled_from(SUBJECTS)), window_key=draw(windows)
        )
        for _ in range(draw(st.integers(0, 8)))
    ]
    open_warnings: dict[tuple[str, str], Warning] = {}
    for _ in range(draw(st.integers(0, 5))):
        key = (draw(st.sampled_from(SUBJECTS)), draw(windows))
        level = draw(st.sampled_from(list(rule.levels)))
        warning = raised(
            level,
            rule=rule,
            found=finding(rule.levels[level], subject_key=key[0], window_key=key[1]),
        )
        status = draw(st.sampled_from(sorted(OPEN)))
        if status is WarningStatus.ACKNOWLEDGED:
            warning.acknowledge(at=AT, by="handler-1")
        elif status is WarningStatus.ESCALATED:
            warning.escalate(at=AT, review_id="REV-1")
        open_warnings[key] = warning  # at most one open warning per key, as the index holds
    set_aside = []
    for _ in range(draw(st.integers(0, 3))):
        level = draw(st.sampled_from(list(rule.levels)))
        days_ago = draw(st.integers(0, 200))
        found = finding(
            rule.levels[level],
            subject_key=draw(st.sampled_from(SUBJECTS)),
            window_key=draw(windows),
        )
        warning = raised(level, rule=rule, found=found, at=NOW - timedelta(days=days_ago, hours=1))
        warning.dismiss(at=NOW - timedelta(days=days_ago), reason="set aside")
        set_aside.append(warning)
    return rule, findings, list(open_warnings.values()), set_aside


def _keys(plan: Plan) -> list[tuple[str, str]]:
    return (
        [r.finding.key for r in plan.raises]
        + [(c.warning.subject_key, c.warning.window_key) for c in plan.changes]
        + [(r.warning.subject_key, r.warning.window_key) for r in plan.resolves]
    )


@given(situations())
def test_reconciling_again_after_applying_the_plan_changes_nothing(situation):
    rule, findings, open_warnings, set_aside = situation

    plan = plan_of(rule, findings, open_warnings, set_aside)
    made = apply(rule, plan, NOW)
    still_open = [w for w in [*open_warnings, *made] if w.is_open]

    again = plan_of(rule, findings, still_open, set_aside)
    assert len(again) == 0, again
    # And a third time, a little later, still nothing (nothing in the plan depends on the hour).
    assert len(plan_of(rule, findings, still_open, set_aside, now=NOW + timedelta(minutes=1))) == 0


@given(situations())
def test_a_plan_touches_each_key_at_most_once_and_leaves_the_right_warnings_open(situation):
    rule, findings, open_warnings, set_aside = situation

    plan = plan_of(rule, findings, open_warnings, set_aside)
    keys = _keys(plan)
    assert len(keys) == len(set(keys))

    made = apply(rule, plan, NOW)
    open_now = {(w.subject_key, w.window_key): w for w in [*open_warnings, *made] if w.is_open}
    first: dict[tuple[str, str], Finding] = {}
    for f in findings:
        first.setdefault(f.key, f)
    for key, warning in open_now.items():
        assert rule.enabled
        assert key in first
        assert warning.level is rule.level_for(first[key].measure)
    if not rule.enabled:
        assert plan.raises == []
        assert plan.changes == []
        assert len(plan.resolves) == len(open_warnings)
    for r in plan.raises:
        assert r.level is rule.level_for(r.finding.measure)
        same_key = [d for d in set_aside if (d.subject_key, d.window_key) == r.finding.key]
        assert not any(d.suppresses(r.level, NOW, rule.window_days) for d in same_key)
