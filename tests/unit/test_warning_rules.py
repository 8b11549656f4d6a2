"""Warning rules as data: defining and changing them, parameters, levels, forbidden indicators."""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import ValidationFailed
from domain.warning.rules import (
    PEER_MEASURES,
    SPECS,
    Direction,
    ForbiddenIndicator,
    RuleKind,
    WarningRule,
    check_levels,
)
from domain.warning.status import Level, SubjectKind

AT = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
CASE_COUNT = ForbiddenIndicator("CASE_COUNT", "案件数", ("case count", "cases"), "basis")
FORBIDDEN: dict[str, ForbiddenIndicator] = {
    CASE_COUNT.code: CASE_COUNT,
    "FINES": ForbiddenIndicator(
        "FINES", "罚没款数额", ("fines", "fine amount"), "考评不得以罚没为指标"
    ),
}
RULES_FILE = Path(__file__).resolve().parents[2] / "reference" / "warning-rules.json"

# Parameters and thresholds like the shipped defaults (reference/warning-rules.json), per kind.
DEFAULTS: dict[RuleKind, tuple[dict[str, Any], dict[Level | str, float]]] = {
    RuleKind.DEADLINE: ({"respondHours": 24}, {"BLUE": 1, "ORANGE": 2, "RED": 3}),
    RuleKind.OFFICER_COMPLAINTS: ({"windowDays": 90}, {"BLUE": 3, "ORANGE": 5, "RED": 8}),
    RuleKind.UNIT_COMPLAINTS: ({"windowDays": 90}, {"BLUE": 5, "ORANGE": 8, "RED": 12}),
    RuleKind.REPEAT_COMPLAINANT: (
        {"windowDays": 30, "minChannels": 2},
        {"BLUE": 2, "ORANGE": 3, "RED": 5},
    ),
    RuleKind.UNIT_SATISFACTION: (
        {"lastCallbacks": 20, "minCallbacks": 5},
        {"BLUE": 85, "ORANGE": 75, "RED": 60},
    ),
    RuleKind.ALERT_NOT_ACCEPTED: ({}, {"BLUE": 24, "ORANGE": 48, "RED": 72}),
    RuleKind.NOT_FILED: ({}, {"BLUE": 7, "ORANGE": 15, "RED": 30}),
    RuleKind.FILED_NO_ACTIVITY: ({}, {"BLUE": 7, "ORANGE": 15, "RED": 30}),
    RuleKind.LONG_INVESTIGATION: ({}, {"BLUE": 180, "ORANGE": 270, "RED": 365}),
    RuleKind.DETENTION_OVERDUE: ({"respondHours": 4}, {"ORANGE": -12, "RED": 0}),
    RuleKind.MEASURE_NEAR_LIMIT: ({}, {"BLUE": 30, "ORANGE": 14, "RED": 7}),
    RuleKind.IMPROPER_WITHDRAWAL: ({}, {"BLUE": 60, "ORANGE": 30, "RED": 7}),
    RuleKind.PEER_OUTLIER: (
        {"subjects": "UNIT", "measure": "COMPLAINTS", "periodDays": 90, "minCount": 3},
        {"BLUE": 2, "ORANGE": 3, "RED": 4},
    ),
}
HIGHER_KINDS = [k for k in RuleKind if SPECS[k].direction is Direction.HIGHER_IS_WORSE]
LOWER_KINDS = [k for k in RuleKind if SPECS[k].direction is Direction.LOWER_IS_WORSE]
NUMERIC_PARAMS = [
    (kind, name)
    for kind in RuleKind
    for name, spec in {**SPECS[kind].params, "respondHours": None}.items()
    if spec is None or spec.choices is None
]


def define(
    kind: RuleKind = RuleKind.OFFICER_COMPLAINTS,
    *,
    code: str = "R1",
    params: Mapping[str, Any] | None = None,
    levels: Mapping[Level | str, float] | None = None,
    enabled: bool = True,
    name: str = "Repeated complaints",
    basis: str = "local rule",
) -> WarningRule:
    default_params, default_levels = DEFAULTS[kind]
    return WarningRule.define(
        code=code,
        kind=kind,
        name=name,
        basis=basis,
        params=default_params if params is None else params,
        levels=default_levels if levels is None else levels,
        forbidden=FORBIDDEN,
        at=AT,
        enabled=enabled,
    )


