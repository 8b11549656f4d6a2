"""A case over HTTP from the push to conclusion, and its audit trail version by version."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from domain.actor import Role
from tests.api.test_case_support import OUTCOME, REGISTER, register_input, send, trail

pytestmark = pytest.mark.db


def _mutation(name: str, signature: str = "", arguments: str = "") -> str:
    return (
        f"mutation M($id: ID!, $v: Int!{signature}) {{\n"
        f"  result: {name}(id: $id, expectedVersion: $v{arguments}) {{ ...Outcome }}\n}}\n"
        + OUTCOME
    )


def _with_input(name: str, input_type: str) -> str:
    return _mutation(name, f", $input: {input_type}!", ", input: $input")


ACCEPT = _mutation("acceptCase")
FILE = _mutation("fileCase")
INVESTIGATE = _mutation("startInvestigatingCase")
CONCLUDE = _mutation("concludeCase")
TRANSFER = _with_input("transferCase", "TransferCaseInput")
REFUSE = _with_input("refuseCaseJurisdiction", "RefuseCaseJurisdictionInput")
DESIGNATE = _with_input("designateCaseJurisdiction", "DesignateCaseJurisdictionInput")
START_MEASURE = _with_input("startCaseMeasure", "StartCaseMeasureInput")
EXTEND_MEASURE = _with_input("extendCaseMeasure", "ExtendCaseMeasureInput")
END_MEASURE = _with_input("endCaseMeasure", "EndCaseMeasureInput")
REVISIT = _with_input("recordCaseRevisit", "RecordCaseRevisitInput")
START_TRACKING = _with_input("startCaseTracking", "StartCaseTrackingInput")
CLOSE_TRACKING = _with_input("closeCaseTracking", "CloseCaseTrackingInput")
EXTEND_HANDLING = _with_input("extendCaseHandlingLimit", "ExtendCaseHandlingLimitInput")
START_APPRAISAL = _with_input("startCaseAppraisal", "ReasonInput")
END_APPRAISAL = _mutation("endCaseAppraisal")

DEADLINE = "{ kind ruleCode basis startedAt dueAt extension computation overdue satisfiedAt }"
DETAIL = f"""
query Detail($id: ID!) {{
  case(id: $id) {{
    id version kind title stage correlationId jurisdictionDisputed overdue hasOpenMeasure
    unit {{ code name }}
    leadOfficer {{ code name }}
    acceptedAt closedAt
    stageHistory {{ stage at reason actor {{ subject role unit }} }}
    transfers {{ fromUnit {{ code }} toUnit {{ code }} reason actor {{ subject }} }}
    jurisdictionRefusals {{ unit {{ code }} reason actor {{ subject role }} }}
    jurisdictionDesignation {{ unit {{ code }} previousUnit {{ code }} reason }}
    measures {{
      number kind personLabel open inCustody overdue endReason
      extensions {{ amount reason rovingRepeatedOrGang }}
      due {DEADLINE}
    }}
    revisits {{ number outcome note actor {{ subject }} }}
    tracking {{
      open closingStandard closingNote
      cityDepartmentOfficer {{ code }} subBureauOfficer {{ code }} stationOfficer {{ code }}
    }}
    handlingDue {DEADLINE}
    firstRevisitDue {DEADLINE}
    secondRevisitDue {DEADLINE}
    deadlines {{ kind dueAt }}
    appraisals {{ reason endedAt }}
    handlingExtensions {{ amount reason }}
  }}
}}
"""

PUSHER = {"role": Role.INTEGRATION, "sub": "jingzong-push"}
SUPERVISOR = {"role": Role.SUPERVISOR, "sub": "supervisor-li"}
XS = {"role": Role.HANDLER, "unit": "FT-XS", "sub": "handler-xs-wang"}
SB = {"role": Role.HANDLER, "unit": "FT-SB", "sub": "handler-sb-zhao"}


async def _step(gql, document: str, cid: str, version: int, who: dict[str, Any], **input: Any):
    variables: dict[str, Any] = {"id": cid, "v": version}
    if input:
        variables["input"] = input
    result = await send(gql, document, variables, **who)
    assert result["__typename"] == "Case", result
    assert result["version"] == version + 1, result
    return result


async def _the_seed_story(gql, clock) -> str:
    """Pushed, bounced between stations, designated, then handled to conclusion."""
    pushed = await send(gql, REGISTER, {"input": register_input()}, **PUSHER)
    assert pushed["__typename"] == "Case", pushed
    cid = pushed["id"]
    steps: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
        (REFUSE, XS, {"reason": "案发地不在本所辖区"}),
        (TRANSFER, SUPERVISOR, {"toUnitCode": "FT-SB", "reason": "按案发地移送沙头派出所"}),
        (REFUSE, SB, {"reason": "报警人住址不在本所辖区"}),
        (DESIGNATE, SUPERVISOR, {"unitCode": "FT-XS", "reason": "首接单位管辖，指定香蜜湖派出所"}),
        (ACCEPT, XS, {}),
        (FILE, XS, {}),
        (INVESTIGATE, XS, {}),
        (START_MEASURE, XS, {"kind": "CRIMINAL_DETENTION", "personLabel": "嫌疑人甲"}),
        (EXTEND_MEASURE, XS, {"measureNumber": 1, "amount": 4, "reason": "案情复杂，经批准"}),
        (END_MEASURE, XS, {"measureNumber": 1, "reason": "检察院批准逮捕"}),
        (REVISIT, XS, {"outcome": "SATISFIED", "note": "电话回访报警人"}),
        (
            START_TRACKING,
            SUPERVISOR,
            {
                "cityDepartmentOfficerCode": "P-XZ-001",
                "subBureauOfficerCode": "P-FT-001",
                "stationOfficerCode": "P-FT-XS-001",
                "closingStandard": "破案并追回被盗财物",
            },
        ),
        (CLOSE_TRACKING, SUPERVISOR, {"note": "已破案，财物已发还"}),
        (CONCLUDE, XS, {}),
    ]
    version = 1
    for document, who, input in steps:
        clock.advance(timedelta(hours=1))
        result = await _step(gql, document, cid, version, who, **input)
        version = result["version"]
    return cid


async def test_a_pushed_case_goes_from_alert_to_conclusion_one_version_per_command(gql, clock):
    # given / when
    cid = await _the_seed_story(gql, clock)

    # then
    case = (await gql(DETAIL, {"id": cid}))["case"]
    assert (case["stage"], case["version"], case["unit"]["code"]) == ("CONCLUDED", 15, "FT-XS")
    assert case["leadOfficer"] == {"code": "P-FT-XS-001", "name": "王建国"}
    assert [s["stage"] for s in case["stageHistory"]] == [
        "ALERT_RECEIVED",
        "ACCEPTED",
        "FILED",
        "INVESTIGATING",
        "CONCLUDED",
    ]
    assert [s["actor"]["subject"] for s in case["stageHistory"]] == [
        "jingzong-push",
        *["handler-xs-wang"] * 4,
    ]
    assert [(t["fromUnit"]["code"], t["toUnit"]["code"]) for t in case["transfers"]] == [
        ("FT-XS", "FT-SB")
    ]
    assert [(r["unit"]["code"], r["actor"]["role"]) for r in case["jurisdictionRefusals"]] == [
        ("FT-XS", "handler"),
        ("FT-SB", "handler"),
    ]
    assert case["jurisdictionDesignation"]["unit"] == {"code": "FT-XS"}
    assert case["jurisdictionDesignation"]["previousUnit"] == {"code": "FT-SB"}
    assert case["jurisdictionDisputed"] is False
    (measure,) = case["measures"]
    assert (measure["kind"], measure["open"], measure["inCustody"], measure["overdue"]) == (
        "CRIMINAL_DETENTION",
        False,
        True,
        False,
    )
    assert measure["extensions"] == [
        {"amount": 4, "reason": "案情复杂，经批准", "rovingRepeatedOrGang": False}
    ]
    assert measure["due"]["ruleCode"] == "case.measure.CRIMINAL_DETENTION"
    assert "art. 129" in measure["due"]["basis"]
    assert measure["due"]["extension"] == 4
    assert measure["due"]["satisfiedAt"] is not None
    assert case["tracking"]["open"] is False
    assert case["tracking"]["cityDepartmentOfficer"] == {"code": "P-XZ-001"}
    assert case["tracking"]["stationOfficer"] == {"code": "P-FT-XS-001"}
    assert case["handlingDue"] is None  # criminal cases have no handling limit
    assert case["firstRevisitDue"]["satisfiedAt"] is not None
    assert case["secondRevisitDue"]["satisfiedAt"] is None
    assert {d["kind"] for d in case["deadlines"]} == {
        "firstRevisit",
        "secondRevisit",
        "measure.1",
        # the 24-hour steps after the detention (art. 126–128, migration 0008)
        "detention.1.SENT_TO_DETENTION_CENTRE",
        "detention.1.FAMILY_NOTIFIED",
        "detention.1.FIRST_INTERROGATION",
    }


async def test_the_audit_trail_of_a_case_is_its_versions_event_by_event(gql, clock):
    # given
    cid = await _the_seed_story(gql, clock)
    correlation = (await gql(DETAIL, {"id": cid}))["case"]["correlationId"]

    # when
    events = await trail(gql, cid, role=Role.AUDITOR)

    # then
    assert [e["eventType"] for e in events] == [
        "case.registered",
        "case.jurisdiction_refused",
        "case.transferred",
        "case.jurisdiction_refused",
        "case.jurisdiction_designated",
        "case.accepted",
        "case.filed",
        "case.investigation_started",
        "case.measure_started",
        "case.measure_extended",
        "case.measure_ended",
        "case.revisit_recorded",
        "case.tracking_started",
        "case.tracking_closed",
        "case.concluded",
    ]
    assert [e["aggregateVersion"] for e in events] == list(range(1, 16))
    assert {e["aggregateType"] for e in events} == {"case"}
    assert {e["correlationId"] for e in events} == {correlation}
    assert [e["ownerUnit"] for e in events[:6]] == [
        "FT-XS",
        "FT-XS",
        "FT-SB",
        "FT-SB",
        "FT-XS",
        "FT-XS",
    ]
    assert [(e["actor"]["subject"], e["actor"]["role"]) for e in events[:5]] == [
        ("jingzong-push", "integration"),
        ("handler-xs-wang", "handler"),
        ("supervisor-li", "supervisor"),
        ("handler-sb-zhao", "handler"),
        ("supervisor-li", "supervisor"),
    ]
    assert events[2]["reason"] == "按案发地移送沙头派出所"
    assert events[2]["payload"]["changes"]["unit"] == {"before": "FT-XS", "after": "FT-SB"}
    assert events[4]["payload"]["changes"]["jurisdictionDisputed"] == {
        "before": True,
        "after": False,
    }
    assert set(events[9]["payload"]["changes"]) == {"measure.1"}
    for event in events[1:]:
        for field, values in event["payload"]["changes"].items():
            assert values["before"] != values["after"], field


async def test_an_administrative_case_shows_its_handling_limit_paused_and_extended(gql, clock):
    # given: accepted on Monday 2026-11-23
    pushed = await send(
        gql,
        REGISTER,
        {"input": register_input(kind="ADMINISTRATIVE", title="华富街道打架斗殴")},
        **PUSHER,
    )
    cid = pushed["id"]
    await _step(gql, ACCEPT, cid, 1, XS)
    due = (await gql(DETAIL, {"id": cid}))["case"]["handlingDue"]
    assert due["ruleCode"] == "case.handling.ADMINISTRATIVE"
    assert "行政案件程序规定 art. 165" in due["basis"]
    assert due["dueAt"] == "2026-12-23T16:00:00.000000+00:00"  # end of 2026-12-23, Shanghai

    # when: an appraisal of five days, then the extension
    clock.advance(timedelta(days=2))
    await _step(gql, START_APPRAISAL, cid, 2, XS, reason="伤情鉴定")
    paused = (await gql(DETAIL, {"id": cid}))["case"]["handlingDue"]
    clock.advance(timedelta(days=5))
    await _step(gql, END_APPRAISAL, cid, 3, XS)
    await _step(gql, EXTEND_HANDLING, cid, 4, XS, days=30, reason="经上一级公安机关批准")

    # then
    case = (await gql(DETAIL, {"id": cid}))["case"]
    assert paused["dueAt"] is None
    assert "suspended" in paused["computation"]
    assert case["handlingDue"]["extension"] == 30
    assert "+ 30 extension + 5 days paused" in case["handlingDue"]["computation"]
    assert case["appraisals"][0]["endedAt"] is not None
    assert case["handlingExtensions"] == [{"amount": 30, "reason": "经上一级公安机关批准"}]
    assert case["overdue"] is False
