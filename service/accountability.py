"""Accountability commands, and points-ledger entries.

Each command: `authorise` the role, open one unit of work, load the accountability in the caller's
scope (out of scope → NOT_FOUND), compare `expected_version`, run the aggregate's method, commit.
A decision (and an appeal decision that changes or revokes measures) also writes the persons'
points ledgers in the same transaction, so the deduction and its cause are audited together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from sqlalchemy import ColumnElement, any_, exists, insert, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.accountability.aggregate import (
    Accountability,
    FaultType,
    MeasureOrder,
    PersonSubject,
    UnitSubject,
)
from domain.accountability.clocks import AccountabilityClocks
from domain.accountability.exposure import MEASURE_LABELS, person_label, unit_label
from domain.accountability.ledger import EntryKind, ForbiddenIndicators, PointsLedger, SourceRef
from domain.accountability.policy import AccountabilityCommand, authorise, may_read
from domain.accountability.split import NamedPerson, draft_split
from domain.accountability.status import (
    AppealOutcome,
    ChainRole,
    Culpability,
    MeasureKind,
    Responsibility,
    SubjectRole,
)
from domain.actor import Actor, Role
from domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from domain.reference.model import OfficerKind
from domain.review.status import FindingNature, OriginType
from service.context import Call
from service.scope import in_subtree, subtree_codes
from store import rows
from store.accountability import (
    AccountabilityRepository,
    PointsLedgerRepository,
    accountability,
    load_forbidden_indicators,
    load_measure_points,
    officer_names,
    unit_rows,
)
from store.reference import load_calendar, load_clock_rules
from store.review import ReviewRepository, officer_of, unknown_codes
from store.review import review as review_table
from store.uow import UnitOfWork

C = AccountabilityCommand
T = accountability.c
SOURCE_TYPE = "accountability"
# Who may read points ledgers and integrity records besides a handler of the officer's subtree.
CENTRE_READERS = frozenset({Role.SUPERVISOR, Role.LEADER, Role.LEGAL, Role.AUDITOR, Role.SYSTEM})


@dataclass(frozen=True, slots=True)
class PersonInput:
    officer_code: str
    role: SubjectRole
    responsibility: Responsibility | None = None
    chain_role: ChainRole | None = None
    fault_type_code: str | None = None
    fault_type: str | None = None


@dataclass(frozen=True, slots=True)
class UnitInput:
    unit_code: str
    responsibility: Responsibility
    fault_type_code: str | None = None
    fault_type: str | None = None


@dataclass(frozen=True, slots=True)
class OpenAccountability:
    review_id: UUID
    fault_type_code: str
    fault_type: str
    fault_date: date
    culpability: Culpability
    persons: tuple[PersonInput, ...] = ()
    units: tuple[UnitInput, ...] = ()


# -- scope -------------------------------------------------------------------------------------------


def _actor_officer(actor: Actor) -> ColumnElement[str]:
    if actor.officer is not None:
        return literal(actor.officer)
    return (
        select(rows.officer.c.code).where(rows.officer.c.account == actor.subject).scalar_subquery()
    )


def visibility(actor: Actor) -> ColumnElement[bool] | None:
    """The condition an accountability row must meet for `actor`, or None when centre-wide.

    A handler sees those concerning a unit of its subtree (a unit subject, or a person's unit at
    the time of the fault) and those in which its own officer is held accountable.
    """
    if not actor.is_unit_scoped:
        return None
    assert actor.unit is not None
    unit = rows.unit.c
    concerned = exists(
        select(unit.code).where(unit.code == any_(T.unit_codes), subtree_codes(actor.unit))
    )
    return or_(concerned, _actor_officer(actor) == any_(T.officer_codes))


def require_reader(actor: Actor) -> None:
    if not may_read(actor):
        raise Forbidden(f"role {actor.role.value} may not read accountabilities")


async def visible(conn: AsyncConnection, actor: Actor, accountability_id: UUID) -> bool:
    if not may_read(actor):
        return False
    condition = visibility(actor)
    if condition is None:
        return True
    found = await conn.scalar(select(T.id).where(T.id == accountability_id, condition))
    return found is not None


async def officer_visible(conn: AsyncConnection, actor: Actor, officer_code: str) -> bool:
    """Integrity records and ledgers: the centre, legal, leaders and auditors see every officer; a
    handler the officers now serving in its subtree (the record follows the person)."""
    if actor.role in CENTRE_READERS:
        return True
    if actor.role is not Role.HANDLER or actor.unit is None:
        return False
    unit = await conn.scalar(
        select(rows.officer.c.unit_code).where(rows.officer.c.code == officer_code)
    )
    return await in_subtree(conn, unit_code=unit, root_code=actor.unit)


# -- configuration -----------------------------------------------------------------------------------


async def _clocks(call: Call, conn: AsyncConnection) -> AccountabilityClocks:
    async def load() -> AccountabilityClocks:
        return AccountabilityClocks(
            rules=await load_clock_rules(conn, "accountability"),
            calendar=await load_calendar(conn),
            tz=call.runtime.tz,
        )

    return await call.runtime.config("accountability-clocks", load)


async def _points(call: Call, conn: AsyncConnection) -> dict[MeasureKind, int]:
    return await call.runtime.config("accountability-points", lambda: load_measure_points(conn))


async def _forbidden(call: Call, conn: AsyncConnection) -> ForbiddenIndicators:
    return await call.runtime.config(
        "evaluation-forbidden-indicators", lambda: load_forbidden_indicators(conn)
    )


# -- helpers -----------------------------------------------------------------------------------------


async def _load(
    call: Call, uow: UnitOfWork, accountability_id: UUID, expected_version: int
) -> Accountability:
    found = await uow.repository(AccountabilityRepository).get(accountability_id)
    if found is None or not await visible(uow.conn, call.actor, accountability_id):
        raise NotFound("accountability", str(accountability_id))
    if found.version != expected_version:
        raise Conflict(
            f"accountability is at version {found.version}, not {expected_version}; reload it",
            current_version=found.version,
        )
    return found


def _fault_type(code: str | None, text: str | None, default: FaultType, field: str) -> FaultType:
    if code is None and text is None:
        return default
    return FaultType.of(code or default.code, text or default.text, field=field)


async def _ledger_entry(
    call: Call,
    uow: UnitOfWork,
    *,
    officer: str,
    kind: EntryKind,
    amount: int,
    reason: str,
    source: SourceRef,
) -> None:
    if amount <= 0:
        return
    ledger = await uow.repository(PointsLedgerRepository).get_or_start(officer)
    ledger.record(
        kind=kind,
        amount=amount,
        reason=reason,
        indicator=None,
        source=source,
        forbidden=await _forbidden(call, uow.conn),
        at=call.runtime.clock.now(),
    )


def _labels(found: Accountability, officer: str) -> str:
    return "、".join(MEASURE_LABELS[m.kind] for m in found.measures_of(officer))


# -- opening (过错认定) ------------------------------------------------------------------------------


async def open_accountability(call: Call, command: OpenAccountability) -> Accountability:
    authorise(call.actor, C.OPEN)
    now = call.runtime.clock.now()
    async with call.unit_of_work() as uow:
        review = await uow.repository(ReviewRepository).get(command.review_id)
        if review is None:
            raise ValidationFailed(f"no review {command.review_id} is known", field="reviewId")
        finding = review.finding
        if finding is None:
            raise ValidationFailed(
                f"review {review.id} has no finding: accountability follows a finding of fault "
                "(执法过错)",
                field="reviewId",
            )
        if finding.nature is not FindingNature.FAULT:
            what = (
                "a flaw (执法瑕疵): a flaw goes to evaluation (考评), not to accountability"
                if finding.nature is FindingNature.FLAW
                else "not a fault: nothing was substantiated"
            )
            raise ValidationFailed(
                f"the finding of review {review.id} ({finding.result.value}, {finding.nature.value}: "
                f"{finding.summary}) is {what}",
                field="reviewId",
            )
        if review.plan and review.signed_off_at is None:
            raise ValidationFailed(
                f"the finding of review {review.id} is not signed off yet (五级审核)",
                field="reviewId",
            )
        repository = uow.repository(AccountabilityRepository)
        existing = await repository.of_review(command.review_id)
        if existing is not None:
            raise ValidationFailed(
                f"accountability {existing} already takes up review {review.id}",
                field="reviewId",
            )
        default = FaultType.of(command.fault_type_code, command.fault_type)
        missing = await unknown_codes(
            uow.conn, rows.officer, [p.officer_code for p in command.persons]
        )
        if missing:
            raise ValidationFailed(f"unknown officers: {', '.join(missing)}", field="persons")
        missing = await unknown_codes(uow.conn, rows.unit, [u.unit_code for u in command.units])
        if missing:
            raise ValidationFailed(f"unknown units: {', '.join(missing)}", field="units")
        given = {p.officer_code: p for p in command.persons}
        draft = draft_split(
            [
                NamedPerson(officer=p.officer_code, role=p.role, chain_role=p.chain_role)
                for p in command.persons
            ],
            review.steps,
        )
        persons: list[PersonSubject] = []
        for share in draft:
            officer = await uow.officers.get(share.officer)
            unit_then = officer.unit_on(command.fault_date) if officer else None
            if unit_then is None:
                raise ValidationFailed(
                    f"officer {share.officer} served in no unit on {command.fault_date.isoformat()}",
                    field="faultDate",
                )
            named = given.get(share.officer)
            responsibility = (named.responsibility if named else None) or (
                Responsibility.LEADERSHIP
                if share.role is SubjectRole.ON_DUTY_LEADER
                else Responsibility.DIRECT
            )
            persons.append(
                PersonSubject(
                    officer=share.officer,
                    role=share.role,
                    unit_at_fault=unit_then,
                    fault_type=_fault_type(
                        named.fault_type_code if named else None,
                        named.fault_type if named else None,
                        default,
                        "persons",
                    ),
                    responsibility=responsibility,
                    chain_role=share.chain_role,
                    share=share.share,
                )
            )
        units = [
            UnitSubject(
                unit=u.unit_code,
                fault_type=_fault_type(u.fault_type_code, u.fault_type, default, "units"),
                responsibility=u.responsibility,
            )
            for u in command.units
        ]
        opened = Accountability.open(
            id=str(uuid4()),
            review_id=review.id,
            unit=review.unit,
            correlation=review.correlation,
            fault_type=default,
            fault_date=command.fault_date,
            culpability=command.culpability,
            persons=persons,
            units=units,
            today=now.astimezone(call.runtime.tz).date(),
            at=now,
        )
        repository.add(opened)
        await uow.commit()
        return opened


# -- shares and measures -----------------------------------------------------------------------------


async def change_shares(
    call: Call,
    accountability_id: UUID,
    expected_version: int,
    *,
    shares: Mapping[str, tuple[int, ChainRole | None]],
    reason: str,
) -> Accountability:
    authorise(call.actor, C.CHANGE_SHARES)
    async with call.unit_of_work() as uow:
        found = await _load(call, uow, accountability_id, expected_version)
        found.change_shares(changes=shares, reason=reason, at=call.runtime.clock.now())
        await uow.commit()
        return found


async def propose_measures(
    call: Call, accountability_id: UUID, expected_version: int, *, orders: Sequence[MeasureOrder]
) -> Accountability:
    authorise(call.actor, C.PROPOSE_MEASURES)
    async with call.unit_of_work() as uow:
        found = await _load(call, uow, accountability_id, expected_version)
        found.propose_measures(
            orders=orders, clocks=await _clocks(call, uow.conn), at=call.runtime.clock.now()
        )
        await uow.commit()
        return found


async def decide(
    call: Call,
    accountability_id: UUID,
    expected_version: int,
    *,
    orders: Sequence[MeasureOrder] | None,
    note: str | None,
) -> Accountability:
    """A leader decides; each person's measures deduct points from their ledger (过错扣分)."""
    authorise(call.actor, C.DECIDE)
    async with call.unit_of_work() as uow:
        found = await _load(call, uow, accountability_id, expected_version)
        found.decide(
            orders=orders,
            note=note,
            clocks=await _clocks(call, uow.conn),
            at=call.runtime.clock.now(),
        )
        source = SourceRef(type=SOURCE_TYPE, id=found.id)
        for officer, amount in found.deductions(await _points(call, uow.conn)).items():
            await _ledger_entry(
                call,
                uow,
                officer=officer,
                kind=EntryKind.DEDUCT,
                amount=amount,
                reason=f"过错扣分: {found.fault_type.text} ({_labels(found, officer)})",
                source=source,
            )
        await uow.commit()
        return found


