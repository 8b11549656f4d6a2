"""The complaint's state machine: every (state, command) pair, its events, deadlines and guards."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from domain.complaint.aggregate import MAX_SUBJECT, CategoryRef, Complaint, ExternalRef
from domain.complaint.clocks import CALLBACK, REPLY, ComplaintClocks
from domain.complaint.policy import ComplaintCommand
from domain.complaint.status import (
    ALLOWED,
    OPEN_STATUSES,
    TRANSITIONS,
    ComplaintStatus,
    Satisfaction,
)
from domain.deadlines import ClockRule, ClockUnit, HolidayCalendar
from domain.errors import InvalidTransition, ValidationFailed
from domain.events import DomainEvent
from domain.personal import Identity

S = ComplaintStatus
SHANGHAI = ZoneInfo("Asia/Shanghai")
HOTLINE = "HOTLINE_12345"
MAILBOX = "DIRECTOR_MAILBOX"  # no clock rules configured for it below


def shanghai(day: int, hour: int, month: int = 11) -> datetime:
    """A moment in late 2026, Shanghai time (2026-11-23 is a Monday)."""
    return datetime(2026, month, day, hour, tzinfo=SHANGHAI)


RECEIVED_AT = shanghai(23, 9)
REGISTERED_AT = shanghai(23, 10)
TRIAGED_AT = shanghai(23, 11)
HANDLING_AT = shanghai(23, 14)
REPLIED_AT = shanghai(24, 10)  # Tuesday
CALLED_BACK_AT = shanghai(25, 10)
CLOSED_AT = shanghai(26, 10)
LATER = shanghai(7, 9, month=12)  # Monday 2026-12-07

REPLY_RULE = ClockRule(
    code="complaint.reply.HOTLINE_12345",
    name="12345工单答复",
    start_event="complaint.registered",
    unit=ClockUnit.WORKING_DAYS,
    limit=7,
    basis="local rule",
)
CALLBACK_RULE = ClockRule(
    code="complaint.callback.HOTLINE_12345",
    name="答复后回访",
    start_event="complaint.replied",
    unit=ClockUnit.CALENDAR_DAYS,
    limit=3,
    basis="local rule",
)
CLOCKS = ComplaintClocks(
    rules={(REPLY, HOTLINE): REPLY_RULE, (CALLBACK, HOTLINE): CALLBACK_RULE},
    calendar=HolidayCalendar(),
    tz=SHANGHAI,
)

ATTITUDE = CategoryRef(code="ENF_ATTITUDE", is_enforcement=True)
CONSULTATION = CategoryRef(code="NON_CONSULTATION", is_enforcement=False)

PERSON = Identity.parse(name="王小明", phone="138 0013 8000", id_number="11010519491231002X")
SALT = b"per-complainant-salt"

_ids = itertools.count(1)


# -- builders --------------------------------------------------------------------------------


def register(
    *,
    channel: str = HOTLINE,
    received_at: datetime = RECEIVED_AT,
    registered_at: datetime = REGISTERED_AT,
    subject: str = "三个派出所互相推诿",
    content: str = "报警后被三个派出所以不属于管辖为由推来推去。",
    complained_units: tuple[str, ...] = ("SZ.FT.S1",),
) -> Complaint:
    n = next(_ids)
    return Complaint.register(
        id=f"C-{n:04d}",
        channel=channel,
        received_at=received_at,
        registered_at=registered_at,
        subject=subject,
        content=content,
        complainant_id=UUID(int=n),
        complainant_commitments=PERSON.commitments(SALT),
        correlation=UUID(int=10_000 + n),
        clocks=CLOCKS,
        complained_units=complained_units,
        complained_officers=("P-1001",),
        external_ref=ExternalRef(system="12345", ticket=f"T-{n}"),
    )


HAPPY_PATH = (S.RECEIVED, S.TRIAGED, S.HANDLING, S.REPLIED, S.CALLED_BACK, S.CLOSED)


def complaint_in(
    status: ComplaintStatus,
    *,
    satisfaction: Satisfaction = Satisfaction.SATISFIED,
    channel: str = HOTLINE,
) -> Complaint:
    """Walk a new complaint to `status` through the aggregate's own commands."""
    complaint = register(channel=channel)
    if status is S.MERGED:
        complaint.merge_into(target=register(), reason="同一事项重复来信", at=TRIAGED_AT)
        return complaint
    if status is S.REJECTED:
        complaint.reject(reason="不属于公安机关职责范围", at=TRIAGED_AT)
        return complaint
    steps: dict[ComplaintStatus, Callable[[], None]] = {
        S.TRIAGED: lambda: complaint.triage(
            category=ATTITUDE,
            primary_unit="SZ.FT.S1",
            line_unit="SZ.LEGAL",
            importance=None,
            at=TRIAGED_AT,
        ),
        S.HANDLING: lambda: complaint.start_handling(at=HANDLING_AT),
        S.REPLIED: lambda: complaint.reply(
            text="经核查，已责令相关派出所受理。", at=REPLIED_AT, clocks=CLOCKS
        ),
        S.CALLED_BACK: lambda: complaint.record_callback(
            satisfaction=satisfaction, note="回访已联系本人", at=CALLED_BACK_AT
        ),
        S.CLOSED: lambda: complaint.close(at=CLOSED_AT),
    }
    for step in HAPPY_PATH[1 : HAPPY_PATH.index(status) + 1]:
        steps[step]()
    assert complaint.status is status
    return complaint


