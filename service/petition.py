"""Petition commands: registration, acceptance and routing, handling, review, backlog work."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID, uuid4

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.complaint.aggregate import Complaint
from domain.complaint.status import ComplaintStatus
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.personal import Identity
from domain.petition.aggregate import Petition
from domain.petition.clocks import PetitionClocks
from domain.petition.errors import AlreadyReExamined
from domain.petition.policy import PetitionCommand, authorise
from domain.petition.status import (
    Finding,
    JudicialAidStatus,
    Outcome,
    RoutingDecision,
    SupervisionLevel,
)
from service.context import Call
from service.scope import hidden_from, in_subtree, within_any
from store import rows
from store.petition import PetitionRepository
from store.reference import load_calendar, load_clock_rules
from store.uow import UnitOfWork

C = PetitionCommand


@dataclass(frozen=True, slots=True)
class RegisterPetition:
    subject: str
    content: str
    petitioner_name: str
    petitioner_phone: str
    handling_unit: str
    petitioner_id_number: str | None = None
    supervision_level: SupervisionLevel = SupervisionLevel.CITY
    received_at: datetime | None = None  # None means now
    complained_units: tuple[str, ...] = ()
    complained_officers: tuple[str, ...] = ()
    same_matter_as: UUID | None = None


@dataclass(frozen=True, slots=True)
class RegisterPetitionFromComplaint:
    complaint_id: UUID
    handling_unit: str | None = None  # None: the complaint's primary unit
    supervision_level: SupervisionLevel = SupervisionLevel.CITY
    subject: str | None = None  # None: the complaint's
    content: str | None = None
    received_at: datetime | None = None  # None: when the complaint was received


async def _clocks(call: Call, conn: AsyncConnection) -> PetitionClocks:
    async def load() -> PetitionClocks:
        return PetitionClocks(
            rules=await load_clock_rules(conn, "petition"),
            calendar=await load_calendar(conn),
            tz=call.runtime.tz,
        )

    return await call.runtime.config("petition-clocks", load)


async def _require_codes(
    conn: AsyncConnection, table: object, codes: tuple[str, ...], field: str
) -> None:
    if not codes:
        return
    code_column = table.c.code  # type: ignore[attr-defined]
    found = set(await conn.scalars(select(code_column).where(code_column.in_(codes))))
    missing = [c for c in dict.fromkeys(codes) if c not in found]
    if missing:
        raise ValidationFailed(f"unknown {field}: {', '.join(missing)}", field=field)


async def _routable(
    conn: AsyncConnection, unit: str, complained_units: tuple[str, ...], field: str
) -> None:
    await _require_codes(conn, rows.unit, (unit,), field)
    if await within_any(conn, unit_code=unit, roots=complained_units):
        # 信访工作条例 art. 30: never hand an item to the unit it is about (or a unit inside it).
        raise ValidationFailed(
            f"unit {unit} is, or is inside, a unit complained about and cannot handle this petition",
            field=field,
        )


async def visible(call: Call, conn: AsyncConnection, petition: Petition) -> bool:
    """A handler sees petitions its unit's subtree handles, never one about its own unit."""
    actor = call.actor
    if not actor.is_unit_scoped:
        return True
    assert actor.unit is not None
    if await hidden_from(
        conn, units=petition.complained_units, officers=petition.complained_officers, actor=actor
    ):
        return False
    return await in_subtree(conn, unit_code=petition.handling_unit, root_code=actor.unit)


async def _load(call: Call, uow: UnitOfWork, petition_id: UUID, expected_version: int) -> Petition:
    petition = await uow.repository(PetitionRepository).get(petition_id)
    if petition is None or not await visible(call, uow.conn, petition):
        raise NotFound("petition", str(petition_id))
    if petition.version != expected_version:
        raise Conflict(
            f"petition is at version {petition.version}, not {expected_version}; reload it",
            current_version=petition.version,
        )
    return petition


Step = Callable[[Petition, UnitOfWork, datetime], Awaitable[None]]


async def _command(
    call: Call, command: PetitionCommand, petition_id: UUID, expected_version: int, step: Step
) -> Petition:
    """Authorise, load in scope at the expected version, run one aggregate command, commit."""
    authorise(call.actor, command)
    async with call.unit_of_work() as uow:
        petition = await _load(call, uow, petition_id, expected_version)
        await step(petition, uow, call.runtime.clock.now())
        await uow.commit()
        return petition


# -- registration ------------------------------------------------------------------------------


