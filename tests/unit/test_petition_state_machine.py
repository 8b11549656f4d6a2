"""The petition's state machine: every (state, command) pair, its events and its guards."""

from __future__ import annotations

import itertools
import json
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from domain.deadlines import ClockRule, ClockUnit, HolidayCalendar
from domain.errors import Forbidden, InvalidTransition, ValidationFailed
from domain.events import DomainEvent
from domain.personal import Identity
from domain.petition.aggregate import Petition
from domain.petition.clocks import SCOPE, PetitionClocks
from domain.petition.errors import AlreadyReExamined
from domain.petition.policy import PetitionCommand
from domain.petition.status import (
    ALLOWED,
    OPEN_STATUSES,
    TRANSITIONS,
    WORK_COMMANDS,
    BacklogCause,
    Finding,
    JudicialAidStatus,
    Outcome,
    PetitionStatus,
    RoutingDecision,
    SupervisionLevel,
)

S = PetitionStatus
C = PetitionCommand
SHANGHAI = ZoneInfo("Asia/Shanghai")
HOUR = timedelta(hours=1)


def shanghai(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SHANGHAI)


def rule(clock: str, unit: ClockUnit, limit: int, basis: str, **extra: object) -> ClockRule:
    return ClockRule(
        code=f"petition.{clock}",
        name=clock,
        start_event=f"petition.{clock}",
        unit=unit,
        limit=limit,
        basis=basis,
        **extra,  # type: ignore[arg-type]
    )


DAYS = ClockUnit.CALENDAR_DAYS
RULES = {
    "register": rule("register", DAYS, 15, "信访工作条例 art. 22"),
    "notice": rule("notice", DAYS, 15, "信访工作条例 art. 23"),
    "objection": rule("objection", ClockUnit.WORKING_DAYS, 5, "信访工作条例 art. 23–24"),
    "handling": rule(
        "handling", DAYS, 60, "信访工作条例 art. 34", max_extension=30, extension_approver="leader"
    ),
    "review_request": rule("review_request", DAYS, 30, "信访工作条例 art. 35"),
    "review": rule("review", DAYS, 30, "信访工作条例 art. 35"),
    "re_examination_request": rule("re_examination_request", DAYS, 30, "信访工作条例 art. 36"),
    "re_examination": rule("re_examination", DAYS, 30, "信访工作条例 art. 36"),
}


def clocks_with(calendar: HolidayCalendar = HolidayCalendar.EMPTY) -> PetitionClocks:
    return PetitionClocks(
        rules={(clock, SCOPE): r for clock, r in RULES.items()}, calendar=calendar, tz=SHANGHAI
    )


CLOCKS = clocks_with()
PERSON = Identity.parse(name="李四", phone="13900001111", id_number="11010519491231002X")
SALT = b"per-petitioner-salt"

RECEIVED_AT = shanghai(2026, 11, 23, 9)  # a Monday
REGISTERED_AT = shanghai(2026, 11, 23, 10)
STEP_AT = {
    S.ACCEPTED: shanghai(2026, 11, 24),
    S.HANDLING: shanghai(2026, 11, 25),
    S.ANSWERED: shanghai(2026, 12, 10),
    S.REVIEW_REQUESTED: shanghai(2026, 12, 15),
    S.REVIEWED: shanghai(2026, 12, 20),
    S.RE_EXAMINATION_REQUESTED: shanghai(2026, 12, 25),
    S.RE_EXAMINED: shanghai(2026, 12, 30),
    S.CLOSED: shanghai(2027, 1, 5),
}
SIDE_AT = shanghai(2026, 11, 24)

_ids = itertools.count(1)


def register(
    *,
    received_at: datetime = RECEIVED_AT,
    registered_at: datetime = REGISTERED_AT,
    clocks: PetitionClocks = CLOCKS,
    complained_units: tuple[str, ...] = ("FT-SB",),
    handling_unit: str = "FT-XS",
) -> Petition:
    n = next(_ids)
    return Petition.register(
        id=str(UUID(int=n)),
        received_at=received_at,
        registered_at=registered_at,
        subject="报案后派出所久拖不决",
        content="多次信访反映报案后无进展，要求依法处理。",
        petitioner_id=UUID(int=50_000 + n),
        petitioner_commitments=PERSON.commitments(SALT),
        correlation=UUID(int=90_000 + n),
        handling_unit=handling_unit,
        supervision_level=SupervisionLevel.PROVINCE,
        clocks=clocks,
        complained_units=complained_units,
        complained_officers=("P-FT-SB-001",),
    )