def run(complaint: Complaint, command: str) -> None:
    """Issue `command` with valid arguments, so only the state can make it fail."""
    match command:
        case "triage":
            complaint.triage(
                category=CONSULTATION,
                primary_unit="SZ.NS.S2",
                line_unit=None,
                importance=None,
                at=LATER,
            )
        case "start handling":
            complaint.start_handling(at=LATER)
        case "reply":
            complaint.reply(text="已答复来信人。", at=LATER, clocks=CLOCKS)
        case "record callback":
            complaint.record_callback(satisfaction=Satisfaction.SATISFIED, note=None, at=LATER)
        case "close":
            complaint.close(at=LATER)
        case "reopen":
            complaint.reopen(reason="来信人对答复不满意", at=LATER, clocks=CLOCKS)
        case "merge":
            complaint.merge_into(target=register(), reason="重复来信", at=LATER)
        case "reject":
            complaint.reject(reason="不予受理", at=LATER)
        case _:
            raise AssertionError(f"unknown command {command}")


def dump(events: list[DomainEvent]) -> str:
    """Every event, fully, as the JSON an audit row would hold (non-ASCII kept literal)."""
    return json.dumps([asdict(e) for e in events], ensure_ascii=False, default=str)


def only_event(complaint: Complaint) -> DomainEvent:
    events = complaint.collect_events()
    assert len(events) == 1, [e.event_type for e in events]
    return events[0]


# -- the transition table, pair by pair ------------------------------------------------------

STATE_COMMANDS = [
    c
    for c in ComplaintCommand
    if c not in {ComplaintCommand.REGISTER, ComplaintCommand.ERASE_IDENTITY}
]
PAIRS = [(status, command.value) for status in ComplaintStatus for command in STATE_COMMANDS]
ALLOWED_PAIRS = [(s, c) for s, c in PAIRS if c in TRANSITIONS[s]]
FORBIDDEN_PAIRS = [(s, c) for s, c in PAIRS if c not in TRANSITIONS[s]]

EVENT_TYPES = {
    "triage": "complaint.triaged",
    "start handling": "complaint.handling_started",
    "reply": "complaint.replied",
    "record callback": "complaint.called_back",
    "close": "complaint.closed",
    "reopen": "complaint.reopened",
    "merge": "complaint.merged",
    "reject": "complaint.rejected",
}


def _pair_id(pair: tuple[ComplaintStatus, str]) -> str:
    return f"{pair[0].value}-{pair[1].replace(' ', '_')}"


def test_the_state_commands_are_exactly_those_named_in_the_transition_table():
    named = {command for targets in TRANSITIONS.values() for command in targets}
    assert named == {c.value for c in STATE_COMMANDS}
    assert set(TRANSITIONS) == set(ComplaintStatus)
    assert len(ALLOWED_PAIRS) + len(FORBIDDEN_PAIRS) == len(ComplaintStatus) * len(STATE_COMMANDS)


def test_the_final_states_allow_nothing_and_the_open_states_allow_something():
    assert ALLOWED[S.MERGED] == frozenset()
    assert ALLOWED[S.REJECTED] == frozenset()
    for status in OPEN_STATUSES:
        assert ALLOWED[status], status


