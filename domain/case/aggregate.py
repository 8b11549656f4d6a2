"""Case: alert received → accepted → filed → investigating → concluded (or not filed, withdrawn).

Transfers, jurisdiction refusals and designations, coercive measures, revisits, tracking and
appraisals are parts of the case: each command is one event on it and moves its version by one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from domain.actor import Actor
from domain.aggregate import Aggregate
from domain.case.clocks import (
    FIRST,
    HANDLING,
    MEASURE,
    REVISIT,
    SECOND,
    SERIOUS_DETENTION,
    CaseClocks,
)
from domain.case.status import (
    ALLOWED,
    FINAL_STAGES,
    TRANSITIONS,
    CaseKind,
    CaseStage,
    MeasureKind,
    RevisitOutcome,
)
from domain.case.values import (
    ActorRef,
    Appraisal,
    Designation,
    Extension,
    ExternalRef,
    Measure,
    Refusal,
    Revisit,
    StageStep,
    Tracking,
    Transfer,
    iso,
)
from domain.deadlines import ClockRule, Deadline, Pause
from domain.errors import InvalidTransition, ValidationFailed

S = CaseStage

MAX_TITLE = 200
MAX_TEXT = 20_000
MAX_REASON = 2_000
MAX_LABEL = 40
REVISITS = 2
# A label names a person without identifying them: long digit runs look like ID or phone numbers.
_DIGIT_RUN = re.compile(r"\d{6,}")

# Keys of the case-level deadlines.
HANDLING_DUE = "handling"
FIRST_REVISIT_DUE = "firstRevisit"
SECOND_REVISIT_DUE = "secondRevisit"


def _text(value: str, *, field: str, limit: int = MAX_REASON) -> str:
    clean = value.strip()
    if not clean:
        raise ValidationFailed(f"{field} must not be empty", field=field)
    if len(clean) > limit:
        raise ValidationFailed(f"{field} must be at most {limit} characters", field=field)
    return clean


def _not_after(moment: datetime, now: datetime, *, field: str) -> None:
    if moment.tzinfo is None:
        raise ValidationFailed(f"{field} must carry a time zone", field=field)
    if moment > now:
        raise ValidationFailed(f"{field} must not be in the future", field=field)


@dataclass(frozen=True, slots=True)
class DeadlineState:
    """One running or finished clock of the case and when it was met (None while open)."""

    key: str
    deadline: Deadline
    satisfied_at: datetime | None

    def overdue(self, now: datetime) -> bool:
        return self.deadline.is_overdue(now, satisfied_at=self.satisfied_at)


class Case(Aggregate):
    aggregate_type: ClassVar[str] = "case"

    def __init__(
        self,
        *,
        id: str,
        version: int,
        kind: CaseKind,
        title: str,
        summary: str,
        unit: str,
        lead_officer: str | None,
        alert_received_at: datetime,
        correlation: UUID,
        external_ref: ExternalRef | None = None,
        stage: CaseStage = S.ALERT_RECEIVED,
        history: tuple[StageStep, ...] = (),
        transfers: tuple[Transfer, ...] = (),
        refusals: tuple[Refusal, ...] = (),
        designations: tuple[Designation, ...] = (),
        measures: tuple[Measure, ...] = (),
        revisits: tuple[Revisit, ...] = (),
        trackings: tuple[Tracking, ...] = (),
        appraisals: tuple[Appraisal, ...] = (),
        handling_extensions: tuple[Extension, ...] = (),
        deadlines: dict[str, Deadline] | None = None,
    ) -> None:
        super().__init__(id=id, version=version)
        self.kind = kind
        self.title = title
        self.summary = summary
        self.unit = unit
        self.lead_officer = lead_officer
        self.alert_received_at = alert_received_at
        self.correlation = correlation
        self.external_ref = external_ref
        self.stage = stage
        self.history = history
        self.transfers = transfers
        self.refusals = refusals
        self.designations = designations
        self.measures = measures
        self.revisits = revisits
        self.trackings = trackings
        self.appraisals = appraisals
        self.handling_extensions = handling_extensions
        self.deadlines: dict[str, Deadline] = dict(deadlines or {})

    # -- reading -----------------------------------------------------------------------------

    @property
    def owner_unit(self) -> str:
        return self.unit

    @property
    def correlation_id(self) -> UUID:
        return self.correlation

    def entered(self, stage: CaseStage) -> datetime | None:
        """When the case entered `stage` (None if it never did)."""
        return next((step.at for step in self.history if step.stage is stage), None)

    @property
    def accepted_at(self) -> datetime | None:
        return self.entered(S.ACCEPTED)

    @property
    def closed_at(self) -> datetime | None:
        """When the case reached a final stage."""
        return next((step.at for step in self.history if step.stage in FINAL_STAGES), None)

    @property
    def open_measures(self) -> tuple[Measure, ...]:
        return tuple(m for m in self.measures if m.is_open)

    @property
    def tracking(self) -> Tracking | None:
        return self.trackings[-1] if self.trackings else None

    @property
    def designation(self) -> Designation | None:
        return self.designations[-1] if self.designations else None

    @property
    def jurisdiction_disputed(self) -> bool:
        """Refusals recorded since the last designation (or since registration)."""
        settled = self.designation.settled_refusals if self.designation else 0
        return len(self.refusals) > settled

    @property
    def handling_extension(self) -> int:
        return sum(e.amount for e in self.handling_extensions)

    def measure(self, number: int) -> Measure:
        for found in self.measures:
            if found.number == number:
                return found
        raise ValidationFailed(f"this case has no measure {number}", field="measureNumber")

    def deadline_states(self) -> list[DeadlineState]:
        """Every clock of the case and its measures, with when it was met."""
        states = []
        handling = self.deadlines.get(HANDLING_DUE)
        if handling is not None:
            states.append(DeadlineState(HANDLING_DUE, handling, self.closed_at))
        for key, number in ((FIRST_REVISIT_DUE, 1), (SECOND_REVISIT_DUE, 2)):
            due = self.deadlines.get(key)
            if due is not None:
                done = next((r.at for r in self.revisits if r.number == number), None)
                states.append(DeadlineState(key, due, done))
        for m in self.measures:
            if m.deadline is not None:
                states.append(DeadlineState(f"measure.{m.number}", m.deadline, m.ended_at))
        return states

    @property
    def next_due_at(self) -> datetime | None:
        """The earliest due date among clocks still running (suspended ones have none)."""
        running = [
            s.deadline.due_at
            for s in self.deadline_states()
            if s.satisfied_at is None and s.deadline.due_at is not None
        ]
        return min(running, default=None)

    @property
    def missed_deadline(self) -> bool:
        """Some clock was met only after it fell due."""
        return any(
            s.satisfied_at is not None
            and s.deadline.due_at is not None
            and s.satisfied_at > s.deadline.due_at
            for s in self.deadline_states()
        )

    def is_overdue(self, now: datetime) -> bool:
        return any(s.overdue(now) for s in self.deadline_states())

    def snapshot(self) -> dict[str, Any]:
        handling = self.deadlines.get(HANDLING_DUE)
        first = self.deadlines.get(FIRST_REVISIT_DUE)
        second = self.deadlines.get(SECOND_REVISIT_DUE)
        state: dict[str, Any] = {
            "kind": self.kind.value,
            "title": self.title,
            "summary": self.summary,
            "stage": self.stage.value,
            "unit": self.unit,
            "leadOfficer": self.lead_officer,
            "alertReceivedAt": iso(self.alert_received_at),
            "externalRef": (
                {"system": self.external_ref.system, "recordId": self.external_ref.record_id}
                if self.external_ref
                else None
            ),
            "jurisdictionDisputed": self.jurisdiction_disputed,
            "handlingDueAt": iso(handling.due_at) if handling else None,
            "firstRevisitDueAt": iso(first.due_at) if first else None,
            "secondRevisitDueAt": iso(second.due_at) if second else None,
        }
        # Parts are keyed one by one, so that an event's changes name only the part it touched.
        parts: list[tuple[str, tuple[Any, ...]]] = [
            ("step", self.history),
            ("transfer", self.transfers),
            ("refusal", self.refusals),
            ("designation", self.designations),
            ("tracking", self.trackings),
            ("appraisal", self.appraisals),
            ("handlingExtension", self.handling_extensions),
        ]
        for name, items in parts:
            for n, item in enumerate(items, start=1):
                state[f"{name}.{n}"] = item.as_json()
        for m in self.measures:
            state[f"measure.{m.number}"] = m.as_json()
        for r in self.revisits:
            state[f"revisit.{r.number}"] = r.as_json()
        return state

    # -- registration and stages -------------------------------------------------------------

    @classmethod
    def register(
        cls,
        *,
        id: str,
        kind: CaseKind,
        title: str,
        summary: str,
        unit: str,
        lead_officer: str | None,
        alert_received_at: datetime,
        registered_at: datetime,
        correlation: UUID,
        by: Actor,
        external_ref: ExternalRef | None = None,
    ) -> Case:
        _not_after(alert_received_at, registered_at, field="alertReceivedAt")
        clean_summary = summary.strip()
        if len(clean_summary) > MAX_TEXT:
            raise ValidationFailed(
                f"summary must be at most {MAX_TEXT} characters", field="summary"
            )
        case = cls(
            id=id,
            version=0,
            kind=kind,
            title=_text(title, field="title", limit=MAX_TITLE),
            summary=clean_summary,
            unit=unit,
            lead_officer=lead_officer,
            alert_received_at=alert_received_at,
            correlation=correlation,
            external_ref=external_ref,
        )
        step = StageStep(stage=S.ALERT_RECEIVED, at=alert_received_at, by=ActorRef.of(by))

        def start() -> None:
            case.history = (step,)

        case._change("registered", at=registered_at, mutate=start)
        return case

    def accept(self, *, at: datetime, by: Actor, clocks: CaseClocks) -> None:
        """受案: the revisit clocks start, and for administrative cases the handling limit."""
        self._require(S.ACCEPTED, "accept")
        due: dict[str, Deadline] = {}
        for key, scope in ((FIRST_REVISIT_DUE, FIRST), (SECOND_REVISIT_DUE, SECOND)):
            rule = clocks.rule(REVISIT, scope)
            if rule is not None:
                due[key] = clocks.due(rule, started_at=at)
        handling = clocks.rule(HANDLING, self.kind.value)
        if handling is not None:
            due[HANDLING_DUE] = clocks.due(handling, started_at=at)

        def apply() -> None:
            self._enter(S.ACCEPTED, at=at, by=by)
            self.deadlines.update(due)

        self._change("accepted", at=at, mutate=apply)

    def file(self, *, at: datetime, by: Actor) -> None:
        """立案."""
        self._move(S.FILED, "file", "filed", at=at, by=by)

    def start_investigating(self, *, at: datetime, by: Actor) -> None:
        """侦查."""
        self._move(S.INVESTIGATING, "start investigating", "investigation_started", at=at, by=by)

    def conclude(self, *, at: datetime, by: Actor) -> None:
        """结案: meets the handling limit."""
        self._move(S.CONCLUDED, "conclude", "concluded", at=at, by=by)

    def refuse_to_file(self, *, reason: str, at: datetime, by: Actor) -> None:
        """不予立案, with the reason."""
        self._move(S.NOT_FILED, "refuse to file", "not_filed", at=at, by=by, reason=reason)

    def withdraw(self, *, reason: str, at: datetime, by: Actor) -> None:
        """撤案, with the reason."""
        self._move(S.WITHDRAWN, "withdraw", "withdrawn", at=at, by=by, reason=reason)

    # -- owning unit and jurisdiction --------------------------------------------------------

    def transfer(self, *, to_unit: str, reason: str, at: datetime, by: Actor) -> None:
        """移送 to another unit, which becomes the owning unit."""
        self._require(self.stage, "transfer")
        if to_unit == self.unit:
            raise ValidationFailed(f"the case is already with {to_unit}", field="toUnitCode")
        why = _text(reason, field="reason")
        entry = Transfer(
            from_unit=self.unit, to_unit=to_unit, reason=why, at=at, by=ActorRef.of(by)
        )

        def apply() -> None:
            self.transfers = (*self.transfers, entry)
            self.unit = to_unit

        self._change(
            "transferred",
            at=at,
            mutate=apply,
            reason=why,
            data={"fromUnit": entry.from_unit, "toUnit": to_unit},
        )

    def refuse_jurisdiction(self, *, unit: str, reason: str, at: datetime, by: Actor) -> None:
        """A unit says the case is not theirs; each refusal is kept."""
        self._require(self.stage, "refuse jurisdiction")
        if self.designation is not None and self.designation.unit == unit:
            raise ValidationFailed(
                f"jurisdiction was designated to {unit}; it can no longer decline the case",
                field="unitCode",
            )
        why = _text(reason, field="reason")
        entry = Refusal(unit=unit, reason=why, at=at, by=ActorRef.of(by))

        def apply() -> None:
            self.refusals = (*self.refusals, entry)

        self._change("jurisdiction_refused", at=at, mutate=apply, reason=why, data={"unit": unit})

    def designate_jurisdiction(self, *, unit: str, reason: str, at: datetime, by: Actor) -> None:
        """指定管辖: ends any dispute and makes `unit` the owning unit."""
        self._require(self.stage, "designate jurisdiction")
        why = _text(reason, field="reason")
        entry = Designation(
            unit=unit,
            previous_unit=self.unit,
            reason=why,
            settled_refusals=len(self.refusals),
            at=at,
            by=ActorRef.of(by),
        )

        def apply() -> None:
            self.designations = (*self.designations, entry)
            self.unit = unit

        self._change(
            "jurisdiction_designated",
            at=at,
            mutate=apply,
            reason=why,
            data={"unit": unit, "previousUnit": entry.previous_unit},
        )

    # -- coercive measures -------------------------------------------------------------------

    def start_measure(
        self,
        *,
        kind: MeasureKind,
        person_label: str,
        started_at: datetime,
        at: datetime,
        by: Actor,
        clocks: CaseClocks,
    ) -> Measure:
        self._require(self.stage, "start measure")
        if self.kind is not CaseKind.CRIMINAL:
            raise ValidationFailed(
                "coercive measures (强制措施) apply to criminal cases only", field="kind"
            )
        label = _text(person_label, field="personLabel", limit=MAX_LABEL)
        if _DIGIT_RUN.search(label):
            raise ValidationFailed(
                "personLabel is a label (e.g. 嫌疑人甲), not an ID or phone number",
                field="personLabel",
            )
        _not_after(started_at, at, field="startedAt")
        if started_at < self.alert_received_at:
            raise ValidationFailed(
                "startedAt must not be before the alert was received", field="startedAt"
            )
        for other in self.open_measures:
            if other.person_label == label:
                raise ValidationFailed(
                    f"{label} is already under measure {other.number} ({other.kind.value}); "
                    "end it first",
                    field="personLabel",
                )
        measure = Measure(
            number=len(self.measures) + 1,
            kind=kind,
            person_label=label,
            started_at=started_at,
            started_by=ActorRef.of(by),
            deadline=None,
        )
        rule = self._measure_rule(kind, clocks, serious=False)
        if rule is not None:
            due = clocks.due(rule, started_at=started_at, in_custody=measure.in_custody)
            measure = replace(measure, deadline=due)

        def apply() -> None:
            self.measures = (*self.measures, measure)

        self._change(
            "measure_started",
            at=at,
            mutate=apply,
            data={"measure": measure.number, "kind": kind.value},
        )
        return measure

    def extend_measure(
        self,
        *,
        number: int,
        amount: int,
        reason: str,
        serious: bool,
        at: datetime,
        by: Actor,
        clocks: CaseClocks,
    ) -> None:
        """More time within the rule's maximum; `serious`: roving, repeated or gang crime."""
        self._require(self.stage, "extend measure")
        measure = self._open_measure(number)
        if serious and measure.kind is not MeasureKind.CRIMINAL_DETENTION:
            raise ValidationFailed(
                "the roving, repeated or gang grounds apply to criminal detention only",
                field="rovingRepeatedOrGang",
            )
        serious = serious or measure.serious
        rule = self._measure_rule(measure.kind, clocks, serious=serious)
        if rule is None or measure.deadline is None:
            raise ValidationFailed(f"no clock rule times a {measure.kind.value}", field="kind")
        self._check_extension(rule, measure.deadline, measure.extension, amount, at)
        why = _text(reason, field="reason")
        extension = Extension(amount=amount, reason=why, at=at, by=ActorRef.of(by), serious=serious)
        deadline = clocks.due(
            rule,
            started_at=measure.started_at,
            extension=measure.extension + amount,
            in_custody=measure.in_custody,
        )
        extended = replace(measure, extensions=(*measure.extensions, extension), deadline=deadline)

        def apply() -> None:
            self._replace_measure(extended)

        self._change(
            "measure_extended",
            at=at,
            mutate=apply,
            reason=why,
            data={"measure": number, "amount": amount, "rule": rule.code},
        )

    def end_measure(
        self,
        *,
        number: int,
        ended_at: datetime,
        reason: str | None,
        at: datetime,
        by: Actor,
    ) -> None:
        self._require(self.stage, "end measure")
        measure = self._open_measure(number)
        _not_after(ended_at, at, field="endedAt")
        if ended_at < measure.started_at:
            raise ValidationFailed(
                "endedAt must not be before the measure started", field="endedAt"
            )
        why = (reason or "").strip() or None
        if why is not None:
            why = _text(why, field="reason")
        ended = replace(measure, ended_at=ended_at, ended_by=ActorRef.of(by), end_reason=why)

        def apply() -> None:
            self._replace_measure(ended)

        self._change("measure_ended", at=at, mutate=apply, reason=why, data={"measure": number})

    # -- revisits, tracking ------------------------------------------------------------------

    def record_revisit(
        self,
        *,
        outcome: RevisitOutcome,
        note: str | None,
        at: datetime,
        by: Actor,
        clocks: CaseClocks,
    ) -> Revisit:
        """回访: the first within 15 days of acceptance, the second between day 15 and day 30."""
        self._require(self.stage, "record revisit")
        if len(self.revisits) >= REVISITS:
            raise ValidationFailed("both revisits are already recorded", field="outcome")
        number = len(self.revisits) + 1
        accepted_at = self.accepted_at
        first_rule = clocks.rule(REVISIT, FIRST)
        if number == 2 and accepted_at is not None and first_rule is not None:
            opens = clocks.day_begins(accepted_at, first_rule.limit)
            if at < opens:
                raise ValidationFailed(
                    f"the second revisit falls from day {first_rule.limit} after acceptance; "
                    f"its window opens at {opens.astimezone(clocks.tz).isoformat()}",
                    field="outcome",
                )
        clean = (note or "").strip() or None
        if clean is not None:
            clean = _text(clean, field="note")
        revisit = Revisit(number=number, outcome=outcome, note=clean, at=at, by=ActorRef.of(by))

        def apply() -> None:
            self.revisits = (*self.revisits, revisit)

        self._change(
            "revisit_recorded",
            at=at,
            mutate=apply,
            data={"revisit": number, "outcome": outcome.value},
        )
        return revisit

    def start_tracking(
        self,
        *,
        city_officer: str,
        sub_bureau_officer: str,
        station_officer: str,
        closing_standard: str,
        at: datetime,
        by: Actor,
    ) -> None:
        """盯办: three tiers (city department, sub-bureau, station) and a closing standard."""
        self._require(self.stage, "start tracking")
        if self.tracking is not None and self.tracking.is_open:
            raise ValidationFailed("the case is already being tracked", field="closingStandard")
        tracking = Tracking(
            city_officer=city_officer,
            sub_bureau_officer=sub_bureau_officer,
            station_officer=station_officer,
            closing_standard=_text(closing_standard, field="closingStandard"),
            started_at=at,
            started_by=ActorRef.of(by),
        )

        def apply() -> None:
            self.trackings = (*self.trackings, tracking)

        self._change("tracking_started", at=at, mutate=apply)

    def close_tracking(self, *, note: str, at: datetime, by: Actor) -> None:
        """收口: the closing standard is met."""
        self._require(self.stage, "close tracking")
        tracking = self.tracking
        if tracking is None or not tracking.is_open:
            raise ValidationFailed("the case is not being tracked", field="note")
        why = _text(note, field="note")
        closed = replace(tracking, closed_at=at, closed_by=ActorRef.of(by), closing_note=why)

        def apply() -> None:
            self.trackings = (*self.trackings[:-1], closed)

        self._change("tracking_closed", at=at, mutate=apply, reason=why)

    # -- the administrative handling limit ---------------------------------------------------

    def extend_handling_limit(
        self, *, amount: int, reason: str, at: datetime, by: Actor, clocks: CaseClocks
    ) -> None:
        """+≤30 日 with the next level's approval (行政案件程序规定 art. 165)."""
        self._require(self.stage, "extend handling limit")
        rule, current = self._handling(clocks)
        self._check_extension(rule, current, self.handling_extension, amount, at, field="days")
        why = _text(reason, field="reason")
        extension = Extension(amount=amount, reason=why, at=at, by=ActorRef.of(by))

        def apply() -> None:
            self.handling_extensions = (*self.handling_extensions, extension)
            self.deadlines[HANDLING_DUE] = self._handling_due(rule, clocks)

        self._change(
            "handling_limit_extended", at=at, mutate=apply, reason=why, data={"amount": amount}
        )

    def start_appraisal(self, *, reason: str, at: datetime, by: Actor, clocks: CaseClocks) -> None:
        """鉴定 starts: the handling limit stands still until it ends."""
        self._require(self.stage, "start appraisal")
        rule, _ = self._handling(clocks)
        if any(a.is_open for a in self.appraisals):
            raise ValidationFailed("an appraisal is already under way", field="reason")
        appraisal = Appraisal(
            reason=_text(reason, field="reason"), started_at=at, started_by=ActorRef.of(by)
        )

        def apply() -> None:
            self.appraisals = (*self.appraisals, appraisal)
            self.deadlines[HANDLING_DUE] = self._handling_due(rule, clocks)

        self._change("appraisal_started", at=at, mutate=apply, reason=appraisal.reason)

    def end_appraisal(self, *, at: datetime, by: Actor, clocks: CaseClocks) -> None:
        self._require(self.stage, "end appraisal")
        rule, _ = self._handling(clocks)
        if not self.appraisals or not self.appraisals[-1].is_open:
            raise ValidationFailed("no appraisal is under way", field="id")
        ended = replace(self.appraisals[-1], ended_at=at, ended_by=ActorRef.of(by))

        def apply() -> None:
            self.appraisals = (*self.appraisals[:-1], ended)
            self.deadlines[HANDLING_DUE] = self._handling_due(rule, clocks)

        self._change("appraisal_ended", at=at, mutate=apply)

    # -- helpers -----------------------------------------------------------------------------

    def _require(self, target: CaseStage, command: str) -> None:
        if TRANSITIONS[self.stage].get(command) is not target:
            raise InvalidTransition(
                current=self.stage, attempted=command, allowed=ALLOWED[self.stage]
            )

    def _enter(
        self, stage: CaseStage, *, at: datetime, by: Actor, reason: str | None = None
    ) -> None:
        self.stage = stage
        self.history = (
            *self.history,
            StageStep(stage=stage, at=at, by=ActorRef.of(by), reason=reason),
        )

    def _move(
        self,
        target: CaseStage,
        command: str,
        event: str,
        *,
        at: datetime,
        by: Actor,
        reason: str | None = None,
    ) -> None:
        self._require(target, command)
        why = None if reason is None else _text(reason, field="reason")
        self._change(
            event, at=at, mutate=lambda: self._enter(target, at=at, by=by, reason=why), reason=why
        )

    def _measure_rule(
        self, kind: MeasureKind, clocks: CaseClocks, *, serious: bool
    ) -> ClockRule | None:
        if serious and kind is MeasureKind.CRIMINAL_DETENTION:
            return clocks.rule(MEASURE, SERIOUS_DETENTION)
        return clocks.rule(MEASURE, kind.value)

    def _open_measure(self, number: int) -> Measure:
        measure = self.measure(number)
        if not measure.is_open:
            raise ValidationFailed(f"measure {number} has ended", field="measureNumber")
        return measure

    def _replace_measure(self, measure: Measure) -> None:
        self.measures = tuple(measure if m.number == measure.number else m for m in self.measures)

    @staticmethod
    def _check_extension(
        rule: ClockRule,
        current: Deadline,
        extended: int,
        amount: int,
        at: datetime,
        *,
        field: str = "amount",
    ) -> None:
        if amount <= 0:
            raise ValidationFailed(f"{field} must be at least 1", field=field)
        if rule.max_extension == 0:
            raise ValidationFailed(f"{rule.name} cannot be extended ({rule.basis})", field=field)
        if extended + amount > rule.max_extension:
            left = rule.max_extension - extended
            raise ValidationFailed(
                f"{rule.name} may be extended by at most {rule.max_extension} "
                f"{rule.unit.words} in all; {left} left ({rule.basis})",
                field=field,
            )
        if current.due_at is not None and at >= current.due_at:
            raise ValidationFailed(
                f"{rule.name} fell due at {current.due_at.isoformat()}; "
                "an extension must be decided before that",
                field=field,
            )

    def _handling(self, clocks: CaseClocks) -> tuple[ClockRule, Deadline]:
        rule = clocks.rule(HANDLING, self.kind.value)
        current = self.deadlines.get(HANDLING_DUE)
        if rule is None or current is None:
            raise ValidationFailed(f"a {self.kind.value} case has no handling limit", field="id")
        return rule, current

    def _handling_due(self, rule: ClockRule, clocks: CaseClocks) -> Deadline:
        accepted_at = self.accepted_at
        assert accepted_at is not None  # the handling clock exists only once accepted
        pauses = [
            Pause(start=a.started_at, end=a.ended_at, reason=f"鉴定 appraisal: {a.reason}")
            for a in self.appraisals
        ]
        return clocks.due(
            rule, started_at=accepted_at, extension=self.handling_extension, pauses=pauses
        )
