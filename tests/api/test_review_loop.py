"""A review over HTTP from its origin to closing, then its audit trail read back event by event."""

from __future__ import annotations

from typing import Any

import pytest

from domain.actor import Role
from domain.review.status import ReviewKind
from tests.api.support import gid, register, routed
from tests.api.test_review_fixtures import HOLDERS, inspection, signer
from tests.api.test_review_fixtures import rid as review_gid

pytestmark = pytest.mark.db

OUTCOME = """
fragment Outcome on ReviewChangeResult {
  __typename
  ... on Review { id version status correlationId }
  ... on Error { code message }
  ... on ValidationError { field }
}
"""
OPEN = """
mutation Open($input: OpenReviewInput!) {
  openReview(input: $input) {
    __typename
    ... on Review {
      id version status kind subject correlationId
      unit { code }
      origin { kind itemId inspectionMethod description item { __typename id } }
      signoffPlan { stepNo roleTag label responsibility }
      signoff { round }
    }
    ... on Error { code message }
    ... on ValidationError { field }
  }
}
"""
ASSIGN = (
    """
mutation Assign($id: ID!, $v: Int!, $codes: [String!]!) {
  r: assignReviewVerifiers(id: $id, expectedVersion: $v, input: {officerCodes: $codes}) {
    ...Outcome
  }
}
"""
    + OUTCOME
)
EVIDENCE = (
    """
mutation Evidence($id: ID!, $v: Int!, $input: AddReviewEvidenceInput!) {
  r: addReviewEvidence(id: $id, expectedVersion: $v, input: $input) { ...Outcome }
}
"""
    + OUTCOME
)
FINDING = (
    """
mutation Finding($id: ID!, $v: Int!, $input: RecordReviewFindingInput!) {
  r: recordReviewFinding(id: $id, expectedVersion: $v, input: $input) { ...Outcome }
}
"""
    + OUTCOME
)
RECTIFY = (
    """
mutation Rectify($id: ID!, $v: Int!, $input: AddReviewRectificationInput!) {
  r: addReviewRectification(id: $id, expectedVersion: $v, input: $input) { ...Outcome }
}
"""
    + OUTCOME
)
DONE = (
    """
mutation Done($id: ID!, $v: Int!, $input: ReportRectificationDoneInput!) {
  r: reportRectificationDone(id: $id, expectedVersion: $v, input: $input) { ...Outcome }
}
"""
    + OUTCOME
)
CLOSE_OFF = (
    """
mutation CloseOff($id: ID!, $v: Int!, $input: CloseOffRectificationInput!) {
  r: closeOffRectification(id: $id, expectedVersion: $v, input: $input) { ...Outcome }
}
"""
    + OUTCOME
)
RECOMMEND = (
    """
mutation Recommend($id: ID!, $v: Int!, $input: IssueSupervisionRecommendationInput!) {
  r: issueSupervisionRecommendation(id: $id, expectedVersion: $v, input: $input) { ...Outcome }
}
"""
    + OUTCOME
)
RESPOND = (
    """
mutation Respond($id: ID!, $v: Int!, $input: RecordRecommendationResponseInput!) {
  r: recordRecommendationResponse(id: $id, expectedVersion: $v, input: $input) { ...Outcome }
}
"""
    + OUTCOME
)
START = (
    """
mutation Start($id: ID!, $v: Int!, $input: StartReviewSignoffInput!) {
  r: startReviewSignoff(id: $id, expectedVersion: $v, input: $input) { ...Outcome }
}
"""
    + OUTCOME
)
SIGN = (
    """
mutation Sign($id: ID!, $v: Int!, $input: SignReviewStepInput!) {
  r: signReviewStep(id: $id, expectedVersion: $v, input: $input) { ...Outcome }
}
"""
    + OUTCOME
)
CLOSE = (
    """
mutation Close($id: ID!, $v: Int!) {
  r: closeReview(id: $id, expectedVersion: $v) { ...Outcome }
}
"""
    + OUTCOME
)
EVALUATE = (
    """
mutation Evaluate($id: ID!, $v: Int!, $input: RecordReviewEvaluationInput!) {
  r: recordReviewEvaluation(id: $id, expectedVersion: $v, input: $input) { ...Outcome }
}
"""
    + OUTCOME
)
READ = """
query Read($id: ID!) {
  review(id: $id) {
    id version status correlationId verifierCodes
    verifiers { code name }
    evidence { no description attachmentSha256 }
    finding { result nature summary referral }
    rectifications {
      no status requirement ownerUnit { code } verifyingUnit { code } closedOffByUnitCode
      due { ruleCode basis computation dueAt overdue satisfiedAt }
    }
    recommendations { no status response unit { code } responseDue { ruleCode dueAt overdue } }
    signoff {
      round currentStepNo signedOffAt
      steps { stepNo roleTag label responsibility holderCode holder { code name } decision }
    }
    deadlines { kind ruleCode }
    overdue
  }
}
"""
TRAIL = """
query Trail($id: ID!) {
  auditTrail(aggregateId: $id, first: 100) {
    edges { node { eventType aggregateVersion correlationId actor { role officer } } }
  }
}
"""
FEED = """
query Feed($correlation: ID!) {
  auditEvents(first: 100, filter: {correlationId: $correlation}) {
    edges { node { aggregateType eventType } }
  }
}
"""


