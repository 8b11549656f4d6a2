"""Petition (信访事项): registered → accepted → handled → answered → reviewed → re-examined → closed.

Side exits: not accepted (不予受理), and a routing objection (退回) that the common superior decides.
Backlog work (积案化解) is recorded without moving the state: a backlog case is often procedurally
ended and still unresolved (终而不结).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar
from uuid import UUID
from zoneinfo import ZoneInfo

from domain.aggregate import Aggregate
from domain.deadlines import Deadline, RunningClock
from domain.errors import Forbidden, InvalidTransition, ValidationFailed
from domain.petition.clocks import (
    BACKLOG,
    HANDLING,
    KINDS,
    NOTICE,
    OBJECTION,
    RE_EXAMINATION,
    RE_EXAMINATION_REQUEST,
    REGISTER,
    REVIEW,
    REVIEW_REQUEST,
    WINDOWS,
    PetitionClocks,
)
from domain.petition.errors import AlreadyReExamined
from domain.petition.policy import PetitionCommand
from domain.petition.status import (
    ALLOWED,
    TRANSITIONS,
    UNANSWERED,
    BacklogCause,
    Finding,
    JudicialAidStatus,
    Outcome,
    PetitionStatus,
    RoutingDecision,
    SupervisionLevel,
)

S = PetitionStatus
C = PetitionCommand

MAX_SUBJECT = 200
MAX_TEXT = 20_000
MAX_REASON = 2_000
MAX_NAME = 200
MAX_PARTICIPANTS = 50
# GraphQL Int is 32-bit; larger recordings are kept elsewhere and referenced in a note.
MAX_ATTACHMENT_SIZE = 2**31 - 1
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_MEDIA_TYPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$")
ART_36 = "信访工作条例 art. 36"
# What the handling body must do to meet each of its clocks; the windows (WINDOWS) are rights.
_DUTIES = {
    REGISTER: "register and forward the petition",
    NOTICE: "notify the petitioner in writing whether the petition is accepted",
    HANDLING: "handle and answer the petition",
    BACKLOG: "answer the petition before it becomes a backlog case (积案)",
    REVIEW: "decide the review (复查)",
    RE_EXAMINATION: "decide the re-examination (复核)",
}


@dataclass(frozen=True, slots=True)
class Dispatch:
    """A weekly dispatch meeting on the case (每周调度)."""

    seq: int
    held_on: date
    notes: str


@dataclass(frozen=True, slots=True)
class Interview:
    """An interview with the petitioner (约谈); participants are officials, not the petitioner."""

    seq: int
    held_on: date
    participants: tuple[str, ...]
    notes: str


@dataclass(frozen=True, slots=True)
class Attachment:
    """A document of the case file (案卷): metadata and hash only, never the bytes."""

    seq: int
    name: str
    media_type: str
    size: int
    sha256: str
    added_by: str
    added_at: datetime


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value else None


def _text(value: str, *, field: str, limit: int = MAX_TEXT) -> str:
    clean = value.strip()
    if not clean:
        raise ValidationFailed(f"{field} must not be empty", field=field)
    if len(clean) > limit:
        raise ValidationFailed(f"{field} must be at most {limit} characters", field=field)
    return clean


def _optional_text(value: str | None, *, field: str, limit: int = MAX_TEXT) -> str | None:
    if value is None or not value.strip():
        return None
    return _text(value, field=field, limit=limit)


def _not_after_today(day: date, *, at: datetime, tz: ZoneInfo, field: str) -> date:
    today = at.astimezone(tz).date()
    if day > today:
        raise ValidationFailed(
            f"{field} must not be after today ({today.isoformat()})", field=field
        )
    return day


def _local(moment: datetime, tz: ZoneInfo | None = None) -> str:
    shown = moment.astimezone(tz) if tz else moment
    return shown.isoformat(timespec="minutes")


class Petition(Aggregate):
    aggregate_type: ClassVar[str] = "petition"

    def __init__(
        self,
        *,
        id: str,
        version: int,
        received_at: datetime,
        registered_at: datetime,
        subject: str,
        content: str,
        petitioner_id: UUID,
        correlation: UUID,
        handling_unit: str,
        supervision_level: SupervisionLevel = SupervisionLevel.CITY,
        complained_units: tuple[str, ...] = (),
        complained_officers: tuple[str, ...] = (),
        origin_complaint: str | None = None,
        same_matter_as: str | None = None,
        status: PetitionStatus = S.REGISTERED,
        forwarded_at: datetime | None = None,
        accepted_at: datetime | None = None,
        refused_at: datetime | None = None,
        refusal_reason: str | None = None,
        objected_at: datetime | None = None,
        objection_reason: str | None = None,
        objecting_unit: str | None = None,
        routing_decided_at: datetime | None = None,
        routing_decision: RoutingDecision | None = None,
        routing_superior_unit: str | None = None,
        routing_reason: str | None = None,
        handling_started_at: datetime | None = None,
        extension_days: int | None = None,
        extension_reason: str | None = None,
        extended_at: datetime | None = None,
        answered_at: datetime | None = None,
        answer_finding: Finding | None = None,
        answer_text: str | None = None,
        review_requested_at: datetime | None = None,
        review_request_reason: str | None = None,
        reviewed_at: datetime | None = None,
        review_finding: Finding | None = None,
        review_text: str | None = None,
        re_examination_requested_at: datetime | None = None,
        re_examination_request_reason: str | None = None,
        re_examined_at: datetime | None = None,
        re_examination_finding: Finding | None = None,
        re_examination_text: str | None = None,
        closed_at: datetime | None = None,
        backlog_since: datetime | None = None,
        backlog_cause: BacklogCause | None = None,
        backlog_reason: str | None = None,
        repeat_count: int = 0,
        leader_officer: str | None = None,
        leader_deadline: date | None = None,
        leader_assigned_at: datetime | None = None,
        dispatch_count: int = 0,
        interview_count: int = 0,
        attachment_count: int = 0,
        lawyer_name: str | None = None,
        lawyer_firm: str | None = None,
        lawyer_recorded_at: datetime | None = None,
        legal_aid_centre: str | None = None,
        legal_aid_note: str | None = None,
        legal_aid_referred_at: datetime | None = None,
        judicial_aid_status: JudicialAidStatus | None = None,
        judicial_aid_amount: int | None = None,
        judicial_aid_note: str | None = None,
        judicial_aid_applied_at: datetime | None = None,
        judicial_aid_decided_at: datetime | None = None,
        outcome: Outcome | None = None,
        outcome_note: str | None = None,
        outcome_at: datetime | None = None,
        deadlines: dict[str, Deadline] | None = None,
    ) -> None:
        super().__init__(id=id, version=version)
        self.received_at = received_at
        self.registered_at = registered_at
        self.subject = subject
        self.content = content
        self.petitioner_id = petitioner_id
        self.correlation = correlation
        self.handling_unit = handling_unit
        self.supervision_level = supervision_level
        self.complained_units = complained_units
        self.complained_officers = complained_officers
        self.origin_complaint = origin_complaint
        self.same_matter_as = same_matter_as
        self.status = status
        self.forwarded_at = forwarded_at or registered_at
        self.accepted_at = accepted_at
        self.refused_at = refused_at
        self.refusal_reason = refusal_reason
        self.objected_at = objected_at
        self.objection_reason = objection_reason
        self.objecting_unit = objecting_unit
        self.routing_decided_at = routing_decided_at
        self.routing_decision = routing_decision
        self.routing_superior_unit = routing_superior_unit
        self.routing_reason = routing_reason
        self.handling_started_at = handling_started_at
        self.extension_days = extension_days
        self.extension_reason = extension_reason
        self.extended_at = extended_at
        self.answered_at = answered_at
        self.answer_finding = answer_finding
        self.answer_text = answer_text
        self.review_requested_at = review_requested_at
        self.review_request_reason = review_request_reason
        self.reviewed_at = reviewed_at
        self.review_finding = review_finding
        self.review_text = review_text
        self.re_examination_requested_at = re_examination_requested_at
        self.re_examination_request_reason = re_examination_request_reason
        self.re_examined_at = re_examined_at
        self.re_examination_finding = re_examination_finding
        self.re_examination_text = re_examination_text
        self.closed_at = closed_at
        self.backlog_since = backlog_since
        self.backlog_cause = backlog_cause
        self.backlog_reason = backlog_reason
        self.repeat_count = repeat_count
        self.leader_officer = leader_officer
        self.leader_deadline = leader_deadline
        self.leader_assigned_at = leader_assigned_at
        self.dispatch_count = dispatch_count
        self.interview_count = interview_count
        self.attachment_count = attachment_count
        self.lawyer_name = lawyer_name
        self.lawyer_firm = lawyer_firm
        self.lawyer_recorded_at = lawyer_recorded_at
        self.legal_aid_centre = legal_aid_centre
        self.legal_aid_note = legal_aid_note
        self.legal_aid_referred_at = legal_aid_referred_at
        self.judicial_aid_status = judicial_aid_status
        self.judicial_aid_amount = judicial_aid_amount
        self.judicial_aid_note = judicial_aid_note
        self.judicial_aid_applied_at = judicial_aid_applied_at
        self.judicial_aid_decided_at = judicial_aid_decided_at
        self.outcome = outcome
        self.outcome_note = outcome_note
        self.outcome_at = outcome_at
        self.deadlines: dict[str, Deadline] = dict(deadlines or {})
        # Child records added since loading; the repository inserts them with the row.
        self.new_dispatches: list[Dispatch] = []
        self.new_interviews: list[Interview] = []
        self.new_attachments: list[Attachment] = []

    # -- reading -----------------------------------------------------------------------------

    @property
    def owner_unit(self) -> str | None:
        return self.handling_unit

    @property
    def correlation_id(self) -> UUID:
        return self.correlation

    def is_backlog(self, now: datetime) -> bool:
        """积案: marked, or handling ran past 60 + 30 日 unanswered (seen before it is stored)."""
        return self.backlog_since is not None or self._handling_overdue_since(now) is not None

    def _handling_overdue_since(self, now: datetime) -> datetime | None:
        threshold = self.deadlines.get(BACKLOG)
        if self.status not in UNANSWERED or threshold is None or threshold.due_at is None:
            return None
        return threshold.due_at if now >= threshold.due_at else None

    def running_clocks(self) -> list[RunningClock]:
        """The handling body's clocks not yet met, in the order of the procedure.

        Not the windows: the petitioner's time to request review or re-examination, nor the
        receiving unit's time to object to the routing (a right; passing it is no breach).
        """
        clocks = []
        for kind in KINDS:
            deadline = self.deadlines.get(kind)
            if kind in WINDOWS or deadline is None or deadline.due_at is None:
                continue
            if self._duty_done(kind):
                continue
            clocks.append(
                RunningClock(
                    key=kind, deadline=deadline, unit_code=self.handling_unit, name=_DUTIES[kind]
                )
            )
        return clocks

    def _duty_done(self, kind: str) -> bool:
        """Met, or not owed now; as the API's deadlines read it (`_deadline_satisfied`)."""
        if kind == REGISTER:
            return True  # registration names the handling unit, so it forwards at once
        if kind == NOTICE:
            # An objection interrupts the notice clock; the superior's decision starts a new one.
            met = self.accepted_at or self.refused_at
            return met is not None or self.status is S.RETURNED
        if kind in (HANDLING, BACKLOG):
            return self.answered_at is not None
        if kind == REVIEW:
            return self.reviewed_at is not None
        if kind == RE_EXAMINATION:
            return self.re_examined_at is not None
        raise AssertionError(f"no duty meets petition clock {kind}")

    def snapshot(self) -> dict[str, Any]:
        due = {
            f"{_camel(kind)}DueAt": _iso(self.deadlines[kind].due_at)
            for kind in KINDS
            if kind in self.deadlines
        }
        return {
            "status": self.status.value,
            "receivedAt": _iso(self.received_at),
            "subject": self.subject,
            "content": self.content,
            "supervisionLevel": self.supervision_level.value,
            "handlingUnit": self.handling_unit,
            "complainedUnits": list(self.complained_units),
            "complainedOfficers": list(self.complained_officers),
            "originComplaint": self.origin_complaint,
            "sameMatterAs": self.same_matter_as,
            "forwardedAt": _iso(self.forwarded_at),
            "acceptedAt": _iso(self.accepted_at),
            "refusedAt": _iso(self.refused_at),
            "refusalReason": self.refusal_reason,
            "objectedAt": _iso(self.objected_at),
            "objectionReason": self.objection_reason,
            "objectingUnit": self.objecting_unit,
            "routingDecidedAt": _iso(self.routing_decided_at),
            "routingDecision": self.routing_decision.value if self.routing_decision else None,
            "routingSuperiorUnit": self.routing_superior_unit,
            "routingReason": self.routing_reason,
            "handlingStartedAt": _iso(self.handling_started_at),
            "extensionDays": self.extension_days,
            "extensionReason": self.extension_reason,
            "extendedAt": _iso(self.extended_at),
            "answeredAt": _iso(self.answered_at),
            "answerFinding": self.answer_finding.value if self.answer_finding else None,
            "answerText": self.answer_text,
            "reviewRequestedAt": _iso(self.review_requested_at),
            "reviewRequestReason": self.review_request_reason,
            "reviewedAt": _iso(self.reviewed_at),
            "reviewFinding": self.review_finding.value if self.review_finding else None,
            "reviewText": self.review_text,
            "reExaminationRequestedAt": _iso(self.re_examination_requested_at),
            "reExaminationRequestReason": self.re_examination_request_reason,
            "reExaminedAt": _iso(self.re_examined_at),
            "reExaminationFinding": (
                self.re_examination_finding.value if self.re_examination_finding else None
            ),
            "reExaminationText": self.re_examination_text,
            "closedAt": _iso(self.closed_at),
            "backlogSince": _iso(self.backlog_since),
            "backlogCause": self.backlog_cause.value if self.backlog_cause else None,
            "backlogReason": self.backlog_reason,
            "repeatCount": self.repeat_count,
            "leaderOfficer": self.leader_officer,
            "leaderDeadline": _iso(self.leader_deadline),
            "leaderAssignedAt": _iso(self.leader_assigned_at),
            "dispatchCount": self.dispatch_count,
            "interviewCount": self.interview_count,
            "attachmentCount": self.attachment_count,
            "lawyerName": self.lawyer_name,
            "lawyerFirm": self.lawyer_firm,
            "legalAidCentre": self.legal_aid_centre,
            "legalAidNote": self.legal_aid_note,
            "legalAidReferredAt": _iso(self.legal_aid_referred_at),
            "judicialAidStatus": (
                self.judicial_aid_status.value if self.judicial_aid_status else None
            ),
            "judicialAidAmount": self.judicial_aid_amount,
            "judicialAidNote": self.judicial_aid_note,
            "judicialAidAppliedAt": _iso(self.judicial_aid_applied_at),
            "judicialAidDecidedAt": _iso(self.judicial_aid_decided_at),
            "outcome": self.outcome.value if self.outcome else None,
            "outcomeNote": self.outcome_note,
            "outcomeAt": _iso(self.outcome_at),
            **due,
        }

    # -- registration ------------------------------------------------------------------------

    @classmethod
    def register(
        cls,
        *,
        id: str,
        received_at: datetime,
        registered_at: datetime,
        subject: str,
        content: str,
        petitioner_id: UUID,
        petitioner_commitments: dict[str, str | None],
        correlation: UUID,
        handling_unit: str,
        supervision_level: SupervisionLevel,
        clocks: PetitionClocks,
        complained_units: tuple[str, ...] = (),
        complained_officers: tuple[str, ...] = (),
        origin_complaint: str | None = None,
        same_matter_as: str | None = None,
    ) -> Petition:
        """Register and forward (登记并转送): the handling unit is named at registration."""
        if received_at > registered_at:
            raise ValidationFailed("receivedAt must not be in the future", field="receivedAt")
        if handling_unit in complained_units:
            # 信访工作条例 art. 30: never forward an item to the unit it is about.
            raise ValidationFailed(
                f"unit {handling_unit} is complained about and cannot handle this petition",
                field="handlingUnitCode",
            )
        petition = cls(
            id=id,
            version=0,
            received_at=received_at,
            registered_at=registered_at,
            subject=_text(subject, field="subject", limit=MAX_SUBJECT),
            content=_text(content, field="content"),
            petitioner_id=petitioner_id,
            correlation=correlation,
            handling_unit=handling_unit,
            supervision_level=supervision_level,
            complained_units=tuple(dict.fromkeys(complained_units)),
            complained_officers=tuple(dict.fromkeys(complained_officers)),
            origin_complaint=origin_complaint,
            same_matter_as=same_matter_as,
        )
        started = {
            REGISTER: clocks.due(REGISTER, started_at=received_at),
            NOTICE: clocks.due(NOTICE, started_at=registered_at),
            OBJECTION: clocks.due(OBJECTION, started_at=registered_at),
        }

        def start() -> None:
            petition.deadlines.update({k: d for k, d in started.items() if d is not None})

        data: dict[str, Any] = {
            "petitioner": {"ref": str(petitioner_id), "commitments": petitioner_commitments}
        }
        if origin_complaint:
            data["originComplaintId"] = origin_complaint
        if same_matter_as:
            data["sameMatterAs"] = same_matter_as
        petition._change("registered", at=registered_at, mutate=start, data=data)
        return petition

    # -- acceptance and routing (art. 22–24) ---------------------------------------------------

    def accept(self, *, at: datetime, clocks: PetitionClocks) -> None:
        self._require(S.ACCEPTED, C.ACCEPT)
        handling = clocks.due(HANDLING, started_at=at)
        backlog = clocks.due(BACKLOG, started_at=at)

        def apply() -> None:
            self.status = S.ACCEPTED
            self.accepted_at = at
            if handling:
                self.deadlines[HANDLING] = handling
            if backlog:
                self.deadlines[BACKLOG] = backlog

        self._act("accepted", at=at, mutate=apply)

    def refuse(self, *, reason: str, at: datetime) -> None:
        self._require(S.NOT_ACCEPTED, C.REFUSE)
        why = _text(reason, field="reason", limit=MAX_REASON)

        def apply() -> None:
            self.status = S.NOT_ACCEPTED
            self.refused_at = at
            self.refusal_reason = why

        self._act("refused", at=at, mutate=apply, reason=why)

    def object_to_routing(self, *, reason: str, at: datetime) -> None:
        """退回: the receiving unit says the item is not its to handle, within 5 工作日."""
        self._require(S.RETURNED, C.OBJECT_TO_ROUTING)
        if self.routing_decided_at is not None:
            raise ValidationFailed(
                "the common superior has already decided this petition's routing; "
                "it cannot be objected to again (信访工作条例 art. 24)",
                field="reason",
            )
        window = self.deadlines.get(OBJECTION)
        if window is not None and window.due_at is not None and at >= window.due_at:
            raise ValidationFailed(
                f"the objection period ended at {_local(window.due_at)} ({window.basis}); "
                "the receiving unit must handle the petition",
                field="reason",
            )
        why = _text(reason, field="reason", limit=MAX_REASON)

        def apply() -> None:
            self.status = S.RETURNED
            self.objected_at = at
            self.objection_reason = why
            self.objecting_unit = self.handling_unit

        self._act("routing_objected", at=at, mutate=apply, reason=why)

    def decide_routing(
        self,
        *,
        decision: RoutingDecision,
        superior_unit: str,
        unit: str | None,
        reason: str,
        at: datetime,
        clocks: PetitionClocks,
    ) -> None:
        """The common superior decides the dispute (art. 24); the item is forwarded again."""
        self._require(S.REGISTERED, C.DECIDE_ROUTING)
        why = _text(reason, field="reason", limit=MAX_REASON)
        if decision is RoutingDecision.REASSIGNED:
            if unit is None:
                raise ValidationFailed("a reassignment names the new unit", field="unitCode")
            if unit == self.handling_unit:
                raise ValidationFailed(
                    f"the petition is already with {unit}; uphold the routing instead",
                    field="unitCode",
                )
            if unit in self.complained_units:
                raise ValidationFailed(
                    f"unit {unit} is complained about and cannot handle this petition",
                    field="unitCode",
                )
        elif unit is not None and unit != self.handling_unit:
            raise ValidationFailed(
                "upholding the routing keeps the unit; name no other unit", field="unitCode"
            )
        target = unit if decision is RoutingDecision.REASSIGNED and unit else self.handling_unit
        notice = clocks.due(NOTICE, started_at=at)

        def apply() -> None:
            self.status = S.REGISTERED
            self.routing_decided_at = at
            self.routing_decision = decision
            self.routing_superior_unit = superior_unit
            self.routing_reason = why
            self.handling_unit = target
            self.forwarded_at = at
            if notice:
                self.deadlines[NOTICE] = notice

        self._act("routing_decided", at=at, mutate=apply, reason=why)

    # -- handling (art. 32, 34) ----------------------------------------------------------------

    def start_handling(self, *, at: datetime) -> None:
        self._require(S.HANDLING, C.START_HANDLING)

        def apply() -> None:
            self.status = S.HANDLING
            self.handling_started_at = at

        self._act("handling_started", at=at, mutate=apply)

    def extend_handling(
        self, *, days: int, reason: str, approver_role: str, at: datetime, clocks: PetitionClocks
    ) -> None:
        """Once, by at most the rule's maximum, approved by the rule's approver (art. 34)."""
        self._require(self.status, C.EXTEND_HANDLING)
        if self.extension_days is not None:
            raise ValidationFailed(
                f"handling was already extended once by {self.extension_days} days; "
                "信访工作条例 art. 34 allows one extension",
                field="days",
            )
        rule = clocks.rule(HANDLING)
        current = self.deadlines.get(HANDLING)
        if rule is None or current is None or self.accepted_at is None:
            raise ValidationFailed("this petition has no handling clock to extend", field="days")
        if rule.extension_approver and approver_role != rule.extension_approver:
            raise Forbidden(
                f"an extension of rule {rule.code} must be approved by {rule.extension_approver}"
            )
        if not 1 <= days <= rule.max_extension:
            raise ValidationFailed(
                f"an extension is 1 to {rule.max_extension} days ({rule.basis})", field="days"
            )
        if current.due_at is not None and at >= current.due_at:
            raise ValidationFailed(
                f"the handling period ended at {_local(current.due_at)}; "
                "it can no longer be extended",
                field="days",
            )
        why = _text(reason, field="reason", limit=MAX_REASON)
        extended = clocks.due(HANDLING, started_at=self.accepted_at, extension=days)

        def apply() -> None:
            self.extension_days = days
            self.extension_reason = why
            self.extended_at = at
            if extended:
                self.deadlines[HANDLING] = extended

        self._act("handling_extended", at=at, mutate=apply, reason=why, data={"days": days})

    def answer(self, *, finding: Finding, text: str, at: datetime, clocks: PetitionClocks) -> None:
        self._require(S.ANSWERED, C.ANSWER)
        body = _text(text, field="text")
        window = clocks.due(REVIEW_REQUEST, started_at=at)

        def apply() -> None:
            self.status = S.ANSWERED
            self.answered_at = at
            self.answer_finding = finding
            self.answer_text = body
            if window:
                self.deadlines[REVIEW_REQUEST] = window

        self._act("answered", at=at, mutate=apply)

    # -- review (复查, art. 35) and re-examination (复核, art. 36) ---------------------------------

    def request_review(self, *, reason: str, at: datetime, clocks: PetitionClocks) -> None:
        self._require(S.REVIEW_REQUESTED, C.REQUEST_REVIEW)
        self._within(REVIEW_REQUEST, at, "request review")
        why = _text(reason, field="reason", limit=MAX_REASON)
        due = clocks.due(REVIEW, started_at=at)

        def apply() -> None:
            self.status = S.REVIEW_REQUESTED
            self.review_requested_at = at
            self.review_request_reason = why
            if due:
                self.deadlines[REVIEW] = due

        self._act("review_requested", at=at, mutate=apply, reason=why)

    def decide_review(
        self, *, finding: Finding, text: str, at: datetime, clocks: PetitionClocks
    ) -> None:
        self._require(S.REVIEWED, C.DECIDE_REVIEW)
        body = _text(text, field="text")
        window = clocks.due(RE_EXAMINATION_REQUEST, started_at=at)

        def apply() -> None:
            self.status = S.REVIEWED
            self.reviewed_at = at
            self.review_finding = finding
            self.review_text = body
            if window:
                self.deadlines[RE_EXAMINATION_REQUEST] = window

        self._act("reviewed", at=at, mutate=apply)

    def request_re_examination(self, *, reason: str, at: datetime, clocks: PetitionClocks) -> None:
        self._require(S.RE_EXAMINATION_REQUESTED, C.REQUEST_RE_EXAMINATION)
        self._within(RE_EXAMINATION_REQUEST, at, "request re-examination")
        why = _text(reason, field="reason", limit=MAX_REASON)
        due = clocks.due(RE_EXAMINATION, started_at=at)

        def apply() -> None:
            self.status = S.RE_EXAMINATION_REQUESTED
            self.re_examination_requested_at = at
            self.re_examination_request_reason = why
            if due:
                self.deadlines[RE_EXAMINATION] = due

        self._act("re_examination_requested", at=at, mutate=apply, reason=why)

    def decide_re_examination(self, *, finding: Finding, text: str, at: datetime) -> None:
        self._require(S.RE_EXAMINED, C.DECIDE_RE_EXAMINATION)
        body = _text(text, field="text")

        def apply() -> None:
            self.status = S.RE_EXAMINED
            self.re_examined_at = at
            self.re_examination_finding = finding
            self.re_examination_text = body

        self._act("re_examined", at=at, mutate=apply)

    def close(self, *, at: datetime) -> None:
        """Closing ends the petitioner's right to the next step, so its window must be over."""
        self._require(S.CLOSED, C.CLOSE)
        open_window = {S.ANSWERED: REVIEW_REQUEST, S.REVIEWED: RE_EXAMINATION_REQUEST}
        kind = open_window.get(self.status)
        window = self.deadlines.get(kind) if kind else None
        if window is not None and window.due_at is not None and at < window.due_at:
            step = "review" if kind == REVIEW_REQUEST else "re-examination"
            raise ValidationFailed(
                f"the petitioner may request {step} until {_local(window.due_at)} "
                f"({window.basis}); close the petition after that",
                field="id",
            )

        def apply() -> None:
            self.status = S.CLOSED
            self.closed_at = at

        self._act("closed", at=at, mutate=apply)

    def record_repeat(self, *, at: datetime) -> AlreadyReExamined:
        """The same matter arrived again after 复核: not accepted; the case becomes backlog."""
        self._require(self.status, C.RECORD_REPEAT)
        if self.re_examined_at is None:
            raise ValidationFailed(
                "only a re-examined petition refuses the same matter", field="sameMatterAs"
            )
        reexamined_at = self.re_examined_at

        def apply() -> None:
            self.repeat_count += 1
            if self.backlog_since is None:
                self.backlog_since = at
                self.backlog_cause = BacklogCause.REPEATED_AFTER_RE_EXAMINATION
                self.backlog_reason = "同一事项复核后仍重复信访"

        self._act("repeat_received", at=at, mutate=apply, data={"basis": ART_36})
        return AlreadyReExamined(petition_id=self.id, re_examined_at=reexamined_at)

    # -- backlog work (积案化解) ---------------------------------------------------------------

    def mark_backlog(self, *, reason: str, at: datetime) -> None:
        self._require(self.status, C.MARK_BACKLOG)
        since = self.backlog_since or self._handling_overdue_since(at)
        if since is not None:
            raise ValidationFailed(
                f"the petition is already a backlog case since {_local(since)}", field="reason"
            )
        why = _text(reason, field="reason", limit=MAX_REASON)

        def apply() -> None:
            self.backlog_since = at
            self.backlog_cause = BacklogCause.DESIGNATED
            self.backlog_reason = why

        self._act("backlog_marked", at=at, mutate=apply, reason=why)

    def assign_leader(self, *, officer: str, deadline: date, at: datetime, tz: ZoneInfo) -> None:
        """包案: a leader in charge, with the date by which the case is to be resolved."""
        self._require(self.status, C.ASSIGN_LEADER)
        today = at.astimezone(tz).date()
        if deadline < today:
            raise ValidationFailed(
                f"the deadline must not be before today ({today.isoformat()})", field="deadline"
            )

        def apply() -> None:
            self.leader_officer = officer
            self.leader_deadline = deadline
            self.leader_assigned_at = at

        self._act("leader_assigned", at=at, mutate=apply)

    def record_dispatch(self, *, held_on: date, notes: str, at: datetime, tz: ZoneInfo) -> None:
        self._require(self.status, C.RECORD_DISPATCH)
        record = Dispatch(
            seq=self.dispatch_count + 1,
            held_on=_not_after_today(held_on, at=at, tz=tz, field="date"),
            notes=_text(notes, field="notes"),
        )

        def apply() -> None:
            self.dispatch_count = record.seq
            self.new_dispatches.append(record)

        self._act(
            "dispatch_recorded",
            at=at,
            mutate=apply,
            data={
                "dispatch": {
                    "seq": record.seq,
                    "date": record.held_on.isoformat(),
                    "notes": record.notes,
                }
            },
        )

    def record_interview(
        self,
        *,
        held_on: date,
        participants: tuple[str, ...],
        notes: str,
        at: datetime,
        tz: ZoneInfo,
    ) -> None:
        self._require(self.status, C.RECORD_INTERVIEW)
        names = tuple(
            dict.fromkeys(_text(p, field="participants", limit=MAX_NAME) for p in participants)
        )
        if not names:
            raise ValidationFailed("an interview names its participants", field="participants")
        if len(names) > MAX_PARTICIPANTS:
            raise ValidationFailed(f"at most {MAX_PARTICIPANTS} participants", field="participants")
        record = Interview(
            seq=self.interview_count + 1,
            held_on=_not_after_today(held_on, at=at, tz=tz, field="date"),
            participants=names,
            notes=_text(notes, field="notes"),
        )

        def apply() -> None:
            self.interview_count = record.seq
            self.new_interviews.append(record)

        self._act(
            "interview_recorded",
            at=at,
            mutate=apply,
            data={
                "interview": {
                    "seq": record.seq,
                    "date": record.held_on.isoformat(),
                    "participants": list(record.participants),
                    "notes": record.notes,
                }
            },
        )

    def record_lawyer(self, *, name: str, firm: str, at: datetime) -> None:
        """律师代理: the lawyer acts for the bureau's resolution work; not citizen data."""
        self._require(self.status, C.RECORD_LAWYER)
        lawyer = _text(name, field="name", limit=MAX_NAME)
        office = _text(firm, field="firm", limit=MAX_NAME)

        def apply() -> None:
            self.lawyer_name = lawyer
            self.lawyer_firm = office
            self.lawyer_recorded_at = at

        self._act("lawyer_recorded", at=at, mutate=apply)

    def refer_to_legal_aid(self, *, centre: str, note: str | None, at: datetime) -> None:
        self._require(self.status, C.REFER_LEGAL_AID)
        where = _text(centre, field="centre", limit=MAX_NAME)
        remark = _optional_text(note, field="note")

        def apply() -> None:
            self.legal_aid_centre = where
            self.legal_aid_note = remark
            self.legal_aid_referred_at = at

        self._act("legal_aid_referred", at=at, mutate=apply)

    def record_judicial_aid(
        self,
        *,
        status: JudicialAidStatus,
        amount: int | None,
        note: str | None,
        at: datetime,
    ) -> None:
        """司法救助: an application, then its result (granted, with an amount, or refused)."""
        self._require(self.status, C.RECORD_JUDICIAL_AID)
        current = self.judicial_aid_status
        if status is JudicialAidStatus.APPLIED:
            if current is JudicialAidStatus.APPLIED or current is JudicialAidStatus.GRANTED:
                raise ValidationFailed(
                    f"judicial aid is already {current.value.lower()}", field="status"
                )
        elif current is not JudicialAidStatus.APPLIED:
            raise ValidationFailed(
                "record the application for judicial aid before its result", field="status"
            )
        if amount is not None and (status is not JudicialAidStatus.GRANTED or amount <= 0):
            raise ValidationFailed(
                "an amount (yuan, positive) goes with a granted application only",
                field="amountYuan",
            )
        remark = _optional_text(note, field="note")

        def apply() -> None:
            self.judicial_aid_status = status
            self.judicial_aid_note = remark
            if status is JudicialAidStatus.APPLIED:
                self.judicial_aid_applied_at = at
                self.judicial_aid_decided_at = None
                self.judicial_aid_amount = None
            else:
                self.judicial_aid_decided_at = at
                self.judicial_aid_amount = amount

        self._act("judicial_aid_recorded", at=at, mutate=apply)

    def record_outcome(self, *, outcome: Outcome, note: str | None, at: datetime) -> None:
        self._require(self.status, C.RECORD_OUTCOME)
        remark = _optional_text(note, field="note")

        def apply() -> None:
            self.outcome = outcome
            self.outcome_note = remark
            self.outcome_at = at

        self._act("outcome_recorded", at=at, mutate=apply)

    def add_attachment(
        self,
        *,
        name: str,
        media_type: str,
        size: int,
        sha256: str,
        added_by: str,
        at: datetime,
    ) -> None:
        self._require(self.status, C.ADD_ATTACHMENT)
        file_name = _text(name, field="name", limit=255)
        kind = media_type.strip().lower()
        if not _MEDIA_TYPE.fullmatch(kind):
            raise ValidationFailed("mediaType must look like type/subtype", field="mediaType")
        if not 0 <= size <= MAX_ATTACHMENT_SIZE:
            raise ValidationFailed(f"size must be 0 to {MAX_ATTACHMENT_SIZE} bytes", field="size")
        digest = sha256.strip().lower()
        if not _SHA256.fullmatch(digest):
            raise ValidationFailed("sha256 must be 64 hexadecimal digits", field="sha256")
        record = Attachment(
            seq=self.attachment_count + 1,
            name=file_name,
            media_type=kind,
            size=size,
            sha256=digest,
            added_by=added_by,
            added_at=at,
        )

        def apply() -> None:
            self.attachment_count = record.seq
            self.new_attachments.append(record)

        self._act(
            "attachment_added",
            at=at,
            mutate=apply,
            data={
                "attachment": {
                    "seq": record.seq,
                    "name": record.name,
                    "mediaType": record.media_type,
                    "size": record.size,
                    "sha256": record.sha256,
                }
            },
        )

    # -- shared --------------------------------------------------------------------------------

    def _act(
        self,
        event_type: str,
        *,
        at: datetime,
        mutate: Callable[[], None],
        reason: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        """One event per command; a backlog threshold passed since the last one is stored with it."""

        def apply() -> None:
            self._catch_up(at)
            mutate()

        self._change(event_type, at=at, mutate=apply, reason=reason, data=data)

    def _catch_up(self, at: datetime) -> None:
        since = self._handling_overdue_since(at)
        if since is not None and self.backlog_since is None:
            self.backlog_since = since
            self.backlog_cause = BacklogCause.HANDLING_OVERDUE
            self.backlog_reason = None

    def _within(self, kind: str, at: datetime, what: str) -> None:
        window = self.deadlines.get(kind)
        if window is not None and window.due_at is not None and at >= window.due_at:
            raise ValidationFailed(
                f"the period to {what} ended at {_local(window.due_at)} ({window.basis})",
                field="reason",
            )

    def _require(self, target: PetitionStatus, command: PetitionCommand) -> None:
        if TRANSITIONS[self.status].get(command.value) is not target:
            raise InvalidTransition(
                current=self.status, attempted=command.value, allowed=ALLOWED[self.status]
            )


def _camel(kind: str) -> str:
    head, *rest = kind.split("_")
    return head + "".join(word.title() for word in rest)