# -- appeals -----------------------------------------------------------------------------------------


async def appeal(
    call: Call,
    accountability_id: UUID,
    expected_version: int,
    *,
    appellant: str | None,
    grounds: str,
) -> Accountability:
    """A person held accountable appeals (申诉); the centre may record a paper appeal for them."""
    authorise(call.actor, C.APPEAL)
    async with call.unit_of_work() as uow:
        found = await _load(call, uow, accountability_id, expected_version)
        who = appellant
        if call.actor.role is Role.HANDLER:
            own = await officer_of(uow.conn, call.actor)
            if own is None or (appellant is not None and appellant != own):
                raise Forbidden("a handler appeals only for itself, as the officer its token names")
            who = own
        if who is None:
            raise ValidationFailed("name the appellant", field="appellantOfficerCode")
        found.appeal(appellant=who, grounds=grounds, at=call.runtime.clock.now())
        await uow.commit()
        return found


async def decide_appeal(
    call: Call,
    accountability_id: UUID,
    expected_version: int,
    *,
    appellant: str,
    outcome: AppealOutcome,
    note: str,
    orders: Sequence[MeasureOrder],
) -> Accountability:
    """A leader decides an appeal; changed or revoked measures correct the appellant's points."""
    authorise(call.actor, C.DECIDE_APPEAL)
    async with call.unit_of_work() as uow:
        found = await _load(call, uow, accountability_id, expected_version)
        points = await _points(call, uow.conn)
        before = found.points_due(appellant, points)
        found.decide_appeal(
            appellant=appellant,
            outcome=outcome,
            note=note,
            orders=orders,
            clocks=await _clocks(call, uow.conn),
            at=call.runtime.clock.now(),
        )
        after = found.points_due(appellant, points)
        # One entry per ledger per command (a ledger moves one version per event): the net
        # correction, up or down.
        if after != before:
            verb = "变更" if outcome is AppealOutcome.CHANGED else "撤销"
            await _ledger_entry(
                call,
                uow,
                officer=appellant,
                kind=EntryKind.DEDUCT if after > before else EntryKind.REVERSAL,
                amount=abs(after - before),
                reason=f"申诉{verb}: {found.fault_type.text}, 扣分 {before} → {after}",
                source=SourceRef(type=SOURCE_TYPE, id=found.id),
            )
        await uow.commit()
        return found


