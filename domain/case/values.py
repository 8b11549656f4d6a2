"""The parts of a case: stage steps, transfers, jurisdiction, measures, revisits, tracking.

Each is immutable and records when and by whom; `as_json` is its audited, JSON-ready form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.actor import Actor
from domain.case.status import (
    CaseStage,
    ChallengeLevel,
    ChallengeOutcome,
    DetentionStep,
    MeasureKind,
    RevisitOutcome,
)
from domain.deadlines import Deadline


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


@dataclass(frozen=True, slots=True)
class ExternalRef:
    """The idempotency key of a push: the external system and its record id."""

    system: str
    record_id: str


@dataclass(frozen=True, slots=True)
class ActorRef:
    """Who did something, as the token named them."""

    subject: str
    role: str
    unit: str | None = None
    officer: str | None = None

    @classmethod
    def of(cls, actor: Actor) -> ActorRef:
        return cls(
            subject=actor.subject, role=actor.role.value, unit=actor.unit, officer=actor.officer
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "role": self.role,
            "unit": self.unit,
            "officer": self.officer,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ActorRef:
        return cls(
            subject=data["subject"],
            role=data["role"],
            unit=data.get("unit"),
            officer=data.get("officer"),
        )


@dataclass(frozen=True, slots=True)
class StageStep:
    """The case entered `stage` at `at`."""

    stage: CaseStage
    at: datetime
    by: ActorRef
    reason: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage.value,
            "at": iso(self.at),
            "by": self.by.as_json(),
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StageStep:
        return cls(
            stage=CaseStage(data["stage"]),
            at=_time(data["at"]),
            by=ActorRef.from_json(data["by"]),
            reason=data.get("reason"),
        )


@dataclass(frozen=True, slots=True)
class Transfer:
    """移送: the case moved from one owning unit to another."""

    from_unit: str
    to_unit: str
    reason: str
    at: datetime
    by: ActorRef

    def as_json(self) -> dict[str, Any]:
        return {
            "fromUnit": self.from_unit,
            "toUnit": self.to_unit,
            "reason": self.reason,
            "at": iso(self.at),
            "by": self.by.as_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Transfer:
        return cls(
            from_unit=data["fromUnit"],
            to_unit=data["toUnit"],
            reason=data["reason"],
            at=_time(data["at"]),
            by=ActorRef.from_json(data["by"]),
        )


@dataclass(frozen=True, slots=True)
class Refusal:
    """A unit declined jurisdiction (推诿 is what the supervision looks for)."""

    unit: str
    reason: str
    at: datetime
    by: ActorRef

    def as_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "reason": self.reason,
            "at": iso(self.at),
            "by": self.by.as_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Refusal:
        return cls(
            unit=data["unit"],
            reason=data["reason"],
            at=_time(data["at"]),
            by=ActorRef.from_json(data["by"]),
        )


@dataclass(frozen=True, slots=True)
class Designation:
    """指定管辖: the decision naming the unit; it settles the refusals recorded before it."""

    unit: str
    previous_unit: str
    reason: str
    settled_refusals: int
    at: datetime
    by: ActorRef

    def as_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "previousUnit": self.previous_unit,
            "reason": self.reason,
            "settledRefusals": self.settled_refusals,
            "at": iso(self.at),
            "by": self.by.as_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Designation:
        return cls(
            unit=data["unit"],
            previous_unit=data["previousUnit"],
            reason=data["reason"],
            settled_refusals=data["settledRefusals"],
            at=_time(data["at"]),
            by=ActorRef.from_json(data["by"]),
        )


@dataclass(frozen=True, slots=True)
class Extension:
    """More time on a clock, within its rule's maximum; `serious` names art. 129's grounds."""

    amount: int
    reason: str
    at: datetime
    by: ActorRef
    serious: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "amount": self.amount,
            "reason": self.reason,
            "serious": self.serious,
            "at": iso(self.at),
            "by": self.by.as_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Extension:
        return cls(
            amount=data["amount"],
            reason=data["reason"],
            serious=data["serious"],
            at=_time(data["at"]),
            by=ActorRef.from_json(data["by"]),
        )


@dataclass(frozen=True, slots=True)
class Measure:
    """强制措施 on one person, known only by a label; its legal limit is `deadline`."""

    number: int
    kind: MeasureKind
    person_label: str
    started_at: datetime
    started_by: ActorRef
    deadline: Deadline | None
    extensions: tuple[Extension, ...] = ()
    ended_at: datetime | None = None
    ended_by: ActorRef | None = None
    end_reason: str | None = None

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def in_custody(self) -> bool:
        """Detention holds the person: a holiday never moves its deadline (art. 35 exception)."""
        return self.kind is MeasureKind.CRIMINAL_DETENTION

    @property
    def serious(self) -> bool:
        return any(e.serious for e in self.extensions)

    @property
    def extension(self) -> int:
        return sum(e.amount for e in self.extensions)

    def as_json(self) -> dict[str, Any]:
        """The audited form: the due date, not its explanation (that is stored with it)."""
        return {
            "number": self.number,
            "kind": self.kind.value,
            "personLabel": self.person_label,
            "startedAt": iso(self.started_at),
            "startedBy": self.started_by.as_json(),
            "rule": self.deadline.rule_code if self.deadline else None,
            "dueAt": iso(self.deadline.due_at) if self.deadline else None,
            "extensions": [e.as_json() for e in self.extensions],
            "endedAt": iso(self.ended_at),
            "endedBy": self.ended_by.as_json() if self.ended_by else None,
            "endReason": self.end_reason,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], deadline: Deadline | None) -> Measure:
        return cls(
            number=data["number"],
            kind=MeasureKind(data["kind"]),
            person_label=data["personLabel"],
            started_at=_time(data["startedAt"]),
            started_by=ActorRef.from_json(data["startedBy"]),
            deadline=deadline,
            extensions=tuple(Extension.from_json(e) for e in data["extensions"]),
            ended_at=parse_time(data.get("endedAt")),
            ended_by=ActorRef.from_json(data["endedBy"]) if data.get("endedBy") else None,
            end_reason=data.get("endReason"),
        )


@dataclass(frozen=True, slots=True)
class Revisit:
    """回访 number 1 or 2 after acceptance."""

    number: int
    outcome: RevisitOutcome
    note: str | None
    at: datetime
    by: ActorRef

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "outcome": self.outcome.value,
            "note": self.note,
            "at": iso(self.at),
            "by": self.by.as_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Revisit:
        return cls(
            number=data["number"],
            outcome=RevisitOutcome(data["outcome"]),
            note=data.get("note"),
            at=_time(data["at"]),
            by=ActorRef.from_json(data["by"]),
        )


@dataclass(frozen=True, slots=True)
class Tracking:
    """盯办 of a major case: three tiers of officers and the standard that closes it."""

    city_officer: str
    sub_bureau_officer: str
    station_officer: str
    closing_standard: str
    started_at: datetime
    started_by: ActorRef
    closed_at: datetime | None = None
    closed_by: ActorRef | None = None
    closing_note: str | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def as_json(self) -> dict[str, Any]:
        return {
            "cityOfficer": self.city_officer,
            "subBureauOfficer": self.sub_bureau_officer,
            "stationOfficer": self.station_officer,
            "closingStandard": self.closing_standard,
            "startedAt": iso(self.started_at),
            "startedBy": self.started_by.as_json(),
            "closedAt": iso(self.closed_at),
            "closedBy": self.closed_by.as_json() if self.closed_by else None,
            "closingNote": self.closing_note,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tracking:
        return cls(
            city_officer=data["cityOfficer"],
            sub_bureau_officer=data["subBureauOfficer"],
            station_officer=data["stationOfficer"],
            closing_standard=data["closingStandard"],
            started_at=_time(data["startedAt"]),
            started_by=ActorRef.from_json(data["startedBy"]),
            closed_at=parse_time(data.get("closedAt")),
            closed_by=ActorRef.from_json(data["closedBy"]) if data.get("closedBy") else None,
            closing_note=data.get("closingNote"),
        )


@dataclass(frozen=True, slots=True)
class Appraisal:
    """鉴定: time that does not count towards the administrative handling limit."""

    reason: str
    started_at: datetime
    started_by: ActorRef
    ended_at: datetime | None = None
    ended_by: ActorRef | None = None

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    def as_json(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "startedAt": iso(self.started_at),
            "startedBy": self.started_by.as_json(),
            "endedAt": iso(self.ended_at),
            "endedBy": self.ended_by.as_json() if self.ended_by else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Appraisal:
        return cls(
            reason=data["reason"],
            started_at=_time(data["startedAt"]),
            started_by=ActorRef.from_json(data["startedBy"]),
            ended_at=parse_time(data.get("endedAt")),
            ended_by=ActorRef.from_json(data["endedBy"]) if data.get("endedBy") else None,
        )


@dataclass(frozen=True, slots=True)
class OutsideJurisdiction:
    """The case was found not to be the unit's own: it must be transferred (art. 175)."""

    number: int
    unit: str
    reason: str
    at: datetime
    by: ActorRef

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "unit": self.unit,
            "reason": self.reason,
            "at": iso(self.at),
            "by": self.by.as_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OutsideJurisdiction:
        return cls(
            number=data["number"],
            unit=data["unit"],
            reason=data["reason"],
            at=_time(data["at"]),
            by=ActorRef.from_json(data["by"]),
        )


