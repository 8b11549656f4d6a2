"""Warning commands: acknowledge, dismiss, escalate into a review; define and change rules."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from domain.errors import Conflict, NotFound, ValidationFailed
from domain.review.aggregate import Origin, Review
from domain.review.status import OriginType, ReviewKind
from domain.warning.aggregate import Warning
from domain.warning.policy import WarningCommand as C
from domain.warning.policy import authorise
from domain.warning.rules import RuleKind, WarningRule
from domain.warning.status import Level
from service.context import Call
from service.scope import in_subtree
from store.review import ReviewRepository, correlation_of, signoff_plan
from store.uow import UnitOfWork
from store.warning import (
    WarningRepository,
    WarningRuleRepository,
    forbidden_indicators,
    load_rules,
)


async def _load(call: Call, uow: UnitOfWork, warning_id: UUID, expected_version: int) -> Warning:
    warning = await uow.repository(WarningRepository).get(warning_id, for_update=True)
    if warning is None or not await visible(call, uow, warning):
        raise NotFound("warning", str(warning_id))
    if warning.version != expected_version:
        raise Conflict(
            f"warning is at version {warning.version}, not {expected_version}; reload it",
            current_version=warning.version,
        )
    return warning


async def visible(call: Call, uow: UnitOfWork, warning: Warning) -> bool:
    actor = call.actor
    if not actor.is_unit_scoped:
        return True
    assert actor.unit is not None
    return await in_subtree(uow.conn, unit_code=warning.unit_code, root_code=actor.unit)


async def acknowledge(
    call: Call, warning_id: UUID, expected_version: int, *, note: str | None = None
) -> Warning:
    authorise(call.actor, C.ACKNOWLEDGE)
    async with call.unit_of_work() as uow:
        warning = await _load(call, uow, warning_id, expected_version)
        warning.acknowledge(at=call.runtime.clock.now(), by=call.actor.subject, note=note)
        await uow.commit()
        return warning


async def dismiss(call: Call, warning_id: UUID, expected_version: int, *, reason: str) -> Warning:
    authorise(call.actor, C.DISMISS)
    async with call.unit_of_work() as uow:
        warning = await _load(call, uow, warning_id, expected_version)
        warning.dismiss(at=call.runtime.clock.now(), reason=reason)
        await uow.commit()
        return warning


@dataclass(frozen=True, slots=True)
class Escalate:
    unit_code: str  # the unit that verifies (核查)
    subject: str | None = None  # defaults to the warning's explanation
    kind: ReviewKind = ReviewKind.VERIFICATION
    # Another item the review also takes up (e.g. the letter that brought the warning to light):
    # its loop is linked with the warning's.
    related_type: str | None = None
    related_id: str | None = None


async def escalate(
    call: Call, warning_id: UUID, expected_version: int, command: Escalate
) -> tuple[Warning, Review]:
    """Open a review that inherits the warning's loop, and mark the warning escalated, at once."""
    authorise(call.actor, C.ESCALATE)
    async with call.unit_of_work() as uow:
        # The review is saved first (repositories save in first-use order): the warning names it.
        reviews = uow.repository(ReviewRepository)
        warning = await _load(call, uow, warning_id, expected_version)
        if await uow.units.get(command.unit_code) is None:
            raise ValidationFailed(f"unknown unit {command.unit_code}", field="unitCode")
        linked = None
        if (command.related_type is None) != (command.related_id is None):
            raise ValidationFailed("name both the related item's type and id", field="relatedId")
        if command.related_type is not None and command.related_id is not None:
            linked = await correlation_of(uow.conn, command.related_type, command.related_id)
            if linked is None:
                raise NotFound(command.related_type, command.related_id)
        now = call.runtime.clock.now()
        warning.require("escalate")  # before anything is opened
        review = Review.open(
            id=str(uuid4()),
            kind=command.kind,
            subject=command.subject or warning.explanation[:200],
            unit=command.unit_code,
            origin=Origin(type=OriginType.WARNING, id=warning.id),
            correlation=warning.correlation_id,
            plan=await signoff_plan(uow.conn, command.kind),
            at=now,
            linked_correlation=linked if linked != warning.correlation_id else None,
        )
        reviews.add(review)
        warning.escalate(at=now, review_id=review.id, reason=f"review {review.id} opened")
        await uow.commit()
        return warning, review


# -- rules -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DefineRule:
    code: str
    kind: RuleKind
    name: str
    basis: str
    params: Mapping[str, Any]
    levels: Mapping[Level | str, float]
    enabled: bool = True


async def define_rule(call: Call, command: DefineRule) -> WarningRule:
    authorise(call.actor, C.CHANGE_RULE)
    async with call.unit_of_work() as uow:
        rules = uow.repository(WarningRuleRepository)
        if await rules.get(command.code.strip()) is not None:
            raise Conflict(f"warning rule {command.code} already exists")
        rule = WarningRule.define(
            code=command.code,
            kind=command.kind,
            name=command.name,
            basis=command.basis,
            params=command.params,
            levels=command.levels,
            forbidden=await forbidden_indicators(uow.conn),
            at=call.runtime.clock.now(),
            enabled=command.enabled,
        )
        rules.add(rule)
        await uow.commit()
        return rule


@dataclass(frozen=True, slots=True)
class ChangeRule:
    reason: str
    name: str | None = None
    basis: str | None = None
    params: Mapping[str, Any] | None = None
    levels: Mapping[Level | str, float] | None = None
    enabled: bool | None = None


async def change_rule(
    call: Call, code: str, expected_version: int, command: ChangeRule
) -> WarningRule:
    authorise(call.actor, C.CHANGE_RULE)
    async with call.unit_of_work() as uow:
        rule = await uow.repository(WarningRuleRepository).get(code)
        if rule is None:
            raise NotFound("warning rule", code)
        if rule.version != expected_version:
            raise Conflict(
                f"warning rule is at version {rule.version}, not {expected_version}; reload it",
                current_version=rule.version,
            )
        rule.change(
            at=call.runtime.clock.now(),
            reason=command.reason,
            forbidden=await forbidden_indicators(uow.conn),
            name=command.name,
            basis=command.basis,
            params=command.params,
            levels=command.levels,
            enabled=command.enabled,
        )
        await uow.commit()
        return rule


DEFAULT_RULES_FILE = Path(__file__).resolve().parent.parent / "reference" / "warning-rules.json"


async def ensure_default_rules(call: Call, path: Path = DEFAULT_RULES_FILE) -> int:
    """Define the rules of `path` that do not exist yet (existing ones are left as changed)."""
    data = _read(path)
    defined = 0
    async with call.runtime.engine.connect() as conn:
        existing = {rule.code for rule in await load_rules(conn)}
    for item in data["rules"]:
        if item["code"] in existing:
            continue
        await define_rule(
            call,
            DefineRule(
                code=item["code"],
                kind=RuleKind(item["kind"]),
                name=item["name"],
                basis=item["basis"],
                params=item.get("params", {}),
                levels=item["levels"],
            ),
        )
        defined += 1
    return defined


def _read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