def refused(kind: RuleKind = RuleKind.OFFICER_COMPLAINTS, **kwargs: Any) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        define(kind, **kwargs)
    return caught.value


# -- define: every kind ---------------------------------------------------------------------------


def test_the_table_covers_every_kind():
    assert set(DEFAULTS) == set(RuleKind) == set(SPECS)


@pytest.mark.parametrize("kind", list(RuleKind))
def test_every_kind_defines_with_its_default_like_params_and_levels(kind):
    params, levels = DEFAULTS[kind]
    rule = define(kind, code=f"{kind.value}.X")

    assert rule.code == rule.id == f"{kind.value}.X"
    assert rule.version == 1
    assert rule.kind is kind
    assert rule.enabled
    assert set(rule.params) == {*SPECS[kind].params, "respondHours"}
    for name, value in params.items():
        assert rule.params[name] == value
    assert rule.levels == {Level(k): float(v) for k, v in levels.items()}
    assert list(rule.levels) == sorted(rule.levels, key=lambda lv: lv.rank)
    assert rule.direction is SPECS[kind].direction
    expected_subject = SPECS[kind].subject or SubjectKind(params["subjects"])
    assert rule.subject_kind is expected_subject
    window = SPECS[kind].window_param
    assert rule.window_days == (rule.params[window] if window else None)

    [event] = rule.collect_events()
    assert event.event_type == "warning_rule.defined"
    assert event.aggregate_type == "warning_rule"
    assert event.aggregate_id == rule.code
    assert event.aggregate_version == 1
    assert event.occurred_at == AT
    assert event.changes["kind"] == {"before": None, "after": kind.value}
    assert event.changes["levels"]["after"] == {lv.value: v for lv, v in rule.levels.items()}


@pytest.mark.parametrize("kind", list(RuleKind))
def test_missing_params_take_their_defaults(kind):
    rule = define(kind, params={})

    expected = {name: spec.default for name, spec in SPECS[kind].params.items()}
    assert rule.params == {**expected, "respondHours": 72}
    assert rule.respond_hours == 72


def test_the_shipped_default_rules_all_define():
    shipped = json.loads(RULES_FILE.read_text(encoding="utf-8"))["rules"]
    assert {RuleKind(r["kind"]) for r in shipped} == set(RuleKind)
    for r in shipped:
        rule = WarningRule.define(
            code=r["code"],
            kind=RuleKind(r["kind"]),
            name=r["name"],
            basis=r["basis"],
            params=r["params"],
            levels=r["levels"],
            forbidden=FORBIDDEN,
            at=AT,
        )
        assert rule.code == r["code"]


def test_respond_hours_is_taken_by_every_kind_and_whole_floats_become_ints():
    rule = define(params={"windowDays": 30.0, "respondHours": 12})

    assert rule.params == {"windowDays": 30, "respondHours": 12}
    assert isinstance(rule.params["windowDays"], int)
    assert rule.window_days == 30
    assert rule.respond_hours == 12


def test_a_rule_may_be_defined_disabled():
    rule = define(enabled=False)

    assert not rule.enabled
    assert rule.snapshot()["enabled"] is False


def test_snapshot_is_json_ready():
    rule = define(RuleKind.PEER_OUTLIER)

    snap = rule.snapshot()
    assert json.loads(json.dumps(snap)) == snap
    assert snap["levels"] == {"BLUE": 2.0, "ORANGE": 3.0, "RED": 4.0}
    assert snap["kind"] == "PEER_OUTLIER"


# -- define: parameters -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(RuleKind))
def test_unknown_params_are_refused_naming_them(kind):
    params = {**DEFAULTS[kind][0], "threshold": 3, "bogus": 1}
    error = refused(kind, params=params)

    assert error.field == "params"
    assert "bogus, threshold" in error.message
    assert "respondHours" in error.message  # the message lists what the kind does take


def test_a_window_param_is_unknown_to_a_kind_without_a_window():
    error = refused(RuleKind.NOT_FILED, params={"windowDays": 30})
    assert "windowDays" in error.message


