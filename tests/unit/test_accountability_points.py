"""The points ledger (积分): 达标得分、过错扣分、积分消抵, its arithmetic, and refused indicators."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.accountability.ledger import (
    EntryKind,
    PointsLedger,
    SourceRef,
    balance_of,
)
from domain.accountability.status import MeasureKind
from domain.errors import ValidationFailed
from tests.unit.test_accountability_builders import (
    AUX,
    FORBIDDEN,
    LEAD,
    LEADER,
    MIGRATION,
    POINTS,
    STATION,
    decided,
)

AT = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
E = EntryKind
SOURCE = SourceRef(type="accountability", id="0b9d3c1e-0000-4000-8000-000000000007")


def ledger() -> PointsLedger:
    return PointsLedger.empty("P-FT-XS-002", unit="FT-XS")


def record(book: PointsLedger, kind: EntryKind, amount: int, indicator: str | None = None, **kw):
    return book.record(
        kind=kind,
        amount=amount,
        reason=kw.pop("reason", "按标准办理"),
        indicator=indicator if indicator is not None or kind is not E.EARN else "FILING_ON_TIME",
        source=kw.pop("source", None),
        forbidden=FORBIDDEN,
        at=AT,
    )


def test_earned_deducted_offset_and_reversed_points_add_up():
    # given
    book = ledger()

    # when
    earned = record(book, E.EARN, 8)
    deducted = record(book, E.DEDUCT, 10, source=SOURCE)
    offset = record(book, E.OFFSET, 5)

    # then: an offset spends earned points on a deduction and leaves the balance
    assert (earned.balance_after, deducted.balance_after, offset.balance_after) == (8, -2, -2)
    assert (book.earned, book.deducted, book.offset, book.reversed) == (8, 10, 5, 0)
    assert book.balance == -2
    assert book.outstanding == 5
    assert book.available == 3
    assert balance_of([earned, deducted, offset]) == book.balance


def test_each_entry_is_one_event_and_one_version():
    # given
    book = ledger()

    # when
    record(book, E.EARN, 3)
    record(book, E.DEDUCT, 2, source=SOURCE)

    # then
    events = book.collect_events()
    assert [e.event_type for e in events] == ["points_ledger.earned", "points_ledger.deducted"]
    assert [e.aggregate_version for e in events] == [1, 2]
    assert [e.aggregate_id for e in events] == ["P-FT-XS-002"] * 2
    assert events[0].owner_unit == "FT-XS"
    assert events[1].changes["balance"] == {"before": 3, "after": 1}
    assert events[1].data["entry"]["sourceType"] == "accountability"
    assert [e.no for e in book.new_entries] == [1, 2]


def test_an_offset_is_limited_by_the_deductions_outstanding_and_the_points_earned():
    # given
    book = ledger()
    record(book, E.EARN, 4)
    record(book, E.DEDUCT, 10, source=SOURCE)

    # then: more than earned
    with pytest.raises(ValidationFailed) as refused:
        record(book, E.OFFSET, 5)
    assert refused.value.field == "amount"

    # given: more earned than deducted
    record(book, E.EARN, 20)
    with pytest.raises(ValidationFailed):
        record(book, E.OFFSET, 11)
    record(book, E.OFFSET, 10)
    assert book.outstanding == 0
    assert book.balance == 14


def test_a_reversed_deduction_that_was_offset_gives_the_earned_points_back():
    # given
    book = ledger()
    record(book, E.EARN, 10)
    record(book, E.DEDUCT, 10, source=SOURCE)
    record(book, E.OFFSET, 10)

    # when: the appeal revoked the measures
    record(book, E.REVERSAL, 10, source=SOURCE)

    # then: as if the deduction had never been
    assert book.balance == 10
    assert book.outstanding == 0
    assert book.available == 10
    assert book.offset == 0


def test_a_reversal_is_limited_to_the_points_deducted():
    book = ledger()
    record(book, E.DEDUCT, 6, source=SOURCE)
    with pytest.raises(ValidationFailed):
        record(book, E.REVERSAL, 7, source=SOURCE)


@pytest.mark.parametrize("amount", [0, -1, 1001])
def test_an_amount_must_be_positive_and_bounded(amount):
    with pytest.raises(ValidationFailed) as refused:
        record(ledger(), E.EARN, amount)
    assert refused.value.field == "amount"


def test_points_are_earned_only_against_an_indicator():
    book = ledger()
    with pytest.raises(ValidationFailed) as refused:
        book.record(
            kind=E.EARN,
            amount=2,
            reason="表现好",
            indicator=None,
            source=None,
            forbidden=FORBIDDEN,
            at=AT,
        )
    assert refused.value.field == "indicatorCode"


@pytest.mark.parametrize(
    "indicator",
    [
        "FINES_COLLECTED",
        "DETENTIONS",
        "CASE_COUNT",
        "RETURN_RATE",
        "CLEARANCE_RATE",
        "fines",
        "solve_rate",
    ],
)
def test_indicators_evaluation_must_not_use_are_refused(indicator):
    # given
    book = ledger()

    # when
    with pytest.raises(ValidationFailed) as refused:
        record(book, E.EARN, 5, indicator=indicator)

    # then
    assert refused.value.code == "VALIDATION"
    assert refused.value.field == "indicatorCode"
    assert book.entry_count == 0
    assert book.pending_events == []


@pytest.mark.parametrize("reason", ["罚没款完成任务", "本月拘留数达标", "破案率第一", "退补率下降"])
def test_a_reason_naming_a_forbidden_indicator_is_refused(reason):
    with pytest.raises(ValidationFailed) as refused:
        record(ledger(), E.EARN, 5, reason=reason)
    assert refused.value.field == "reason"


def test_the_refused_list_is_the_one_the_migration_configures():
    codes = {code for code, _, _ in MIGRATION.FORBIDDEN_INDICATORS}
    assert codes == {"FINES_COLLECTED", "DETENTIONS", "CASE_COUNT", "RETURN_RATE", "CLEARANCE_RATE"}


def test_an_indicator_evaluation_may_use_is_accepted():
    entry = record(ledger(), E.EARN, 5, indicator="case_filed_on_time", reason="受立案及时规范")
    assert entry.indicator == "CASE_FILED_ON_TIME"


def test_a_decided_accountability_deducts_each_persons_measures_by_the_configured_points():
    # given
    item = decided()

    # when
    due = item.deductions(POINTS)

    # then: measures on the unit deduct nothing from anyone
    assert due == {
        LEADER: POINTS[MeasureKind.POST_ADJUSTMENT],
        LEAD: POINTS[MeasureKind.DEMERIT] + POINTS[MeasureKind.SUSPENSION],
        AUX: POINTS[MeasureKind.CRITICISM_EDUCATION],
    }
    assert STATION not in due
    assert due[LEAD] == 20
