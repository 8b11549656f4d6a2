"""Registering cases: the idempotent push from the police platform, staff registration, errors."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from audit.schema import audit_event
from domain.actor import Role
from store.case import police_case
from tests.api.test_case_support import REGISTER, register_input, send, trail

pytestmark = pytest.mark.db

PUSHER = {"role": Role.INTEGRATION, "sub": "jingzong-push"}


async def _stored(runtime) -> tuple[int, int]:
    """(case rows, case audit events) in the database."""
    async with runtime.engine.connect() as conn:
        cases = await conn.scalar(select(func.count()).select_from(police_case))
        events = await conn.scalar(
            select(func.count())
            .select_from(audit_event)
            .where(audit_event.c.aggregate_type == "case")
        )
    return cases or 0, events or 0


async def test_a_push_creates_the_case_at_version_one_with_its_own_correlation_id(gql, runtime):
    # when
    first = await send(gql, REGISTER, {"input": register_input()}, **PUSHER)
    other = await send(
        gql,
        REGISTER,
        {"input": register_input(externalRef={"system": "JZPT", "recordId": "J-2"})},
        **PUSHER,
    )

    # then
    assert first["__typename"] == "Case", first
    assert (first["version"], first["stage"]) == (1, "ALERT_RECEIVED")
    assert first["externalRef"] == {"system": "JZPT", "recordId": "J440304-0001"}
    assert first["correlationId"] != other["correlationId"]
    (event,) = await trail(gql, first["id"])
    assert event["eventType"] == "case.registered"
    assert event["correlationId"] == first["correlationId"]
    assert event["actor"] == {"subject": "jingzong-push", "role": "integration", "unit": None}
    assert await _stored(runtime) == (2, 2)


async def test_a_repeated_push_returns_the_existing_case_and_creates_nothing(gql, runtime):
    # given
    first = await send(gql, REGISTER, {"input": register_input()}, **PUSHER)

    # when: the platform sends the record again, even with other details
    again = await send(gql, REGISTER, {"input": register_input(title="重复推送")}, **PUSHER)

    # then
    assert again == first
    assert await _stored(runtime) == (1, 1)


async def test_concurrent_pushes_of_one_record_make_one_case_and_one_event(gql, runtime):
    # when
    results = await asyncio.gather(
        *(send(gql, REGISTER, {"input": register_input()}, **PUSHER) for _ in range(6))
    )

    # then
    assert {r["__typename"] for r in results} == {"Case"}, results
    assert len({r["id"] for r in results}) == 1
    assert {r["version"] for r in results} == {1}
    assert await _stored(runtime) == (1, 1)
    (event,) = await trail(gql, results[0]["id"])
    assert event["aggregateVersion"] == 1


async def test_staff_register_cases_without_a_reference(gql, runtime):
    # when
    inputs = register_input()
    del inputs["externalRef"]
    first = await send(gql, REGISTER, {"input": inputs}, role=Role.SUPERVISOR)
    second = await send(gql, REGISTER, {"input": inputs}, role=Role.SUPERVISOR)

    # then
    assert first["__typename"] == second["__typename"] == "Case"
    assert first["id"] != second["id"]
    assert first["externalRef"] is None
    assert await _stored(runtime) == (2, 2)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"externalRef": None}, "externalRef"),
        ({"externalRef": {"system": "JZPT", "recordId": ""}}, "externalRef"),
        ({"unitCode": "NOPE"}, "unitCode"),
        ({"leadOfficerCode": "P-NOBODY"}, "leadOfficerCode"),
        ({"title": "   "}, "title"),
        ({"alertReceivedAt": "2030-01-01T00:00:00Z"}, "alertReceivedAt"),
    ],
    ids=[
        "no reference",
        "blank record id",
        "unknown unit",
        "unknown officer",
        "blank title",
        "future",
    ],
)
async def test_an_invalid_push_is_a_validation_error_naming_the_field(
    gql, runtime, overrides, field
):
    # when
    result = await send(gql, REGISTER, {"input": register_input(**overrides)}, **PUSHER)

    # then
    assert result["__typename"] == "ValidationError", result
    assert result["code"] == "VALIDATION"
    assert result["field"] == field
    assert await _stored(runtime) == (0, 0)


@pytest.mark.parametrize(
    ("role", "unit"),
    [(Role.HANDLER, "FT-XS"), (Role.AUDITOR, None), (Role.LEGAL, None), (Role.INTAKE, None)],
)
async def test_only_integrations_and_supervisors_register(gql, runtime, role, unit):
    # when
    result = await send(gql, REGISTER, {"input": register_input()}, role=role, unit=unit)

    # then
    assert result["__typename"] == "ForbiddenError", result
    assert result["code"] == "FORBIDDEN"
    assert await _stored(runtime) == (0, 0)