HAPPY_PATH = (
    S.REGISTERED,
    S.ACCEPTED,
    S.HANDLING,
    S.ANSWERED,
    S.REVIEW_REQUESTED,
    S.REVIEWED,
    S.RE_EXAMINATION_REQUESTED,
    S.RE_EXAMINED,
    S.CLOSED,
)


def step(petition: Petition, status: PetitionStatus, at: datetime) -> None:
    match status:
        case S.ACCEPTED:
            petition.accept(at=at, clocks=CLOCKS)
        case S.HANDLING:
            petition.start_handling(at=at)
        case S.ANSWERED:
            petition.answer(finding=Finding.EXPLAIN, text="依法解释说明。", at=at, clocks=CLOCKS)
        case S.REVIEW_REQUESTED:
            petition.request_review(reason="对处理意见不服", at=at, clocks=CLOCKS)
        case S.REVIEWED:
            petition.decide_review(
                finding=Finding.NOT_SUPPORT, text="维持原处理意见。", at=at, clocks=CLOCKS
            )
        case S.RE_EXAMINATION_REQUESTED:
            petition.request_re_examination(reason="对复查意见不服", at=at, clocks=CLOCKS)
        case S.RE_EXAMINED:
            petition.decide_re_examination(finding=Finding.NOT_SUPPORT, text="复核维持。", at=at)
        case S.CLOSED:
            petition.close(at=at)
        case _:
            raise AssertionError(status)


def petition_in(status: PetitionStatus) -> Petition:
    """Walk a new petition to `status` through the aggregate's own commands."""
    petition = register()
    if status is S.NOT_ACCEPTED:
        petition.refuse(reason="不属于公安机关职责范围", at=SIDE_AT)
    elif status is S.RETURNED:
        petition.object_to_routing(reason="不属本所管辖", at=SIDE_AT)
    elif status is not S.REGISTERED:
        for each in HAPPY_PATH[1 : HAPPY_PATH.index(status) + 1]:
            step(petition, each, STEP_AT[each])
    assert petition.status is status
    return petition


def moment_for(petition: Petition, command: str) -> datetime:
    """A moment at which `command` is valid apart from the state: after the last step."""
    moments = [
        petition.forwarded_at,
        petition.refused_at,
        petition.objected_at,
        *(t for s, t in STEP_AT.items() if HAPPY_PATH.index(s) <= _reached(petition)),
    ]
    at = max(m for m in moments if m is not None) + HOUR
    if command == C.CLOSE.value:
        window = {S.ANSWERED: "review_request", S.REVIEWED: "re_examination_request"}.get(
            petition.status
        )
        if window:
            due = petition.deadlines[window].due_at
            assert due is not None
            at = max(at, due + HOUR)
    return at


def _reached(petition: Petition) -> int:
    return HAPPY_PATH.index(petition.status) if petition.status in HAPPY_PATH else 0


