"""Case commands: register, the stages, transfers and jurisdiction, measures, revisits, tracking."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

import structlog
from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.actor import Actor, Role
from domain.case.aggregate import Case
from domain.case.clocks import CaseClocks
from domain.case.policy import CaseCommand, authorise
from domain.case.status import (
    CaseKind,
    ChallengeLevel,
    ChallengeOutcome,
    DetentionStep,
    MeasureKind,
    RevisitOutcome,
)
from domain.case.values import ExternalRef
from domain.errors import Conflict, NotFound, ValidationFailed
from service.context import Call
from service.scope import in_subtree, subtree_select
from store.case import CaseRepository, police_case
from store.reference import load_calendar, load_clock_rules
from store.uow import UnitOfWork

log = structlog.get_logger(__name__)
C = CaseCommand


@dataclass(frozen=True, slots=True)
class RegisterCase:
    kind: CaseKind
    title: str
    unit_code: str
    summary: str = ""
    lead_officer_code: str | None = None
    alert_received_at: datetime | None = None  # None means now
    external_system: str | None = None
    external_record_id: str | None = None


async def _clocks(call: Call, conn: AsyncConnection) -> CaseClocks:
    async def load() -> CaseClocks:
        return CaseClocks(
            rules=await load_clock_rules(conn, "case"),
            calendar=await load_calendar(conn),
            tz=call.runtime.tz,
        )

    return await call.runtime.config("case-clocks", load)


async def _visible(call: Call, conn: AsyncConnection, case: Case) -> bool:
    actor = call.actor
    if not actor.is_unit_scoped:
        return True
    assert actor.unit is not None
    return await in_subtree(conn, unit_code=case.unit, root_code=actor.unit)


async def _load(call: Call, uow: UnitOfWork, case_id: UUID, expected_version: int) -> Case:
    case = await uow.repository(CaseRepository).get(case_id)
    if case is None or not await _visible(call, uow.conn, case):
        raise NotFound("case", str(case_id))
    if case.version != expected_version:
        raise Conflict(
            f"case is at version {case.version}, not {expected_version}; reload it",
            current_version=case.version,
        )
    return case


async def _require_unit(uow: UnitOfWork, code: str, field: str) -> None:
    if await uow.units.get(code) is None:
        raise ValidationFailed(f"unknown unit {code}", field=field)


async def _require_officer(uow: UnitOfWork, code: str, field: str) -> None:
    if await uow.officers.get(code) is None:
        raise ValidationFailed(f"unknown officer {code}", field=field)


Apply = Callable[[UnitOfWork, Case, datetime], Awaitable[None]]


async def _change(
    call: Call, command: CaseCommand, case_id: UUID, expected_version: int, apply: Apply
) -> Case:
    """Authorise, load in scope at the expected version, apply one command, commit."""
    authorise(call.actor, command)
    async with call.unit_of_work() as uow:
        case = await _load(call, uow, case_id, expected_version)
        await apply(uow, case, call.runtime.clock.now())
        await uow.commit()
        return case


# -- registration ------------------------------------------------------------------------------


async def register(call: Call, command: RegisterCase) -> Case:
    authorise(call.actor, C.REGISTER)
    now = call.runtime.clock.now()
    external = None
    if command.external_system or command.external_record_id:
        if not (command.external_system and command.external_record_id):
            raise ValidationFailed(
                "externalRef needs both system and recordId", field="externalRef"
            )
        external = ExternalRef(system=command.external_system, record_id=command.external_record_id)
    elif call.actor.role is Role.INTEGRATION:
        raise ValidationFailed(
            "a pushed case needs its externalRef (the idempotency key)", field="externalRef"
        )
    for attempt in range(2):
        try:
            return await _register_once(call, command, external, now)
        except Conflict:
            # Two pushes of one external record raced; the loser returns the winner's case.
            if external is None or attempt:
                raise
    raise AssertionError("unreachable")


async def _register_once(
    call: Call, command: RegisterCase, external: ExternalRef | None, now: datetime
) -> Case:
    async with call.unit_of_work() as uow:
        cases = uow.repository(CaseRepository)
        if external is not None:
            existing = await cases.find_by_external_ref(external)
            if existing is not None:
                log.info("case_push_repeated", case=existing.id, ref=external.record_id)
                return existing
        await _require_unit(uow, command.unit_code, "unitCode")
        if command.lead_officer_code is not None:
            await _require_officer(uow, command.lead_officer_code, "leadOfficerCode")
        case = Case.register(
            id=str(uuid4()),
            kind=command.kind,
            title=command.title,
            summary=command.summary,
            unit=command.unit_code,
            lead_officer=command.lead_officer_code,
            alert_received_at=command.alert_received_at or now,
            registered_at=now,
            correlation=uuid4(),
            by=call.actor,
            external_ref=external,
        )
        cases.add(case)
        await uow.commit()
        return case


# -- stages ------------------------------------------------------------------------------------


async def accept(call: Call, case_id: UUID, expected_version: int) -> Case:
    async def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
        case.accept(at=now, by=call.actor, clocks=await _clocks(call, uow.conn))

    return await _change(call, C.ACCEPT, case_id, expected_version, apply)


async def file(call: Call, case_id: UUID, expected_version: int) -> Case:
    async def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
        case.file(at=now, by=call.actor, clocks=await _clocks(call, uow.conn))

    return await _change(call, C.FILE, case_id, expected_version, apply)


async def start_investigating(call: Call, case_id: UUID, expected_version: int) -> Case:
    async def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
        case.start_investigating(at=now, by=call.actor)

    return await _change(call, C.START_INVESTIGATING, case_id, expected_version, apply)


async def conclude(call: Call, case_id: UUID, expected_version: int) -> Case:
    async def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
        case.conclude(at=now, by=call.actor)

    return await _change(call, C.CONCLUDE, case_id, expected_version, apply)


async def refuse_to_file(call: Call, case_id: UUID, expected_version: int, *, reason: str) -> Case:
    async def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
        case.refuse_to_file(
            reason=reason, at=now, by=call.actor, clocks=await _clocks(call, uow.conn)
        )

    return await _change(call, C.REFUSE_TO_FILE, case_id, expected_version, apply)


async def withdraw(call: Call, case_id: UUID, expected_version: int, *, reason: str) -> Case:
    async def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
        case.withdraw(reason=reason, at=now, by=call.actor)

    return await _change(call, C.WITHDRAW, case_id, expected_version, apply)


# -- owning unit and jurisdiction --------------------------------------------------------------


async def transfer(
    call: Call, case_id: UUID, expected_version: int, *, to_unit_code: str, reason: str
) -> Case:
    async def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
        await _require_unit(uow, to_unit_code, "toUnitCode")
        case.transfer(to_unit=to_unit_code, reason=reason, at=now, by=call.actor)

    return await _change(call, C.TRANSFER, case_id, expected_version, apply)


async def refuse_jurisdiction(
    call: Call, case_id: UUID, expected_version: int, *, unit_code: str | None, reason: str
) -> Case:
    """The refusing unit defaults to the owning unit; a handler speaks only for its subtree."""

    async def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
        unit = unit_code or case.unit
        await _require_unit(uow, unit, "unitCode")
        actor = call.actor
        if actor.is_unit_scoped:
            assert actor.unit is not None
            if not await in_subtree(uow.conn, unit_code=unit, root_code=actor.unit):
                raise ValidationFailed(
                    f"a handler of {actor.unit} cannot decline on behalf of {unit}",
                    field="unitCode",
                )
        case.refuse_jurisdiction(unit=unit, reason=reason, at=now, by=actor)

    return await _change(call, C.REFUSE_JURISDICTION, case_id, expected_version, apply)


async def designate_jurisdiction(
    call: Call, case_id: UUID, expected_version: int, *, unit_code: str, reason: str
) -> Case:
    async def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
        await _require_unit(uow, unit_code, "unitCode")
        case.designate_jurisdiction(unit=unit_code, reason=reason, at=now, by=call.actor)

    return await _change(call, C.DESIGNATE_JURISDICTION, case_id, expected_version, apply)


# -- coercive measures -------------------------------------------------------------------------


async def start_measure(
    call: Call,
    case_id: UUID,
    expected_version: int,
    *,
    kind: MeasureKind,
    person_label: str,
    started_at: datetime | None,
) -> Case:
    async def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
        case.start_measure(
            kind=kind,
            person_label=person_label,
            started_at=started_at or now,
            at=now,
            by=call.actor,
            clocks=await _clocks(call, uow.conn),
        )

    return await _change(call, C.START_MEASURE, case_id, expected_version, apply)


async def extend_measure(
    call: Call,
    case_id: UUID,
    expected_version: int,
    *,
    number: int,
    amount: int,
    reason: str,
    serious: bool,
) -> Case:
    async def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
        case.extend_measure(
            number=number,
            amount=amount,
            reason=reason,
            serious=serious,
            at=now,
            by=call.actor,
            clocks=await _clocks(call, uow.conn),
        )

    return await _change(call, C.EXTEND_MEASURE, case_id, expected_version, apply)


async def end_measure(
    call: Call,
    case_id: UUID,
    expected_version: int,
    *,
    number: int,
    ended_at: datetime | None,
    reason: str | None,
) -> Case:
    async def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
        case.end_measure(
            number=number, ended_at=ended_at or now, reason=reason, at=now, by=call.actor
        )

    return await _change(call, C.END_MEASURE, case_id, expected_version, apply)


# -- revisits and tracking ---------------------------------------------------------------------


async def record_revisit(
    call: Call,
    case_id: UUID,
    expected_version: int,
    *,
    outcome: RevisitOutcome,
    note: str | None,
) -> Case:
    async def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
        case.record_revisit(
            outcome=outcome,
            note=note,
            at=now,
            by=call.actor,
            clocks=await _clocks(call, uow.conn),
        )

    return await _change(call, C.RECORD_REVISIT, case_id, expected_version, apply)


async def start_tracking(
    call: Call,
    case_id: UUID,
    expected_version: int,
    *,
    city_officer_code: str,
    sub_bureau_officer_code: str,
    station_officer_code: str,
    closing_standard: str,
) -> Case:
    async def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
        for code, field in (
            (city_officer_code, "cityOfficerCode"),
            (sub_bureau_officer_code, "subBureauOfficerCode"),
            (station_officer_code, "stationOfficerCode"),
        ):
            await _require_officer(uow, code, field)
        case.start_tracking(
            city_officer=city_officer_code,
            sub_bureau_officer=sub_bureau_officer_code,
            station_officer=station_officer_code,
            closing_standard=closing_standard,
            at=now,
            by=call.actor,
        )

    return await _change(call, C.START_TRACKING, case_id, expected_version, apply)


async def close_tracking(call: Call, case_id: UUID, expected_version: int, *, note: str) -> Case:
    async def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
        case.close_tracking(note=note, at=now, by=call.actor)

    return await _change(call, C.CLOSE_TRACKING, case_id, expected_version, apply)


# -- the administrative handling limit ---------------------------------------------------------


async def extend_handling_limit(
    call: Call, case_id: UUID, expected_version: int, *, amount: int, reason: str
) -> Case:
    async def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
        case.extend_handling_limit(
            amount=amount,
            reason=reason,
            at=now,
            by=call.actor,
            clocks=await _clocks(call, uow.conn),
        )

    return await _change(call, C.EXTEND_HANDLING_LIMIT, case_id, expected_version, apply)


async def start_appraisal(call: Call, case_id: UUID, expected_version: int, *, reason: str) -> Case:
    async def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
        case.start_appraisal(
            reason=reason, at=now, by=call.actor, clocks=await _clocks(call, uow.conn)
        )

    return await _change(call, C.START_APPRAISAL, case_id, expected_version, apply)


async def end_appraisal(call: Call, case_id: UUID, expected_version: int) -> Case:
    async def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
        case.end_appraisal(at=now, by=call.actor, clocks=await _clocks(call, uow.conn))

    return await _change(call, C.END_APPRAISAL, case_id, expected_version, apply)


# -- the criminal-procedure clocks (migration 0008) ----------------------------------------------


async def mark_outside_jurisdiction(
    call: Call, case_id: UUID, expected_version: int, *, reason: str
) -> Case:
    """Not this unit's case: the 24-hour transfer clock starts (art. 175)."""

    async def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
        case.mark_outside_jurisdiction(
            reason=reason, at=now, by=call.actor, clocks=await _clocks(call, uow.conn)
        )

    return await _change(call, C.MARK_OUTSIDE_JURISDICTION, case_id, expected_version, apply)


