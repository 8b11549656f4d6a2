"""Small builders shared by integration tests (service calls, not HTTP)."""

from __future__ import annotations

from uuid import UUID

from domain.actor import Actor, Role
from domain.complaint.aggregate import Complaint
from service import complaints
from service.complaints import RegisterComplaint
from service.context import Call, Runtime

INTAKE = Actor(subject="intake-1", role=Role.INTAKE)
SUPERVISOR = Actor(subject="supervisor-1", role=Role.SUPERVISOR)


def call(runtime: Runtime, actor: Actor = SUPERVISOR) -> Call:
    return Call(runtime=runtime, actor=actor, request_id="test")


async def register(runtime: Runtime, **overrides: object) -> Complaint:
    fields: dict[str, object] = {
        "channel": "ONLINE",
        "subject": "派出所不予受理报案",
        "content": "报案后民警称不归本所管辖，请核查。",
        "complainant_name": "张三",
        "complainant_phone": "13812345678",
    }
    fields.update(overrides)
    return await complaints.register(call(runtime, INTAKE), RegisterComplaint(**fields))  # type: ignore[arg-type]


async def registered_and_triaged(runtime: Runtime, unit: str = "FT") -> Complaint:
    complaint = await register(runtime)
    return await complaints.triage(
        call(runtime),
        UUID(complaint.id),
        1,
        category_code="ENF_INACTION",
        unit_code=unit,
        line_unit_code="SZ-DC",
        importance=None,
    )