async def _change(gql, document: str, variables: dict[str, Any], **who: Any) -> dict[str, Any]:
    data = await gql(document, variables, **who)
    result = data["r"]
    assert result["__typename"] == "Review", result
    return result


async def test_a_review_opened_from_a_complaint_joins_the_complaints_loop(gql, runtime):
    # given
    complaint = await routed(runtime, "FT")

    # when
    data = await gql(
        OPEN,
        {
            "input": {
                "kind": "VERIFICATION",
                "subject": "倒查三个派出所互相推诿",
                "unitCode": "FT",
                "originId": gid(complaint),
            }
        },
    )

    # then
    review = data["openReview"]
    assert review["__typename"] == "Review"
    assert review["correlationId"] == str(complaint.correlation)
    assert review["version"] == 1
    assert review["status"] == "OPEN"
    assert review["unit"] == {"code": "FT"}
    assert review["origin"] == {
        "kind": "COMPLAINT",
        "itemId": gid(complaint),
        "inspectionMethod": None,
        "description": None,
        "item": {"__typename": "Complaint", "id": gid(complaint)},
    }
    assert [s["roleTag"] for s in review["signoffPlan"]] == [
        "HANDLING_OFFICER",
        "UNIT_LEADER",
        "LEGAL_SUPERVISOR",
        "LEGAL_OFFICER",
        "BUREAU_LEADER",
    ]
    assert [s["responsibility"] for s in review["signoffPlan"]] == [
        "HANDLER",
        "REVIEWER",
        "REVIEWER",
        "REVIEWER",
        "APPROVER",
    ]
    assert review["signoff"] is None
    feed = await gql(FEED, {"correlation": str(complaint.correlation)})
    assert [e["node"]["aggregateType"] for e in feed["auditEvents"]["edges"]] == [
        "complaint",
        "complaint",
        "review",
    ]


async def test_a_review_inherits_the_correlation_of_the_origins_latest_event(gql, runtime):
    # given: a complaint merged into another carries its own loop id on its events
    complaint = await register(runtime)

    # when
    data = await gql(
        OPEN,
        {
            "input": {
                "kind": "LEGAL_REVIEW",
                "subject": "法制审核",
                "unitCode": "FT-XS",
                "originId": gid(complaint),
            }
        },
    )

    # then
    assert data["openReview"]["correlationId"] == str(complaint.correlation)


async def test_an_inspection_review_starts_a_loop_of_its_own(gql, runtime):
    # given
    complaint = await routed(runtime, "FT")

    # when
    data = await gql(
        OPEN,
        {
            "input": {
                "kind": "VERIFICATION",
                "subject": "飞行临检发现问题",
                "unitCode": "FT-SB",
                "inspection": {"method": "SURPRISE_INSPECTION", "description": "夜间飞行临检"},
            }
        },
    )
    again = await gql(
        OPEN,
        {
            "input": {
                "kind": "VERIFICATION",
                "subject": "飞行临检发现问题",
                "unitCode": "FT-SB",
                "inspection": {"method": "SURPRISE_INSPECTION", "description": "夜间飞行临检"},
            }
        },
    )

    # then
    review = data["openReview"]
    assert review["origin"] == {
        "kind": "INSPECTION",
        "itemId": None,
        "inspectionMethod": "SURPRISE_INSPECTION",
        "description": "夜间飞行临检",
        "item": None,
    }
    correlations = {review["correlationId"], again["openReview"]["correlationId"]}
    assert len(correlations) == 2
    assert str(complaint.correlation) not in correlations


