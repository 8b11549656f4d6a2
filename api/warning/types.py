"""GraphQL types of warnings (预警) and warning rules, and the loaders that batch what they name."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import Enum
from typing import Any, cast
from uuid import UUID

import strawberry
from sqlalchemy import select
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON

from api import nodes
from api.audit.types import AuditEvent
from api.context import Info
from api.reference.types import Unit
from api.relay import Connection, Node, to_global_id
from api.review.queries import visible_review_row
from api.review.types import Review
from domain.warning import aggregate as domain
from domain.warning import rules as domain_rules
from domain.warning import status as states
from service.context import Call
from store import warning as store


@strawberry.enum(description="How urgent a warning is (蓝 / 橙 / 红), least to most.")
class WarningLevel(Enum):
    BLUE = "BLUE"
    ORANGE = "ORANGE"
    RED = "RED"


@strawberry.enum(
    description="A warning's lifecycle: RAISED, then ACKNOWLEDGED, ESCALATED (a review took it "
    "up) or DISMISSED (with a reason); RESOLVED once its condition cleared."
)
class WarningStatus(Enum):
    RAISED = "RAISED"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    ESCALATED = "ESCALATED"
    DISMISSED = "DISMISSED"
    RESOLVED = "RESOLVED"


@strawberry.enum(description="What a warning is about.")
class WarningSubjectKind(Enum):
    ITEM = "ITEM"
    OFFICER = "OFFICER"
    UNIT = "UNIT"
    COMPLAINANT = "COMPLAINANT"


@strawberry.enum(description="What a warning rule measures.")
class WarningRuleKind(Enum):
    DEADLINE = "DEADLINE"
    OFFICER_COMPLAINTS = "OFFICER_COMPLAINTS"
    UNIT_COMPLAINTS = "UNIT_COMPLAINTS"
    REPEAT_COMPLAINANT = "REPEAT_COMPLAINANT"
    UNIT_SATISFACTION = "UNIT_SATISFACTION"
    ALERT_NOT_ACCEPTED = "ALERT_NOT_ACCEPTED"
    NOT_FILED = "NOT_FILED"
    FILED_NO_ACTIVITY = "FILED_NO_ACTIVITY"
    LONG_INVESTIGATION = "LONG_INVESTIGATION"
    DETENTION_OVERDUE = "DETENTION_OVERDUE"
    MEASURE_NEAR_LIMIT = "MEASURE_NEAR_LIMIT"
    IMPROPER_WITHDRAWAL = "IMPROPER_WITHDRAWAL"
    PEER_OUTLIER = "PEER_OUTLIER"


@strawberry.enum(description="Which way a rule's measure gets worse.")
class WarningDirection(Enum):
    HIGHER_IS_WORSE = "HIGHER_IS_WORSE"
    LOWER_IS_WORSE = "LOWER_IS_WORSE"


@strawberry.type(description="The threshold a measure must reach for a level.")
class WarningLevelThreshold:
    level: WarningLevel
    threshold: float


def _thresholds(levels: Mapping[str, Any]) -> list[WarningLevelThreshold]:
    found = []
    for key, value in levels.items():
        try:
            level = states.Level(key)
        except ValueError:
            continue
        found.append(WarningLevelThreshold(level=WarningLevel(level.value), threshold=float(value)))
    return sorted(found, key=lambda t: states.Level(t.level.value).rank)


# -- items a warning or a clock names ----------------------------------------------------------


def item_global_id(aggregate_type: str, aggregate_id: str) -> str:
    """The global id of an item named by its aggregate type and id (its node type's name)."""
    kind = nodes.kind_for_aggregate(aggregate_type)
    return to_global_id(kind.type_name if kind else aggregate_type, aggregate_id)


async def load_item(info: Info, aggregate_type: str, aggregate_id: str) -> Node | None:
    """The item as a node, scoped to the caller; None when absent, unknown or out of scope."""
    kind = nodes.kind_for_aggregate(aggregate_type)
    if kind is None:
        return None
    return cast(Node | None, await kind.load(info, aggregate_id))


@strawberry.type(description="An item a warning is about or counts.")
class WarningItemRef:
    type: str = strawberry.field(description="Its aggregate type: complaint, case, petition, …")
    id: strawberry.ID = strawberry.field(description="Its global id.")
    local_id: strawberry.Private[str]

    @classmethod
    def of(cls, aggregate_type: str, aggregate_id: str) -> WarningItemRef:
        return cls(
            type=aggregate_type,
            id=strawberry.ID(item_global_id(aggregate_type, aggregate_id)),
            local_id=aggregate_id,
        )

    @strawberry.field(description="The item itself; null when absent or out of your scope.")
    async def node(self, info: Info) -> Node | None:
        return await load_item(info, self.type, self.local_id)


@strawberry.type(description="What the rule measured when it set the warning's current level.")
class WarningFacts:
    measure: float | None
    measure_name: str | None = strawberry.field(description="What the thresholds compare with.")
    threshold: float | None = strawberry.field(description="The threshold of the level reached.")
    levels: list[WarningLevelThreshold] = strawberry.field(
        description="Every level's threshold, as the rule had them."
    )
    window: str | None = strawberry.field(description="The instance judged (window, period, due).")
    details: str | None
    due_at: datetime | None = strawberry.field(description="Deadline rules: the clock's due time.")
    clock_basis: str | None = strawberry.field(description="Deadline rules: the clock's basis.")
    items: list[WarningItemRef] = strawberry.field(description="The items counted.")

    @classmethod
    def from_json(cls, facts: Mapping[str, Any]) -> WarningFacts:
        due = facts.get("dueAt")
        items = [
            WarningItemRef.of(str(item["type"]), str(item["id"]))
            for item in facts.get("items") or ()
            if isinstance(item, Mapping) and "type" in item and "id" in item
        ]
        return cls(
            measure=_number(facts.get("measure")),
            measure_name=facts.get("measureName"),
            threshold=_number(facts.get("threshold")),
            levels=_thresholds(facts.get("levels") or {}),
            window=facts.get("window"),
            details=facts.get("details"),
            due_at=datetime.fromisoformat(due) if isinstance(due, str) else None,
            clock_basis=facts.get("clockBasis"),
            items=items,
        )


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


# -- loaders -----------------------------------------------------------------------------------


class WarningLoaders:
    """One query per kind of lookup per request, however many warnings or clocks ask."""

    def __init__(self, call: Call) -> None:
        self.call = call
        self.rule = DataLoader(self._rules)
        self.clock_warning = DataLoader(self._clock_warnings)

    async def _rules(self, codes: list[str]) -> list[domain_rules.WarningRule | None]:
        R = store.R
        async with self.call.runtime.engine.connect() as conn:
            found = {
                row.code: store.rule_from_row(row)
                for row in await conn.execute(select(R).where(R.c.code.in_(codes)))
            }
        return [found.get(code) for code in codes]

    async def _clock_warnings(self, subject_keys: list[str]) -> list[Any | None]:
        """The open deadline warning on each clock subject (the newest, should there be two)."""
        W, R = store.W, store.R
        query = (
            select(W)
            .where(
                W.c.subject_key.in_(subject_keys),
                W.c.status.in_([s.value for s in states.OPEN]),
                W.c.rule_code.in_(
                    select(R.c.code).where(R.c.kind == domain_rules.RuleKind.DEADLINE.value)
                ),
            )
            .order_by(W.c.raised_at, W.c.id)
        )
        async with self.call.runtime.engine.connect() as conn:
            found = {row.subject_key: row for row in await conn.execute(query)}
        return [found.get(key) for key in subject_keys]


def loaders(info: Info) -> WarningLoaders:
    found = info.context.extras.get("warning-loaders")
    if found is None:
        found = WarningLoaders(info.context.call)
        info.context.extras["warning-loaders"] = found
    return cast(WarningLoaders, found)


async def _unit(info: Info, code: str | None) -> Unit | None:
    if code is None:
        return None
    row = await info.context.loaders.unit.load(code)
    return Unit.from_row(row) if row else None


# -- the rule ----------------------------------------------------------------------------------


def rule_global_id(code: str) -> str:
    return to_global_id("WarningRule", code)


@strawberry.type(
    name="WarningRule",
    description="A warning rule: what it measures, its parameters and a threshold per level. "
    "Rules are data a supervisor changes through audited commands.",
)
class WarningRuleType(Node):
    code: str
    version: int
    kind: WarningRuleKind
    name: str
    basis: str = strawberry.field(description="The regulation or local rule behind it.")
    enabled: bool
    params: JSON = strawberry.field(description="Its parameters, defaults filled in.")
    levels: list[WarningLevelThreshold] = strawberry.field(
        description="The threshold of each level, least urgent first."
    )
    measure: str = strawberry.field(description="What the thresholds are compared with.")
    direction: WarningDirection
    subject_kind: WarningSubjectKind = strawberry.field(description="What its warnings are about.")
    window_days: int | None = strawberry.field(description="Its sliding window or period, if any.")
    respond_hours: int = strawberry.field(
        description="Hours the responsible unit has to act on a warning it raises."
    )

    @classmethod
    def from_domain(cls, rule: domain_rules.WarningRule) -> WarningRuleType:
        params: Any = dict(rule.params)
        return cls(
            id=strawberry.ID(rule_global_id(rule.code)),
            code=rule.code,
            version=rule.version,
            kind=WarningRuleKind(rule.kind.value),
            name=rule.name,
            basis=rule.basis,
            enabled=rule.enabled,
            params=params,
            levels=_thresholds({level.value: value for level, value in rule.levels.items()}),
            measure=rule.spec.measure,
            direction=WarningDirection(rule.direction.value),
            subject_kind=WarningSubjectKind(rule.subject_kind.value),
            window_days=rule.window_days,
            respond_hours=rule.respond_hours,
        )

    @strawberry.field(description="This rule's audit events (defined, changed), oldest first.")
    async def history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[AuditEvent]:
        from api.audit.queries import trail

        return await trail(info, self.id, first, after)


# -- the warning -------------------------------------------------------------------------------


def warning_global_id(warning_id: str | UUID) -> str:
    return to_global_id("Warning", str(warning_id))


@strawberry.type(
    name="Warning",
    description="A warning (预警): what a rule found about a subject, at which level, and what "
    "people did about it.",
)
class WarningNode(Node):
    version: int
    rule_version: int = strawberry.field(description="The rule's version that set this level.")
    subject_kind: WarningSubjectKind
    subject_key: str = strawberry.field(
        description="Stable key of the subject, e.g. clock:complaint:<id>:reply or officer:<code>."
    )
    subject_label: str = strawberry.field(description="Readable, without personal data.")
    window: str = strawberry.field(description="The instance judged: a due time, a window.")
    level: WarningLevel
    status: WarningStatus
    open: bool = strawberry.field(description="RAISED, ACKNOWLEDGED or ESCALATED.")
    measure: float
    facts: WarningFacts
    explanation: str = strawberry.field(description="Which rule, threshold and facts, in words.")
    correlation_id: strawberry.ID = strawberry.field(
        description="The loop it belongs to: its item's for an item warning."
    )
    raised_at: datetime
    due_by: datetime = strawberry.field(description="When the responsible unit must have acted.")
    level_changed_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    acknowledgement: str | None
    dismissed_at: datetime | None
    dismissal_reason: str | None
    escalated_at: datetime | None
    resolved_at: datetime | None
    resolution: str | None

    uuid: strawberry.Private[UUID]
    rule_code: strawberry.Private[str]
    unit_code: strawberry.Private[str | None]
    item_ref: strawberry.Private[domain.ItemRef | None]
    review_id: strawberry.Private[str | None]

    @classmethod
    def from_row(cls, row: Any) -> WarningNode:
        return cls.from_aggregate(store.warning_from_row(row))

    @classmethod
    def from_aggregate(cls, warning: domain.Warning) -> WarningNode:
        return cls(
            id=strawberry.ID(warning_global_id(warning.id)),
            version=warning.version,
            rule_version=warning.rule_version,
            subject_kind=WarningSubjectKind(warning.subject_kind.value),
            subject_key=warning.subject_key,
            subject_label=warning.subject_label,
            window=warning.window_key,
            level=WarningLevel(warning.level.value),
            status=WarningStatus(warning.status.value),
            open=warning.status in states.OPEN,
            measure=warning.measure,
            facts=WarningFacts.from_json(warning.facts),
            explanation=warning.explanation,
            correlation_id=strawberry.ID(str(warning.correlation_id)),
            raised_at=warning.raised_at,
            due_by=warning.due_by,
            level_changed_at=warning.level_changed_at,
            acknowledged_at=warning.acknowledged_at,
            acknowledged_by=warning.acknowledged_by,
            acknowledgement=warning.acknowledgement,
            dismissed_at=warning.dismissed_at,
            dismissal_reason=warning.dismissal_reason,
            escalated_at=warning.escalated_at,
            resolved_at=warning.resolved_at,
            resolution=warning.resolution,
            uuid=UUID(warning.id),
            rule_code=warning.rule_code,
            unit_code=warning.unit_code,
            item_ref=warning.item,
            review_id=warning.review_id,
        )

    @strawberry.field(description="The rule that raised it, as it is now.")
    async def rule(self, info: Info) -> WarningRuleType | None:
        found = await loaders(info).rule.load(self.rule_code)
        return WarningRuleType.from_domain(found) if found else None

    @strawberry.field(description="The unit responsible for acting on it.")
    async def unit(self, info: Info) -> Unit | None:
        return await _unit(info, self.unit_code)

    @strawberry.field(description="The item an item warning is about; null when out of scope.")
    async def item(self, info: Info) -> Node | None:
        if self.item_ref is None:
            return None
        return await load_item(info, self.item_ref.type, self.item_ref.id)

    @strawberry.field(description="The review opened by escalating it; null when out of scope.")
    async def review(self, info: Info) -> Review | None:
        if self.review_id is None:
            return None
        row = await visible_review_row(info, UUID(self.review_id))
        return Review.from_row(row) if row else None

    @strawberry.field(description="This warning's audit events, oldest first.")
    async def history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[AuditEvent]:
        from api.audit.queries import trail

        return await trail(info, self.id, first, after)


@strawberry.type(description="An escalated warning and the review opened from it (预警 → 核查).")
class WarningEscalation:
    warning: WarningNode
    review: Review


def sorted_rules(rules: Sequence[domain_rules.WarningRule]) -> list[WarningRuleType]:
    return [WarningRuleType.from_domain(r) for r in sorted(rules, key=lambda r: r.code)]