@pytest.mark.parametrize(("kind", "name"), NUMERIC_PARAMS)
def test_numeric_params_out_of_range_are_refused(kind, name):
    spec = SPECS[kind].params.get(name)
    low, high = (1, 24 * 30) if spec is None else (spec.minimum, spec.maximum)
    assert low is not None
    assert high is not None
    base = DEFAULTS[kind][0]

    below = refused(kind, params={**base, name: low - 1})
    above = refused(kind, params={**base, name: high + 1})

    assert below.field == above.field == f"params.{name}"
    assert f"at least {low:g}" in below.message
    assert f"at most {high:g}" in above.message
    # The bounds themselves are accepted.
    assert define(kind, params={**base, name: low}).params[name] == low
    assert define(kind, params={**base, name: high}).params[name] == high


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (2.5, "whole number"),
        (True, "must be a number"),
        ("30", "must be a number"),
        (None, "must be a number"),
        (float("nan"), "finite"),
        (float("inf"), "finite"),
        (float("-inf"), "finite"),
    ],
)
def test_numeric_params_must_be_whole_finite_numbers(value, words):
    error = refused(params={"windowDays": value})

    assert error.field == "params.windowDays"
    assert words in error.message


@pytest.mark.parametrize("subjects", ["OFFICER", "UNIT"])
@pytest.mark.parametrize("measure", PEER_MEASURES)
def test_peer_outlier_takes_each_choice(subjects, measure):
    params = {**DEFAULTS[RuleKind.PEER_OUTLIER][0], "subjects": subjects, "measure": measure}
    rule = define(RuleKind.PEER_OUTLIER, params=params)

    assert rule.subject_kind is SubjectKind(subjects)
    assert rule.params["measure"] == measure
    assert rule.window_days == 90


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("subjects", "TEAM"),
        ("subjects", "unit"),  # choices are exact
        ("subjects", 1),
        ("measure", "CLEARANCE"),
        ("measure", None),
    ],
)
def test_peer_outlier_refuses_other_choices(name, value):
    params = {**DEFAULTS[RuleKind.PEER_OUTLIER][0], name: value}
    error = refused(RuleKind.PEER_OUTLIER, params=params)

    assert error.field == f"params.{name}"
    assert "must be one of" in error.message


# -- define: forbidden indicators -----------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "案件数",
        "CASE_COUNT",
        "case_count",
        "Case Count",
        "case-count!",
        "ＣＡＳＥ＿ＣＯＵＮＴ",
        "Cases",
    ],
)
def test_a_forbidden_indicator_given_as_a_param_value_is_refused_by_name(value):
    params = {**DEFAULTS[RuleKind.PEER_OUTLIER][0], "measure": value}
    error = refused(RuleKind.PEER_OUTLIER, params=params)

    assert error.field == "params.measure"
    assert "案件数" in error.message
    assert "CASE_COUNT" in error.message
    assert "basis" in error.message


def test_a_forbidden_indicator_is_refused_whatever_the_kind_or_param():
    # Even a parameter the kind does not take is checked for forbidden indicators first.
    error = refused(RuleKind.NOT_FILED, params={"indicator": "fine amount"})

    assert error.field == "params.indicator"
    assert "罚没款数额" in error.message
    assert "FINES" in error.message


@pytest.mark.parametrize("text", ["case", "casecounts", "count", "COMPLAINTS", ""])
def test_only_the_indicator_itself_matches(text):
    assert not CASE_COUNT.matches(text)


_SEPARATORS = st.text(alphabet=" _-./·、（）()!", max_size=3)


@given(
    spelling=st.sampled_from(["CASE_COUNT", "案件数", "case count", "cases"]),
    data=st.data(),
)
def test_matching_ignores_case_width_spaces_and_punctuation(spelling, data):
    chars = [c for c in spelling if c.isalnum()]
    noisy = "".join(
        data.draw(_SEPARATORS) + (c.upper() if data.draw(st.booleans()) else c.lower())
        for c in chars
    ) + data.draw(_SEPARATORS)

    assert CASE_COUNT.matches(noisy)


# -- define: levels -------------------------------------------------------------------------------


def test_at_least_one_level_is_required():
    error = refused(levels={})
    assert error.field == "levels"
    assert "at least one level" in error.message


@pytest.mark.parametrize("key", ["PURPLE", "blue", "Red", ""])
def test_unknown_level_names_are_refused(key):
    error = refused(levels={"BLUE": 3, key: 5})
    assert error.field == "levels"
    assert "unknown level" in error.message


@pytest.mark.parametrize("value", ["3", None, True, float("nan"), float("inf")])
def test_a_threshold_must_be_a_finite_number(value):
    error = refused(levels={"BLUE": value})
    assert error.field == "levels"


