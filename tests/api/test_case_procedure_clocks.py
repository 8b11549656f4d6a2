"""The criminal-procedure clocks of migration 0008 over HTTP: started by the right event, met by
the recorded action, shown on `Case` with their basis, and counted in `overdue`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.actor import Role
from domain.case.status import CaseKind
from service import case as cases
from tests.api.test_case_support import (
    OUTCOME,
    accepted,
    call,
    gid,
    handler,
    send,
    with_measure,
)

pytestmark = pytest.mark.db

DUE = "ruleCode basis dueAt overdue satisfiedAt computation"
CASE = f"""
query Q($id: ID!) {{
  case(id: $id) {{
    version overdue
    notFilingNoticeDue {{ {DUE} }}
    reconsiderationWindow {{ {DUE} }}
    reconsiderationDecisionDue {{ {DUE} }}
    reviewWindow {{ {DUE} }}
    penaltyDecisionDue {{ {DUE} }}
    outsideJurisdiction {{ number transferredAt unit {{ code }} due {{ {DUE} }} }}
    measures {{ detentionSteps {{ step doneAt overdue due {{ {DUE} }} }} }}
    reconsideration {{ level outcome appliedAt extension {{ amount }} }}
    deadlines {{ kind }}
  }}
}}
"""
HANDLER = {"role": Role.HANDLER, "unit": "FT-XS"}


def _mutation(name: str, input_type: str | None) -> str:
    if input_type is None:
        head, args = "($id: ID!, $v: Int!)", "(id: $id, expectedVersion: $v)"
    else:
        head = f"($id: ID!, $v: Int!, $input: {input_type}!)"
        args = "(id: $id, expectedVersion: $v, input: $input)"
    return f"mutation M{head} {{ result: {name}{args} {{ ...Outcome }} }}\n" + OUTCOME


async def _case(gql, cid: str) -> dict[str, Any]:
    return (await gql(CASE, {"id": cid}))["case"]


async def _listed_overdue(gql) -> set[str]:
    query = "query { cases(filter: {overdue: true}) { edges { node { id } } } }"
    return {e["node"]["id"] for e in (await gql(query))["cases"]["edges"]}


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def test_not_filing_starts_the_notice_clock_and_serving_the_notice_meets_it(
    gql, runtime, clock
):
    # given: refused on Monday 2026-11-23
    case = await accepted(runtime)
    case = await cases.refuse_to_file(
        call(runtime, handler("FT-XS")), UUID(case.id), case.version, reason="没有犯罪事实"
    )
    cid = gid(case)
    shown = await _case(gql, cid)
    due = shown["notFilingNoticeDue"]
    assert due["ruleCode"] == "case.not_filing_notice.CRIMINAL"
    assert "art. 178" in due["basis"]
    assert shown["reconsiderationWindow"] is None

    # when: one instant before the limit, it is not overdue; at the limit it is
    clock.set(_at(due["dueAt"]) - timedelta(minutes=1))
    assert (await _case(gql, cid))["overdue"] is False
    assert cid not in await _listed_overdue(gql)

    # when: the notice is served in time
    result = await send(
        gql,
        _mutation("recordCaseNotFilingNotice", "RecordCaseNotFilingNoticeInput"),
        {"id": cid, "v": case.version, "input": {}},
        **HANDLER,
    )

    # then
    assert result["__typename"] == "Case", result
    assert result["version"] == case.version + 1
    clock.advance(timedelta(days=2))
    shown = await _case(gql, cid)
    assert shown["notFilingNoticeDue"]["satisfiedAt"] is not None
    assert shown["notFilingNoticeDue"]["overdue"] is False
    window = shown["reconsiderationWindow"]
    assert window["ruleCode"] == "case.not_filing_challenge.RECONSIDERATION_APPLICATION"
    assert shown["overdue"] is False


async def test_an_unserved_notice_makes_the_case_overdue_at_the_limit(gql, runtime, clock):
    case = await accepted(runtime)
    case = await cases.refuse_to_file(
        call(runtime, handler("FT-XS")), UUID(case.id), case.version, reason="没有犯罪事实"
    )
    cid = gid(case)
    due = _at((await _case(gql, cid))["notFilingNoticeDue"]["dueAt"])
    clock.set(due)
    assert (await _case(gql, cid))["overdue"] is True
    assert cid in await _listed_overdue(gql)


async def test_a_reconsideration_application_after_seven_days_is_a_validation_error(
    gql, runtime, clock
):
    # given: the notice served now
    case = await accepted(runtime)
    actor = call(runtime, handler("FT-XS"))
    case = await cases.refuse_to_file(actor, UUID(case.id), case.version, reason="没有犯罪事实")
    case = await cases.record_not_filing_notice(actor, UUID(case.id), case.version)
    cid = gid(case)
    closes = _at((await _case(gql, cid))["reconsiderationWindow"]["dueAt"])
    document = _mutation(
        "recordCaseReconsiderationApplication", "RecordCaseChallengeApplicationInput"
    )

    # when: recorded after the window, once dated at its close and once one instant before it
    clock.set(closes + timedelta(hours=1))
    late = await send(
        gql,
        document,
        {"id": cid, "v": case.version, "input": {"appliedAt": closes.isoformat()}},
        **HANDLER,
    )
    in_time = await send(
        gql,
        document,
        {
            "id": cid,
            "v": case.version,
            "input": {"appliedAt": (closes - timedelta(minutes=1)).isoformat()},
        },
        **HANDLER,
    )

    # then
    assert late["__typename"] == "ValidationError", late
    assert late["code"] == "VALIDATION"
    assert late["field"] == "appliedAt"
    assert in_time["__typename"] == "Case", in_time
    shown = await _case(gql, cid)
    assert shown["reconsideration"]["level"] == "RECONSIDERATION"
    decision = shown["reconsiderationDecisionDue"]
    assert decision["ruleCode"] == "case.not_filing_challenge.RECONSIDERATION_DECISION"
    assert "reconsiderationDecision" in {d["kind"] for d in shown["deadlines"]}

    # and the centre extends the decision once, then decides
    extended = await send(
        gql,
        _mutation("extendCaseReconsiderationLimit", "ExtendCaseChallengeInput"),
        {"id": cid, "v": case.version + 1, "input": {"days": 30, "reason": "案情重大、复杂"}},
    )
    assert extended["__typename"] == "Case", extended
    again = await send(
        gql,
        _mutation("extendCaseReconsiderationLimit", "ExtendCaseChallengeInput"),
        {"id": cid, "v": case.version + 2, "input": {"days": 1, "reason": "再次延长"}},
    )
    assert again["__typename"] == "ValidationError", again
    decided = await send(
        gql,
        _mutation("decideCaseReconsideration", "DecideCaseChallengeInput"),
        {"id": cid, "v": case.version + 2, "input": {"outcome": "UPHELD", "reason": "维持"}},
    )
    assert decided["__typename"] == "Case", decided
    shown = await _case(gql, cid)
    assert shown["reconsideration"]["outcome"] == "UPHELD"
    assert shown["reconsideration"]["extension"] == {"amount": 30}
    assert shown["reconsiderationDecisionDue"]["satisfiedAt"] is not None
    assert shown["reviewWindow"]["ruleCode"] == "case.not_filing_challenge.REVIEW_APPLICATION"
    # a handler may not decide
    forbidden = await send(
        gql,
        _mutation("decideCaseReview", "DecideCaseChallengeInput"),
        {"id": cid, "v": case.version + 3, "input": {"outcome": "UPHELD", "reason": "维持"}},
        **HANDLER,
    )
    assert forbidden["__typename"] == "ForbiddenError", forbidden


async def test_a_detention_shows_its_three_24_hour_steps_and_recording_one_meets_it(
    gql, runtime, clock
):
    # given
    case = await with_measure(runtime)
    cid = gid(case)
    (measure,) = (await _case(gql, cid))["measures"]
    steps = {s["step"]: s for s in measure["detentionSteps"]}
    assert set(steps) == {"SENT_TO_DETENTION_CENTRE", "FAMILY_NOTIFIED", "FIRST_INTERROGATION"}
    due = _at(steps["FAMILY_NOTIFIED"]["due"]["dueAt"])
    assert due == clock.now() + timedelta(hours=24)
    assert "art. 126–128" in steps["FAMILY_NOTIFIED"]["due"]["basis"]

    # when: the family is notified one instant before the limit
    clock.set(due - timedelta(minutes=1))
    result = await send(
        gql,
        _mutation("recordCaseDetentionStep", "RecordCaseDetentionStepInput"),
        {"id": cid, "v": case.version, "input": {"measureNumber": 1, "step": "FAMILY_NOTIFIED"}},
        **HANDLER,
    )
    assert result["__typename"] == "Case", result

    # then: at the limit the other two steps are overdue, and so is the case
    clock.set(due)
    shown = await _case(gql, cid)
    steps = {s["step"]: s for s in shown["measures"][0]["detentionSteps"]}
    assert steps["FAMILY_NOTIFIED"]["overdue"] is False
    assert steps["FAMILY_NOTIFIED"]["doneAt"] is not None
    assert steps["SENT_TO_DETENTION_CENTRE"]["overdue"] is True
    assert shown["overdue"] is True
    assert cid in await _listed_overdue(gql)


async def test_filing_an_administrative_case_starts_the_ninety_day_penalty_clock(gql, runtime):
    case = await accepted(runtime, kind=CaseKind.ADMINISTRATIVE)
    result = await send(
        gql, _mutation("fileCase", None), {"id": gid(case), "v": case.version}, **HANDLER
    )
    assert result["__typename"] == "Case", result
    due = (await _case(gql, gid(case)))["penaltyDecisionDue"]
    assert due["ruleCode"] == "case.penalty_decision.ADMINISTRATIVE"
    assert "行政处罚法 art. 60" in due["basis"]
    assert "90 calendar days" in due["computation"]

    criminal = await accepted(runtime)
    await cases.file(call(runtime, handler("FT-XS")), UUID(criminal.id), criminal.version)
    assert (await _case(gql, gid(criminal)))["penaltyDecisionDue"] is None


async def test_a_case_outside_jurisdiction_is_due_for_transfer_in_24_hours(gql, runtime, clock):
    case = await accepted(runtime)
    cid = gid(case)
    result = await send(
        gql,
        _mutation("markCaseOutsideJurisdiction", "ReasonInput"),
        {"id": cid, "v": case.version, "input": {"reason": "案发地属罗湖区"}},
        **HANDLER,
    )
    assert result["__typename"] == "Case", result
    (marking,) = (await _case(gql, cid))["outsideJurisdiction"]
    assert marking["unit"] == {"code": "FT-XS"}
    assert _at(marking["due"]["dueAt"]) == clock.now() + timedelta(hours=24)
    assert "art. 175" in marking["due"]["basis"]

    clock.advance(timedelta(hours=23))
    moved = await send(
        gql,
        _mutation("transferCase", "TransferCaseInput"),
        {"id": cid, "v": case.version + 1, "input": {"toUnitCode": "FT-SB", "reason": "移送"}},
        **HANDLER,
    )
    assert moved["__typename"] == "Case", moved
    clock.advance(timedelta(days=2))
    (marking,) = (await _case(gql, cid))["outsideJurisdiction"]
    assert marking["transferredAt"] is not None
    assert marking["due"]["overdue"] is False
