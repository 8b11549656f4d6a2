"""Warning mutations: each returns the warning (or rule) or a typed error, never a stack trace."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any, TypeAlias
from uuid import UUID

import strawberry
from strawberry.scalars import JSON

from api import nodes
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
from api.relay import from_global_id, uuid_or_not_found
from api.review.types import Review, ReviewKind
from api.warning.types import (
    WarningEscalation,
    WarningLevel,
    WarningNode,
    WarningRuleKind,
    WarningRuleType,
)
from domain.errors import ValidationFailed
from domain.review import status as review_states
from domain.review.aggregate import Review as ReviewAggregate
from domain.warning.aggregate import Warning as WarningAggregate
from domain.warning.rules import RuleKind
from domain.warning.rules import WarningRule as RuleAggregate
from service import warning as service
from service.warning import ChangeRule, DefineRule, Escalate

WarningChangeResult: TypeAlias = Annotated[
    WarningNode
    | ValidationError
    | NotFoundError
    | ConflictError
    | ForbiddenError
    | InvalidTransitionError,
    strawberry.union(
        "WarningChangeResult", description="The changed warning, or why it could not change."
    ),
]
WarningEscalationResult: TypeAlias = Annotated[
    WarningEscalation
    | ValidationError
    | NotFoundError
    | ConflictError
    | ForbiddenError
    | InvalidTransitionError,
    strawberry.union(
        "WarningEscalationResult",
        description="The escalated warning and its review, or why it could not be escalated.",
    ),
]
WarningRuleChangeResult: TypeAlias = Annotated[
    WarningRuleType
    | ValidationError
    | NotFoundError
    | ConflictError
    | ForbiddenError
    | InvalidTransitionError,
    strawberry.union(
        "WarningRuleChangeResult", description="The rule as saved, or why it could not be."
    ),
]


@strawberry.input(description="The threshold a level needs.")
class WarningLevelThresholdInput:
    level: WarningLevel
    threshold: float


@strawberry.input(description="A new warning rule; its parameters are checked against its kind.")
class DefineWarningRuleInput:
    code: str = strawberry.field(description="Upper-case letters, digits, '_' and '.'.")
    kind: WarningRuleKind
    name: str
    basis: str
    levels: list[WarningLevelThresholdInput]
    params: JSON | None = strawberry.field(
        default=None, description="A JSON object; omitted parameters take their defaults."
    )
    enabled: bool = True


@strawberry.input(description="What changes, and why; omitted fields stay as they are.")
class ChangeWarningRuleInput:
    reason: str
    name: str | None = None
    basis: str | None = None
    params: JSON | None = strawberry.field(
        default=None, description="The whole parameter object (omitted ones take defaults)."
    )
    levels: list[WarningLevelThresholdInput] | None = strawberry.field(
        default=None, description="Every level's threshold (levels left out are dropped)."
    )
    enabled: bool | None = None


def _id(id: strawberry.ID) -> UUID:
    return uuid_or_not_found(id, "Warning", "warning")


def _levels(items: list[WarningLevelThresholdInput]) -> dict[str, float]:
    levels = {item.level.value: item.threshold for item in items}
    if len(levels) != len(items):
        raise ValidationFailed("give each level one threshold", field="levels")
    return levels


def _params(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValidationFailed("params must be a JSON object", field="params")
    return value


def _related(item_id: strawberry.ID) -> tuple[str, str]:
    """The aggregate type and id of the item a global id names."""
    problem = "relatedItemId must be the global id of an item (complaint, case, petition, …)"
    try:
        type_name, local_id = from_global_id(item_id)
    except ClientError:
        raise ValidationFailed(problem, field="relatedItemId") from None
    kind = nodes.kind_of(type_name)
    if kind is None:
        raise ValidationFailed(problem, field="relatedItemId")
    try:
        return kind.aggregate_type, kind.audit_id(local_id)
    except ValueError:
        raise ValidationFailed(problem, field="relatedItemId") from None


async def _warning(action: Callable[[], Awaitable[WarningAggregate]]) -> Any:
    return await present_or_error(action, WarningNode.from_aggregate)


async def _rule(action: Callable[[], Awaitable[RuleAggregate]]) -> Any:
    return await present_or_error(action, WarningRuleType.from_domain)


async def _escalated(
    action: Callable[[], Awaitable[tuple[WarningAggregate, ReviewAggregate]]],
) -> Any:
    def present(done: tuple[WarningAggregate, ReviewAggregate]) -> WarningEscalation:
        warning, review = done
        return WarningEscalation(
            warning=WarningNode.from_aggregate(warning), review=Review.from_aggregate(review)
        )

    return await present_or_error(action, present)


@strawberry.type
class WarningMutations:
    @strawberry.mutation(
        description="Acknowledge a warning (签收): the responsible unit has seen it and acts."
    )
    async def acknowledge_warning(
        self, info: Info, id: strawberry.ID, expected_version: int, note: str | None = None
    ) -> WarningChangeResult:
        return await _warning(
            lambda: service.acknowledge(info.context.call, _id(id), expected_version, note=note)
        )

    @strawberry.mutation(
        description="Set a warning aside, saying why (the centre only); the same level in the "
        "same window is not raised again."
    )
    async def dismiss_warning(
        self, info: Info, id: strawberry.ID, expected_version: int, reason: str
    ) -> WarningChangeResult:
        return await _warning(
            lambda: service.dismiss(info.context.call, _id(id), expected_version, reason=reason)
        )

    @strawberry.mutation(
        description="Escalate a warning into a review (预警 → 核查) that joins the warning's "
        "loop; the review's origin is the warning."
    )
    async def escalate_warning(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        unit_code: str,
        subject: str | None = None,
        kind: ReviewKind = ReviewKind.VERIFICATION,
        related_item_id: strawberry.ID | None = None,
    ) -> WarningEscalationResult:
        async def action() -> tuple[WarningAggregate, ReviewAggregate]:
            related_type, related_id = (
                _related(related_item_id) if related_item_id is not None else (None, None)
            )
            return await service.escalate(
                info.context.call,
                _id(id),
                expected_version,
                Escalate(
                    unit_code=unit_code,
                    subject=subject,
                    kind=review_states.ReviewKind(kind.value),
                    related_type=related_type,
                    related_id=related_id,
                ),
            )

        return await _escalated(action)

    @strawberry.mutation(description="Define a new warning rule (supervisors only).")
    async def define_warning_rule(
        self, info: Info, input: DefineWarningRuleInput
    ) -> WarningRuleChangeResult:
        return await _rule(
            lambda: service.define_rule(
                info.context.call,
                DefineRule(
                    code=input.code,
                    kind=RuleKind(input.kind.value),
                    name=input.name,
                    basis=input.basis,
                    params=_params(input.params if input.params is not None else {}),
                    levels=_levels(input.levels),
                    enabled=input.enabled,
                ),
            )
        )

    @strawberry.mutation(
        description="Change a warning rule (supervisors only): thresholds, parameters, name, "
        "basis or whether it is enabled, with a reason; audited."
    )
    async def change_warning_rule(
        self, info: Info, code: str, expected_version: int, input: ChangeWarningRuleInput
    ) -> WarningRuleChangeResult:
        return await _rule(
            lambda: service.change_rule(
                info.context.call,
                code,
                expected_version,
                ChangeRule(
                    reason=input.reason,
                    name=input.name,
                    basis=input.basis,
                    params=_params(input.params) if input.params is not None else None,
                    levels=_levels(input.levels) if input.levels is not None else None,
                    enabled=input.enabled,
                ),
            )
        )
