"""Complaint: registered → triaged → handling → replied → called back → closed (or merged, rejected)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from domain.aggregate import Aggregate
from domain.complaint.clocks import CALLBACK, REPLY, ComplaintClocks
from domain.complaint.status import ALLOWED, TRANSITIONS, ComplaintStatus, Satisfaction
from domain.deadlines import Deadline, RunningClock
from domain.errors import InvalidTransition, ValidationFailed

S = ComplaintStatus

MAX_SUBJECT = 200
MAX_TEXT = 20_000


@dataclass(frozen=True, slots=True)
class ExternalRef:
    system: str
    ticket: str


@dataclass(frozen=True, slots=True)
class CategoryRef:
    code: str
    is_enforcement: bool


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _text(value: str, *, field: str, limit: int = MAX_TEXT) -> str:
    clean = value.strip()
    if not clean:
        raise ValidationFailed(f"{field} must not be empty", field=field)
    if len(clean) > limit:
        raise ValidationFailed(f"{field} must be at most {limit} characters", field=field)
    return clean


class Complaint(Aggregate):
    aggregate_type: ClassVar[str] = "complaint"

    def __init__(
        self,
        *,
        id: str,
        version: int,
        channel: str,
        received_at: datetime,
        subject: str,
        content: str,
        complainant_id: UUID,
        correlation: UUID,
        complained_units: tuple[str, ...] = (),
        complained_officers: tuple[str, ...] = (),
        external_ref: ExternalRef | None = None,
        status: ComplaintStatus = S.RECEIVED,
        category: str | None = None,
        important: bool = False,
        primary_unit: str | None = None,
        line_unit: str | None = None,
        reply_text: str | None = None,
        replied_at: datetime | None = None,
        satisfaction: Satisfaction | None = None,
        callback_note: str | None = None,
        called_back_at: datetime | None = None,
        closed_at: datetime | None = None,
        merged_into: str | None = None,
        rejection_reason: str | None = None,
        reopen_count: int = 0,
        deadlines: dict[str, Deadline] | None = None,
    ) -> None:
        super().__init__(id=id, version=version)
        self.channel = channel
        self.received_at = received_at
        self.subject = subject
        self.content = content
        self.complainant_id = complainant_id
        self.correlation = correlation
        self.complained_units = complained_units
        self.complained_officers = complained_officers
        self.external_ref = external_ref
        self.status = status
        self.category = category
        self.important = important
        self.primary_unit = primary_unit
        self.line_unit = line_unit
        self.reply_text = reply_text
        self.replied_at = replied_at
        self.satisfaction = satisfaction
        self.callback_note = callback_note
        self.called_back_at = called_back_at
        self.closed_at = closed_at
        self.merged_into = merged_into
        self.rejection_reason = rejection_reason
        self.reopen_count = reopen_count
        self.deadlines: dict[str, Deadline] = dict(deadlines or {})

    # -- reading -----------------------------------------------------------------------------

    @property
    def owner_unit(self) -> str | None:
        return self.primary_unit

    @property
    def correlation_id(self) -> UUID:
        return self.correlation

    def running_clocks(self) -> list[RunningClock]:
        """The reply clock until the reply, then the callback clock until the callback.

        The clock runs for the primary handling unit (属地主办, named at triage); the line unit only
        supervises. Before triage no unit holds the complaint: its reply clock runs for the centre
        that routes it (unit None), so an untriaged letter is not forgotten either.
        """
        unit = self.owner_unit
        running: list[tuple[str, str]] = []
        # The same states as the overdue filter (api/complaint/queries.py): not yet done.
        if self.status in {S.RECEIVED, S.TRIAGED, S.HANDLING}:
            running.append((REPLY, "reply to the complainant"))
        elif self.status is S.REPLIED:
            running.append((CALLBACK, "call the complainant back"))
        clocks = []
        for key, name in running:
            deadline = self.deadlines.get(key)
            if deadline is not None and deadline.due_at is not None:
                clocks.append(RunningClock(key=key, deadline=deadline, unit_code=unit, name=name))
        return clocks

    def snapshot(self) -> dict[str, Any]:
        reply_due = self.deadlines.get(REPLY)
        callback_due = self.deadlines.get(CALLBACK)
        return {
            "status": self.status.value,
            "channel": self.channel,
            "receivedAt": _iso(self.received_at),
            "subject": self.subject,
            "content": self.content,
            "complainedUnits": list(self.complained_units),
            "complainedOfficers": list(self.complained_officers),
            "externalRef": (
                {"system": self.external_ref.system, "ticket": self.external_ref.ticket}
                if self.external_ref
                else None
            ),
            "category": self.category,
            "important": self.important,
            "primaryUnit": self.primary_unit,
            "lineUnit": self.line_unit,
            "replyText": self.reply_text,
            "repliedAt": _iso(self.replied_at),
            "satisfaction": self.satisfaction.value if self.satisfaction else None,
            "callbackNote": self.callback_note,
            "calledBackAt": _iso(self.called_back_at),
            "closedAt": _iso(self.closed_at),
            "mergedInto": self.merged_into,
            "rejectionReason": self.rejection_reason,
            "reopenCount": self.reopen_count,
            "replyDueAt": _iso(reply_due.due_at) if reply_due else None,
            "callbackDueAt": _iso(callback_due.due_at) if callback_due else None,
        }

    # -- commands ----------------------------------------------------------------------------

    @classmethod
    def register(
        cls,
        *,
        id: str,
        channel: str,
        received_at: datetime,
        registered_at: datetime,
        subject: str,
        content: str,
        complainant_id: UUID,
        complainant_commitments: dict[str, str | None],
        correlation: UUID,
        clocks: ComplaintClocks,
        complained_units: tuple[str, ...] = (),
        complained_officers: tuple[str, ...] = (),
        external_ref: ExternalRef | None = None,
    ) -> Complaint:
        if received_at > registered_at:
            raise ValidationFailed("receivedAt must not be in the future", field="receivedAt")
        complaint = cls(
            id=id,
            version=0,
            channel=channel,
            received_at=received_at,
            subject=_text(subject, field="subject", limit=MAX_SUBJECT),
            content=_text(content, field="content"),
            complainant_id=complainant_id,
            correlation=correlation,
            complained_units=tuple(dict.fromkeys(complained_units)),
            complained_officers=tuple(dict.fromkeys(complained_officers)),
            external_ref=external_ref,
        )
        reply_due = clocks.due(REPLY, channel=channel, started_at=received_at)

        def start() -> None:
            if reply_due:
                complaint.deadlines[REPLY] = reply_due

        complaint._change(
            "registered",
            at=registered_at,
            mutate=start,
            data={
                "complainant": {"ref": str(complainant_id), "commitments": complainant_commitments}
            },
        )
        return complaint

    def triage(
        self,
        *,
        category: CategoryRef,
        primary_unit: str,
        line_unit: str | None,
        importance: bool | None,
        at: datetime,
    ) -> None:
        self._require(S.TRIAGED, "triage")

        def apply() -> None:
            self.status = S.TRIAGED
            self.category = category.code
            # Enforcement complaints are important letters (重要信件) unless triage says otherwise.
            self.important = category.is_enforcement if importance is None else importance
            self.primary_unit = primary_unit
            self.line_unit = line_unit

        self._change("triaged", at=at, mutate=apply)

    def start_handling(self, *, at: datetime) -> None:
        self._require(S.HANDLING, "start handling")
        self._change("handling_started", at=at, mutate=lambda: setattr(self, "status", S.HANDLING))

    def reply(self, *, text: str, at: datetime, clocks: ComplaintClocks) -> None:
        self._require(S.REPLIED, "reply")
        reply_text = _text(text, field="text")
        callback_due = clocks.due(CALLBACK, channel=self.channel, started_at=at)

        def apply() -> None:
            self.status = S.REPLIED
            self.reply_text = reply_text
            self.replied_at = at
            if callback_due:
                self.deadlines[CALLBACK] = callback_due

        self._change("replied", at=at, mutate=apply)

    def record_callback(
        self, *, satisfaction: Satisfaction, note: str | None, at: datetime
    ) -> None:
        self._require(S.CALLED_BACK, "record callback")

        def apply() -> None:
            self.status = S.CALLED_BACK
            self.satisfaction = satisfaction
            self.callback_note = (note or "").strip() or None
            self.called_back_at = at

        self._change("called_back", at=at, mutate=apply)

    def close(self, *, at: datetime) -> None:
        self._require(S.CLOSED, "close")

        def apply() -> None:
            self.status = S.CLOSED
            self.closed_at = at

        self._change("closed", at=at, mutate=apply)

    def reopen(self, *, reason: str, at: datetime, clocks: ComplaintClocks) -> None:
        self._require(S.HANDLING, "reopen")
        if self.satisfaction is not Satisfaction.DISSATISFIED:
            raise ValidationFailed(
                "only a complaint whose callback was dissatisfied can be reopened", field="reason"
            )
        why = _text(reason, field="reason", limit=2000)
        reply_due = clocks.due(REPLY, channel=self.channel, started_at=at)

        def apply() -> None:
            self.status = S.HANDLING
            self.reopen_count += 1
            self.closed_at = None
            self.deadlines.pop(CALLBACK, None)
            if reply_due:
                self.deadlines[REPLY] = reply_due

        self._change("reopened", at=at, mutate=apply, reason=why)

    def merge_into(self, *, target: Complaint, reason: str, at: datetime) -> None:
        self._require(S.MERGED, "merge")
        if target.id == self.id:
            raise ValidationFailed("a complaint cannot be merged into itself", field="intoId")
        if target.status in {S.MERGED, S.REJECTED}:
            raise ValidationFailed(
                f"cannot merge into a complaint that is {target.status.value}", field="intoId"
            )
        why = _text(reason, field="reason", limit=2000)

        def apply() -> None:
            self.status = S.MERGED
            self.merged_into = target.id

        self._change(
            "merged",
            at=at,
            mutate=apply,
            reason=why,
            data={"intoCorrelationId": str(target.correlation)},
        )

    def reject(self, *, reason: str, at: datetime) -> None:
        self._require(S.REJECTED, "reject")
        why = _text(reason, field="reason", limit=2000)

        def apply() -> None:
            self.status = S.REJECTED
            self.rejection_reason = why

        self._change("rejected", at=at, mutate=apply, reason=why)

    def erase_identity(self, *, reason: str, at: datetime) -> None:
        """PIPL erasure: the person's data goes; the commitments in the log stay verifiable."""
        why = _text(reason, field="reason", limit=2000)
        self._change(
            "identity_erased",
            at=at,
            mutate=lambda: None,
            reason=why,
            data={"complainant": {"ref": str(self.complainant_id)}},
        )

    def _require(self, target: ComplaintStatus, command: str) -> None:
        if TRANSITIONS[self.status].get(command) is not target:
            raise InvalidTransition(
                current=self.status, attempted=command, allowed=ALLOWED[self.status]
            )
