"""The case's state machine: every (stage, command) pair, allowed or refused, with its event."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from domain.actor import Actor, Role
from domain.case.aggregate import Case
from domain.case.clocks import CaseClocks
from domain.case.policy import CaseCommand
from domain.case.status import (
    ALLOWED,
    FINAL_STAGES,
    OPEN_STAGES,
    TRANSITIONS,
    CaseKind,
    CaseStage,
    ChallengeLevel,
    ChallengeOutcome,
    DetentionStep,
    MeasureKind,
    RevisitOutcome,
)
from domain.case.values import ExternalRef
from domain.deadlines import ClockRule, HolidayCalendar
from domain.errors import InvalidTransition

S = CaseStage
ROOT = Path(__file__).resolve().parents[2]
SHANGHAI = ZoneInfo("Asia/Shanghai")
HANDLER = Actor(subject="handler-ft-xs", role=Role.HANDLER, unit="FT-XS")
SUPERVISOR = Actor(subject="supervisor-li", role=Role.SUPERVISOR)
INTEGRATION = Actor(subject="jingzong", role=Role.INTEGRATION)


CASE_MIGRATIONS = ("0003_case.py", "0008_case_clocks.py")


def _rule_rows() -> list[tuple[Any, ...]]:
    """The clock-rule rows of the case's migrations."""
    rows: list[tuple[Any, ...]] = []
    for name in CASE_MIGRATIONS:
        spec = importlib.util.spec_from_file_location(
            f"case_migration_{name[:4]}", ROOT / "migrations" / "versions" / name
        )
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        rows.extend(module.CLOCK_RULES)
    return rows


def _migration_rules() -> dict[tuple[str, str], ClockRule]:
    """The clock rules migrations 0003 and 0008 insert, so that the tests time what is deployed."""
    rules = {}
    for (
        code,
        clock,
        scope,
        name,
        start,
        unit,
        limit,
        extension,
        approver,
        basis,
    ) in _rule_rows():
        rules[(clock.removeprefix("case."), scope)] = ClockRule(
            code=code,
            name=name,
            start_event=start,
            unit=unit,
            limit=limit,
            basis=basis,
            max_extension=extension,
            extension_approver=approver,
        )
    return rules


CALENDAR = HolidayCalendar.from_mapping(
    json.loads((ROOT / "reference" / "calendar-cn.json").read_text(encoding="utf-8"))
)
CLOCKS = CaseClocks(rules=_migration_rules(), calendar=CALENDAR, tz=SHANGHAI)


