"""Accountability over HTTP: opened only from a fault, decided by a leader, audited version by
version, appealed within the window, points deducted, published without personal data."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from api.relay import to_global_id
from domain.accountability.status import Culpability, Responsibility
from domain.actor import Role
from service import accountability as accountabilities
from service.accountability import OpenAccountability, UnitInput
from tests.api.support import register
from tests.api.test_accountability_support import (
    AUX,
    FAULT_DAY,
    LEAD,
    LEADER,
    ON_DUTY,
    OUTCOME,
    call,
    decided,
    fault_review,
    flaw_review,
    gid,
    lead_handler,
    opened,
    proposed,
    review_gid,
)
from tests.api.test_review_fixtures import concluded, inspection

pytestmark = pytest.mark.db

OPEN = """
mutation Open($review: ID!, $input: OpenAccountabilityInput!) {
  openAccountability(reviewId: $review, input: $input) {
    __typename
    ... on Accountability {
      id version status correlationId reviewId lifelong faultDate
      review { id correlationId }
      faultType { code text }
      persons {
        officerCode roleInMatter responsibility chainRole share unitAtFaultCode
        officer { name } unitAtFault { code }
      }
    }
    ... on Error { code message }
    ... on ValidationError { field }
  }
}
"""
INPUT = {
    "faultTypeCode": "BUCK_PASSING",
    "faultType": "接处警推诿扯皮",
    "faultDate": "2026-11-20",
    "culpability": "GROSS_NEGLIGENCE",
    "persons": [
        {"officerCode": ON_DUTY, "roleInMatter": "ON_DUTY_LEADER"},
        {"officerCode": LEAD, "roleInMatter": "LEAD_OFFICER"},
        {"officerCode": AUX, "roleInMatter": "AUXILIARY"},
    ],
    "units": [{"unitCode": "FT-XS", "responsibility": "LEADERSHIP"}],
}
DECIDE = (
    """
mutation Decide($id: ID!, $v: Int!) {
  result: decideAccountability(id: $id, expectedVersion: $v, input: {note: "经局党委研究"}) {
    ...Outcome
  }
}
"""
    + OUTCOME
)
ONE = """
query One($id: ID!) {
  accountability(id: $id) {
    id version status decidedAt appealOpen
    appealDue { dueAt basis ruleCode }
    measures { subjectCode kind label status period { dueAt basis computation } periodEnded }
    persons { officerCode measures { kind } }
    appeals { appellantCode outcome }
    auditTrail(first: 50) {
      edges { node { aggregateVersion eventType correlationId actor { role officer } } }
    }
  }
}
"""
APPEAL = (
    """
mutation Appeal($id: ID!, $v: Int!, $input: AppealAccountabilityInput!) {
  result: appealAccountability(id: $id, expectedVersion: $v, input: $input) { ...Outcome }
}
"""
    + OUTCOME
)
DECIDE_APPEAL = (
    """
mutation DecideAppeal($id: ID!, $v: Int!, $input: DecideAccountabilityAppealInput!) {
  result: decideAccountabilityAppeal(id: $id, expectedVersion: $v, input: $input) { ...Outcome }
}
"""
    + OUTCOME
)
PUBLISH = (
    """