def run(petition: Petition, command: str, at: datetime) -> None:
    """Issue `command` with valid arguments, so only the state can make it fail."""
    match PetitionCommand(command):
        case C.ACCEPT:
            petition.accept(at=at, clocks=CLOCKS)
        case C.REFUSE:
            petition.refuse(reason="不予受理：已经司法程序处理", at=at)
        case C.OBJECT_TO_ROUTING:
            petition.object_to_routing(reason="不属本所管辖", at=at)
        case C.DECIDE_ROUTING:
            petition.decide_routing(
                decision=RoutingDecision.REASSIGNED,
                superior_unit="FT",
                unit="FT-HF",
                reason="由华富派出所办理",
                at=at,
                clocks=CLOCKS,
            )
        case C.START_HANDLING:
            petition.start_handling(at=at)
        case C.EXTEND_HANDLING:
            petition.extend_handling(
                days=30, reason="案情复杂", approver_role="leader", at=at, clocks=CLOCKS
            )
        case C.ANSWER:
            petition.answer(finding=Finding.SUPPORT, text="支持。", at=at, clocks=CLOCKS)
        case C.REQUEST_REVIEW:
            petition.request_review(reason="不服", at=at, clocks=CLOCKS)
        case C.DECIDE_REVIEW:
            petition.decide_review(
                finding=Finding.SUPPORT, text="撤销原意见。", at=at, clocks=CLOCKS
            )
        case C.REQUEST_RE_EXAMINATION:
            petition.request_re_examination(reason="不服", at=at, clocks=CLOCKS)
        case C.DECIDE_RE_EXAMINATION:
            petition.decide_re_examination(finding=Finding.EXPLAIN, text="维持。", at=at)
        case C.CLOSE:
            petition.close(at=at)
        case C.RECORD_REPEAT:
            petition.record_repeat(at=at)
        case C.MARK_BACKLOG:
            petition.mark_backlog(reason="部督积案", at=at)
        case C.ASSIGN_LEADER:
            petition.assign_leader(
                officer="P-FT-XS-001", deadline=date(2030, 1, 1), at=at, tz=SHANGHAI
            )
        case C.RECORD_DISPATCH:
            petition.record_dispatch(
                held_on=date(2026, 11, 23), notes="调度会：明确责任", at=at, tz=SHANGHAI
            )
        case C.RECORD_INTERVIEW:
            petition.record_interview(
                held_on=date(2026, 11, 23),
                participants=("分管局领导", "法制大队长"),
                notes="约谈信访人，解释法律规定。",
                at=at,
                tz=SHANGHAI,
            )
        case C.RECORD_LAWYER:
            petition.record_lawyer(name="刘律师", firm="山东盈德律师事务所", at=at)
        case C.REFER_LEGAL_AID:
            petition.refer_to_legal_aid(centre="槐荫区法律援助中心", note=None, at=at)
        case C.RECORD_JUDICIAL_AID:
            petition.record_judicial_aid(
                status=JudicialAidStatus.APPLIED, amount=None, note="因案致困", at=at
            )
        case C.RECORD_OUTCOME:
            petition.record_outcome(outcome=Outcome.STOPPED, note="息诉罢访", at=at)
        case C.ADD_ATTACHMENT:
            petition.add_attachment(
                name="答复意见书.pdf",
                media_type="application/pdf",
                size=1024,
                sha256="ab" * 32,
                added_by="handler-1",
                at=at,
            )
        case _:
            raise AssertionError(f"unknown command {command}")


def only_event(petition: Petition) -> DomainEvent:
    events = petition.collect_events()
    assert len(events) == 1, [e.event_type for e in events]
    return events[0]


def dump(events: list[DomainEvent]) -> str:
    return json.dumps([asdict(e) for e in events], ensure_ascii=False, default=str)


# -- the transition table, pair by pair ------------------------------------------------------

STATE_COMMANDS = [c for c in PetitionCommand if c is not C.REGISTER]
PAIRS = [(status, command.value) for status in PetitionStatus for command in STATE_COMMANDS]
ALLOWED_PAIRS = [(s, c) for s, c in PAIRS if c in TRANSITIONS[s]]
FORBIDDEN_PAIRS = [(s, c) for s, c in PAIRS if c not in TRANSITIONS[s]]

EVENT_TYPES = {
    C.ACCEPT: "petition.accepted",
    C.REFUSE: "petition.refused",
    C.OBJECT_TO_ROUTING: "petition.routing_objected",
    C.DECIDE_ROUTING: "petition.routing_decided",
    C.START_HANDLING: "petition.handling_started",
    C.EXTEND_HANDLING: "petition.handling_extended",
    C.ANSWER: "petition.answered",
    C.REQUEST_REVIEW: "petition.review_requested",
    C.DECIDE_REVIEW: "petition.reviewed",
    C.REQUEST_RE_EXAMINATION: "petition.re_examination_requested",
    C.DECIDE_RE_EXAMINATION: "petition.re_examined",
    C.CLOSE: "petition.closed",
    C.RECORD_REPEAT: "petition.repeat_received",
    C.MARK_BACKLOG: "petition.backlog_marked",
    C.ASSIGN_LEADER: "petition.leader_assigned",
    C.RECORD_DISPATCH: "petition.dispatch_recorded",
    C.RECORD_INTERVIEW: "petition.interview_recorded",
    C.RECORD_LAWYER: "petition.lawyer_recorded",
    C.REFER_LEGAL_AID: "petition.legal_aid_referred",
    C.RECORD_JUDICIAL_AID: "petition.judicial_aid_recorded",
    C.RECORD_OUTCOME: "petition.outcome_recorded",
    C.ADD_ATTACHMENT: "petition.attachment_added",
}