# -- the exposure board ------------------------------------------------------------------------------


async def _complainant_name(call: Call, conn: AsyncConnection, review_id: str) -> str | None:
    """The complainant behind the review's origin complaint, read only to be removed from the
    published text; the read is recorded in the personal-data access log."""
    origin = (
        await conn.execute(
            select(review_table.c.origin_type, review_table.c.origin_id).where(
                review_table.c.id == UUID(review_id)
            )
        )
    ).one_or_none()
    if origin is None or origin.origin_type != OriginType.COMPLAINT.value or not origin.origin_id:
        return None
    person = (
        await conn.execute(
            select(rows.complainant.c.id, rows.complainant.c.name)
            .join(rows.complaint, rows.complaint.c.complainant_id == rows.complainant.c.id)
            .where(rows.complaint.c.id == UUID(origin.origin_id))
        )
    ).one_or_none()
    if person is None or person.name is None:
        return None
    await conn.execute(
        insert(rows.personal_data_access).values(
            complainant_id=person.id,
            actor_subject=call.actor.subject,
            actor_role=call.actor.role.value,
            request_id=call.request_id,
        )
    )
    return str(person.name)


async def publish(
    call: Call, accountability_id: UUID, expected_version: int, *, title: str, summary: str
) -> Accountability:
    """Publish as a typical case (曝光台): persons as role + unit, personal data removed."""
    authorise(call.actor, C.PUBLISH)
    async with call.unit_of_work() as uow:
        found = await _load(call, uow, accountability_id, expected_version)
        officers = await officer_names(uow.conn, found.officer_codes)
        units = await unit_rows(uow.conn, found.unit_codes)

        def unit_text(code: str) -> str:
            row = units.get(code)
            if row is None:
                return "某单位"
            return unit_label(kind=row.kind, name=row.name, parent_name=row.parent_name)

        labels = {u.unit: unit_text(u.unit) for u in found.units}
        for person in found.persons:
            officer = officers.get(person.officer)
            labels[person.officer] = person_label(
                role=person.role,
                auxiliary=officer is not None and officer.kind == OfficerKind.AUXILIARY.value,
                unit=unit_text(person.unit_at_fault),
            )
        names = [row.name for row in officers.values()]
        complainant = await _complainant_name(call, uow.conn, found.review_id)
        if complainant:
            names.append(complainant)
        found.publish(
            title=title,
            summary=summary,
            labels=labels,
            names=names,
            at=call.runtime.clock.now(),
        )
        await uow.commit()
        return found