async def test_the_whole_verification_loop_over_http_and_its_audit_trail(gql, runtime):
    # given
    complaint = await routed(runtime, "FT")
    opened = await gql(
        OPEN,
        {
            "input": {
                "kind": "VERIFICATION",
                "subject": "倒查三个派出所互相推诿",
                "unitCode": "FT",
                "originId": gid(complaint),
            }
        },
    )
    rid = opened["openReview"]["id"]
    v = 1

    async def step(document: str, input: dict[str, Any] | None = None, **who: Any) -> None:
        nonlocal v
        variables: dict[str, Any] = {"id": rid, "v": v}
        if input is not None:
            variables["input"] = input
        result = await _change(gql, document, variables, **who)
        assert result["version"] == v + 1
        v = result["version"]

    # when: verify, conclude, rectify, recommend, sign off, close
    data = await gql(ASSIGN, {"id": rid, "v": v, "codes": ["P-JDZX-001", "P-DC-001"]})
    assert data["r"]["status"] == "VERIFYING"
    v = data["r"]["version"]
    await step(EVIDENCE, {"description": "接处警录音", "attachmentSha256": "0f" * 32})
    await step(
        FINDING,
        {"finding": "PARTLY_SUBSTANTIATED", "nature": "FAULT", "summary": "推诿部分属实"},
    )
    await step(
        RECTIFY,
        {"ownerUnitCode": "FT-XS", "verifyingUnitCode": "SZ-DC", "requirement": "建立首接责任制"},
    )
    await step(
        DONE,
        {"rectificationNo": 1, "note": "已建立制度"},
        role=Role.HANDLER,
        unit="FT-XS",
    )
    await step(
        CLOSE_OFF,
        {"rectificationNo": 1, "comment": "验收合格"},
        role=Role.HANDLER,
        unit="SZ-DC",
    )
    await step(RECOMMEND, {"unitCode": "FT", "content": "建议明确指定管辖"})
    await step(
        RESPOND,
        {"recommendationNo": 1, "response": "已出台指定管辖规定"},
        role=Role.HANDLER,
        unit="FT",
    )
    await step(
        START,
        {"holders": [{"stepNo": n, "officerCode": code} for n, code in HOLDERS.items()]},
    )
    for n in range(1, 6):
        await step(SIGN, {"stepNo": n, "decision": "APPROVE"}, **signer(n))
    read = (await gql(READ, {"id": rid}))["review"]
    await step(CLOSE)

    # then
    assert read["status"] == "SIGNED_OFF"
    assert read["verifierCodes"] == ["P-JDZX-001", "P-DC-001"]
    assert [o["code"] for o in read["verifiers"]] == ["P-JDZX-001", "P-DC-001"]
    assert read["evidence"] == [
        {"no": 1, "description": "接处警录音", "attachmentSha256": "0f" * 32}
    ]
    assert read["finding"] == {
        "result": "PARTLY_SUBSTANTIATED",
        "nature": "FAULT",
        "summary": "推诿部分属实",
        "referral": "ACCOUNTABILITY",
    }
    (rect,) = read["rectifications"]
    assert rect["status"] == "CLOSED_OFF"
    assert rect["ownerUnit"] == {"code": "FT-XS"}
    assert rect["verifyingUnit"] == {"code": "SZ-DC"}
    assert rect["closedOffByUnitCode"] == "SZ-DC"
    assert rect["due"]["ruleCode"] == "review.rectification.DEFAULT"
    assert "30 calendar days" in rect["due"]["computation"]
    assert rect["due"]["overdue"] is False
    assert rect["due"]["satisfiedAt"] is not None
    (letter,) = read["recommendations"]
    assert letter["status"] == "RESPONDED"
    assert letter["unit"] == {"code": "FT"}
    assert letter["responseDue"]["ruleCode"] == "review.recommendation_response.DEFAULT"
    assert read["signoff"]["round"] == 1
    assert read["signoff"]["currentStepNo"] is None
    assert read["signoff"]["signedOffAt"] is not None
    assert [
        (s["stepNo"], s["holder"]["code"], s["decision"]) for s in read["signoff"]["steps"]
    ] == [(n, HOLDERS[n], "APPROVED") for n in range(1, 6)]
    assert [d["kind"] for d in read["deadlines"]] == ["rectification.1", "recommendation.1"]
    assert read["overdue"] is False

    trail = (await gql(TRAIL, {"id": rid}))["auditTrail"]["edges"]
    events = [e["node"] for e in trail]
    assert [e["aggregateVersion"] for e in events] == list(range(1, v + 1))
    assert [e["eventType"] for e in events] == [
        "review.opened",
        "review.verifiers_assigned",
        "review.evidence_added",
        "review.finding_recorded",
        "review.rectification_added",
        "review.rectification_done_reported",
        "review.rectification_closed_off",
        "review.recommendation_issued",
        "review.recommendation_responded",
        "review.signoff_started",
        "review.step_approved",
        "review.step_approved",
        "review.step_approved",
        "review.step_approved",
        "review.signed_off",
        "review.closed",
    ]
    assert {e["correlationId"] for e in events} == {str(complaint.correlation)}
    # Each signature is recorded with the officer the token's account maps to.
    signed = [e["actor"]["officer"] for e in events if e["eventType"].startswith("review.s")]
    assert signed[1:] == [HOLDERS[n] for n in range(1, 6)]


