"""Review commands: open, verify, conclude, rectify, sign off, recommend, close.

Each command: `authorise` the role, open one unit of work, load the review in the caller's scope
(out of scope → NOT_FOUND), compare `expected_version`, check what the role alone cannot say (a
handler acts only for units in its subtree; a step is signed only by its holder), run the
aggregate's method, commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from sqlalchemy import ColumnElement, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.actor import Actor, Role
from domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from domain.review.aggregate import CriterionScore, Origin, Rectification, Review
from domain.review.clocks import ReviewClocks
from domain.review.policy import ReviewCommand, authorise
from domain.review.status import (
    FindingNature,
    FindingResult,
    InspectionMethod,
    OriginType,
    Rating,
    ReviewKind,
    ReviewStatus,
)
from service.context import Call
from service.scope import in_subtree, subtree_select
from store import rows
from store.reference import load_calendar, load_clock_rules
from store.review import (
    ReviewRepository,
    correlation_of,
    officer_of,
    review,
    review_recommendation,
    review_rectification,
    review_signoff_step,
    signoff_plan,
    unknown_codes,
)
from store.uow import UnitOfWork

C = ReviewCommand
T = review.c


@dataclass(frozen=True, slots=True)
class OpenReview:
    kind: ReviewKind
    subject: str
    unit_code: str
    origin_type: OriginType
    origin_id: str | None = None  # the origin's aggregate id, for a complaint, petition or case
    inspection_method: InspectionMethod | None = None
    inspection_description: str | None = None


# -- scope -------------------------------------------------------------------------------------------


def visibility(actor: Actor) -> ColumnElement[bool] | None:
    """The condition a review row must meet for `actor`, or None when centre-wide.

    A handler sees the reviews where a unit of its subtree owns or verifies a rectification or
    received a recommendation, and those in which its officer holds (or held) a sign-off step.
    """
    if not actor.is_unit_scoped:
        return None
    assert actor.unit is not None
    units = subtree_select(actor.unit)
    rect = review_rectification.c
    letter = review_recommendation.c
    step = review_signoff_step.c
    officer: ColumnElement[str] = (
        literal(actor.officer)
        if actor.officer is not None
        else select(rows.officer.c.code)
        .where(rows.officer.c.account == actor.subject)
        .scalar_subquery()
    )
    return or_(
        T.id.in_(
            select(rect.review_id).where(
                or_(rect.owner_unit_code.in_(units), rect.verifying_unit_code.in_(units))
            )
        ),
        T.id.in_(select(letter.review_id).where(letter.unit_code.in_(units))),
        T.id.in_(select(step.review_id).where(step.holder_code == officer)),
    )


async def visible(conn: AsyncConnection, actor: Actor, review_id: UUID) -> bool:
    condition = visibility(actor)
    if condition is None:
        return True
    found = await conn.scalar(select(T.id).where(T.id == review_id, condition))
    return found is not None


# -- helpers -----------------------------------------------------------------------------------------


async def _clocks(call: Call, conn: AsyncConnection) -> ReviewClocks:
    async def load() -> ReviewClocks:
        return ReviewClocks(
            rules=await load_clock_rules(conn, "review"),
            calendar=await load_calendar(conn),
            tz=call.runtime.tz,
        )

    return await call.runtime.config("review-clocks", load)


async def _load(call: Call, uow: UnitOfWork, review_id: UUID, expected_version: int) -> Review:
    found = await uow.repository(ReviewRepository).get(review_id)
    if found is None or not await visible(uow.conn, call.actor, review_id):
        raise NotFound("review", str(review_id))
    if found.version != expected_version:
        raise Conflict(
            f"review is at version {found.version}, not {expected_version}; reload it",
            current_version=found.version,
        )
    return found


async def _require_units(conn: AsyncConnection, codes: Mapping[str, str | None]) -> None:
    """Every given unit code exists (field name → code)."""
    for field, code in codes.items():
        if code is not None and await unknown_codes(conn, rows.unit, [code]):
            raise ValidationFailed(f"unknown unit {code}", field=field)


async def _acts_for(conn: AsyncConnection, actor: Actor, unit: str | None) -> bool:
    """Whether a handler acts for `unit` (it lies in the handler's subtree)."""
    return actor.unit is not None and await in_subtree(conn, unit_code=unit, root_code=actor.unit)


async def _verifier_unit(
    conn: AsyncConnection, actor: Actor, item: Rectification, verb: str
) -> str | None:
    """The unit on whose behalf the verifier acts; refuses the owner unit and outsiders."""
    if actor.role is Role.SYSTEM:
        return None
    if actor.unit is not None and await in_subtree(
        conn, unit_code=actor.unit, root_code=item.owner_unit
    ):
        raise Forbidden(
            f"unit {actor.unit} is rectification {item.no}'s owner (or inside it) and may not "
            f"{verb} it; a different unit verifies it"
        )
    if actor.role is Role.HANDLER and not await _acts_for(conn, actor, item.verifying_unit):
        raise Forbidden(
            f"only the verifying unit of rectification {item.no} or the supervision centre may "
            f"{verb} it"
        )
    return actor.unit


# -- opening -----------------------------------------------------------------------------------------


async def open_review(call: Call, command: OpenReview) -> Review:
    authorise(call.actor, C.OPEN)
    async with call.unit_of_work() as uow:
        await _require_units(uow.conn, {"unitCode": command.unit_code})
        if command.origin_type is OriginType.INSPECTION:
            correlation = uuid4()  # an inspection starts a loop of its own
            origin = Origin(
                type=OriginType.INSPECTION,
                method=command.inspection_method,
                description=command.inspection_description,
            )
        else:
            if not command.origin_id:
                raise ValidationFailed("name the origin item", field="originId")
            inherited = await correlation_of(uow.conn, command.origin_type.value, command.origin_id)
            if inherited is None:
                raise ValidationFailed(
                    f"no {command.origin_type.value} {command.origin_id} is known", field="originId"
                )
            correlation = inherited
            origin = Origin(type=command.origin_type, id=command.origin_id)
            # 避免多头核查: one open review of a kind per item.
            duplicate = await uow.conn.scalar(
                select(T.id).where(
                    T.origin_type == command.origin_type.value,
                    T.origin_id == command.origin_id,
                    T.kind == command.kind.value,
                    T.status != ReviewStatus.CLOSED.value,
                )
            )
            if duplicate is not None:
                raise ValidationFailed(
                    f"review {duplicate} already takes up this {command.origin_type.value}",
                    field="originId",
                )
        opened = Review.open(
            id=str(uuid4()),
            kind=command.kind,
            subject=command.subject,
            unit=command.unit_code,
            origin=origin,
            correlation=correlation,
            plan=await signoff_plan(uow.conn, command.kind),
            at=call.runtime.clock.now(),
        )
        uow.repository(ReviewRepository).add(opened)
        await uow.commit()
        return opened


# -- verification and evaluation ---------------------------------------------------------------------


async def assign_verifiers(
    call: Call, review_id: UUID, expected_version: int, *, officer_codes: tuple[str, ...]
) -> Review:
    authorise(call.actor, C.ASSIGN_VERIFIERS)
    async with call.unit_of_work() as uow:
        found = await _load(call, uow, review_id, expected_version)
        missing = await unknown_codes(uow.conn, rows.officer, officer_codes)
        if missing:
            raise ValidationFailed(f"unknown officers: {', '.join(missing)}", field="officerCodes")
        found.assign_verifiers(officers=officer_codes, at=call.runtime.clock.now())
        await uow.commit()
        return found


async def add_evidence(
    call: Call,
    review_id: UUID,
    expected_version: int,
    *,
    description: str,
    attachment_sha256: str | None,
) -> Review:
    authorise(call.actor, C.ADD_EVIDENCE)
    async with call.unit_of_work() as uow:
        found = await _load(call, uow, review_id, expected_version)
        found.add_evidence(
            description=description,
            attachment_sha256=attachment_sha256,
            at=call.runtime.clock.now(),
        )
        await uow.commit()
        return found


async def record_finding(
    call: Call,
    review_id: UUID,
    expected_version: int,
    *,
    result: FindingResult,
    nature: FindingNature,
    summary: str,
) -> Review:
    authorise(call.actor, C.RECORD_FINDING)
    async with call.unit_of_work() as uow:
        found = await _load(call, uow, review_id, expected_version)
        found.record_finding(
            result=result, nature=nature, summary=summary, at=call.runtime.clock.now()
        )
        await uow.commit()
        return found


async def record_evaluation(
    call: Call,
    review_id: UUID,
    expected_version: int,
    *,
    scores: tuple[CriterionScore, ...],
    rating: Rating,
    note: str | None,
) -> Review:
    authorise(call.actor, C.RECORD_EVALUATION)
    async with call.unit_of_work() as uow:
        found = await _load(call, uow, review_id, expected_version)
        found.record_evaluation(
            scores=scores, rating=rating, note=note, at=call.runtime.clock.now()
        )
        await uow.commit()
        return found


# -- rectification -----------------------------------------------------------------------------------


async def add_rectification(
    call: Call,
    review_id: UUID,
    expected_version: int,
    *,
    owner_unit_code: str,
    verifying_unit_code: str | None,
    requirement: str,
    due_date: date | None,
    watch_days: int | None,
) -> Review:
    authorise(call.actor, C.ADD_RECTIFICATION)
    async with call.unit_of_work() as uow:
        found = await _load(call, uow, review_id, expected_version)
        await _require_units(
            uow.conn,
            {"ownerUnitCode": owner_unit_code, "verifyingUnitCode": verifying_unit_code},
        )
        if verifying_unit_code is not None and await in_subtree(
            uow.conn, unit_code=verifying_unit_code, root_code=owner_unit_code
        ):
            raise ValidationFailed(
                f"unit {verifying_unit_code} is inside the owner unit {owner_unit_code}: "
                "a different unit verifies a rectification",
                field="verifyingUnitCode",
            )
        found.add_rectification(
            owner_unit=owner_unit_code,
            verifying_unit=verifying_unit_code,
            requirement=requirement,
            due_date=due_date,
            watch_days=watch_days,
            clocks=await _clocks(call, uow.conn),
            at=call.runtime.clock.now(),
        )
        await uow.commit()
        return found


async def report_rectification_done(
    call: Call, review_id: UUID, expected_version: int, *, no: int, note: str
) -> Review:
    authorise(call.actor, C.REPORT_RECTIFICATION_DONE)
    async with call.unit_of_work() as uow:
        found = await _load(call, uow, review_id, expected_version)
        item = found.rectification(no)
        if call.actor.role is not Role.SYSTEM and not await _acts_for(
            uow.conn, call.actor, item.owner_unit
        ):
            raise Forbidden(
                f"only the owner unit {item.owner_unit} reports rectification {no} done"
            )
        found.report_rectification_done(no=no, note=note, at=call.runtime.clock.now())
        await uow.commit()
        return found


async def close_off_rectification(
    call: Call, review_id: UUID, expected_version: int, *, no: int, comment: str | None
) -> Review:
    authorise(call.actor, C.CLOSE_OFF_RECTIFICATION)
    async with call.unit_of_work() as uow:
        found = await _load(call, uow, review_id, expected_version)
        by_unit = await _verifier_unit(uow.conn, call.actor, found.rectification(no), "close off")
        found.close_off_rectification(
            no=no,
            by_unit=by_unit,
            comment=comment,
            clocks=await _clocks(call, uow.conn),
            at=call.runtime.clock.now(),
        )
        await uow.commit()
        return found


async def return_rectification(
    call: Call, review_id: UUID, expected_version: int, *, no: int, comment: str
) -> Review:
    authorise(call.actor, C.RETURN_RECTIFICATION)
    async with call.unit_of_work() as uow:
        found = await _load(call, uow, review_id, expected_version)
        by_unit = await _verifier_unit(uow.conn, call.actor, found.rectification(no), "return")
        found.return_rectification(
            no=no, by_unit=by_unit, comment=comment, at=call.runtime.clock.now()
        )
        await uow.commit()
        return found


async def report_rectification_recurrence(
    call: Call,
    review_id: UUID,
    expected_version: int,
    *,
    no: int,
    note: str,
    due_date: date | None,
) -> Review:
    authorise(call.actor, C.REPORT_RECTIFICATION_RECURRENCE)
    async with call.unit_of_work() as uow:
        found = await _load(call, uow, review_id, expected_version)
        await _verifier_unit(uow.conn, call.actor, found.rectification(no), "reopen")
        found.report_rectification_recurrence(
            no=no,
            note=note,
            due_date=due_date,
            clocks=await _clocks(call, uow.conn),
            at=call.runtime.clock.now(),
        )
        await uow.commit()
        return found


# -- sign-off ----------------------------------------------------------------------------------------


async def start_signoff(
    call: Call, review_id: UUID, expected_version: int, *, holders: Mapping[int, str]
) -> Review:
    authorise(call.actor, C.START_SIGNOFF)
    async with call.unit_of_work() as uow:
        found = await _load(call, uow, review_id, expected_version)
        missing = await unknown_codes(uow.conn, rows.officer, list(holders.values()))
        if missing:
            raise ValidationFailed(f"unknown officers: {', '.join(missing)}", field="holders")
        found.start_signoff(holders=holders, at=call.runtime.clock.now())
        await uow.commit()
        return found


async def sign_step(
    call: Call,
    review_id: UUID,
    expected_version: int,
    *,
    step_no: int,
    approve: bool,
    comment: str | None,
) -> Review:
    authorise(call.actor, C.SIGN_STEP)
    async with call.unit_of_work() as uow:
        found = await _load(call, uow, review_id, expected_version)
        found.sign_step(
            step_no=step_no,
            approve=approve,
            comment=comment,
            signer=await officer_of(uow.conn, call.actor),
            at=call.runtime.clock.now(),
        )
        await uow.commit()
        return found


# -- supervision recommendations ---------------------------------------------------------------------


async def issue_recommendation(
    call: Call, review_id: UUID, expected_version: int, *, unit_code: str, content: str
) -> Review:
    authorise(call.actor, C.ISSUE_RECOMMENDATION)
    async with call.unit_of_work() as uow:
        found = await _load(call, uow, review_id, expected_version)
        await _require_units(uow.conn, {"unitCode": unit_code})
        found.issue_recommendation(
            unit=unit_code,
            content=content,
            clocks=await _clocks(call, uow.conn),
            at=call.runtime.clock.now(),
        )
        await uow.commit()
        return found


async def record_recommendation_response(
    call: Call, review_id: UUID, expected_version: int, *, no: int, response: str
) -> Review:
    authorise(call.actor, C.RECORD_RECOMMENDATION_RESPONSE)
    async with call.unit_of_work() as uow:
        found = await _load(call, uow, review_id, expected_version)
        letter = found.recommendation(no)
        if call.actor.role is not Role.SYSTEM and not await _acts_for(
            uow.conn, call.actor, letter.unit
        ):
            raise Forbidden(f"only unit {letter.unit} answers recommendation {no}")
        found.record_recommendation_response(no=no, response=response, at=call.runtime.clock.now())
        await uow.commit()
        return found


async def close(call: Call, review_id: UUID, expected_version: int) -> Review:
    authorise(call.actor, C.CLOSE)
    async with call.unit_of_work() as uow:
        found = await _load(call, uow, review_id, expected_version)
        found.close(at=call.runtime.clock.now())
        await uow.commit()
        return found
