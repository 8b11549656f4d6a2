"""Every complaint mutation fails with a typed error in the result union, never a stack trace."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from api.relay import to_global_id
from domain.actor import Role
from domain.complaint.status import Satisfaction
from store import rows
from tests.api.support import (
    assert_no_traceback,
    called_back,
    gid,
    handling,
    register,
    register_input,
    replied,
    routed,
)

pytestmark = pytest.mark.db

OUTCOME = """
fragment Outcome on ComplaintChangeResult {
  __typename
  ... on Complaint { id version status }
  ... on Error { code message }
  ... on ValidationError { field }
  ... on ConflictError { currentVersion }
  ... on InvalidTransitionError { currentStatus attempted allowedNextStatuses }
}
"""
REGISTER = """
mutation Register($input: RegisterComplaintInput!) {
  registerComplaint(input: $input) {
    __typename
    ... on Complaint { id version status externalRef { system ticketId } }
    ... on Error { code message }
    ... on ValidationError { field }
  }
}
"""
TRIAGE = (
    """
mutation Triage($id: ID!, $v: Int!, $input: TriageComplaintInput!) {
  result: triageComplaint(id: $id, expectedVersion: $v, input: $input) { ...Outcome }
}
"""
    + OUTCOME
)
START_HANDLING = (
    """
mutation StartHandling($id: ID!, $v: Int!) {
  result: startHandlingComplaint(id: $id, expectedVersion: $v) { ...Outcome }
}
"""
    + OUTCOME
)
REPLY = (
    """
mutation Reply($id: ID!, $v: Int!, $input: ReplyToComplaintInput!) {
  result: replyToComplaint(id: $id, expectedVersion: $v, input: $input) { ...Outcome }
}
"""
    + OUTCOME
)
CALLBACK = (
    """
mutation Callback($id: ID!, $v: Int!, $input: RecordComplaintCallbackInput!) {
  result: recordComplaintCallback(id: $id, expectedVersion: $v, input: $input) { ...Outcome }
}
"""
    + OUTCOME
)
CLOSE = (
    """
mutation Close($id: ID!, $v: Int!) {
  result: closeComplaint(id: $id, expectedVersion: $v) { ...Outcome }
}
"""
    + OUTCOME
)
REOPEN = (
    """
mutation Reopen($id: ID!, $v: Int!, $input: ReasonInput!) {
  result: reopenComplaint(id: $id, expectedVersion: $v, input: $input) { ...Outcome }
}
"""
    + OUTCOME
)
MERGE = (
    """
mutation Merge($id: ID!, $v: Int!, $input: MergeComplaintInput!) {
  result: mergeComplaint(id: $id, expectedVersion: $v, input: $input) { ...Outcome }
}
"""
    + OUTCOME
)
REJECT = (
    """
