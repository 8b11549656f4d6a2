"""Complaint commands: register, triage, start handling, reply, callback, close, reopen, merge, reject."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.complaint.aggregate import CategoryRef, Complaint, ExternalRef
from domain.complaint.clocks import ComplaintClocks
from domain.complaint.policy import ComplaintCommand, authorise
from domain.complaint.status import Satisfaction
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.personal import Identity
from service.context import Call
from service.scope import hidden_from, in_subtree, within_any
from store import rows
from store.reference import load_calendar, load_clock_rules
from store.uow import UnitOfWork

log = structlog.get_logger(__name__)
C = ComplaintCommand


@dataclass(frozen=True, slots=True)
class RegisterComplaint:
    channel: str
    subject: str
    content: str
    complainant_name: str
    complainant_phone: str
    complainant_id_number: str | None = None
    received_at: datetime | None = None  # None means now
    external_system: str | None = None
    external_ticket: str | None = None
    complained_units: tuple[str, ...] = ()
    complained_officers: tuple[str, ...] = ()


async def _clocks(call: Call, conn: AsyncConnection) -> ComplaintClocks:
    async def load() -> ComplaintClocks:
        return ComplaintClocks(
            rules=await load_clock_rules(conn, "complaint"),
            calendar=await load_calendar(conn),
            tz=call.runtime.tz,
        )

    return await call.runtime.config("complaint-clocks", load)


async def _require_codes(
    conn: AsyncConnection, table: object, codes: tuple[str, ...], field: str
) -> None:
    if not codes:
        return
    code_column = table.c.code  # type: ignore[attr-defined]
    found = set(await conn.scalars(select(code_column).where(code_column.in_(codes))))
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationFailed(f"unknown {field}: {', '.join(missing)}", field=field)


async def _load(
    call: Call, uow: UnitOfWork, complaint_id: UUID, expected_version: int
) -> Complaint:
    complaint = await uow.complaints.get(complaint_id)
    if complaint is None or not await _visible(call, uow.conn, complaint):
        raise NotFound("complaint", str(complaint_id))
    if complaint.version != expected_version:
        raise Conflict(
            f"complaint is at version {complaint.version}, not {expected_version}; reload it",
            current_version=complaint.version,
        )
    return complaint


async def _visible(call: Call, conn: AsyncConnection, complaint: Complaint) -> bool:
    actor = call.actor
    if not actor.is_unit_scoped:
        return True
    assert actor.unit is not None
    if await hidden_from(
        conn, units=complaint.complained_units, officers=complaint.complained_officers, actor=actor
    ):
        return False
    for unit in (complaint.primary_unit, complaint.line_unit):
        if await in_subtree(conn, unit_code=unit, root_code=actor.unit):
            return True
    return False


async def register(call: Call, command: RegisterComplaint) -> Complaint:
    authorise(call.actor, C.REGISTER)
    now = call.runtime.clock.now()
    received_at = command.received_at or now
    if received_at.tzinfo is None:
        raise ValidationFailed("receivedAt must carry a time zone", field="receivedAt")
    external = None
    if command.external_system or command.external_ticket:
        if not (command.external_system and command.external_ticket):
            raise ValidationFailed(
                "externalRef needs both system and ticketId", field="externalRef"
            )
        external = ExternalRef(system=command.external_system, ticket=command.external_ticket)
    identity = Identity.parse(
        name=command.complainant_name,
        phone=command.complainant_phone,
        id_number=command.complainant_id_number,
    )
    for attempt in range(2):
        try:
            return await _register_once(call, command, identity, external, received_at, now)
        except Conflict:
            # Two pushes of one external reference raced; the loser returns the winner's item.
            if external is None or attempt:
                raise
    raise AssertionError("unreachable")


async def _register_once(
    call: Call,
    command: RegisterComplaint,
    identity: Identity,
    external: ExternalRef | None,
    received_at: datetime,
    now: datetime,
) -> Complaint:
    async with call.unit_of_work() as uow:
        if external is not None:
            existing = await uow.complaints.find_by_external_ref(external)
            if existing is not None:
                log.info("complaint_push_repeated", complaint=existing.id, ref=external.ticket)
                return existing
        channel = await uow.conn.scalar(
            select(rows.channel.c.code).where(rows.channel.c.code == command.channel)
        )
        if channel is None:
            raise ValidationFailed(f"unknown channel {command.channel}", field="channel")
        await _require_codes(uow.conn, rows.unit, command.complained_units, "complainedUnitCodes")
        await _require_codes(
            uow.conn, rows.officer, command.complained_officers, "complainedOfficerCodes"
        )
        complainant_id = uuid4()
        salt = await uow.complaints.add_identity(complainant_id, identity)
        complaint = Complaint.register(
            id=str(uuid4()),
            channel=command.channel,
            received_at=received_at,
            registered_at=now,
            subject=command.subject,
            content=command.content,
            complainant_id=complainant_id,
            complainant_commitments=identity.commitments(salt),
            correlation=uuid4(),
            clocks=await _clocks(call, uow.conn),
            complained_units=command.complained_units,
            complained_officers=command.complained_officers,
            external_ref=external,
        )
        uow.complaints.add(complaint)
        await uow.commit()
        return complaint


async def triage(
    call: Call,
    complaint_id: UUID,
    expected_version: int,
    *,
    category_code: str,
    unit_code: str,
    line_unit_code: str | None,
    importance: bool | None,
) -> Complaint:
    authorise(call.actor, C.TRIAGE)
    async with call.unit_of_work() as uow:
        complaint = await _load(call, uow, complaint_id, expected_version)
        category = await uow.categories.get(category_code)
        if category is None:
            raise ValidationFailed(f"unknown category {category_code}", field="categoryCode")
        for code, field in ((unit_code, "unitCode"), (line_unit_code, "lineUnitCode")):
            if code is not None and await uow.units.get(code) is None:
                raise ValidationFailed(f"unknown unit {code}", field=field)
        for code, field in ((unit_code, "unitCode"), (line_unit_code, "lineUnitCode")):
            if code and await within_any(
                uow.conn, unit_code=code, roots=complaint.complained_units
            ):
                # 信访工作条例 art. 30: never hand a complaint to a unit complained about (or inside it).
                raise ValidationFailed(
                    f"unit {code} is, or is inside, a unit complained about and cannot handle this complaint",
                    field=field,
                )
        complaint.triage(
            category=CategoryRef(code=category.code, is_enforcement=category.is_enforcement),
            primary_unit=unit_code,
            line_unit=line_unit_code,
            importance=importance,
            at=call.runtime.clock.now(),
        )
        await uow.commit()
        return complaint


async def start_handling(call: Call, complaint_id: UUID, expected_version: int) -> Complaint:
    authorise(call.actor, C.START_HANDLING)
    async with call.unit_of_work() as uow:
        complaint = await _load(call, uow, complaint_id, expected_version)
        complaint.start_handling(at=call.runtime.clock.now())
        await uow.commit()
        return complaint


async def reply(call: Call, complaint_id: UUID, expected_version: int, *, text: str) -> Complaint:
    authorise(call.actor, C.REPLY)
    async with call.unit_of_work() as uow:
        complaint = await _load(call, uow, complaint_id, expected_version)
        complaint.reply(
            text=text, at=call.runtime.clock.now(), clocks=await _clocks(call, uow.conn)
        )
        await uow.commit()
        return complaint


async def record_callback(
    call: Call,
    complaint_id: UUID,
    expected_version: int,
    *,
    satisfaction: Satisfaction,
    note: str | None,
) -> Complaint:
    authorise(call.actor, C.RECORD_CALLBACK)
    async with call.unit_of_work() as uow:
        complaint = await _load(call, uow, complaint_id, expected_version)
        complaint.record_callback(satisfaction=satisfaction, note=note, at=call.runtime.clock.now())
        await uow.commit()
        return complaint


async def close(call: Call, complaint_id: UUID, expected_version: int) -> Complaint:
    authorise(call.actor, C.CLOSE)
    async with call.unit_of_work() as uow:
        complaint = await _load(call, uow, complaint_id, expected_version)
        complaint.close(at=call.runtime.clock.now())
        await uow.commit()
        return complaint


async def reopen(
    call: Call, complaint_id: UUID, expected_version: int, *, reason: str
) -> Complaint:
    authorise(call.actor, C.REOPEN)
    async with call.unit_of_work() as uow:
        complaint = await _load(call, uow, complaint_id, expected_version)
        complaint.reopen(
            reason=reason, at=call.runtime.clock.now(), clocks=await _clocks(call, uow.conn)
        )
        await uow.commit()
        return complaint


async def merge(
    call: Call, complaint_id: UUID, expected_version: int, *, into_id: UUID, reason: str
) -> Complaint:
    authorise(call.actor, C.MERGE)
    async with call.unit_of_work() as uow:
        complaint = await _load(call, uow, complaint_id, expected_version)
        target = await uow.complaints.get(into_id)
        if target is None:
            raise ValidationFailed(f"complaint {into_id} was not found", field="intoId")
        complaint.merge_into(target=target, reason=reason, at=call.runtime.clock.now())
        await uow.commit()
        return complaint


async def reject(
    call: Call, complaint_id: UUID, expected_version: int, *, reason: str
) -> Complaint:
    authorise(call.actor, C.REJECT)
    async with call.unit_of_work() as uow:
        complaint = await _load(call, uow, complaint_id, expected_version)
        complaint.reject(reason=reason, at=call.runtime.clock.now())
        await uow.commit()
        return complaint


async def erase_identity(
    call: Call, complaint_id: UUID, expected_version: int, *, reason: str
) -> Complaint:
    authorise(call.actor, C.ERASE_IDENTITY)
    async with call.unit_of_work() as uow:
        complaint = await _load(call, uow, complaint_id, expected_version)
        if await uow.complaints.identity_erased(complaint.complainant_id):
            raise ValidationFailed("the complainant's identity is already erased", field="id")
        complaint.erase_identity(reason=reason, at=call.runtime.clock.now())
        await uow.complaints.erase_identity(complaint.complainant_id)
        await uow.commit()
        return complaint
