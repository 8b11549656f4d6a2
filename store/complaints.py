"""Complaint repository: rows ⇄ aggregates, with the optimistic version check on save."""

from __future__ import annotations

import secrets
from typing import Any
from uuid import UUID

from sqlalchemy import func, insert, select, update

from domain.complaint.aggregate import Complaint, ExternalRef
from domain.complaint.status import ComplaintStatus, Satisfaction
from domain.errors import Conflict
from domain.personal import Identity
from store import rows
from store.codecs import deadline_from_json, deadline_to_json
from store.repository import Repository

T = rows.complaint


def to_aggregate(row: Any) -> Complaint:
    return Complaint(
        id=str(row.id),
        version=row.version,
        channel=row.channel_code,
        received_at=row.received_at,
        subject=row.subject,
        content=row.content,
        complainant_id=row.complainant_id,
        correlation=row.correlation_id,
        complained_units=tuple(row.complained_units),
        complained_officers=tuple(row.complained_officers),
        external_ref=(
            ExternalRef(system=row.external_system, ticket=row.external_ticket)
            if row.external_system
            else None
        ),
        status=ComplaintStatus(row.status),
        category=row.category_code,
        important=row.important,
        primary_unit=row.primary_unit_code,
        line_unit=row.line_unit_code,
        reply_text=row.reply_text,
        replied_at=row.replied_at,
        satisfaction=Satisfaction(row.satisfaction) if row.satisfaction else None,
        callback_note=row.callback_note,
        called_back_at=row.called_back_at,
        closed_at=row.closed_at,
        merged_into=str(row.merged_into_id) if row.merged_into_id else None,
        rejection_reason=row.rejection_reason,
        reopen_count=row.reopen_count,
        deadlines={k: deadline_from_json(v) for k, v in row.deadlines.items()},
    )


def _state(complaint: Complaint) -> dict[str, Any]:
    reply = complaint.deadlines.get("reply")
    callback = complaint.deadlines.get("callback")
    return {
        "version": complaint.version,
        "status": complaint.status.value,
        "category_code": complaint.category,
        "important": complaint.important,
        "primary_unit_code": complaint.primary_unit,
        "line_unit_code": complaint.line_unit,
        "reply_text": complaint.reply_text,
        "replied_at": complaint.replied_at,
        "satisfaction": complaint.satisfaction.value if complaint.satisfaction else None,
        "callback_note": complaint.callback_note,
        "called_back_at": complaint.called_back_at,
        "closed_at": complaint.closed_at,
        "merged_into_id": UUID(complaint.merged_into) if complaint.merged_into else None,
        "rejection_reason": complaint.rejection_reason,
        "reopen_count": complaint.reopen_count,
        "reply_due_at": reply.due_at if reply else None,
        "callback_due_at": callback.due_at if callback else None,
        "deadlines": {k: deadline_to_json(v) for k, v in complaint.deadlines.items()},
    }


class ComplaintRepository(Repository[Complaint]):
    async def get(self, complaint_id: UUID) -> Complaint | None:
        row = (await self._conn.execute(select(T).where(T.c.id == complaint_id))).one_or_none()
        return self._seen(to_aggregate(row)) if row else None

    async def find_by_external_ref(self, ref: ExternalRef) -> Complaint | None:
        query = select(T).where(
            T.c.external_system == ref.system, T.c.external_ticket == ref.ticket
        )
        row = (await self._conn.execute(query)).one_or_none()
        return self._seen(to_aggregate(row)) if row else None

    async def add_identity(self, complainant_id: UUID, identity: Identity) -> bytes:
        """Store the person apart; return the salt their commitments use."""
        salt = secrets.token_bytes(16)
        await self._conn.execute(
            insert(rows.complainant).values(
                id=complainant_id,
                name=identity.name,
                phone=identity.phone,
                id_number=identity.id_number,
                salt=salt,
            )
        )
        return salt

    async def identity_erased(self, complainant_id: UUID) -> bool:
        erased_at = await self._conn.scalar(
            select(rows.complainant.c.erased_at).where(rows.complainant.c.id == complainant_id)
        )
        return erased_at is not None

    async def erase_identity(self, complainant_id: UUID) -> None:
        await self._conn.execute(
            update(rows.complainant)
            .where(rows.complainant.c.id == complainant_id)
            .values(name=None, phone=None, id_number=None, salt=None, erased_at=func.now())
        )

    async def save(self, complaint: Complaint, *, loaded_version: int) -> None:
        if loaded_version == 0:
            await self._conn.execute(
                insert(T).values(
                    id=UUID(complaint.id),
                    channel_code=complaint.channel,
                    received_at=complaint.received_at,
                    registered_at=complaint.pending_events[0].occurred_at,
                    subject=complaint.subject,
                    content=complaint.content,
                    complainant_id=complaint.complainant_id,
                    complained_units=list(complaint.complained_units),
                    complained_officers=list(complaint.complained_officers),
                    external_system=complaint.external_ref.system
                    if complaint.external_ref
                    else None,
                    external_ticket=complaint.external_ref.ticket
                    if complaint.external_ref
                    else None,
                    correlation_id=complaint.correlation,
                    **_state(complaint),
                )
            )
            return
        result = await self._conn.execute(
            update(T)
            .where(T.c.id == UUID(complaint.id), T.c.version == loaded_version)
            .values(updated_at=complaint.pending_events[-1].occurred_at, **_state(complaint))
        )
        if result.rowcount != 1:
            raise Conflict(
                f"complaint {complaint.id} changed since version {loaded_version}; reload it"
            )