@dataclass(frozen=True, slots=True)
class NotFilingNotice:
    """不予立案通知书 served on the complainant (art. 178); the 复议 window runs from it."""

    served_at: datetime
    at: datetime
    by: ActorRef

    def as_json(self) -> dict[str, Any]:
        return {"servedAt": iso(self.served_at), "at": iso(self.at), "by": self.by.as_json()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NotFilingNotice:
        return cls(
            served_at=_time(data["servedAt"]),
            at=_time(data["at"]),
            by=ActorRef.from_json(data["by"]),
        )


@dataclass(frozen=True, slots=True)
class Challenge:
    """复议 or 复核 of not filing: the application, any extension, and the decision (art. 179)."""

    level: ChallengeLevel
    applied_at: datetime
    recorded_at: datetime
    recorded_by: ActorRef
    extension: Extension | None = None
    decided_at: datetime | None = None
    decided_by: ActorRef | None = None
    outcome: ChallengeOutcome | None = None
    decision_reason: str | None = None

    @property
    def is_pending(self) -> bool:
        return self.decided_at is None

    def as_json(self) -> dict[str, Any]:
        return {
            "level": self.level.value,
            "appliedAt": iso(self.applied_at),
            "recordedAt": iso(self.recorded_at),
            "recordedBy": self.recorded_by.as_json(),
            "extension": self.extension.as_json() if self.extension else None,
            "decidedAt": iso(self.decided_at),
            "decidedBy": self.decided_by.as_json() if self.decided_by else None,
            "outcome": self.outcome.value if self.outcome else None,
            "decisionReason": self.decision_reason,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Challenge:
        return cls(
            level=ChallengeLevel(data["level"]),
            applied_at=_time(data["appliedAt"]),
            recorded_at=_time(data["recordedAt"]),
            recorded_by=ActorRef.from_json(data["recordedBy"]),
            extension=Extension.from_json(data["extension"]) if data.get("extension") else None,
            decided_at=parse_time(data.get("decidedAt")),
            decided_by=ActorRef.from_json(data["decidedBy"]) if data.get("decidedBy") else None,
            outcome=ChallengeOutcome(data["outcome"]) if data.get("outcome") else None,
            decision_reason=data.get("decisionReason"),
        )


@dataclass(frozen=True, slots=True)
class DetentionStepDone:
    """One of the 24-hour steps after a criminal detention, done at `done_at` (art. 126–128)."""

    measure: int
    step: DetentionStep
    done_at: datetime
    note: str | None
    at: datetime
    by: ActorRef

    def as_json(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "step": self.step.value,
            "doneAt": iso(self.done_at),
            "note": self.note,
            "at": iso(self.at),
            "by": self.by.as_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DetentionStepDone:
        return cls(
            measure=data["measure"],
            step=DetentionStep(data["step"]),
            done_at=_time(data["doneAt"]),
            note=data.get("note"),
            at=_time(data["at"]),
            by=ActorRef.from_json(data["by"]),
        )
