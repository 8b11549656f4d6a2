"""Warnings over HTTP: raised from real data by evaluation, read, filtered and paged, acknowledged,
dismissed and escalated into a review; warning rules listed, defined and changed; unit scope."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from api.relay import to_global_id
from domain.actor import Role
from domain.clock import MovableClock
from domain.complaint.aggregate import Complaint
from service import evaluation
from service.context import Runtime
from store.warning import load_rules
from tests.api.support import assert_no_traceback, gid, routed

pytestmark = pytest.mark.db

LOCAL = ZoneInfo("Asia/Shanghai")
SUPERVISOR = {"role": Role.SUPERVISOR, "sub": "supervisor-li"}
ERRORS = ["ValidationError", "NotFoundError", "ConflictError", "ForbiddenError"]
DEFAULT_RULES = {
    "DEADLINE",
    "OFFICER_COMPLAINTS",
    "UNIT_COMPLAINTS",
    "REPEAT_COMPLAINANT",
    "UNIT_SATISFACTION",
    "ALERT_NOT_ACCEPTED",
    "NOT_FILED",
    "FILED_NO_ACTIVITY",
    "LONG_INVESTIGATION",
    "DETENTION_OVERDUE",
    "MEASURE_NEAR_LIMIT",
    "IMPROPER_WITHDRAWAL",
    "PEER_OUTLIER_UNIT",
    "PEER_OUTLIER_OFFICER",
}

WARNING_FIELDS = """
  id version ruleVersion subjectKind subjectKey subjectLabel window level status open measure
  explanation correlationId raisedAt dueBy levelChangedAt acknowledgedAt acknowledgedBy
  acknowledgement dismissedAt dismissalReason escalatedAt resolvedAt resolution
  rule { code kind version }
  unit { code }
  item { __typename id }
  review { id }
  facts {
    measure measureName threshold window details dueAt clockBasis
    levels { level threshold }
    items { type id node { __typename id } }
  }
