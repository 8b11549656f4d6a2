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
    DETENTION_STEP,
    FIRST,
    HANDLING,
    MEASURE,
    NOT_FILING_CHALLENGE,
    NOT_FILING_NOTICE,
    OUTSIDE_JURISDICTION,
    PENALTY_DECISION,
    RECONSIDERATION_APPLICATION,
    RECONSIDERATION_DECISION,
    REVIEW_APPLICATION,
    REVIEW_DECISION,
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
    ChallengeLevel,
    ChallengeOutcome,
    DetentionStep,
    MeasureKind,
    RevisitOutcome,
)
from domain.case.values import (
    ActorRef,
    Appraisal,
    Challenge,
    Designation,
    DetentionStepDone,
    Extension,
    ExternalRef,
    Measure,
    NotFilingNotice,
    OutsideJurisdiction,
    Refusal,
    Revisit,
    StageStep,
    Tracking,
    Transfer,
    iso,
)
from domain.deadlines import ClockRule, Deadline, Pause, RunningClock
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
NOT_FILING_NOTICE_DUE = "notFilingNotice"
PENALTY_DECISION_DUE = "penaltyDecision"
RECONSIDERATION_WINDOW = "reconsiderationWindow"
RECONSIDERATION_DECISION_DUE = "reconsiderationDecision"
REVIEW_WINDOW = "reviewWindow"
REVIEW_DECISION_DUE = "reviewDecision"
# Application windows bind the applicant, not the police: shown, never overdue.
WINDOWS = {
    ChallengeLevel.RECONSIDERATION: RECONSIDERATION_WINDOW,
    ChallengeLevel.REVIEW: REVIEW_WINDOW,
}
DECISIONS = {
    ChallengeLevel.RECONSIDERATION: RECONSIDERATION_DECISION_DUE,
    ChallengeLevel.REVIEW: REVIEW_DECISION_DUE,
}
_CHALLENGE_SCOPES = {
    ChallengeLevel.RECONSIDERATION: (RECONSIDERATION_APPLICATION, RECONSIDERATION_DECISION),
    ChallengeLevel.REVIEW: (REVIEW_APPLICATION, REVIEW_DECISION),
}
_CHALLENGE_WORDS = {ChallengeLevel.RECONSIDERATION: "复议", ChallengeLevel.REVIEW: "复核"}
_REVISIT_KEYS = frozenset({FIRST_REVISIT_DUE, SECOND_REVISIT_DUE})
_DETENTION_STEP_WORDS = {
    DetentionStep.SENT_TO_DETENTION_CENTRE: "send the detainee to the detention centre",
    DetentionStep.FAMILY_NOTIFIED: "notify the detainee's family",
    DetentionStep.FIRST_INTERROGATION: "interrogate the detainee for the first time",
}


def outside_jurisdiction_key(number: int) -> str:
    return f"outsideJurisdiction.{number}"


