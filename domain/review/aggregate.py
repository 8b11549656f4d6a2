"""Review: opened → verifying → concluded → (sign-off) → closed, with rectifications and letters.

One aggregate carries the three kinds of review (核查 verification, 执法质量考评 case-quality
evaluation, 法制审核 legal review); the kind decides which conclusion it needs (`CONCLUSION`).
Its follow-up items are children that change only through the review, one event each:
rectification items (整改) with their own life cycle, the legal sign-off chain (五级审核) as
role-tagged step records, and supervision recommendation letters (执法监督建议书).

The sign-off chain: steps are signed in order, each only by its holder. A return (退回) ends the
round: the returning step is recorded RETURNED with its comment, later steps NOT_REACHED, and a new
round starts at the first step (the handling officer) with the same holders. While a chain is at
its first step the file may be corrected (evidence, finding, evaluation). Going back to step 1,
rather than to the step before the returning one, is deliberate: every level approves the file as
a whole, so a corrected file is seen by every level again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, ClassVar
from uuid import UUID

from domain.aggregate import Aggregate
from domain.deadlines import Deadline, RunningClock
from domain.errors import Forbidden, InvalidTransition, ValidationFailed
from domain.review.clocks import RECOMMENDATION_RESPONSE, RECTIFICATION, ReviewClocks
from domain.review.status import (
    CONCLUSION,
    RECTIFICATION_TRANSITIONS,
    REVISIONS,
    TRANSITIONS,
    FindingNature,
    FindingResult,
    InspectionMethod,
    OriginType,
    Rating,
    RecommendationStatus,
    RectificationStatus,
    Responsibility,
    ReviewKind,
    ReviewStatus,
    StepDecision,
)

S = ReviewStatus
R = RectificationStatus

MAX_SUBJECT = 200
MAX_TEXT = 20_000
MAX_NOTE = 2_000
MAX_WATCH_DAYS = 366
MAX_CRITERION = 50
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _due(deadline: Deadline | None) -> str | None:
    return _iso(deadline.due_at) if deadline else None


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


# -- the parts of a review -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Origin:
    """What started the review: an item (by aggregate type and id) or an inspection."""

    type: OriginType
    id: str | None = None
    method: InspectionMethod | None = None
    description: str | None = None

    def as_record(self) -> dict[str, Any]:
        return {
            "type": self.type.value,
            "id": self.id,
            "method": self.method.value if self.method else None,
            "description": self.description,
        }


@dataclass(frozen=True, slots=True)
class StepTemplate:
    """One configured step of a kind's sign-off chain (table `signoff_template`)."""

    step_no: int
    role_tag: str
    label: str
    responsibility: Responsibility

    def as_record(self) -> dict[str, Any]:
        return {
            "stepNo": self.step_no,
            "roleTag": self.role_tag,
            "label": self.label,
            "responsibility": self.responsibility.value,
        }


@dataclass(frozen=True, slots=True)
class Evidence:
    no: int
    description: str
    attachment_sha256: str | None
    added_at: datetime

    def as_record(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "attachmentSha256": self.attachment_sha256,
            "addedAt": _iso(self.added_at),
        }


@dataclass(frozen=True, slots=True)
class Finding:
    result: FindingResult
    nature: FindingNature
    summary: str
    recorded_at: datetime

    def as_record(self) -> dict[str, Any]:
        return {
            "result": self.result.value,
            "nature": self.nature.value,
            "summary": self.summary,
            "recordedAt": _iso(self.recorded_at),
        }


@dataclass(frozen=True, slots=True)
class CriterionScore:
    criterion: str
    score: float
    max: float

    def as_record(self) -> dict[str, Any]:
        return {"criterion": self.criterion, "score": self.score, "max": self.max}


