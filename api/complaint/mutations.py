"""Complaint mutations: each returns the complaint or a typed error, never a stack trace."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, TypeAlias
from uuid import UUID

import strawberry

from api.complaint.types import Complaint, Satisfaction
from api.context import Info
from api.failures import (
    ConflictError,
    ForbiddenError,
    InvalidTransitionError,
    NotFoundError,
    ValidationError,
    present_or_error,
)
from api.reference.types import Channel
from api.relay import uuid_of, uuid_or_not_found
from domain.complaint.aggregate import Complaint as ComplaintAggregate
from domain.complaint.status import Satisfaction as DomainSatisfaction
from domain.errors import NotFound
from service import complaints as service
from service.complaints import RegisterComplaint

RegisterComplaintResult: TypeAlias = Annotated[
    Complaint | ValidationError | ForbiddenError | ConflictError,
    strawberry.union("RegisterComplaintResult"),
]
ComplaintChangeResult: TypeAlias = Annotated[
    Complaint
    | ValidationError
    | NotFoundError
    | ConflictError
    | ForbiddenError
    | InvalidTransitionError,
    strawberry.union(
        "ComplaintChangeResult",
        description="The changed complaint, or why it could not change.",
    ),
]


@strawberry.input
class ComplainantInput:
    name: str
    phone: str
    id_number: str | None = None


@strawberry.input
class ExternalRefInput:
    system: str
    ticket_id: str


@strawberry.input
class RegisterComplaintInput:
    channel: Channel
    subject: str
    content: str
    complainant: ComplainantInput
    received_at: datetime | None = None
    external_ref: ExternalRefInput | None = strawberry.field(
        default=None, description="A repeated push of the same reference returns the existing item."
    )
    complained_unit_codes: list[str] | None = None
    complained_officer_codes: list[str] | None = None


@strawberry.input
class TriageComplaintInput:
    category_code: str
    unit_code: str
    line_unit_code: str | None = None
    importance: bool | None = strawberry.field(
        default=None,
        description="Important letter (重要信件); defaults to whether the category is enforcement.",
    )


@strawberry.input
class ReplyToComplaintInput:
    text: str


@strawberry.input
class RecordComplaintCallbackInput:
    satisfaction: Satisfaction
    note: str | None = None


@strawberry.input
class ReasonInput:
    reason: str


@strawberry.input
class MergeComplaintInput:
    into_id: strawberry.ID
    reason: str


async def _run(info: Info, action: Callable[[], Awaitable[ComplaintAggregate]]) -> Any:
    return await present_or_error(action, Complaint.from_aggregate)


def _id(id: strawberry.ID) -> UUID:
    return uuid_or_not_found(id, "Complaint", "complaint")


@strawberry.type
class ComplaintMutations:
    @strawberry.mutation(description="Register a complaint from any channel (归口受理).")
    async def register_complaint(
        self, info: Info, input: RegisterComplaintInput
    ) -> RegisterComplaintResult:
        command = RegisterComplaint(
            channel=input.channel.value,
            subject=input.subject,
            content=input.content,
            complainant_name=input.complainant.name,
            complainant_phone=input.complainant.phone,
            complainant_id_number=input.complainant.id_number,
            received_at=input.received_at,
            external_system=input.external_ref.system if input.external_ref else None,
            external_ticket=input.external_ref.ticket_id if input.external_ref else None,
            complained_units=tuple(input.complained_unit_codes or ()),
            complained_officers=tuple(input.complained_officer_codes or ()),
        )
        return await _run(info, lambda: service.register(info.context.call, command))

    @strawberry.mutation(description="Classify and route: category, primary unit, line unit.")
    async def triage_complaint(
        self, info: Info, id: strawberry.ID, expected_version: int, input: TriageComplaintInput
    ) -> ComplaintChangeResult:
        return await _run(
            info,
            lambda: service.triage(
                info.context.call,
                _id(id),
                expected_version,
                category_code=input.category_code,
                unit_code=input.unit_code,
                line_unit_code=input.line_unit_code,
                importance=input.importance,
            ),
        )

    @strawberry.mutation
    async def start_handling_complaint(
        self, info: Info, id: strawberry.ID, expected_version: int
    ) -> ComplaintChangeResult:
        return await _run(
            info, lambda: service.start_handling(info.context.call, _id(id), expected_version)
        )

    @strawberry.mutation
    async def reply_to_complaint(
        self, info: Info, id: strawberry.ID, expected_version: int, input: ReplyToComplaintInput
    ) -> ComplaintChangeResult:
        return await _run(
            info,
            lambda: service.reply(info.context.call, _id(id), expected_version, text=input.text),
        )

    @strawberry.mutation(
        description="Record the callback (回访) and the complainant's satisfaction."
    )
    async def record_complaint_callback(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: RecordComplaintCallbackInput,
    ) -> ComplaintChangeResult:
        return await _run(
            info,
            lambda: service.record_callback(
                info.context.call,
                _id(id),
                expected_version,
                satisfaction=DomainSatisfaction(input.satisfaction.value),
                note=input.note,
            ),
        )

    @strawberry.mutation
    async def close_complaint(
        self, info: Info, id: strawberry.ID, expected_version: int
    ) -> ComplaintChangeResult:
        return await _run(info, lambda: service.close(info.context.call, _id(id), expected_version))

    @strawberry.mutation(description="Reopen after a dissatisfied callback.")
    async def reopen_complaint(
        self, info: Info, id: strawberry.ID, expected_version: int, input: ReasonInput
    ) -> ComplaintChangeResult:
        return await _run(
            info,
            lambda: service.reopen(
                info.context.call, _id(id), expected_version, reason=input.reason
            ),
        )

    @strawberry.mutation(description="Merge a duplicate into another complaint (合并).")
    async def merge_complaint(
        self, info: Info, id: strawberry.ID, expected_version: int, input: MergeComplaintInput
    ) -> ComplaintChangeResult:
        async def action() -> ComplaintAggregate:
            into = uuid_of(input.into_id, "Complaint")
            if into is None:
                raise NotFound("complaint", str(input.into_id))
            return await service.merge(
                info.context.call, _id(id), expected_version, into_id=into, reason=input.reason
            )

        return await _run(info, action)

    @strawberry.mutation(description="Not accepted (不予受理), with the reason.")
    async def reject_complaint(
        self, info: Info, id: strawberry.ID, expected_version: int, input: ReasonInput
    ) -> ComplaintChangeResult:
        return await _run(
            info,
            lambda: service.reject(
                info.context.call, _id(id), expected_version, reason=input.reason
            ),
        )

    @strawberry.mutation(
        description="Erase the complainant's personal data (PIPL); the audit chain stays intact."
    )
    async def erase_complainant_identity(
        self, info: Info, id: strawberry.ID, expected_version: int, input: ReasonInput
    ) -> ComplaintChangeResult:
        return await _run(
            info,
            lambda: service.erase_identity(
                info.context.call, _id(id), expected_version, reason=input.reason
            ),
        )