async def test_a_case_quality_evaluation_is_recorded_and_closed_without_a_chain(gql, runtime):
    # given
    data = await gql(
        OPEN,
        {
            "input": {
                "kind": "CASE_QUALITY_EVALUATION",
                "subject": "2026年第四季度执法质量考评",
                "unitCode": "FT-XS",
                "inspection": {"method": "SPECIAL_EVALUATION", "description": "专项评查"},
            }
        },
    )
    rid = data["openReview"]["id"]
    assert data["openReview"]["signoffPlan"] == []

    # when
    evaluated = await _change(
        gql,
        EVALUATE,
        {
            "id": rid,
            "v": 1,
            "input": {
                "scores": [
                    {"criterionCode": "FILING", "score": 19, "max": 20},
                    {"criterionCode": "EVIDENCE", "score": 28.5, "max": 30},
                ],
                "rating": "EXCELLENT",
            },
        },
        role=Role.LEGAL,
    )
    closed = await _change(gql, CLOSE, {"id": rid, "v": 2})

    # then
    assert evaluated["status"] == "CONCLUDED"
    assert closed["status"] == "CLOSED"
    found = await gql(
        "query($id: ID!) { review(id: $id) { evaluation { total maxTotal rating scores { criterionCode score max } } } }",
        {"id": rid},
    )
    assert found["review"]["evaluation"] == {
        "total": 47.5,
        "maxTotal": 50.0,
        "rating": "EXCELLENT",
        "scores": [
            {"criterionCode": "FILING", "score": 19.0, "max": 20.0},
            {"criterionCode": "EVIDENCE", "score": 28.5, "max": 30.0},
        ],
    }


async def test_a_return_over_http_starts_a_new_round_that_keeps_the_first(gql, runtime):
    # given: a legal review in its chain, the handling officer has approved
    review = await inspection(runtime, kind=ReviewKind.LEGAL_REVIEW)
    rid = review_gid(review)
    v = review.version
    started = await _change(
        gql,
        START,
        {
            "id": rid,
            "v": v,
            "input": {"holders": [{"stepNo": n, "officerCode": c} for n, c in HOLDERS.items()]},
        },
    )
    approved = await _change(
        gql,
        SIGN,
        {"id": rid, "v": started["version"], "input": {"stepNo": 1, "decision": "APPROVE"}},
        **signer(1),
    )

    # when: the unit leader returns it
    returned = await _change(
        gql,
        SIGN,
        {
            "id": rid,
            "v": approved["version"],
            "input": {"stepNo": 2, "decision": "RETURN", "comment": "处罚幅度不当"},
        },
        **signer(2),
    )

    # then
    assert returned["status"] == "IN_SIGNOFF"
    history = await gql(
        "query($id: ID!) { review(id: $id) { signoff { round currentStepNo "
        "history { round stepNo decision comment } } } }",
        {"id": rid},
    )
    signoff = history["review"]["signoff"]
    assert signoff["round"] == 2
    assert signoff["currentStepNo"] == 1
    assert [(s["round"], s["stepNo"], s["decision"]) for s in signoff["history"]] == [
        (1, 1, "APPROVED"),
        (1, 2, "RETURNED"),
        (1, 3, "NOT_REACHED"),
        (1, 4, "NOT_REACHED"),
        (1, 5, "NOT_REACHED"),
        *[(2, n, "PENDING") for n in range(1, 6)],
    ]
    assert signoff["history"][1]["comment"] == "处罚幅度不当"
