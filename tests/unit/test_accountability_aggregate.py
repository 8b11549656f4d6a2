"""The accountability's rules besides its states: subjects, shares, measures, appeals, lifelong."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from domain.accountability.aggregate import Accountability, FaultType, MeasureOrder
from domain.accountability.status import (
    AppealOutcome,
    ChainRole,
    Culpability,
    MeasureKind,
    MeasureStatus,
    SubjectKind,
)
from domain.errors import ValidationFailed
from tests.unit.test_accountability_builders import (
    AT,
    AUX,
    BUCK_PASSING,
    CLOCKS,
    CORRELATION,
    FAULT_DAY,
    LEAD,
    LEADER,
    PERSONS,
    POINTS,
    STATION,
    appealed,
    decided,
    opened,
    proposed,
)

K = MeasureKind


def test_opening_records_the_subjects_with_their_unit_at_the_time_and_the_review_as_origin():
    # when
    item = opened()

    # then
    event = item.collect_events()[0]
    assert event.event_type == "accountability.opened"
    assert event.aggregate_version == item.version == 1
    assert event.correlation_id == CORRELATION
    assert event.data == {"reviewId": item.review_id}
    assert event.changes["person.P-FT-XS-002"]["after"]["unitAtFault"] == STATION
    assert item.officer_codes == (LEADER, LEAD, AUX)
    assert item.unit_codes == (STATION,)
    assert item.fault_date == FAULT_DAY


@pytest.mark.parametrize(
    ("culpability", "lifelong"),
    [
        (Culpability.INTENT, True),
        (Culpability.GROSS_NEGLIGENCE, True),
        (Culpability.NEGLIGENCE, False),
    ],
)
def test_intentional_or_grossly_negligent_faults_are_lifelong(culpability, lifelong):
    item = opened(culpability=culpability)
    assert item.lifelong is lifelong
    assert item.snapshot()["lifelong"] is lifelong


def test_a_fault_in_the_future_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        Accountability.open(
            id="x",
            review_id="r",
            unit="FT",
            correlation=CORRELATION,
            fault_type=BUCK_PASSING,
            fault_date=date(2026, 11, 24),
            culpability=Culpability.NEGLIGENCE,
            persons=PERSONS,
            units=(),
            today=date(2026, 11, 23),
            at=AT,
        )
    assert refused.value.field == "faultDate"


def test_shares_must_add_up_to_100_and_persons_be_named_once():
    with pytest.raises(ValidationFailed) as refused:
        opened(persons=(replace(PERSONS[0], share=31), *PERSONS[1:]))
    assert refused.value.field == "shares"
    with pytest.raises(ValidationFailed):
        opened(persons=(PERSONS[0], PERSONS[0]))
    with pytest.raises(ValidationFailed):
        opened(persons=(), units=())


@pytest.mark.parametrize("code", ["buck passing", "", "1X", "推诿"])
def test_a_fault_type_needs_a_code(code):
    with pytest.raises(ValidationFailed):
        FaultType.of(code, "推诿扯皮")


def test_changing_shares_needs_a_reason_and_keeps_the_total():
    # given
    item = opened()

    # then
    with pytest.raises(ValidationFailed) as refused:
        item.change_shares(changes={LEAD: (60, None)}, reason="主办民警负主要责任", at=AT)
    assert "add up to 110" in refused.value.message
    with pytest.raises(ValidationFailed):
        item.change_shares(changes={LEAD: (40, None), AUX: (30, None)}, reason=" ", at=AT)
    with pytest.raises(ValidationFailed):
        item.change_shares(changes={"P-NOBODY": (0, None)}, reason="x", at=AT)

    # when
    item.change_shares(
        changes={LEAD: (60, None), AUX: (10, ChainRole.APPRAISER)}, reason="聘员仅协助", at=AT
    )

    # then
    assert [p.share for p in item.persons] == [30, 60, 10]
    assert item.person(AUX).chain_role is ChainRole.APPRAISER  # type: ignore[union-attr]
    event = item.collect_events()[-1]
    assert event.reason == "聘员仅协助"
    assert set(event.changes) == {f"person.{LEAD}", f"person.{AUX}"}


@pytest.mark.parametrize(
    ("orders", "why"),
    [
        ([MeasureOrder(STATION, K.WARNING)], "personal measure"),
        ([MeasureOrder(LEAD, K.SUSPENSION, days=5)], "10 to 60"),
        ([MeasureOrder(LEAD, K.WARNING, days=5)], "not set in days"),
        ([MeasureOrder(LEAD, K.WARNING), MeasureOrder(LEAD, K.DEMERIT)], "one disciplinary"),
        ([MeasureOrder(LEAD, K.ADMONISHMENT), MeasureOrder(LEAD, K.ADMONISHMENT)], "twice"),
        ([MeasureOrder("P-NOBODY", K.ADMONISHMENT)], "not held accountable"),
        ([], "at least one"),
    ],
)
def test_measures_must_fit_their_subjects(orders, why):
    item = opened()
    with pytest.raises(ValidationFailed) as refused:
        item.propose_measures(orders=orders, clocks=CLOCKS, at=AT)
    assert why in refused.value.message


def test_a_decision_may_replace_the_proposal():
    # given
    item = proposed()

    # when
    item.decide(orders=[MeasureOrder(LEAD, K.WARNING)], note=None, clocks=CLOCKS, at=AT)

    # then
    assert [(m.subject, m.kind, m.subject_kind) for m in item.measures] == [
        (LEAD, K.WARNING, SubjectKind.PERSON)
    ]
    assert item.collect_events()[-1].data == {"asProposed": False}


def test_only_a_person_held_accountable_appeals_and_only_once():
    item = appealed(LEAD)
    with pytest.raises(ValidationFailed):
        item.appeal(appellant=LEAD, grounds="再次申诉", at=AT)
    with pytest.raises(ValidationFailed):
        item.appeal(appellant="P-NOBODY", grounds="申诉", at=AT)


def test_a_revoked_appeal_ends_the_appellants_measures_and_their_points():
    # given
    item = appealed(LEAD)
    assert item.points_due(LEAD, POINTS) == 20

    # when
    item.decide_appeal(
        appellant=LEAD,
        outcome=AppealOutcome.REVOKED,
        note="证据不足",
        orders=(),
        clocks=CLOCKS,
        at=AT,
    )

    # then
    assert item.measures_of(LEAD) == ()
    assert {m.status for m in item.measures if m.subject == LEAD} == {MeasureStatus.REVOKED}
    assert item.points_due(LEAD, POINTS) == 0
    assert item.points_due(LEADER, POINTS) == POINTS[K.POST_ADJUSTMENT]
    assert item.appeals[0].outcome is AppealOutcome.REVOKED


def test_a_changed_appeal_replaces_only_the_appellants_measures():
    # given
    item = appealed(LEAD)

    # then
    with pytest.raises(ValidationFailed):
        item.decide_appeal(
            appellant=LEAD,
            outcome=AppealOutcome.CHANGED,
            note="改",
            orders=(),
            clocks=CLOCKS,
            at=AT,
        )
    with pytest.raises(ValidationFailed):
        item.decide_appeal(
            appellant=LEAD,
            outcome=AppealOutcome.CHANGED,
            note="改",
            orders=[MeasureOrder(AUX, K.ADMONISHMENT)],
            clocks=CLOCKS,
            at=AT,
        )
    with pytest.raises(ValidationFailed):
        item.decide_appeal(
            appellant=LEAD,
            outcome=AppealOutcome.UPHELD,
            note="维持",
            orders=[MeasureOrder(LEAD, K.ADMONISHMENT)],
            clocks=CLOCKS,
            at=AT,
        )

    # when
    item.decide_appeal(
        appellant=LEAD,
        outcome=AppealOutcome.CHANGED,
        note="改为诫勉",
        orders=[MeasureOrder(LEAD, K.ADMONISHMENT)],
        clocks=CLOCKS,
        at=AT,
    )

    # then
    assert [m.kind for m in item.measures_of(LEAD)] == [K.ADMONISHMENT]
    assert item.measures_of(LEAD)[0].appeal_no == 1
    superseded = [m for m in item.measures if m.status is MeasureStatus.SUPERSEDED]
    assert {m.kind for m in superseded} == {K.DEMERIT, K.SUSPENSION}
    assert [m.kind for m in item.measures_of(AUX)] == [K.CRITICISM_EDUCATION]
    assert len({m.no for m in item.measures}) == len(item.measures)


def test_the_snapshot_names_officers_by_code_only():
    snapshot = repr(decided().snapshot())
    for name in ("王建国", "李明", "陈小华"):
        assert name not in snapshot
