"""Petition rows and repository: rows ⇄ aggregates, case-file records, the optimistic save."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import BigInteger, Table, Text, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.errors import Conflict
from domain.personal import Identity
from domain.petition.aggregate import Petition
from domain.petition.clocks import KINDS
from domain.petition.status import (
    BacklogCause,
    Finding,
    JudicialAidStatus,
    Outcome,
    PetitionStatus,
    RoutingDecision,
    SupervisionLevel,
)
from store import rows
from store.codecs import deadline_from_json, deadline_to_json
from store.repository import Repository


class PetitionRow(rows.Row):
    __tablename__ = "petition"
    id: Mapped[UUID] = mapped_column(primary_key=True)
    version: Mapped[int]
    received_at: Mapped[datetime]
    registered_at: Mapped[datetime]
    subject: Mapped[str]
    content: Mapped[str]
    petitioner_id: Mapped[UUID]
    correlation_id: Mapped[UUID]
    supervision_level: Mapped[str]
    handling_unit_code: Mapped[str]
    complained_units: Mapped[list[str]] = mapped_column(ARRAY(Text))
    complained_officers: Mapped[list[str]] = mapped_column(ARRAY(Text))
    origin_complaint_id: Mapped[UUID | None]
    same_matter_as_id: Mapped[UUID | None]
    status: Mapped[str]
    forwarded_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    refused_at: Mapped[datetime | None]
    refusal_reason: Mapped[str | None]
    objected_at: Mapped[datetime | None]
    objection_reason: Mapped[str | None]
    objecting_unit_code: Mapped[str | None]
    routing_decided_at: Mapped[datetime | None]
    routing_decision: Mapped[str | None]
    routing_superior_unit_code: Mapped[str | None]
    routing_reason: Mapped[str | None]
    handling_started_at: Mapped[datetime | None]
    extension_days: Mapped[int | None]
    extension_reason: Mapped[str | None]
    extended_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    answer_finding: Mapped[str | None]
    answer_text: Mapped[str | None]
    review_requested_at: Mapped[datetime | None]
    review_request_reason: Mapped[str | None]
    reviewed_at: Mapped[datetime | None]
    review_finding: Mapped[str | None]
    review_text: Mapped[str | None]
    re_examination_requested_at: Mapped[datetime | None]
    re_examination_request_reason: Mapped[str | None]
    re_examined_at: Mapped[datetime | None]
    re_examination_finding: Mapped[str | None]
    re_examination_text: Mapped[str | None]
    closed_at: Mapped[datetime | None]
    backlog_since: Mapped[datetime | None]
    backlog_cause: Mapped[str | None]
    backlog_reason: Mapped[str | None]
    repeat_count: Mapped[int]
    leader_officer_code: Mapped[str | None]
    leader_deadline: Mapped[date | None]
    leader_assigned_at: Mapped[datetime | None]
    dispatch_count: Mapped[int]
    interview_count: Mapped[int]
    attachment_count: Mapped[int]
    lawyer_name: Mapped[str | None]
    lawyer_firm: Mapped[str | None]
    lawyer_recorded_at: Mapped[datetime | None]
    legal_aid_centre: Mapped[str | None]
    legal_aid_note: Mapped[str | None]
    legal_aid_referred_at: Mapped[datetime | None]
    judicial_aid_status: Mapped[str | None]
    judicial_aid_amount: Mapped[int | None] = mapped_column(BigInteger)
    judicial_aid_note: Mapped[str | None]
    judicial_aid_applied_at: Mapped[datetime | None]
    judicial_aid_decided_at: Mapped[datetime | None]
    outcome: Mapped[str | None]
    outcome_note: Mapped[str | None]
    outcome_at: Mapped[datetime | None]
    register_due_at: Mapped[datetime | None]
    notice_due_at: Mapped[datetime | None]
    objection_due_at: Mapped[datetime | None]
    handling_due_at: Mapped[datetime | None]
    backlog_due_at: Mapped[datetime | None]
    review_request_due_at: Mapped[datetime | None]
    review_due_at: Mapped[datetime | None]
    re_examination_request_due_at: Mapped[datetime | None]
    re_examination_due_at: Mapped[datetime | None]
    deadlines: Mapped[dict[str, Any]] = mapped_column(JSONB)
    updated_at: Mapped[datetime]


class PetitionDispatchRow(rows.Row):
    __tablename__ = "petition_dispatch"
    petition_id: Mapped[UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int]
    held_on: Mapped[date]
    notes: Mapped[str]
    recorded_at: Mapped[datetime]


class PetitionInterviewRow(rows.Row):
    __tablename__ = "petition_interview"
    petition_id: Mapped[UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int]
    held_on: Mapped[date]
    participants: Mapped[list[str]] = mapped_column(ARRAY(Text))
    notes: Mapped[str]
    recorded_at: Mapped[datetime]


class PetitionAttachmentRow(rows.Row):
    __tablename__ = "petition_attachment"
    petition_id: Mapped[UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int]
    name: Mapped[str]
    media_type: Mapped[str]
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str]
    added_by: Mapped[str]
    added_at: Mapped[datetime]


petition = cast(Table, PetitionRow.__table__)
petition_dispatch = cast(Table, PetitionDispatchRow.__table__)
petition_interview = cast(Table, PetitionInterviewRow.__table__)
petition_attachment = cast(Table, PetitionAttachmentRow.__table__)

T = petition

# Columns the aggregate's state is stored in, as (column, attribute) where they differ.
_PLAIN = (
    "forwarded_at",
    "accepted_at",
    "refused_at",
    "refusal_reason",
    "objected_at",
    "objection_reason",
    "routing_decided_at",
    "routing_reason",
    "handling_started_at",
    "extension_days",
    "extension_reason",
    "extended_at",
    "answered_at",
    "answer_text",
    "review_requested_at",
    "review_request_reason",
    "reviewed_at",
    "review_text",
    "re_examination_requested_at",
    "re_examination_request_reason",
    "re_examined_at",
    "re_examination_text",
    "closed_at",
    "backlog_since",
    "backlog_reason",
    "repeat_count",
    "leader_deadline",
    "leader_assigned_at",
    "dispatch_count",
    "interview_count",
    "attachment_count",
    "lawyer_name",
    "lawyer_firm",
    "lawyer_recorded_at",
    "legal_aid_centre",
    "legal_aid_note",
    "legal_aid_referred_at",
    "judicial_aid_amount",
    "judicial_aid_note",
    "judicial_aid_applied_at",
    "judicial_aid_decided_at",
    "outcome_note",
    "outcome_at",
)
_ENUMS: dict[str, Any] = {
    "routing_decision": RoutingDecision,
    "answer_finding": Finding,
    "review_finding": Finding,
    "re_examination_finding": Finding,
    "backlog_cause": BacklogCause,
    "judicial_aid_status": JudicialAidStatus,
    "outcome": Outcome,
}
_UNITS = {
    "handling_unit_code": "handling_unit",
    "objecting_unit_code": "objecting_unit",
    "routing_superior_unit_code": "routing_superior_unit",
    "leader_officer_code": "leader_officer",
}


def _enum(kind: Any, value: str | None) -> Any:
    return kind(value) if value is not None else None


def to_aggregate(row: Any) -> Petition:
    return Petition(
        id=str(row.id),
        version=row.version,
        received_at=row.received_at,
        registered_at=row.registered_at,
        subject=row.subject,
        content=row.content,
        petitioner_id=row.petitioner_id,
        correlation=row.correlation_id,
        supervision_level=SupervisionLevel(row.supervision_level),
        complained_units=tuple(row.complained_units),
        complained_officers=tuple(row.complained_officers),
        origin_complaint=str(row.origin_complaint_id) if row.origin_complaint_id else None,
        same_matter_as=str(row.same_matter_as_id) if row.same_matter_as_id else None,
        status=PetitionStatus(row.status),
        deadlines={k: deadline_from_json(v) for k, v in row.deadlines.items()},
        **{attribute: getattr(row, column) for column, attribute in _UNITS.items()},
        **{column: getattr(row, column) for column in _PLAIN},
        **{column: _enum(kind, getattr(row, column)) for column, kind in _ENUMS.items()},
    )


def _state(p: Petition) -> dict[str, Any]:
    due = {
        f"{kind}_due_at": p.deadlines[kind].due_at if kind in p.deadlines else None
        for kind in KINDS
    }
    return {
        "version": p.version,
        "status": p.status.value,
        "supervision_level": p.supervision_level.value,
        "deadlines": {k: deadline_to_json(v) for k, v in p.deadlines.items()},
        **{column: getattr(p, attribute) for column, attribute in _UNITS.items()},
        **{column: getattr(p, column) for column in _PLAIN},
        **{
            column: value.value if (value := getattr(p, column)) is not None else None
            for column in _ENUMS
        },
        **due,
    }


def row_values(p: Petition) -> dict[str, Any]:
    """Every column of the petition's row, as the repository writes it."""
    return {
        "id": UUID(p.id),
        "received_at": p.received_at,
        "registered_at": p.registered_at,
        "subject": p.subject,
        "content": p.content,
        "petitioner_id": p.petitioner_id,
        "correlation_id": p.correlation,
        "complained_units": list(p.complained_units),
        "complained_officers": list(p.complained_officers),
        "origin_complaint_id": UUID(p.origin_complaint) if p.origin_complaint else None,
        "same_matter_as_id": UUID(p.same_matter_as) if p.same_matter_as else None,
        **_state(p),
    }