@pytest.mark.parametrize("kind", HIGHER_KINDS)
@pytest.mark.parametrize(
    "levels",
    [
        {"BLUE": 5, "ORANGE": 3},
        {"BLUE": 5, "ORANGE": 5},
        {"ORANGE": 8, "RED": 5},
        {"BLUE": 1, "ORANGE": 9, "RED": 8},
        {"BLUE": 9, "RED": 8},
    ],
)
def test_higher_is_worse_levels_must_rise(kind, levels):
    error = refused(kind, levels=levels)
    assert error.field == "levels"
    assert "must be above" in error.message


@pytest.mark.parametrize("kind", LOWER_KINDS)
@pytest.mark.parametrize(
    "levels",
    [
        {"BLUE": 60, "ORANGE": 75},
        {"BLUE": 60, "ORANGE": 60},
        {"ORANGE": 7, "RED": 14},
        {"BLUE": 90, "ORANGE": 50, "RED": 70},
        {"BLUE": 10, "RED": 20},
    ],
)
def test_lower_is_worse_levels_must_fall(kind, levels):
    error = refused(kind, levels=levels)
    assert error.field == "levels"
    assert "must be below" in error.message


def test_levels_may_skip_a_colour_and_come_in_any_order():
    rule = define(levels={Level.RED: 10, "BLUE": 2})

    assert list(rule.levels) == [Level.BLUE, Level.RED]
    assert rule.levels == {Level.BLUE: 2.0, Level.RED: 10.0}
    assert define(levels={"ORANGE": 4}).levels == {Level.ORANGE: 4.0}


_THRESHOLDS = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(
    kind=st.sampled_from([RuleKind.OFFICER_COMPLAINTS, RuleKind.UNIT_SATISFACTION]),
    levels=st.dictionaries(st.sampled_from(list(Level)), _THRESHOLDS, min_size=1),
)
def test_levels_are_accepted_exactly_when_strictly_ordered(kind, levels):
    ranked = [levels[lv] for lv in sorted(levels, key=lambda lv: lv.rank)]
    pairs = list(itertools.pairwise(ranked))
    if SPECS[kind].direction is Direction.HIGHER_IS_WORSE:
        ordered = all(a < b for a, b in pairs)
    else:
        ordered = all(a > b for a, b in pairs)
    typed: dict[Level | str, float] = dict(levels)

    if ordered:
        assert check_levels(kind, typed) == {
            lv: levels[lv] for lv in sorted(levels, key=lambda x: x.rank)
        }
    else:
        with pytest.raises(ValidationFailed):
            check_levels(kind, typed)


# -- define: code, name, basis -------------------------------------------------------------------


@pytest.mark.parametrize("code", ["R1", "DEADLINE", "PEER_OUTLIER.UNIT", "A.B_C.1"])
def test_valid_codes(code):
    assert define(code=code).code == code


def test_the_code_is_stripped():
    assert define(code="  R1 ").code == "R1"


@pytest.mark.parametrize("code", ["", "   ", "r1", "Rule1", "R-1", "R 1", "_", ".", "规则", "R1!"])
def test_invalid_codes_are_refused(code):
    error = refused(code=code)
    assert error.field == "code"


@pytest.mark.parametrize("what", ["name", "basis"])
@pytest.mark.parametrize("blank", ["", "  \t"])
def test_name_and_basis_must_not_be_blank(what, blank):
    error = refused(**{what: blank})
    assert error.field == what


def test_name_and_basis_are_stripped():
    rule = define(name="  Repeated  ", basis=" local rule ")
    assert (rule.name, rule.basis) == ("Repeated", "local rule")


# -- level_for ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        (-1, None),
        (0, None),
        (2.999, None),
        (3, Level.BLUE),
        (4.5, Level.BLUE),
        (5, Level.ORANGE),
        (7.99, Level.ORANGE),
        (8, Level.RED),
        (1000, Level.RED),
    ],
)
def test_level_for_when_higher_is_worse(measure, expected):
    assert define(RuleKind.OFFICER_COMPLAINTS).level_for(measure) is expected


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        (100, None),
        (85.01, None),
        (85, Level.BLUE),
        (80, Level.BLUE),
        (75, Level.ORANGE),
        (60.5, Level.ORANGE),
        (60, Level.RED),
        (0, Level.RED),
    ],
)
def test_level_for_when_lower_is_worse(measure, expected):
    assert define(RuleKind.UNIT_SATISFACTION).level_for(measure) is expected


