"""Accountability (执法过错责任追究): fault determination → measures → decision → appeal → exposure.

Opened only from a review whose finding is a fault (执法过错); a flaw (执法瑕疵) goes to evaluation.
It belongs to the review's loop (the review's correlation id) and names the review as its origin.

Subjects are persons (officer codes, auxiliaries 聘员 and on-duty leaders 值班所领导 included) and
units. A person's subject record keeps the unit they served in on the day of the fault, so the fault
stays with the person across transfers; an intentional or grossly negligent fault is lifelong
(终身追责). Each person's share of the fault (whole percentages adding up to 100) is drafted from
the review's sign-off records (`domain/accountability/split.py`) and changed only with a reason.

Measures are proposed, then decided by a leader; each decided measure's period is computed from a
clock rule, and the decision starts the appeal window (申诉期). Each person subject may appeal once
within the window; a leader decides each appeal: UPHELD, CHANGED (the appellant's measures are
replaced; the new ones run from the original decision, since an appeal does not suspend execution),
or REVOKED. A decided case may be published on the exposure board without personal data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, ClassVar
from uuid import UUID

from domain.accountability.clocks import AccountabilityClocks
from domain.accountability.exposure import (
    MEASURE_LABELS,
    ExposureEntry,
    SubjectLine,
    anonymise,
)
from domain.accountability.status import (
    TRANSITIONS,
    AccountabilityStatus,
    AppealOutcome,
    ChainRole,
    Culpability,
    MeasureKind,
    MeasureStatus,
    Responsibility,
    SubjectKind,
    SubjectRole,
)
from domain.aggregate import Aggregate
from domain.deadlines import Deadline, RunningClock
from domain.errors import InvalidTransition, ValidationFailed

S = AccountabilityStatus

MAX_TITLE = 200
MAX_TEXT = 20_000
MAX_NOTE = 2_000
CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")


class AppealWindowClosed(ValidationFailed):
    """申诉期已过: the appeal window closed; no appeal is accepted after it."""

    def __init__(self, due_at: datetime) -> None:
        super().__init__(
            f"the appeal window (申诉期) closed at {due_at.isoformat()}; no appeal is accepted",
            field="appealDue",
        )
        self.due_at = due_at


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _text(value: str, *, field: str, limit: int = MAX_TEXT) -> str:
    clean = value.strip()
    if not clean:
        raise ValidationFailed(f"{field} must not be empty", field=field)
    if len(clean) > limit:
        raise ValidationFailed(f"{field} must be at most {limit} characters", field=field)
    return clean


def _optional_text(value: str | None, *, field: str, limit: int = MAX_NOTE) -> str | None:
    if value is None or not value.strip():
        return None
    return _text(value, field=field, limit=limit)


# -- the parts ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FaultType:
    """What kind of fault (过错类型): a code for statistics and the words for people."""

    code: str
    text: str

    @classmethod
    def of(cls, code: str, text: str, *, field: str = "faultTypeCode") -> FaultType:
        clean = code.strip().upper()
        if not CODE.match(clean):
            raise ValidationFailed(
                f"{field} must be an upper-case code (A–Z, 0–9, _), e.g. BUCK_PASSING", field=field
            )
        return cls(code=clean, text=_text(text, field="faultType", limit=MAX_TITLE))

    def as_record(self) -> dict[str, str]:
        return {"code": self.code, "text": self.text}


@dataclass(frozen=True, slots=True)
class PersonSubject:
    """A person held accountable, with the unit they served in on the day of the fault."""

    officer: str
    role: SubjectRole
    unit_at_fault: str
    fault_type: FaultType
    responsibility: Responsibility
    chain_role: ChainRole
    share: int

    def as_record(self) -> dict[str, Any]:
        return {
            "role": self.role.value,
            "unitAtFault": self.unit_at_fault,
            "faultType": self.fault_type.as_record(),
            "responsibility": self.responsibility.value,
            "chainRole": self.chain_role.value,
            "share": self.share,
        }


@dataclass(frozen=True, slots=True)
class UnitSubject:
    unit: str
    fault_type: FaultType
    responsibility: Responsibility

    def as_record(self) -> dict[str, Any]:
        return {
            "faultType": self.fault_type.as_record(),
            "responsibility": self.responsibility.value,
        }


@dataclass(frozen=True, slots=True)
class MeasureOrder:
    """A measure as proposed or requested: whom, what, and for how many days where it applies."""

    subject: str
    kind: MeasureKind
    days: int | None = None

    def as_record(self) -> dict[str, Any]:
        return {"subject": self.subject, "kind": self.kind.value, "days": self.days}


@dataclass(frozen=True, slots=True)
class Measure:
    """A decided measure and its period (None where the measure has none)."""

    no: int
    subject_kind: SubjectKind
    subject: str
    kind: MeasureKind
    days: int | None
    period: Deadline | None
    decided_at: datetime
    status: MeasureStatus = MeasureStatus.IN_FORCE
    appeal_no: int | None = None  # the appeal that set, superseded or revoked it

    @property
    def in_force(self) -> bool:
        return self.status is MeasureStatus.IN_FORCE

    def as_record(self) -> dict[str, Any]:
        return {
            "subjectKind": self.subject_kind.value,
            "subject": self.subject,
            "kind": self.kind.value,
            "days": self.days,
            "ruleCode": self.period.rule_code if self.period else None,
            "periodEndsAt": _iso(self.period.due_at) if self.period else None,
            "decidedAt": _iso(self.decided_at),
            "status": self.status.value,
            "appealNo": self.appeal_no,
        }


@dataclass(frozen=True, slots=True)
class Appeal:
    """An appeal (申诉) by one person subject and, once decided, its outcome."""

    no: int
    appellant: str
    grounds: str
    lodged_at: datetime
    outcome: AppealOutcome | None = None
    note: str | None = None
    decided_at: datetime | None = None

    @property
    def pending(self) -> bool:
        return self.outcome is None

    def as_record(self) -> dict[str, Any]:
        return {
            "appellant": self.appellant,
            "grounds": self.grounds,
            "lodgedAt": _iso(self.lodged_at),
            "outcome": self.outcome.value if self.outcome else None,
            "note": self.note,
            "decidedAt": _iso(self.decided_at),
        }


# -- the aggregate ------------------------------------------------------------------------------


class Accountability(Aggregate):
    aggregate_type: ClassVar[str] = "accountability"

    def __init__(
        self,
        *,
        id: str,
        version: int,
        review_id: str,
        unit: str,
        correlation: UUID,
        opened_at: datetime,
        fault_type: FaultType,
        fault_date: date,
        culpability: Culpability,
        persons: tuple[PersonSubject, ...] = (),
        units: tuple[UnitSubject, ...] = (),
        status: AccountabilityStatus = S.OPEN,
        proposed: tuple[MeasureOrder, ...] = (),
        proposed_at: datetime | None = None,
        measures: tuple[Measure, ...] = (),
        decided_at: datetime | None = None,
        decision_note: str | None = None,
        appeal_window: Deadline | None = None,
        appeals: tuple[Appeal, ...] = (),
        exposure: ExposureEntry | None = None,
    ) -> None:
        super().__init__(id=id, version=version)
        self.review_id = review_id
        self.unit = unit
        self.correlation = correlation
        self.opened_at = opened_at
        self.fault_type = fault_type
        self.fault_date = fault_date
        self.culpability = culpability
        self.persons = persons
        self.units = units
        self.status = status
        self.proposed = proposed
        self.proposed_at = proposed_at
        self.measures = measures
        self.decided_at = decided_at
        self.decision_note = decision_note
        self.appeal_window = appeal_window
        self.appeals = appeals
        self.exposure = exposure

    # -- reading -----------------------------------------------------------------------------

    @property
    def owner_unit(self) -> str | None:
        return self.unit

    @property
    def correlation_id(self) -> UUID:
        return self.correlation

    @property
    def lifelong(self) -> bool:
        """终身追责: the fault follows the person for life (intent or gross negligence)."""
        return self.culpability.lifelong

    @property
    def officer_codes(self) -> tuple[str, ...]:
        return tuple(p.officer for p in self.persons)

    @property
    def unit_codes(self) -> tuple[str, ...]:
        """Every unit concerned: unit subjects and the persons' units at the time of the fault."""
        found = [u.unit for u in self.units] + [p.unit_at_fault for p in self.persons]
        return tuple(dict.fromkeys(found))

    def person(self, officer: str) -> PersonSubject | None:
        for person in self.persons:
            if person.officer == officer:
                return person
        return None

    def pending_appeals(self) -> tuple[Appeal, ...]:
        return tuple(a for a in self.appeals if a.pending)

    def measures_of(self, subject: str) -> tuple[Measure, ...]:
        """The measures in force for one subject (officer or unit code)."""
        return tuple(m for m in self.measures if m.subject == subject and m.in_force)

    def points_due(self, officer: str, points: Mapping[MeasureKind, int]) -> int:
        """Points deducted for the measures in force on `officer` (amounts are configuration)."""
        return sum(points.get(m.kind, 0) for m in self.measures_of(officer))

    def deductions(self, points: Mapping[MeasureKind, int]) -> dict[str, int]:
        """Per person subject, the points their measures in force deduct (0 left out)."""
        due = {p.officer: self.points_due(p.officer, points) for p in self.persons}
        return {officer: amount for officer, amount in due.items() if amount > 0}

    def available(self) -> dict[str, AccountabilityStatus]:
        """The commands this accountability accepts now and the state each leads to."""
        pending = len(self.pending_appeals())
        found = dict(TRANSITIONS[self.status])
        if pending != 1:
            found.pop("decide last appeal", None)
        if pending < 2:
            found.pop("decide appeal", None)
        return found

    def running_clocks(self) -> list[RunningClock]:
        """None: the appeal window is the appellant's, measure periods merely run out, and no
        clock rule times a decision (measures or appeals) that the centre must meet."""
        return []

    def snapshot(self) -> dict[str, Any]:
        state: dict[str, Any] = {
            "status": self.status.value,
            "reviewId": self.review_id,
            "unit": self.unit,
            "openedAt": _iso(self.opened_at),
            "faultType": self.fault_type.as_record(),
            "faultDate": self.fault_date.isoformat(),
            "culpability": self.culpability.value,
            "lifelong": self.lifelong,
            "proposedMeasures": [m.as_record() for m in self.proposed],
            "proposedAt": _iso(self.proposed_at),
            "decidedAt": _iso(self.decided_at),
            "decisionNote": self.decision_note,
            "appealDueAt": _iso(self.appeal_window.due_at) if self.appeal_window else None,
            "exposure": self.exposure.as_record() if self.exposure else None,
        }
        # Parts under keys of their own, so that an event's changes name only what changed.
        for person in self.persons:
            state[f"person.{person.officer}"] = person.as_record()
        for unit in self.units:
            state[f"unit.{unit.unit}"] = unit.as_record()
        for measure in self.measures:
            state[f"measure.{measure.no}"] = measure.as_record()
        for appeal in self.appeals:
            state[f"appeal.{appeal.no}"] = appeal.as_record()
        return state

    # -- opening (过错认定) -------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        *,
        id: str,
        review_id: str,
        unit: str,
        correlation: UUID,
        fault_type: FaultType,
        fault_date: date,
        culpability: Culpability,
        persons: Sequence[PersonSubject],
        units: Sequence[UnitSubject],
        today: date,
        at: datetime,
    ) -> Accountability:
        if fault_date > today:
            raise ValidationFailed("faultDate must not be in the future", field="faultDate")
        if not persons and not units:
            raise ValidationFailed(
                "name at least one person or unit held accountable", field="persons"
            )
        officers = [p.officer for p in persons]
        if len(set(officers)) != len(officers):
            raise ValidationFailed("each person is named once", field="persons")
        unit_codes = [u.unit for u in units]
        if len(set(unit_codes)) != len(unit_codes):
            raise ValidationFailed("each unit is named once", field="units")
        _check_shares(persons)
        accountability = cls(
            id=id,
            version=0,
            review_id=review_id,
            unit=unit,
            correlation=correlation,
            opened_at=at,
            fault_type=fault_type,
            fault_date=fault_date,
            culpability=culpability,
        )

        def apply() -> None:
            accountability.persons = tuple(persons)
            accountability.units = tuple(units)

        accountability._change("opened", at=at, mutate=apply, data={"reviewId": review_id})
        return accountability

    # -- shares ------------------------------------------------------------------------------

    def change_shares(
        self,
        *,
        changes: Mapping[str, tuple[int, ChainRole | None]],
        reason: str,
        at: datetime,
    ) -> None:
        """Change persons' shares (and chain roles); the shares must still add up to 100."""
        target = self._require("change shares")
        why = _text(reason, field="reason", limit=MAX_NOTE)
        if not changes:
            raise ValidationFailed("give at least one share", field="shares")
        unknown = [code for code in changes if self.person(code) is None]
        if unknown:
            raise ValidationFailed(
                f"not a person held accountable here: {', '.join(unknown)}", field="shares"
            )
        changed = tuple(
            replace(
                p, share=changes[p.officer][0], chain_role=changes[p.officer][1] or p.chain_role
            )
            if p.officer in changes
            else p
            for p in self.persons
        )
        _check_shares(changed)
        if changed == self.persons:
            raise ValidationFailed("the shares are already so", field="shares")

        def apply() -> None:
            self.status = target
            self.persons = changed

        self._change("shares_changed", at=at, mutate=apply, reason=why)

    # -- measures ----------------------------------------------------------------------------

    def propose_measures(
        self, *, orders: Sequence[MeasureOrder], clocks: AccountabilityClocks, at: datetime
    ) -> None:
        target = self._require("propose measures")
        checked = self._checked(orders, clocks, field="measures")

        def apply() -> None:
            self.status = target
            self.proposed = checked
            self.proposed_at = at

        self._change("measures_proposed", at=at, mutate=apply)

    def decide(
        self,
        *,
        orders: Sequence[MeasureOrder] | None,
        note: str | None,
        clocks: AccountabilityClocks,
        at: datetime,
    ) -> None:
        """A leader's decision: the proposal, or the measures given instead; periods start now."""
        target = self._require("decide")
        chosen = self._checked(orders, clocks, field="measures") if orders else self.proposed
        if not chosen:
            raise ValidationFailed("decide at least one measure", field="measures")
        decided = tuple(
            Measure(
                no=index,
                subject_kind=self._subject_kind(order.subject),
                subject=order.subject,
                kind=order.kind,
                days=order.days,
                period=clocks.measure_period(order.kind, days=order.days, started_at=at),
                decided_at=at,
            )
            for index, order in enumerate(chosen, start=1)
        )
        window = clocks.appeal_window(started_at=at)
        text = _optional_text(note, field="note")

        def apply() -> None:
            self.status = target
            self.measures = decided
            self.decided_at = at
            self.decision_note = text
            self.appeal_window = window

        self._change(
            "decided",
            at=at,
            mutate=apply,
            reason=text,
            data={"asProposed": tuple(chosen) == self.proposed},
        )

    # -- appeals (申诉) ----------------------------------------------------------------------

    def appeal(self, *, appellant: str, grounds: str, at: datetime) -> Appeal:
        target = self._require("appeal")
        if self.person(appellant) is None:
            raise ValidationFailed(
                f"{appellant} is not a person held accountable here", field="appellantOfficerCode"
            )
        if any(a.appellant == appellant for a in self.appeals):
            raise ValidationFailed(
                f"{appellant} has already appealed; each person appeals once",
                field="appellantOfficerCode",
            )
        window = self.appeal_window
        if window is not None and window.due_at is not None and at >= window.due_at:
            raise AppealWindowClosed(window.due_at)
        lodged = Appeal(
            no=len(self.appeals) + 1,
            appellant=appellant,
            grounds=_text(grounds, field="grounds"),
            lodged_at=at,
        )

        def apply() -> None:
            self.status = target
            self.appeals = (*self.appeals, lodged)

        self._change("appealed", at=at, mutate=apply, data={"appealNo": lodged.no})
        return lodged

    def decide_appeal(
        self,
        *,
        appellant: str,
        outcome: AppealOutcome,
        note: str,
        orders: Sequence[MeasureOrder],
        clocks: AccountabilityClocks,
        at: datetime,
    ) -> Appeal:
        pending = self.pending_appeals()
        command = "decide last appeal" if len(pending) == 1 else "decide appeal"
        target = self._require(command)
        appeal = next((a for a in pending if a.appellant == appellant), None)
        if appeal is None:
            raise ValidationFailed(
                f"{appellant} has no appeal waiting for a decision", field="appellantOfficerCode"
            )
        why = _text(note, field="note", limit=MAX_NOTE)
        fresh: tuple[Measure, ...] = ()
        if outcome is AppealOutcome.CHANGED:
            if not orders:
                raise ValidationFailed(
                    "a changed decision names the new measures", field="measures"
                )
            others = [o.subject for o in orders if o.subject != appellant]
            if others:
                raise ValidationFailed(
                    f"an appeal changes only the appellant's measures, not {', '.join(others)}",
                    field="measures",
                )
            checked = self._checked(orders, clocks, field="measures")
            assert self.decided_at is not None  # decided before any appeal
            start = self.decided_at
            fresh = tuple(
                Measure(
                    no=len(self.measures) + index,
                    subject_kind=SubjectKind.PERSON,
                    subject=order.subject,
                    kind=order.kind,
                    days=order.days,
                    # An appeal does not suspend execution: the new measure runs from the decision.
                    period=clocks.measure_period(order.kind, days=order.days, started_at=start),
                    decided_at=at,
                    appeal_no=appeal.no,
                )
                for index, order in enumerate(checked, start=1)
            )
        elif orders:
            raise ValidationFailed(
                f"measures are given only when the decision is {AppealOutcome.CHANGED.value}",
                field="measures",
            )
        ended = {
            AppealOutcome.UPHELD: None,
            AppealOutcome.CHANGED: MeasureStatus.SUPERSEDED,
            AppealOutcome.REVOKED: MeasureStatus.REVOKED,
        }[outcome]
        settled = replace(appeal, outcome=outcome, note=why, decided_at=at)

        def end(measure: Measure) -> Measure:
            if ended is None or measure.subject != appellant or not measure.in_force:
                return measure
            return replace(measure, status=ended, appeal_no=appeal.no)

        def apply() -> None:
            self.status = target
            self.measures = (*(end(m) for m in self.measures), *fresh)
            self.appeals = tuple(settled if a.no == appeal.no else a for a in self.appeals)

        self._change(
            "appeal_decided",
            at=at,
            mutate=apply,
            reason=why,
            data={"appealNo": appeal.no, "outcome": outcome.value},
        )
        return settled

    # -- the exposure board (曝光台) ---------------------------------------------------------

    def publish(
        self,
        *,
        title: str,
        summary: str,
        labels: Mapping[str, str],
        names: Iterable[str],
        at: datetime,
    ) -> ExposureEntry:
        """Publish as a typical case: subjects by `labels` (role + unit), names removed."""
        target = self._require("publish")
        if self.exposure is not None:
            raise ValidationFailed(
                f"already published on the exposure board at {self.exposure.published_at.isoformat()}",
                field="id",
            )
        subjects = [*(p.officer for p in self.persons), *(u.unit for u in self.units)]
        lines = tuple(
            SubjectLine(
                label=labels[code],
                measures=tuple(MEASURE_LABELS[m.kind] for m in self.measures_of(code)),
            )
            for code in subjects
            if self.measures_of(code)
        )
        if not lines:
            raise ValidationFailed(
                "no measure is in force: there is no typical case to publish", field="id"
            )
        hidden = tuple(names)
        codes = self.officer_codes

        def clean(text: str, field: str, limit: int) -> str:
            return anonymise(_text(text, field=field, limit=limit), names=hidden, codes=codes)

        entry = ExposureEntry(
            title=clean(title, "title", MAX_TITLE),
            summary=clean(summary, "summary", MAX_TEXT),
            fault_type=anonymise(self.fault_type.text, names=hidden, codes=codes),
            subjects=lines,
            published_at=at,
        )

        def apply() -> None:
            self.status = target
            self.exposure = entry

        self._change("published", at=at, mutate=apply)
        return entry

    # -- checks ------------------------------------------------------------------------------

    def _subject_kind(self, code: str) -> SubjectKind:
        if self.person(code) is not None:
            return SubjectKind.PERSON
        if any(u.unit == code for u in self.units):
            return SubjectKind.UNIT
        raise ValidationFailed(f"{code} is not held accountable here", field="measures")

    def _checked(
        self,
        orders: Sequence[MeasureOrder] | None,
        clocks: AccountabilityClocks,
        *,
        field: str,
    ) -> tuple[MeasureOrder, ...]:
        """Measures that fit their subjects: a unit only criticism, days within range, one
        sanction per person, no measure twice."""
        if not orders:
            raise ValidationFailed("name at least one measure", field=field)
        seen: set[tuple[str, MeasureKind]] = set()
        sanctions: set[str] = set()
        for order in orders:
            kind = self._subject_kind(order.subject)
            if kind is SubjectKind.UNIT and not order.kind.for_units:
                raise ValidationFailed(
                    f"{order.kind.value} is a personal measure; unit {order.subject} can only be "
                    f"criticised ({MeasureKind.CRITICISM_EDUCATION.value})",
                    field=field,
                )
            clocks.check_days(order.kind, order.days, field=field)
            if (order.subject, order.kind) in seen:
                raise ValidationFailed(
                    f"{order.kind.value} is named twice for {order.subject}", field=field
                )
            seen.add((order.subject, order.kind))
            if order.kind.is_sanction:
                if order.subject in sanctions:
                    raise ValidationFailed(
                        f"{order.subject} takes one disciplinary sanction per matter (the "
                        "heaviest applies)",
                        field=field,
                    )
                sanctions.add(order.subject)
        return tuple(orders)

    def _require(self, command: str) -> AccountabilityStatus:
        available = self.available()
        target = available.get(command)
        if target is None:
            raise InvalidTransition(
                current=self.status, attempted=command, allowed=set(available.values())
            )
        return target


def _check_shares(persons: Sequence[PersonSubject]) -> None:
    """Shares are whole percentages that add up to 100 over the persons."""
    if not persons:
        return
    for person in persons:
        if not 0 <= person.share <= 100:
            raise ValidationFailed(
                f"the share of {person.officer} must be between 0 and 100", field="shares"
            )
    total = sum(p.share for p in persons)
    if total != 100:
        raise ValidationFailed(f"the shares add up to {total}, not 100", field="shares")


__all__ = [
    "Accountability",
    "Appeal",
    "AppealWindowClosed",
    "FaultType",
    "Measure",
    "MeasureOrder",
    "PersonSubject",
    "UnitSubject",
]
