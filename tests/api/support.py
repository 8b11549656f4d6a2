"""Builders shared by the API tests: complaints set up through service calls, global ids."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import httpx

from api.relay import to_global_id
from domain.actor import Actor, Role
from domain.complaint.aggregate import Complaint
from domain.complaint.status import Satisfaction
from service import complaints
from service.complaints import RegisterComplaint
from service.context import Call, Runtime

INTAKE = Actor(subject="api-intake", role=Role.INTAKE)
SUPERVISOR = Actor(subject="api-supervisor", role=Role.SUPERVISOR)


def handler(unit: str) -> Actor:
    return Actor(subject=f"api-handler-{unit.lower()}", role=Role.HANDLER, unit=unit)


def call(runtime: Runtime, actor: Actor = SUPERVISOR) -> Call:
    return Call(runtime=runtime, actor=actor, request_id="api-test")


def gid(complaint: Complaint) -> str:
    """The complaint's Relay global id, as clients see it."""
    return to_global_id("Complaint", complaint.id)


def register_input(**overrides: Any) -> dict[str, Any]:
    """A valid `RegisterComplaintInput`; keys override its top-level fields."""
    fields: dict[str, Any] = {
        "channel": "ONLINE",
        "subject": "派出所不予受理报案",
        "content": "报案后民警称不归本所管辖，请核查。",
        "complainant": {"name": "张三", "phone": "13812345678"},
    }
    fields.update(overrides)
    return fields


async def register(
    runtime: Runtime,
    *,
    channel: str = "ONLINE",
    subject: str = "派出所不予受理报案",
    received_at: datetime | None = None,
    complained_units: tuple[str, ...] = (),
    phone: str = "13812345678",
) -> Complaint:
    command = RegisterComplaint(
        channel=channel,
        subject=subject,
        content="报案后民警称不归本所管辖，请核查。",
        complainant_name="张三",
        complainant_phone=phone,
        received_at=received_at,
        complained_units=complained_units,
    )
    return await complaints.register(call(runtime, INTAKE), command)


async def triage(
    runtime: Runtime,
    complaint: Complaint,
    *,
    unit: str = "FT",
    line_unit: str | None = "SZ-DC",
    category: str = "ENF_INACTION",
    importance: bool | None = None,
) -> Complaint:
    return await complaints.triage(
        call(runtime),
        UUID(complaint.id),
        complaint.version,
        category_code=category,
        unit_code=unit,
        line_unit_code=line_unit,
        importance=importance,
    )


async def routed(runtime: Runtime, unit: str = "FT", **registration: Any) -> Complaint:
    """Registered and triaged to `unit`: status TRIAGED, version 2."""
    return await triage(runtime, await register(runtime, **registration), unit=unit)


async def handling(runtime: Runtime, unit: str = "FT") -> Complaint:
    """Routed to `unit` and taken up by its handler: status HANDLING, version 3."""
    complaint = await routed(runtime, unit)
    return await complaints.start_handling(
        call(runtime, handler(unit)), UUID(complaint.id), complaint.version
    )


async def replied(runtime: Runtime, unit: str = "FT") -> Complaint:
    """Answered by the handler: status REPLIED, version 4."""
    complaint = await handling(runtime, unit)
    return await complaints.reply(
        call(runtime, handler(unit)), UUID(complaint.id), complaint.version, text="已答复。"
    )


async def called_back(
    runtime: Runtime, satisfaction: Satisfaction = Satisfaction.SATISFIED
) -> Complaint:
    """Called back by the centre: status CALLED_BACK, version 5."""
    complaint = await replied(runtime)
    return await complaints.record_callback(
        call(runtime), UUID(complaint.id), complaint.version, satisfaction=satisfaction, note=None
    )


async def merge(runtime: Runtime, complaint: Complaint, *, into: Complaint) -> Complaint:
    return await complaints.merge(
        call(runtime),
        UUID(complaint.id),
        complaint.version,
        into_id=UUID(into.id),
        reason="同一事项重复来信",
    )


def assert_no_traceback(response: httpx.Response) -> None:
    assert "Traceback" not in response.text, response.text
