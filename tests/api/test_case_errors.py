"""Every case mutation fails with a typed error in the result union, never a stack trace."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest

from api.relay import to_global_id
from domain.actor import Role
from domain.case.aggregate import Case
from domain.case.policy import PERMISSIONS, CaseCommand
from domain.case.status import CaseKind, ChallengeLevel, ChallengeOutcome
from service import case as cases
from service.context import Runtime
from tests.api.test_case_support import (
    OUTCOME,
    accepted,
    call,
    filed,
    gid,
    handler,
    investigating,
    registered,
    send,
    trail,
    with_measure,
)

pytestmark = pytest.mark.db

Setup = Callable[[Runtime], Awaitable[Case]]


def _document(name: str, input_type: str | None) -> str:
    if input_type is None:
        return (
            f"mutation M($id: ID!, $v: Int!) {{\n"
            f"  result: {name}(id: $id, expectedVersion: $v) {{ ...Outcome }}\n}}\n" + OUTCOME
        )
    return (
        f"mutation M($id: ID!, $v: Int!, $input: {input_type}!) {{\n"
        f"  result: {name}(id: $id, expectedVersion: $v, input: $input) {{ ...Outcome }}\n}}\n"
        + OUTCOME
    )


async def _administrative(runtime: Runtime) -> Case:
    return await accepted(runtime, kind=CaseKind.ADMINISTRATIVE)


async def _appraising(runtime: Runtime) -> Case:
    case = await _administrative(runtime)
    return await cases.start_appraisal(
        call(runtime, handler("FT-XS")), UUID(case.id), case.version, reason="伤情鉴定"
    )


async def _tracked(runtime: Runtime) -> Case:
    case = await registered(runtime)
    return await cases.start_tracking(
        call(runtime),
        UUID(case.id),
        case.version,
        city_officer_code="P-XZ-001",
        sub_bureau_officer_code="P-FT-001",
        station_officer_code="P-FT-XS-001",
        closing_standard="破案",
    )


async def _not_filed(runtime: Runtime) -> Case:
    case = await accepted(runtime)
    return await cases.refuse_to_file(
        call(runtime, handler("FT-XS")), UUID(case.id), case.version, reason="没有犯罪事实"
    )


async def _served(runtime: Runtime) -> Case:
    case = await _not_filed(runtime)
    return await cases.record_not_filing_notice(
        call(runtime, handler("FT-XS")), UUID(case.id), case.version
    )


async def _reconsidering(runtime: Runtime) -> Case:
    case = await _served(runtime)
    return await cases.record_challenge_application(
        call(runtime), UUID(case.id), case.version, level=ChallengeLevel.RECONSIDERATION
    )


async def _upheld(runtime: Runtime) -> Case:
    case = await _reconsidering(runtime)
    return await cases.decide_challenge(
        call(runtime),
        UUID(case.id),
        case.version,
        level=ChallengeLevel.RECONSIDERATION,
        outcome=ChallengeOutcome.UPHELD,
        reason="维持",
    )


async def _reviewing(runtime: Runtime) -> Case:
    case = await _upheld(runtime)
    return await cases.record_challenge_application(
        call(runtime), UUID(case.id), case.version, level=ChallengeLevel.REVIEW
    )


@dataclass(frozen=True)
class Change:
    """A mutation, a state it succeeds from, a valid input, and who may run it."""

    name: str
    input_type: str | None
    ready: Setup
    input: dict[str, Any] | None = None
    role: Role = Role.HANDLER
    # A stage it is refused in (None: allowed in every stage).
    refused_in: Setup | None = _not_filed
    # A bad input and the field the error names; `invalid_from` when the cause is the state.
    invalid: tuple[dict[str, Any], str] | None = None
    invalid_from: Setup | None = None

    @property
    def document(self) -> str:
        return _document(self.name, self.input_type)

    def who(self) -> dict[str, Any]:
        return {"role": self.role, "unit": "FT-XS" if self.role is Role.HANDLER else None}

    def variables(self, cid: str, version: int, **override: Any) -> dict[str, Any]:
        variables: dict[str, Any] = {"id": cid, "v": version}
        if self.input is not None:
            variables["input"] = {**self.input, **override}
        return variables


TRACKING = {
    "cityDepartmentOfficerCode": "P-XZ-001",
    "subBureauOfficerCode": "P-FT-001",
    "stationOfficerCode": "P-FT-XS-001",
    "closingStandard": "破案并追回财物",
}
CHANGES = {
    c.name: c
    for c in [
        Change("acceptCase", None, registered),
        Change("fileCase", None, accepted),
        Change("startInvestigatingCase", None, filed),
        Change("concludeCase", None, investigating),
        Change(
            "refuseToFileCase",
            "ReasonInput",
            accepted,
            {"reason": "情节显著轻微"},
            invalid=({"reason": " "}, "reason"),
        ),
        Change(
            "withdrawCase",
            "ReasonInput",
            filed,
            {"reason": "犯罪嫌疑人死亡"},
            invalid=({"reason": ""}, "reason"),
        ),
        Change(
            "transferCase",
            "TransferCaseInput",
            registered,
            {"toUnitCode": "FT-SB", "reason": "案发地属沙头"},
            invalid=({"toUnitCode": "NOPE"}, "toUnitCode"),
        ),
        Change(
            "refuseCaseJurisdiction",
            "RefuseCaseJurisdictionInput",
            registered,
            {"reason": "不属本所辖区"},
            invalid=({"unitCode": "NS"}, "unitCode"),
        ),
        Change(
            "designateCaseJurisdiction",
            "DesignateCaseJurisdictionInput",
            registered,
            {"unitCode": "FT-HF", "reason": "指定管辖"},
            role=Role.SUPERVISOR,
            invalid=({"unitCode": "NOPE"}, "unitCode"),
        ),
        Change(
            "startCaseMeasure",
            "StartCaseMeasureInput",
            filed,
            {"kind": "BAIL", "personLabel": "嫌疑人乙"},
            invalid=({"personLabel": "13812345678"}, "personLabel"),
        ),
        Change(
            "extendCaseMeasure",
            "ExtendCaseMeasureInput",
            with_measure,
            {"measureNumber": 1, "amount": 2, "reason": "案情复杂"},
            invalid=({"amount": 5}, "amount"),
        ),
        Change(
            "endCaseMeasure",
            "EndCaseMeasureInput",
            with_measure,
            {"measureNumber": 1, "reason": "释放"},
            invalid=({"measureNumber": 7}, "measureNumber"),
        ),
        Change(
            "recordCaseRevisit",
            "RecordCaseRevisitInput",
            accepted,
            {"outcome": "SATISFIED"},
            refused_in=registered,
            invalid=({"note": "长" * 2001}, "note"),
        ),
        Change(
            "startCaseTracking",
            "StartCaseTrackingInput",
            registered,
            TRACKING,
            role=Role.SUPERVISOR,
            invalid=({"stationOfficerCode": "P-NOBODY"}, "stationOfficerCode"),
        ),
        Change(
            "closeCaseTracking",
            "CloseCaseTrackingInput",
            _tracked,
            {"note": "已破案"},
            role=Role.SUPERVISOR,
            refused_in=None,
            invalid=({"note": " "}, "note"),
        ),
        Change(
            "extendCaseHandlingLimit",
            "ExtendCaseHandlingLimitInput",
            _administrative,
            {"days": 30, "reason": "经上一级公安机关批准"},
            invalid=({"days": 31}, "days"),
        ),
        Change(
            "startCaseAppraisal",
            "ReasonInput",
            _administrative,
            {"reason": "伤情鉴定"},
            invalid=({"reason": " "}, "reason"),
        ),
        Change(
            "endCaseAppraisal",
            None,
            _appraising,
            refused_in=registered,
            invalid=({}, "id"),
            invalid_from=_administrative,
        ),
        Change(
            "markCaseOutsideJurisdiction",
            "ReasonInput",
            accepted,
            {"reason": "案发地属罗湖区"},
            invalid=({"reason": " "}, "reason"),
        ),
        Change(
            "recordCaseNotFilingNotice",
            "RecordCaseNotFilingNoticeInput",
            _not_filed,
            {},
            refused_in=accepted,
            invalid=({"servedAt": "2099-01-01T00:00:00+00:00"}, "servedAt"),
        ),
        Change(
            "recordCaseReconsiderationApplication",
            "RecordCaseChallengeApplicationInput",
            _served,
            {},
            refused_in=accepted,
            # the 7-day window: an application before the notice was served is refused too
            invalid=({"appliedAt": "2020-01-01T00:00:00+00:00"}, "appliedAt"),
        ),
        Change(
            "decideCaseReconsideration",
            "DecideCaseChallengeInput",
            _reconsidering,
            {"outcome": "UPHELD", "reason": "维持不予立案决定"},
            role=Role.SUPERVISOR,
            refused_in=accepted,
            invalid=({"reason": " "}, "reason"),
        ),
        Change(
            "extendCaseReconsiderationLimit",
            "ExtendCaseChallengeInput",
            _reconsidering,
            {"days": 30, "reason": "案情重大、复杂"},
            role=Role.SUPERVISOR,
            refused_in=accepted,
            invalid=({"days": 31}, "days"),
        ),
        Change(
            "recordCaseReviewApplication",
            "RecordCaseChallengeApplicationInput",
            _upheld,
            {},
            refused_in=accepted,
            invalid=({}, "appliedAt"),
            invalid_from=_served,
        ),
        Change(
            "decideCaseReview",
            "DecideCaseChallengeInput",
            _reviewing,
            {"outcome": "UPHELD", "reason": "维持"},
            role=Role.SUPERVISOR,
            refused_in=accepted,
            invalid=({"reason": ""}, "reason"),
        ),
        Change(
            "extendCaseReviewLimit",
            "ExtendCaseChallengeInput",
            _reviewing,
            {"days": 10, "reason": "案情复杂"},
            role=Role.SUPERVISOR,
            refused_in=accepted,
            invalid=({"days": 0}, "days"),
        ),
        Change(
            "recordCaseDetentionStep",
            "RecordCaseDetentionStepInput",
            with_measure,
            {"measureNumber": 1, "step": "FAMILY_NOTIFIED"},
            refused_in=accepted,
            invalid=({"measureNumber": 7}, "measureNumber"),
        ),
    ]
}
NAMES = list(CHANGES)
COMMANDS = {
    "acceptCase": CaseCommand.ACCEPT,
    "fileCase": CaseCommand.FILE,
    "startInvestigatingCase": CaseCommand.START_INVESTIGATING,
    "concludeCase": CaseCommand.CONCLUDE,
    "refuseToFileCase": CaseCommand.REFUSE_TO_FILE,
    "withdrawCase": CaseCommand.WITHDRAW,
    "transferCase": CaseCommand.TRANSFER,
    "refuseCaseJurisdiction": CaseCommand.REFUSE_JURISDICTION,
    "designateCaseJurisdiction": CaseCommand.DESIGNATE_JURISDICTION,
    "startCaseMeasure": CaseCommand.START_MEASURE,
    "extendCaseMeasure": CaseCommand.EXTEND_MEASURE,
    "endCaseMeasure": CaseCommand.END_MEASURE,
    "recordCaseRevisit": CaseCommand.RECORD_REVISIT,
    "startCaseTracking": CaseCommand.START_TRACKING,
    "closeCaseTracking": CaseCommand.CLOSE_TRACKING,
    "extendCaseHandlingLimit": CaseCommand.EXTEND_HANDLING_LIMIT,
    "startCaseAppraisal": CaseCommand.START_APPRAISAL,
    "endCaseAppraisal": CaseCommand.END_APPRAISAL,
    "markCaseOutsideJurisdiction": CaseCommand.MARK_OUTSIDE_JURISDICTION,
    "recordCaseNotFilingNotice": CaseCommand.RECORD_NOT_FILING_NOTICE,
    "recordCaseReconsiderationApplication": CaseCommand.RECORD_RECONSIDERATION_APPLICATION,
    "decideCaseReconsideration": CaseCommand.DECIDE_RECONSIDERATION,
    "extendCaseReconsiderationLimit": CaseCommand.EXTEND_RECONSIDERATION,
    "recordCaseReviewApplication": CaseCommand.RECORD_REVIEW_APPLICATION,
    "decideCaseReview": CaseCommand.DECIDE_REVIEW,
    "extendCaseReviewLimit": CaseCommand.EXTEND_REVIEW,
    "recordCaseDetentionStep": CaseCommand.RECORD_DETENTION_STEP,
}
# The roles the policy refuses (tests/unit/test_case_policy.py pins the policy itself).
FORBIDDEN = [
    (name, role)
    for name in NAMES
    for role in Role
    if role is not Role.SYSTEM and role not in PERMISSIONS[COMMANDS[name]]
]


async def _run(gql, change: Change, cid: str, version: int, **overrides: Any) -> dict[str, Any]:
    who = change.who()
    for key in ("role", "unit"):
        if key in overrides:
            who[key] = overrides.pop(key)
    return await send(gql, change.document, change.variables(cid, version, **overrides), **who)


async def _versions(gql, cid: str) -> list[int]:
    return [e["aggregateVersion"] for e in await trail(gql, cid)]


@pytest.mark.parametrize("name", NAMES)
async def test_each_mutation_succeeds_from_its_ready_state(gql, runtime, name):
    # given
    change = CHANGES[name]
    case = await change.ready(runtime)

    # when
    result = await _run(gql, change, gid(case), case.version)

    # then
    assert result["__typename"] == "Case", result
    assert result["version"] == case.version + 1
    assert await _versions(gql, gid(case)) == list(range(1, case.version + 2))


@pytest.mark.parametrize("name", NAMES)
async def test_a_stale_expected_version_is_a_conflict_that_changes_nothing(gql, runtime, name):
    # given
    change = CHANGES[name]
    case = await change.ready(runtime)

    # when
    result = await _run(gql, change, gid(case), case.version - 1)

    # then
    assert result["__typename"] == "ConflictError", result
    assert result["code"] == "CONFLICT"
    assert result["currentVersion"] == case.version
    assert await _versions(gql, gid(case)) == list(range(1, case.version + 1))


UNKNOWN_IDS = {
    "unknown uuid": to_global_id("Case", str(uuid.UUID(int=42))),
    "not base64": "!!not-an-id!!",
    "not a uuid": to_global_id("Case", "12345"),
    "another type": to_global_id("Complaint", str(uuid.UUID(int=42))),
    "empty": "",
}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("cid", list(UNKNOWN_IDS.values()), ids=list(UNKNOWN_IDS))
async def test_an_unknown_or_malformed_id_is_not_found(gql, name, cid):
    # when
    result = await _run(gql, CHANGES[name], cid, 1)

    # then
    assert result["__typename"] == "NotFoundError", result
    assert result["code"] == "NOT_FOUND"


@pytest.mark.parametrize("name", [n for n in NAMES if CHANGES[n].role is Role.HANDLER])
async def test_a_case_outside_the_handlers_subtree_is_not_found_and_unchanged(gql, runtime, name):
    # given: the case belongs to FT-XS; a handler of 南山 (NS) and of its sibling FT-SB try
    change = CHANGES[name]
    case = await change.ready(runtime)

    # when
    results = [
        await _run(gql, change, gid(case), case.version, unit=unit) for unit in ("NS", "FT-SB")
    ]

    # then: never FORBIDDEN, which would confirm that the case exists
    for result in results:
        assert result["__typename"] == "NotFoundError", result
        assert result["message"] == f"case {case.id} was not found"
    assert await _versions(gql, gid(case)) == list(range(1, case.version + 1))


async def test_a_handler_of_a_parent_unit_acts_on_cases_of_its_stations(gql, runtime):
    # given
    change = CHANGES["acceptCase"]
    case = await change.ready(runtime)

    # when
    result = await _run(gql, change, gid(case), case.version, unit="FT")

    # then
    assert result["__typename"] == "Case", result


@pytest.mark.parametrize(("name", "role"), FORBIDDEN, ids=[f"{n}-{r.value}" for n, r in FORBIDDEN])
async def test_a_role_without_the_permission_is_forbidden(gql, runtime, name, role):
    # given
    change = CHANGES[name]
    case = await change.ready(runtime)

    # when
    result = await _run(gql, change, gid(case), case.version, role=role, unit="FT-XS")

    # then
    assert result["__typename"] == "ForbiddenError", result
    assert result["code"] == "FORBIDDEN"
    assert await _versions(gql, gid(case)) == list(range(1, case.version + 1))


REFUSABLE = [n for n in NAMES if CHANGES[n].refused_in is not None]


@pytest.mark.parametrize("name", REFUSABLE)
async def test_a_command_in_a_stage_that_does_not_allow_it_is_an_invalid_transition(
    gql, runtime, name
):
    # given
    change = CHANGES[name]
    assert change.refused_in is not None
    case = await change.refused_in(runtime)

    # when
    result = await _run(gql, change, gid(case), case.version)

    # then
    assert result["__typename"] == "InvalidTransitionError", result
    assert result["code"] == "INVALID_TRANSITION"
    assert result["currentStatus"] == case.stage.value
    assert result["attempted"]
    assert result["message"].startswith(f"cannot {result['attempted']} from {case.stage.value}")
    assert await _versions(gql, gid(case)) == list(range(1, case.version + 1))


def test_every_case_mutation_is_covered():
    assert set(NAMES) == set(COMMANDS)
    assert set(COMMANDS.values()) == set(CaseCommand) - {CaseCommand.REGISTER}


def test_only_close_tracking_is_allowed_in_every_stage():
    assert [n for n in NAMES if n not in REFUSABLE] == ["closeCaseTracking"]


INVALID = [n for n in NAMES if CHANGES[n].invalid is not None]


@pytest.mark.parametrize("name", INVALID)
async def test_an_invalid_input_is_a_validation_error_naming_the_field(gql, runtime, name):
    # given
    change = CHANGES[name]
    assert change.invalid is not None
    bad, field_name = change.invalid
    case = await (change.invalid_from or change.ready)(runtime)

    # when
    result = await _run(gql, change, gid(case), case.version, **bad)

    # then
    assert result["__typename"] == "ValidationError", result
    assert result["code"] == "VALIDATION"
    assert result["field"] == field_name
    assert await _versions(gql, gid(case)) == list(range(1, case.version + 1))


def test_every_mutation_with_an_input_has_a_validation_case():
    assert {n for n in NAMES if CHANGES[n].input_type} <= set(INVALID)