def _pair_id(pair: tuple[PetitionStatus, str]) -> str:
    return f"{pair[0].value}-{pair[1].replace(' ', '_')}"


def test_the_state_commands_are_exactly_those_named_in_the_transition_table():
    named = {command for targets in TRANSITIONS.values() for command in targets}
    assert named == {c.value for c in STATE_COMMANDS}
    assert set(TRANSITIONS) == set(PetitionStatus)
    assert set(EVENT_TYPES) == set(STATE_COMMANDS)


def test_the_table_reads_as_the_regulation_does():
    assert TRANSITIONS[S.REGISTERED] == {
        "accept": S.ACCEPTED,
        "refuse": S.NOT_ACCEPTED,
        "object to the routing of": S.RETURNED,
        "add an attachment to": S.REGISTERED,
    }
    assert TRANSITIONS[S.RETURNED]["decide the routing of"] is S.REGISTERED
    assert TRANSITIONS[S.HANDLING]["answer"] is S.ANSWERED
    assert TRANSITIONS[S.ANSWERED]["request review of"] is S.REVIEW_REQUESTED
    assert TRANSITIONS[S.REVIEWED]["request re-examination of"] is S.RE_EXAMINATION_REQUESTED
    # After 复核 nothing reopens the matter (art. 36).
    assert "request review of" not in TRANSITIONS[S.RE_EXAMINED]
    assert "request re-examination of" not in TRANSITIONS[S.RE_EXAMINED]
    assert ALLOWED[S.RE_EXAMINED] == {S.RE_EXAMINED, S.CLOSED}


def test_not_accepted_ends_the_procedure_and_keeps_only_the_case_file():
    assert ALLOWED[S.NOT_ACCEPTED] == {S.NOT_ACCEPTED}
    assert set(TRANSITIONS[S.NOT_ACCEPTED]) == {"add an attachment to"}
    for status in OPEN_STATUSES:
        assert set(ALLOWED[status]) - {status}, status


def test_backlog_work_is_allowed_from_acceptance_on_even_after_closing():
    for status in (S.ACCEPTED, S.HANDLING, S.ANSWERED, S.RE_EXAMINED, S.CLOSED):
        for command in WORK_COMMANDS:
            assert TRANSITIONS[status][command] is status
    for status in (S.REGISTERED, S.RETURNED, S.NOT_ACCEPTED):
        assert not set(WORK_COMMANDS) & set(TRANSITIONS[status])


@pytest.mark.parametrize(("status", "command"), ALLOWED_PAIRS, ids=map(_pair_id, ALLOWED_PAIRS))
def test_an_allowed_command_moves_the_petition_to_its_next_state_with_one_event(status, command):
    petition = petition_in(status)
    at = moment_for(petition, command)
    petition.collect_events()
    version = petition.version
    before = petition.snapshot()

    run(petition, command, at)

    assert petition.status is TRANSITIONS[status][command]
    event = only_event(petition)
    assert petition.version == version + 1
    assert event.aggregate_version == petition.version
    assert event.event_type == EVENT_TYPES[PetitionCommand(command)]
    assert event.aggregate_type == "petition"
    assert event.aggregate_id == petition.id
    assert event.correlation_id == petition.correlation
    assert event.owner_unit == petition.handling_unit
    assert event.occurred_at == at
    after = petition.snapshot()
    assert event.changes == {
        field: {"before": before.get(field), "after": after[field]}
        for field in after
        if before.get(field) != after[field]
    }
    assert event.changes, "every command changes something"


@pytest.mark.parametrize(("status", "command"), FORBIDDEN_PAIRS, ids=map(_pair_id, FORBIDDEN_PAIRS))
def test_a_forbidden_command_is_refused_naming_the_current_and_the_allowed_states(status, command):
    petition = petition_in(status)
    at = moment_for(petition, command)
    petition.collect_events()
    version = petition.version
    before = petition.snapshot()

    with pytest.raises(InvalidTransition) as refused:
        run(petition, command, at)

    error = refused.value
    assert error.code == "INVALID_TRANSITION"
    assert error.current == status
    assert error.attempted == command
    assert set(error.allowed) == {s.value for s in ALLOWED[status]}
    assert f"cannot {command} from {status.value}" in error.message
    # A refused command leaves no trace.
    assert petition.version == version
    assert petition.pending_events == []
    assert petition.snapshot() == before