@dataclass(frozen=True, slots=True)
class Evaluation:
    scores: tuple[CriterionScore, ...]
    rating: Rating
    note: str | None
    evaluated_at: datetime

    @property
    def total(self) -> float:
        return sum(s.score for s in self.scores)

    @property
    def max_total(self) -> float:
        return sum(s.max for s in self.scores)

    def as_record(self) -> dict[str, Any]:
        return {
            "scores": [s.as_record() for s in self.scores],
            "rating": self.rating.value,
            "note": self.note,
            "evaluatedAt": _iso(self.evaluated_at),
        }


@dataclass(frozen=True, slots=True)
class Rectification:
    """A rectification item (整改): the owner unit rectifies, a different unit closes it off."""

    no: int
    owner_unit: str
    verifying_unit: str | None  # None: the supervision centre verifies
    requirement: str
    deadline: Deadline
    watch_days: int | None
    added_at: datetime
    status: RectificationStatus = R.OPEN
    done_note: str | None = None
    done_reported_at: datetime | None = None
    closed_off_at: datetime | None = None
    closed_off_by_unit: str | None = None
    comment: str | None = None  # of the last close-off or return
    returned_at: datetime | None = None
    watch: Deadline | None = None  # the watch period after closing off
    recurrences: int = 0
    recurrence_note: str | None = None

    @property
    def satisfied_at(self) -> datetime | None:
        """When the owner reported it done, unless the report was returned or it recurred."""
        if self.status in {R.DONE_REPORTED, R.CLOSED_OFF}:
            return self.done_reported_at
        return None

    def is_overdue(self, now: datetime) -> bool:
        return self.deadline.is_overdue(now, satisfied_at=self.satisfied_at)

    def as_record(self) -> dict[str, Any]:
        return {
            "ownerUnit": self.owner_unit,
            "verifyingUnit": self.verifying_unit,
            "requirement": self.requirement,
            "status": self.status.value,
            "ruleCode": self.deadline.rule_code,
            "dueAt": _due(self.deadline),
            "watchDays": self.watch_days,
            "doneNote": self.done_note,
            "doneReportedAt": _iso(self.done_reported_at),
            "closedOffAt": _iso(self.closed_off_at),
            "closedOffByUnit": self.closed_off_by_unit,
            "comment": self.comment,
            "returnedAt": _iso(self.returned_at),
            "watchUntil": _due(self.watch),
            "recurrences": self.recurrences,
            "recurrenceNote": self.recurrence_note,
        }


@dataclass(frozen=True, slots=True)
class SignoffStep:
    """One step of one round of the sign-off chain: who held it, what they decided, when."""

    round: int
    step_no: int
    role_tag: str
    label: str
    responsibility: Responsibility
    holder: str  # officer code
    decision: StepDecision = StepDecision.PENDING
    comment: str | None = None
    signed_at: datetime | None = None

    def as_record(self) -> dict[str, Any]:
        return {
            "roleTag": self.role_tag,
            "label": self.label,
            "responsibility": self.responsibility.value,
            "holder": self.holder,
            "decision": self.decision.value,
            "comment": self.comment,
            "signedAt": _iso(self.signed_at),
        }


@dataclass(frozen=True, slots=True)
class Recommendation:
    """A supervision recommendation letter (执法监督建议书) and the unit's response."""

    no: int
    unit: str
    content: str
    issued_at: datetime
    deadline: Deadline | None
    status: RecommendationStatus = RecommendationStatus.ISSUED
    response: str | None = None
    responded_at: datetime | None = None

    def is_overdue(self, now: datetime) -> bool:
        if self.deadline is None:
            return False
        return self.deadline.is_overdue(now, satisfied_at=self.responded_at)

    def as_record(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "content": self.content,
            "issuedAt": _iso(self.issued_at),
            "dueAt": _due(self.deadline),
            "status": self.status.value,
            "response": self.response,
            "respondedAt": _iso(self.responded_at),
        }


# -- the aggregate -------------------------------------------------------------------------------