@pytest.mark.parametrize(("status", "command"), ALLOWED_PAIRS, ids=map(_pair_id, ALLOWED_PAIRS))
def test_an_allowed_command_moves_the_complaint_to_its_next_state_with_one_event(status, command):
    satisfaction = Satisfaction.DISSATISFIED if command == "reopen" else Satisfaction.SATISFIED
    complaint = complaint_in(status, satisfaction=satisfaction)
    complaint.collect_events()
    version = complaint.version
    before = complaint.snapshot()

    run(complaint, command)

    assert complaint.status is TRANSITIONS[status][command]
    event = only_event(complaint)
    assert complaint.version == version + 1
    assert event.aggregate_version == complaint.version
    assert event.event_type == EVENT_TYPES[command]
    assert event.aggregate_type == "complaint"
    assert event.aggregate_id == complaint.id
    assert event.correlation_id == complaint.correlation
    assert event.occurred_at == LATER
    after = complaint.snapshot()
    assert event.changes == {
        field: {"before": before[field], "after": after[field]}
        for field in after
        if before[field] != after[field]
    }


@pytest.mark.parametrize(("status", "command"), FORBIDDEN_PAIRS, ids=map(_pair_id, FORBIDDEN_PAIRS))
def test_a_forbidden_command_is_refused_naming_the_current_and_the_allowed_states(status, command):
    # A dissatisfied callback, so that reopening could only fail because of the state.
    complaint = complaint_in(status, satisfaction=Satisfaction.DISSATISFIED)
    complaint.collect_events()
    version = complaint.version
    before = complaint.snapshot()

    with pytest.raises(InvalidTransition) as refused:
        run(complaint, command)

    error = refused.value
    assert error.code == "INVALID_TRANSITION"
    assert error.current == status
    assert error.attempted == command
    assert set(error.allowed) == {s.value for s in ALLOWED[status]}
    assert f"cannot {command} from {status.value}" in error.message
    for allowed in ALLOWED[status]:
        assert allowed.value in error.message
    if not ALLOWED[status]:
        assert "none (final state)" in error.message
    # A refused command leaves no trace.
    assert complaint.version == version
    assert complaint.pending_events == []
    assert complaint.snapshot() == before


# -- events ----------------------------------------------------------------------------------


def test_registering_records_one_registered_event_at_version_one():
    complaint = register()

    event = only_event(complaint)

    assert complaint.version == 1
    assert complaint.status is S.RECEIVED
    assert event.event_type == "complaint.registered"
    assert event.aggregate_version == 1
    assert event.occurred_at == REGISTERED_AT
    assert event.owner_unit is None
    assert event.changes["status"] == {"before": None, "after": "RECEIVED"}
    assert event.changes["receivedAt"] == {"before": None, "after": RECEIVED_AT.isoformat()}


def test_versions_rise_by_exactly_one_per_event_across_the_whole_lifecycle():
    complaint = complaint_in(S.CALLED_BACK, satisfaction=Satisfaction.DISSATISFIED)
    complaint.close(at=CLOSED_AT)
    complaint.reopen(reason="来信人不满意", at=LATER, clocks=CLOCKS)
    complaint.reply(text="重新核查后答复", at=LATER, clocks=CLOCKS)
    complaint.record_callback(satisfaction=Satisfaction.SATISFIED, note=None, at=LATER)
    complaint.close(at=LATER)
    complaint.erase_identity(reason="本人申请删除个人信息", at=LATER)

    events = complaint.collect_events()

    assert [e.aggregate_version for e in events] == list(range(1, 12))
    assert complaint.version == 11
    assert [e.event_type for e in events] == [
        "complaint.registered",
        "complaint.triaged",
        "complaint.handling_started",
        "complaint.replied",
        "complaint.called_back",
        "complaint.closed",
        "complaint.reopened",
        "complaint.replied",
        "complaint.called_back",
        "complaint.closed",
        "complaint.identity_erased",
    ]


def test_every_event_type_is_a_past_tense_fact_about_a_complaint():
    complaint = complaint_in(S.CLOSED, satisfaction=Satisfaction.DISSATISFIED)
    complaint.reopen(reason="不满意", at=LATER, clocks=CLOCKS)
    merged = complaint_in(S.MERGED)
    rejected = complaint_in(S.REJECTED)
    rejected.erase_identity(reason="本人申请", at=LATER)

    events = complaint.collect_events() + merged.collect_events() + rejected.collect_events()

    assert len(events) == 7 + 2 + 3
    for event in events:
        prefix, _, name = event.event_type.partition(".")
        assert prefix == "complaint"
        # "triaged", "handling_started", "called_back": one word of the name is a past participle.
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", name), name
        assert any(word.endswith("ed") for word in name.split("_")), name


