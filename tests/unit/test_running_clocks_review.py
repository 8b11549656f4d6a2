"""The review's running clocks: rectifications until reported done, letters until answered."""

from __future__ import annotations

from datetime import timedelta

from domain.clock import MovableClock
from domain.review.aggregate import Review
from tests.unit.test_review_builders import AT, CLOCKS, NO_CLOCKS, concluded, opened

OWNER = "FT-XS"
OTHER_OWNER = "FT-SB"
VERIFIER = "SZ-DC"
LETTER_UNIT = "FT"


def keys(review: Review) -> list[str]:
    found = [c.key for c in review.running_clocks()]
    assert len(found) == len(set(found)), found
    return found


def running(review: Review, key: str):
    return next(c for c in review.running_clocks() if c.key == key)


def with_items() -> Review:
    review = concluded(opened())
    for owner in (OWNER, OTHER_OWNER):
        review.add_rectification(
            owner_unit=owner,
            verifying_unit=VERIFIER,
            requirement="建立首接责任制，杜绝推诿",
            due_date=None,
            watch_days=30,
            clocks=CLOCKS,
            at=AT,
        )
    review.issue_recommendation(
        unit=LETTER_UNIT, content="建议完善指定管辖工作机制", clocks=CLOCKS, at=AT
    )
    return review


def test_a_review_without_items_has_no_running_clock():
    assert opened().running_clocks() == []
    assert concluded(opened()).running_clocks() == []


def test_each_rectification_runs_for_its_owner_and_each_letter_for_its_unit():
    review = with_items()

    assert keys(review) == ["rectification.1", "rectification.2", "recommendation.1"]
    assert running(review, "rectification.1").unit_code == OWNER
    assert running(review, "rectification.2").unit_code == OTHER_OWNER
    assert running(review, "recommendation.1").unit_code == LETTER_UNIT
    assert running(review, "rectification.1").deadline is review.rectification(1).deadline
    assert running(review, "recommendation.1").deadline is review.recommendation(1).deadline
    assert running(review, "recommendation.1").name == "respond to supervision recommendation 1"


def test_reporting_done_meets_a_rectification_and_a_return_makes_it_run_again():
    clock = MovableClock(AT + timedelta(days=3))
    review = with_items()

    review.report_rectification_done(no=1, note="已制定首接责任制度", at=clock.now())
    assert keys(review) == ["rectification.2", "recommendation.1"]
    assert not review.rectification(1).is_overdue(clock.now() + timedelta(days=90))

    clock.advance(timedelta(days=1))
    review.return_rectification(no=1, by_unit=VERIFIER, comment="制度未落实", at=clock.now())
    assert keys(review) == ["rectification.1", "rectification.2", "recommendation.1"]


def test_closing_off_keeps_it_met_and_a_recurrence_runs_its_new_deadline():
    clock = MovableClock(AT + timedelta(days=3))
    review = with_items()
    review.report_rectification_done(no=1, note="已制定首接责任制度", at=clock.now())
    review.close_off_rectification(
        no=1, by_unit=VERIFIER, comment="验收合格", clocks=CLOCKS, at=clock.now()
    )
    assert "rectification.1" not in keys(review)

    clock.advance(timedelta(days=5))
    review.report_rectification_recurrence(
        no=1, note="又发生推诿", due_date=None, clocks=CLOCKS, at=clock.now()
    )

    clock_1 = running(review, "rectification.1")
    assert clock_1.deadline.started_at == clock.now()
    assert clock_1.unit_code == OWNER


def test_an_overdue_letter_keeps_running_until_answered():
    review = with_items()
    due = running(review, "recommendation.1").deadline.due_at
    assert due is not None
    later = due + timedelta(days=2)
    assert review.is_overdue(later)
    assert "recommendation.1" in keys(review)

    review.record_recommendation_response(no=1, response="已建立指定管辖机制", at=later)

    assert "recommendation.1" not in keys(review)


def test_a_letter_without_a_rule_has_no_deadline_and_so_no_running_clock():
    review = concluded(opened())
    review.issue_recommendation(unit=LETTER_UNIT, content="建议加强培训", clocks=NO_CLOCKS, at=AT)
    assert review.recommendation(1).deadline is None
    assert review.running_clocks() == []