async def register(call: Call, command: RegisterPetition) -> Petition:
    authorise(call.actor, C.REGISTER)
    now = call.runtime.clock.now()
    received_at = command.received_at or now
    if received_at.tzinfo is None:
        raise ValidationFailed("receivedAt must carry a time zone", field="receivedAt")
    identity = Identity.parse(
        name=command.petitioner_name,
        phone=command.petitioner_phone,
        id_number=command.petitioner_id_number,
    )
    repeated: AlreadyReExamined | None = None
    petition: Petition | None = None
    async with call.unit_of_work() as uow:
        petitions = uow.repository(PetitionRepository)
        correlation = uuid4()
        if command.same_matter_as is not None:
            original = await petitions.get(command.same_matter_as)
            if original is None or not await visible(call, uow.conn, original):
                raise ValidationFailed(
                    f"petition {command.same_matter_as} was not found", field="sameMatterAs"
                )
            if original.re_examined_at is not None:
                authorise(call.actor, C.RECORD_REPEAT)
                repeated = original.record_repeat(at=now)
            correlation = original.correlation
        if repeated is None:
            await _require_codes(
                uow.conn, rows.unit, command.complained_units, "complainedUnitCodes"
            )
            await _require_codes(
                uow.conn, rows.officer, command.complained_officers, "complainedOfficerCodes"
            )
            await _routable(
                uow.conn, command.handling_unit, command.complained_units, "handlingUnitCode"
            )
            person = uuid4()
            salt = await petitions.add_identity(person, identity)
            petition = Petition.register(
                id=str(uuid4()),
                received_at=received_at,
                registered_at=now,
                subject=command.subject,
                content=command.content,
                petitioner_id=person,
                petitioner_commitments=identity.commitments(salt),
                correlation=correlation,
                handling_unit=command.handling_unit,
                supervision_level=command.supervision_level,
                clocks=await _clocks(call, uow.conn),
                complained_units=command.complained_units,
                complained_officers=command.complained_officers,
                same_matter_as=str(command.same_matter_as) if command.same_matter_as else None,
            )
            petitions.add(petition)
        await uow.commit()
    if repeated is not None:
        # Committed first: the repeat and the backlog mark are facts even though it is refused.
        raise repeated
    assert petition is not None
    return petition


async def _complaint_visible(call: Call, conn: AsyncConnection, complaint: Complaint) -> bool:
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


async def register_from_complaint(call: Call, command: RegisterPetitionFromComplaint) -> Petition:
    """A complaint becomes a petition: same loop (correlation id), same person; it is unchanged."""
    authorise(call.actor, C.REGISTER)
    now = call.runtime.clock.now()
    if command.received_at is not None and command.received_at.tzinfo is None:
        raise ValidationFailed("receivedAt must carry a time zone", field="receivedAt")
    async with call.unit_of_work() as uow:
        petitions = uow.repository(PetitionRepository)
        complaint = await uow.complaints.get(command.complaint_id)
        if complaint is None or not await _complaint_visible(call, uow.conn, complaint):
            raise NotFound("complaint", str(command.complaint_id))
        if complaint.status is ComplaintStatus.MERGED:
            raise ValidationFailed(
                f"complaint {complaint.id} was merged into {complaint.merged_into}; "
                "register the petition from that one",
                field="complaintId",
            )
        existing = await petitions.id_for_complaint(command.complaint_id)
        if existing is not None:
            raise ValidationFailed(
                f"complaint {complaint.id} is already registered as petition {existing}",
                field="complaintId",
            )
        unit = command.handling_unit or complaint.primary_unit
        if unit is None:
            raise ValidationFailed(
                "the complaint is not routed yet: name the handling unit",
                field="handlingUnitCode",
            )
        await _routable(uow.conn, unit, complaint.complained_units, "handlingUnitCode")
        person = await petitions.identity(complaint.complainant_id)
        if person is None:
            raise ValidationFailed(
                "the complainant's identity was erased (PIPL); register the petition directly",
                field="complaintId",
            )
        identity, salt = person
        petition = Petition.register(
            id=str(uuid4()),
            received_at=command.received_at or complaint.received_at,
            registered_at=now,
            subject=complaint.subject if command.subject is None else command.subject,
            content=complaint.content if command.content is None else command.content,
            petitioner_id=complaint.complainant_id,
            petitioner_commitments=identity.commitments(salt),
            correlation=complaint.correlation,
            handling_unit=unit,
            supervision_level=command.supervision_level,
            clocks=await _clocks(call, uow.conn),
            complained_units=complaint.complained_units,
            complained_officers=complaint.complained_officers,
            origin_complaint=complaint.id,
        )
        petitions.add(petition)
        await uow.commit()
        return petition


