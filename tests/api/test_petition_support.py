"""Builders shared by the petition API tests (no tests here): petitions set up through service calls."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from api.relay import to_global_id
from domain.actor import Actor, Role
from domain.petition.aggregate import Petition
from domain.petition.status import Finding, PetitionStatus, SupervisionLevel
from service import petition as petitions
from service.context import Call, Runtime
from service.petition import RegisterPetition

S = PetitionStatus
INTAKE = Actor(subject="api-intake", role=Role.INTAKE)
SUPERVISOR = Actor(subject="api-supervisor", role=Role.SUPERVISOR)
LEADER = Actor(subject="api-leader", role=Role.LEADER)
NAME = "李四"
PHONE = "13900001111"
ID_NUMBER = "11010519491231002X"


def handler(unit: str) -> Actor:
    return Actor(subject=f"api-handler-{unit.lower()}", role=Role.HANDLER, unit=unit)


def call(runtime: Runtime, actor: Actor = SUPERVISOR) -> Call:
    return Call(runtime=runtime, actor=actor, request_id="api-test")


def gid(petition: Petition) -> str:
    """The petition's Relay global id, as clients see it."""
    return to_global_id("Petition", petition.id)


def register_input(**overrides: Any) -> dict[str, Any]:
    """A valid `RegisterPetitionInput`; keys override its top-level fields."""
    fields: dict[str, Any] = {
        "subject": "报案后派出所久拖不决",
        "content": "多次到派出所询问案件进展均无答复，请求依法处理。",
        "petitioner": {"name": NAME, "phone": PHONE, "idNumber": ID_NUMBER},
        "handlingUnitCode": "FT-XS",
        "supervisionLevel": "PROVINCE",
    }
    fields.update(overrides)
    return fields


async def register(
    runtime: Runtime,
    *,
    unit: str = "FT-XS",
    received_at: datetime | None = None,
    complained_units: tuple[str, ...] = (),
    level: SupervisionLevel = SupervisionLevel.CITY,
    same_matter_as: Petition | None = None,
    subject: str = "报案后派出所久拖不决",
) -> Petition:
    command = RegisterPetition(
        subject=subject,
        content="多次到派出所询问案件进展均无答复，请求依法处理。",
        petitioner_name=NAME,
        petitioner_phone=PHONE,
        petitioner_id_number=ID_NUMBER,
        handling_unit=unit,
        supervision_level=level,
        received_at=received_at,
        complained_units=complained_units,
        same_matter_as=UUID(same_matter_as.id) if same_matter_as else None,
    )
    return await petitions.register(call(runtime, INTAKE), command)


async def advance(runtime: Runtime, petition: Petition, target: PetitionStatus) -> Petition:
    """One step along the procedure, by the role that takes it."""
    pid, v = UUID(petition.id), petition.version
    unit = handler(petition.handling_unit)
    match target:
        case S.ACCEPTED:
            return await petitions.accept(call(runtime), pid, v)
        case S.NOT_ACCEPTED:
            return await petitions.refuse(call(runtime), pid, v, reason="不属于受理范围")
        case S.RETURNED:
            return await petitions.object_to_routing(
                call(runtime, unit), pid, v, reason="非本所管辖"
            )
        case S.HANDLING:
            return await petitions.start_handling(call(runtime, unit), pid, v)
        case S.ANSWERED:
            return await petitions.answer(
                call(runtime, unit), pid, v, finding=Finding.EXPLAIN, text="依法解释说明。"
            )
        case S.REVIEW_REQUESTED:
            return await petitions.request_review(call(runtime, INTAKE), pid, v, reason="不服")
        case S.REVIEWED:
            return await petitions.decide_review(
                call(runtime), pid, v, finding=Finding.NOT_SUPPORT, text="维持原意见。"
            )
        case S.RE_EXAMINATION_REQUESTED:
            return await petitions.request_re_examination(
                call(runtime, INTAKE), pid, v, reason="不服复查"
            )
        case S.RE_EXAMINED:
            return await petitions.decide_re_examination(
                call(runtime), pid, v, finding=Finding.NOT_SUPPORT, text="复核维持。"
            )
        case S.CLOSED:
            return await petitions.close(call(runtime), pid, v)
    raise AssertionError(target)


PATH = (
    S.ACCEPTED,
    S.HANDLING,
    S.ANSWERED,
    S.REVIEW_REQUESTED,
    S.REVIEWED,
    S.RE_EXAMINATION_REQUESTED,
    S.RE_EXAMINED,
    S.CLOSED,
)


async def petition_in(runtime: Runtime, status: PetitionStatus, **registration: Any) -> Petition:
    """A new petition walked to `status` (CLOSED by way of re-examination)."""
    petition = await register(runtime, **registration)
    if status in (S.NOT_ACCEPTED, S.RETURNED):
        return await advance(runtime, petition, status)
    if status is S.REGISTERED:
        return petition
    for each in PATH[: PATH.index(status) + 1]:
        petition = await advance(runtime, petition, each)
    assert petition.status is status
    return petition