"""
ONE = "query One($id: ID!) { warning(id: $id) { " + WARNING_FIELDS + " } }"
NODE = "query Node($id: ID!) { node(id: $id) { __typename id ... on Warning { level } } }"
LIST = """
query List($first: Int, $after: String, $filter: WarningFilter) {
  warnings(first: $first, after: $after, filter: $filter) {
    edges { cursor node { id level status raisedAt unit { code } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
HISTORY = """
query History($id: ID!) {
  warning(id: $id) {
    history { edges { node { eventType aggregateVersion reason actor { subject role } } } }
  }
}
"""
OUTCOME = """
  __typename
  ... on Warning { id version status acknowledgedBy acknowledgement dismissalReason }
  ... on Error { code message }
  ... on ValidationError { field }
  ... on ConflictError { currentVersion }
  ... on InvalidTransitionError { currentStatus attempted allowedNextStatuses }
"""
ACKNOWLEDGE = (
    "mutation Ack($id: ID!, $v: Int!, $note: String) {"
    " r: acknowledgeWarning(id: $id, expectedVersion: $v, note: $note) {" + OUTCOME + "} }"
)
DISMISS = (
    "mutation Dismiss($id: ID!, $v: Int!, $reason: String!) {"
    " r: dismissWarning(id: $id, expectedVersion: $v, reason: $reason) {" + OUTCOME + "} }"
)
ESCALATE = """
mutation Escalate(
  $id: ID!, $v: Int!, $unit: String!, $subject: String, $kind: ReviewKind, $related: ID
) {
  r: escalateWarning(
    id: $id, expectedVersion: $v, unitCode: $unit, subject: $subject, kind: $kind,
    relatedItemId: $related
  ) {
    __typename
    ... on WarningEscalation {
      warning { id version status escalatedAt correlationId review { id } }
      review {
        id kind status subject correlationId unit { code }
        origin { kind itemId item { __typename id ... on Warning { status } } }
      }
    }
    ... on Error { code message }
    ... on ValidationError { field }
    ... on InvalidTransitionError { currentStatus attempted allowedNextStatuses }
  }
}
"""
RULE_FIELDS = """
  id code version kind name basis enabled params measure direction subjectKind windowDays
  respondHours levels { level threshold }
"""
RULES = "query { warningRules { " + RULE_FIELDS + " } }"
RULE_OUTCOME = (
    """
  __typename
  ... on WarningRule { """
    + RULE_FIELDS
    + """ }
  ... on Error { errorCode: code message }
  ... on ValidationError { field }
  ... on ConflictError { currentVersion }
"""
)
CHANGE_RULE = (
    "mutation Change($code: String!, $v: Int!, $input: ChangeWarningRuleInput!) {"
    " r: changeWarningRule(code: $code, expectedVersion: $v, input: $input) {"
    + RULE_OUTCOME
    + "} }"
)
DEFINE_RULE = (
    "mutation Define($input: DefineWarningRuleInput!) {"
    " r: defineWarningRule(input: $input) {" + RULE_OUTCOME + "} }"
)
RULE_HISTORY = """
query RuleHistory($id: ID!) {
  node(id: $id) {
    ... on WarningRule {
      code version
      history { edges { node { eventType aggregateVersion reason payload actor { role } } } }
    }
  }
}
"""


def handler(unit: str) -> dict[str, Any]:
    return {"role": Role.HANDLER, "unit": unit, "sub": f"handler-{unit.lower()}"}


def local(day: int, hour: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=LOCAL)


def wid(warning_id: str) -> str:
    return to_global_id("Warning", warning_id)


async def evaluate(runtime: Runtime, code: str = "DEADLINE") -> evaluation.Outcome:
    """Run one rule, as the worker would, against the committed data and the clock now."""
    async with runtime.engine.connect() as conn:
        rules = {rule.code: rule for rule in await load_rules(conn)}
    return await evaluation.evaluate(runtime, rules[code])


@dataclass(frozen=True)
class Raised:
    """Three complaints whose reply clocks have warnings; each warning's global id."""

    a: Complaint  # routed to FT-XS on Monday 23 Nov: reply due at the end of Wed 2 Dec
    b: Complaint  # routed to LH-DM on Monday: the same due time
    c: Complaint  # routed to FT on Tuesday: due at the end of Thu 3 Dec
    warnings: dict[str, str]  # "a" / "b" / "c" → the warning's global id


async def warnings_of(gql, **who: Any) -> dict[str, dict[str, Any]]:
    """Every warning the caller sees, by the complaint (global id) it is about."""
    data = await gql(
        "query { warnings(first: 100) { nodes { id version level item { id } } } }", **who
    )
    return {w["item"]["id"]: w for w in data["warnings"]["nodes"] if w["item"]}


async def raise_deadline_warnings(gql, runtime: Runtime, clock: MovableClock) -> Raised:
    a = await routed(runtime, "FT-XS")
    b = await routed(runtime, "LH-DM")
    clock.advance(timedelta(days=1))
    c = await routed(runtime, "FT")
    clock.set(local(1, 10))  # a and b enter their warning period
    first = await evaluate(runtime)
    assert first.raised == 2
    clock.set(local(2, 10))  # a and b on their last day; c enters its warning period
    second = await evaluate(runtime)
    assert (second.raised, second.changed) == (1, 2)
    seen = await warnings_of(gql, **SUPERVISOR)
    return Raised(
        a=a, b=b, c=c, warnings={k: seen[gid(x)]["id"] for k, x in {"a": a, "b": b, "c": c}.items()}
    )


async def send(gql, document: str, variables: dict[str, Any], **who: Any) -> dict[str, Any]:
    """The union member a mutation answered with (never a GraphQL error)."""
    response = await gql.post(document, variables, **who)
    assert_no_traceback(response)
    body = response.json()
    assert response.status_code == 200, body
    assert not body.get("errors"), body["errors"]
    result: dict[str, Any] = body["data"]["r"]
    return result


async def version_of(gql, warning_id: str) -> int:
    data = await gql(ONE, {"id": warning_id}, **SUPERVISOR)
    version: int = data["warning"]["version"]
    return version


# -- raised from data, read back ----------------------------------------------------------------


async def test_a_deadline_warning_reads_back_with_its_rule_facts_item_and_unit(gql, runtime, clock):
    # given
    raised = await raise_deadline_warnings(gql, runtime, clock)

    # when
    warning = (await gql(ONE, {"id": raised.warnings["a"]}, **SUPERVISOR))["warning"]

    # then
    complaint_id = raised.a.id
    assert warning["id"] == raised.warnings["a"]
    assert (warning["level"], warning["status"], warning["open"]) == ("ORANGE", "RAISED", True)
    assert warning["version"] == 2  # raised BLUE, then raised to ORANGE on the last day
    assert warning["measure"] == 2
    assert warning["subjectKind"] == "ITEM"
    assert warning["subjectKey"] == f"clock:complaint:{complaint_id}:reply"
    assert warning["rule"] == {"code": "DEADLINE", "kind": "DEADLINE", "version": 1}
    assert warning["ruleVersion"] == 1
    assert warning["unit"] == {"code": "FT-XS"}
    assert warning["item"] == {"__typename": "Complaint", "id": gid(raised.a)}
    assert warning["correlationId"] == str(raised.a.correlation_id)
    assert warning["review"] is None
    assert warning["raisedAt"] == "2026-12-01T02:00:00.000000+00:00"
    assert warning["levelChangedAt"] == "2026-12-02T02:00:00.000000+00:00"
    assert warning["dueBy"] == "2026-12-02T16:00:00.000000+00:00"  # the clock's own due time
    assert "ORANGE" in warning["explanation"]
    facts = warning["facts"]
    assert facts["measure"] == 2
    assert facts["threshold"] == 2
    assert facts["measureName"].startswith("phase of the clock")
    assert facts["levels"] == [
        {"level": "BLUE", "threshold": 1},
        {"level": "ORANGE", "threshold": 2},
        {"level": "RED", "threshold": 3},
    ]
    assert facts["dueAt"] == "2026-12-02T16:00:00.000000+00:00"
    assert facts["window"] == warning["window"]
    assert "7 工作日" in facts["clockBasis"]
    assert facts["items"] == [
        {
            "type": "complaint",
            "id": gid(raised.a),
            "node": {"__typename": "Complaint", "id": gid(raised.a)},
        }
    ]
    node = (await gql(NODE, {"id": raised.warnings["a"]}, **SUPERVISOR))["node"]
    assert node == {"__typename": "Warning", "id": raised.warnings["a"], "level": "ORANGE"}


async def test_the_history_tells_raised_then_level_raised(gql, runtime, clock):
    # given
    raised = await raise_deadline_warnings(gql, runtime, clock)

    # when
    data = await gql(HISTORY, {"id": raised.warnings["a"]}, **SUPERVISOR)

    # then
    events = [e["node"] for e in data["warning"]["history"]["edges"]]
    assert [(e["eventType"], e["aggregateVersion"]) for e in events] == [
        ("warning.raised", 1),
        ("warning.level_raised", 2),
    ]
    assert {e["actor"]["subject"] for e in events} == {"jiandu-evaluator"}


async def test_warnings_are_listed_newest_first_and_paged_by_keyset(gql, runtime, clock):
    # given
    raised = await raise_deadline_warnings(gql, runtime, clock)
    w = raised.warnings
    # a and b were raised together (ties ordered by id, descending); c a day later
    tied = sorted([w["a"], w["b"]], key=lambda g: _local_id(g), reverse=True)

    # when
    first = (await gql(LIST, {"first": 2}, **SUPERVISOR))["warnings"]
    rest = (await gql(LIST, {"first": 2, "after": first["pageInfo"]["endCursor"]}, **SUPERVISOR))[
        "warnings"
    ]

    # then
    assert [e["node"]["id"] for e in first["edges"]] == [w["c"], tied[0]]
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False
    assert [e["node"]["id"] for e in rest["edges"]] == [tied[1]]
    assert rest["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "startCursor": rest["edges"][0]["cursor"],
        "endCursor": rest["edges"][0]["cursor"],
    }


def _local_id(global_id: str) -> str:
    from api.relay import from_global_id

    return from_global_id(global_id)[1]


async def _listed(gql, filter: dict[str, Any], **who: Any) -> set[str]:
    data = await gql(LIST, {"first": 100, "filter": filter}, **who)
    return {e["node"]["id"] for e in data["warnings"]["edges"]}


async def test_the_filters_narrow_the_list(gql, runtime, clock):
    # given
    raised = await raise_deadline_warnings(gql, runtime, clock)
    w = raised.warnings
    await send(gql, DISMISS, {"id": w["b"], "v": 2, "reason": "已电话督办，当日答复"}, **SUPERVISOR)

    # when / then
    assert await _listed(gql, {"level": ["BLUE"]}) == {w["c"]}
    assert await _listed(gql, {"level": ["ORANGE", "RED"]}) == {w["a"], w["b"]}
    assert await _listed(gql, {"status": ["DISMISSED"]}) == {w["b"]}
    assert await _listed(gql, {"open": True}) == {w["a"], w["c"]}
    assert await _listed(gql, {"open": False}) == {w["b"]}
    assert await _listed(gql, {"ruleCode": "DEADLINE"}) == set(w.values())
    assert await _listed(gql, {"ruleCode": "UNIT_COMPLAINTS"}) == set()
    assert await _listed(gql, {"unitCode": "FT"}) == {w["a"], w["c"]}
    assert await _listed(gql, {"unitCode": "LH"}) == {w["b"]}
    assert await _listed(gql, {"itemId": gid(raised.c)}) == {w["c"]}
    key = f"clock:complaint:{raised.a.id}:reply"
    assert await _listed(gql, {"subjectKey": key}) == {w["a"]}
    day_two = local(2).isoformat()
    assert await _listed(gql, {"raisedFrom": day_two}) == {w["c"]}
    assert await _listed(gql, {"raisedTo": day_two}) == {w["a"], w["b"]}
    assert await _listed(gql, {"unitCode": "FT", "level": ["BLUE"]}) == {w["c"]}


async def test_a_bad_item_id_or_page_size_is_a_client_error(gql, runtime, clock):
    # when
    bad_item = await gql.post(LIST, {"filter": {"itemId": to_global_id("Nothing", "1")}})
    too_many = await gql.post(LIST, {"first": 101})

    # then
    for response in (bad_item, too_many):
        assert_no_traceback(response)
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "VALIDATION"


# -- what people do with a warning --------------------------------------------------------------


async def test_the_responsible_unit_acknowledges_with_a_note(gql, runtime, clock):
    # given
    raised = await raise_deadline_warnings(gql, runtime, clock)
    who = {**handler("FT-XS"), "sub": "handler-xs-wang"}

    # when
    result = await send(
        gql, ACKNOWLEDGE, {"id": raised.warnings["a"], "v": 2, "note": "今日答复"}, **who
    )

    # then
    assert result["__typename"] == "Warning"
    assert (result["status"], result["version"]) == ("ACKNOWLEDGED", 3)
    assert (result["acknowledgedBy"], result["acknowledgement"]) == ("handler-xs-wang", "今日答复")
    events = (await gql(HISTORY, {"id": raised.warnings["a"]}, **SUPERVISOR))["warning"]
    last = events["history"]["edges"][-1]["node"]
    assert (last["eventType"], last["aggregateVersion"]) == ("warning.acknowledged", 3)
    assert last["actor"] == {"subject": "handler-xs-wang", "role": "handler"}


async def test_dismissing_needs_a_reason_and_the_centre(gql, runtime, clock):
    # given
    raised = await raise_deadline_warnings(gql, runtime, clock)
    target = {"id": raised.warnings["a"], "v": 2}

    # when
    blank = await send(gql, DISMISS, {**target, "reason": "  "}, **SUPERVISOR)
    by_handler = await send(gql, DISMISS, {**target, "reason": "已处理"}, **handler("FT-XS"))
    done = await send(gql, DISMISS, {**target, "reason": "投诉人已撤回"}, **SUPERVISOR)

    # then
    assert blank["__typename"] == "ValidationError"
    assert (blank["code"], blank["field"]) == ("VALIDATION", "reason")
    assert by_handler["__typename"] == "ForbiddenError"
    assert by_handler["code"] == "FORBIDDEN"
    assert done["__typename"] == "Warning"
    assert (done["status"], done["version"]) == ("DISMISSED", 3)
    assert done["dismissalReason"] == "投诉人已撤回"


async def test_a_stale_version_conflicts_and_an_unknown_id_is_not_found(gql, runtime, clock):
    # given
    raised = await raise_deadline_warnings(gql, runtime, clock)
    unknown = wid(str(uuid.uuid4()))
    not_a_warning = gid(raised.a)

    # when
    stale = await send(gql, ACKNOWLEDGE, {"id": raised.warnings["a"], "v": 1}, **SUPERVISOR)
    missing = await send(gql, ACKNOWLEDGE, {"id": unknown, "v": 1}, **SUPERVISOR)
    wrong_type = await send(gql, DISMISS, {"id": not_a_warning, "v": 1, "reason": "x"})
    garbage = await send(gql, ACKNOWLEDGE, {"id": "not-an-id", "v": 1}, **SUPERVISOR)

    # then
    assert stale["__typename"] == "ConflictError"
    assert (stale["code"], stale["currentVersion"]) == ("CONFLICT", 2)
    for result in (missing, wrong_type, garbage):
        assert result["__typename"] == "NotFoundError"
        assert result["code"] == "NOT_FOUND"
    assert (await gql(ONE, {"id": unknown}, **SUPERVISOR))["warning"] is None


async def test_escalating_opens_a_review_in_the_warnings_loop(gql, runtime, clock):
    # given
    raised = await raise_deadline_warnings(gql, runtime, clock)
    warning_id = raised.warnings["a"]

    # when
    result = await send(
        gql,
        ESCALATE,
        {"id": warning_id, "v": 2, "unit": "FT", "subject": "核查香蜜湖所逾期未答复"},
        **SUPERVISOR,
    )

    # then
    assert result["__typename"] == "WarningEscalation"
    warning, review = result["warning"], result["review"]
    assert (warning["status"], warning["version"]) == ("ESCALATED", 3)
    assert warning["review"] == {"id": review["id"]}
    assert (review["kind"], review["status"]) == ("VERIFICATION", "OPEN")
    assert review["subject"] == "核查香蜜湖所逾期未答复"
    assert review["unit"] == {"code": "FT"}
    assert review["correlationId"] == warning["correlationId"] == str(raised.a.correlation_id)
    assert review["origin"] == {
        "kind": "WARNING",
        "itemId": warning_id,
        "item": {"__typename": "Warning", "id": warning_id, "status": "ESCALATED"},
    }
    read_back = await gql(
        "query R($id: ID!) { review(id: $id) { origin { kind item { id } } } }",
        {"id": review["id"]},
        **SUPERVISOR,
    )
    assert read_back["review"]["origin"] == {"kind": "WARNING", "item": {"id": warning_id}}
    by_origin = await gql(
        "query F($o: ID!) { reviews(filter: {originId: $o}) { nodes { id } } }",
        {"o": warning_id},
        **SUPERVISOR,
    )
    assert by_origin["reviews"]["nodes"] == [{"id": review["id"]}]
    events = (await gql(HISTORY, {"id": warning_id}, **SUPERVISOR))["warning"]["history"]
    assert events["edges"][-1]["node"]["eventType"] == "warning.escalated"


async def test_escalating_twice_is_an_invalid_transition(gql, runtime, clock):
    # given
    raised = await raise_deadline_warnings(gql, runtime, clock)
    target = {"id": raised.warnings["c"], "unit": "FT"}
    first = await send(gql, ESCALATE, {**target, "v": 1}, **SUPERVISOR)
    assert first["__typename"] == "WarningEscalation"

    # when
    again = await send(gql, ESCALATE, {**target, "v": 2}, **SUPERVISOR)

    # then
    assert again["__typename"] == "InvalidTransitionError"
    assert again["code"] == "INVALID_TRANSITION"
    assert (again["currentStatus"], again["attempted"]) == ("ESCALATED", "escalate")
    assert set(again["allowedNextStatuses"]) == {"ESCALATED", "RESOLVED"}  # level changes
    reviews = await gql("query { reviews(first: 100) { nodes { id } } }", **SUPERVISOR)
    assert len(reviews["reviews"]["nodes"]) == 1


async def test_escalation_is_refused_to_a_handler_and_checks_its_unit_and_related_item(
    gql, runtime, clock
):
    # given
    raised = await raise_deadline_warnings(gql, runtime, clock)
    target = {"id": raised.warnings["b"], "v": 2}

    # when
    by_handler = await send(gql, ESCALATE, {**target, "unit": "LH"}, **handler("LH-DM"))
    unknown_unit = await send(gql, ESCALATE, {**target, "unit": "NOPE"}, **SUPERVISOR)
    bad_related = await send(
        gql, ESCALATE, {**target, "unit": "LH", "related": "garbage"}, **SUPERVISOR
    )
    linked = await send(
        gql,
        ESCALATE,
        {**target, "unit": "LH", "kind": "CASE_QUALITY_EVALUATION", "related": gid(raised.c)},
        **SUPERVISOR,
    )

    # then
    assert by_handler["__typename"] == "ForbiddenError"
    assert (unknown_unit["__typename"], unknown_unit["field"]) == ("ValidationError", "unitCode")
    assert (bad_related["__typename"], bad_related["field"]) == ("ValidationError", "relatedItemId")
    assert linked["__typename"] == "WarningEscalation"
    assert linked["review"]["kind"] == "CASE_QUALITY_EVALUATION"
    assert linked["review"]["correlationId"] == str(raised.b.correlation_id)


# -- unit scope ---------------------------------------------------------------------------------


async def _sees(gql, warning_id: str, **who: Any) -> bool:
    """Whether the list, the lookup and `node` all show the warning (and agree)."""
    answers = {
        "list": warning_id in await _listed(gql, {}, **who),
        "lookup": (await gql(ONE, {"id": warning_id}, **who))["warning"] is not None,
        "node": (await gql(NODE, {"id": warning_id}, **who))["node"] is not None,
    }
    assert len(set(answers.values())) == 1, answers
    return answers["lookup"]


async def test_a_handler_sees_the_warnings_of_its_subtree_only(gql, runtime, clock):
    # given
    raised = await raise_deadline_warnings(gql, runtime, clock)
    w = raised.warnings

    # then
    assert await _sees(gql, w["a"], **handler("FT"))  # FT-XS is inside FT
    assert await _sees(gql, w["c"], **handler("FT"))
    assert not await _sees(gql, w["b"], **handler("FT"))
    assert await _sees(gql, w["a"], **handler("FT-XS"))
    assert not await _sees(gql, w["c"], **handler("FT-XS"))  # FT is above FT-XS
    assert not await _sees(gql, w["a"], **handler("LH-DM"))
    for role in (Role.SUPERVISOR, Role.LEADER, Role.AUDITOR):
        assert await _sees(gql, w["b"], role=role)


async def test_a_handler_cannot_act_on_a_warning_outside_its_subtree(gql, runtime, clock):
    # given
    raised = await raise_deadline_warnings(gql, runtime, clock)

    # when
    result = await send(gql, ACKNOWLEDGE, {"id": raised.warnings["a"], "v": 2}, **handler("LH-DM"))
    trail = await gql.post(
        "query T($id: ID!) { auditTrail(aggregateId: $id) { edges { node { eventType } } } }",
        {"id": raised.warnings["a"]},
        **handler("LH-DM"),
    )

    # then
    assert result["__typename"] == "NotFoundError"
    assert await version_of(gql, raised.warnings["a"]) == 2
    [error] = trail.json()["errors"]
    assert error["extensions"]["code"] == "NOT_FOUND"


# -- rules --------------------------------------------------------------------------------------


async def test_the_fourteen_default_rules_are_listed_by_code(gql):
    # when
    rules = (await gql(RULES, role=Role.HANDLER, unit="FT"))["warningRules"]

    # then
    assert {r["code"] for r in rules} == DEFAULT_RULES
    assert [r["code"] for r in rules] == sorted(DEFAULT_RULES)
    by_code = {r["code"]: r for r in rules}
    deadline = by_code["DEADLINE"]
    assert deadline["kind"] == "DEADLINE"
    assert deadline["direction"] == "HIGHER_IS_WORSE"
    assert deadline["subjectKind"] == "ITEM"
    assert deadline["measure"].startswith("phase of the clock")
    assert deadline["levels"] == [
        {"level": "BLUE", "threshold": 1},
        {"level": "ORANGE", "threshold": 2},
        {"level": "RED", "threshold": 3},
    ]
    assert deadline["params"] == {"respondHours": 24}
    assert deadline["respondHours"] == 24
    satisfaction = by_code["UNIT_SATISFACTION"]
    assert satisfaction["direction"] == "LOWER_IS_WORSE"
    assert satisfaction["subjectKind"] == "UNIT"
    peer = by_code["PEER_OUTLIER_OFFICER"]
    assert peer["subjectKind"] == "OFFICER"
    assert peer["params"]["measure"] == "COMPLAINTS"
    assert peer["windowDays"] == 90
    assert all(r["version"] == 1 and r["enabled"] for r in rules)


async def test_a_supervisor_changes_a_rule_and_the_change_is_audited(gql):
    # given
    change = {
        "reason": "分局投诉量上升，降低蓝色预警门槛",
        "levels": [
            {"level": "BLUE", "threshold": 4},
            {"level": "ORANGE", "threshold": 8},
            {"level": "RED", "threshold": 12},
        ],
        "params": {"windowDays": 60},
    }

    # when
    result = await send(
        gql, CHANGE_RULE, {"code": "UNIT_COMPLAINTS", "v": 1, "input": change}, **SUPERVISOR
    )

    # then
    assert result["__typename"] == "WarningRule"
    assert result["version"] == 2
    assert result["levels"][0] == {"level": "BLUE", "threshold": 4}
    assert result["params"] == {"windowDays": 60, "respondHours": 72}
    assert result["windowDays"] == 60
    data = await gql(RULE_HISTORY, {"id": result["id"]}, **SUPERVISOR)
    events = [e["node"] for e in data["node"]["history"]["edges"]]
    assert [(e["eventType"], e["aggregateVersion"]) for e in events] == [
        ("warning_rule.defined", 1),
        ("warning_rule.changed", 2),
    ]
    assert events[-1]["reason"] == change["reason"]
    assert events[-1]["actor"] == {"role": "supervisor"}
    changes = events[-1]["payload"]["changes"]
    assert changes["levels"]["before"]["BLUE"] == 5
    assert changes["levels"]["after"]["BLUE"] == 4
    assert changes["params"]["after"]["windowDays"] == 60
    rules = (await gql(RULES, **SUPERVISOR))["warningRules"]
    assert next(r for r in rules if r["code"] == "UNIT_COMPLAINTS")["version"] == 2


async def test_rule_changes_are_refused_when_not_allowed_or_not_valid(gql):
    # given
    target = {"code": "UNIT_COMPLAINTS", "v": 1}
    inverted = [{"level": "BLUE", "threshold": 10}, {"level": "ORANGE", "threshold": 8}]

    # when
    by_handler = await send(
        gql, CHANGE_RULE, {**target, "input": {"reason": "x", "enabled": False}}, **handler("FT")
    )
    by_leader = await send(
        gql, CHANGE_RULE, {**target, "input": {"reason": "x", "enabled": False}}, role=Role.LEADER
    )
    bad_order = await send(
        gql, CHANGE_RULE, {**target, "input": {"reason": "x", "levels": inverted}}, **SUPERVISOR
    )
    no_reason = await send(
        gql, CHANGE_RULE, {**target, "input": {"reason": " ", "enabled": False}}, **SUPERVISOR
    )
    stale = await send(
        gql,
        CHANGE_RULE,
        {"code": "UNIT_COMPLAINTS", "v": 7, "input": {"reason": "x", "enabled": False}},
        **SUPERVISOR,
    )
    unknown = await send(
        gql,
        CHANGE_RULE,
        {"code": "NO_SUCH_RULE", "v": 1, "input": {"reason": "x", "enabled": False}},
        **SUPERVISOR,
    )

    # then
    assert by_handler["__typename"] == by_leader["__typename"] == "ForbiddenError"
    assert bad_order["__typename"] == "ValidationError"
    assert bad_order["field"] == "levels"
    assert "ORANGE threshold must be above the BLUE threshold" in bad_order["message"]
    assert (no_reason["__typename"], no_reason["field"]) == ("ValidationError", "reason")
    assert (stale["__typename"], stale["currentVersion"]) == ("ConflictError", 1)
    assert unknown["__typename"] == "NotFoundError"
    rules = (await gql(RULES, **SUPERVISOR))["warningRules"]
    assert next(r for r in rules if r["code"] == "UNIT_COMPLAINTS")["version"] == 1


@pytest.mark.parametrize("indicator", ["CASE_COUNT", "办案数量", "FINES"])
async def test_a_forbidden_indicator_cannot_be_a_peer_comparison_measure(gql, owner, indicator):
    # given: the indicators evaluation must not use, as the database holds them
    forbidden = {
        code: (name, aliases)
        for code, name, aliases in owner.execute(
            "SELECT code, name, aliases FROM evaluation_forbidden_indicator"
        )
    }
    code = next(c for c, (n, a) in forbidden.items() if indicator in (c, n, *a))
    change = {
        "reason": "按办案数量比较",
        "params": {"subjects": "UNIT", "measure": indicator, "periodDays": 90, "minCount": 3},
    }

    # when
    result = await send(
        gql, CHANGE_RULE, {"code": "PEER_OUTLIER_UNIT", "v": 1, "input": change}, **SUPERVISOR
    )

    # then
    assert result["__typename"] == "ValidationError"
    assert result["field"] == "params.measure"
    assert code in result["message"]
    assert forbidden[code][0] in result["message"]
    assert "must not use" in result["message"]


async def test_a_supervisor_defines_a_rule_once(gql):
    # given
    rule = {
        "code": "UNIT_COMPLAINTS_30D",
        "kind": "UNIT_COMPLAINTS",
        "name": "单位30日投诉预警",
        "basis": "本地规定：30日内投诉较多的单位",
        "params": {"windowDays": 30},
        "levels": [{"level": "ORANGE", "threshold": 4}, {"level": "RED", "threshold": 6}],
    }

    # when
    by_handler = await send(gql, DEFINE_RULE, {"input": rule}, **handler("FT"))
    defined = await send(gql, DEFINE_RULE, {"input": rule}, **SUPERVISOR)
    again = await send(gql, DEFINE_RULE, {"input": rule}, **SUPERVISOR)
    twice = await send(
        gql,
        DEFINE_RULE,
        {
            "input": {
                **rule,
                "code": "OTHER",
                "levels": [
                    {"level": "RED", "threshold": 6},
                    {"level": "RED", "threshold": 7},
                ],
            }
        },
        **SUPERVISOR,
    )
    not_an_object = await send(
        gql, DEFINE_RULE, {"input": {**rule, "code": "OTHER", "params": [1]}}, **SUPERVISOR
    )

    # then
    assert by_handler["__typename"] == "ForbiddenError"
    assert defined["__typename"] == "WarningRule"
    assert (defined["code"], defined["version"], defined["enabled"]) == (
        "UNIT_COMPLAINTS_30D",
        1,
        True,
    )
    assert defined["levels"] == rule["levels"]
    assert defined["windowDays"] == 30
    assert again["__typename"] == "ConflictError"
    assert (twice["__typename"], twice["field"]) == ("ValidationError", "levels")
    assert (not_an_object["__typename"], not_an_object["field"]) == ("ValidationError", "params")
    rules = (await gql(RULES, **SUPERVISOR))["warningRules"]
    assert len(rules) == len(DEFAULT_RULES) + 1


async def test_a_changed_threshold_applies_at_the_next_evaluation(gql, runtime, clock):
    # given: a and b in their warning period (BLUE)
    a = await routed(runtime, "FT-XS")
    clock.set(local(1, 10))
    await evaluate(runtime)
    assert {w["level"] for w in (await warnings_of(gql, **SUPERVISOR)).values()} == {"BLUE"}

    # when: ORANGE now starts in the warning period
    change = {
        "reason": "提前一档预警",
        "levels": [
            {"level": "ORANGE", "threshold": 1},
            {"level": "RED", "threshold": 2},
        ],
    }
    changed = await send(
        gql, CHANGE_RULE, {"code": "DEADLINE", "v": 1, "input": change}, **SUPERVISOR
    )
    assert changed["__typename"] == "WarningRule"
    await evaluate(runtime)

    # then
    [warning] = (await warnings_of(gql, **SUPERVISOR)).values()
    assert warning["item"]["id"] == gid(a)
    assert warning["level"] == "ORANGE"
    full = (await gql(ONE, {"id": warning["id"]}, **SUPERVISOR))["warning"]
    assert (full["ruleVersion"], full["rule"]["version"]) == (2, 2)