def detention_step_key(measure: int, step: DetentionStep) -> str:
    return f"detention.{measure}.{step.value}"


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
        outside_jurisdiction: tuple[OutsideJurisdiction, ...] = (),
        not_filing_notice: NotFilingNotice | None = None,
        challenges: tuple[Challenge, ...] = (),
        detention_steps: tuple[DetentionStepDone, ...] = (),
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
        self.outside_jurisdiction = outside_jurisdiction
        self.not_filing_notice = not_filing_notice
        self.challenges = challenges
        self.detention_steps = detention_steps

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

    def challenge(self, level: ChallengeLevel) -> Challenge | None:
        return next((c for c in self.challenges if c.level is level), None)

    def detention_step(self, measure: int, step: DetentionStep) -> DetentionStepDone | None:
        return next(
            (d for d in self.detention_steps if d.measure == measure and d.step is step), None
        )

    def transferred_since(self, moment: datetime) -> datetime | None:
        """When the case was first transferred at or after `moment`."""
        return next((t.at for t in self.transfers if t.at >= moment), None)

    def window_states(self) -> list[DeadlineState]:
        """The 复议 / 复核 application windows (the applicant's, never overdue for the police)."""
        states = []
        for level, key in WINDOWS.items():
            window = self.deadlines.get(key)
            if window is not None:
                found = self.challenge(level)
                states.append(DeadlineState(key, window, found.applied_at if found else None))
        return states

    def deadline_states(self) -> list[DeadlineState]:
        """Every clock of the case and its measures, with when it was met."""
        states = []
        handling = self.deadlines.get(HANDLING_DUE)
        if handling is not None:
            states.append(DeadlineState(HANDLING_DUE, handling, self.closed_at))
        penalty = self.deadlines.get(PENALTY_DECISION_DUE)
        if penalty is not None:
            states.append(DeadlineState(PENALTY_DECISION_DUE, penalty, self.closed_at))
        for marking in self.outside_jurisdiction:
            key = outside_jurisdiction_key(marking.number)
            due = self.deadlines.get(key)
            if due is not None:
                states.append(DeadlineState(key, due, self.transferred_since(marking.at)))
        notice = self.deadlines.get(NOT_FILING_NOTICE_DUE)
        if notice is not None:
            served = self.not_filing_notice.served_at if self.not_filing_notice else None
            states.append(DeadlineState(NOT_FILING_NOTICE_DUE, notice, served))
        for level, key in DECISIONS.items():
            due = self.deadlines.get(key)
            found = self.challenge(level)
            if due is not None:
                states.append(DeadlineState(key, due, found.decided_at if found else None))
        for key, number in ((FIRST_REVISIT_DUE, 1), (SECOND_REVISIT_DUE, 2)):
            due = self.deadlines.get(key)
            if due is not None:
                done = next((r.at for r in self.revisits if r.number == number), None)
                states.append(DeadlineState(key, due, done))
        for m in self.measures:
            if m.deadline is not None:
                states.append(DeadlineState(f"measure.{m.number}", m.deadline, m.ended_at))
            for step in DetentionStep:
                key = detention_step_key(m.number, step)
                due = self.deadlines.get(key)
                if due is not None:
                    recorded = self.detention_step(m.number, step)
                    states.append(DeadlineState(key, due, recorded.done_at if recorded else None))
        return states

    def running_clocks(self) -> list[RunningClock]:
        """The clocks of `deadline_states()` still to be met, for the case's current unit.

        The applicant's 复议 / 复核 windows are not among them (see `window_states()`), and a
        suspended clock (an open appraisal) has no due time, so it is left out until it resumes.
        """
        names = self._clock_names()
        finished = self.stage in FINAL_STAGES
        clocks = []
        for s in self.deadline_states():
            if s.satisfied_at is not None or s.deadline.due_at is None:
                continue
            # A finished case no longer chases its revisits. This applies here only: the states,
            # `next_due_at` and `is_overdue` still count a revisit missed after the case ended.
            if finished and s.key in _REVISIT_KEYS:
                continue
            name = names.get(s.key, s.key)
            clocks.append(
                RunningClock(key=s.key, deadline=s.deadline, unit_code=self.unit, name=name)
            )
        return clocks

    def _clock_names(self) -> dict[str, str]:
        """What must happen to meet each clock key `deadline_states()` can hold, in words."""
        names = {
            HANDLING_DUE: f"handle the {self.kind.value.lower()} case",
            PENALTY_DECISION_DUE: "decide the administrative penalty",
            NOT_FILING_NOTICE_DUE: "serve the notice of not filing",
            RECONSIDERATION_DECISION_DUE: "decide the reconsideration (复议) of not filing",
            REVIEW_DECISION_DUE: "decide the review (复核) of not filing",
            FIRST_REVISIT_DUE: "first revisit",
            SECOND_REVISIT_DUE: "second revisit",
        }
        for marking in self.outside_jurisdiction:
            names[outside_jurisdiction_key(marking.number)] = (
                f"transfer the case to the competent body (marking {marking.number})"
            )
        for m in self.measures:
            names[f"measure.{m.number}"] = f"end or extend measure {m.number} ({m.kind.value})"
            for step in DetentionStep:
                names[detention_step_key(m.number, step)] = (
                    f"{_DETENTION_STEP_WORDS[step]} (measure {m.number})"
                )
        return names

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
            # due_at is the first instant past the limit: met at that instant is met late.
            and s.satisfied_at >= s.deadline.due_at
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
        for o in self.outside_jurisdiction:
            state[f"outsideJurisdiction.{o.number}"] = o.as_json()
        if self.not_filing_notice is not None:
            state["notFilingNotice"] = self.not_filing_notice.as_json()
        for c in self.challenges:
            state[f"challenge.{c.level.value}"] = c.as_json()
        for d in self.detention_steps:
            state[f"detentionStep.{d.measure}.{d.step.value}"] = d.as_json()
        # The due dates of the clocks added in migration 0008, one key each.
        old = {HANDLING_DUE, FIRST_REVISIT_DUE, SECOND_REVISIT_DUE}
        for key in sorted(set(self.deadlines) - old):
            state[f"due.{key}"] = iso(self.deadlines[key].due_at)
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

    def file(self, *, at: datetime, by: Actor, clocks: CaseClocks | None = None) -> None:
        """立案: for administrative cases the penalty decision clock starts (行政处罚法 art. 60)."""
        self._require(S.FILED, "file")
        rule = clocks.rule(PENALTY_DECISION, self.kind.value) if clocks else None
        due = clocks.due(rule, started_at=at) if clocks and rule else None

        def apply() -> None:
            self._enter(S.FILED, at=at, by=by)
            if due is not None:
                self.deadlines[PENALTY_DECISION_DUE] = due

        self._change("filed", at=at, mutate=apply)

    def start_investigating(self, *, at: datetime, by: Actor) -> None:
        """侦查."""
        self._move(S.INVESTIGATING, "start investigating", "investigation_started", at=at, by=by)

    def conclude(self, *, at: datetime, by: Actor) -> None:
        """结案: meets the handling limit."""
        self._move(S.CONCLUDED, "conclude", "concluded", at=at, by=by)

    def refuse_to_file(
        self, *, reason: str, at: datetime, by: Actor, clocks: CaseClocks | None = None
    ) -> None:
        """不予立案, with the reason: the notice (不予立案通知书) is due within 3 日 (art. 178)."""
        self._require(S.NOT_FILED, "refuse to file")
        why = _text(reason, field="reason")
        rule = clocks.rule(NOT_FILING_NOTICE, self.kind.value) if clocks else None
        due = clocks.due(rule, started_at=at) if clocks and rule else None

        def apply() -> None:
            self._enter(S.NOT_FILED, at=at, by=by, reason=why)
            if due is not None:
                self.deadlines[NOT_FILING_NOTICE_DUE] = due

        self._change("not_filed", at=at, mutate=apply, reason=why)

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
        steps: dict[str, Deadline] = {}
        if kind is MeasureKind.CRIMINAL_DETENTION:
            # 送看守所, 通知家属, 第一次讯问: 24 h each from the detention (art. 126–128).
            for step in DetentionStep:
                step_rule = clocks.rule(DETENTION_STEP, step.value)
                if step_rule is not None:
                    steps[detention_step_key(measure.number, step)] = clocks.due(
                        step_rule, started_at=started_at, in_custody=True
                    )

        def apply() -> None:
            self.measures = (*self.measures, measure)
            self.deadlines.update(steps)

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

    # -- the criminal-procedure clocks (migration 0008) ---------------------------------------

    def mark_outside_jurisdiction(
        self, *, reason: str, at: datetime, by: Actor, clocks: CaseClocks
    ) -> OutsideJurisdiction:
        """Not this unit's case: transfer it to the competent body within 24 h (art. 175)."""
        self._require(self.stage, "mark outside jurisdiction")
        rule = clocks.rule(OUTSIDE_JURISDICTION, self.kind.value)
        if rule is None:
            raise ValidationFailed(
                f"no clock rule times the transfer of a {self.kind.value} case", field="kind"
            )
        last = self.outside_jurisdiction[-1] if self.outside_jurisdiction else None
        if last is not None and self.transferred_since(last.at) is None:
            raise ValidationFailed(
                "the case is already marked as outside jurisdiction; transfer it", field="reason"
            )
        why = _text(reason, field="reason")
        marking = OutsideJurisdiction(
            number=len(self.outside_jurisdiction) + 1,
            unit=self.unit,
            reason=why,
            at=at,
            by=ActorRef.of(by),
        )
        due = clocks.due(rule, started_at=at)

        def apply() -> None:
            self.outside_jurisdiction = (*self.outside_jurisdiction, marking)
            self.deadlines[outside_jurisdiction_key(marking.number)] = due

        self._change(
            "marked_outside_jurisdiction",
            at=at,
            mutate=apply,
            reason=why,
            data={"unit": marking.unit, "rule": rule.code},
        )
        return marking

    def record_not_filing_notice(
        self, *, served_at: datetime, at: datetime, by: Actor, clocks: CaseClocks
    ) -> NotFilingNotice:
        """不予立案通知书 served (art. 178): meets the 3-day clock, opens the 复议 window."""
        self._require(self.stage, "record not filing notice")
        if self.not_filing_notice is not None:
            raise ValidationFailed("the notice of not filing is already recorded", field="servedAt")
        _not_after(served_at, at, field="servedAt")
        refused_at = self.entered(S.NOT_FILED)
        assert refused_at is not None  # the stage check guarantees it
        if served_at < refused_at:
            raise ValidationFailed(
                "servedAt must not be before the decision not to file", field="servedAt"
            )
        notice = NotFilingNotice(served_at=served_at, at=at, by=ActorRef.of(by))
        scope = _CHALLENGE_SCOPES[ChallengeLevel.RECONSIDERATION][0]
        rule = clocks.rule(NOT_FILING_CHALLENGE, scope)
        window = clocks.due(rule, started_at=served_at) if rule is not None else None

        def apply() -> None:
            self.not_filing_notice = notice
            if window is not None:
                self.deadlines[RECONSIDERATION_WINDOW] = window

        self._change(
            "not_filing_notice_recorded",
            at=at,
            mutate=apply,
            data={"servedAt": iso(served_at)},
        )
        return notice

    def record_challenge_application(
        self,
        *,
        level: ChallengeLevel,
        applied_at: datetime,
        at: datetime,
        by: Actor,
        clocks: CaseClocks,
    ) -> Challenge:
        """复议 (or, after an upheld 复议, 复核) applied for within 7 日; refused when late."""
        words = _CHALLENGE_WORDS[level]
        self._require(self.stage, f"record {level.value.lower()} application")
        if self.challenge(level) is not None:
            raise ValidationFailed(
                f"the {words} application is already recorded", field="appliedAt"
            )
        if level is ChallengeLevel.RECONSIDERATION and self.not_filing_notice is None:
            raise ValidationFailed(
                "record the notice of not filing first: the 复议 window runs from it",
                field="appliedAt",
            )
        if level is ChallengeLevel.REVIEW:
            first = self.challenge(ChallengeLevel.RECONSIDERATION)
            if first is None or first.outcome is not ChallengeOutcome.UPHELD:
                raise ValidationFailed(
                    "复核 follows a 复议 decision that upheld not filing", field="appliedAt"
                )
        window = self.deadlines.get(WINDOWS[level])
        decision_scope = _CHALLENGE_SCOPES[level][1]
        rule = clocks.rule(NOT_FILING_CHALLENGE, decision_scope)
        if window is None or rule is None:
            raise ValidationFailed(f"no clock rule times a {words}", field="appliedAt")
        _not_after(applied_at, at, field="appliedAt")
        if applied_at < window.started_at:
            raise ValidationFailed(
                f"appliedAt must not be before the {words} window opened", field="appliedAt"
            )
        if window.due_at is not None and applied_at >= window.due_at:
            raise ValidationFailed(
                f"the {words} window closed at {window.due_at.astimezone(clocks.tz).isoformat()}"
                f" ({window.basis})",
                field="appliedAt",
            )
        challenge = Challenge(
            level=level, applied_at=applied_at, recorded_at=at, recorded_by=ActorRef.of(by)
        )
        due = clocks.due(rule, started_at=applied_at)

        def apply() -> None:
            self.challenges = (*self.challenges, challenge)
            self.deadlines[DECISIONS[level]] = due

        self._change(
            f"{level.value.lower()}_applied",
            at=at,
            mutate=apply,
            data={"appliedAt": iso(applied_at), "rule": rule.code},
        )
        return challenge

    def decide_challenge(
        self,
        *,
        level: ChallengeLevel,
        outcome: ChallengeOutcome,
        reason: str,
        at: datetime,
        by: Actor,
        clocks: CaseClocks,
    ) -> None:
        """The 复议 / 复核 decision; an upheld 复议 opens the 7-day 复核 window."""
        self._require(self.stage, f"decide {level.value.lower()}")
        pending = self._pending_challenge(level)
        why = _text(reason, field="reason")
        decided = replace(
            pending, decided_at=at, decided_by=ActorRef.of(by), outcome=outcome, decision_reason=why
        )
        window: Deadline | None = None
        if level is ChallengeLevel.RECONSIDERATION and outcome is ChallengeOutcome.UPHELD:
            rule = clocks.rule(NOT_FILING_CHALLENGE, REVIEW_APPLICATION)
            window = clocks.due(rule, started_at=at) if rule is not None else None

        def apply() -> None:
            self._replace_challenge(decided)
            if window is not None:
                self.deadlines[REVIEW_WINDOW] = window

        self._change(
            f"{level.value.lower()}_decided",
            at=at,
            mutate=apply,
            reason=why,
            data={"outcome": outcome.value},
        )

    def extend_challenge(
        self,
        *,
        level: ChallengeLevel,
        amount: int,
        reason: str,
        at: datetime,
        by: Actor,
        clocks: CaseClocks,
    ) -> None:
        """案情重大、复杂: the decision may be extended once, by at most 30 日 (art. 179)."""
        words = _CHALLENGE_WORDS[level]
        self._require(self.stage, f"extend {level.value.lower()}")
        pending = self._pending_challenge(level)
        if pending.extension is not None:
            raise ValidationFailed(f"the {words} decision was already extended once", field="days")
        rule = clocks.rule(NOT_FILING_CHALLENGE, _CHALLENGE_SCOPES[level][1])
        current = self.deadlines.get(DECISIONS[level])
        if rule is None or current is None:
            raise ValidationFailed(f"no clock rule times a {words}", field="days")
        self._check_extension(rule, current, 0, amount, at, field="days")
        why = _text(reason, field="reason")
        extension = Extension(amount=amount, reason=why, at=at, by=ActorRef.of(by))
        extended = replace(pending, extension=extension)
        due = clocks.due(rule, started_at=pending.applied_at, extension=amount)

        def apply() -> None:
            self._replace_challenge(extended)
            self.deadlines[DECISIONS[level]] = due

        self._change(
            f"{level.value.lower()}_extended",
            at=at,
            mutate=apply,
            reason=why,
            data={"amount": amount, "rule": rule.code},
        )

    def record_detention_step(
        self,
        *,
        number: int,
        step: DetentionStep,
        done_at: datetime,
        note: str | None,
        at: datetime,
        by: Actor,
    ) -> DetentionStepDone:
        """送看守所 / 通知家属 / 第一次讯问 done for detention `number` (art. 126–128)."""
        self._require(self.stage, "record detention step")
        measure = self.measure(number)
        if measure.kind is not MeasureKind.CRIMINAL_DETENTION:
            raise ValidationFailed(
                f"measure {number} is a {measure.kind.value}, not a criminal detention",
                field="measureNumber",
            )
        if self.detention_step(number, step) is not None:
            raise ValidationFailed(
                f"{step.value} is already recorded for measure {number}", field="step"
            )
        _not_after(done_at, at, field="doneAt")
        if done_at < measure.started_at:
            raise ValidationFailed("doneAt must not be before the detention", field="doneAt")
        clean = (note or "").strip() or None
        if clean is not None:
            clean = _text(clean, field="note")
        done = DetentionStepDone(
            measure=number, step=step, done_at=done_at, note=clean, at=at, by=ActorRef.of(by)
        )

        def apply() -> None:
            self.detention_steps = (*self.detention_steps, done)

        self._change(
            "detention_step_recorded",
            at=at,
            mutate=apply,
            data={"measure": number, "step": step.value, "doneAt": iso(done_at)},
        )
        return done

    # -- helpers -----------------------------------------------------------------------------

    def _pending_challenge(self, level: ChallengeLevel) -> Challenge:
        found = self.challenge(level)
        if found is None or not found.is_pending:
            words = _CHALLENGE_WORDS[level]
            raise ValidationFailed(f"no {words} application is awaiting a decision", field="id")
        return found

    def _replace_challenge(self, challenge: Challenge) -> None:
        self.challenges = tuple(
            challenge if c.level is challenge.level else c for c in self.challenges
        )

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
