"""Measure periods and the appeal window, from the clock rules migration 0007 inserts."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from domain.accountability.aggregate import AppealWindowClosed, MeasureOrder
from domain.accountability.status import AppealOutcome, MeasureKind
from domain.clock import MovableClock
from domain.errors import ValidationFailed
from tests.unit.test_accountability_builders import (
    AT,
    AUX,
    CLOCKS,
    LEAD,
    LEADER,
    SHANGHAI,
    proposed,
)

K = MeasureKind


def end_of(day: date) -> datetime:
    """Local midnight ending `day`, as a due instant."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("kind", "last_day", "article"),
    [
        # 公职人员政务处分法 art. 8: 6 / 12 / 18 / 24 months, the day before the same date.
        (K.WARNING, date(2027, 5, 22), "警告 6 个月"),
        (K.DEMERIT, date(2027, 11, 22), "记过 12 个月"),
        (K.MAJOR_DEMERIT, date(2028, 5, 22), "记大过 18 个月"),
        (K.DEMOTION, date(2028, 11, 22), "降级 24 个月"),
        (K.DISMISSAL_FROM_POST, date(2028, 11, 22), "撤职 24 个月"),
    ],
)
def test_a_sanction_period_runs_the_months_of_its_article(kind, last_day, article):
    # when
    period = CLOCKS.measure_period(kind, days=None, started_at=AT)

    # then
    assert period is not None
    assert period.due_at == end_of(last_day)
    assert period.basis.startswith("公职人员政务处分法 art. 8")
    assert article in period.basis
    assert "no holiday shift" in period.computation


@pytest.mark.parametrize(
    "kind",
    [K.EXPULSION, K.CRITICISM_EDUCATION, K.ADMONISHMENT, K.POST_ADJUSTMENT, K.ORDERED_RESIGNATION],
)
def test_expulsion_and_the_non_disciplinary_measures_have_no_period(kind):
    assert CLOCKS.measure_period(kind, days=None, started_at=AT) is None


@pytest.mark.parametrize(
    ("kind", "days", "last_day"),
    [
        (K.SUSPENSION, 10, date(2026, 12, 3)),
        (K.SUSPENSION, 60, date(2027, 1, 22)),
        (K.CONFINEMENT, 1, date(2026, 11, 24)),
        (K.CONFINEMENT, 7, date(2026, 11, 30)),
    ],
)
def test_suspension_and_confinement_run_their_days_from_the_day_after_the_decision(
    kind, days, last_day
):
    # when
    period = CLOCKS.measure_period(kind, days=days, started_at=AT)

    # then: the start day is not counted, and the end is never moved for a holiday
    assert period is not None
    assert period.due_at == end_of(last_day)
    assert "公安机关督察条例 art. 12" in period.basis


@pytest.mark.parametrize(
    ("kind", "days"),
    [
        (K.SUSPENSION, 9),
        (K.SUSPENSION, 61),
        (K.SUSPENSION, None),
        (K.CONFINEMENT, 0),
        (K.CONFINEMENT, 8),
    ],
)
def test_days_outside_the_rules_range_are_refused(kind, days):
    with pytest.raises(ValidationFailed) as refused:
        CLOCKS.measure_period(kind, days=days, started_at=AT)
    assert refused.value.field == "days"


def test_days_are_refused_for_a_measure_not_set_in_days():
    with pytest.raises(ValidationFailed):
        CLOCKS.check_days(K.WARNING, 30)


def test_a_decision_computes_each_measures_period_and_the_appeal_window():
    # given
    item = proposed()

    # when
    item.decide(orders=None, note=None, clocks=CLOCKS, at=AT)

    # then
    periods = {(m.subject, m.kind): m.period for m in item.measures}
    assert periods[(LEADER, K.POST_ADJUSTMENT)] is None
    demerit = periods[(LEAD, K.DEMERIT)]
    assert demerit is not None
    assert demerit.due_at == end_of(date(2027, 11, 22))
    suspension = periods[(LEAD, K.SUSPENSION)]
    assert suspension is not None
    assert suspension.due_at == end_of(date(2026, 12, 8))
    window = item.appeal_window
    assert window is not None
    assert window.due_at == end_of(date(2026, 12, 23))
    assert "local rule" in window.basis
    assert "申诉" in window.basis


def test_an_appeal_is_accepted_until_the_window_closes_and_refused_after_it():
    # given: decided at 09:00 on 2026-11-23; the window ends at the close of 2026-12-23
    clock = MovableClock(AT)
    item = proposed()
    item.decide(orders=None, note=None, clocks=CLOCKS, at=clock.now())
    clock.set(end_of(date(2026, 12, 23)) - timedelta(minutes=1))

    # when: a minute before the end
    item.appeal(appellant=LEAD, grounds="不服记过处分", at=clock.now())

    # then
    assert item.pending_appeals()[0].lodged_at == clock.now()

    # when: at the end
    clock.advance(timedelta(minutes=1))
    with pytest.raises(AppealWindowClosed) as closed:
        item.appeal(appellant=AUX, grounds="逾期申诉", at=clock.now())

    # then
    assert closed.value.code == "VALIDATION"
    assert closed.value.field == "appealDue"
    assert closed.value.due_at == end_of(date(2026, 12, 23))
    assert [a.appellant for a in item.appeals] == [LEAD]


def test_a_changed_measure_on_appeal_runs_from_the_original_decision():
    # given
    clock = MovableClock(AT)
    item = proposed()
    item.decide(orders=None, note=None, clocks=CLOCKS, at=clock.now())
    item.appeal(appellant=LEAD, grounds="处分过重", at=clock.now())
    clock.advance(timedelta(days=20))

    # when
    item.decide_appeal(
        appellant=LEAD,
        outcome=AppealOutcome.CHANGED,
        note="改为警告",
        orders=[MeasureOrder(LEAD, K.WARNING)],
        clocks=CLOCKS,
        at=clock.now(),
    )

    # then: an appeal does not suspend execution
    warning = item.measures_of(LEAD)[0]
    assert warning.kind is K.WARNING
    assert warning.period is not None
    assert warning.period.due_at == end_of(date(2027, 5, 22))
    assert warning.decided_at == clock.now()