# -- acceptance and routing --------------------------------------------------------------------


async def accept(call: Call, petition_id: UUID, expected_version: int) -> Petition:
    async def step(p: Petition, uow: UnitOfWork, now: datetime) -> None:
        p.accept(at=now, clocks=await _clocks(call, uow.conn))

    return await _command(call, C.ACCEPT, petition_id, expected_version, step)


async def refuse(call: Call, petition_id: UUID, expected_version: int, *, reason: str) -> Petition:
    async def step(p: Petition, uow: UnitOfWork, now: datetime) -> None:
        p.refuse(reason=reason, at=now)

    return await _command(call, C.REFUSE, petition_id, expected_version, step)


async def object_to_routing(
    call: Call, petition_id: UUID, expected_version: int, *, reason: str
) -> Petition:
    async def step(p: Petition, uow: UnitOfWork, now: datetime) -> None:
        p.object_to_routing(reason=reason, at=now)

    return await _command(call, C.OBJECT_TO_ROUTING, petition_id, expected_version, step)


async def decide_routing(
    call: Call,
    petition_id: UUID,
    expected_version: int,
    *,
    decision: RoutingDecision,
    superior_unit: str,
    unit: str | None,
    reason: str,
) -> Petition:
    async def step(p: Petition, uow: UnitOfWork, now: datetime) -> None:
        await _require_codes(uow.conn, rows.unit, (superior_unit,), "superiorUnitCode")
        if unit is not None and decision is RoutingDecision.REASSIGNED:
            await _routable(uow.conn, unit, p.complained_units, "unitCode")
        for disputed in dict.fromkeys(u for u in (p.handling_unit, unit) if u):
            if not await within_any(uow.conn, unit_code=disputed, roots=(superior_unit,)):
                raise ValidationFailed(
                    f"{superior_unit} is not a common superior of {disputed} "
                    "(信访工作条例 art. 24)",
                    field="superiorUnitCode",
                )
        p.decide_routing(
            decision=decision,
            superior_unit=superior_unit,
            unit=unit,
            reason=reason,
            at=now,
            clocks=await _clocks(call, uow.conn),
        )

    return await _command(call, C.DECIDE_ROUTING, petition_id, expected_version, step)


# -- handling ----------------------------------------------------------------------------------


async def start_handling(call: Call, petition_id: UUID, expected_version: int) -> Petition:
    async def step(p: Petition, uow: UnitOfWork, now: datetime) -> None:
        p.start_handling(at=now)

    return await _command(call, C.START_HANDLING, petition_id, expected_version, step)


async def extend_handling(
    call: Call, petition_id: UUID, expected_version: int, *, days: int, reason: str
) -> Petition:
    async def step(p: Petition, uow: UnitOfWork, now: datetime) -> None:
        p.extend_handling(
            days=days,
            reason=reason,
            approver_role=call.actor.role.value,
            at=now,
            clocks=await _clocks(call, uow.conn),
        )

    return await _command(call, C.EXTEND_HANDLING, petition_id, expected_version, step)


async def answer(
    call: Call, petition_id: UUID, expected_version: int, *, finding: Finding, text: str
) -> Petition:
    async def step(p: Petition, uow: UnitOfWork, now: datetime) -> None:
        p.answer(finding=finding, text=text, at=now, clocks=await _clocks(call, uow.conn))

    return await _command(call, C.ANSWER, petition_id, expected_version, step)


async def request_review(
    call: Call, petition_id: UUID, expected_version: int, *, reason: str
) -> Petition:
    async def step(p: Petition, uow: UnitOfWork, now: datetime) -> None:
        p.request_review(reason=reason, at=now, clocks=await _clocks(call, uow.conn))

    return await _command(call, C.REQUEST_REVIEW, petition_id, expected_version, step)


async def decide_review(
    call: Call, petition_id: UUID, expected_version: int, *, finding: Finding, text: str
) -> Petition:
    async def step(p: Petition, uow: UnitOfWork, now: datetime) -> None:
        p.decide_review(finding=finding, text=text, at=now, clocks=await _clocks(call, uow.conn))

    return await _command(call, C.DECIDE_REVIEW, petition_id, expected_version, step)


async def request_re_examination(
    call: Call, petition_id: UUID, expected_version: int, *, reason: str
) -> Petition:
    async def step(p: Petition, uow: UnitOfWork, now: datetime) -> None:
        p.request_re_examination(reason=reason, at=now, clocks=await _clocks(call, uow.conn))

    return await _command(call, C.REQUEST_RE_EXAMINATION, petition_id, expected_version, step)


