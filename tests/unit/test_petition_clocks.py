"""Every petition clock, moved with the injected MovableClock across weekends and holidays."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from domain.clock import MovableClock
from domain.deadlines import HolidayCalendar
from domain.errors import ValidationFailed
from domain.petition.aggregate import Petition
from domain.petition.clocks import PetitionClocks
from domain.petition.status import BacklogCause, Finding, PetitionStatus
from tests.unit.test_petition_state_machine import (
    SHANGHAI,
    only_event,
    register,
    shanghai,
)
from tests.unit.test_petition_state_machine import clocks_with as _clocks_with

ROOT = Path(__file__).resolve().parents[2]
CALENDAR = HolidayCalendar.from_mapping(
    json.loads((ROOT / "reference" / "calendar-cn.json").read_text(encoding="utf-8"))
)
CLOCKS: PetitionClocks = _clocks_with(CALENDAR)
MINUTE = timedelta(minutes=1)
S = PetitionStatus


def end_of(day: date) -> datetime:
    """The instant a deadline on `day` passes: local midnight after it."""
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=SHANGHAI)


def registered(clock: MovableClock, *, received_at: datetime | None = None) -> Petition:
    now = clock.now()
    return register(received_at=received_at or now, registered_at=now, clocks=CLOCKS)


def accepted(clock: MovableClock) -> Petition:
    petition = registered(clock)
    petition.accept(at=clock.now(), clocks=CLOCKS)
    petition.start_handling(at=clock.now())
    petition.collect_events()
    return petition


# -- registration and notice: 15 日 (art. 22, 23) ---------------------------------------------


def test_registration_and_forwarding_is_due_fifteen_days_after_receipt():
    clock = MovableClock(shanghai(2026, 11, 23, 9))  # Monday

    petition = registered(clock)

    due = petition.deadlines["register"]
    assert due.due_at == end_of(date(2026, 12, 8))
    assert due.basis == "信访工作条例 art. 22"
    assert "15 calendar days" in due.computation
    assert not due.is_overdue(clock.now(), satisfied_at=petition.registered_at)


def test_a_petition_registered_more_than_fifteen_days_after_receipt_was_forwarded_late():
    clock = MovableClock(shanghai(2026, 11, 23, 9))

    petition = registered(clock, received_at=shanghai(2026, 11, 2, 9))

    due = petition.deadlines["register"]
    assert due.due_at == end_of(date(2026, 11, 17))
    assert due.is_overdue(clock.now(), satisfied_at=petition.registered_at)


def test_the_notice_of_acceptance_falls_due_fifteen_days_after_forwarding():
    clock = MovableClock(shanghai(2026, 11, 23, 10))
    petition = registered(clock)
    notice = petition.deadlines["notice"]
    assert notice.due_at == end_of(date(2026, 12, 8))

    clock.set(end_of(date(2026, 12, 8)) - MINUTE)
    assert not notice.is_overdue(clock.now())
    clock.advance(MINUTE)
    assert notice.is_overdue(clock.now())

    clock.advance(MINUTE)
    petition.accept(at=clock.now(), clocks=CLOCKS)
    assert notice.is_overdue(clock.now(), satisfied_at=petition.accepted_at)


# -- objection to the routing: 5 工作日 (art. 23–24) -------------------------------------------


def test_the_objection_window_skips_the_weekend():
    clock = MovableClock(shanghai(2026, 11, 23, 10))  # Monday
    petition = registered(clock)

    window = petition.deadlines["objection"]

    assert window.due_at == end_of(date(2026, 11, 30))  # Mon + 5 working days = next Monday
    assert "2026-11-28 weekend" in window.computation
    assert "2026-11-29 weekend" in window.computation
    clock.set(end_of(date(2026, 11, 30)) - MINUTE)
    petition.object_to_routing(reason="不属本所管辖", at=clock.now())
    assert petition.status is S.RETURNED


def test_an_objection_after_five_working_days_is_refused():
    clock = MovableClock(shanghai(2026, 11, 23, 10))
    petition = registered(clock)
    petition.collect_events()

    clock.set(end_of(date(2026, 11, 30)))
    with pytest.raises(ValidationFailed, match="objection period ended") as refused:
        petition.object_to_routing(reason="不属本所管辖", at=clock.now())

    assert "信访工作条例 art. 23–24" in refused.value.message
    assert petition.status is S.REGISTERED
    assert petition.pending_events == []


def test_the_objection_window_skips_the_national_day_holiday_and_counts_the_make_up_saturday():
    clock = MovableClock(shanghai(2026, 9, 30, 10))  # Wednesday before 国庆
    petition = registered(clock)

    window = petition.deadlines["objection"]

    # 10-01..10-07 holiday; 10-08 Thu, 10-09 Fri, 10-10 Sat (调休 workday), 10-12 Mon, 10-13 Tue.
    assert window.due_at == end_of(date(2026, 10, 13))
    assert "2026-10-01 holiday" in window.computation
    assert "2026-10-11 weekend" in window.computation
    assert "2026-10-10" not in window.computation.split("skipped")[1]
    clock.set(shanghai(2026, 10, 13, 23))
    petition.object_to_routing(reason="不属本所管辖", at=clock.now())
    assert petition.status is S.RETURNED


def test_an_objection_the_day_after_the_holiday_window_is_refused():
    clock = MovableClock(shanghai(2026, 9, 30, 10))
    petition = registered(clock)

    clock.set(shanghai(2026, 10, 14, 9))
    with pytest.raises(ValidationFailed, match="objection period ended"):
        petition.object_to_routing(reason="不属本所管辖", at=clock.now())


# -- handling: 60 日 + ≤30 once (art. 34), backlog after 60 + 30 ----------------------------------


def test_handling_is_due_sixty_days_after_acceptance_moved_off_the_national_day_holiday():
    clock = MovableClock(shanghai(2026, 8, 3, 10))  # Monday
    petition = accepted(clock)

    handling = petition.deadlines["handling"]

    # 08-03 + 60 = 10-02, a holiday: moved to the next working day, 10-08.
    assert handling.due_at == end_of(date(2026, 10, 8))
    assert "2026-10-02 is a holiday" in handling.computation
    assert handling.basis == "信访工作条例 art. 34"
    clock.set(end_of(date(2026, 10, 8)) - MINUTE)
    assert not handling.is_overdue(clock.now())
    clock.advance(MINUTE)
    assert handling.is_overdue(clock.now())


def test_one_extension_of_thirty_days_moves_the_handling_deadline_to_ninety_days():
    clock = MovableClock(shanghai(2026, 8, 3, 10))
    petition = accepted(clock)
    clock.set(shanghai(2026, 10, 8, 18))

    petition.extend_handling(
        days=30,
        reason="案情复杂，需补充调查",
        approver_role="leader",
        at=clock.now(),
        clocks=CLOCKS,
    )

    handling = petition.deadlines["handling"]
    # 08-03 + 90 = 11-01, a Sunday: moved to Monday 11-02.
    assert handling.due_at == end_of(date(2026, 11, 2))
    assert handling.extension == 30
    assert "60 calendar days + 30 extension" in handling.computation
    assert not handling.is_overdue(clock.now())


def test_handling_cannot_be_extended_once_its_period_has_ended():
    clock = MovableClock(shanghai(2026, 8, 3, 10))
    petition = accepted(clock)
    clock.set(end_of(date(2026, 10, 8)))

    with pytest.raises(ValidationFailed, match="can no longer be extended"):
        petition.extend_handling(
            days=30, reason="案情复杂", approver_role="leader", at=clock.now(), clocks=CLOCKS
        )


def test_an_unanswered_petition_becomes_backlog_after_sixty_plus_thirty_days():
    clock = MovableClock(shanghai(2026, 8, 3, 10))
    petition = accepted(clock)
    threshold = end_of(date(2026, 11, 2))
    assert petition.deadlines["backlog"].due_at == threshold

    clock.set(threshold - MINUTE)
    assert not petition.is_backlog(clock.now())
    clock.advance(MINUTE)
    assert petition.is_backlog(clock.now())  # computed on read, not yet stored
    assert petition.backlog_since is None

    clock.advance(timedelta(days=3))
    petition.record_dispatch(held_on=date(2026, 11, 5), notes="周调度", at=clock.now(), tz=SHANGHAI)

    event = only_event(petition)  # stored with the next command, in its one event
    assert petition.backlog_since == threshold
    assert petition.backlog_cause is BacklogCause.HANDLING_OVERDUE
    assert event.changes["backlogCause"] == {"before": None, "after": "HANDLING_OVERDUE"}
    assert event.changes["backlogSince"]["after"] == threshold.astimezone(UTC).isoformat()


def test_a_petition_answered_in_time_never_becomes_backlog():
    clock = MovableClock(shanghai(2026, 8, 3, 10))
    petition = accepted(clock)
    clock.set(shanghai(2026, 10, 8, 10))
    petition.answer(finding=Finding.SUPPORT, text="支持。", at=clock.now(), clocks=CLOCKS)

    clock.advance(timedelta(days=365))

    assert not petition.is_backlog(clock.now())
    assert not petition.deadlines["handling"].is_overdue(
        clock.now(), satisfied_at=petition.answered_at
    )


def test_an_answer_after_ninety_days_stores_the_backlog_with_it():
    clock = MovableClock(shanghai(2026, 8, 3, 10))
    petition = accepted(clock)
    clock.set(shanghai(2026, 11, 10, 10))

    petition.answer(finding=Finding.EXPLAIN, text="解释说明。", at=clock.now(), clocks=CLOCKS)

    event = only_event(petition)
    assert event.changes["backlogCause"]["after"] == "HANDLING_OVERDUE"
    assert petition.is_backlog(clock.now())
    assert petition.deadlines["handling"].is_overdue(clock.now(), satisfied_at=petition.answered_at)


# -- review (复查, art. 35) and re-examination (复核, art. 36): 30 日 / 30 日 -----------------------


def answered(clock: MovableClock) -> Petition:
    petition = accepted(clock)
    clock.advance(timedelta(days=7))
    petition.answer(finding=Finding.NOT_SUPPORT, text="不予支持。", at=clock.now(), clocks=CLOCKS)
    petition.collect_events()
    return petition


def test_review_may_be_requested_for_thirty_days_after_the_answer():
    clock = MovableClock(shanghai(2026, 10, 26, 10))
    petition = answered(clock)  # answered Monday 11-02
    window = petition.deadlines["review_request"]
    assert window.due_at == end_of(date(2026, 12, 2))
    assert window.basis == "信访工作条例 art. 35"

    clock.set(end_of(date(2026, 12, 2)) - MINUTE)
    petition.request_review(reason="不服处理意见", at=clock.now(), clocks=CLOCKS)

    assert petition.status is S.REVIEW_REQUESTED


def test_a_review_request_after_thirty_days_is_refused():
    clock = MovableClock(shanghai(2026, 10, 26, 10))
    petition = answered(clock)

    clock.set(end_of(date(2026, 12, 2)))
    with pytest.raises(ValidationFailed, match="period to request review ended"):
        petition.request_review(reason="不服处理意见", at=clock.now(), clocks=CLOCKS)


def test_the_review_is_decided_within_thirty_days_of_the_request():
    clock = MovableClock(shanghai(2026, 10, 26, 10))
    petition = answered(clock)
    clock.set(shanghai(2026, 11, 10, 10))
    petition.request_review(reason="不服处理意见", at=clock.now(), clocks=CLOCKS)
    review = petition.deadlines["review"]
    assert review.due_at == end_of(date(2026, 12, 10))

    clock.set(end_of(date(2026, 12, 10)))
    assert review.is_overdue(clock.now())
    clock.advance(MINUTE)
    petition.decide_review(
        finding=Finding.NOT_SUPPORT, text="维持。", at=clock.now(), clocks=CLOCKS
    )
    assert review.is_overdue(clock.now(), satisfied_at=petition.reviewed_at)


def test_re_examination_is_requested_and_decided_within_thirty_days_each():
    clock = MovableClock(shanghai(2026, 10, 26, 10))
    petition = answered(clock)
    clock.set(shanghai(2026, 11, 10, 10))
    petition.request_review(reason="不服", at=clock.now(), clocks=CLOCKS)
    clock.set(shanghai(2026, 11, 20, 10))
    petition.decide_review(
        finding=Finding.NOT_SUPPORT, text="维持。", at=clock.now(), clocks=CLOCKS
    )

    window = petition.deadlines["re_examination_request"]
    assert window.due_at == end_of(date(2026, 12, 21))  # 11-20 + 30 = 12-20, a Sunday
    assert window.basis == "信访工作条例 art. 36"
    clock.set(end_of(date(2026, 12, 21)))
    with pytest.raises(ValidationFailed, match="period to request re-examination ended"):
        petition.request_re_examination(reason="不服复查", at=clock.now(), clocks=CLOCKS)

    clock.set(shanghai(2026, 12, 1, 10))
    petition.request_re_examination(reason="不服复查", at=clock.now(), clocks=CLOCKS)
    decision = petition.deadlines["re_examination"]
    assert decision.due_at == end_of(date(2026, 12, 31))
    clock.set(end_of(date(2026, 12, 31)) - MINUTE)
    assert not decision.is_overdue(clock.now())
    petition.decide_re_examination(finding=Finding.EXPLAIN, text="复核维持。", at=clock.now())
    assert not decision.is_overdue(clock.now(), satisfied_at=petition.re_examined_at)


def test_after_re_examination_the_same_matter_is_not_accepted_again():
    clock = MovableClock(shanghai(2026, 10, 26, 10))
    petition = answered(clock)
    for action in (
        lambda at: petition.request_review(reason="不服", at=at, clocks=CLOCKS),
        lambda at: petition.decide_review(
            finding=Finding.EXPLAIN, text="维持", at=at, clocks=CLOCKS
        ),
        lambda at: petition.request_re_examination(reason="不服", at=at, clocks=CLOCKS),
        lambda at: petition.decide_re_examination(finding=Finding.EXPLAIN, text="维持", at=at),
    ):
        clock.advance(timedelta(days=5))
        action(clock.now())
    clock.advance(timedelta(days=200))

    refusal = petition.record_repeat(at=clock.now())

    assert "the same matter is not accepted again" in refusal.message
    assert refusal.re_examined_at == petition.re_examined_at
    assert petition.is_backlog(clock.now())
    assert petition.backlog_since == clock.now()
    assert petition.re_examined_at is not None
    assert petition.re_examined_at.astimezone(UTC) < clock.now()