def test_collecting_events_hands_them_over_once():
    complaint = complaint_in(S.TRIAGED)

    assert len(complaint.collect_events()) == 2
    assert complaint.collect_events() == []
    assert complaint.version == 2


def test_triage_records_the_before_and_after_of_each_changed_field():
    complaint = register()
    complaint.collect_events()

    complaint.triage(
        category=ATTITUDE, primary_unit="SZ.FT.S1", line_unit="SZ.LEGAL", importance=None, at=LATER
    )

    event = only_event(complaint)
    assert event.changes == {
        "status": {"before": "RECEIVED", "after": "TRIAGED"},
        "category": {"before": None, "after": "ENF_ATTITUDE"},
        "important": {"before": False, "after": True},
        "primaryUnit": {"before": None, "after": "SZ.FT.S1"},
        "lineUnit": {"before": None, "after": "SZ.LEGAL"},
    }
    assert event.owner_unit == "SZ.FT.S1"
    assert event.reason is None


def test_re_triage_records_only_the_fields_it_changed():
    complaint = complaint_in(S.TRIAGED)
    complaint.collect_events()

    complaint.triage(
        category=ATTITUDE, primary_unit="SZ.NS.S2", line_unit="SZ.LEGAL", importance=None, at=LATER
    )

    event = only_event(complaint)
    assert event.changes == {"primaryUnit": {"before": "SZ.FT.S1", "after": "SZ.NS.S2"}}
    assert complaint.status is S.TRIAGED


def test_a_judgement_records_its_reason_on_the_event():
    rejected = register()
    rejected.collect_events()

    rejected.reject(reason="  不属于受理范围  ", at=LATER)

    event = only_event(rejected)
    assert event.reason == "不属于受理范围"
    assert event.changes["rejectionReason"] == {"before": None, "after": "不属于受理范围"}
    assert rejected.rejection_reason == "不属于受理范围"


# -- personal data ---------------------------------------------------------------------------


def test_the_registration_event_carries_only_commitments_to_the_complainant():
    complaint = register()

    event = only_event(complaint)

    assert event.data == {
        "complainant": {
            "ref": str(complaint.complainant_id),
            "commitments": PERSON.commitments(SALT),
        }
    }
    commitments = event.data["complainant"]["commitments"]
    assert set(commitments) == {"name", "phone", "idNumber"}
    assert all(re.fullmatch(r"[0-9a-f]{64}", value) for value in commitments.values())


def test_no_event_holds_the_complainants_plain_name_phone_or_id_number():
    complaint = complaint_in(S.CLOSED, satisfaction=Satisfaction.DISSATISFIED)
    complaint.reopen(reason="来信人不满意", at=LATER, clocks=CLOCKS)
    complaint.erase_identity(reason="本人申请删除个人信息", at=LATER)
    events = complaint.collect_events()

    for text in (dump(events), json.dumps([asdict(e) for e in events], default=str)):
        for plain in (PERSON.name, PERSON.phone, PERSON.id_number, "138 0013 8000"):
            assert plain
            assert plain not in text


def test_erasing_the_identity_records_only_the_complainant_reference_and_the_reason():
    complaint = complaint_in(S.HANDLING)
    complaint.collect_events()

    complaint.erase_identity(reason="本人申请删除个人信息", at=LATER)

    event = only_event(complaint)
    assert event.event_type == "complaint.identity_erased"
    assert event.data == {"complainant": {"ref": str(complaint.complainant_id)}}
    assert event.changes == {}
    assert event.reason == "本人申请删除个人信息"
    assert complaint.status is S.HANDLING


@pytest.mark.parametrize("status", list(ComplaintStatus), ids=str)
def test_identity_can_be_erased_in_every_state(status):
    complaint = complaint_in(status)
    version = complaint.version

    complaint.erase_identity(reason="PIPL erasure", at=LATER)

    assert complaint.version == version + 1
    assert complaint.status is status