mutation Publish($id: ID!, $v: Int!, $input: PublishAccountabilityInput!) {
  result: publishAccountabilityToExposureBoard(id: $id, expectedVersion: $v, input: $input) {
    ...Outcome
  }
}
"""
    + OUTCOME
)
BOARD = """
query Board($first: Int, $after: String) {
  exposureBoard(first: $first, after: $after) {
    edges { cursor node { id title summary faultType publishedAt subjects { label measures } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
SHARES = (
    """
mutation Shares($id: ID!, $v: Int!, $input: ChangeAccountabilitySharesInput!) {
  result: changeAccountabilityShares(id: $id, expectedVersion: $v, input: $input) { ...Outcome }
}
"""
    + OUTCOME
)
PROPOSE = (
    """
mutation Propose($id: ID!, $v: Int!, $input: ProposeAccountabilityMeasuresInput!) {
  result: proposeAccountabilityMeasures(id: $id, expectedVersion: $v, input: $input) {
    ...Outcome
  }
}
"""
    + OUTCOME
)
LEDGER = """
query Ledger($id: ID!) {
  node(id: $id) {
    ... on PointsLedger {
      officerCode version balance deducted reversed outstandingDeductions
      entries(first: 10) { edges { node { no kind amount balanceAfter reason sourceId } } }
      auditTrail(first: 10) { edges { node { aggregateVersion eventType } } }
    }
  }
}
"""
RECORD = """
mutation Record($officer: String!, $v: Int!, $input: RecordPointsEntryInput!) {
  recordPointsEntry(officerCode: $officer, expectedVersion: $v, input: $input) {
    __typename
    ... on PointsLedger { officerCode version balance earned }
    ... on Error { code message }
    ... on ValidationError { field }
    ... on ConflictError { currentVersion }
  }
}
"""


def ledger_id(officer: str) -> str:
    return to_global_id("PointsLedger", officer)


# -- opening ---------------------------------------------------------------------------------------


async def test_an_accountability_opens_from_a_signed_off_fault_in_the_reviews_loop(gql, runtime):
    # given
    review = await fault_review(runtime)

    # when
    data = await gql(OPEN, {"review": review_gid(review), "input": INPUT})

    # then
    item = data["openAccountability"]
    assert item["__typename"] == "Accountability"
    assert (item["status"], item["version"]) == ("OPEN", 1)
    assert item["correlationId"] == str(review.correlation)
    assert item["reviewId"] == review_gid(review)
    assert item["review"] == {"id": review_gid(review), "correlationId": str(review.correlation)}
    assert item["lifelong"] is True
    persons = {p["officerCode"]: p for p in item["persons"]}
    # The on-duty leader held the chain's first (handling) step; the others handle by default.
    assert {code: p["chainRole"] for code, p in persons.items()} == {
        ON_DUTY: "HANDLING_OFFICER",
        LEAD: "HANDLING_OFFICER",
        AUX: "HANDLING_OFFICER",
    }
    assert sum(p["share"] for p in persons.values()) == 100
    assert persons[ON_DUTY]["responsibility"] == "LEADERSHIP"
    assert persons[AUX]["officer"] == {"name": "陈小华"}
    assert {p["unitAtFaultCode"] for p in persons.values()} == {"FT-XS"}


async def test_a_flaw_is_refused_naming_the_finding(gql, runtime):
    # given
    review = await flaw_review(runtime)

    # when
    data = await gql(OPEN, {"review": review_gid(review), "input": INPUT})

    # then
    result = data["openAccountability"]
    assert result["__typename"] == "ValidationError"
    assert result["field"] == "reviewId"
    assert review.id in result["message"]
    assert "FLAW" in result["message"]
    assert "文书填写不规范" in result["message"]
    assert "evaluation" in result["message"]


async def test_a_fault_not_yet_signed_off_and_a_second_accountability_are_refused(gql, runtime):
    # given
    unsigned = await concluded(runtime, await inspection(runtime))
    taken = await fault_review(runtime)
    await opened(runtime, taken)

    # when
    first = await gql(OPEN, {"review": review_gid(unsigned), "input": INPUT})
    second = await gql(OPEN, {"review": review_gid(taken), "input": INPUT})
    flawed_id = await gql(OPEN, {"review": "not-an-id", "input": INPUT})

    # then
    assert first["openAccountability"]["__typename"] == "ValidationError"
    assert "not signed off" in first["openAccountability"]["message"]
    assert second["openAccountability"]["__typename"] == "ValidationError"
    assert "already takes up" in second["openAccountability"]["message"]
    assert flawed_id["openAccountability"]["field"] == "reviewId"


@pytest.mark.parametrize("role", [Role.HANDLER, Role.LEGAL, Role.AUDITOR, Role.INTAKE])
async def test_only_the_centre_opens(gql, runtime, role):
    review = await fault_review(runtime)
    data = await gql(OPEN, {"review": review_gid(review), "input": INPUT}, role=role, unit="FT")
    assert data["openAccountability"]["__typename"] == "ForbiddenError"


# -- shares and measures -----------------------------------------------------------------------------


async def test_shares_change_only_to_a_total_of_100_and_with_a_reason(gql, runtime):
    # given
    item = await opened(runtime)
    shares = [
        {"officerCode": ON_DUTY, "share": 30, "chainRole": "APPROVER"},
        {"officerCode": LEAD, "share": 60},
        {"officerCode": AUX, "share": 10},
    ]

    # when
    wrong = await gql(
        SHARES,
        {"id": gid(item), "v": 1, "input": {"shares": shares[:2], "reason": "主办民警负主要责任"}},
    )
    right = await gql(
        SHARES,
        {"id": gid(item), "v": 1, "input": {"shares": shares, "reason": "主办民警负主要责任"}},
    )

    # then
    assert wrong["result"]["__typename"] == "ValidationError"
    assert wrong["result"]["field"] == "shares"
    assert right["result"]["__typename"] == "Accountability"
    assert right["result"]["version"] == 2


async def test_a_unit_takes_only_criticism(gql, runtime):
    # given
    review = await fault_review(runtime)
    item = await accountabilities.open_accountability(
        call(runtime),
        OpenAccountability(
            review_id=UUID(review.id),
            fault_type_code="BUCK_PASSING",
            fault_type="推诿",
            fault_date=FAULT_DAY,
            culpability=Culpability.NEGLIGENCE,
            units=(UnitInput(unit_code="FT-XS", responsibility=Responsibility.LEADERSHIP),),
        ),
    )

    # when
    warning = await gql(
        PROPOSE,
        {
            "id": gid(item),
            "v": 1,
            "input": {"measures": [{"subjectCode": "FT-XS", "kind": "WARNING"}]},
        },
    )
    criticism = await gql(
        PROPOSE,
        {
            "id": gid(item),
            "v": 1,
            "input": {"measures": [{"subjectCode": "FT-XS", "kind": "CRITICISM_EDUCATION"}]},
        },
        role=Role.LEGAL,
    )

    # then
    assert warning["result"]["__typename"] == "ValidationError"
    assert criticism["result"]["status"] == "PROPOSED"


# -- the decision ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.LEGAL, Role.HANDLER, Role.AUDITOR])
async def test_only_a_leader_decides(gql, runtime, role):
    # given
    item = await proposed(runtime)

    # when
    data = await gql(DECIDE, {"id": gid(item), "v": item.version}, role=role, unit="FT-XS")

    # then
    assert data["result"]["__typename"] == "ForbiddenError"
    unchanged = await gql(ONE, {"id": gid(item)})
    assert unchanged["accountability"]["status"] == "PROPOSED"


async def test_a_leaders_decision_times_each_measure_and_deducts_points(gql, runtime):
    # given
    item = await proposed(runtime)

    # when
    data = await gql(DECIDE, {"id": gid(item), "v": item.version}, role=Role.LEADER)

    # then
    assert data["result"]["__typename"] == "Accountability"
    assert data["result"]["status"] == "DECIDED"
    found = (await gql(ONE, {"id": gid(item)}))["accountability"]
    measures = {m["subjectCode"]: m for m in found["measures"]}
    demerit = measures[LEAD]
    assert (demerit["kind"], demerit["label"], demerit["status"]) == ("DEMERIT", "记过", "IN_FORCE")
    assert demerit["period"]["dueAt"].startswith("2027-11-22T16:00")
    assert "公职人员政务处分法 art. 8" in demerit["period"]["basis"]
    assert demerit["periodEnded"] is False
    assert measures[ON_DUTY]["period"] is None
    assert found["appealOpen"] is True
    assert found["appealDue"]["ruleCode"] == "accountability.appeal.DEFAULT"
    assert found["appealDue"]["dueAt"].startswith("2026-12-23T16:00")
    # 过错扣分: DEMERIT costs the lead officer 10 points (migration 0007)
    ledger = (await gql(LEDGER, {"id": ledger_id(LEAD)}))["node"]
    assert (ledger["version"], ledger["balance"], ledger["deducted"]) == (1, -10, 10)
    entry = ledger["entries"]["edges"][0]["node"]
    assert (entry["kind"], entry["amount"], entry["sourceId"]) == ("DEDUCT", 10, gid(item))
    assert ledger["auditTrail"]["edges"][0]["node"] == {
        "aggregateVersion": 1,
        "eventType": "points_ledger.deducted",
    }


async def test_decision_errors_are_typed(gql, runtime):
    # given
    item = await opened(runtime)
    missing = to_global_id("Accountability", "00000000-0000-4000-8000-000000000000")

    # when
    too_early = await gql(DECIDE, {"id": gid(item), "v": 1}, role=Role.LEADER)
    stale = await gql(DECIDE, {"id": gid(item), "v": 7}, role=Role.LEADER)
    absent = await gql(DECIDE, {"id": missing, "v": 1}, role=Role.LEADER)

    # then
    assert too_early["result"]["__typename"] == "InvalidTransitionError"
    assert too_early["result"]["currentStatus"] == "OPEN"
    assert stale["result"]["__typename"] == "ConflictError"
    assert stale["result"]["currentVersion"] == 1
    assert absent["result"]["__typename"] == "NotFoundError"


# -- the audit trail ---------------------------------------------------------------------------------


async def test_the_audit_trail_is_one_event_per_version(gql, runtime):
    # given
    item = await decided(runtime)
    await accountabilities.publish(
        call(runtime, LEADER), UUID(item.id), item.version, title="典型案例", summary="推诿"
    )

    # when
    found = (await gql(ONE, {"id": gid(item)}))["accountability"]

    # then
    events = [e["node"] for e in found["auditTrail"]["edges"]]
    assert (
        [e["aggregateVersion"] for e in events]
        == [1, 2, 3, 4]
        == list(range(1, found["version"] + 1))
    )
    assert [e["eventType"] for e in events] == [
        "accountability.opened",
        "accountability.measures_proposed",
        "accountability.decided",
        "accountability.published",
    ]
    assert {e["correlationId"] for e in events} == {str(item.correlation)}
    assert [e["actor"]["role"] for e in events] == ["supervisor", "supervisor", "leader", "leader"]


# -- appeals -----------------------------------------------------------------------------------------


async def test_the_person_appeals_within_the_window_and_a_revocation_returns_the_points(
    gql, runtime
):
    # given
    item = await decided(runtime)

    # when: the lead officer appeals with their own token
    appealed = await gql(
        APPEAL,
        {"id": gid(item), "v": item.version, "input": {"grounds": "已告知管辖，不应记过"}},
        **lead_handler(),
    )
    decided_appeal = await gql(
        DECIDE_APPEAL,
        {
            "id": gid(item),
            "v": item.version + 1,
            "input": {"appellantOfficerCode": LEAD, "outcome": "REVOKED", "note": "证据不足"},
        },
        role=Role.LEADER,
    )

    # then
    assert appealed["result"]["status"] == "APPEALED"
    assert decided_appeal["result"]["status"] == "APPEAL_DECIDED"
    found = (await gql(ONE, {"id": gid(item)}))["accountability"]
    assert found["appeals"] == [{"appellantCode": LEAD, "outcome": "REVOKED"}]
    assert {m["status"] for m in found["measures"] if m["subjectCode"] == LEAD} == {"REVOKED"}
    ledger = (await gql(LEDGER, {"id": ledger_id(LEAD)}))["node"]
    assert (ledger["balance"], ledger["reversed"], ledger["outstandingDeductions"]) == (0, 10, 0)
    assert [e["node"]["kind"] for e in ledger["entries"]["edges"]] == ["REVERSAL", "DEDUCT"]


async def test_a_handler_appeals_only_for_itself(gql, runtime):
    item = await decided(runtime)
    data = await gql(
        APPEAL,
        {
            "id": gid(item),
            "v": item.version,
            "input": {"grounds": "代为申诉", "appellantOfficerCode": AUX},
        },
        **lead_handler(),
    )
    assert data["result"]["__typename"] == "ForbiddenError"


async def test_after_the_window_no_appeal_is_accepted(gql, runtime, clock):
    # given
    item = await decided(runtime)
    clock.advance(timedelta(days=31))

    # when
    data = await gql(
        APPEAL,
        {
            "id": gid(item),
            "v": item.version,
            "input": {"grounds": "逾期申诉", "appellantOfficerCode": LEAD},
        },
    )

    # then
    assert data["result"]["__typename"] == "ValidationError"
    assert data["result"]["field"] == "appealDue"
    assert "closed" in data["result"]["message"]
    found = (await gql(ONE, {"id": gid(item)}))["accountability"]
    assert found["appealOpen"] is False
    assert found["status"] == "DECIDED"


# -- the exposure board ------------------------------------------------------------------------------


async def test_the_exposure_board_shows_roles_and_units_without_personal_data(gql, runtime):
    # given: a complaint by 张三 (13812345678), verified and found a fault
    complaint = await register(runtime)
    review = await fault_review(runtime, complaint_id=complaint.id)
    item = await decided(runtime, await opened(runtime, review))
    summary = (
        "群众张三（13812345678）报案，值班所领导王建国、主办民警李明、聘员陈小华"
        f"（{LEAD}）互相推诿，要求其到其他派出所报案。"
    )

    # when
    published = await gql(
        PUBLISH,
        {
            "id": gid(item),
            "v": item.version,
            "input": {"title": "李明等人推诿报警群众被问责", "summary": summary},
        },
        role=Role.LEADER,
    )
    board = await gql(BOARD, {"first": 10}, role=Role.HANDLER, unit="NS")

    # then
    assert published["result"]["__typename"] == "Accountability"
    entries = [e["node"] for e in board["exposureBoard"]["edges"]]
    assert len(entries) == 1
    entry = entries[0]
    assert {(s["label"], tuple(s["measures"])) for s in entry["subjects"]} == {
        ("福田分局某派出所值班所领导", ("调整职务",)),
        ("福田分局某派出所主办民警", ("记过",)),
        ("福田分局某派出所聘员", ("批评教育",)),
    }
    text = repr(entry)
    for secret in ("张三", "13812345678", "王建国", "李明", "陈小华", LEAD, ON_DUTY, AUX):
        assert secret not in text
    assert "互相推诿" in entry["summary"]


async def test_only_a_leader_publishes_and_only_once(gql, runtime):
    item = await decided(runtime)
    variables = {"id": gid(item), "v": item.version, "input": {"title": "案例", "summary": "推诿"}}
    refused = await gql(PUBLISH, variables)
    first = await gql(PUBLISH, variables, role=Role.LEADER)
    again = await gql(PUBLISH, {**variables, "v": item.version + 1}, role=Role.LEADER)
    assert refused["result"]["__typename"] == "ForbiddenError"
    assert first["result"]["__typename"] == "Accountability"
    assert again["result"]["__typename"] == "ValidationError"


# -- points entries ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "indicator", ["FINES_COLLECTED", "DETENTIONS", "CASE_COUNT", "RETURN_RATE", "CLEARANCE_RATE"]
)
async def test_earning_points_on_an_indicator_evaluation_must_not_use_is_refused(
    gql, runtime, indicator
):
    data = await gql(
        RECORD,
        {
            "officer": LEAD,
            "v": 0,
            "input": {"kind": "EARN", "amount": 5, "indicatorCode": indicator, "reason": "达标"},
        },
    )
    assert data["recordPointsEntry"]["__typename"] == "ValidationError"
    assert data["recordPointsEntry"]["field"] == "indicatorCode"
    ledger = (await gql(LEDGER, {"id": ledger_id(LEAD)}))["node"]
    assert ledger["version"] == 0


async def test_points_are_earned_and_offset_by_the_centre_version_by_version(gql, runtime):
    # given: 10 points deducted by a decision (ledger version 1)
    item = await decided(runtime)

    def entry(kind: str, amount: int, v: int, **extra: Any) -> dict[str, Any]:
        fields = {"kind": kind, "amount": amount, "reason": "受立案规范及时", **extra}
        return {"officer": LEAD, "v": v, "input": fields}

    # when
    earned = await gql(
        RECORD, entry("EARN", 6, 1, indicatorCode="FILING_ON_TIME", sourceId=gid(item))
    )
    stale = await gql(RECORD, entry("OFFSET", 6, 1))
    offset = await gql(RECORD, entry("OFFSET", 6, 2))
    forbidden = await gql(RECORD, entry("EARN", 1, 3, indicatorCode="X"), role=Role.LEADER)
    unknown = await gql(RECORD, {**entry("EARN", 1, 0, indicatorCode="X"), "officer": "P-NOBODY"})

    # then
    assert earned["recordPointsEntry"] == {
        "__typename": "PointsLedger",
        "officerCode": LEAD,
        "version": 2,
        "balance": -4,
        "earned": 6,
    }
    assert stale["recordPointsEntry"]["__typename"] == "ConflictError"
    assert stale["recordPointsEntry"]["currentVersion"] == 2
    assert offset["recordPointsEntry"]["balance"] == -4
    assert forbidden["recordPointsEntry"]["__typename"] == "ForbiddenError"
    assert unknown["recordPointsEntry"]["__typename"] == "NotFoundError"
    ledger = (await gql(LEDGER, {"id": ledger_id(LEAD)}))["node"]
    assert ledger["outstandingDeductions"] == 4
    assert [e["node"]["aggregateVersion"] for e in ledger["auditTrail"]["edges"]] == [1, 2, 3]
    assert ledger["entries"]["edges"][1]["node"]["sourceId"] == gid(item)


# -- scope -------------------------------------------------------------------------------------------

LIST = """
query List($filter: AccountabilityFilter) {
  accountabilities(first: 50, filter: $filter) { edges { node { id } } }
}
"""


async def test_a_handler_sees_only_its_subtrees_accountabilities(gql, runtime):
    # given
    item = await decided(runtime)

    # when
    own = await gql(LIST, {}, role=Role.HANDLER, unit="FT")
    other = await gql(LIST, {}, role=Role.HANDLER, unit="NS")
    other_one = await gql(ONE, {"id": gid(item)}, role=Role.HANDLER, unit="NS")
    node = await gql(
        "query N($id: ID!) { node(id: $id) { id } }",
        {"id": gid(item)},
        role=Role.HANDLER,
        unit="NS",
    )
    intake = await gql.post(LIST, {}, role=Role.INTAKE)

    # then
    assert [e["node"]["id"] for e in own["accountabilities"]["edges"]] == [gid(item)]
    assert other["accountabilities"]["edges"] == []
    assert other_one["accountability"] is None
    assert node["node"] is None
    assert intake.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_list_filters_by_status_unit_officer_and_lifelong(gql, runtime):
    # given
    decided_one = await decided(runtime)
    lifelong = await opened(runtime, culpability=Culpability.INTENT)

    async def ids(**filter: Any) -> set[str]:
        data = await gql(LIST, {"filter": filter})
        return {e["node"]["id"] for e in data["accountabilities"]["edges"]}

    # then
    assert await ids(status=["DECIDED"]) == {gid(decided_one)}
    assert await ids(lifelong=True) == {gid(lifelong)}
    assert await ids(lifelong=False) == {gid(decided_one)}
    assert await ids(unitCode="FT") == {gid(decided_one), gid(lifelong)}
    assert await ids(unitCode="NS") == set()
    assert await ids(officerCode=LEAD) == {gid(decided_one), gid(lifelong)}
    assert await ids(officerCode="P-NS-YH-001") == set()