class Review(Aggregate):
    aggregate_type: ClassVar[str] = "review"

    def __init__(
        self,
        *,
        id: str,
        version: int,
        kind: ReviewKind,
        subject: str,
        unit: str,
        origin: Origin,
        correlation: UUID,
        opened_at: datetime,
        plan: tuple[StepTemplate, ...] = (),
        status: ReviewStatus = S.OPEN,
        verifiers: tuple[str, ...] = (),
        evidence: tuple[Evidence, ...] = (),
        finding: Finding | None = None,
        evaluation: Evaluation | None = None,
        rectifications: tuple[Rectification, ...] = (),
        steps: tuple[SignoffStep, ...] = (),
        signoff_round: int = 0,
        signoff_step: int | None = None,
        signed_off_at: datetime | None = None,
        recommendations: tuple[Recommendation, ...] = (),
        closed_at: datetime | None = None,
    ) -> None:
        super().__init__(id=id, version=version)
        self.kind = kind
        self.subject = subject
        self.unit = unit
        self.origin = origin
        self.correlation = correlation
        self.opened_at = opened_at
        self.plan = tuple(sorted(plan, key=lambda t: t.step_no))
        self.status = status
        self.verifiers = verifiers
        self.evidence = evidence
        self.finding = finding
        self.evaluation = evaluation
        self.rectifications = rectifications
        self.steps = steps
        self.signoff_round = signoff_round
        self.signoff_step = signoff_step
        self.signed_off_at = signed_off_at
        self.recommendations = recommendations
        self.closed_at = closed_at

    # -- reading -----------------------------------------------------------------------------

    @property
    def owner_unit(self) -> str | None:
        return self.unit

    @property
    def correlation_id(self) -> UUID:
        return self.correlation

    def current_steps(self) -> tuple[SignoffStep, ...]:
        """The steps of the latest round (empty before the chain starts)."""
        return tuple(s for s in self.steps if s.round == self.signoff_round)

    def current_step(self) -> SignoffStep | None:
        """The step waiting for its signature, while the chain runs."""
        if self.status is not S.IN_SIGNOFF:
            return None
        for step in self.current_steps():
            if step.step_no == self.signoff_step:
                return step
        return None

    def rectification(self, no: int) -> Rectification:
        for item in self.rectifications:
            if item.no == no:
                return item
        raise ValidationFailed(f"review has no rectification {no}", field="rectificationNo")

    def recommendation(self, no: int) -> Recommendation:
        for item in self.recommendations:
            if item.no == no:
                return item
        raise ValidationFailed(f"review has no recommendation {no}", field="recommendationNo")

    def is_overdue(self, now: datetime) -> bool:
        """A rectification or recommendation response past due, or done late."""
        return any(r.is_overdue(now) for r in self.rectifications) or any(
            r.is_overdue(now) for r in self.recommendations
        )

    def running_clocks(self) -> list[RunningClock]:
        """Each rectification until reported done, each recommendation until answered.

        A rectification's owner unit meets its clock by reporting it done (`satisfied_at`, as
        `is_overdue` reads it); closing it off is the verifying unit's step and has no clock. A
        return or a recurrence makes it run again. The review itself has no deadline.
        """
        clocks = []
        for item in self.rectifications:
            if item.satisfied_at is None and item.deadline.due_at is not None:
                clocks.append(
                    RunningClock(
                        key=f"rectification.{item.no}",
                        deadline=item.deadline,
                        unit_code=item.owner_unit,
                        name=f"carry out rectification {item.no}",
                    )
                )
        for letter in self.recommendations:
            deadline = letter.deadline
            if letter.responded_at is None and deadline is not None and deadline.due_at is not None:
                clocks.append(
                    RunningClock(
                        key=f"recommendation.{letter.no}",
                        deadline=deadline,
                        unit_code=letter.unit,
                        name=f"respond to supervision recommendation {letter.no}",
                    )
                )
        return clocks

    def available(self) -> dict[str, ReviewStatus]:
        """The commands this review accepts now and the state each leads to."""
        return {
            command: target
            for command, target in TRANSITIONS[self.status].items()
            if self._applies(command)
        }

    def _applies(self, command: str) -> bool:
        conclusion = CONCLUSION[self.kind]
        if command in {"record finding", "record evaluation"} and command != conclusion:
            return False
        if command == "start sign-off":
            if not self.plan:
                return False
            # A kind with a conclusion signs it; a legal review is concluded by the chain.
            if self.status in {S.OPEN, S.VERIFYING} and conclusion is not None:
                return False
        if command == "close" and self.status is S.CONCLUDED and self.plan:
            return False  # a kind with a chain closes only once signed off
        if self.status is S.IN_SIGNOFF:
            if command in REVISIONS and self.signoff_step != self.plan[0].step_no:
                return False
            last = self.signoff_step == self.plan[-1].step_no
            if command == "approve step" and last:
                return False
            if command == "approve last step" and not last:
                return False
        return True

    def snapshot(self) -> dict[str, Any]:
        state: dict[str, Any] = {
            "kind": self.kind.value,
            "status": self.status.value,
            "subject": self.subject,
            "unit": self.unit,
            "origin": self.origin.as_record(),
            "openedAt": _iso(self.opened_at),
            "verifiers": list(self.verifiers),
            "finding": self.finding.as_record() if self.finding else None,
            "evaluation": self.evaluation.as_record() if self.evaluation else None,
            "signoffPlan": [t.as_record() for t in self.plan],
            "signoffRound": self.signoff_round,
            "signoffStep": self.signoff_step,
            "signedOffAt": _iso(self.signed_off_at),
            "closedAt": _iso(self.closed_at),
        }
        # Children under keys of their own, so that an event's changes name only what changed.
        for item in self.evidence:
            state[f"evidence.{item.no}"] = item.as_record()
        for rect in self.rectifications:
            state[f"rectification.{rect.no}"] = rect.as_record()
        for step in self.steps:
            state[f"step.{step.round}.{step.step_no}"] = step.as_record()
        for letter in self.recommendations:
            state[f"recommendation.{letter.no}"] = letter.as_record()
        return state

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        *,
        id: str,
        kind: ReviewKind,
        subject: str,
        unit: str,
        origin: Origin,
        correlation: UUID,
        plan: tuple[StepTemplate, ...],
        at: datetime,
        linked_correlation: UUID | None = None,
    ) -> Review:
        if origin.type is OriginType.INSPECTION:
            if origin.method is None:
                raise ValidationFailed("an inspection needs its method", field="inspection")
            origin = replace(
                origin,
                id=None,
                description=_text(origin.description or "", field="inspection", limit=MAX_NOTE),
            )
        elif not origin.id:
            raise ValidationFailed("the origin item is missing", field="originId")
        if CONCLUSION[kind] is None and not plan:
            raise ValidationFailed(
                f"a {kind.value} is concluded by its sign-off chain, and none is configured "
                "(signoff_template)",
                field="kind",
            )
        numbers = [t.step_no for t in plan]
        if len(set(numbers)) != len(numbers):
            raise ValidationFailed("the sign-off template repeats a step number", field="kind")
        review = cls(
            id=id,
            version=0,
            kind=kind,
            subject=_text(subject, field="subject", limit=MAX_SUBJECT),
            unit=unit,
            origin=origin,
            correlation=correlation,
            opened_at=at,
            plan=plan,
        )
        # A review can also take up another loop's item (an escalated warning about a letter):
        # the link joins the two loops in loopTrace.
        data = {"linkedCorrelationId": str(linked_correlation)} if linked_correlation else None
        review._change("opened", at=at, mutate=lambda: None, data=data)
        return review

    # -- verification --------------------------------------------------------------------------

    def assign_verifiers(self, *, officers: tuple[str, ...], at: datetime) -> None:
        target = self._require("assign verifiers")
        chosen = tuple(dict.fromkeys(code.strip() for code in officers if code.strip()))
        if not chosen:
            raise ValidationFailed("name at least one verifier", field="officerCodes")

        def apply() -> None:
            self.status = target
            self.verifiers = chosen

        self._change("verifiers_assigned", at=at, mutate=apply)

    def add_evidence(
        self, *, description: str, attachment_sha256: str | None, at: datetime
    ) -> Evidence:
        target = self._require("add evidence")
        digest = None
        if attachment_sha256 is not None and attachment_sha256.strip():
            digest = attachment_sha256.strip().lower()
            if not SHA256.match(digest):
                raise ValidationFailed(
                    "attachmentSha256 must be 64 hexadecimal digits", field="attachmentSha256"
                )
        item = Evidence(
            no=len(self.evidence) + 1,
            description=_text(description, field="description", limit=MAX_NOTE),
            attachment_sha256=digest,
            added_at=at,
        )

        def apply() -> None:
            self.status = target
            self.evidence = (*self.evidence, item)

        self._change("evidence_added", at=at, mutate=apply)
        return item

    def record_finding(
        self, *, result: FindingResult, nature: FindingNature, summary: str, at: datetime
    ) -> None:
        target = self._require("record finding")
        if not self.evidence:
            raise ValidationFailed("a finding rests on evidence: add some first", field="evidence")
        found = result is not FindingResult.NOT_SUBSTANTIATED
        if found and nature is FindingNature.NONE:
            raise ValidationFailed(
                "a substantiated finding is a flaw (执法瑕疵) or a fault (执法过错)", field="nature"
            )
        if not found and nature is not FindingNature.NONE:
            raise ValidationFailed(
                "a finding that is not substantiated has nature NONE", field="nature"
            )
        finding = Finding(
            result=result,
            nature=nature,
            summary=_text(summary, field="summary"),
            recorded_at=at,
        )

        def apply() -> None:
            self.status = target
            self.finding = finding

        self._change("finding_recorded", at=at, mutate=apply)

    # -- case-quality evaluation -------------------------------------------------------------

    def record_evaluation(
        self,
        *,
        scores: tuple[CriterionScore, ...],
        rating: Rating,
        note: str | None,
        at: datetime,
    ) -> None:
        target = self._require("record evaluation")
        if not scores:
            raise ValidationFailed("score at least one criterion", field="scores")
        clean: list[CriterionScore] = []
        for item in scores:
            code = _text(item.criterion, field="criterionCode", limit=MAX_CRITERION)
            if not (item.max > 0 and 0 <= item.score <= item.max):
                raise ValidationFailed(
                    f"criterion {code}: the score must lie between 0 and a positive maximum",
                    field="scores",
                )
            clean.append(CriterionScore(criterion=code, score=item.score, max=item.max))
        codes = [s.criterion for s in clean]
        if len(set(codes)) != len(codes):
            raise ValidationFailed("each criterion is scored once", field="scores")
        evaluation = Evaluation(
            scores=tuple(clean),
            rating=rating,
            note=_optional_text(note, field="note"),
            evaluated_at=at,
        )

        def apply() -> None:
            self.status = target
            self.evaluation = evaluation

        self._change("evaluation_recorded", at=at, mutate=apply)

    # -- rectification (整改) ----------------------------------------------------------------

    def add_rectification(
        self,
        *,
        owner_unit: str,
        verifying_unit: str | None,
        requirement: str,
        due_date: date | None,
        watch_days: int | None,
        clocks: ReviewClocks,
        at: datetime,
    ) -> Rectification:
        self._require("add rectification")
        if verifying_unit == owner_unit:
            raise ValidationFailed(
                "a different unit verifies a rectification, not its owner",
                field="verifyingUnitCode",
            )
        if watch_days is not None and not 0 < watch_days <= MAX_WATCH_DAYS:
            raise ValidationFailed(
                f"watchDays must be between 1 and {MAX_WATCH_DAYS}", field="watchDays"
            )
        if due_date is not None:
            deadline = clocks.due_on(due_date, started_at=at, field="dueDate")
        else:
            found = clocks.due(RECTIFICATION, kind=self.kind.value, started_at=at)
            if found is None:
                raise ValidationFailed(
                    "no clock rule times rectifications here: give dueDate", field="dueDate"
                )
            deadline = found
        item = Rectification(
            no=len(self.rectifications) + 1,
            owner_unit=owner_unit,
            verifying_unit=verifying_unit,
            requirement=_text(requirement, field="requirement"),
            deadline=deadline,
            watch_days=watch_days,
            added_at=at,
        )

        def apply() -> None:
            self.rectifications = (*self.rectifications, item)

        self._change("rectification_added", at=at, mutate=apply)
        return item

    def report_rectification_done(self, *, no: int, note: str, at: datetime) -> None:
        command = "report rectification done"
        self._require(command)
        item = self.rectification(no)
        status = self._rectification_target(item, command)
        text = _text(note, field="note")
        self._replace_rectification(
            "rectification_done_reported",
            replace(item, status=status, done_note=text, done_reported_at=at),
            at=at,
        )

    def close_off_rectification(
        self,
        *,
        no: int,
        by_unit: str | None,
        comment: str | None,
        clocks: ReviewClocks,
        at: datetime,
    ) -> None:
        """销号: by a unit other than the owner; a watch period, if set, starts now."""
        command = "close off rectification"
        self._require(command)
        item = self.rectification(no)
        status = self._rectification_target(item, command)
        self._different_unit(item, by_unit, "close off")
        watch = clocks.watch_period(item.watch_days, started_at=at) if item.watch_days else None
        self._replace_rectification(
            "rectification_closed_off",
            replace(
                item,
                status=status,
                closed_off_at=at,
                closed_off_by_unit=by_unit,
                comment=_optional_text(comment, field="comment"),
                watch=watch,
            ),
            at=at,
        )

    def return_rectification(
        self, *, no: int, by_unit: str | None, comment: str, at: datetime
    ) -> None:
        command = "return rectification"
        self._require(command)
        item = self.rectification(no)
        status = self._rectification_target(item, command)
        self._different_unit(item, by_unit, "return")
        why = _text(comment, field="comment", limit=MAX_NOTE)
        self._replace_rectification(
            "rectification_returned",
            replace(item, status=status, comment=why, returned_at=at),
            at=at,
            reason=why,
        )

    def report_rectification_recurrence(
        self,
        *,
        no: int,
        note: str,
        due_date: date | None,
        clocks: ReviewClocks,
        at: datetime,
    ) -> None:
        """反弹: within the watch period after closing off, the item reopens with a new deadline."""
        command = "report rectification recurrence"
        self._require(command)
        item = self.rectification(no)
        status = self._rectification_target(item, command)
        if item.watch is None or item.watch.due_at is None:
            raise ValidationFailed(
                f"rectification {no} has no watch period: order a new rectification instead",
                field="rectificationNo",
            )
        if at >= item.watch.due_at:
            raise ValidationFailed(
                f"the watch period of rectification {no} ended at "
                f"{item.watch.due_at.isoformat()}: order a new rectification instead",
                field="rectificationNo",
            )
        why = _text(note, field="note", limit=MAX_NOTE)
        if due_date is not None:
            deadline = clocks.due_on(due_date, started_at=at, field="dueDate")
        else:
            found = clocks.due(RECTIFICATION, kind=self.kind.value, started_at=at)
            if found is None:
                raise ValidationFailed(
                    "no clock rule times rectifications here: give dueDate", field="dueDate"
                )
            deadline = found
        self._replace_rectification(
            "rectification_recurred",
            replace(
                item,
                status=status,
                deadline=deadline,
                done_note=None,
                done_reported_at=None,
                closed_off_at=None,
                closed_off_by_unit=None,
                comment=None,
                watch=None,
                recurrences=item.recurrences + 1,
                recurrence_note=why,
            ),
            at=at,
            reason=why,
        )

    def _rectification_target(self, item: Rectification, command: str) -> RectificationStatus:
        allowed = RECTIFICATION_TRANSITIONS[item.status]
        target = allowed.get(command)
        if target is None:
            raise InvalidTransition(
                current=item.status, attempted=f"{command} {item.no}", allowed=allowed.values()
            )
        return target

    @staticmethod
    def _different_unit(item: Rectification, by_unit: str | None, verb: str) -> None:
        if by_unit is not None and by_unit == item.owner_unit:
            raise Forbidden(
                f"unit {by_unit} owns rectification {item.no} and may not {verb} its own work; "
                "a different unit verifies it"
            )

    def _replace_rectification(
        self, event: str, item: Rectification, *, at: datetime, reason: str | None = None
    ) -> None:
        def apply() -> None:
            self.rectifications = tuple(item if r.no == item.no else r for r in self.rectifications)

        self._change(event, at=at, mutate=apply, reason=reason, data={"rectificationNo": item.no})

    # -- the sign-off chain (五级审核) -------------------------------------------------------

    def start_signoff(self, *, holders: Mapping[int, str], at: datetime) -> None:
        target = self._require("start sign-off")
        expected = {t.step_no for t in self.plan}
        if set(holders) != expected:
            numbers = ", ".join(str(n) for n in sorted(expected))
            raise ValidationFailed(
                f"give exactly one holder for each step ({numbers})", field="holders"
            )
        codes = [holders[n].strip() for n in sorted(expected)]
        if not all(codes):
            raise ValidationFailed("every step needs an officer code", field="holders")
        if len(set(codes)) != len(codes):
            raise ValidationFailed("one officer may hold only one step", field="holders")
        round_no = self.signoff_round + 1
        steps = tuple(
            SignoffStep(
                round=round_no,
                step_no=t.step_no,
                role_tag=t.role_tag,
                label=t.label,
                responsibility=t.responsibility,
                holder=holders[t.step_no].strip(),
            )
            for t in self.plan
        )

        def apply() -> None:
            self.status = target
            self.signoff_round = round_no
            self.signoff_step = self.plan[0].step_no
            self.steps = (*self.steps, *steps)

        self._change("signoff_started", at=at, mutate=apply, data={"round": round_no})

    def sign_step(
        self,
        *,
        step_no: int,
        approve: bool,
        comment: str | None,
        signer: str | None,
        at: datetime,
    ) -> SignoffStep:
        """Approve or return the current step; only its holder (an officer code) may sign."""
        last = bool(self.plan) and self.signoff_step == self.plan[-1].step_no
        command = "return step" if not approve else "approve last step" if last else "approve step"
        target = self._require(command)
        current = self.current_step()
        assert current is not None  # IN_SIGNOFF always has a current step
        if step_no != current.step_no:
            raise ValidationFailed(
                f"steps are signed in order: step {current.step_no} ({current.label}) is next",
                field="stepNo",
            )
        if signer is None or signer != current.holder:
            raise Forbidden(
                f"only the holder of step {current.step_no} ({current.label}) may sign it"
            )
        text = _optional_text(comment, field="comment")
        if not approve and text is None:
            raise ValidationFailed("a return needs a comment saying why", field="comment")
        decision = StepDecision.APPROVED if approve else StepDecision.RETURNED
        signed = replace(current, decision=decision, comment=text, signed_at=at)
        fresh: tuple[SignoffStep, ...] = ()
        if not approve:
            fresh = tuple(
                replace(
                    s,
                    round=s.round + 1,
                    decision=StepDecision.PENDING,
                    comment=None,
                    signed_at=None,
                )
                for s in self.current_steps()
            )

        def settle(step: SignoffStep) -> SignoffStep:
            if step.round != current.round:
                return step
            if step.step_no == current.step_no:
                return signed
            if not approve and step.step_no > current.step_no:
                return replace(step, decision=StepDecision.NOT_REACHED)
            return step

        def apply() -> None:
            self.status = target
            self.steps = (*(settle(s) for s in self.steps), *fresh)
            if not approve:
                self.signoff_round += 1
                self.signoff_step = self.plan[0].step_no
            elif last:
                self.signoff_step = None
                self.signed_off_at = at
            else:
                position = [t.step_no for t in self.plan].index(current.step_no)
                self.signoff_step = self.plan[position + 1].step_no

        event = "step_returned" if not approve else "signed_off" if last else "step_approved"
        self._change(
            event,
            at=at,
            mutate=apply,
            reason=text if not approve else None,
            data={
                "round": current.round,
                "stepNo": current.step_no,
                "roleTag": current.role_tag,
                "holder": current.holder,
            },
        )
        return signed

    # -- supervision recommendations (执法监督建议书) -----------------------------------------

    def issue_recommendation(
        self, *, unit: str, content: str, clocks: ReviewClocks, at: datetime
    ) -> Recommendation:
        self._require("issue recommendation")
        letter = Recommendation(
            no=len(self.recommendations) + 1,
            unit=unit,
            content=_text(content, field="content"),
            issued_at=at,
            deadline=clocks.due(RECOMMENDATION_RESPONSE, kind=self.kind.value, started_at=at),
        )

        def apply() -> None:
            self.recommendations = (*self.recommendations, letter)

        self._change(
            "recommendation_issued", at=at, mutate=apply, data={"recommendationNo": letter.no}
        )
        return letter

    def record_recommendation_response(self, *, no: int, response: str, at: datetime) -> None:
        command = "record recommendation response"
        self._require(command)
        letter = self.recommendation(no)
        if letter.status is not RecommendationStatus.ISSUED:
            raise InvalidTransition(current=letter.status, attempted=f"{command} {no}", allowed=())
        answered = replace(
            letter,
            status=RecommendationStatus.RESPONDED,
            response=_text(response, field="response"),
            responded_at=at,
        )

        def apply() -> None:
            self.recommendations = tuple(
                answered if r.no == no else r for r in self.recommendations
            )

        self._change("recommendation_responded", at=at, mutate=apply, data={"recommendationNo": no})

    # -- closing -----------------------------------------------------------------------------

    def close(self, *, at: datetime) -> None:
        """Closed only when nothing is left to follow: every item closed off and past its watch."""
        target = self._require("close")
        pending = [r.no for r in self.rectifications if r.status is not R.CLOSED_OFF]
        if pending:
            listed = ", ".join(str(n) for n in pending)
            raise ValidationFailed(
                f"rectifications {listed} are not closed off (销号)", field="rectifications"
            )
        watched = sorted(
            (r.watch.due_at, r.no)
            for r in self.rectifications
            if r.watch is not None and r.watch.due_at is not None and r.watch.due_at > at
        )
        if watched:
            until, no = watched[0]
            raise ValidationFailed(
                f"rectification {no} is under watch until {until.isoformat()}; "
                "a recurrence would reopen it",
                field="rectifications",
            )
        unanswered = [r.no for r in self.recommendations if r.status is RecommendationStatus.ISSUED]
        if unanswered:
            listed = ", ".join(str(n) for n in unanswered)
            raise ValidationFailed(
                f"recommendations {listed} have no response yet", field="recommendations"
            )

        def apply() -> None:
            self.status = target
            self.closed_at = at

        self._change("closed", at=at, mutate=apply)

    def _require(self, command: str) -> ReviewStatus:
        available = self.available()
        target = available.get(command)
        if target is None:
            raise InvalidTransition(
                current=self.status, attempted=command, allowed=set(available.values())
            )
        return target


__all__ = [
    "CriterionScore",
    "Evaluation",
    "Evidence",
    "Finding",
    "Origin",
    "Recommendation",
    "Rectification",
    "Review",
    "SignoffStep",
    "StepTemplate",
]
