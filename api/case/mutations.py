"""Case mutations: each returns the case or a typed error, never a stack trace."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, TypeAlias
from uuid import UUID

import strawberry

from api.case.types import (
    Case,
    CaseChallengeOutcome,
    CaseDetentionStep,
    CaseKind,
    CaseMeasureKind,
    CaseRevisitOutcome,
)
from api.complaint.mutations import ReasonInput
from api.context import Info
from api.failures import (
    ConflictError,
    ForbiddenError,
    InvalidTransitionError,
    NotFoundError,
    ValidationError,
    present_or_error,
)
from api.relay import uuid_or_not_found
from domain.case.aggregate import Case as CaseAggregate
from domain.case.status import CaseKind as DomainKind
from domain.case.status import (
    ChallengeLevel,
    ChallengeOutcome,
    DetentionStep,
    MeasureKind,
    RevisitOutcome,
)
from service import case as service
from service.case import RegisterCase

RegisterCaseResult: TypeAlias = Annotated[
    Case | ValidationError | ForbiddenError | ConflictError,
    strawberry.union("RegisterCaseResult"),
]
CaseChangeResult: TypeAlias = Annotated[
    Case
    | ValidationError
    | NotFoundError
    | ConflictError
    | ForbiddenError
    | InvalidTransitionError,
    strawberry.union(
        "CaseChangeResult", description="The changed case, or why it could not change."
    ),
]


@strawberry.input(description="Where a pushed record comes from: its system and record id.")
class CaseExternalRefInput:
    system: str
    record_id: str


@strawberry.input
class RegisterCaseInput:
    kind: CaseKind
    title: str
    unit_code: str = strawberry.field(description="The owning unit.")
    summary: str | None = None
    lead_officer_code: str | None = None
    alert_received_at: datetime | None = strawberry.field(
        default=None, description="When the alert came in (接警); defaults to now."
    )
    external_ref: CaseExternalRefInput | None = strawberry.field(
        default=None,
        description="Required for integrations; a repeated push returns the existing case.",
    )


@strawberry.input
class TransferCaseInput:
    to_unit_code: str
    reason: str


@strawberry.input
class RefuseCaseJurisdictionInput:
    reason: str
    unit_code: str | None = strawberry.field(
        default=None, description="The unit declining; defaults to the owning unit."
    )


@strawberry.input
class DesignateCaseJurisdictionInput:
    unit_code: str
    reason: str


@strawberry.input
class StartCaseMeasureInput:
    kind: CaseMeasureKind
    person_label: str = strawberry.field(
        description="A label such as 嫌疑人甲; never a name, ID or phone number."
    )
    started_at: datetime | None = strawberry.field(default=None, description="Defaults to now.")


@strawberry.input
class ExtendCaseMeasureInput:
    measure_number: int
    amount: int = strawberry.field(description="In the rule's unit (days for detention).")
    reason: str
    roving_repeated_or_gang: bool = strawberry.field(
        default=False,
        description="流窜作案、多次作案、结伙作案: detention may then run up to 30 日 (art. 129).",
    )


@strawberry.input
class EndCaseMeasureInput:
    measure_number: int
    ended_at: datetime | None = strawberry.field(default=None, description="Defaults to now.")
    reason: str | None = None


@strawberry.input
class RecordCaseRevisitInput:
    outcome: CaseRevisitOutcome
    note: str | None = None


@strawberry.input
class StartCaseTrackingInput:
    city_department_officer_code: str
    sub_bureau_officer_code: str
    station_officer_code: str
    closing_standard: str = strawberry.field(description="收口标准: when the tracking may close.")


@strawberry.input
class CloseCaseTrackingInput:
    note: str = strawberry.field(description="How the closing standard was met.")


@strawberry.input
class ExtendCaseHandlingLimitInput:
    days: int
    reason: str = strawberry.field(description="The next level's approval.")


@strawberry.input
class RecordCaseNotFilingNoticeInput:
    served_at: datetime | None = strawberry.field(
        default=None, description="When the notice was served; defaults to now."
    )


@strawberry.input
class RecordCaseChallengeApplicationInput:
    applied_at: datetime | None = strawberry.field(
        default=None,
        description="When the application was received; defaults to now. Refused once the "
        "7-day window has closed.",
    )


@strawberry.input
class DecideCaseChallengeInput:
    outcome: CaseChallengeOutcome
    reason: str


@strawberry.input
class ExtendCaseChallengeInput:
    days: int = strawberry.field(description="At most 30, once (案情重大、复杂).")
    reason: str


@strawberry.input
class RecordCaseDetentionStepInput:
    measure_number: int
    step: CaseDetentionStep
    done_at: datetime | None = strawberry.field(default=None, description="Defaults to now.")
    note: str | None = None


async def _run(action: Callable[[], Awaitable[CaseAggregate]]) -> Any:
    return await present_or_error(action, Case.from_aggregate)


def _id(id: strawberry.ID) -> UUID:
    return uuid_or_not_found(id, "Case", "case")


@strawberry.type
class CaseMutations:
    @strawberry.mutation(description="Register a case: a push from the police platform, or staff.")
    async def register_case(self, info: Info, input: RegisterCaseInput) -> RegisterCaseResult:
        command = RegisterCase(
            kind=DomainKind(input.kind.value),
            title=input.title,
            summary=input.summary or "",
            unit_code=input.unit_code,
            lead_officer_code=input.lead_officer_code,
            alert_received_at=input.alert_received_at,
            external_system=input.external_ref.system if input.external_ref else None,
            external_record_id=input.external_ref.record_id if input.external_ref else None,
        )
        return await _run(lambda: service.register(info.context.call, command))

    @strawberry.mutation(description="受案: starts the revisit clocks (and the handling limit).")
    async def accept_case(
        self, info: Info, id: strawberry.ID, expected_version: int
    ) -> CaseChangeResult:
        return await _run(lambda: service.accept(info.context.call, _id(id), expected_version))

    @strawberry.mutation(description="立案.")
    async def file_case(
        self, info: Info, id: strawberry.ID, expected_version: int
    ) -> CaseChangeResult:
        return await _run(lambda: service.file(info.context.call, _id(id), expected_version))

    @strawberry.mutation(description="侦查.")
    async def start_investigating_case(
        self, info: Info, id: strawberry.ID, expected_version: int
    ) -> CaseChangeResult:
        return await _run(
            lambda: service.start_investigating(info.context.call, _id(id), expected_version)
        )

    @strawberry.mutation(description="结案.")
    async def conclude_case(
        self, info: Info, id: strawberry.ID, expected_version: int
    ) -> CaseChangeResult:
        return await _run(lambda: service.conclude(info.context.call, _id(id), expected_version))

    @strawberry.mutation(description="不予立案, with the reason.")
    async def refuse_to_file_case(
        self, info: Info, id: strawberry.ID, expected_version: int, input: ReasonInput
    ) -> CaseChangeResult:
        return await _run(
            lambda: service.refuse_to_file(
                info.context.call, _id(id), expected_version, reason=input.reason
            )
        )

    @strawberry.mutation(description="撤案, with the reason.")
    async def withdraw_case(
        self, info: Info, id: strawberry.ID, expected_version: int, input: ReasonInput
    ) -> CaseChangeResult:
        return await _run(
            lambda: service.withdraw(
                info.context.call, _id(id), expected_version, reason=input.reason
            )
        )

    @strawberry.mutation(description="移送 to another unit, which becomes the owning unit.")
    async def transfer_case(
        self, info: Info, id: strawberry.ID, expected_version: int, input: TransferCaseInput
    ) -> CaseChangeResult:
        return await _run(
            lambda: service.transfer(
                info.context.call,
                _id(id),
                expected_version,
                to_unit_code=input.to_unit_code,
                reason=input.reason,
            )
        )

    @strawberry.mutation(description="A unit declines jurisdiction; every refusal is kept.")
    async def refuse_case_jurisdiction(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: RefuseCaseJurisdictionInput,
    ) -> CaseChangeResult:
        return await _run(
            lambda: service.refuse_jurisdiction(
                info.context.call,
                _id(id),
                expected_version,
                unit_code=input.unit_code,
                reason=input.reason,
            )
        )

    @strawberry.mutation(description="指定管辖: ends the dispute and sets the owning unit.")
    async def designate_case_jurisdiction(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: DesignateCaseJurisdictionInput,
    ) -> CaseChangeResult:
        return await _run(
            lambda: service.designate_jurisdiction(
                info.context.call,
                _id(id),
                expected_version,
                unit_code=input.unit_code,
                reason=input.reason,
            )
        )

    @strawberry.mutation(description="Start a coercive measure (强制措施); its limit is computed.")
    async def start_case_measure(
        self, info: Info, id: strawberry.ID, expected_version: int, input: StartCaseMeasureInput
    ) -> CaseChangeResult:
        return await _run(
            lambda: service.start_measure(
                info.context.call,
                _id(id),
                expected_version,
                kind=MeasureKind(input.kind.value),
                person_label=input.person_label,
                started_at=input.started_at,
            )
        )

    @strawberry.mutation(description="Extend a measure within its rule's maximum, with the reason.")
    async def extend_case_measure(
        self, info: Info, id: strawberry.ID, expected_version: int, input: ExtendCaseMeasureInput
    ) -> CaseChangeResult:
        return await _run(
            lambda: service.extend_measure(
                info.context.call,
                _id(id),
                expected_version,
                number=input.measure_number,
                amount=input.amount,
                reason=input.reason,
                serious=input.roving_repeated_or_gang,
            )
        )

    @strawberry.mutation(description="End (解除 / 变更) a measure.")
    async def end_case_measure(
        self, info: Info, id: strawberry.ID, expected_version: int, input: EndCaseMeasureInput
    ) -> CaseChangeResult:
        return await _run(
            lambda: service.end_measure(
                info.context.call,
                _id(id),
                expected_version,
                number=input.measure_number,
                ended_at=input.ended_at,
                reason=input.reason,
            )
        )

    @strawberry.mutation(description="Record a revisit (回访) and its outcome.")
    async def record_case_revisit(
        self, info: Info, id: strawberry.ID, expected_version: int, input: RecordCaseRevisitInput
    ) -> CaseChangeResult:
        return await _run(
            lambda: service.record_revisit(
                info.context.call,
                _id(id),
                expected_version,
                outcome=RevisitOutcome(input.outcome.value),
                note=input.note,
            )
        )

    @strawberry.mutation(description="盯办: assign three tiers and the closing standard.")
    async def start_case_tracking(
        self, info: Info, id: strawberry.ID, expected_version: int, input: StartCaseTrackingInput
    ) -> CaseChangeResult:
        return await _run(
            lambda: service.start_tracking(
                info.context.call,
                _id(id),
                expected_version,
                city_officer_code=input.city_department_officer_code,
                sub_bureau_officer_code=input.sub_bureau_officer_code,
                station_officer_code=input.station_officer_code,
                closing_standard=input.closing_standard,
            )
        )

    @strawberry.mutation(description="Close the tracking: the closing standard is met.")
    async def close_case_tracking(
        self, info: Info, id: strawberry.ID, expected_version: int, input: CloseCaseTrackingInput
    ) -> CaseChangeResult:
        return await _run(
            lambda: service.close_tracking(
                info.context.call, _id(id), expected_version, note=input.note
            )
        )

    @strawberry.mutation(
        description="Extend the administrative handling limit (+≤30 日 with approval, art. 165)."
    )
    async def extend_case_handling_limit(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: ExtendCaseHandlingLimitInput,
    ) -> CaseChangeResult:
        return await _run(
            lambda: service.extend_handling_limit(
                info.context.call,
                _id(id),
                expected_version,
                amount=input.days,
                reason=input.reason,
            )
        )

    @strawberry.mutation(description="An appraisal (鉴定) starts: the handling limit pauses.")
    async def start_case_appraisal(
        self, info: Info, id: strawberry.ID, expected_version: int, input: ReasonInput
    ) -> CaseChangeResult:
        return await _run(
            lambda: service.start_appraisal(
                info.context.call, _id(id), expected_version, reason=input.reason
            )
        )

    @strawberry.mutation(description="The appraisal ends: the handling limit runs again.")
    async def end_case_appraisal(
        self, info: Info, id: strawberry.ID, expected_version: int
    ) -> CaseChangeResult:
        return await _run(
            lambda: service.end_appraisal(info.context.call, _id(id), expected_version)
        )

    @strawberry.mutation(
        description="The case is not this unit's: transfer it within 24 h (art. 175)."
    )
    async def mark_case_outside_jurisdiction(
        self, info: Info, id: strawberry.ID, expected_version: int, input: ReasonInput
    ) -> CaseChangeResult:
        return await _run(
            lambda: service.mark_outside_jurisdiction(
                info.context.call, _id(id), expected_version, reason=input.reason
            )
        )

    @strawberry.mutation(
        description="不予立案通知书 served (due within 3 日, art. 178); opens the 复议 window."
    )
    async def record_case_not_filing_notice(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: RecordCaseNotFilingNoticeInput | None = None,
    ) -> CaseChangeResult:
        return await _run(
            lambda: service.record_not_filing_notice(
                info.context.call,
                _id(id),
                expected_version,
                served_at=input.served_at if input else None,
            )
        )

    @strawberry.mutation(description="复议 applied for within 7 日 of the notice (art. 179).")
    async def record_case_reconsideration_application(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: RecordCaseChallengeApplicationInput | None = None,
    ) -> CaseChangeResult:
        return await _challenge_application(
            info, id, expected_version, input, ChallengeLevel.RECONSIDERATION
        )

    @strawberry.mutation(description="The 复议 decision (due 30 日 after the application).")
    async def decide_case_reconsideration(
        self, info: Info, id: strawberry.ID, expected_version: int, input: DecideCaseChallengeInput
    ) -> CaseChangeResult:
        return await _decide(info, id, expected_version, input, ChallengeLevel.RECONSIDERATION)

    @strawberry.mutation(description="Extend the 复议 decision once, by ≤30 日, with the reason.")
    async def extend_case_reconsideration_limit(
        self, info: Info, id: strawberry.ID, expected_version: int, input: ExtendCaseChallengeInput
    ) -> CaseChangeResult:
        return await _extend(info, id, expected_version, input, ChallengeLevel.RECONSIDERATION)

    @strawberry.mutation(
        description="复核 applied for within 7 日 of an upheld 复议 decision (art. 179)."
    )
    async def record_case_review_application(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: RecordCaseChallengeApplicationInput | None = None,
    ) -> CaseChangeResult:
        return await _challenge_application(
            info, id, expected_version, input, ChallengeLevel.REVIEW
        )

    @strawberry.mutation(description="The 复核 decision (due 30 日 after the application).")
    async def decide_case_review(
        self, info: Info, id: strawberry.ID, expected_version: int, input: DecideCaseChallengeInput
    ) -> CaseChangeResult:
        return await _decide(info, id, expected_version, input, ChallengeLevel.REVIEW)

    @strawberry.mutation(description="Extend the 复核 decision once, by ≤30 日, with the reason.")
    async def extend_case_review_limit(
        self, info: Info, id: strawberry.ID, expected_version: int, input: ExtendCaseChallengeInput
    ) -> CaseChangeResult:
        return await _extend(info, id, expected_version, input, ChallengeLevel.REVIEW)

    @strawberry.mutation(
        description="A 24-hour step after a criminal detention is done (art. 126–128)."
    )
    async def record_case_detention_step(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: RecordCaseDetentionStepInput,
    ) -> CaseChangeResult:
        return await _run(
            lambda: service.record_detention_step(
                info.context.call,
                _id(id),
                expected_version,
                number=input.measure_number,
                step=DetentionStep(input.step.value),
                done_at=input.done_at,
                note=input.note,
            )
        )


async def _challenge_application(
    info: Info,
    id: strawberry.ID,
    expected_version: int,
    input: RecordCaseChallengeApplicationInput | None,
    level: ChallengeLevel,
) -> Any:
    return await _run(
        lambda: service.record_challenge_application(
            info.context.call,
            _id(id),
            expected_version,
            level=level,
            applied_at=input.applied_at if input else None,
        )
    )


async def _decide(
    info: Info,
    id: strawberry.ID,
    expected_version: int,
    input: DecideCaseChallengeInput,
    level: ChallengeLevel,
) -> Any:
    return await _run(
        lambda: service.decide_challenge(
            info.context.call,
            _id(id),
            expected_version,
            level=level,
            outcome=ChallengeOutcome(input.outcome.value),
            reason=input.reason,
        )
    )


async def _extend(
    info: Info,
    id: strawberry.ID,
    expected_version: int,
    input: ExtendCaseChallengeInput,
    level: ChallengeLevel,
) -> Any:
    return await _run(
        lambda: service.extend_challenge(
            info.context.call,
            _id(id),
            expected_version,
            level=level,
            amount=input.days,
            reason=input.reason,
        )
    )