mutation Reject($id: ID!, $v: Int!, $input: ReasonInput!) {
  result: rejectComplaint(id: $id, expectedVersion: $v, input: $input) { ...Outcome }
}
"""
    + OUTCOME
)
TRAIL = """
query Trail($id: ID!) {
  auditTrail(aggregateId: $id) { edges { node { eventType aggregateVersion } } }
}
"""


@dataclass(frozen=True)
class Change:
    """A change mutation, a valid input for it, and who may run it."""

    document: str
    input: dict[str, Any] | None
    role: Role
    unit: str | None = None

    def variables(self, cid: str, version: int, **input: Any) -> dict[str, Any]:
        variables: dict[str, Any] = {"id": cid, "v": version}
        if self.input is not None:
            variables["input"] = {**self.input, **input}
        return variables


TRIAGE_INPUT = {"categoryCode": "ENF_INACTION", "unitCode": "FT", "lineUnitCode": "SZ-DC"}
CHANGES = {
    "triage": Change(TRIAGE, TRIAGE_INPUT, Role.SUPERVISOR),
    "startHandling": Change(START_HANDLING, None, Role.HANDLER, "FT"),
    "reply": Change(REPLY, {"text": "已答复。"}, Role.HANDLER, "FT"),
    "recordCallback": Change(CALLBACK, {"satisfaction": "SATISFIED"}, Role.SUPERVISOR),
    "close": Change(CLOSE, None, Role.SUPERVISOR),
    "reopen": Change(REOPEN, {"reason": "回访不满意"}, Role.SUPERVISOR),
    "merge": Change(MERGE, {"intoId": "", "reason": "重复来信"}, Role.SUPERVISOR),
    "reject": Change(REJECT, {"reason": "不属于受理范围"}, Role.SUPERVISOR),
}


async def _send(gql, document: str, variables: dict[str, Any], **who: Any) -> dict[str, Any]:
    """The one result of a mutation that answered with a union member, not a GraphQL error."""
    response = await gql.post(document, variables, **who)
    assert_no_traceback(response)
    body = response.json()
    assert response.status_code == 200, body
    assert not body.get("errors"), body["errors"]
    (result,) = body["data"].values()
    return result


async def _change(gql, name: str, cid: str, version: int, **overrides: Any) -> dict[str, Any]:
    change = CHANGES[name]
    who = {"role": overrides.pop("role", change.role), "unit": overrides.pop("unit", change.unit)}
    return await _send(gql, change.document, change.variables(cid, version, **overrides), **who)


async def _recorded_versions(gql, cid: str) -> list[int]:
    data = await gql(TRAIL, {"id": cid})
    return [edge["node"]["aggregateVersion"] for edge in data["auditTrail"]["edges"]]


async def _merge_target(runtime) -> str:
    return gid(await register(runtime, subject="另一件投诉"))


# -- INVALID_TRANSITION ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["triage", "recordCallback", "close", "reopen", "merge", "reject"])
async def test_a_command_not_allowed_from_handling_is_an_invalid_transition(gql, runtime, name):
    # given
    complaint = await handling(runtime)
    extra = {"intoId": await _merge_target(runtime)} if name == "merge" else {}

    # when
    result = await _change(gql, name, gid(complaint), complaint.version, **extra)

    # then
    assert result["__typename"] == "InvalidTransitionError", result
    assert result["code"] == "INVALID_TRANSITION"
    assert result["currentStatus"] == "HANDLING"
    assert result["allowedNextStatuses"] == ["REPLIED"]
    assert result["message"]
    assert await _recorded_versions(gql, gid(complaint)) == [1, 2, 3]


async def test_starting_to_handle_twice_is_an_invalid_transition(gql, runtime):
    # given: handlers never see an untriaged complaint, so the second start is the case to check
    complaint = await handling(runtime)

    # when
    result = await _change(gql, "startHandling", gid(complaint), complaint.version)

    # then
    assert result["__typename"] == "InvalidTransitionError", result
    assert result["currentStatus"] == "HANDLING"
    assert result["attempted"] == "start handling"
    assert result["allowedNextStatuses"] == ["REPLIED"]


async def test_replying_before_handling_starts_is_an_invalid_transition(gql, runtime):
    # given
    complaint = await routed(runtime, "FT")

    # when
    result = await _change(gql, "reply", gid(complaint), complaint.version)

    # then
    assert result["__typename"] == "InvalidTransitionError", result
    assert result["currentStatus"] == "TRIAGED"
    assert result["attempted"] == "reply"
    assert result["allowedNextStatuses"] == ["HANDLING", "MERGED", "REJECTED", "TRIAGED"]


async def test_a_closed_complaint_can_only_be_reopened(gql, runtime):
    # given
    complaint = await called_back(runtime)
    closed = await _change(gql, "close", gid(complaint), complaint.version)
    assert closed["__typename"] == "Complaint"

    # when
    result = await _change(gql, "reject", gid(complaint), closed["version"])

    # then
    assert result["__typename"] == "InvalidTransitionError", result
    assert result["currentStatus"] == "CLOSED"
    assert result["allowedNextStatuses"] == ["HANDLING"]


# -- CONFLICT ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CHANGES))
async def test_a_stale_expected_version_is_a_conflict_naming_the_current_version(
    gql, runtime, name
):
    # given: at version 3, the client still holds version 2
    complaint = await handling(runtime)
    extra = {"intoId": await _merge_target(runtime)} if name == "merge" else {}

    # when
    result = await _change(gql, name, gid(complaint), complaint.version - 1, **extra)

    # then
    assert result["__typename"] == "ConflictError", result
    assert result["code"] == "CONFLICT"
    assert result["currentVersion"] == 3


async def test_a_conflict_changes_nothing(gql, runtime):
    # given
    complaint = await routed(runtime)

    # when
    result = await _change(gql, "reject", gid(complaint), 1)

    # then
    assert result["__typename"] == "ConflictError"
    assert await _recorded_versions(gql, gid(complaint)) == [1, 2]


# -- NOT_FOUND ---------------------------------------------------------------------------------

UNKNOWN_IDS = {
    "unknown uuid": to_global_id("Complaint", str(uuid.UUID(int=42))),
    "not base64": "!!not-an-id!!",
    "not a uuid": to_global_id("Complaint", "12345"),
    "another type": to_global_id("Unit", "FT"),
    "empty": "",
}


@pytest.mark.parametrize("name", list(CHANGES))
@pytest.mark.parametrize("cid", list(UNKNOWN_IDS.values()), ids=list(UNKNOWN_IDS))
async def test_an_unknown_or_malformed_id_is_not_found(gql, runtime, name, cid):
    # given
    extra = {"intoId": await _merge_target(runtime)} if name == "merge" else {}

    # when
    result = await _change(gql, name, cid, 1, **extra)

    # then
    assert result["__typename"] == "NotFoundError", result
    assert result["code"] == "NOT_FOUND"


async def test_merging_into_an_unknown_complaint_is_refused(gql, runtime):
    # given
    complaint = await routed(runtime)

    # when
    result = await _change(
        gql, "merge", gid(complaint), complaint.version, intoId=UNKNOWN_IDS["unknown uuid"]
    )

    # then
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == "intoId"


# -- FORBIDDEN ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "unit"),
    [(Role.HANDLER, "FT"), (Role.AUDITOR, None), (Role.SUPERVISOR, None), (Role.LEADER, None)],
)
async def test_only_intake_and_integrations_may_register(gql, role, unit):
    # when
    result = await _send(gql, REGISTER, {"input": register_input()}, role=role, unit=unit)

    # then
    assert result["__typename"] == "ForbiddenError", result
    assert result["code"] == "FORBIDDEN"


WRONG_ROLES = [
    ("triage", Role.AUDITOR, None),
    ("triage", Role.HANDLER, "FT"),
    ("triage", Role.INTAKE, None),
    ("startHandling", Role.SUPERVISOR, None),
    ("startHandling", Role.AUDITOR, None),
    ("reply", Role.SUPERVISOR, None),
    ("reply", Role.INTEGRATION, None),
    ("recordCallback", Role.HANDLER, "FT"),
    ("close", Role.INTAKE, None),
    ("close", Role.HANDLER, "FT"),
    ("reopen", Role.HANDLER, "FT"),
    ("reopen", Role.LEGAL, None),
    ("merge", Role.AUDITOR, None),
    ("reject", Role.INTAKE, None),
    ("reject", Role.HANDLER, "FT"),
]


@pytest.mark.parametrize(("name", "role", "unit"), WRONG_ROLES)
async def test_a_role_without_the_permission_is_forbidden(gql, runtime, name, role, unit):
    # given
    complaint = await routed(runtime, "FT")
    extra = {"intoId": await _merge_target(runtime)} if name == "merge" else {}

    # when
    result = await _change(
        gql, name, gid(complaint), complaint.version, role=role, unit=unit, **extra
    )

    # then
    assert result["__typename"] == "ForbiddenError", result
    assert result["code"] == "FORBIDDEN"
    assert await _recorded_versions(gql, gid(complaint)) == [1, 2]


# -- VALIDATION --------------------------------------------------------------------------------

BAD_REGISTRATIONS = {
    "phone with letters": (
        {"complainant": {"name": "张三", "phone": "call-me"}},
        "complainant.phone",
    ),
    "phone too short": ({"complainant": {"name": "张三", "phone": "1234"}}, "complainant.phone"),
    "id number too short": (
        {"complainant": {"name": "张三", "phone": "13812345678", "idNumber": "1101051949"}},
        "complainant.idNumber",
    ),
    "id number wrong check digit": (
        {
            "complainant": {
                "name": "张三",
                "phone": "13812345678",
                "idNumber": "110105194912310021",
            }
        },
        "complainant.idNumber",
    ),
    "blank name": ({"complainant": {"name": "  ", "phone": "13812345678"}}, "complainant.name"),
    "blank subject": ({"subject": "   "}, "subject"),
    "blank content": ({"content": ""}, "content"),
    "unknown complained unit": ({"complainedUnitCodes": ["NO-SUCH-UNIT"]}, "complainedUnitCodes"),
    "unknown complained officer": (
        {"complainedOfficerCodes": ["P-NOBODY"]},
        "complainedOfficerCodes",
    ),
    "received in the future": ({"receivedAt": "2099-01-01T00:00:00+08:00"}, "receivedAt"),
    "half an external ref": ({"externalRef": {"system": "12345", "ticketId": ""}}, "externalRef"),
}


@pytest.mark.parametrize(
    ("overrides", "field"), list(BAD_REGISTRATIONS.values()), ids=list(BAD_REGISTRATIONS)
)
async def test_a_bad_registration_is_a_validation_error_naming_the_field(
    gql, runtime, overrides, field
):
    # when
    result = await _send(gql, REGISTER, {"input": register_input(**overrides)}, role=Role.INTAKE)

    # then
    assert result["__typename"] == "ValidationError", result
    assert result["code"] == "VALIDATION"
    assert result["field"] == field
    async with runtime.engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(rows.complainant)) == 0


BAD_TRIAGES = {
    "unknown category": ({"categoryCode": "NO_SUCH_CATEGORY"}, "categoryCode"),
    "unknown unit": ({"unitCode": "NO-SUCH-UNIT"}, "unitCode"),
    "unknown line unit": ({"lineUnitCode": "NO-SUCH-UNIT"}, "lineUnitCode"),
}


@pytest.mark.parametrize(("overrides", "field"), list(BAD_TRIAGES.values()), ids=list(BAD_TRIAGES))
async def test_triage_to_unknown_reference_data_is_a_validation_error(
    gql, runtime, overrides, field
):
    # given
    complaint = await register(runtime)

    # when
    result = await _change(gql, "triage", gid(complaint), complaint.version, **overrides)

    # then
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == field


async def test_a_complaint_cannot_be_routed_to_the_unit_it_complains_about(gql):
    # given
    registered = await _send(
        gql,
        REGISTER,
        {"input": register_input(complainedUnitCodes=["FT-XS"])},
        role=Role.INTAKE,
    )
    assert registered["__typename"] == "Complaint"

    # when
    result = await _change(gql, "triage", registered["id"], 1, unitCode="FT-XS")

    # then
    assert result["__typename"] == "ValidationError", result
    assert result["code"] == "VALIDATION"
    assert result["field"] == "unitCode"


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "blank"])
@pytest.mark.parametrize("name", ["reject", "merge"])
async def test_an_empty_reason_is_a_validation_error(gql, runtime, name, reason):
    # given
    complaint = await routed(runtime)
    extra = {"intoId": await _merge_target(runtime)} if name == "merge" else {}

    # when
    result = await _change(gql, name, gid(complaint), complaint.version, reason=reason, **extra)

    # then
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == "reason"


async def test_reopening_with_an_empty_reason_is_a_validation_error(gql, runtime):
    # given
    complaint = await called_back(runtime, Satisfaction.DISSATISFIED)

    # when
    result = await _change(gql, "reopen", gid(complaint), complaint.version, reason=" ")

    # then
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == "reason"


async def test_reopening_after_a_satisfied_callback_is_a_validation_error(gql, runtime):
    # given
    complaint = await called_back(runtime, Satisfaction.SATISFIED)

    # when
    result = await _change(gql, "reopen", gid(complaint), complaint.version)

    # then
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == "reason"


async def test_an_empty_reply_is_a_validation_error(gql, runtime):
    # given
    complaint = await handling(runtime)

    # when
    result = await _change(gql, "reply", gid(complaint), complaint.version, text="  ")

    # then
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == "text"


async def test_a_complaint_cannot_be_merged_into_itself(gql, runtime):
    # given
    complaint = await routed(runtime)

    # when
    result = await _change(gql, "merge", gid(complaint), complaint.version, intoId=gid(complaint))

    # then
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == "intoId"


async def test_a_reply_answers_only_once_per_round(gql, runtime):
    # given
    complaint = await replied(runtime)

    # when
    result = await _change(gql, "reply", gid(complaint), complaint.version)

    # then
    assert result["__typename"] == "InvalidTransitionError", result
    assert result["allowedNextStatuses"] == ["CALLED_BACK"]


# -- no stack traces ---------------------------------------------------------------------------

REQUEST_ERRORS: dict[str, tuple[str, dict[str, Any]]] = {
    "syntax error": ("mutation { registerComplaint(", {}),
    "unknown field": ("query { noSuchField }", {}),
    "bad cursor": ('query { complaints(after: "%%%") { edges { cursor } } }', {}),
    "bad page size": ("query { complaints(first: -1) { edges { cursor } } }", {}),
    "bad node id": ('query { node(id: "@@@") { id } }', {}),
}
VARIABLE_ERRORS: dict[str, tuple[str, dict[str, Any]]] = {
    "bad enum": (REGISTER, {"input": register_input(channel="CARRIER_PIGEON")}),
    "missing variable": (CLOSE, {"id": "x"}),
    "wrong variable type": (CLOSE, {"id": "x", "v": "one"}),
}


async def _request_error(gql, document: str, variables: dict[str, Any]) -> list[dict[str, Any]]:
    response = await gql.post(document, variables, role=Role.INTAKE)
    assert_no_traceback(response)
    assert response.status_code in {200, 400}
    errors: list[dict[str, Any]] = response.json()["errors"]
    assert errors
    return errors


@pytest.mark.parametrize(
    ("document", "variables"), list(REQUEST_ERRORS.values()), ids=list(REQUEST_ERRORS)
)
async def test_a_malformed_request_is_answered_with_a_readable_error(gql, document, variables):
    # when
    errors = await _request_error(gql, document, variables)

    # then
    assert all(error["message"] != "Internal error." for error in errors), errors


@pytest.mark.parametrize(
    ("document", "variables"), list(VARIABLE_ERRORS.values()), ids=list(VARIABLE_ERRORS)
)
async def test_bad_variables_are_answered_with_a_readable_error(gql, document, variables):
    # when
    errors = await _request_error(gql, document, variables)

    # then: the client made the mistake, so the client is told which one
    assert all(error["message"] != "Internal error." for error in errors), errors


# -- external references -----------------------------------------------------------------------

PUSH = register_input(channel="HOTLINE_12345", externalRef={"system": "12345", "ticketId": "T-1"})


async def test_the_same_external_reference_pushed_twice_returns_the_same_complaint(gql):
    # when
    first = await _send(gql, REGISTER, {"input": PUSH}, role=Role.INTEGRATION)
    second = await _send(gql, REGISTER, {"input": PUSH}, role=Role.INTEGRATION)

    # then
    assert first["__typename"] == second["__typename"] == "Complaint"
    assert second["id"] == first["id"]
    assert first["version"] == second["version"] == 1
    assert second["externalRef"] == {"system": "12345", "ticketId": "T-1"}
    trail = await gql(TRAIL, {"id": first["id"]})
    assert [e["node"]["eventType"] for e in trail["auditTrail"]["edges"]] == [
        "complaint.registered"
    ]


async def test_concurrent_pushes_of_one_external_reference_make_one_complaint(gql, runtime):
    # when
    results = await asyncio.gather(
        *(_send(gql, REGISTER, {"input": PUSH}, role=Role.INTEGRATION) for _ in range(5))
    )

    # then
    assert {r["__typename"] for r in results} == {"Complaint"}
    assert len({r["id"] for r in results}) == 1
    assert {r["version"] for r in results} == {1}
    async with runtime.engine.connect() as conn:
        pushed = await conn.scalar(
            select(func.count())
            .select_from(rows.complaint)
            .where(rows.complaint.c.external_ticket == "T-1")
        )
    trail = await gql(TRAIL, {"id": results[0]["id"]})
    assert pushed == 1
    assert len(trail["auditTrail"]["edges"]) == 1


async def test_another_external_reference_is_another_complaint(gql):
    # given
    first = await _send(gql, REGISTER, {"input": PUSH}, role=Role.INTEGRATION)
    other = register_input(
        channel="HOTLINE_12345", externalRef={"system": "12345", "ticketId": "T-2"}
    )

    # when
    second = await _send(gql, REGISTER, {"input": other}, role=Role.INTEGRATION)

    # then
    assert second["__typename"] == "Complaint"
    assert second["id"] != first["id"]
