"""Rectification items (整改 → 销号) and recommendation letters: life cycles, units, clocks."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from domain.clock import MovableClock
from domain.errors import Forbidden, InvalidTransition, ValidationFailed
from domain.review.aggregate import Review
from domain.review.status import (
    RECTIFICATION_TRANSITIONS,
    RecommendationStatus,
    RectificationStatus,
    ReviewStatus,
)
from tests.unit.test_review_builders import (
    AT,
    CLOCKS,
    NO_CLOCKS,
    SHANGHAI,
    concluded,
    in_signoff,
    opened,
    shanghai,
    sign_all,
)

R = RectificationStatus
S = ReviewStatus
OWNER = "FT-XS"
VERIFIER = "SZ-DC"
RECTIFICATION_COMMANDS = [
    "report rectification done",
    "close off rectification",
    "return rectification",
    "report rectification recurrence",
]
EXPECTED_RECTIFICATION: dict[RectificationStatus, dict[str, RectificationStatus]] = {
    R.OPEN: {"report rectification done": R.DONE_REPORTED},
    R.DONE_REPORTED: {"close off rectification": R.CLOSED_OFF, "return rectification": R.RETURNED},
    R.RETURNED: {"report rectification done": R.DONE_REPORTED},
    R.CLOSED_OFF: {"report rectification recurrence": R.REOPENED},
    R.REOPENED: {"report rectification done": R.DONE_REPORTED},
}


def _review(**rectification) -> Review:
    review = concluded(opened())
    review.add_rectification(
        owner_unit=rectification.get("owner", OWNER),
        verifying_unit=rectification.get("verifier", VERIFIER),
        requirement="建立首接责任制，杜绝推诿",
        due_date=rectification.get("due_date"),
        watch_days=rectification.get("watch_days", 30),
        clocks=CLOCKS,
        at=rectification.get("at", AT),
    )
    return review


def _done(review: Review, at: datetime = AT) -> None:
    review.report_rectification_done(no=1, note="已制定首接责任制度", at=at)


def _close_off(review: Review, at: datetime = AT, by: str | None = VERIFIER) -> None:
    review.close_off_rectification(no=1, by_unit=by, comment="验收合格", clocks=CLOCKS, at=at)


def _in(status: RectificationStatus) -> Review:
    review = _review()
    if status is R.OPEN:
        return review
    _done(review)
    if status is R.DONE_REPORTED:
        return review
    if status is R.RETURNED:
        review.return_rectification(no=1, by_unit=VERIFIER, comment="制度未落实", at=AT)
        return review
    _close_off(review)
    if status is R.CLOSED_OFF:
        return review
    review.report_rectification_recurrence(
        no=1, note="又发生推诿", due_date=None, clocks=CLOCKS, at=AT + timedelta(days=1)
    )
    assert review.rectification(1).status is R.REOPENED
    return review


def _run(review: Review, command: str) -> None:
    match command:
        case "report rectification done":
            _done(review, AT + timedelta(days=2))
        case "close off rectification":
            _close_off(review, AT + timedelta(days=2))
        case "return rectification":
            review.return_rectification(no=1, by_unit=VERIFIER, comment="不到位", at=AT)
        case "report rectification recurrence":
            review.report_rectification_recurrence(
                no=1, note="反弹", due_date=None, clocks=CLOCKS, at=AT + timedelta(days=2)
            )


PAIRS = [(status, command) for status in RectificationStatus for command in RECTIFICATION_COMMANDS]


def test_the_rectification_table_is_the_documented_life_cycle():
    assert RECTIFICATION_TRANSITIONS == EXPECTED_RECTIFICATION


@pytest.mark.parametrize(
    ("status", "command"), PAIRS, ids=[f"{s.value}-{c.replace(' ', '_')}" for s, c in PAIRS]
)
def test_each_rectification_command_is_allowed_exactly_from_its_states(status, command):
    # given
    review = _in(status)
    review.collect_events()
    version = review.version

    # when / then
    target = EXPECTED_RECTIFICATION[status].get(command)
    if target is not None:
        _run(review, command)
        assert review.rectification(1).status is target
        assert review.version == version + 1
        assert len(review.collect_events()) == 1
    else:
        with pytest.raises(InvalidTransition) as refused:
            _run(review, command)
        assert refused.value.current == status
        assert review.version == version


def test_the_whole_life_cycle_is_one_review_event_per_step():
    # given
    review = _review()
    review.collect_events()

    # when
    _done(review)
    review.return_rectification(no=1, by_unit=VERIFIER, comment="整改不到位", at=AT)
    _done(review, AT + timedelta(days=3))
    _close_off(review, AT + timedelta(days=4))

    # then
    item = review.rectification(1)
    assert item.status is R.CLOSED_OFF
    assert item.closed_off_by_unit == VERIFIER
    assert item.done_reported_at == AT + timedelta(days=3)
    events = review.collect_events()
    assert [e.event_type for e in events] == [
        "review.rectification_done_reported",
        "review.rectification_returned",
        "review.rectification_done_reported",
        "review.rectification_closed_off",
    ]
    assert [e.aggregate_version for e in events] == list(range(6, 10))
    assert all(set(e.changes) == {"rectification.1"} for e in events)
    assert events[1].reason == "整改不到位"


def test_an_unknown_item_number_is_a_validation_error():
    with pytest.raises(ValidationFailed) as refused:
        _review().report_rectification_done(no=7, note="已整改", at=AT)
    assert refused.value.field == "rectificationNo"


# -- the different-unit rule -------------------------------------------------------------------------


def test_the_owner_cannot_be_named_its_own_verifier():
    with pytest.raises(ValidationFailed) as refused:
        _review(verifier=OWNER)
    assert refused.value.field == "verifyingUnitCode"


@pytest.mark.parametrize("verb", ["close off", "return"])
def test_the_owner_unit_cannot_close_off_or_return_its_own_rectification(verb):
    # given
    review = _review()
    _done(review)
    version = review.version

    def verify() -> None:
        if verb == "close off":
            _close_off(review, by=OWNER)
        else:
            review.return_rectification(no=1, by_unit=OWNER, comment="自查", at=AT)

    # when
    with pytest.raises(Forbidden):
        verify()

    # then
    assert review.rectification(1).status is R.DONE_REPORTED
    assert review.version == version


def test_the_centre_closes_off_when_no_verifying_unit_is_named():
    # given
    review = _review(verifier=None)
    _done(review)

    # when
    _close_off(review, by=None)

    # then
    assert review.rectification(1).status is R.CLOSED_OFF
    assert review.rectification(1).closed_off_by_unit is None


# -- the watch period and recurrence -------------------------------------------------------------------


def test_a_recurrence_within_the_watch_period_reopens_it_with_a_new_deadline():
    # given: closed off on Monday 23 November with a 30-day watch
    review = _review(watch_days=30)
    _done(review)
    _close_off(review)
    watch = review.rectification(1).watch
    assert watch is not None
    assert watch.due_at == shanghai(24, 0, month=12)  # end of 23 December

    # when
    recurred_at = shanghai(20, month=12)
    review.report_rectification_recurrence(
        no=1, note="再次发生推诿", due_date=date(2027, 1, 15), clocks=CLOCKS, at=recurred_at
    )

    # then
    item = review.rectification(1)
    assert item.status is R.REOPENED
    assert item.recurrences == 1
    assert item.recurrence_note == "再次发生推诿"
    assert item.closed_off_at is None
    assert item.watch is None
    assert item.deadline.due_at == datetime(2027, 1, 16, tzinfo=SHANGHAI)


def test_a_recurrence_after_the_watch_period_is_refused():
    # given
    review = _review(watch_days=30)
    _done(review)
    _close_off(review)

    # when
    with pytest.raises(ValidationFailed) as refused:
        review.report_rectification_recurrence(
            no=1, note="反弹", due_date=None, clocks=CLOCKS, at=shanghai(24, 0, month=12)
        )

    # then
    assert refused.value.field == "rectificationNo"
    assert "watch period" in refused.value.message
    assert review.rectification(1).status is R.CLOSED_OFF


def test_without_a_watch_period_there_is_no_recurrence():
    # given
    review = _review(watch_days=None)
    _done(review)
    _close_off(review)

    # when
    with pytest.raises(ValidationFailed) as refused:
        review.report_rectification_recurrence(
            no=1, note="反弹", due_date=None, clocks=CLOCKS, at=AT + timedelta(hours=1)
        )

    # then
    assert refused.value.field == "rectificationNo"
    assert review.rectification(1).watch is None


@pytest.mark.parametrize("days", [0, -3, 367])
def test_a_watch_period_is_between_one_day_and_a_year(days):
    with pytest.raises(ValidationFailed) as refused:
        _review(watch_days=days)
    assert refused.value.field == "watchDays"


# -- deadlines, overdue, with a clock that moves ---------------------------------------------------------


def test_the_default_deadline_comes_from_the_clock_rule_and_explains_itself():
    # given
    item = _review().rectification(1)

    # then: 30 calendar days after Monday 23 November is Wednesday 23 December
    assert item.deadline.rule_code == "review.rectification.DEFAULT"
    assert item.deadline.due_at == shanghai(24, 0, month=12)
    assert "basis: local rule: 30 日" in item.deadline.computation


def test_a_deadline_given_as_a_date_is_due_at_the_end_of_that_day():
    # given
    item = _review(due_date=date(2026, 12, 4)).rectification(1)

    # then
    assert item.deadline.due_at == shanghai(5, 0, month=12)
    assert "2026-12-04" in item.deadline.computation


@pytest.mark.parametrize("day", [date(2026, 11, 23), date(2026, 11, 1)])
def test_a_deadline_date_must_lie_after_today(day):
    with pytest.raises(ValidationFailed) as refused:
        _review(due_date=day)
    assert refused.value.field == "dueDate"


def test_without_a_rule_a_rectification_needs_a_date():
    # given
    review = concluded(opened())

    # when
    with pytest.raises(ValidationFailed) as refused:
        review.add_rectification(
            owner_unit=OWNER,
            verifying_unit=VERIFIER,
            requirement="整改",
            due_date=None,
            watch_days=None,
            clocks=NO_CLOCKS,
            at=AT,
        )

    # then
    assert refused.value.field == "dueDate"


def test_a_rectification_becomes_overdue_as_the_clock_passes_its_deadline():
    # given
    clock = MovableClock(AT)
    review = _review(due_date=date(2026, 12, 4))
    item = review.rectification(1)

    # when / then
    clock.set(shanghai(4, 23, month=12))
    assert not item.is_overdue(clock.now())
    assert not review.is_overdue(clock.now())
    clock.advance(timedelta(hours=1))
    assert item.is_overdue(clock.now())
    assert review.is_overdue(clock.now())


def test_done_in_time_is_never_overdue_and_done_late_stays_overdue():
    # given
    clock = MovableClock(AT)
    in_time = _review(due_date=date(2026, 12, 4))
    late = _review(due_date=date(2026, 12, 4))

    # when
    clock.set(shanghai(3, month=12))
    _done(in_time, clock.now())
    clock.set(shanghai(7, month=12))
    _done(late, clock.now())
    clock.advance(timedelta(days=60))

    # then
    assert not in_time.is_overdue(clock.now())
    assert late.is_overdue(clock.now())


def test_a_returned_report_no_longer_stops_the_clock():
    # given
    clock = MovableClock(AT)
    review = _review(due_date=date(2026, 12, 4))
    _done(review, clock.now())

    # when
    review.return_rectification(no=1, by_unit=VERIFIER, comment="未整改到位", at=clock.now())
    clock.set(shanghai(5, 1, month=12))

    # then
    assert review.rectification(1).is_overdue(clock.now())


# -- closing the review waits for its items ----------------------------------------------------------


def test_a_review_does_not_close_while_a_rectification_is_open_or_under_watch():
    # given: a verification without a chain, so that it closes from CONCLUDED
    review = concluded(opened(plan=()))
    review.add_rectification(
        owner_unit=OWNER,
        verifying_unit=VERIFIER,
        requirement="整改",
        due_date=None,
        watch_days=10,
        clocks=CLOCKS,
        at=AT,
    )

    # when / then: open
    with pytest.raises(ValidationFailed) as pending:
        review.close(at=AT)
    assert pending.value.field == "rectifications"
    _done(review)
    _close_off(review)

    # under watch until the end of 3 December
    with pytest.raises(ValidationFailed) as watched:
        review.close(at=shanghai(3, 23, month=12))
    assert "under watch" in watched.value.message
    review.close(at=shanghai(4, 0, month=12))
    assert review.status is S.CLOSED


def test_rectifications_go_on_through_sign_off_and_after_it():
    # given
    review = in_signoff(opened())

    # when
    review.add_rectification(
        owner_unit=OWNER,
        verifying_unit=None,
        requirement="整改",
        due_date=None,
        watch_days=None,
        clocks=CLOCKS,
        at=AT,
    )
    sign_all(review)
    _done(review)
    _close_off(review, by=None)
    review.close(at=AT)

    # then
    assert review.status is S.CLOSED


# -- recommendation letters (执法监督建议书) -------------------------------------------------------------


def _letter(review: Review, at: datetime = AT) -> None:
    review.issue_recommendation(unit="FT", content="建议完善指定管辖制度", clocks=CLOCKS, at=at)


def test_a_recommendation_is_answered_within_its_clock():
    # given: issued Monday 23 November, 15 calendar days → end of 8 December
    clock = MovableClock(AT)
    review = concluded(opened())
    _letter(review, clock.now())
    letter = review.recommendation(1)
    assert letter.deadline is not None
    assert letter.deadline.due_at == shanghai(9, 0, month=12)
    assert letter.deadline.rule_code == "review.recommendation_response.DEFAULT"

    # when / then
    clock.set(shanghai(8, 23, month=12))
    assert not letter.is_overdue(clock.now())
    clock.advance(timedelta(hours=1))
    assert letter.is_overdue(clock.now())
    assert review.is_overdue(clock.now())


def test_an_answer_in_time_stops_the_clock_and_a_late_one_stays_overdue():
    # given
    clock = MovableClock(AT)
    in_time = concluded(opened())
    late = concluded(opened())
    _letter(in_time)
    _letter(late)

    # when
    clock.set(shanghai(1, month=12))
    in_time.record_recommendation_response(no=1, response="已整改", at=clock.now())
    clock.set(shanghai(10, month=12))
    late.record_recommendation_response(no=1, response="已整改", at=clock.now())

    # then
    assert in_time.recommendation(1).status is RecommendationStatus.RESPONDED
    assert not in_time.is_overdue(clock.now())
    assert late.is_overdue(clock.now())


def test_a_recommendation_is_answered_once():
    # given
    review = concluded(opened())
    _letter(review)
    review.record_recommendation_response(no=1, response="已建立制度", at=AT)

    # when
    with pytest.raises(InvalidTransition) as refused:
        review.record_recommendation_response(no=1, response="再次答复", at=AT)

    # then
    assert refused.value.current == "RESPONDED"


def test_without_a_rule_a_recommendation_has_no_deadline_and_is_never_overdue():
    # given
    review = concluded(opened())
    review.issue_recommendation(unit="FT", content="建议", clocks=NO_CLOCKS, at=AT)

    # then
    assert review.recommendation(1).deadline is None
    assert not review.is_overdue(AT + timedelta(days=400))


def test_a_review_does_not_close_while_a_recommendation_is_unanswered():
    # given
    review = concluded(opened(plan=()))
    _letter(review)

    # when
    with pytest.raises(ValidationFailed) as refused:
        review.close(at=AT)

    # then
    assert refused.value.field == "recommendations"
    review.record_recommendation_response(no=1, response="已答复", at=AT)
    review.close(at=AT)
    assert review.status is S.CLOSED
