"""Builders shared by the case API tests: cases set up through service calls, global ids.

(Named test_case_* to stay within the case slice's files; it holds no tests.)
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from api.relay import to_global_id
from domain.actor import Actor, Role
from domain.case.aggregate import Case
from domain.case.status import CaseKind, MeasureKind
from service import case as cases
from service.case import RegisterCase
from service.context import Call, Runtime
from tests.api.support import assert_no_traceback

PUSHER = Actor(subject="api-jingzong", role=Role.INTEGRATION)
SUPERVISOR = Actor(subject="api-supervisor", role=Role.SUPERVISOR)

OUTCOME = """
fragment Outcome on CaseChangeResult {
  __typename
  ... on Case { id version stage unit { code } }
  ... on Error { code message }
  ... on ValidationError { field }
  ... on ConflictError { currentVersion }
  ... on InvalidTransitionError { currentStatus attempted allowedNextStatuses }
}
"""
REGISTER = """
mutation Register($input: RegisterCaseInput!) {
  result: registerCase(input: $input) {
    __typename
    ... on Case { id version stage correlationId externalRef { system recordId } }
    ... on Error { code message }
    ... on ValidationError { field }
  }
}
"""
TRAIL = """
query Trail($id: ID!) {
  auditTrail(aggregateId: $id) {
    edges {
      node {
        eventType aggregateType aggregateVersion correlationId ownerUnit reason payload
        actor { subject role unit }
      }
    }
  }
}
"""


def handler(unit: str) -> Actor:
    return Actor(subject=f"api-handler-{unit.lower()}", role=Role.HANDLER, unit=unit)


def call(runtime: Runtime, actor: Actor = SUPERVISOR) -> Call:
    return Call(runtime=runtime, actor=actor, request_id="api-test")


def gid(case: Case) -> str:
    return to_global_id("Case", case.id)


def register_input(**overrides: Any) -> dict[str, Any]:
    """A valid `RegisterCaseInput`; keys override its top-level fields."""
    fields: dict[str, Any] = {
        "kind": "CRIMINAL",
        "title": "香蜜湖入室盗窃案",
        "summary": "报警人称家中财物被盗。",
        "unitCode": "FT-XS",
        "leadOfficerCode": "P-FT-XS-001",
        "externalRef": {"system": "JZPT", "recordId": "J440304-0001"},
    }
    fields.update(overrides)
    return fields


async def registered(
    runtime: Runtime,
    *,
    unit: str = "FT-XS",
    kind: CaseKind = CaseKind.CRIMINAL,
    officer: str | None = "P-FT-XS-001",
    title: str = "香蜜湖入室盗窃案",
) -> Case:
    command = RegisterCase(kind=kind, title=title, unit_code=unit, lead_officer_code=officer)
    return await cases.register(call(runtime), command)


async def accepted(runtime: Runtime, **registration: Any) -> Case:
    case = await registered(runtime, **registration)
    return await cases.accept(call(runtime, handler(case.unit)), UUID(case.id), case.version)


async def filed(runtime: Runtime, **registration: Any) -> Case:
    case = await accepted(runtime, **registration)
    return await cases.file(call(runtime, handler(case.unit)), UUID(case.id), case.version)


async def investigating(runtime: Runtime, **registration: Any) -> Case:
    case = await filed(runtime, **registration)
    return await cases.start_investigating(
        call(runtime, handler(case.unit)), UUID(case.id), case.version
    )


async def with_measure(
    runtime: Runtime, kind: MeasureKind = MeasureKind.CRIMINAL_DETENTION, **registration: Any
) -> Case:
    """Investigating, with measure 1 open."""
    case = await investigating(runtime, **registration)
    return await cases.start_measure(
        call(runtime, handler(case.unit)),
        UUID(case.id),
        case.version,
        kind=kind,
        person_label="嫌疑人甲",
        started_at=None,
    )


async def send(gql, document: str, variables: dict[str, Any], **who: Any) -> dict[str, Any]:
    """The one result of a mutation that answered with a union member, not a GraphQL error."""
    response = await gql.post(document, variables, **who)
    assert_no_traceback(response)
    body = response.json()
    assert response.status_code == 200, body
    assert not body.get("errors"), body["errors"]
    (result,) = body["data"].values()
    return result


async def trail(gql, cid: str, **who: Any) -> list[dict[str, Any]]:
    data = await gql(TRAIL, {"id": cid}, **who)
    return [edge["node"] for edge in data["auditTrail"]["edges"]]
