"""The warning: what a rule found about a subject, at which level, and what people did about it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar
from uuid import UUID

from domain.aggregate import Aggregate
from domain.errors import InvalidTransition, ValidationFailed
from domain.warning.rules import WarningRule
from domain.warning.status import TRANSITIONS, Level, SubjectKind, WarningStatus


@dataclass(frozen=True, slots=True)
class ItemRef:
    """An item a warning is about or counts (aggregate type and id)."""

    type: str
    id: str

    def as_json(self) -> dict[str, str]:
        return {"type": self.type, "id": self.id}


@dataclass(frozen=True, slots=True)
class Finding:
    """What evaluating one rule observed about one subject in one window, before any level."""

    subject_kind: SubjectKind
    subject_key: str  # stable, e.g. "case:<id>", "clock:complaint:<id>:reply", "officer:P-1"
    subject_label: str  # readable, without personal data
    window_key: str  # the instance judged: a clock's due time, a sliding window, a period
    measure: float
    details: str  # the facts, readable: what was counted, over which window
    unit_code: str | None = None  # the unit responsible for acting
    items: tuple[ItemRef, ...] = ()
    item: ItemRef | None = None  # the single item an item warning is about
    correlation_id: UUID | None = None  # an item warning joins its item's loop
    due_at: datetime | None = None  # a clock's due time (deadline rules)
    basis: str | None = None  # the clock's own basis, for deadline rules

    @property
    def key(self) -> tuple[str, str]:
        return (self.subject_key, self.window_key)


class Warning(Aggregate):
    aggregate_type: ClassVar[str] = "warning"

    def __init__(self, *, id: str, version: int, **fields: Any) -> None:
        super().__init__(id=id, version=version)
        self.rule_code: str = fields["rule_code"]
        self.rule_version: int = fields["rule_version"]
        self.subject_kind: SubjectKind = SubjectKind(fields["subject_kind"])
        self.subject_key: str = fields["subject_key"]
        self.subject_label: str = fields["subject_label"]
        self.window_key: str = fields["window_key"]
        self.level: Level = Level(fields["level"])
        self.status: WarningStatus = WarningStatus(fields["status"])
        self.measure: float = float(fields["measure"])
        self.facts: dict[str, Any] = fields["facts"]
        self.explanation: str = fields["explanation"]
        self.unit_code: str | None = fields.get("unit_code")
        self.item: ItemRef | None = fields.get("item")
        self._correlation: UUID = fields["correlation_id"]
        self.raised_at: datetime = fields["raised_at"]
        self.due_by: datetime = fields["due_by"]
        self.level_changed_at: datetime = fields.get("level_changed_at") or self.raised_at
        self.acknowledged_at: datetime | None = fields.get("acknowledged_at")
        self.acknowledged_by: str | None = fields.get("acknowledged_by")
        self.acknowledgement: str | None = fields.get("acknowledgement")
        self.dismissed_at: datetime | None = fields.get("dismissed_at")
        self.dismissal_reason: str | None = fields.get("dismissal_reason")
        self.escalated_at: datetime | None = fields.get("escalated_at")
        self.review_id: str | None = fields.get("review_id")
        self.resolved_at: datetime | None = fields.get("resolved_at")
        self.resolution: str | None = fields.get("resolution")

    @property
    def owner_unit(self) -> str | None:
        return self.unit_code

    @property
    def correlation_id(self) -> UUID:
        return self._correlation

    @property
    def allowed_commands(self) -> frozenset[str]:
        return frozenset(TRANSITIONS[self.status])

    @property
    def is_open(self) -> bool:
        return bool(TRANSITIONS[self.status]) and self.status is not WarningStatus.DISMISSED

    def snapshot(self) -> dict[str, Any]:
        return {
            "rule": self.rule_code,
            "ruleVersion": self.rule_version,
            "subjectKind": self.subject_kind.value,
            "subject": self.subject_key,
            "window": self.window_key,
            "level": self.level.value,
            "status": self.status.value,
            "measure": self.measure,
            "facts": self.facts,
            "unit": self.unit_code,
            "item": self.item.as_json() if self.item else None,
            "raisedAt": _iso(self.raised_at),
            "dueBy": _iso(self.due_by),
            "acknowledgedAt": _iso(self.acknowledged_at),
            "acknowledgedBy": self.acknowledged_by,
            "dismissedAt": _iso(self.dismissed_at),
            "escalatedAt": _iso(self.escalated_at),
            "reviewId": self.review_id,
            "resolvedAt": _iso(self.resolved_at),
        }

    # -- raised and re-judged by evaluation ------------------------------------------------

    @classmethod
    def raise_(
        cls,
        *,
        id: str,
        rule: WarningRule,
        finding: Finding,
        level: Level,
        at: datetime,
        correlation_id: UUID,
    ) -> Warning:
        warning = cls(
            id=id,
            version=0,
            rule_code=rule.code,
            rule_version=rule.version,
            subject_kind=finding.subject_kind,
            subject_key=finding.subject_key,
            subject_label=finding.subject_label,
            window_key=finding.window_key,
            level=level,
            status=WarningStatus.RAISED,
            measure=finding.measure,
            facts=facts_of(rule, finding, level),
            explanation=explain(rule, finding, level),
            unit_code=finding.unit_code,
            item=finding.item,
            correlation_id=finding.correlation_id or correlation_id,
            raised_at=at,
            due_by=due_by(rule, finding, level, at),
        )
        warning._change("raised", at=at, mutate=lambda: None, reason=warning.explanation)
        return warning

    def change_level(
        self, *, rule: WarningRule, finding: Finding, level: Level, at: datetime
    ) -> None:
        self.require("change level")
        if level is self.level:
            raise ValidationFailed(f"the warning is already {level}", field="level")
        word = "raised" if level.rank > self.level.rank else "lowered"
        explanation = explain(rule, finding, level)

        def mutate() -> None:
            self.level = level
            self.level_changed_at = at
            self.measure = finding.measure
            self.facts = facts_of(rule, finding, level)
            self.explanation = explanation
            self.rule_version = rule.version
            self.due_by = min(self.due_by, due_by(rule, finding, level, at))

        self._change(f"level_{word}", at=at, mutate=mutate, reason=explanation)

    def resolve(self, *, at: datetime, why: str) -> None:
        self.require("resolve")

        def mutate() -> None:
            self.status = WarningStatus.RESOLVED
            self.resolved_at = at
            self.resolution = why

        self._change("resolved", at=at, mutate=mutate, reason=why)

    # -- what people do with it ------------------------------------------------------------

    def acknowledge(self, *, at: datetime, by: str, note: str | None = None) -> None:
        self.require("acknowledge")
        text = note.strip() if note and note.strip() else None

        def mutate() -> None:
            self.status = WarningStatus.ACKNOWLEDGED
            self.acknowledged_at = at
            self.acknowledged_by = by
            self.acknowledgement = text

        self._change("acknowledged", at=at, mutate=mutate, reason=text)

    def dismiss(self, *, at: datetime, reason: str) -> None:
        self.require("dismiss")
        if not reason or not reason.strip():
            raise ValidationFailed("say why the warning is dismissed", field="reason")

        def mutate() -> None:
            self.status = WarningStatus.DISMISSED
            self.dismissed_at = at
            self.dismissal_reason = reason.strip()

        self._change("dismissed", at=at, mutate=mutate, reason=reason.strip())

    def escalate(self, *, at: datetime, review_id: str, reason: str | None = None) -> None:
        self.require("escalate")

        def mutate() -> None:
            self.status = WarningStatus.ESCALATED
            self.escalated_at = at
            self.review_id = review_id

        self._change("escalated", at=at, mutate=mutate, reason=reason, data={"reviewId": review_id})

    def suppresses(self, finding_level: Level, now: datetime, window_days: int | None) -> bool:
        """A dismissal covers its level (and lower) in its window; a worse level raises anew."""
        if self.status is not WarningStatus.DISMISSED or self.dismissed_at is None:
            return False
        if finding_level.rank > self.level.rank:
            return False
        return window_days is None or now < self.dismissed_at + timedelta(days=window_days)

    def require(self, command: str) -> None:
        if command not in TRANSITIONS[self.status]:
            raise InvalidTransition(
                current=self.status.value,
                attempted=command,
                allowed=[s.value for s in set(TRANSITIONS[self.status].values())],
            )


def facts_of(rule: WarningRule, finding: Finding, level: Level) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "measure": finding.measure,
        "measureName": rule.spec.measure,
        "threshold": rule.levels[level],
        "levels": {lv.value: value for lv, value in rule.levels.items()},
        "window": finding.window_key,
        "items": [item.as_json() for item in finding.items],
        "details": finding.details,
    }
    if finding.due_at is not None:
        facts["dueAt"] = _iso(finding.due_at)
    if finding.basis:
        facts["clockBasis"] = finding.basis
    return facts


def explain(rule: WarningRule, finding: Finding, level: Level) -> str:
    """One readable sentence: which rule, which subject, which threshold, which facts."""
    return (
        f"{level.value} · {rule.name}: {finding.subject_label} — "
        f"{rule.threshold_text(level)} (measured {finding.measure:g}). {finding.details}"
    )


def due_by(rule: WarningRule, finding: Finding, level: Level, at: datetime) -> datetime:
    """A clock's due time while it has not passed; otherwise the rule's response time."""
    respond = at + timedelta(hours=rule.respond_hours)
    if finding.due_at is not None and finding.due_at > at:
        return finding.due_at
    return respond


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
