"""Builders of accountabilities in every state, shared by the accountability unit tests (no tests).

The clock rules are the ones migration 0007 inserts, so that the tests check the configured
figures and bases, not copies of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from domain.accountability.aggregate import (
    Accountability,
    FaultType,
    MeasureOrder,
    PersonSubject,
    UnitSubject,
)
from domain.accountability.clocks import AccountabilityClocks
from domain.accountability.ledger import ForbiddenIndicators
from domain.accountability.status import (
    AccountabilityStatus,
    AppealOutcome,
    ChainRole,
    Culpability,
    MeasureKind,
    Responsibility,
    SubjectRole,
)
from domain.deadlines import ClockRule, HolidayCalendar

S = AccountabilityStatus
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 2026-11-23 09:00 in Shanghai.
AT = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
FAULT_DAY = date(2026, 11, 20)
CORRELATION = UUID("6f1c2d4e-0000-4000-8000-000000000001")
BUCK_PASSING = FaultType.of("BUCK_PASSING", "接处警推诿扯皮")

LEADER = "P-FT-XS-001"  # 值班所领导
LEAD = "P-FT-XS-002"  # 主办民警
AUX = "A-FT-XS-003"  # 聘员
STATION = "FT-XS"

MIGRATION = importlib.import_module("migrations.versions.0007_accountability")


def configured_rules() -> dict[tuple[str, str], ClockRule]:
    """The accountability clock rules of migration 0007, keyed as the service loads them."""
    rules = {}
    for row in MIGRATION.CLOCK_RULES:
        code, clock, scope, name, start, unit, limit, extension, approver, shift, basis = row
        rules[(clock.removeprefix("accountability."), scope)] = ClockRule(
            code=code,
            name=name,
            start_event=start,
            unit=unit,
            limit=limit,
            basis=basis,
            max_extension=extension,
            extension_approver=approver,
            shift_holiday_end=shift,
        )
    return rules


CLOCKS = AccountabilityClocks(rules=configured_rules(), calendar=HolidayCalendar.EMPTY, tz=SHANGHAI)
POINTS = {MeasureKind(measure): points for measure, points in MIGRATION.MEASURE_POINTS}
FORBIDDEN = ForbiddenIndicators(
    codes={code: name for code, name, _ in MIGRATION.FORBIDDEN_INDICATORS},
    aliases={
        alias: code for code, _, aliases in MIGRATION.FORBIDDEN_INDICATORS for alias in aliases
    },
)


def person(
    officer: str,
    role: SubjectRole,
    share: int,
    *,
    chain_role: ChainRole = ChainRole.HANDLING_OFFICER,
    unit: str = STATION,
) -> PersonSubject:
    return PersonSubject(
        officer=officer,
        role=role,
        unit_at_fault=unit,
        fault_type=BUCK_PASSING,
        responsibility=(
            Responsibility.LEADERSHIP
            if role is SubjectRole.ON_DUTY_LEADER
            else Responsibility.DIRECT
        ),
        chain_role=chain_role,
        share=share,
    )


PERSONS = (
    person(LEADER, SubjectRole.ON_DUTY_LEADER, 30, chain_role=ChainRole.APPROVER),
    person(LEAD, SubjectRole.LEAD_OFFICER, 50),
    person(AUX, SubjectRole.AUXILIARY, 20),
)
UNITS = (
    UnitSubject(unit=STATION, fault_type=BUCK_PASSING, responsibility=Responsibility.LEADERSHIP),
)
MEASURES = (
    MeasureOrder(LEADER, MeasureKind.POST_ADJUSTMENT),
    MeasureOrder(LEAD, MeasureKind.DEMERIT),
    MeasureOrder(LEAD, MeasureKind.SUSPENSION, days=15),
    MeasureOrder(AUX, MeasureKind.CRITICISM_EDUCATION),
    MeasureOrder(STATION, MeasureKind.CRITICISM_EDUCATION),
)


def opened(
    *,
    culpability: Culpability = Culpability.NEGLIGENCE,
    persons: tuple[PersonSubject, ...] = PERSONS,
    units: tuple[UnitSubject, ...] = UNITS,
    at: datetime = AT,
) -> Accountability:
    return Accountability.open(
        id="0b9d3c1e-0000-4000-8000-000000000007",
        review_id="0b9d3c1e-0000-4000-8000-000000000005",
        unit="FT",
        correlation=CORRELATION,
        fault_type=BUCK_PASSING,
        fault_date=FAULT_DAY,
        culpability=culpability,
        persons=persons,
        units=units,
        today=at.date(),
        at=at,
    )


def proposed(**kwargs: object) -> Accountability:
    item = opened(**kwargs)  # type: ignore[arg-type]
    item.propose_measures(orders=MEASURES, clocks=CLOCKS, at=AT)
    return item


def decided(**kwargs: object) -> Accountability:
    item = proposed(**kwargs)
    item.decide(orders=None, note="经局党委研究决定", clocks=CLOCKS, at=AT)
    return item


def appealed(appellant: str = LEAD) -> Accountability:
    item = decided()
    item.appeal(appellant=appellant, grounds="已按规定告知管辖，不应记过", at=AT)
    return item


def appeal_decided() -> Accountability:
    item = appealed()
    item.decide_appeal(
        appellant=LEAD,
        outcome=AppealOutcome.UPHELD,
        note="事实清楚，维持原决定",
        orders=(),
        clocks=CLOCKS,
        at=AT,
    )
    return item


IN_STATE: dict[AccountabilityStatus, Callable[[], Accountability]] = {
    S.OPEN: opened,
    S.PROPOSED: proposed,
    S.DECIDED: decided,
    S.APPEALED: appealed,
    S.APPEAL_DECIDED: appeal_decided,
}
LABELS = {
    LEADER: "福田分局某派出所值班所领导",
    LEAD: "福田分局某派出所主办民警",
    AUX: "福田分局某派出所聘员",
    STATION: "福田分局某派出所",
}
NAMES = ("王建国", "李明", "陈小华")