def test_level_for_with_negative_thresholds_and_a_missing_colour():
    rule = define(RuleKind.DETENTION_OVERDUE)  # ORANGE -12, RED 0: no blue

    assert rule.level_for(-12.5) is None
    assert rule.level_for(-12) is Level.ORANGE
    assert rule.level_for(-0.5) is Level.ORANGE
    assert rule.level_for(0) is Level.RED
    assert rule.level_for(30) is Level.RED


def test_level_for_with_only_a_red_threshold():
    rule = define(levels={"RED": 10})
    assert rule.level_for(9.99) is None
    assert rule.level_for(10) is Level.RED


def test_level_for_of_a_nan_measure_is_none():
    assert define().level_for(float("nan")) is None


def test_a_disabled_rule_still_grades_its_measure():
    # Grading is pure; reconciliation is what turns a disabled rule's warnings off.
    rule = define(enabled=False)
    assert rule.level_for(8) is Level.RED
    assert rule.level_for(1) is None


def test_threshold_text_shows_the_direction():
    assert define().threshold_text(Level.ORANGE).endswith("≥ 5")
    assert define(RuleKind.UNIT_SATISFACTION).threshold_text(Level.RED).endswith("≤ 60")
    text = define(RuleKind.DEADLINE).threshold_text(Level.BLUE)
    assert text == f"{SPECS[RuleKind.DEADLINE].measure} ≥ 1"


@st.composite
def graded_rules(draw: st.DrawFn) -> WarningRule:
    kind = draw(st.sampled_from([RuleKind.OFFICER_COMPLAINTS, RuleKind.UNIT_SATISFACTION]))
    chosen = draw(st.lists(st.sampled_from(list(Level)), min_size=1, max_size=3, unique=True))
    chosen.sort(key=lambda lv: lv.rank)
    values = draw(st.lists(_THRESHOLDS, min_size=len(chosen), max_size=len(chosen), unique=True))
    values.sort(reverse=SPECS[kind].direction is Direction.LOWER_IS_WORSE)
    levels: dict[Level | str, float] = dict(zip(chosen, values, strict=True))
    return define(kind, levels=levels)


def _rank(level: Level | None) -> int:
    return 0 if level is None else level.rank


@given(rule=graded_rules(), data=st.data())
def test_level_for_is_monotone_in_the_measure(rule, data):
    measures = st.one_of(st.sampled_from(list(rule.levels.values())), _THRESHOLDS)
    a, b = sorted([data.draw(measures), data.draw(measures)])

    if rule.direction is Direction.HIGHER_IS_WORSE:
        assert _rank(rule.level_for(a)) <= _rank(rule.level_for(b))
    else:
        assert _rank(rule.level_for(a)) >= _rank(rule.level_for(b))


@given(rule=graded_rules(), measure=_THRESHOLDS)
def test_level_for_is_the_worst_level_reached(rule, measure):
    def reaches(threshold: float) -> bool:
        if rule.direction is Direction.HIGHER_IS_WORSE:
            return measure >= threshold
        return measure <= threshold

    reached = [lv for lv, threshold in rule.levels.items() if reaches(threshold)]
    assert rule.level_for(measure) == max(reached, key=lambda lv: lv.rank, default=None)


@given(rule=graded_rules())
def test_a_measure_equal_to_a_threshold_reaches_that_level(rule):
    for level, threshold in rule.levels.items():
        assert rule.level_for(threshold) is level


# -- change ---------------------------------------------------------------------------------------


def defined(kind: RuleKind = RuleKind.OFFICER_COMPLAINTS) -> WarningRule:
    rule = define(kind)
    rule.collect_events()
    return rule


LATER = AT + timedelta(days=1)


def change(rule: WarningRule, **kwargs: Any) -> None:
    rule.change(at=LATER, forbidden=FORBIDDEN, **{"reason": "local practice", **kwargs})