async def decide_re_examination(
    call: Call, petition_id: UUID, expected_version: int, *, finding: Finding, text: str
) -> Petition:
    async def step(p: Petition, uow: UnitOfWork, now: datetime) -> None:
        p.decide_re_examination(finding=finding, text=text, at=now)

    return await _command(call, C.DECIDE_RE_EXAMINATION, petition_id, expected_version, step)


async def close(call: Call, petition_id: UUID, expected_version: int) -> Petition:
    async def step(p: Petition, uow: UnitOfWork, now: datetime) -> None:
        p.close(at=now)

    return await _command(call, C.CLOSE, petition_id, expected_version, step)


# -- backlog work ------------------------------------------------------------------------------


async def mark_backlog(
    call: Call, petition_id: UUID, expected_version: int, *, reason: str
) -> Petition:
    async def step(p: Petition, uow: UnitOfWork, now: datetime) -> None:
        p.mark_backlog(reason=reason, at=now)

    return await _command(call, C.MARK_BACKLOG, petition_id, expected_version, step)


async def assign_leader(
    call: Call, petition_id: UUID, expected_version: int, *, officer: str, deadline: date
) -> Petition:
    async def step(p: Petition, uow: UnitOfWork, now: datetime) -> None:
        await _require_codes(uow.conn, rows.officer, (officer,), "officerCode")
        p.assign_leader(officer=officer, deadline=deadline, at=now, tz=call.runtime.tz)

    return await _command(call, C.ASSIGN_LEADER, petition_id, expected_version, step)


async def record_dispatch(
    call: Call, petition_id: UUID, expected_version: int, *, held_on: date, notes: str
) -> Petition:
    async def step(p: Petition, uow: UnitOfWork, now: datetime) -> None:
        p.record_dispatch(held_on=held_on, notes=notes, at=now, tz=call.runtime.tz)

    return await _command(call, C.RECORD_DISPATCH, petition_id, expected_version, step)


async def record_interview(
    call: Call,
    petition_id: UUID,
    expected_version: int,
    *,
    held_on: date,
    participants: tuple[str, ...],
    notes: str,
) -> Petition:
    async def step(p: Petition, uow: UnitOfWork, now: datetime) -> None:
        p.record_interview(
            held_on=held_on, participants=participants, notes=notes, at=now, tz=call.runtime.tz
        )

    return await _command(call, C.RECORD_INTERVIEW, petition_id, expected_version, step)


async def record_lawyer(
    call: Call, petition_id: UUID, expected_version: int, *, name: str, firm: str
) -> Petition:
    async def step(p: Petition, uow: UnitOfWork, now: datetime) -> None:
        p.record_lawyer(name=name, firm=firm, at=now)

    return await _command(call, C.RECORD_LAWYER, petition_id, expected_version, step)


async def refer_to_legal_aid(
    call: Call, petition_id: UUID, expected_version: int, *, centre: str, note: str | None
) -> Petition:
    async def step(p: Petition, uow: UnitOfWork, now: datetime) -> None:
        p.refer_to_legal_aid(centre=centre, note=note, at=now)

    return await _command(call, C.REFER_LEGAL_AID, petition_id, expected_version, step)


async def record_judicial_aid(
    call: Call,
    petition_id: UUID,
    expected_version: int,
    *,
    status: JudicialAidStatus,
    amount: int | None,
    note: str | None,
) -> Petition:
    async def step(p: Petition, uow: UnitOfWork, now: datetime) -> None:
        p.record_judicial_aid(status=status, amount=amount, note=note, at=now)

    return await _command(call, C.RECORD_JUDICIAL_AID, petition_id, expected_version, step)


async def record_outcome(
    call: Call, petition_id: UUID, expected_version: int, *, outcome: Outcome, note: str | None
) -> Petition:
    async def step(p: Petition, uow: UnitOfWork, now: datetime) -> None:
        p.record_outcome(outcome=outcome, note=note, at=now)

    return await _command(call, C.RECORD_OUTCOME, petition_id, expected_version, step)


async def add_attachment(
    call: Call,
    petition_id: UUID,
    expected_version: int,
    *,
    name: str,
    media_type: str,
    size: int,
    sha256: str,
) -> Petition:
    async def step(p: Petition, uow: UnitOfWork, now: datetime) -> None:
        p.add_attachment(
            name=name,
            media_type=media_type,
            size=size,
            sha256=sha256,
            added_by=call.actor.subject,
            at=now,
        )

    return await _command(call, C.ADD_ATTACHMENT, petition_id, expected_version, step)
