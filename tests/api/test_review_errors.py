"""Every review mutation fails with a typed error in its result union, never a stack trace."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import pytest

from api.relay import to_global_id
from domain.actor import Actor, Role
from domain.review.aggregate import Review
from domain.review.status import Rating, ReviewKind
from service import review as reviews
from service.context import Runtime
from tests.api.support import assert_no_traceback, gid, routed
from tests.api.test_review_fixtures import (
    HOLDERS,
    call,
    concluded,
    evaluated,
    handler,
    in_signoff,
    inspection,
    rectification_done,
    rid,
    signer,
    with_recommendation,
    with_rectification,
)

pytestmark = pytest.mark.db

OUTCOME = """
fragment Outcome on ReviewChangeResult {
  __typename
  ... on Review { id version status }
  ... on Error { code message }
  ... on ValidationError { field }
  ... on ConflictError { currentVersion }
  ... on InvalidTransitionError { currentStatus attempted allowedNextStatuses }
}
"""


def _document(mutation: str, input_type: str | None) -> str:
    if input_type is None:
        return (
            f"mutation M($id: ID!, $v: Int!) {{ r: {mutation}(id: $id, expectedVersion: $v) "
            "{ ...Outcome } }" + OUTCOME
        )
    return (
        f"mutation M($id: ID!, $v: Int!, $input: {input_type}!) "
        f"{{ r: {mutation}(id: $id, expectedVersion: $v, input: $input) {{ ...Outcome }} }}"
        + OUTCOME
    )


Setup = Callable[[Runtime], Awaitable[Review]]


async def _open(runtime: Runtime) -> Review:
    return await inspection(runtime)


async def _verifying(runtime: Runtime) -> Review:
    review = await inspection(runtime)
    review = await reviews.assign_verifiers(
        call(runtime), UUID(review.id), review.version, officer_codes=("P-DC-001",)
    )
    return await reviews.add_evidence(
        call(runtime), UUID(review.id), review.version, description="笔录", attachment_sha256=None
    )


async def _concluded(runtime: Runtime) -> Review:
    return await concluded(runtime, await inspection(runtime))


async def _rectification(runtime: Runtime) -> Review:
    return await with_rectification(runtime, await _concluded(runtime), watch_days=30)


async def _done(runtime: Runtime) -> Review:
    return await rectification_done(runtime, await _rectification(runtime))


async def _closed_off(runtime: Runtime) -> Review:
    review = await _done(runtime)
    return await reviews.close_off_rectification(
        call(runtime, handler("SZ-DC")), UUID(review.id), review.version, no=1, comment=None
    )


async def _in_signoff(runtime: Runtime) -> Review:
    return await in_signoff(runtime, await _concluded(runtime))


async def _signed_off(runtime: Runtime) -> Review:
    review = await _in_signoff(runtime)
    for n, code in HOLDERS.items():
        holder = Actor(subject=f"holder-{n}", role=Role.LEGAL, officer=code)
        review = await reviews.sign_step(
            call(runtime, holder),
            UUID(review.id),
            review.version,
            step_no=n,
            approve=True,
            comment=None,
        )
    return review


async def _evaluation(runtime: Runtime) -> Review:
    return await inspection(runtime, kind=ReviewKind.CASE_QUALITY_EVALUATION)


async def _evaluated(runtime: Runtime) -> Review:
    return await evaluated(runtime, unit="FT", rating=Rating.QUALIFIED)


async def _letter(runtime: Runtime) -> Review:
    return await with_recommendation(runtime, await _concluded(runtime))


async def _answered(runtime: Runtime) -> Review:
    review = await _letter(runtime)
    return await reviews.record_recommendation_response(
        call(runtime, handler("FT")), UUID(review.id), review.version, no=1, response="已答复"
    )


async def _evaluated_with_letter(runtime: Runtime) -> Review:
    return await with_recommendation(runtime, await _evaluated(runtime))


@dataclass(frozen=True)
class Change:
    """A change mutation: valid input, who may run it, and how to make it fail each way."""

    mutation: str
    input_type: str | None
    input: dict[str, Any] | None
    ready: Setup
    who: dict[str, Any] = field(default_factory=dict)
    invalid: dict[str, Any] = field(default_factory=dict)  # input overrides
    invalid_field: str = ""
    invalid_ready: Setup | None = None
    refused_ready: Setup = _open  # a state from which the command is refused
    refused_status: str = "OPEN"

    @property
    def document(self) -> str:
        return _document(self.mutation, self.input_type)

    def variables(self, review_id: str, version: int, **overrides: Any) -> dict[str, Any]:
        variables: dict[str, Any] = {"id": review_id, "v": version}
        if self.input is not None:
            variables["input"] = {**self.input, **overrides}
        return variables


SUPERVISOR: dict[str, Any] = {"role": Role.SUPERVISOR}
HOLDER_INPUT = [{"stepNo": n, "officerCode": c} for n, c in HOLDERS.items()]
CHANGES: dict[str, Change] = {
    "assignReviewVerifiers": Change(
        "assignReviewVerifiers",
        "AssignReviewVerifiersInput",
        {"officerCodes": ["P-DC-001"]},
        _open,
        SUPERVISOR,
        {"officerCodes": ["P-NOBODY"]},
        "officerCodes",
        refused_ready=_concluded,
        refused_status="CONCLUDED",
    ),
    "addReviewEvidence": Change(
        "addReviewEvidence",
        "AddReviewEvidenceInput",
        {"description": "询问笔录"},
        _open,
        SUPERVISOR,
        {"attachmentSha256": "not-a-digest"},
        "attachmentSha256",
        refused_ready=_signed_off,
        refused_status="SIGNED_OFF",
    ),
    "recordReviewFinding": Change(
        "recordReviewFinding",
        "RecordReviewFindingInput",
        {"finding": "SUBSTANTIATED", "nature": "FLAW", "summary": "属实"},
        _verifying,
        SUPERVISOR,
        {"nature": "NONE"},
        "nature",
    ),
    "addReviewRectification": Change(
        "addReviewRectification",
        "AddReviewRectificationInput",
        {"ownerUnitCode": "FT-XS", "verifyingUnitCode": "SZ-DC", "requirement": "整改"},
        _concluded,
        SUPERVISOR,
        {"verifyingUnitCode": "FT-XS"},
        "verifyingUnitCode",
    ),
    "reportRectificationDone": Change(
        "reportRectificationDone",
        "ReportRectificationDoneInput",
        {"rectificationNo": 1, "note": "已整改"},
        _rectification,
        {"role": Role.HANDLER, "unit": "FT-XS"},
        {"note": "   "},
        "note",
        refused_ready=_done,
        refused_status="DONE_REPORTED",
    ),
    "closeOffRectification": Change(
        "closeOffRectification",
        "CloseOffRectificationInput",
        {"rectificationNo": 1, "comment": "验收合格"},
        _done,
        {"role": Role.HANDLER, "unit": "SZ-DC"},
        {"rectificationNo": 9},
        "rectificationNo",
        refused_ready=_rectification,
        refused_status="OPEN",
    ),
    "returnRectification": Change(
        "returnRectification",
        "ReturnRectificationInput",
        {"rectificationNo": 1, "comment": "整改不到位"},
        _done,
        {"role": Role.HANDLER, "unit": "SZ-DC"},
        {"comment": " "},
        "comment",
        refused_ready=_rectification,
        refused_status="OPEN",
    ),
    "reportRectificationRecurrence": Change(
        "reportRectificationRecurrence",
        "ReportRectificationRecurrenceInput",
        {"rectificationNo": 1, "note": "问题反弹"},
        _closed_off,
        SUPERVISOR,
        {"dueDate": "2026-01-01"},
        "dueDate",
        refused_ready=_rectification,
        refused_status="OPEN",
    ),
    "startReviewSignoff": Change(
        "startReviewSignoff",
        "StartReviewSignoffInput",
        {"holders": HOLDER_INPUT},
        _concluded,
        SUPERVISOR,
        {"holders": HOLDER_INPUT[:4]},
        "holders",
    ),
    "signReviewStep": Change(
        "signReviewStep",
        "SignReviewStepInput",
        {"stepNo": 1, "decision": "APPROVE"},
        _in_signoff,
        signer(1),
        {"stepNo": 2},
        "stepNo",
        refused_ready=_signed_off,
        refused_status="SIGNED_OFF",
    ),
    "recordReviewEvaluation": Change(
        "recordReviewEvaluation",
        "RecordReviewEvaluationInput",
        {
            "scores": [{"criterionCode": "FILING", "score": 18, "max": 20}],
            "rating": "QUALIFIED",
        },
        _evaluation,
        {"role": Role.LEGAL},
        {"scores": [{"criterionCode": "FILING", "score": 21, "max": 20}]},
        "scores",
    ),
    "issueSupervisionRecommendation": Change(
        "issueSupervisionRecommendation",
        "IssueSupervisionRecommendationInput",
        {"unitCode": "FT", "content": "建议完善指定管辖制度"},
        _concluded,
        SUPERVISOR,
        {"unitCode": "NOWHERE"},
        "unitCode",
    ),
    "recordRecommendationResponse": Change(
        "recordRecommendationResponse",
        "RecordRecommendationResponseInput",
        {"recommendationNo": 1, "response": "已出台规定"},
        _letter,
        {"role": Role.HANDLER, "unit": "FT"},
        {"response": "  "},
        "response",
        refused_ready=_answered,
        refused_status="RESPONDED",
    ),
    "closeReview": Change(
        "closeReview",
        None,
        None,
        _evaluated,
        SUPERVISOR,
        invalid_field="recommendations",
        invalid_ready=_evaluated_with_letter,
    ),
}
NAMES = list(CHANGES)


async def _send(gql, change: Change, variables: dict[str, Any], **who: Any) -> dict[str, Any]:
    response = await gql.post(change.document, variables, **who)
    assert_no_traceback(response)
    body = response.json()
    assert not body.get("errors"), body
    result: dict[str, Any] = body["data"]["r"]
    return result


@pytest.mark.parametrize("name", NAMES)
async def test_the_mutation_succeeds_for_whoever_may_run_it(gql, runtime, name):
    # given
    change = CHANGES[name]
    review = await change.ready(runtime)

    # when
    result = await _send(gql, change, change.variables(rid(review), review.version), **change.who)

    # then
    assert result["__typename"] == "Review", result
    assert result["version"] == review.version + 1


@pytest.mark.parametrize("name", NAMES)
async def test_an_unknown_review_is_not_found(gql, name):
    # given
    change = CHANGES[name]
    missing = to_global_id("Review", str(uuid.uuid4()))

    # when
    result = await _send(gql, change, change.variables(missing, 1), **change.who)
    garbled = await _send(gql, change, change.variables("not-an-id", 1), **change.who)

    # then
    assert result["__typename"] == "NotFoundError"
    assert result["code"] == "NOT_FOUND"
    assert garbled["code"] == "NOT_FOUND"


@pytest.mark.parametrize("name", NAMES)
async def test_another_kind_of_global_id_is_not_a_review(gql, runtime, name):
    # given
    change = CHANGES[name]
    complaint = await routed(runtime, "FT")

    # when
    result = await _send(gql, change, change.variables(gid(complaint), 1), **change.who)

    # then
    assert result["code"] == "NOT_FOUND"


@pytest.mark.parametrize("name", NAMES)
async def test_a_stale_expected_version_is_a_conflict_naming_the_current_one(gql, runtime, name):
    # given
    change = CHANGES[name]
    review = await change.ready(runtime)

    # when
    result = await _send(
        gql, change, change.variables(rid(review), review.version - 1), **change.who
    )

    # then
    assert result["__typename"] == "ConflictError"
    assert result["currentVersion"] == review.version


@pytest.mark.parametrize("name", NAMES)
async def test_an_auditor_is_forbidden_to_change_anything(gql, runtime, name):
    # given
    change = CHANGES[name]
    review = await change.ready(runtime)

    # when
    result = await _send(
        gql, change, change.variables(rid(review), review.version), role=Role.AUDITOR
    )

    # then
    assert result["__typename"] == "ForbiddenError"
    assert result["code"] == "FORBIDDEN"
    assert "auditor" in result["message"]


@pytest.mark.parametrize("name", NAMES)
async def test_invalid_input_is_a_validation_error_naming_the_field(gql, runtime, name):
    # given
    change = CHANGES[name]
    review = await (change.invalid_ready or change.ready)(runtime)

    # when
    result = await _send(
        gql, change, change.variables(rid(review), review.version, **change.invalid), **change.who
    )

    # then
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == change.invalid_field


@pytest.mark.parametrize("name", NAMES)
async def test_a_command_out_of_turn_is_an_invalid_transition(gql, runtime, name):
    # given
    change = CHANGES[name]
    review = await change.refused_ready(runtime)

    # when
    result = await _send(gql, change, change.variables(rid(review), review.version), **change.who)

    # then
    assert result["__typename"] == "InvalidTransitionError", result
    assert result["currentStatus"] == change.refused_status
    assert result["attempted"]


# -- who acts for which unit ---------------------------------------------------------------------------


async def test_the_owner_unit_may_not_close_off_its_own_rectification(gql, runtime):
    # given
    change = CHANGES["closeOffRectification"]
    review = await _done(runtime)

    # when
    own = await _send(
        gql, change, change.variables(rid(review), review.version), role=Role.HANDLER, unit="FT-XS"
    )
    parent = await _send(
        gql, change, change.variables(rid(review), review.version), role=Role.HANDLER, unit="FT"
    )

    # then: FT-XS owns it; FT sees it (its subtree) but is neither verifier nor independent
    assert own["__typename"] == "ForbiddenError"
    assert parent["__typename"] == "ForbiddenError"


async def test_only_the_owner_unit_reports_its_rectification_done(gql, runtime):
    # given
    change = CHANGES["reportRectificationDone"]
    review = await _rectification(runtime)

    # when: the verifying unit sees the review, but does not own the item
    result = await _send(
        gql, change, change.variables(rid(review), review.version), role=Role.HANDLER, unit="SZ-DC"
    )

    # then
    assert result["__typename"] == "ForbiddenError"


async def test_the_centre_closes_off_when_no_verifying_unit_is_named(gql, runtime):
    # given
    change = CHANGES["closeOffRectification"]
    review = await rectification_done(
        runtime, await with_rectification(runtime, await _concluded(runtime), verifier=None)
    )

    # when
    by_handler = await _send(
        gql, change, change.variables(rid(review), review.version), role=Role.HANDLER, unit="SZ-DC"
    )
    by_centre = await _send(gql, change, change.variables(rid(review), review.version))

    # then: SZ-DC does not even see this review (no item of its own)
    assert by_handler["__typename"] == "NotFoundError"
    assert by_centre["__typename"] == "Review"


async def test_only_the_recommendations_unit_answers_it(gql, runtime):
    # given: the letter goes to FT-SB; FT-XS owns a rectification in the same review
    change = CHANGES["recordRecommendationResponse"]
    review = await with_rectification(runtime, await _concluded(runtime))
    review = await with_recommendation(runtime, review, unit="FT-SB")

    # when
    other = await _send(
        gql, change, change.variables(rid(review), review.version), role=Role.HANDLER, unit="FT-XS"
    )
    own = await _send(
        gql, change, change.variables(rid(review), review.version), role=Role.HANDLER, unit="FT-SB"
    )

    # then
    assert other["__typename"] == "ForbiddenError"
    assert own["__typename"] == "Review"


async def test_a_step_is_signed_only_by_its_holder(gql, runtime):
    # given: step 1 is held by P-FT-XS-001 (account wangjg)
    change = CHANGES["signReviewStep"]
    review = await _in_signoff(runtime)
    variables = change.variables(rid(review), review.version)

    # when
    legal_not_holder = await _send(gql, change, variables, role=Role.LEGAL, sub="huangj")
    no_officer = await _send(gql, change, variables, role=Role.LEADER, sub="nobody")
    holder = await _send(gql, change, variables, role=Role.HANDLER, unit="FT-XS", sub="wangjg")

    # then
    assert legal_not_holder["__typename"] == "ForbiddenError"
    assert no_officer["__typename"] == "ForbiddenError"
    assert holder["__typename"] == "Review"


# -- opening -----------------------------------------------------------------------------------------

OPEN = """
mutation Open($input: OpenReviewInput!) {
  openReview(input: $input) {
    __typename
    ... on Review { id version }
    ... on Error { code message }
    ... on ValidationError { field }
  }
}
"""


def _open_input(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "kind": "VERIFICATION",
        "subject": "倒查",
        "unitCode": "FT",
        "inspection": {"method": "ONLINE_PATROL", "description": "网上巡查"},
    }
    fields.update(overrides)
    return {"input": fields}


async def _open_result(gql, variables: dict[str, Any], **who: Any) -> dict[str, Any]:
    response = await gql.post(OPEN, variables, **who)
    assert_no_traceback(response)
    body = response.json()
    assert not body.get("errors"), body
    result: dict[str, Any] = body["data"]["openReview"]
    return result


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (
            {"inspection": None, "originId": to_global_id("Complaint", str(uuid.uuid4()))},
            "originId",
        ),
        ({"inspection": None, "originId": to_global_id("Unit", "FT")}, "originId"),
        ({"inspection": None, "originId": "@@not-an-id@@"}, "originId"),
        ({"inspection": None}, "originId"),
        ({"originId": to_global_id("Case", str(uuid.uuid4()))}, "originId"),
        ({"unitCode": "NOWHERE"}, "unitCode"),
        ({"subject": "  "}, "subject"),
        ({"inspection": {"method": "ONLINE_PATROL", "description": " "}}, "inspection"),
    ],
)
async def test_opening_with_an_unknown_or_ambiguous_origin_is_a_validation_error(
    gql, overrides, field
):
    # when
    result = await _open_result(gql, _open_input(**overrides))

    # then
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == field


async def test_an_unknown_petition_or_case_is_an_unknown_origin_too(gql):
    # when
    for type_name in ("Petition", "Case"):
        result = await _open_result(
            gql,
            _open_input(inspection=None, originId=to_global_id(type_name, str(uuid.uuid4()))),
        )

        # then
        assert result["field"] == "originId"
        assert type_name.lower() in result["message"]


async def test_one_item_is_not_verified_twice_at_once(gql, runtime):
    # given
    complaint = await routed(runtime, "FT")
    first = await _open_result(gql, _open_input(inspection=None, originId=gid(complaint)))

    # when
    second = await _open_result(gql, _open_input(inspection=None, originId=gid(complaint)))
    other_kind = await _open_result(
        gql, _open_input(inspection=None, originId=gid(complaint), kind="LEGAL_REVIEW")
    )

    # then
    assert first["__typename"] == "Review"
    assert second["__typename"] == "ValidationError"
    assert second["field"] == "originId"
    assert other_kind["__typename"] == "Review"


@pytest.mark.parametrize("role", [Role.HANDLER, Role.LEGAL, Role.AUDITOR, Role.INTAKE])
async def test_only_the_centre_opens_reviews(gql, role):
    # when
    result = await _open_result(gql, _open_input(), role=role, unit="FT")

    # then
    assert result["__typename"] == "ForbiddenError"