def test_the_snapshot_holds_no_personal_data():
    complaint = complaint_in(S.CLOSED)

    text = json.dumps(complaint.snapshot(), ensure_ascii=False)

    assert PERSON.name not in text
    assert PERSON.phone not in text
    assert PERSON.id_number is not None
    assert PERSON.id_number not in text


# -- reopen ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.CALLED_BACK, S.CLOSED], ids=str)
def test_a_complaint_can_be_reopened_after_a_dissatisfied_callback(status):
    complaint = complaint_in(status, satisfaction=Satisfaction.DISSATISFIED)
    complaint.collect_events()

    complaint.reopen(reason="  来信人对处理结果不满意  ", at=LATER, clocks=CLOCKS)

    event = only_event(complaint)
    assert complaint.status is S.HANDLING
    assert complaint.reopen_count == 1
    assert complaint.closed_at is None
    assert event.reason == "来信人对处理结果不满意"
    assert event.changes["reopenCount"] == {"before": 0, "after": 1}


@pytest.mark.parametrize("status", [S.CALLED_BACK, S.CLOSED], ids=str)
@pytest.mark.parametrize(
    "satisfaction", [Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED], ids=str
)
def test_a_complaint_cannot_be_reopened_unless_its_callback_was_dissatisfied(status, satisfaction):
    complaint = complaint_in(status, satisfaction=satisfaction)
    complaint.collect_events()
    version = complaint.version

    with pytest.raises(ValidationFailed, match="dissatisfied") as refused:
        complaint.reopen(reason="想再查一次", at=LATER, clocks=CLOCKS)

    assert refused.value.code == "VALIDATION"
    assert complaint.status is status
    assert complaint.version == version
    assert complaint.pending_events == []


def test_reopening_a_closed_complaint_clears_its_closing_time():
    complaint = complaint_in(S.CLOSED, satisfaction=Satisfaction.DISSATISFIED)
    complaint.collect_events()

    complaint.reopen(reason="不满意", at=LATER, clocks=CLOCKS)

    event = only_event(complaint)
    assert event.changes["closedAt"] == {"before": CLOSED_AT.isoformat(), "after": None}
    assert event.changes["status"] == {"before": "CLOSED", "after": "HANDLING"}


def test_a_complaint_reopened_twice_counts_both_reopenings():
    complaint = complaint_in(S.CALLED_BACK, satisfaction=Satisfaction.DISSATISFIED)
    complaint.reopen(reason="第一次不满意", at=LATER, clocks=CLOCKS)
    complaint.reply(text="再次答复", at=LATER, clocks=CLOCKS)
    complaint.record_callback(satisfaction=Satisfaction.DISSATISFIED, note=None, at=LATER)

    complaint.reopen(reason="第二次不满意", at=LATER, clocks=CLOCKS)

    assert complaint.reopen_count == 2
    assert complaint.status is S.HANDLING


# -- merge -----------------------------------------------------------------------------------


def test_a_complaint_is_merged_into_an_open_duplicate():
    complaint = register()
    target = complaint_in(S.HANDLING)
    complaint.collect_events()

    complaint.merge_into(target=target, reason="同一来信人同一事项", at=LATER)

    event = only_event(complaint)
    assert complaint.status is S.MERGED
    assert complaint.merged_into == target.id
    assert event.changes["mergedInto"] == {"before": None, "after": target.id}
    assert event.data == {"intoCorrelationId": str(target.correlation)}
    assert event.reason == "同一来信人同一事项"
    assert target.status is S.HANDLING


@pytest.mark.parametrize("status", [S.RECEIVED, S.TRIAGED], ids=str)
def test_a_complaint_cannot_be_merged_into_itself(status):
    complaint = complaint_in(status)
    complaint.collect_events()

    with pytest.raises(ValidationFailed, match="itself") as refused:
        complaint.merge_into(target=complaint, reason="重复", at=LATER)

    assert refused.value.field == "intoId"
    assert complaint.status is status
    assert complaint.pending_events == []


@pytest.mark.parametrize("target_status", [S.MERGED, S.REJECTED], ids=str)
def test_a_complaint_cannot_be_merged_into_a_merged_or_rejected_complaint(target_status):
    complaint = register()
    target = complaint_in(target_status)
    complaint.collect_events()

    with pytest.raises(ValidationFailed, match=target_status.value) as refused:
        complaint.merge_into(target=target, reason="重复", at=LATER)

    assert refused.value.field == "intoId"
    assert complaint.status is S.RECEIVED
    assert complaint.pending_events == []