def test_changing_levels_records_one_event_with_reason_and_before_after():
    rule = defined()

    change(rule, reason="  thresholds agreed at the monthly meeting ", levels={"BLUE": 2, "RED": 6})

    assert rule.version == 2
    assert rule.levels == {Level.BLUE: 2.0, Level.RED: 6.0}
    [event] = rule.collect_events()
    assert event.event_type == "warning_rule.changed"
    assert event.aggregate_version == 2
    assert event.occurred_at == LATER
    assert event.reason == "thresholds agreed at the monthly meeting"
    assert event.changes == {
        "levels": {
            "before": {"BLUE": 3.0, "ORANGE": 5.0, "RED": 8.0},
            "after": {"BLUE": 2.0, "RED": 6.0},
        }
    }


def test_changed_params_are_the_whole_object_with_defaults_filled():
    rule = define(params={"windowDays": 90, "respondHours": 24})
    rule.collect_events()

    change(rule, params={"windowDays": 30})

    assert rule.params == {"windowDays": 30, "respondHours": 72}  # omitted: back to default
    assert rule.window_days == 30
    [event] = rule.collect_events()
    assert event.changes == {
        "params": {
            "before": {"windowDays": 90, "respondHours": 24},
            "after": {"windowDays": 30, "respondHours": 72},
        }
    }


def test_changing_name_basis_and_enabled_together_is_one_event():
    rule = defined()

    change(rule, name=" New name ", basis="new basis", enabled=False)

    assert (rule.name, rule.basis, rule.enabled) == ("New name", "new basis", False)
    [event] = rule.collect_events()
    assert set(event.changes) == {"name", "basis", "enabled"}
    assert event.changes["enabled"] == {"before": True, "after": False}


def test_disabling_then_enabling_are_two_changes():
    rule = defined()
    change(rule, enabled=False)
    change(rule, enabled=True)

    assert rule.enabled
    assert rule.version == 3
    assert [e.event_type for e in rule.collect_events()] == ["warning_rule.changed"] * 2


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"name": "Repeated complaints"},
        {"name": "  Repeated complaints  "},
        {"basis": "local rule"},
        {"enabled": True},
        {"params": {"windowDays": 90}},
        {"params": {"windowDays": 90.0, "respondHours": 72}},
        {"levels": {"RED": 8, "ORANGE": 5, "BLUE": 3}},
        {"levels": {Level.BLUE: 3.0, Level.ORANGE: 5.0, Level.RED: 8.0}},
    ],
)
def test_a_change_that_changes_nothing_is_refused_and_records_nothing(kwargs):
    rule = defined()

    with pytest.raises(ValidationFailed, match="leaves the rule as it was"):
        change(rule, **kwargs)

    assert rule.version == 1
    assert rule.collect_events() == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"reason": "", "enabled": False}, "reason"),
        ({"reason": "   ", "enabled": False}, "reason"),
        ({"name": " "}, "name"),
        ({"basis": ""}, "basis"),
        ({"params": {"windowDays": 0}}, "params.windowDays"),
        ({"params": {"windowDays": 90, "bogus": 1}}, "params"),
        ({"levels": {"BLUE": 8, "RED": 3}}, "levels"),
        ({"levels": {}}, "levels"),
        ({"levels": {"GREEN": 1}}, "levels"),
    ],
)
def test_an_invalid_change_is_refused_and_leaves_the_rule_alone(kwargs, field):
    rule = defined()
    before = rule.snapshot()

    with pytest.raises(ValidationFailed) as caught:
        change(rule, **kwargs)

    assert caught.value.field == field
    assert rule.snapshot() == before
    assert rule.version == 1
    assert rule.collect_events() == []


@pytest.mark.parametrize("value", ["案件数", "case_count", "CASES"])
def test_a_change_to_a_forbidden_indicator_is_refused_by_name(value):
    rule = defined(RuleKind.PEER_OUTLIER)
    params = {**rule.params, "measure": value}

    with pytest.raises(ValidationFailed, match="案件数") as caught:
        change(rule, params=params)

    assert "CASE_COUNT" in caught.value.message
    assert rule.params["measure"] == "COMPLAINTS"
    assert rule.collect_events() == []


def test_a_change_of_levels_checks_the_kinds_direction():
    rule = defined(RuleKind.UNIT_SATISFACTION)

    with pytest.raises(ValidationFailed, match="must be below"):
        change(rule, levels={"BLUE": 60, "RED": 85})
    change(rule, levels={"BLUE": 90, "RED": 50})

    assert rule.level_for(70) is Level.BLUE
    assert rule.level_for(50) is Level.RED
