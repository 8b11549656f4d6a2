"""Every petition mutation fails with a typed error in its result union, never a stack trace."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from api.relay import to_global_id
from domain.actor import Role
from domain.petition.status import ALLOWED, PetitionStatus
from store.petition import petition as petition_table
from tests.api.support import assert_no_traceback
from tests.api.support import register as register_complaint
from tests.api.test_petition_support import S, gid, petition_in, register_input

pytestmark = pytest.mark.db

OUTCOME = """
fragment Outcome on PetitionChangeResult {
  __typename
  ... on Petition { id version status }
  ... on Error { code message }
  ... on ValidationError { field }
  ... on ConflictError { currentVersion }
  ... on InvalidTransitionError { currentStatus attempted allowedNextStatuses }
}
"""
REGISTER = """
mutation Register($input: RegisterPetitionInput!) {
  result: registerPetition(input: $input) {
    __typename
    ... on Petition { id version }
    ... on Error { code message }
    ... on ValidationError { field }
  }
}
"""
FROM_COMPLAINT = """
mutation FromComplaint($complaintId: ID!, $input: RegisterPetitionFromComplaintInput) {
  result: registerPetitionFromComplaint(complaintId: $complaintId, input: $input) {
    __typename
    ... on Petition { id version }
    ... on Error { code message }
    ... on ValidationError { field }
  }
}
"""
VERSION = "query V($id: ID!) { petition(id: $id) { version status } }"


@dataclass(frozen=True)
class Case:
    """One mutation: who may run it, from which state, and a wrong state and a wrong input."""

    mutation: str
    input_type: str | None
    value: dict[str, Any] | None
    role: Role
    ready: PetitionStatus
    forbidden_role: Role
    wrong_state: PetitionStatus | None
    bad_value: dict[str, Any] | None
    bad_field: str | None

    @property
    def document(self) -> str:
        if self.input_type is None:
            return (
                f"mutation M($id: ID!, $v: Int!) {{ result: {self.mutation}(id: $id,"
                " expectedVersion: $v) { ...Outcome } }" + OUTCOME
            )
        return (
            f"mutation M($id: ID!, $v: Int!, $input: {self.input_type}!) {{ result:"
            f" {self.mutation}(id: $id, expectedVersion: $v, input: $input) {{ ...Outcome }} }}"
            + OUTCOME
        )

    def variables(self, pid: str, version: int, value: dict[str, Any] | None = None) -> Any:
        found: dict[str, Any] = {"id": pid, "v": version}
        if self.input_type is not None:
            found["input"] = value if value is not None else self.value
        return found


REASON = {"reason": "理由"}
FINDING = {"finding": "SUPPORT", "text": "支持信访人诉求。"}
CASES = [
    Case("acceptPetition", None, None, Role.SUPERVISOR, S.REGISTERED, Role.HANDLER, S.HANDLING, None, None),
    Case(
        "refusePetition", "PetitionReasonInput", REASON, Role.SUPERVISOR, S.REGISTERED,
        Role.HANDLER, S.HANDLING, {"reason": "  "}, "reason",
    ),
    Case(
        "objectToPetitionRouting", "PetitionReasonInput", REASON, Role.HANDLER, S.REGISTERED,
        Role.INTAKE, S.ACCEPTED, {"reason": ""}, "reason",
    ),
    Case(
        "decidePetitionRouting",
        "DecidePetitionRoutingInput",
        {"decision": "REASSIGNED", "superiorUnitCode": "FT", "unitCode": "FT-HF", "reason": "辖区"},
        Role.SUPERVISOR, S.RETURNED, Role.HANDLER, S.REGISTERED,
        {"decision": "REASSIGNED", "superiorUnitCode": "LH", "unitCode": "FT-HF", "reason": "辖区"},
        "superiorUnitCode",
    ),
    Case("startHandlingPetition", None, None, Role.HANDLER, S.ACCEPTED, Role.SUPERVISOR, S.REGISTERED, None, None),
    Case(
        "extendPetitionHandling", "ExtendPetitionHandlingInput", {"days": 30, "reason": "复杂"},
        Role.LEADER, S.HANDLING, Role.SUPERVISOR, S.ANSWERED, {"days": 31, "reason": "复杂"}, "days",
    ),
    Case(
        "answerPetition", "PetitionFindingInput", FINDING, Role.HANDLER, S.HANDLING,
        Role.SUPERVISOR, S.ACCEPTED, {"finding": "SUPPORT", "text": " "}, "text",
    ),
    Case(
        "requestPetitionReview", "PetitionReasonInput", REASON, Role.INTAKE, S.ANSWERED,
        Role.HANDLER, S.HANDLING, {"reason": ""}, "reason",
    ),
    Case(
        "decidePetitionReview", "PetitionFindingInput", FINDING, Role.SUPERVISOR, S.REVIEW_REQUESTED,
        Role.HANDLER, S.ANSWERED, {"finding": "EXPLAIN", "text": ""}, "text",
    ),
    Case(
        "requestPetitionReExamination", "PetitionReasonInput", REASON, Role.INTAKE, S.REVIEWED,
        Role.HANDLER, S.ANSWERED, {"reason": " "}, "reason",
    ),
    Case(
        "decidePetitionReExamination", "PetitionFindingInput", FINDING, Role.LEADER,
        S.RE_EXAMINATION_REQUESTED, Role.HANDLER, S.REVIEWED, {"finding": "SUPPORT", "text": ""}, "text",
    ),
    Case("closePetition", None, None, Role.SUPERVISOR, S.RE_EXAMINED, Role.HANDLER, S.HANDLING, None, None),
    Case(
        "markPetitionBacklog", "PetitionReasonInput", REASON, Role.SUPERVISOR, S.HANDLING,
        Role.HANDLER, S.REGISTERED, {"reason": ""}, "reason",
    ),
    Case(
        "assignPetitionLeader", "AssignPetitionLeaderInput",
        {"officerCode": "P-FT-XS-001", "deadline": "2027-06-30"},
        Role.LEADER, S.HANDLING, Role.HANDLER, S.REGISTERED,
        {"officerCode": "P-NOBODY", "deadline": "2027-06-30"}, "officerCode",
    ),
    Case(
        "recordPetitionDispatch", "RecordPetitionDispatchInput", {"date": "2026-11-23", "notes": "调度"},
        Role.HANDLER, S.HANDLING, Role.INTAKE, S.REGISTERED,
        {"date": "2030-01-01", "notes": "调度"}, "date",
    ),
    Case(
        "recordPetitionInterview", "RecordPetitionInterviewInput",
        {"date": "2026-11-23", "participants": ["所长"], "notes": "约谈"},
        Role.HANDLER, S.HANDLING, Role.INTAKE, S.RETURNED,
        {"date": "2026-11-23", "participants": [], "notes": "约谈"}, "participants",
    ),
    Case(
        "recordPetitionLawyer", "RecordPetitionLawyerInput", {"name": "刘律师", "firm": "盈德律所"},
        Role.HANDLER, S.HANDLING, Role.AUDITOR, S.RETURNED, {"name": "刘律师", "firm": ""}, "firm",
    ),
    Case(
        "referPetitionToLegalAid", "ReferPetitionToLegalAidInput", {"centre": "法律援助中心"},
        Role.HANDLER, S.HANDLING, Role.LEGAL, S.NOT_ACCEPTED, {"centre": " "}, "centre",
    ),
    Case(
        "recordPetitionJudicialAid", "RecordPetitionJudicialAidInput", {"status": "APPLIED"},
        Role.HANDLER, S.HANDLING, Role.AUDITOR, S.REGISTERED, {"status": "GRANTED"}, "status",
    ),
    Case(
        "recordPetitionOutcome", "RecordPetitionOutcomeInput", {"outcome": "SETTLED"},
        Role.SUPERVISOR, S.HANDLING, Role.INTAKE, S.REGISTERED,
        {"outcome": "SETTLED", "note": "x" * 20_001}, "note",
    ),
    Case(
        "addPetitionAttachment", "AddPetitionAttachmentInput",
        {"name": "信访件.pdf", "mediaType": "application/pdf", "size": 10, "sha256": "a" * 64},
        Role.INTAKE, S.REGISTERED, Role.AUDITOR, None,  # the case file grows in every state
        {"name": "信访件.pdf", "mediaType": "application/pdf", "size": 10, "sha256": "xyz"}, "sha256",
    ),
]  # fmt: skip
IDS = [case.mutation for case in CASES]
WITH_WRONG_STATE = [case for case in CASES if case.wrong_state is not None]
WITH_BAD_INPUT = [case for case in CASES if case.bad_value is not None]


def _who(role: Role) -> dict[str, Any]:
    return {"role": role, "unit": "FT" if role is Role.HANDLER else None}


async def _result(gql, case: Case, variables: dict[str, Any], role: Role) -> dict[str, Any]:
    response = await gql.post(case.document, variables, **_who(role))
    assert_no_traceback(response)
    body = response.json()
    assert not body.get("errors"), body
    result: dict[str, Any] = body["data"]["result"]
    return result


async def _unchanged(gql, pid: str, version: int) -> None:
    assert (await gql(VERSION, {"id": pid}))["petition"]["version"] == version


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_the_permitted_role_runs_the_mutation_from_its_ready_state(gql, runtime, case):
    # given
    petition = await petition_in(runtime, case.ready)

    # when
    result = await _result(gql, case, case.variables(gid(petition), petition.version), case.role)

    # then
    assert result["__typename"] == "Petition", result
    assert result["version"] == petition.version + 1


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_another_role_is_forbidden(gql, runtime, case):
    # given
    petition = await petition_in(runtime, case.ready)

    # when
    result = await _result(
        gql, case, case.variables(gid(petition), petition.version), case.forbidden_role
    )

    # then
    assert result["__typename"] == "ForbiddenError", result
    assert result["code"] == "FORBIDDEN"
    assert case.forbidden_role.value in result["message"]
    await _unchanged(gql, gid(petition), petition.version)


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_an_unknown_petition_is_not_found(gql, case):
    # given: an id of nothing, and the id of something that is not a petition
    unknown = to_global_id("Petition", str(uuid.uuid4()))
    not_a_petition = to_global_id("Complaint", str(uuid.uuid4()))

    # when
    results = [
        await _result(gql, case, case.variables(i, 1), case.role) for i in (unknown, not_a_petition)
    ]

    # then
    assert [r["__typename"] for r in results] == ["NotFoundError", "NotFoundError"]
    assert all(r["code"] == "NOT_FOUND" for r in results)


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_a_stale_version_is_a_conflict_naming_the_current_one(gql, runtime, case):
    # given
    petition = await petition_in(runtime, case.ready)

    # when
    result = await _result(
        gql, case, case.variables(gid(petition), petition.version - 1), case.role
    )

    # then
    assert result["__typename"] == "ConflictError", result
    assert result["currentVersion"] == petition.version
    await _unchanged(gql, gid(petition), petition.version)


@pytest.mark.parametrize("case", WITH_WRONG_STATE, ids=[c.mutation for c in WITH_WRONG_STATE])
async def test_the_wrong_state_is_an_invalid_transition_naming_what_is_allowed(gql, runtime, case):
    # given
    assert case.wrong_state is not None
    petition = await petition_in(runtime, case.wrong_state)

    # when
    result = await _result(gql, case, case.variables(gid(petition), petition.version), case.role)

    # then
    assert result["__typename"] == "InvalidTransitionError", result
    assert result["currentStatus"] == case.wrong_state.value
    assert set(result["allowedNextStatuses"]) == {s.value for s in ALLOWED[case.wrong_state]}
    await _unchanged(gql, gid(petition), petition.version)


@pytest.mark.parametrize("case", WITH_BAD_INPUT, ids=[c.mutation for c in WITH_BAD_INPUT])
async def test_a_bad_input_is_a_validation_error_naming_the_field(gql, runtime, case):
    # given
    petition = await petition_in(runtime, case.ready)

    # when
    result = await _result(
        gql, case, case.variables(gid(petition), petition.version, case.bad_value), case.role
    )

    # then
    assert result["__typename"] == "ValidationError", result
    assert result["code"] == "VALIDATION"
    assert result["field"] == case.bad_field
    await _unchanged(gql, gid(petition), petition.version)


async def test_closing_while_the_review_window_is_open_is_a_validation_error(gql, runtime):
    # given
    case = next(c for c in CASES if c.mutation == "closePetition")
    petition = await petition_in(runtime, S.ANSWERED)

    # when
    result = await _result(gql, case, case.variables(gid(petition), petition.version), case.role)

    # then
    assert result["__typename"] == "ValidationError", result
    assert "may request review until" in result["message"]


async def test_an_extension_needs_the_leader_who_approves_it(gql, runtime):
    # given: supervisors judge most things, but art. 34 wants the head's approval
    case = next(c for c in CASES if c.mutation == "extendPetitionHandling")
    petition = await petition_in(runtime, S.HANDLING)

    # when
    refused = await _result(
        gql, case, case.variables(gid(petition), petition.version), Role.SUPERVISOR
    )
    approved = await _result(
        gql, case, case.variables(gid(petition), petition.version), Role.LEADER
    )
    again = await _result(
        gql, case, case.variables(gid(petition), approved["version"]), Role.LEADER
    )

    # then
    assert refused["__typename"] == "ForbiddenError"
    assert approved["__typename"] == "Petition"
    assert again["__typename"] == "ValidationError"
    assert "one extension" in again["message"]


# -- registration ------------------------------------------------------------------------------


async def _petition_count(runtime) -> int:
    async with runtime.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(petition_table)) or 0)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"petitioner": {"name": "李四", "phone": "12"}}, "complainant.phone"),
        ({"petitioner": {"name": " ", "phone": "13900001111"}}, "complainant.name"),
        ({"handlingUnitCode": "NOWHERE"}, "handlingUnitCode"),
        ({"complainedUnitCodes": ["FT"]}, "handlingUnitCode"),  # FT-XS lies inside FT (art. 30)
        ({"complainedUnitCodes": ["NOWHERE"]}, "complainedUnitCodes"),
        ({"subject": " "}, "subject"),
        ({"receivedAt": "2030-01-01T00:00:00Z"}, "receivedAt"),
        ({"sameMatterAs": to_global_id("Petition", str(uuid.uuid4()))}, "sameMatterAs"),
    ],
    ids=[
        "phone",
        "name",
        "unknown-unit",
        "unit-complained-about",
        "unknown-complained-unit",
        "subject",
        "future",
        "unknown-same-matter",
    ],
)
async def test_registration_refuses_bad_input_naming_the_field(gql, runtime, overrides, field):
    # when
    data = await gql(REGISTER, {"input": register_input(**overrides)}, role=Role.INTAKE)

    # then
    assert data["result"]["__typename"] == "ValidationError", data
    assert data["result"]["field"] == field
    assert await _petition_count(runtime) == 0


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.HANDLER, Role.AUDITOR, Role.INTEGRATION])
async def test_only_intake_registers_petitions(gql, runtime, role):
    # when
    data = await gql(REGISTER, {"input": register_input()}, **_who(role))
    from_complaint = await gql(
        FROM_COMPLAINT,
        {"complaintId": to_global_id("Complaint", (await register_complaint(runtime)).id)},
        **_who(role),
    )

    # then
    assert data["result"]["__typename"] == "ForbiddenError"
    assert from_complaint["result"]["__typename"] == "ForbiddenError"
    assert await _petition_count(runtime) == 0


async def test_registering_from_an_unknown_complaint_is_not_found(gql):
    # when
    data = await gql(
        FROM_COMPLAINT,
        {"complaintId": to_global_id("Complaint", str(uuid.uuid4()))},
        role=Role.INTAKE,
    )
    wrong_type = await gql(
        FROM_COMPLAINT,
        {"complaintId": to_global_id("Petition", str(uuid.uuid4()))},
        role=Role.INTAKE,
    )

    # then
    assert data["result"]["__typename"] == "NotFoundError"
    assert wrong_type["result"]["__typename"] == "NotFoundError"


async def test_registering_from_an_untriaged_complaint_needs_a_handling_unit(gql, runtime):
    # given
    complaint = await register_complaint(runtime)
    variables: dict[str, Any] = {"complaintId": to_global_id("Complaint", complaint.id)}

    # when
    refused = await gql(FROM_COMPLAINT, variables, role=Role.INTAKE)
    named = await gql(
        FROM_COMPLAINT, {**variables, "input": {"handlingUnitCode": "LH"}}, role=Role.INTAKE
    )

    # then
    assert refused["result"]["__typename"] == "ValidationError"
    assert refused["result"]["field"] == "handlingUnitCode"
    assert named["result"]["__typename"] == "Petition"