async def record_not_filing_notice(
    call: Call, case_id: UUID, expected_version: int, *, served_at: datetime | None = None
) -> Case:
    async def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
        case.record_not_filing_notice(
            served_at=served_at or now,
            at=now,
            by=call.actor,
            clocks=await _clocks(call, uow.conn),
        )

    return await _change(call, C.RECORD_NOT_FILING_NOTICE, case_id, expected_version, apply)


_APPLY = {
    ChallengeLevel.RECONSIDERATION: C.RECORD_RECONSIDERATION_APPLICATION,
    ChallengeLevel.REVIEW: C.RECORD_REVIEW_APPLICATION,
}
_DECIDE = {
    ChallengeLevel.RECONSIDERATION: C.DECIDE_RECONSIDERATION,
    ChallengeLevel.REVIEW: C.DECIDE_REVIEW,
}
_EXTEND = {
    ChallengeLevel.RECONSIDERATION: C.EXTEND_RECONSIDERATION,
    ChallengeLevel.REVIEW: C.EXTEND_REVIEW,
}


async def record_challenge_application(
    call: Call,
    case_id: UUID,
    expected_version: int,
    *,
    level: ChallengeLevel,
    applied_at: datetime | None = None,
) -> Case:
    """复议 / 复核 applied for; refused (VALIDATION) once the 7-day window has closed."""

    async def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
        case.record_challenge_application(
            level=level,
            applied_at=applied_at or now,
            at=now,
            by=call.actor,
            clocks=await _clocks(call, uow.conn),
        )

    return await _change(call, _APPLY[level], case_id, expected_version, apply)


