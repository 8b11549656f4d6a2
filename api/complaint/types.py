"""GraphQL types of the complaint aggregate."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any
from uuid import UUID

import strawberry

from api.audit.types import AuditEvent
from api.context import Info
from api.reference.types import Channel, ComplaintCategory, Officer, Unit
from api.relay import Connection, Node, to_global_id
from domain.complaint.aggregate import Complaint as ComplaintAggregate
from domain.deadlines import Deadline as DomainDeadline
from domain.personal import mask_id_number, mask_name, mask_phone
from store.codecs import deadline_from_json, deadline_to_json


@strawberry.enum(description="Complaint lifecycle states.")
class ComplaintStatus(Enum):
    RECEIVED = "RECEIVED"
    TRIAGED = "TRIAGED"
    HANDLING = "HANDLING"
    REPLIED = "REPLIED"
    CALLED_BACK = "CALLED_BACK"
    CLOSED = "CLOSED"
    MERGED = "MERGED"
    REJECTED = "REJECTED"


@strawberry.enum(description="The complainant's satisfaction at callback (回访).")
class Satisfaction(Enum):
    SATISFIED = "SATISFIED"
    BASICALLY_SATISFIED = "BASICALLY_SATISFIED"
    DISSATISFIED = "DISSATISFIED"


@strawberry.type(description="A computed due date, with its legal basis and how it was computed.")
class Deadline:
    kind: str
    rule_code: str
    basis: str
    started_at: datetime
    due_at: datetime | None
    unit: str
    limit: int
    extension: int
    computation: str
    overdue: bool
    satisfied_at: datetime | None

    @classmethod
    def build(
        cls,
        kind: str,
        deadline: DomainDeadline,
        *,
        now: datetime,
        satisfied_at: datetime | None,
        settled: bool = False,
    ) -> Deadline:
        """`settled`: the item ended without needing this deadline (merged, rejected)."""
        return cls(
            kind=kind,
            rule_code=deadline.rule_code,
            basis=deadline.basis,
            started_at=deadline.started_at,
            due_at=deadline.due_at,
            unit=deadline.unit.value,
            limit=deadline.limit,
            extension=deadline.extension,
            computation=deadline.computation,
            overdue=not settled and deadline.is_overdue(now, satisfied_at=satisfied_at),
            satisfied_at=satisfied_at,
        )


@strawberry.type(description="Who complained; masked unless the caller's role may see it.")
class Complainant:
    name: str | None
    phone: str | None
    id_number: str | None
    masked: bool
    erased: bool


@strawberry.type
class ExternalRef:
    system: str
    ticket_id: str


@strawberry.type
class Reply:
    text: str
    replied_at: datetime


@strawberry.type
class Callback:
    satisfaction: Satisfaction
    note: str | None
    called_back_at: datetime


@strawberry.enum
class DuplicateReason(Enum):
    SAME_PHONE = "SAME_PHONE"
    SAME_ID_NUMBER = "SAME_ID_NUMBER"
    SIMILAR_TEXT = "SIMILAR_TEXT"


@strawberry.type(description="An earlier open complaint that may be the same matter.")
class DuplicateCandidate:
    complaint: Complaint
    reasons: list[DuplicateReason]
    similarity: float


_TERMINAL_WITHOUT_REPLY = {"MERGED", "REJECTED"}


@strawberry.type(description="A complaint (来信 / 投诉) under supervision.")
class Complaint(Node):
    version: int
    channel: Channel
    received_at: datetime
    subject: str
    content: str
    status: ComplaintStatus
    important: bool
    reopen_count: int
    rejection_reason: str | None
    closed_at: datetime | None
    correlation_id: strawberry.ID
    external_ref: ExternalRef | None
    reply: Reply | None
    callback: Callback | None

    uuid: strawberry.Private[UUID]
    complainant_id: strawberry.Private[UUID]
    category_code: strawberry.Private[str | None]
    primary_unit_code: strawberry.Private[str | None]
    line_unit_code: strawberry.Private[str | None]
    complained_unit_codes: strawberry.Private[list[str]]
    complained_officer_codes: strawberry.Private[list[str]]
    merged_into_id: strawberry.Private[UUID | None]
    deadline_data: strawberry.Private[dict[str, Any]]

    @classmethod
    def from_row(cls, row: Any) -> Complaint:
        return cls(
            id=strawberry.ID(to_global_id("Complaint", str(row.id))),
            uuid=row.id,
            version=row.version,
            channel=Channel(row.channel_code),
            received_at=row.received_at,
            subject=row.subject,
            content=row.content,
            status=ComplaintStatus(row.status),
            important=row.important,
            reopen_count=row.reopen_count,
            rejection_reason=row.rejection_reason,
            closed_at=row.closed_at,
            correlation_id=strawberry.ID(str(row.correlation_id)),
            external_ref=(
                ExternalRef(system=row.external_system, ticket_id=row.external_ticket)
                if row.external_system
                else None
            ),
            reply=Reply(text=row.reply_text, replied_at=row.replied_at) if row.replied_at else None,
            callback=(
                Callback(
                    satisfaction=Satisfaction(row.satisfaction),
                    note=row.callback_note,
                    called_back_at=row.called_back_at,
                )
                if row.called_back_at
                else None
            ),
            complainant_id=row.complainant_id,
            category_code=row.category_code,
            primary_unit_code=row.primary_unit_code,
            line_unit_code=row.line_unit_code,
            complained_unit_codes=list(row.complained_units),
            complained_officer_codes=list(row.complained_officers),
            merged_into_id=row.merged_into_id,
            deadline_data=row.deadlines,
        )

    @classmethod
    def from_aggregate(cls, complaint: ComplaintAggregate) -> Complaint:
        """Built while the unit of work is still open: never a detached ORM row."""

        class _Row:
            pass

        row: Any = _Row()
        row.id = UUID(complaint.id)
        row.version = complaint.version
        row.channel_code = complaint.channel
        row.received_at = complaint.received_at
        row.subject = complaint.subject
        row.content = complaint.content
        row.status = complaint.status.value
        row.important = complaint.important
        row.reopen_count = complaint.reopen_count
        row.rejection_reason = complaint.rejection_reason
        row.closed_at = complaint.closed_at
        row.correlation_id = complaint.correlation
        row.external_system = complaint.external_ref.system if complaint.external_ref else None
        row.external_ticket = complaint.external_ref.ticket if complaint.external_ref else None
        row.reply_text = complaint.reply_text
        row.replied_at = complaint.replied_at
        row.satisfaction = complaint.satisfaction.value if complaint.satisfaction else None
        row.callback_note = complaint.callback_note
        row.called_back_at = complaint.called_back_at
        row.complainant_id = complaint.complainant_id
        row.category_code = complaint.category
        row.primary_unit_code = complaint.primary_unit
        row.line_unit_code = complaint.line_unit
        row.complained_units = complaint.complained_units
        row.complained_officers = complaint.complained_officers
        row.merged_into_id = UUID(complaint.merged_into) if complaint.merged_into else None
        row.deadlines = {k: deadline_to_json(v) for k, v in complaint.deadlines.items()}
        return cls.from_row(row)

    @strawberry.field
    async def category(self, info: Info) -> ComplaintCategory | None:
        if self.category_code is None:
            return None
        row = await info.context.loaders.category.load(self.category_code)
        return ComplaintCategory.from_row(row) if row else None

    @strawberry.field(description="The territorial unit with primary responsibility (属地主办).")
    async def primary_unit(self, info: Info) -> Unit | None:
        if self.primary_unit_code is None:
            return None
        row = await info.context.loaders.unit.load(self.primary_unit_code)
        return Unit.from_row(row) if row else None

    @strawberry.field(description="The line department supervising along its line (条线监督).")
    async def line_unit(self, info: Info) -> Unit | None:
        if self.line_unit_code is None:
            return None
        row = await info.context.loaders.unit.load(self.line_unit_code)
        return Unit.from_row(row) if row else None

    @strawberry.field
    async def complained_units(self, info: Info) -> list[Unit]:
        found = await info.context.loaders.unit.load_many(self.complained_unit_codes)
        return [Unit.from_row(r) for r in found if r is not None]

    @strawberry.field
    async def complained_officers(self, info: Info) -> list[Officer]:
        found = await info.context.loaders.officer.load_many(self.complained_officer_codes)
        return [Officer.from_row(r) for r in found if r is not None]

    @strawberry.field
    async def complainant(self, info: Info) -> Complainant:
        row = await info.context.loaders.complainant.load(self.complainant_id)
        if row is None or row.erased_at is not None:
            return Complainant(name=None, phone=None, id_number=None, masked=False, erased=True)
        if info.context.call.actor.may_read_identity:
            return Complainant(
                name=row.name, phone=row.phone, id_number=row.id_number, masked=False, erased=False
            )
        return Complainant(
            name=mask_name(row.name),
            phone=mask_phone(row.phone),
            id_number=mask_id_number(row.id_number) if row.id_number else None,
            masked=True,
            erased=False,
        )

    @strawberry.field(description="The complaint this one was merged into, as a duplicate.")
    async def merged_into(self, info: Info) -> Complaint | None:
        if self.merged_into_id is None:
            return None
        if info.context.call.actor.is_unit_scoped:
            # The target may lie outside the handler's scope: check it like any lookup.
            from api.complaint.queries import visible_complaint_row

            row = await visible_complaint_row(info, self.merged_into_id)
        else:
            row = await info.context.loaders.complaint.load(self.merged_into_id)
        return Complaint.from_row(row) if row else None

    def _deadline(self, kind: str, info: Info) -> Deadline | None:
        data = self.deadline_data.get(kind)
        if data is None:
            return None
        if kind == "reply":
            satisfied = self.reply.replied_at if self.reply else None
        else:
            satisfied = self.callback.called_back_at if self.callback else None
        return Deadline.build(
            kind,
            deadline_from_json(data),
            now=info.context.call.runtime.clock.now(),
            satisfied_at=satisfied,
            settled=satisfied is None and self.status.value in _TERMINAL_WITHOUT_REPLY,
        )

    @strawberry.field(description="Reply due (答复期限), per the channel's clock rule.")
    def reply_due(self, info: Info) -> Deadline | None:
        return self._deadline("reply", info)

    @strawberry.field(description="Callback due (回访期限), started by the reply.")
    def callback_due(self, info: Info) -> Deadline | None:
        return self._deadline("callback", info)

    @strawberry.field(description="Every deadline of this complaint.")
    def deadlines(self, info: Info) -> list[Deadline]:
        found = [self._deadline(kind, info) for kind in ("reply", "callback")]
        return [d for d in found if d is not None]

    @strawberry.field(
        description="Earlier open complaints that may be the same matter (合并, 避免重复处理)."
    )
    async def duplicate_candidates(self, info: Info) -> list[DuplicateCandidate]:
        from api.complaint.queries import duplicate_candidates

        return await duplicate_candidates(info, self)

    @strawberry.field(description="This complaint's audit events, oldest first.")
    async def audit_trail(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[AuditEvent]:
        from api.audit.queries import trail

        return await trail(info, self.id, first, after)