# -- triage ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "importance", "important"),
    [
        (ATTITUDE, None, True),
        (CONSULTATION, None, False),
        (ATTITUDE, False, False),
        (CONSULTATION, True, True),
        (ATTITUDE, True, True),
        (CONSULTATION, False, False),
    ],
    ids=[
        "enforcement-defaults-to-important",
        "non-enforcement-defaults-to-ordinary",
        "enforcement-explicitly-ordinary",
        "non-enforcement-explicitly-important",
        "enforcement-explicitly-important",
        "non-enforcement-explicitly-ordinary",
    ],
)
def test_triage_defaults_importance_from_the_category_unless_told(category, importance, important):
    complaint = register()

    complaint.triage(
        category=category,
        primary_unit="SZ.FT.S1",
        line_unit=None,
        importance=importance,
        at=LATER,
    )

    assert complaint.important is important
    assert complaint.category == category.code
    assert complaint.primary_unit == "SZ.FT.S1"
    assert complaint.line_unit is None
    assert complaint.owner_unit == "SZ.FT.S1"


# -- text validation -------------------------------------------------------------------------

BLANKS = ["", "   ", "\n\t "]


def _reply(c: Complaint, text: str) -> None:
    c.reply(text=text, at=LATER, clocks=CLOCKS)


def _reject(c: Complaint, text: str) -> None:
    c.reject(reason=text, at=LATER)


def _merge(c: Complaint, text: str) -> None:
    c.merge_into(target=register(), reason=text, at=LATER)


def _reopen(c: Complaint, text: str) -> None:
    c.reopen(reason=text, at=LATER, clocks=CLOCKS)


def _erase(c: Complaint, text: str) -> None:
    c.erase_identity(reason=text, at=LATER)


TEXT_COMMANDS: list[tuple[str, ComplaintStatus, Callable[[Complaint, str], None], str]] = [
    ("reply", S.HANDLING, _reply, "text"),
    ("reject", S.RECEIVED, _reject, "reason"),
    ("merge", S.TRIAGED, _merge, "reason"),
    ("reopen", S.CALLED_BACK, _reopen, "reason"),
    ("erase", S.CLOSED, _erase, "reason"),
]


@pytest.mark.parametrize("blank", BLANKS, ids=["empty", "spaces", "whitespace"])
@pytest.mark.parametrize(
    ("name", "status", "command", "field"), TEXT_COMMANDS, ids=[t[0] for t in TEXT_COMMANDS]
)
def test_an_empty_reason_or_text_is_refused_naming_the_field(name, status, command, field, blank):
    complaint = complaint_in(status, satisfaction=Satisfaction.DISSATISFIED)
    complaint.collect_events()
    version = complaint.version

    with pytest.raises(ValidationFailed, match=f"{field} must not be empty") as refused:
        command(complaint, blank)

    assert refused.value.field == field
    assert complaint.status is status
    assert complaint.version == version
    assert complaint.pending_events == []


@pytest.mark.parametrize("field", ["subject", "content"])
@pytest.mark.parametrize("blank", BLANKS, ids=["empty", "spaces", "whitespace"])
def test_registration_without_a_subject_or_content_is_refused(field, blank):
    arguments: dict[str, Any] = {field: blank}

    with pytest.raises(ValidationFailed, match=f"{field} must not be empty") as refused:
        register(**arguments)

    assert refused.value.field == field


def test_a_subject_longer_than_the_limit_is_refused():
    assert register(subject="诉" * MAX_SUBJECT).subject == "诉" * MAX_SUBJECT

    with pytest.raises(ValidationFailed) as refused:
        register(subject="诉" * (MAX_SUBJECT + 1))

    assert refused.value.field == "subject"


def test_a_reply_text_longer_than_the_limit_is_refused():
    complaint = complaint_in(S.HANDLING)

    with pytest.raises(ValidationFailed) as refused:
        complaint.reply(text="答" * 20_001, at=LATER, clocks=CLOCKS)

    assert refused.value.field == "text"


def test_registration_trims_text_and_drops_repeated_complained_units():
    complaint = register(subject="  推诿  ", complained_units=("S1", "S2", "S1", "S3", "S2"))

    assert complaint.subject == "推诿"
    assert complaint.complained_units == ("S1", "S2", "S3")


