"""Petition mutations: each returns the petition or a typed error, never a stack trace."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Annotated, Any, TypeAlias
from uuid import UUID

import strawberry

from api.context import Info
from api.failures import (
    ConflictError,
    ForbiddenError,
    InvalidTransitionError,
    NotFoundError,
    ValidationError,
    present_or_error,
    to_error,
)
from api.petition.types import (
    Petition,
    PetitionAlreadyReExaminedError,
    PetitionFinding,
    PetitionJudicialAidStatus,
    PetitionOutcome,
    PetitionRoutingDecision,
    PetitionSupervisionLevel,
)
from api.relay import uuid_of, uuid_or_not_found
from domain.errors import DomainError, NotFound, ValidationFailed
from domain.petition.aggregate import Petition as PetitionAggregate
from domain.petition.errors import AlreadyReExamined
from domain.petition.status import (
    Finding,
    JudicialAidStatus,
    Outcome,
    RoutingDecision,
    SupervisionLevel,
)
from service import petition as service
from service.petition import RegisterPetition, RegisterPetitionFromComplaint

RegisterPetitionResult: TypeAlias = Annotated[
    Petition
    | ValidationError
    | NotFoundError
    | ForbiddenError
    | ConflictError
    | PetitionAlreadyReExaminedError,
    strawberry.union(
        "RegisterPetitionResult", description="The registered petition, or why it was not."
    ),
]
PetitionChangeResult: TypeAlias = Annotated[
    Petition
    | ValidationError
    | NotFoundError
    | ConflictError
    | ForbiddenError
    | InvalidTransitionError,
    strawberry.union(
        "PetitionChangeResult", description="The changed petition, or why it could not change."
    ),
]


@strawberry.input
class PetitionerInput:
    name: str
    phone: str
    id_number: str | None = None


@strawberry.input
class RegisterPetitionInput:
    subject: str
    content: str
    petitioner: PetitionerInput
    handling_unit_code: str = strawberry.field(
        description="The unit the petition is forwarded to (登记并转送, art. 22)."
    )
    supervision_level: PetitionSupervisionLevel = PetitionSupervisionLevel.CITY
    received_at: datetime | None = None
    complained_unit_codes: list[str] | None = None
    complained_officer_codes: list[str] | None = None
    same_matter_as: strawberry.ID | None = strawberry.field(
        default=None,
        description="An earlier petition about the same matter; after its re-examination the "
        "matter is not accepted again (art. 36).",
    )


@strawberry.input
class RegisterPetitionFromComplaintInput:
    handling_unit_code: str | None = strawberry.field(
        default=None, description="Defaults to the complaint's primary unit."
    )
    supervision_level: PetitionSupervisionLevel = PetitionSupervisionLevel.CITY
    subject: str | None = strawberry.field(default=None, description="Defaults to the complaint's.")
    content: str | None = strawberry.field(default=None, description="Defaults to the complaint's.")
    received_at: datetime | None = strawberry.field(
        default=None, description="Defaults to when the complaint was received."
    )


@strawberry.input
class PetitionReasonInput:
    reason: str


@strawberry.input
class DecidePetitionRoutingInput:
    decision: PetitionRoutingDecision
    superior_unit_code: str = strawberry.field(
        description="The common superior deciding the dispute (art. 24)."
    )
    reason: str
    unit_code: str | None = strawberry.field(
        default=None, description="The new handling unit, when reassigned."
    )


@strawberry.input
class ExtendPetitionHandlingInput:
    days: int
    reason: str = strawberry.field(description="Why; the petitioner is told (art. 34).")


@strawberry.input
class PetitionFindingInput:
    finding: PetitionFinding
    text: str


@strawberry.input
class AssignPetitionLeaderInput:
    officer_code: str
    deadline: date = strawberry.field(description="Resolve by this date (限期化解).")


@strawberry.input
class RecordPetitionDispatchInput:
    held_on: date = strawberry.field(name="date")
    notes: str


@strawberry.input
class RecordPetitionInterviewInput:
    held_on: date = strawberry.field(name="date")
    participants: list[str]
    notes: str


@strawberry.input
class RecordPetitionLawyerInput:
    name: str
    firm: str


@strawberry.input
class ReferPetitionToLegalAidInput:
    centre: str
    note: str | None = None


@strawberry.input
class RecordPetitionJudicialAidInput:
    status: PetitionJudicialAidStatus
    amount_yuan: int | None = None
    note: str | None = None


@strawberry.input
class RecordPetitionOutcomeInput:
    outcome: PetitionOutcome
    note: str | None = None


@strawberry.input
class AddPetitionAttachmentInput:
    name: str
    media_type: str
    size: int = strawberry.field(description="Bytes.")
    sha256: str = strawberry.field(description="SHA-256 of the file, 64 hex digits.")


def _error(error: DomainError) -> Any:
    if isinstance(error, AlreadyReExamined):
        return PetitionAlreadyReExaminedError.from_domain(error)
    return to_error(error)


async def _run(action: Callable[[], Awaitable[PetitionAggregate]]) -> Any:
    return await present_or_error(action, Petition.from_aggregate, _error)


def _id(id: strawberry.ID) -> UUID:
    return uuid_or_not_found(id, "Petition", "petition")


def _finding(value: PetitionFinding) -> Finding:
    return Finding(value.value)


@strawberry.type
class PetitionMutations:
    @strawberry.mutation(description="Register a petition and forward it (登记转送, art. 22).")
    async def register_petition(
        self, info: Info, input: RegisterPetitionInput
    ) -> RegisterPetitionResult:
        async def action() -> PetitionAggregate:
            same_matter = None
            if input.same_matter_as is not None:
                same_matter = uuid_of(input.same_matter_as, "Petition")
                if same_matter is None:
                    raise ValidationFailed(
                        f"petition {input.same_matter_as} was not found", field="sameMatterAs"
                    )
            command = RegisterPetition(
                subject=input.subject,
                content=input.content,
                petitioner_name=input.petitioner.name,
                petitioner_phone=input.petitioner.phone,
                petitioner_id_number=input.petitioner.id_number,
                handling_unit=input.handling_unit_code,
                supervision_level=SupervisionLevel(input.supervision_level.value),
                received_at=input.received_at,
                complained_units=tuple(input.complained_unit_codes or ()),
                complained_officers=tuple(input.complained_officer_codes or ()),
                same_matter_as=same_matter,
            )
            return await service.register(info.context.call, command)

        return await _run(action)

    @strawberry.mutation(
        description="Register a complaint as a petition: same correlation id, same person, a link "
        "to the complaint; the complaint is not changed."
    )
    async def register_petition_from_complaint(
        self,
        info: Info,
        complaint_id: strawberry.ID,
        input: RegisterPetitionFromComplaintInput | None = None,
    ) -> RegisterPetitionResult:
        given = input or RegisterPetitionFromComplaintInput()

        async def action() -> PetitionAggregate:
            complaint = uuid_of(complaint_id, "Complaint")
            if complaint is None:
                raise NotFound("complaint", str(complaint_id))
            command = RegisterPetitionFromComplaint(
                complaint_id=complaint,
                handling_unit=given.handling_unit_code,
                supervision_level=SupervisionLevel(given.supervision_level.value),
                subject=given.subject,
                content=given.content,
                received_at=given.received_at,
            )
            return await service.register_from_complaint(info.context.call, command)

        return await _run(action)

    @strawberry.mutation(description="Accept (受理); starts the 60 日 handling clock (art. 34).")
    async def accept_petition(
        self, info: Info, id: strawberry.ID, expected_version: int
    ) -> PetitionChangeResult:
        return await _run(lambda: service.accept(info.context.call, _id(id), expected_version))

    @strawberry.mutation(description="Not accepted (不予受理), with the reason (art. 23).")
    async def refuse_petition(
        self, info: Info, id: strawberry.ID, expected_version: int, input: PetitionReasonInput
    ) -> PetitionChangeResult:
        return await _run(
            lambda: service.refuse(
                info.context.call, _id(id), expected_version, reason=input.reason
            )
        )

    @strawberry.mutation(
        description="The receiving unit objects to a mis-routed item (退回) within 5 工作日."
    )
    async def object_to_petition_routing(
        self, info: Info, id: strawberry.ID, expected_version: int, input: PetitionReasonInput
    ) -> PetitionChangeResult:
        return await _run(
            lambda: service.object_to_routing(
                info.context.call, _id(id), expected_version, reason=input.reason
            )
        )

    @strawberry.mutation(description="The common superior decides the disputed routing (art. 24).")
    async def decide_petition_routing(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: DecidePetitionRoutingInput,
    ) -> PetitionChangeResult:
        return await _run(
            lambda: service.decide_routing(
                info.context.call,
                _id(id),
                expected_version,
                decision=RoutingDecision(input.decision.value),
                superior_unit=input.superior_unit_code,
                unit=input.unit_code,
                reason=input.reason,
            )
        )

    @strawberry.mutation(description="The handling unit takes up an accepted petition.")
    async def start_handling_petition(
        self, info: Info, id: strawberry.ID, expected_version: int
    ) -> PetitionChangeResult:
        return await _run(
            lambda: service.start_handling(info.context.call, _id(id), expected_version)
        )

    @strawberry.mutation(
        description="Extend handling once by at most 30 日, approved by a leader (art. 34)."
    )
    async def extend_petition_handling(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: ExtendPetitionHandlingInput,
    ) -> PetitionChangeResult:
        return await _run(
            lambda: service.extend_handling(
                info.context.call, _id(id), expected_version, days=input.days, reason=input.reason
            )
        )

    @strawberry.mutation(description="Answer with a finding (art. 32); opens the review window.")
    async def answer_petition(
        self, info: Info, id: strawberry.ID, expected_version: int, input: PetitionFindingInput
    ) -> PetitionChangeResult:
        return await _run(
            lambda: service.answer(
                info.context.call,
                _id(id),
                expected_version,
                finding=_finding(input.finding),
                text=input.text,
            )
        )

    @strawberry.mutation(
        description="The petitioner requests review (复查) within 30 日 (art. 35)."
    )
    async def request_petition_review(
        self, info: Info, id: strawberry.ID, expected_version: int, input: PetitionReasonInput
    ) -> PetitionChangeResult:
        return await _run(
            lambda: service.request_review(
                info.context.call, _id(id), expected_version, reason=input.reason
            )
        )

    @strawberry.mutation(description="The review decision (复查意见), due within 30 日.")
    async def decide_petition_review(
        self, info: Info, id: strawberry.ID, expected_version: int, input: PetitionFindingInput
    ) -> PetitionChangeResult:
        return await _run(
            lambda: service.decide_review(
                info.context.call,
                _id(id),
                expected_version,
                finding=_finding(input.finding),
                text=input.text,
            )
        )

    @strawberry.mutation(
        description="The petitioner requests re-examination (复核) within 30 日 (art. 36)."
    )
    async def request_petition_re_examination(
        self, info: Info, id: strawberry.ID, expected_version: int, input: PetitionReasonInput
    ) -> PetitionChangeResult:
        return await _run(
            lambda: service.request_re_examination(
                info.context.call, _id(id), expected_version, reason=input.reason
            )
        )

    @strawberry.mutation(
        description="The re-examination decision (复核意见); the matter is not accepted again."
    )
    async def decide_petition_re_examination(
        self, info: Info, id: strawberry.ID, expected_version: int, input: PetitionFindingInput
    ) -> PetitionChangeResult:
        return await _run(
            lambda: service.decide_re_examination(
                info.context.call,
                _id(id),
                expected_version,
                finding=_finding(input.finding),
                text=input.text,
            )
        )

    @strawberry.mutation(
        description="Close (办结) once the petitioner's window for the next step has passed."
    )
    async def close_petition(
        self, info: Info, id: strawberry.ID, expected_version: int
    ) -> PetitionChangeResult:
        return await _run(lambda: service.close(info.context.call, _id(id), expected_version))

    @strawberry.mutation(description="Mark as a backlog case (积案), with the reason.")
    async def mark_petition_backlog(
        self, info: Info, id: strawberry.ID, expected_version: int, input: PetitionReasonInput
    ) -> PetitionChangeResult:
        return await _run(
            lambda: service.mark_backlog(
                info.context.call, _id(id), expected_version, reason=input.reason
            )
        )

    @strawberry.mutation(description="A leader in charge with a deadline (包案, 限期化解).")
    async def assign_petition_leader(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: AssignPetitionLeaderInput,
    ) -> PetitionChangeResult:
        return await _run(
            lambda: service.assign_leader(
                info.context.call,
                _id(id),
                expected_version,
                officer=input.officer_code,
                deadline=input.deadline,
            )
        )

    @strawberry.mutation(description="Record a weekly dispatch (每周调度).")
    async def record_petition_dispatch(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: RecordPetitionDispatchInput,
    ) -> PetitionChangeResult:
        return await _run(
            lambda: service.record_dispatch(
                info.context.call,
                _id(id),
                expected_version,
                held_on=input.held_on,
                notes=input.notes,
            )
        )

    @strawberry.mutation(description="Record an interview with the petitioner (约谈).")
    async def record_petition_interview(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: RecordPetitionInterviewInput,
    ) -> PetitionChangeResult:
        return await _run(
            lambda: service.record_interview(
                info.context.call,
                _id(id),
                expected_version,
                held_on=input.held_on,
                participants=tuple(input.participants),
                notes=input.notes,
            )
        )

    @strawberry.mutation(description="Record the lawyer taking part (律师代理).")
    async def record_petition_lawyer(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: RecordPetitionLawyerInput,
    ) -> PetitionChangeResult:
        return await _run(
            lambda: service.record_lawyer(
                info.context.call, _id(id), expected_version, name=input.name, firm=input.firm
            )
        )

    @strawberry.mutation(description="Refer the petitioner to a legal-aid centre (法律援助).")
    async def refer_petition_to_legal_aid(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: ReferPetitionToLegalAidInput,
    ) -> PetitionChangeResult:
        return await _run(
            lambda: service.refer_to_legal_aid(
                info.context.call, _id(id), expected_version, centre=input.centre, note=input.note
            )
        )

    @strawberry.mutation(description="Record a judicial-aid application or its result (司法救助).")
    async def record_petition_judicial_aid(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: RecordPetitionJudicialAidInput,
    ) -> PetitionChangeResult:
        return await _run(
            lambda: service.record_judicial_aid(
                info.context.call,
                _id(id),
                expected_version,
                status=JudicialAidStatus(input.status.value),
                amount=input.amount_yuan,
                note=input.note,
            )
        )

    @strawberry.mutation(description="Record the outcome: 息诉罢访, 案结事了, or continuing.")
    async def record_petition_outcome(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: RecordPetitionOutcomeInput,
    ) -> PetitionChangeResult:
        return await _run(
            lambda: service.record_outcome(
                info.context.call,
                _id(id),
                expected_version,
                outcome=Outcome(input.outcome.value),
                note=input.note,
            )
        )

    @strawberry.mutation(
        description="Add a document to the case file (案卷): metadata and SHA-256; no bytes."
    )
    async def add_petition_attachment(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: AddPetitionAttachmentInput,
    ) -> PetitionChangeResult:
        return await _run(
            lambda: service.add_attachment(
                info.context.call,
                _id(id),
                expected_version,
                name=input.name,
                media_type=input.media_type,
                size=input.size,
                sha256=input.sha256,
            )
        )