# -- registration and events -------------------------------------------------------------------


def test_registering_records_one_event_with_the_petitioners_commitments_only():
    petition = register()

    event = only_event(petition)

    assert petition.version == 1
    assert petition.status is S.REGISTERED
    assert event.event_type == "petition.registered"
    assert event.owner_unit == "FT-XS"
    assert event.changes["status"] == {"before": None, "after": "REGISTERED"}
    assert event.changes["supervisionLevel"] == {"before": None, "after": "PROVINCE"}
    assert event.data["petitioner"] == {
        "ref": str(petition.petitioner_id),
        "commitments": PERSON.commitments(SALT),
    }
    text = dump([event])
    assert "李四" not in text
    assert "13900001111" not in text
    assert "11010519491231002X" not in text


def test_a_petition_is_never_forwarded_to_the_unit_it_is_about():
    with pytest.raises(ValidationFailed) as refused:
        register(complained_units=("FT-XS",), handling_unit="FT-XS")
    assert refused.value.field == "handlingUnitCode"


def test_a_petition_received_after_its_registration_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        register(received_at=REGISTERED_AT + HOUR)
    assert refused.value.field == "receivedAt"


def test_the_whole_procedure_raises_the_version_by_one_per_event():
    petition = petition_in(S.CLOSED)
    petition.record_outcome(outcome=Outcome.SETTLED, note=None, at=shanghai(2027, 1, 6))

    events = petition.collect_events()

    assert [e.aggregate_version for e in events] == list(range(1, 11))
    assert [e.event_type for e in events] == [
        "petition.registered",
        "petition.accepted",
        "petition.handling_started",
        "petition.answered",
        "petition.review_requested",
        "petition.reviewed",
        "petition.re_examination_requested",
        "petition.re_examined",
        "petition.closed",
        "petition.outcome_recorded",
    ]


def test_a_judgement_records_its_reason_on_the_event():
    petition = register()
    petition.collect_events()

    petition.refuse(reason="  已经或者依法应当通过诉讼解决  ", at=SIDE_AT)

    event = only_event(petition)
    assert event.reason == "已经或者依法应当通过诉讼解决"
    assert petition.refusal_reason == event.reason


# -- routing (art. 23–24) ----------------------------------------------------------------------


def test_the_common_superior_reassigns_a_disputed_item_and_restarts_the_notice_clock():
    petition = petition_in(S.RETURNED)
    first_notice = petition.deadlines["notice"]
    petition.collect_events()
    decided_at = shanghai(2026, 11, 27)

    petition.decide_routing(
        decision=RoutingDecision.REASSIGNED,
        superior_unit="FT",
        unit="FT-HF",
        reason="属华富派出所辖区",
        at=decided_at,
        clocks=CLOCKS,
    )

    event = only_event(petition)
    assert petition.status is S.REGISTERED
    assert petition.handling_unit == "FT-HF"
    assert petition.objecting_unit == "FT-XS"
    assert event.owner_unit == "FT-HF"
    assert event.changes["handlingUnit"] == {"before": "FT-XS", "after": "FT-HF"}
    assert event.changes["routingDecision"] == {"before": None, "after": "REASSIGNED"}
    assert petition.deadlines["notice"].started_at == decided_at.astimezone(UTC)
    assert petition.deadlines["notice"].due_at != first_notice.due_at


def test_after_the_superior_decided_the_item_cannot_be_objected_to_again():
    petition = petition_in(S.RETURNED)
    petition.decide_routing(
        decision=RoutingDecision.UPHELD,
        superior_unit="FT",
        unit=None,
        reason="维持原交办",
        at=shanghai(2026, 11, 25),
        clocks=CLOCKS,
    )

    with pytest.raises(ValidationFailed, match="already decided"):
        petition.object_to_routing(reason="仍不属本所", at=shanghai(2026, 11, 25, 11))
    assert petition.handling_unit == "FT-XS"