async def decide_challenge(
    call: Call,
    case_id: UUID,
    expected_version: int,
    *,
    level: ChallengeLevel,
    outcome: ChallengeOutcome,
    reason: str,
) -> Case:
    async def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
        case.decide_challenge(
            level=level,
            outcome=outcome,
            reason=reason,
            at=now,
            by=call.actor,
            clocks=await _clocks(call, uow.conn),
        )

    return await _change(call, _DECIDE[level], case_id, expected_version, apply)


async def extend_challenge(
    call: Call,
    case_id: UUID,
    expected_version: int,
    *,
    level: ChallengeLevel,
    amount: int,
    reason: str,
) -> Case:
    async def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
        case.extend_challenge(
            level=level,
            amount=amount,
            reason=reason,
            at=now,
            by=call.actor,
            clocks=await _clocks(call, uow.conn),
        )

    return await _change(call, _EXTEND[level], case_id, expected_version, apply)


async def record_detention_step(
    call: Call,
    case_id: UUID,
    expected_version: int,
    *,
    number: int,
    step: DetentionStep,
    done_at: datetime | None = None,
    note: str | None = None,
) -> Case:
    async def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
        case.record_detention_step(
            number=number, step=step, done_at=done_at or now, note=note, at=now, by=call.actor
        )

    return await _change(call, C.RECORD_DETENTION_STEP, case_id, expected_version, apply)


# -- reads -------------------------------------------------------------------------------------


def case_visibility(actor: Actor) -> ColumnElement[bool] | None:
    """The condition a case row must meet for `actor`, or None when centre-wide."""
    if not actor.is_unit_scoped:
        return None
    assert actor.unit is not None
    return police_case.c.unit_code.in_(subtree_select(actor.unit))
