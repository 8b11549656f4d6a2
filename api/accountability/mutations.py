"""Accountability and points mutations: each returns the item or a typed error, never a trace."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from enum import Enum
from typing import Annotated, Any, TypeAlias
from uuid import UUID

import strawberry

from api import nodes
from api.accountability.types import (
    Accountability,
    AccountabilityAppealOutcome,
    AccountabilityMeasureKind,
    AccountabilityResponsibility,
    AccountabilitySubjectRole,
    DecisionChainRole,
    FaultCulpability,
    PointsLedger,
)
from api.context import Info
from api.failures import (
    ClientError,
    ConflictError,
    ForbiddenError,
    InvalidTransitionError,
    NotFoundError,
    ValidationError,
    present_or_error,
)
from api.relay import from_global_id, uuid_of, uuid_or_not_found
from domain.accountability import status as states
from domain.accountability.aggregate import Accountability as AccountabilityAggregate
from domain.accountability.aggregate import MeasureOrder
from domain.accountability.ledger import EntryKind, SourceRef
from domain.accountability.ledger import PointsLedger as LedgerAggregate
from domain.errors import ValidationFailed
from service import accountability as service
from service.accountability import OpenAccountability, PersonInput, UnitInput

OpenAccountabilityResult: TypeAlias = Annotated[
    Accountability | ValidationError | ForbiddenError | ConflictError,
    strawberry.union("OpenAccountabilityResult"),
]
AccountabilityChangeResult: TypeAlias = Annotated[
    Accountability
    | ValidationError
    | NotFoundError
    | ConflictError
    | ForbiddenError
    | InvalidTransitionError,
    strawberry.union(
        "AccountabilityChangeResult",
        description="The changed accountability, or why it could not change.",
    ),
]
PointsLedgerChangeResult: TypeAlias = Annotated[
    PointsLedger | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "PointsLedgerChangeResult", description="The officer's ledger, or why it could not change."
    ),
]


@strawberry.input(description="A person held accountable, as named by the centre.")
class AccountabilityPersonInput:
    officer_code: str
    role_in_matter: AccountabilitySubjectRole
    responsibility: AccountabilityResponsibility | None = strawberry.field(
        default=None, description="Default: LEADERSHIP for an on-duty leader, else DIRECT."
    )
    chain_role: DecisionChainRole | None = strawberry.field(
        default=None,
        description="Default: the role of the person's approving sign-off step, else by role in "
        "the matter (on-duty leader → APPROVER, others → HANDLING_OFFICER).",
    )
    fault_type_code: str | None = strawberry.field(
        default=None, description="This person's fault type, if not the accountability's."
    )
    fault_type: str | None = None


@strawberry.input(description="A unit held accountable.")
class AccountabilityUnitInput:
    unit_code: str
    responsibility: AccountabilityResponsibility
    fault_type_code: str | None = None
    fault_type: str | None = None


@strawberry.input(
    description="Persons and units held accountable. The shares are drafted from the review's "
    "sign-off records; with no persons named, the holders of the approving steps are proposed."
)
class OpenAccountabilityInput:
    fault_type_code: str = strawberry.field(description="e.g. BUCK_PASSING")
    fault_type: str = strawberry.field(description="e.g. 接处警推诿扯皮")
    fault_date: date = strawberry.field(description="The day of the fault (local).")
    culpability: FaultCulpability
    persons: list[AccountabilityPersonInput] = strawberry.field(default_factory=list)
    units: list[AccountabilityUnitInput] = strawberry.field(default_factory=list)


@strawberry.input
class AccountabilityShareInput:
    officer_code: str
    share: int = strawberry.field(description="Percent; all shares must still add up to 100.")
    chain_role: DecisionChainRole | None = None


@strawberry.input
class ChangeAccountabilitySharesInput:
    shares: list[AccountabilityShareInput]
    reason: str


@strawberry.input(description="A measure for a person (officer code) or a unit (unit code).")
class AccountabilityMeasureInput:
    subject_code: str
    kind: AccountabilityMeasureKind
    days: int | None = strawberry.field(
        default=None, description="Only for SUSPENSION (10–60) and CONFINEMENT (1–7)."
    )


@strawberry.input
class ProposeAccountabilityMeasuresInput:
    measures: list[AccountabilityMeasureInput]


@strawberry.input(description="Without measures, the proposal is decided as it stands.")
class DecideAccountabilityInput:
    measures: list[AccountabilityMeasureInput] | None = None
    note: str | None = None


@strawberry.input
class AppealAccountabilityInput:
    grounds: str
    appellant_officer_code: str | None = strawberry.field(
        default=None,
        description="The person appealing; a handler appeals for itself and may leave it out.",
    )


@strawberry.input
class DecideAccountabilityAppealInput:
    appellant_officer_code: str
    outcome: AccountabilityAppealOutcome
    note: str
    measures: list[AccountabilityMeasureInput] | None = strawberry.field(
        default=None, description="The appellant's new measures, for CHANGED only."
    )


@strawberry.input(
    description="The published text; names, officer codes, phone and ID numbers are removed."
)
class PublishAccountabilityInput:
    title: str
    summary: str


@strawberry.enum(description="Entries recorded by hand: 达标得分 EARN and 积分消抵 OFFSET.")
class RecordablePointsEntryKind(Enum):
    EARN = "EARN"
    OFFSET = "OFFSET"


@strawberry.input
class RecordPointsEntryInput:
    kind: RecordablePointsEntryKind
    amount: int = strawberry.field(description="Positive; the kind says what it does.")
    reason: str
    indicator_code: str | None = strawberry.field(
        default=None,
        description="The standard met (required for EARN). Indicators evaluation must not use "
        "(fines, detentions, case counts, return rates, clearance rates) are refused.",
    )
    source_id: strawberry.ID | None = strawberry.field(
        default=None, description="The global id of the item the entry is for."
    )


async def _run(action: Callable[[], Awaitable[AccountabilityAggregate]]) -> Any:
    return await present_or_error(action, Accountability.from_aggregate)


async def _run_ledger(action: Callable[[], Awaitable[LedgerAggregate]]) -> Any:
    return await present_or_error(action, PointsLedger.from_aggregate)


def _id(id: strawberry.ID) -> UUID:
    return uuid_or_not_found(id, "Accountability", "accountability")


def _orders(measures: list[AccountabilityMeasureInput] | None) -> list[MeasureOrder]:
    return [
        MeasureOrder(
            subject=m.subject_code.strip(), kind=states.MeasureKind(m.kind.value), days=m.days
        )
        for m in measures or []
    ]


def _open_command(review_id: strawberry.ID, input: OpenAccountabilityInput) -> OpenAccountability:
    uuid = uuid_of(review_id, "Review")
    if uuid is None:
        raise ValidationFailed("reviewId must be the global id of a review", field="reviewId")
    return OpenAccountability(
        review_id=uuid,
        fault_type_code=input.fault_type_code,
        fault_type=input.fault_type,
        fault_date=input.fault_date,
        culpability=states.Culpability(input.culpability.value),
        persons=tuple(
            PersonInput(
                officer_code=p.officer_code.strip(),
                role=states.SubjectRole(p.role_in_matter.value),
                responsibility=(
                    states.Responsibility(p.responsibility.value) if p.responsibility else None
                ),
                chain_role=states.ChainRole(p.chain_role.value) if p.chain_role else None,
                fault_type_code=p.fault_type_code,
                fault_type=p.fault_type,
            )
            for p in input.persons
        ),
        units=tuple(
            UnitInput(
                unit_code=u.unit_code.strip(),
                responsibility=states.Responsibility(u.responsibility.value),
                fault_type_code=u.fault_type_code,
                fault_type=u.fault_type,
            )
            for u in input.units
        ),
    )


def _source(source_id: strawberry.ID | None) -> SourceRef | None:
    """The source item as the audit log names it (aggregate type and id)."""
    if source_id is None:
        return None
    try:
        type_name, local_id = from_global_id(source_id)
    except ClientError:
        raise ValidationFailed("sourceId is not a valid global id", field="sourceId") from None
    kind = nodes.kind_of(type_name)
    if kind is None:
        raise ValidationFailed(f"sourceId names no known item type {type_name}", field="sourceId")
    try:
        return SourceRef(type=kind.aggregate_type, id=kind.audit_id(local_id))
    except ValueError:
        raise ValidationFailed("sourceId is not a valid global id", field="sourceId") from None


@strawberry.type
class AccountabilityMutations:
    @strawberry.mutation(
        description="Open an accountability (执法过错责任追究) from a review whose signed-off "
        "finding is a fault (执法过错); a flaw (执法瑕疵) is refused: it goes to evaluation."
    )
    async def open_accountability(
        self, info: Info, review_id: strawberry.ID, input: OpenAccountabilityInput
    ) -> OpenAccountabilityResult:
        return await _run(
            lambda: service.open_accountability(info.context.call, _open_command(review_id, input))
        )

    @strawberry.mutation(description="Change persons' shares of the fault, with a reason.")
    async def change_accountability_shares(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: ChangeAccountabilitySharesInput,
    ) -> AccountabilityChangeResult:
        shares = {
            s.officer_code.strip(): (
                s.share,
                states.ChainRole(s.chain_role.value) if s.chain_role else None,
            )
            for s in input.shares
        }
        return await _run(
            lambda: service.change_shares(
                info.context.call, _id(id), expected_version, shares=shares, reason=input.reason
            )
        )

    @strawberry.mutation(description="Propose measures per person or unit (replaces a proposal).")
    async def propose_accountability_measures(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: ProposeAccountabilityMeasuresInput,
    ) -> AccountabilityChangeResult:
        return await _run(
            lambda: service.propose_measures(
                info.context.call, _id(id), expected_version, orders=_orders(input.measures)
            )
        )

    @strawberry.mutation(
        description="A leader decides the measures; their periods and the appeal window start, "
        "and each person's points are deducted (过错扣分)."
    )
    async def decide_accountability(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: DecideAccountabilityInput | None = None,
    ) -> AccountabilityChangeResult:
        measures = input.measures if input else None
        return await _run(
            lambda: service.decide(
                info.context.call,
                _id(id),
                expected_version,
                orders=_orders(measures) or None,
                note=input.note if input else None,
            )
        )

    @strawberry.mutation(
        description="Appeal (申诉) within the appeal window; after it, a ValidationError on "
        "field appealDue."
    )
    async def appeal_accountability(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: AppealAccountabilityInput,
    ) -> AccountabilityChangeResult:
        appellant = input.appellant_officer_code
        return await _run(
            lambda: service.appeal(
                info.context.call,
                _id(id),
                expected_version,
                appellant=appellant.strip() if appellant else None,
                grounds=input.grounds,
            )
        )

    @strawberry.mutation(description="A leader decides an appeal: UPHELD, CHANGED or REVOKED.")
    async def decide_accountability_appeal(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: DecideAccountabilityAppealInput,
    ) -> AccountabilityChangeResult:
        return await _run(
            lambda: service.decide_appeal(
                info.context.call,
                _id(id),
                expected_version,
                appellant=input.appellant_officer_code.strip(),
                outcome=states.AppealOutcome(input.outcome.value),
                note=input.note,
                orders=_orders(input.measures),
            )
        )

    @strawberry.mutation(
        description="Publish as a typical case on the exposure board (曝光台), without personal "
        "data: persons as role and unit (e.g. 福田分局某派出所主办民警)."
    )
    async def publish_accountability_to_exposure_board(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        input: PublishAccountabilityInput,
    ) -> AccountabilityChangeResult:
        return await _run(
            lambda: service.publish(
                info.context.call,
                _id(id),
                expected_version,
                title=input.title,
                summary=input.summary,
            )
        )

    @strawberry.mutation(
        description="Record 达标得分 (EARN) or 积分消抵 (OFFSET) on an officer's points ledger; "
        "expectedVersion is 0 before the ledger's first entry."
    )
    async def record_points_entry(
        self,
        info: Info,
        officer_code: str,
        expected_version: int,
        input: RecordPointsEntryInput,
    ) -> PointsLedgerChangeResult:
        return await _run_ledger(
            lambda: service.record_points_entry(
                info.context.call,
                officer_code.strip(),
                expected_version,
                kind=EntryKind(input.kind.value),
                amount=input.amount,
                indicator=input.indicator_code,
                reason=input.reason,
                source=_source(input.source_id),
            )
        )