@pytest.mark.parametrize(
    ("decision", "unit", "field"),
    [
        (RoutingDecision.REASSIGNED, None, "unitCode"),
        (RoutingDecision.REASSIGNED, "FT-XS", "unitCode"),
        (RoutingDecision.REASSIGNED, "FT-SB", "unitCode"),  # the unit complained about
        (RoutingDecision.UPHELD, "FT-HF", "unitCode"),
    ],
)
def test_a_routing_decision_must_name_a_sensible_unit(decision, unit, field):
    petition = petition_in(S.RETURNED)

    with pytest.raises(ValidationFailed) as refused:
        petition.decide_routing(
            decision=decision,
            superior_unit="FT",
            unit=unit,
            reason="理由",
            at=shanghai(2026, 11, 25),
            clocks=CLOCKS,
        )
    assert refused.value.field == field


# -- extension (art. 34) -----------------------------------------------------------------------


def test_handling_is_extended_once_by_at_most_thirty_days_with_the_leaders_approval():
    petition = petition_in(S.HANDLING)
    petition.collect_events()
    at = shanghai(2026, 12, 1)

    with pytest.raises(Forbidden, match="approved by leader"):
        petition.extend_handling(
            days=10, reason="案情复杂", approver_role="supervisor", at=at, clocks=CLOCKS
        )
    for days in (0, 31):
        with pytest.raises(ValidationFailed, match="1 to 30 days"):
            petition.extend_handling(
                days=days, reason="案情复杂", approver_role="leader", at=at, clocks=CLOCKS
            )
    with pytest.raises(ValidationFailed) as no_reason:
        petition.extend_handling(days=30, reason="  ", approver_role="leader", at=at, clocks=CLOCKS)
    assert no_reason.value.field == "reason"
    assert petition.pending_events == []

    petition.extend_handling(
        days=30, reason="案情复杂", approver_role="leader", at=at, clocks=CLOCKS
    )
    event = only_event(petition)
    assert event.data == {"days": 30}
    assert event.reason == "案情复杂"
    assert petition.deadlines["handling"].extension == 30

    with pytest.raises(ValidationFailed, match="one extension"):
        petition.extend_handling(
            days=1, reason="再延", approver_role="leader", at=at + HOUR, clocks=CLOCKS
        )


# -- closing, repeats, backlog work ------------------------------------------------------------


def test_closing_waits_until_the_petitioner_can_no_longer_request_review():
    petition = petition_in(S.ANSWERED)
    window = petition.deadlines["review_request"].due_at
    assert window is not None

    with pytest.raises(ValidationFailed, match="may request review until"):
        petition.close(at=window - HOUR)
    petition.close(at=window)

    assert petition.status is S.CLOSED


def test_the_same_matter_after_re_examination_is_refused_and_the_case_becomes_backlog():
    petition = petition_in(S.RE_EXAMINED)
    petition.collect_events()
    at = shanghai(2027, 2, 1)

    refusal = petition.record_repeat(at=at)

    assert isinstance(refusal, AlreadyReExamined)
    assert refusal.code == "VALIDATION"
    assert refusal.field == "sameMatterAs"
    assert "not accepted again" in refusal.message
    assert "信访工作条例 art. 36" in refusal.message
    assert refusal.petition_id == petition.id
    event = only_event(petition)
    assert event.event_type == "petition.repeat_received"
    assert event.changes["repeatCount"] == {"before": 0, "after": 1}
    assert event.changes["backlogCause"] == {
        "before": None,
        "after": "REPEATED_AFTER_RE_EXAMINATION",
    }
    assert petition.is_backlog(at)


def test_a_petition_closed_without_re_examination_does_not_refuse_the_same_matter():
    petition = petition_in(S.ANSWERED)
    window = petition.deadlines["review_request"].due_at
    assert window is not None
    petition.close(at=window)

    with pytest.raises(ValidationFailed, match="only a re-examined petition"):
        petition.record_repeat(at=window + HOUR)


def test_a_backlog_case_is_marked_once():
    petition = petition_in(S.HANDLING)
    petition.mark_backlog(reason="省厅督办积案", at=shanghai(2026, 12, 1))
    petition.collect_events()

    with pytest.raises(ValidationFailed, match="already a backlog case"):
        petition.mark_backlog(reason="再次标记", at=shanghai(2026, 12, 2))
    assert petition.backlog_cause is BacklogCause.DESIGNATED
    assert petition.pending_events == []