class PetitionRepository(Repository[Petition]):
    async def get(self, petition_id: UUID) -> Petition | None:
        row = (await self._conn.execute(select(T).where(T.c.id == petition_id))).one_or_none()
        return self._seen(to_aggregate(row)) if row else None

    async def id_for_complaint(self, complaint_id: UUID) -> UUID | None:
        """The petition registered from this complaint, if any (one per complaint)."""
        found: UUID | None = await self._conn.scalar(
            select(T.c.id).where(T.c.origin_complaint_id == complaint_id)
        )
        return found

    async def add_identity(self, person_id: UUID, identity: Identity) -> bytes:
        """Store the petitioner apart; return the salt their commitments use."""
        salt = secrets.token_bytes(16)
        await self._conn.execute(
            insert(rows.complainant).values(
                id=person_id,
                name=identity.name,
                phone=identity.phone,
                id_number=identity.id_number,
                salt=salt,
            )
        )
        return salt

    async def identity(self, person_id: UUID) -> tuple[Identity, bytes] | None:
        """A stored person and their salt; None once erased."""
        person = rows.complainant.c
        row = (
            await self._conn.execute(
                select(person.name, person.phone, person.id_number, person.salt).where(
                    person.id == person_id, person.erased_at.is_(None)
                )
            )
        ).one_or_none()
        if row is None:
            return None
        identity = Identity(name=row.name, phone=row.phone, id_number=row.id_number)
        return identity, bytes(row.salt)

    async def save(self, aggregate: Petition, *, loaded_version: int) -> None:
        p = aggregate
        if loaded_version == 0:
            await self._conn.execute(insert(T).values(**row_values(p)))
        else:
            result = await self._conn.execute(
                update(T)
                .where(T.c.id == UUID(p.id), T.c.version == loaded_version)
                .values(updated_at=p.pending_events[-1].occurred_at, **_state(p))
            )
            if result.rowcount != 1:
                raise Conflict(f"petition {p.id} changed since version {loaded_version}; reload it")
        await self._save_records(p)

    async def _save_records(self, p: Petition) -> None:
        key = UUID(p.id)
        recorded_at = p.pending_events[-1].occurred_at
        if p.new_dispatches:
            await self._conn.execute(
                insert(petition_dispatch),
                [
                    {
                        "petition_id": key,
                        "seq": d.seq,
                        "version": p.version,
                        "held_on": d.held_on,
                        "notes": d.notes,
                        "recorded_at": recorded_at,
                    }
                    for d in p.new_dispatches
                ],
            )
        if p.new_interviews:
            await self._conn.execute(
                insert(petition_interview),
                [
                    {
                        "petition_id": key,
                        "seq": i.seq,
                        "version": p.version,
                        "held_on": i.held_on,
                        "participants": list(i.participants),
                        "notes": i.notes,
                        "recorded_at": recorded_at,
                    }
                    for i in p.new_interviews
                ],
            )
        if p.new_attachments:
            await self._conn.execute(
                insert(petition_attachment),
                [
                    {
                        "petition_id": key,
                        "seq": a.seq,
                        "version": p.version,
                        "name": a.name,
                        "media_type": a.media_type,
                        "size": a.size,
                        "sha256": a.sha256,
                        "added_by": a.added_by,
                        "added_at": a.added_at,
                    }
                    for a in p.new_attachments
                ],
            )
        p.new_dispatches.clear()
        p.new_interviews.clear()
        p.new_attachments.clear()