def test_a_blank_callback_note_is_recorded_as_no_note():
    complaint = complaint_in(S.REPLIED)

    complaint.record_callback(satisfaction=Satisfaction.SATISFIED, note="   ", at=LATER)

    assert complaint.callback_note is None


def test_a_callback_note_is_trimmed():
    complaint = complaint_in(S.REPLIED)

    complaint.record_callback(satisfaction=Satisfaction.SATISFIED, note="  电话回访  ", at=LATER)

    assert complaint.callback_note == "电话回访"
    assert complaint.satisfaction is Satisfaction.SATISFIED
    assert complaint.called_back_at == LATER


# -- registration time -----------------------------------------------------------------------


def test_a_complaint_cannot_be_received_after_it_was_registered():
    with pytest.raises(ValidationFailed) as refused:
        register(received_at=shanghai(23, 11), registered_at=shanghai(23, 10))

    assert refused.value.field == "receivedAt"


def test_a_complaint_may_be_registered_at_the_moment_it_was_received():
    complaint = register(received_at=REGISTERED_AT, registered_at=REGISTERED_AT)

    assert complaint.received_at == REGISTERED_AT


# -- deadlines -------------------------------------------------------------------------------


def test_registration_starts_the_reply_deadline_from_receipt():
    complaint = register()

    deadline = complaint.deadlines[REPLY]
    # 7 working days, start day (Mon 23 Nov) not counted: Tue 24 … Wed 2 Dec, due at its end.
    assert deadline.rule_code == REPLY_RULE.code
    assert deadline.started_at == RECEIVED_AT.astimezone(UTC)
    assert deadline.due_at == datetime(2026, 12, 3, tzinfo=SHANGHAI)
    assert complaint.snapshot()["replyDueAt"] == deadline.due_at.isoformat()
    assert CALLBACK not in complaint.deadlines
    assert complaint.snapshot()["callbackDueAt"] is None
    event = only_event(complaint)
    assert event.changes["replyDueAt"] == {"before": None, "after": deadline.due_at.isoformat()}


def test_a_channel_without_clock_rules_has_no_deadlines():
    complaint = complaint_in(S.REPLIED, channel=MAILBOX)

    assert complaint.deadlines == {}
    assert complaint.snapshot()["replyDueAt"] is None
    assert complaint.snapshot()["callbackDueAt"] is None


def test_replying_starts_the_callback_deadline():
    complaint = complaint_in(S.HANDLING)
    reply_due = complaint.deadlines[REPLY]
    complaint.collect_events()

    complaint.reply(text="已答复", at=REPLIED_AT, clocks=CLOCKS)

    deadline = complaint.deadlines[CALLBACK]
    # 3 calendar days after Tue 24 Nov, start day not counted: Fri 27 Nov, due at its end.
    assert deadline.rule_code == CALLBACK_RULE.code
    assert deadline.started_at == REPLIED_AT.astimezone(UTC)
    assert deadline.due_at == datetime(2026, 11, 28, tzinfo=SHANGHAI)
    assert complaint.deadlines[REPLY] == reply_due
    assert complaint.replied_at == REPLIED_AT
    event = only_event(complaint)
    assert event.changes["callbackDueAt"] == {"before": None, "after": deadline.due_at.isoformat()}
    assert "replyDueAt" not in event.changes


def test_reopening_restarts_the_reply_deadline_and_drops_the_callback_deadline():
    complaint = complaint_in(S.CLOSED, satisfaction=Satisfaction.DISSATISFIED)
    old_reply_due = complaint.deadlines[REPLY].due_at
    old_callback_due = complaint.deadlines[CALLBACK].due_at
    assert old_reply_due is not None
    assert old_callback_due is not None
    complaint.collect_events()

    complaint.reopen(reason="不满意", at=LATER, clocks=CLOCKS)

    deadline = complaint.deadlines[REPLY]
    # 7 working days after Mon 7 Dec: Tue 8 … Wed 16 Dec, due at its end.
    assert deadline.started_at == LATER.astimezone(UTC)
    assert deadline.due_at == datetime(2026, 12, 17, tzinfo=SHANGHAI)
    assert CALLBACK not in complaint.deadlines
    event = only_event(complaint)
    assert event.changes["replyDueAt"] == {
        "before": old_reply_due.isoformat(),
        "after": deadline.due_at.isoformat(),
    }
    assert event.changes["callbackDueAt"] == {
        "before": old_callback_due.isoformat(),
        "after": None,
    }