def shanghai(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


ALERT_AT = shanghai(11, 23, 9)  # a Monday
STEP = timedelta(hours=1)
LATER = shanghai(11, 24, 10)

_ids = iter(range(1, 1_000_000))


def register(
    kind: CaseKind = CaseKind.CRIMINAL, *, at: datetime = ALERT_AT, actor: Actor = INTEGRATION
) -> Case:
    n = next(_ids)
    return Case.register(
        id=f"00000000-0000-0000-0000-{n:012d}",
        kind=kind,
        title="香蜜湖入室盗窃案",
        summary="报警人称家中被盗。",
        unit="FT-XS",
        lead_officer="P-FT-XS-001",
        alert_received_at=at,
        registered_at=at,
        correlation=UUID(int=n),
        by=actor,
        external_ref=ExternalRef(system="JZ", record_id=f"JJ-{n}"),
    )


@dataclass
class Setup:
    """What a case needs besides its stage so that a command's other checks pass."""

    kind: CaseKind = CaseKind.CRIMINAL
    measure: bool = False
    tracking: bool = False
    appraisal: bool = False
    # After not filing: 1 notice served, 2 复议 applied, 3 复议 upheld, 4 复核 applied.
    challenge: int = 0


def case_in(stage: CaseStage, setup: Setup | None = None) -> Case:
    """Walk a new case to `stage` through its own commands, adding the parts `setup` asks for."""
    setup = setup or Setup()
    case = register(setup.kind)
    at = ALERT_AT
    if setup.tracking:
        at += STEP
        case.start_tracking(
            city_officer="P-XZ-001",
            sub_bureau_officer="P-FT-001",
            station_officer="P-FT-XS-001",
            closing_standard="破案并追回被盗财物",
            at=at,
            by=SUPERVISOR,
        )
    path: list[tuple[CaseStage, Callable[[datetime], None]]] = [
        (S.ACCEPTED, lambda t: case.accept(at=t, by=HANDLER, clocks=CLOCKS)),
        (S.NOT_FILED, lambda t: case.refuse_to_file(reason="没有犯罪事实", at=t, by=HANDLER)),
        (S.FILED, lambda t: case.file(at=t, by=HANDLER)),
        (S.WITHDRAWN, lambda t: case.withdraw(reason="不应追究刑事责任", at=t, by=HANDLER)),
        (S.INVESTIGATING, lambda t: case.start_investigating(at=t, by=HANDLER)),
        (S.CONCLUDED, lambda t: case.conclude(at=t, by=HANDLER)),
    ]
    # Each exit is taken only when it is the stage asked for.
    exits = {S.NOT_FILED, S.WITHDRAWN, S.CONCLUDED}
    for target, step in path:
        if case.stage is stage:
            break
        if target in exits and target is not stage:
            continue
        at += STEP
        step(at)
        if target is S.NOT_FILED and setup.challenge:
            at = _challenge(case, at, setup.challenge)
        if target is S.ACCEPTED and setup.appraisal:
            at += STEP
            case.start_appraisal(reason="伤情鉴定", at=at, by=HANDLER, clocks=CLOCKS)
        if target is S.FILED and setup.measure:
            at += STEP
            case.start_measure(
                kind=MeasureKind.CRIMINAL_DETENTION,
                person_label="嫌疑人甲",
                started_at=at,
                at=at,
                by=HANDLER,
                clocks=CLOCKS,
            )
    assert case.stage is stage
    case.collect_events()
    return case


def _challenge(case: Case, at: datetime, steps: int) -> datetime:
    at += STEP
    case.record_not_filing_notice(served_at=at, at=at, by=HANDLER, clocks=CLOCKS)
    if steps >= 2:
        at += STEP
        case.record_challenge_application(
            level=ChallengeLevel.RECONSIDERATION, applied_at=at, at=at, by=HANDLER, clocks=CLOCKS
        )
    if steps >= 3:
        at += STEP
        case.decide_challenge(
            level=ChallengeLevel.RECONSIDERATION,
            outcome=ChallengeOutcome.UPHELD,
            reason="维持不予立案",
            at=at,
            by=SUPERVISOR,
            clocks=CLOCKS,
        )
    if steps >= 4:
        at += STEP
        case.record_challenge_application(
            level=ChallengeLevel.REVIEW, applied_at=at, at=at, by=HANDLER, clocks=CLOCKS
        )
    return at


def run(case: Case, command: str) -> None:
    """Issue `command` with valid arguments, so that only the stage can make it fail."""
    match command:
        case "accept":
            case.accept(at=LATER, by=HANDLER, clocks=CLOCKS)
        case "file":
            case.file(at=LATER, by=HANDLER)
        case "start investigating":
            case.start_investigating(at=LATER, by=HANDLER)
        case "conclude":
            case.conclude(at=LATER, by=HANDLER)
        case "refuse to file":
            case.refuse_to_file(reason="情节显著轻微", at=LATER, by=HANDLER)
        case "withdraw":
            case.withdraw(reason="犯罪嫌疑人死亡", at=LATER, by=HANDLER)
        case "transfer":
            case.transfer(to_unit="FT-SB", reason="案发地属沙头", at=LATER, by=HANDLER)
        case "refuse jurisdiction":
            case.refuse_jurisdiction(unit="FT-XS", reason="不属本所辖区", at=LATER, by=HANDLER)
        case "designate jurisdiction":
            case.designate_jurisdiction(
                unit="FT-HF", reason="指定华富派出所管辖", at=LATER, by=SUPERVISOR
            )
        case "start measure":
            case.start_measure(
                kind=MeasureKind.BAIL,
                person_label="嫌疑人乙",
                started_at=LATER,
                at=LATER,
                by=HANDLER,
                clocks=CLOCKS,
            )
        case "extend measure":
            case.extend_measure(
                number=1,
                amount=2,
                reason="案情复杂",
                serious=False,
                at=LATER,
                by=HANDLER,
                clocks=CLOCKS,
            )
        case "end measure":
            case.end_measure(number=1, ended_at=LATER, reason="释放", at=LATER, by=HANDLER)
        case "record revisit":
            case.record_revisit(
                outcome=RevisitOutcome.SATISFIED, note=None, at=LATER, by=HANDLER, clocks=CLOCKS
            )
        case "start tracking":
            case.start_tracking(
                city_officer="P-XZ-001",
                sub_bureau_officer="P-FT-001",
                station_officer="P-FT-XS-001",
                closing_standard="破案",
                at=LATER,
                by=SUPERVISOR,
            )
        case "close tracking":
            case.close_tracking(note="已破案", at=LATER, by=SUPERVISOR)
        case "extend handling limit":
            case.extend_handling_limit(
                amount=30, reason="上一级公安机关批准", at=LATER, by=HANDLER, clocks=CLOCKS
            )
        case "start appraisal":
            case.start_appraisal(reason="伤情鉴定", at=LATER, by=HANDLER, clocks=CLOCKS)
        case "end appraisal":
            case.end_appraisal(at=LATER, by=HANDLER, clocks=CLOCKS)
        case "mark outside jurisdiction":
            case.mark_outside_jurisdiction(
                reason="案发地不属本所管辖", at=LATER, by=HANDLER, clocks=CLOCKS
            )
        case "record not filing notice":
            case.record_not_filing_notice(served_at=LATER, at=LATER, by=HANDLER, clocks=CLOCKS)
        case "record reconsideration application" | "record review application":
            level = ChallengeLevel(command.split()[1].upper())
            case.record_challenge_application(
                level=level, applied_at=LATER, at=LATER, by=HANDLER, clocks=CLOCKS
            )
        case "decide reconsideration" | "decide review":
            case.decide_challenge(
                level=ChallengeLevel(command.split()[1].upper()),
                outcome=ChallengeOutcome.UPHELD,
                reason="维持原决定",
                at=LATER,
                by=SUPERVISOR,
                clocks=CLOCKS,
            )
        case "extend reconsideration" | "extend review":
            case.extend_challenge(
                level=ChallengeLevel(command.split()[1].upper()),
                amount=30,
                reason="案情重大、复杂",
                at=LATER,
                by=SUPERVISOR,
                clocks=CLOCKS,
            )
        case "record detention step":
            case.record_detention_step(
                number=1,
                step=DetentionStep.FAMILY_NOTIFIED,
                done_at=LATER,
                note=None,
                at=LATER,
                by=HANDLER,
            )
        case _:
            raise AssertionError(f"unknown command {command}")


SETUPS = {
    "extend measure": Setup(measure=True),
    "end measure": Setup(measure=True),
    "close tracking": Setup(tracking=True),
    "extend handling limit": Setup(kind=CaseKind.ADMINISTRATIVE),
    "start appraisal": Setup(kind=CaseKind.ADMINISTRATIVE),
    "end appraisal": Setup(kind=CaseKind.ADMINISTRATIVE, appraisal=True),
    "record reconsideration application": Setup(challenge=1),
    "decide reconsideration": Setup(challenge=2),
    "extend reconsideration": Setup(challenge=2),
    "record review application": Setup(challenge=3),
    "decide review": Setup(challenge=4),
    "extend review": Setup(challenge=4),
    "record detention step": Setup(measure=True),
}
EVENT_TYPES = {
    "accept": "case.accepted",
    "file": "case.filed",
    "start investigating": "case.investigation_started",
    "conclude": "case.concluded",
    "refuse to file": "case.not_filed",
    "withdraw": "case.withdrawn",
    "transfer": "case.transferred",
    "refuse jurisdiction": "case.jurisdiction_refused",
    "designate jurisdiction": "case.jurisdiction_designated",
    "start measure": "case.measure_started",
    "extend measure": "case.measure_extended",
    "end measure": "case.measure_ended",
    "record revisit": "case.revisit_recorded",
    "start tracking": "case.tracking_started",
    "close tracking": "case.tracking_closed",
    "extend handling limit": "case.handling_limit_extended",
    "start appraisal": "case.appraisal_started",
    "end appraisal": "case.appraisal_ended",
    "mark outside jurisdiction": "case.marked_outside_jurisdiction",
    "record not filing notice": "case.not_filing_notice_recorded",
    "record reconsideration application": "case.reconsideration_applied",
    "decide reconsideration": "case.reconsideration_decided",
    "extend reconsideration": "case.reconsideration_extended",
    "record review application": "case.review_applied",
    "decide review": "case.review_decided",
    "extend review": "case.review_extended",
    "record detention step": "case.detention_step_recorded",
}

STATE_COMMANDS = [c.value for c in CaseCommand if c is not CaseCommand.REGISTER]
PAIRS = [(stage, command) for stage in CaseStage for command in STATE_COMMANDS]
ALLOWED_PAIRS = [(s, c) for s, c in PAIRS if c in TRANSITIONS[s]]
REFUSED_PAIRS = [(s, c) for s, c in PAIRS if c not in TRANSITIONS[s]]


def _pair_id(pair: tuple[CaseStage, str]) -> str:
    return f"{pair[0].value}-{pair[1].replace(' ', '_')}"


def test_the_state_commands_are_exactly_those_named_in_the_transition_table():
    named = {command for targets in TRANSITIONS.values() for command in targets}
    assert named == set(STATE_COMMANDS) == set(EVENT_TYPES)
    assert set(TRANSITIONS) == set(CaseStage)
    assert len(ALLOWED_PAIRS) + len(REFUSED_PAIRS) == len(CaseStage) * len(STATE_COMMANDS)


def test_the_stages_move_forward_only_along_the_documented_path():
    moves = {
        (stage, command, target)
        for stage, targets in TRANSITIONS.items()
        for command, target in targets.items()
        if target is not stage
    }
    assert moves == {
        (S.ALERT_RECEIVED, "accept", S.ACCEPTED),
        (S.ACCEPTED, "file", S.FILED),
        (S.ACCEPTED, "refuse to file", S.NOT_FILED),
        (S.FILED, "start investigating", S.INVESTIGATING),
        (S.FILED, "withdraw", S.WITHDRAWN),
        (S.INVESTIGATING, "conclude", S.CONCLUDED),
        (S.INVESTIGATING, "withdraw", S.WITHDRAWN),
    }


def test_a_final_stage_leads_nowhere_else():
    for stage in FINAL_STAGES:
        assert ALLOWED[stage] <= {stage}, stage
    for stage in OPEN_STAGES:
        assert ALLOWED[stage] - {stage}, stage


@pytest.mark.parametrize(("stage", "command"), ALLOWED_PAIRS, ids=map(_pair_id, ALLOWED_PAIRS))
def test_an_allowed_command_records_one_event_and_moves_the_version_by_one(stage, command):
    # given
    case = case_in(stage, SETUPS.get(command))
    version = case.version
    before = case.snapshot()

    # when
    run(case, command)

    # then
    assert case.stage is TRANSITIONS[stage][command]
    events = case.collect_events()
    assert [e.event_type for e in events] == [EVENT_TYPES[command]]
    (event,) = events
    assert case.version == version + 1 == event.aggregate_version
    assert event.aggregate_type == "case"
    assert event.aggregate_id == case.id
    assert event.correlation_id == case.correlation
    assert event.owner_unit == case.unit
    assert event.occurred_at == LATER
    after = case.snapshot()
    assert event.changes == {
        key: {"before": before.get(key), "after": value}
        for key, value in after.items()
        if before.get(key) != value
    }
    assert event.changes, "every command changes something"


@pytest.mark.parametrize(("stage", "command"), REFUSED_PAIRS, ids=map(_pair_id, REFUSED_PAIRS))
def test_a_refused_command_is_an_invalid_transition_that_changes_nothing(stage, command):
    # given
    case = case_in(stage, SETUPS.get(command))
    version = case.version
    before = case.snapshot()

    # when
    with pytest.raises(InvalidTransition) as refused:
        run(case, command)

    # then
    assert refused.value.current == stage
    assert refused.value.attempted == command
    assert refused.value.allowed == tuple(sorted(ALLOWED[stage]))
    assert case.version == version
    assert case.snapshot() == before
    assert case.collect_events() == []


def test_each_stage_records_when_and_by_whom_it_was_entered():
    # given
    case = case_in(S.CONCLUDED)

    # then
    steps = [(s.stage, s.by.subject, s.by.role) for s in case.history]
    assert steps == [
        (S.ALERT_RECEIVED, "jingzong", "integration"),
        (S.ACCEPTED, "handler-ft-xs", "handler"),
        (S.FILED, "handler-ft-xs", "handler"),
        (S.INVESTIGATING, "handler-ft-xs", "handler"),
        (S.CONCLUDED, "handler-ft-xs", "handler"),
    ]
    times = [s.at for s in case.history]
    assert times == sorted(times)
    assert case.accepted_at == times[1]
    assert case.closed_at == times[-1]