def test_judicial_aid_is_applied_for_before_its_result_and_only_a_grant_has_an_amount():
    petition = petition_in(S.HANDLING)
    at = shanghai(2026, 12, 1)

    with pytest.raises(ValidationFailed, match="before its result"):
        petition.record_judicial_aid(
            status=JudicialAidStatus.GRANTED, amount=5000, note=None, at=at
        )
    with pytest.raises(ValidationFailed) as amount:
        petition.record_judicial_aid(
            status=JudicialAidStatus.APPLIED, amount=5000, note=None, at=at
        )
    assert amount.value.field == "amountYuan"
    petition.record_judicial_aid(status=JudicialAidStatus.APPLIED, amount=None, note=None, at=at)
    with pytest.raises(ValidationFailed, match="already applied"):
        petition.record_judicial_aid(
            status=JudicialAidStatus.APPLIED, amount=None, note=None, at=at
        )
    petition.record_judicial_aid(
        status=JudicialAidStatus.GRANTED, amount=20_000, note="救助金", at=at + HOUR
    )

    assert petition.judicial_aid_status is JudicialAidStatus.GRANTED
    assert petition.judicial_aid_amount == 20_000
    assert petition.judicial_aid_applied_at == at
    assert petition.judicial_aid_decided_at == at + HOUR


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sha256": "xyz"}, "sha256"),
        ({"sha256": "ab" * 31}, "sha256"),
        ({"size": -1}, "size"),
        ({"size": 2**31}, "size"),
        ({"media_type": "pdf"}, "mediaType"),
        ({"name": "  "}, "name"),
    ],
)
def test_an_attachment_needs_a_name_a_media_type_a_size_and_a_sha256(change, field):
    petition = petition_in(S.REGISTERED)
    values: dict[str, object] = {
        "name": "信访件.pdf",
        "media_type": "application/pdf",
        "size": 10,
        "sha256": "AB" * 32,
    }
    values.update(change)

    with pytest.raises(ValidationFailed) as refused:
        petition.add_attachment(**values, added_by="intake-1", at=SIDE_AT)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_an_attachment_hash_is_in_the_event_and_lowercased():
    petition = petition_in(S.REGISTERED)
    petition.collect_events()

    petition.add_attachment(
        name="信访件.pdf",
        media_type="Application/PDF",
        size=10,
        sha256="AB" * 32,
        added_by="intake-1",
        at=SIDE_AT,
    )

    event = only_event(petition)
    assert event.data["attachment"] == {
        "seq": 1,
        "name": "信访件.pdf",
        "mediaType": "application/pdf",
        "size": 10,
        "sha256": "ab" * 32,
    }
    assert [a.seq for a in petition.new_attachments] == [1]
    assert event.changes == {"attachmentCount": {"before": 0, "after": 1}}


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (
            lambda p, at: p.record_dispatch(
                held_on=date(2027, 1, 1), notes="会", at=at, tz=SHANGHAI
            ),
            "date",
        ),
        (
            lambda p, at: p.record_dispatch(
                held_on=date(2026, 12, 1), notes=" ", at=at, tz=SHANGHAI
            ),
            "notes",
        ),
        (
            lambda p, at: p.record_interview(
                held_on=date(2026, 12, 1), participants=(), notes="约谈", at=at, tz=SHANGHAI
            ),
            "participants",
        ),
        (
            lambda p, at: p.assign_leader(
                officer="P-FT-XS-001", deadline=date(2026, 11, 30), at=at, tz=SHANGHAI
            ),
            "deadline",
        ),
        (lambda p, at: p.record_lawyer(name="刘律师", firm="", at=at), "firm"),
        (lambda p, at: p.refer_to_legal_aid(centre=" ", note=None, at=at), "centre"),
    ],
    ids=[
        "dispatch-in-future",
        "dispatch-notes",
        "no-participants",
        "past-deadline",
        "firm",
        "centre",
    ],
)
def test_backlog_work_records_are_validated(command, field):
    petition = petition_in(S.HANDLING)
    petition.collect_events()

    with pytest.raises(ValidationFailed) as refused:
        command(petition, shanghai(2026, 12, 1))
    assert refused.value.field == field
    assert petition.pending_events == []