# -- points entries (积分) ---------------------------------------------------------------------------


async def record_points_entry(
    call: Call,
    officer_code: str,
    expected_version: int,
    *,
    kind: EntryKind,
    amount: int,
    indicator: str | None,
    reason: str,
    source: SourceRef | None,
) -> PointsLedger:
    """达标得分 (EARN) or 积分消抵 (OFFSET); deductions come only from decided accountabilities."""
    authorise(call.actor, C.RECORD_POINTS_ENTRY)
    if kind not in {EntryKind.EARN, EntryKind.OFFSET}:
        raise ValidationFailed(
            "record EARN or OFFSET entries; deductions follow accountability decisions",
            field="kind",
        )
    async with call.unit_of_work() as uow:
        if await unknown_codes(uow.conn, rows.officer, [officer_code]):
            raise NotFound("officer", officer_code)
        ledger = await uow.repository(PointsLedgerRepository).get_or_start(officer_code)
        if ledger.version != expected_version:
            raise Conflict(
                f"the points ledger is at version {ledger.version}, not {expected_version}; "
                "reload it",
                current_version=ledger.version,
            )
        ledger.record(
            kind=kind,
            amount=amount,
            reason=reason,
            indicator=indicator,
            source=source,
            forbidden=await _forbidden(call, uow.conn),
            at=call.runtime.clock.now(),
        )
        await uow.commit()
        return ledger
