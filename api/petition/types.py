"""GraphQL types of the petition aggregate (信访事项)."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import strawberry

from api.audit.types import AuditEvent
from api.complaint.types import Complaint, Deadline
from api.context import Info
from api.failures import Error, ErrorCode
from api.petition.loaders import petition_loaders
from api.reference.types import Officer, Unit
from api.relay import Connection, Node, to_global_id
from domain.personal import mask_id_number, mask_name, mask_phone
from domain.petition import clocks as k
from domain.petition.aggregate import Petition as PetitionAggregate
from domain.petition.errors import AlreadyReExamined
from domain.petition.status import UNANSWERED
from store.codecs import deadline_from_json
from store.petition import row_values


@strawberry.enum(description="Petition states (信访工作条例): registration to closing.")
class PetitionStatus(Enum):
    REGISTERED = "REGISTERED"
    RETURNED = "RETURNED"
    NOT_ACCEPTED = "NOT_ACCEPTED"
    ACCEPTED = "ACCEPTED"
    HANDLING = "HANDLING"
    ANSWERED = "ANSWERED"
    REVIEW_REQUESTED = "REVIEW_REQUESTED"
    REVIEWED = "REVIEWED"
    RE_EXAMINATION_REQUESTED = "RE_EXAMINATION_REQUESTED"
    RE_EXAMINED = "RE_EXAMINED"
    CLOSED = "CLOSED"


@strawberry.enum(description="Who supervises the petition: 部督, 省厅督办 or the city bureau.")
class PetitionSupervisionLevel(Enum):
    MINISTRY = "MINISTRY"
    PROVINCE = "PROVINCE"
    CITY = "CITY"


@strawberry.enum(description="Finding of an answer, review or re-examination (art. 32).")
class PetitionFinding(Enum):
    SUPPORT = "SUPPORT"
    EXPLAIN = "EXPLAIN"
    NOT_SUPPORT = "NOT_SUPPORT"


@strawberry.enum(description="The common superior's decision on a disputed routing (art. 24).")
class PetitionRoutingDecision(Enum):
    UPHELD = "UPHELD"
    REASSIGNED = "REASSIGNED"


@strawberry.enum(description="Why a petition is a backlog case (积案).")
class PetitionBacklogCause(Enum):
    HANDLING_OVERDUE = "HANDLING_OVERDUE"
    REPEATED_AFTER_RE_EXAMINATION = "REPEATED_AFTER_RE_EXAMINATION"
    DESIGNATED = "DESIGNATED"


@strawberry.enum(description="Judicial aid (司法救助): applied for, then granted or refused.")
class PetitionJudicialAidStatus(Enum):
    APPLIED = "APPLIED"
    GRANTED = "GRANTED"
    REFUSED = "REFUSED"


@strawberry.enum(description="Outcome of backlog work: 息诉罢访, 案结事了, or still continuing.")
class PetitionOutcome(Enum):
    STOPPED = "STOPPED"
    SETTLED = "SETTLED"
    CONTINUING = "CONTINUING"


@strawberry.type(
    description="The same matter was already re-examined (复核): it is not accepted again "
    "(信访工作条例 art. 36). The repeat is recorded on that petition, which becomes a backlog case."
)
class PetitionAlreadyReExaminedError(Error):
    field: str | None
    petition_id: strawberry.ID
    re_examined_at: datetime
    basis: str

    @classmethod
    def from_domain(cls, error: AlreadyReExamined) -> PetitionAlreadyReExaminedError:
        return cls(
            code=ErrorCode.VALIDATION,
            message=error.message,
            field=error.field,
            petition_id=strawberry.ID(to_global_id("Petition", error.petition_id)),
            re_examined_at=error.re_examined_at,
            basis=error.basis,
        )


@strawberry.type(description="Who petitioned; masked unless the caller's role may see it.")
class Petitioner:
    name: str | None
    phone: str | None
    id_number: str | None
    masked: bool
    erased: bool


@strawberry.type
class PetitionRefusal:
    reason: str
    refused_at: datetime


@strawberry.type(description="The receiving unit's objection to the routing (退回, art. 23).")
class PetitionRoutingObjection:
    reason: str
    objected_at: datetime
    unit_code: strawberry.Private[str]

    @strawberry.field
    async def unit(self, info: Info) -> Unit | None:
        row = await info.context.loaders.unit.load(self.unit_code)
        return Unit.from_row(row) if row else None


@strawberry.type(description="The common superior's decision on the routing (art. 24).")
class PetitionRoutingRuling:
    decision: PetitionRoutingDecision
    reason: str
    decided_at: datetime
    superior_unit_code: strawberry.Private[str]

    @strawberry.field
    async def superior_unit(self, info: Info) -> Unit | None:
        row = await info.context.loaders.unit.load(self.superior_unit_code)
        return Unit.from_row(row) if row else None


@strawberry.type(description="The one extension of the handling period (art. 34).")
class PetitionExtension:
    days: int
    reason: str
    approved_at: datetime


@strawberry.type
class PetitionAnswer:
    finding: PetitionFinding
    text: str
    answered_at: datetime


@strawberry.type(description="The petitioner's request for review (复查) or re-examination (复核).")
class PetitionRequest:
    reason: str
    requested_at: datetime


@strawberry.type(description="The decision on a review (复查) or re-examination (复核).")
class PetitionDecision:
    finding: PetitionFinding
    text: str
    decided_at: datetime


@strawberry.type(description="Why and since when the petition is a backlog case (积案).")
class PetitionBacklog:
    cause: PetitionBacklogCause
    since: datetime
    reason: str | None
    stored: bool = strawberry.field(
        description="False while the 60 + 30 日 threshold has passed but no command has run since."
    )


@strawberry.type(
    description="The leader in charge (包案) and the date to resolve it by (限期化解)."
)
class PetitionLeader:
    deadline: date
    assigned_at: datetime
    officer_code: strawberry.Private[str]

    @strawberry.field
    async def officer(self, info: Info) -> Officer | None:
        row = await info.context.loaders.officer.load(self.officer_code)
        return Officer.from_row(row) if row else None


@strawberry.type(description="A weekly dispatch on the case (每周调度).")
class PetitionDispatch:
    seq: int
    date: date
    notes: str
    recorded_at: datetime


@strawberry.type(description="An interview with the petitioner (约谈).")
class PetitionInterview:
    seq: int
    date: date
    participants: list[str]
    notes: str
    recorded_at: datetime


@strawberry.type(description="The lawyer taking part (律师代理).")
class PetitionLawyer:
    name: str
    firm: str
    recorded_at: datetime


@strawberry.type(description="Referral to a legal-aid centre (法律援助).")
class PetitionLegalAid:
    centre: str
    note: str | None
    referred_at: datetime


@strawberry.type(description="Judicial aid (司法救助): the application and its result.")
class PetitionJudicialAid:
    status: PetitionJudicialAidStatus
    amount_yuan: int | None
    note: str | None
    applied_at: datetime | None
    decided_at: datetime | None


@strawberry.type(description="The outcome of the backlog work.")
class PetitionOutcomeRecord:
    outcome: PetitionOutcome
    note: str | None
    recorded_at: datetime


@strawberry.type(description="A document of the case file (案卷): metadata and SHA-256, no bytes.")
class PetitionAttachment:
    seq: int
    name: str
    media_type: str
    size: int = strawberry.field(description="Bytes.")
    sha256: str
    added_by: str = strawberry.field(description="The token subject who added it.")
    added_at: datetime


def _deadline_satisfied(row: Any) -> dict[str, tuple[datetime | None, bool]]:
    """Per deadline kind: when it was met, and whether it is settled without being met."""
    notice_met = row.accepted_at or row.refused_at
    return {
        k.REGISTER: (row.registered_at, False),
        # An objection interrupts the notice clock; the superior's decision starts a new one.
        k.NOTICE: (notice_met, notice_met is None and row.status == "RETURNED"),
        k.OBJECTION: (row.objected_at, row.objected_at is None),
        k.HANDLING: (row.answered_at, False),
        k.BACKLOG: (row.answered_at, False),
        k.REVIEW_REQUEST: (row.review_requested_at, row.review_requested_at is None),
        k.REVIEW: (row.reviewed_at, False),
        k.RE_EXAMINATION_REQUEST: (
            row.re_examination_requested_at,
            row.re_examination_requested_at is None,
        ),
        k.RE_EXAMINATION: (row.re_examined_at, False),
    }


_UNANSWERED = {s.value for s in UNANSWERED}


@strawberry.type(description="A petition (信访事项) under supervision.")
class Petition(Node):
    version: int
    status: PetitionStatus
    supervision_level: PetitionSupervisionLevel
    subject: str
    content: str
    received_at: datetime
    registered_at: datetime
    forwarded_at: datetime = strawberry.field(
        description="When the item was last forwarded to its handling unit."
    )
    accepted_at: datetime | None
    handling_started_at: datetime | None
    closed_at: datetime | None
    repeat_count: int = strawberry.field(
        description="How often the same matter arrived again after re-examination."
    )
    correlation_id: strawberry.ID

    uuid: strawberry.Private[UUID]
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: Any) -> Petition:
        return cls(
            id=strawberry.ID(to_global_id("Petition", str(row.id))),
            uuid=row.id,
            row=row,
            version=row.version,
            status=PetitionStatus(row.status),
            supervision_level=PetitionSupervisionLevel(row.supervision_level),
            subject=row.subject,
            content=row.content,
            received_at=row.received_at,
            registered_at=row.registered_at,
            forwarded_at=row.forwarded_at,
            accepted_at=row.accepted_at,
            handling_started_at=row.handling_started_at,
            closed_at=row.closed_at,
            repeat_count=row.repeat_count,
            correlation_id=strawberry.ID(str(row.correlation_id)),
        )

    @classmethod
    def from_aggregate(cls, petition: PetitionAggregate) -> Petition:
        """Built while the unit of work is still open: never a detached ORM row."""
        return cls.from_row(SimpleNamespace(**row_values(petition)))

    # -- people and units ------------------------------------------------------------------

    @strawberry.field
    async def petitioner(self, info: Info) -> Petitioner:
        row = await info.context.loaders.complainant.load(self.row.petitioner_id)
        if row is None or row.erased_at is not None:
            return Petitioner(name=None, phone=None, id_number=None, masked=False, erased=True)
        if info.context.call.actor.may_read_identity:
            return Petitioner(
                name=row.name, phone=row.phone, id_number=row.id_number, masked=False, erased=False
            )
        return Petitioner(
            name=mask_name(row.name),
            phone=mask_phone(row.phone),
            id_number=mask_id_number(row.id_number) if row.id_number else None,
            masked=True,
            erased=False,
        )

    @strawberry.field(description="The unit the petition is forwarded to (转送/交办).")
    async def handling_unit(self, info: Info) -> Unit:
        row = await info.context.loaders.unit.load(self.row.handling_unit_code)
        return Unit.from_row(row)

    @strawberry.field
    async def complained_units(self, info: Info) -> list[Unit]:
        found = await info.context.loaders.unit.load_many(list(self.row.complained_units))
        return [Unit.from_row(r) for r in found if r is not None]

    @strawberry.field
    async def complained_officers(self, info: Info) -> list[Officer]:
        found = await info.context.loaders.officer.load_many(list(self.row.complained_officers))
        return [Officer.from_row(r) for r in found if r is not None]

    @strawberry.field(description="The complaint this petition was registered from.")
    async def origin_complaint(self, info: Info) -> Complaint | None:
        complaint_id = self.row.origin_complaint_id
        if complaint_id is None:
            return None
        row = await petition_loaders(info).complaint.load(complaint_id)
        return Complaint.from_row(row) if row else None

    @strawberry.field(description="An earlier petition about the same matter.")
    async def same_matter_as(self, info: Info) -> Petition | None:
        other = self.row.same_matter_as_id
        if other is None:
            return None
        row = await petition_loaders(info).petition.load(other)
        return Petition.from_row(row) if row else None

    # -- the procedure -----------------------------------------------------------------------

    @strawberry.field(description="Not accepted (不予受理), with the reason.")
    def refusal(self) -> PetitionRefusal | None:
        r = self.row
        if r.refused_at is None:
            return None
        return PetitionRefusal(reason=r.refusal_reason, refused_at=r.refused_at)

    @strawberry.field
    def routing_objection(self) -> PetitionRoutingObjection | None:
        r = self.row
        if r.objected_at is None:
            return None
        return PetitionRoutingObjection(
            reason=r.objection_reason, objected_at=r.objected_at, unit_code=r.objecting_unit_code
        )

    @strawberry.field
    def routing_ruling(self) -> PetitionRoutingRuling | None:
        r = self.row
        if r.routing_decided_at is None:
            return None
        return PetitionRoutingRuling(
            decision=PetitionRoutingDecision(r.routing_decision),
            reason=r.routing_reason,
            decided_at=r.routing_decided_at,
            superior_unit_code=r.routing_superior_unit_code,
        )

    @strawberry.field
    def extension(self) -> PetitionExtension | None:
        r = self.row
        if r.extension_days is None:
            return None
        return PetitionExtension(
            days=r.extension_days, reason=r.extension_reason, approved_at=r.extended_at
        )

    @strawberry.field
    def answer(self) -> PetitionAnswer | None:
        r = self.row
        if r.answered_at is None:
            return None
        return PetitionAnswer(
            finding=PetitionFinding(r.answer_finding), text=r.answer_text, answered_at=r.answered_at
        )

    @strawberry.field(description="The request for review (复查).")
    def review_request(self) -> PetitionRequest | None:
        r = self.row
        if r.review_requested_at is None:
            return None
        return PetitionRequest(reason=r.review_request_reason, requested_at=r.review_requested_at)

    @strawberry.field(description="The review decision (复查意见).")
    def review(self) -> PetitionDecision | None:
        r = self.row
        if r.reviewed_at is None:
            return None
        return PetitionDecision(
            finding=PetitionFinding(r.review_finding), text=r.review_text, decided_at=r.reviewed_at
        )

    @strawberry.field(description="The request for re-examination (复核).")
    def re_examination_request(self) -> PetitionRequest | None:
        r = self.row
        if r.re_examination_requested_at is None:
            return None
        return PetitionRequest(
            reason=r.re_examination_request_reason, requested_at=r.re_examination_requested_at
        )

    @strawberry.field(description="The re-examination decision (复核意见).")
    def re_examination(self) -> PetitionDecision | None:
        r = self.row
        if r.re_examined_at is None:
            return None
        return PetitionDecision(
            finding=PetitionFinding(r.re_examination_finding),
            text=r.re_examination_text,
            decided_at=r.re_examined_at,
        )

    # -- backlog -------------------------------------------------------------------------------

    def _overdue_since(self, info: Info) -> datetime | None:
        due = self.row.backlog_due_at
        now = info.context.call.runtime.clock.now()
        if self.row.status in _UNANSWERED and due is not None and now >= due:
            return due
        return None

    @strawberry.field(
        description="A backlog case (积案): marked, repeated after re-examination, or unanswered "
        "60 + 30 日 after acceptance (computed now, stored at the next command)."
    )
    def backlog(self, info: Info) -> bool:
        return self.row.backlog_since is not None or self._overdue_since(info) is not None

    @strawberry.field
    def backlog_detail(self, info: Info) -> PetitionBacklog | None:
        r = self.row
        if r.backlog_since is not None:
            return PetitionBacklog(
                cause=PetitionBacklogCause(r.backlog_cause),
                since=r.backlog_since,
                reason=r.backlog_reason,
                stored=True,
            )
        since = self._overdue_since(info)
        if since is None:
            return None
        return PetitionBacklog(
            cause=PetitionBacklogCause.HANDLING_OVERDUE, since=since, reason=None, stored=False
        )

    @strawberry.field
    def leader(self) -> PetitionLeader | None:
        r = self.row
        if r.leader_officer_code is None:
            return None
        return PetitionLeader(
            deadline=r.leader_deadline,
            assigned_at=r.leader_assigned_at,
            officer_code=r.leader_officer_code,
        )

    @strawberry.field
    async def dispatches(self, info: Info) -> list[PetitionDispatch]:
        if not self.row.dispatch_count:
            return []
        found = await petition_loaders(info).dispatches.load(self.uuid)
        return [
            PetitionDispatch(seq=d.seq, date=d.held_on, notes=d.notes, recorded_at=d.recorded_at)
            for d in found
        ]

    @strawberry.field
    async def interviews(self, info: Info) -> list[PetitionInterview]:
        if not self.row.interview_count:
            return []
        found = await petition_loaders(info).interviews.load(self.uuid)
        return [
            PetitionInterview(
                seq=i.seq,
                date=i.held_on,
                participants=list(i.participants),
                notes=i.notes,
                recorded_at=i.recorded_at,
            )
            for i in found
        ]

    @strawberry.field
    def lawyer(self) -> PetitionLawyer | None:
        r = self.row
        if r.lawyer_name is None:
            return None
        return PetitionLawyer(
            name=r.lawyer_name, firm=r.lawyer_firm, recorded_at=r.lawyer_recorded_at
        )

    @strawberry.field
    def legal_aid(self) -> PetitionLegalAid | None:
        r = self.row
        if r.legal_aid_referred_at is None:
            return None
        return PetitionLegalAid(
            centre=r.legal_aid_centre, note=r.legal_aid_note, referred_at=r.legal_aid_referred_at
        )

    @strawberry.field
    def judicial_aid(self) -> PetitionJudicialAid | None:
        r = self.row
        if r.judicial_aid_status is None:
            return None
        return PetitionJudicialAid(
            status=PetitionJudicialAidStatus(r.judicial_aid_status),
            amount_yuan=r.judicial_aid_amount,
            note=r.judicial_aid_note,
            applied_at=r.judicial_aid_applied_at,
            decided_at=r.judicial_aid_decided_at,
        )

    @strawberry.field
    def outcome(self) -> PetitionOutcomeRecord | None:
        r = self.row
        if r.outcome is None:
            return None
        return PetitionOutcomeRecord(
            outcome=PetitionOutcome(r.outcome), note=r.outcome_note, recorded_at=r.outcome_at
        )

    @strawberry.field(description="The case file (案卷), oldest first.")
    async def attachments(self, info: Info) -> list[PetitionAttachment]:
        if not self.row.attachment_count:
            return []
        found = await petition_loaders(info).attachments.load(self.uuid)
        return [
            PetitionAttachment(
                seq=a.seq,
                name=a.name,
                media_type=a.media_type,
                size=a.size,
                sha256=a.sha256,
                added_by=a.added_by,
                added_at=a.added_at,
            )
            for a in found
        ]

    # -- deadlines -----------------------------------------------------------------------------

    def _deadline(self, kind: str, info: Info) -> Deadline | None:
        data = self.row.deadlines.get(kind)
        if data is None:
            return None
        satisfied, settled = _deadline_satisfied(self.row)[kind]
        return Deadline.build(
            kind,
            deadline_from_json(data),
            now=info.context.call.runtime.clock.now(),
            satisfied_at=satisfied,
            settled=settled,
        )

    @strawberry.field(description="Register and forward within 15 日 of receipt (art. 22).")
    def register_due(self, info: Info) -> Deadline | None:
        return self._deadline(k.REGISTER, info)

    @strawberry.field(description="Written notice of acceptance or not (art. 23).")
    def notice_due(self, info: Info) -> Deadline | None:
        return self._deadline(k.NOTICE, info)

    @strawberry.field(
        description="Until when the receiving unit may object to the routing (art. 23–24); a "
        "window, never overdue."
    )
    def objection_due(self, info: Info) -> Deadline | None:
        return self._deadline(k.OBJECTION, info)

    @strawberry.field(description="Handling: 60 日 from acceptance, +≤30 once (art. 34).")
    def handling_due(self, info: Info) -> Deadline | None:
        return self._deadline(k.HANDLING, info)

    @strawberry.field(
        description="When an unanswered petition becomes a backlog case (60 + 30 日)."
    )
    def backlog_due(self, info: Info) -> Deadline | None:
        return self._deadline(k.BACKLOG, info)

    @strawberry.field(description="Until when review (复查) may be requested (art. 35); a window.")
    def review_request_due(self, info: Info) -> Deadline | None:
        return self._deadline(k.REVIEW_REQUEST, info)

    @strawberry.field(description="Review decision due (art. 35).")
    def review_due(self, info: Info) -> Deadline | None:
        return self._deadline(k.REVIEW, info)

    @strawberry.field(
        description="Until when re-examination (复核) may be requested (art. 36); a window."
    )
    def re_examination_request_due(self, info: Info) -> Deadline | None:
        return self._deadline(k.RE_EXAMINATION_REQUEST, info)

    @strawberry.field(description="Re-examination decision due (art. 36).")
    def re_examination_due(self, info: Info) -> Deadline | None:
        return self._deadline(k.RE_EXAMINATION, info)

    @strawberry.field(description="Every deadline of this petition, in the order of the procedure.")
    def deadlines(self, info: Info) -> list[Deadline]:
        found = [self._deadline(kind, info) for kind in k.KINDS]
        return [d for d in found if d is not None]

    @strawberry.field(description="This petition's audit events, oldest first.")
    async def audit_trail(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[AuditEvent]:
        from api.audit.queries import trail

        return await trail(info, self.id, first, after)
