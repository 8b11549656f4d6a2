"""excellentShare: evaluations rated excellent among a unit subtree's evaluations in a period."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.actor import Role
from domain.clock import MovableClock
from domain.review.aggregate import CriterionScore
from domain.review.status import Rating, ReviewKind
from service import review as reviews
from service.context import Runtime
from tests.api.support import assert_no_traceback
from tests.api.test_review_fixtures import call, concluded, evaluated, inspection
from tests.conftest import START

pytestmark = pytest.mark.db

SHARE = """
query Share($unit: String!, $from: DateTime!, $to: DateTime!) {
  excellentShare(unitCode: $unit, from: $from, to: $to) {
    unitCode from to evaluated excellent share
  }
}
"""
E, Q, U = Rating.EXCELLENT, Rating.QUALIFIED, Rating.UNQUALIFIED


def _iso(moment: datetime) -> str:
    return moment.isoformat()


async def _share(gql, unit_code: str, start: datetime, end: datetime, **who: Any) -> dict[str, Any]:
    data = await gql(SHARE, {"unit": unit_code, "from": _iso(start), "to": _iso(end)}, **who)
    result: dict[str, Any] = data["excellentShare"]
    return result


async def _city(runtime: Runtime, clock: MovableClock) -> None:
    """Evaluations at START across the city, one more 40 days later, and a verification."""
    for unit, rating in [("FT", E), ("FT-XS", E), ("FT-SB", Q), ("FT-HF", U), ("LH-DM", E)]:
        await evaluated(runtime, unit=unit, rating=rating)
    await concluded(runtime, await inspection(runtime, unit="FT"))  # no rating: not counted
    await inspection(runtime, kind=ReviewKind.CASE_QUALITY_EVALUATION, unit="FT")  # not yet rated
    clock.advance(timedelta(days=40))
    await evaluated(runtime, unit="FT-XS", rating=Q)
    clock.set(START)


@pytest.mark.parametrize(
    ("unit", "days", "evaluated_count", "excellent", "share"),
    [
        ("FT", 30, 4, 2, 0.5),
        ("FT-XS", 30, 1, 1, 1.0),
        ("SZ", 30, 5, 3, 0.6),
        ("LH", 30, 1, 1, 1.0),
        ("NS", 30, 0, 0, None),
        ("FT", 60, 5, 2, 0.4),
        ("FT", 40, 4, 2, 0.5),  # `to` is exclusive: the evaluation at day 40 is outside
    ],
)
async def test_the_share_counts_the_subtrees_evaluations_in_the_period(
    gql, runtime, clock, unit, days, evaluated_count, excellent, share
):
    # given
    await _city(runtime, clock)

    # when
    result = await _share(gql, unit, START, START + timedelta(days=days))

    # then
    assert result == {
        "unitCode": unit,
        "from": START.isoformat(timespec="microseconds"),
        "to": (START + timedelta(days=days)).isoformat(timespec="microseconds"),
        "evaluated": evaluated_count,
        "excellent": excellent,
        "share": share,
    }


async def test_a_period_starting_after_an_evaluation_leaves_it_out(gql, runtime, clock):
    # given
    await _city(runtime, clock)

    # when: `from` is inclusive, so a period from one microsecond later sees only day 40
    result = await _share(gql, "FT", START + timedelta(microseconds=1), START + timedelta(days=60))

    # then
    assert (result["evaluated"], result["excellent"], result["share"]) == (1, 0, 0.0)


async def test_a_re_evaluation_replaces_the_rating_it_counts(gql, runtime, clock):
    # given
    review = await evaluated(runtime, unit="FT-SB", rating=Q)
    await evaluated(runtime, unit="FT-HF", rating=E)

    # when
    clock.advance(timedelta(hours=2))
    await reviews.record_evaluation(
        call(runtime),
        UUID(review.id),
        review.version,
        scores=(CriterionScore("FILING", 20, 20),),
        rating=E,
        note="复评",
    )

    # then
    result = await _share(gql, "FT", START, START + timedelta(days=1))
    assert (result["evaluated"], result["excellent"], result["share"]) == (2, 2, 1.0)


async def test_a_handler_may_ask_only_about_its_own_subtree(gql, runtime):
    # given
    await evaluated(runtime, unit="FT-XS", rating=E)
    end = START + timedelta(days=1)

    # when
    own = await _share(gql, "FT-XS", START, end, role=Role.HANDLER, unit="FT")
    other = await gql.post(
        SHARE,
        {"unit": "LH", "from": _iso(START), "to": _iso(end)},
        role=Role.HANDLER,
        unit="FT",
    )

    # then
    assert own["evaluated"] == 1
    assert_no_traceback(other)
    assert [e["extensions"]["code"] for e in other.json()["errors"]] == ["FORBIDDEN"]


@pytest.mark.parametrize(
    ("unit", "start", "end"),
    [
        ("NOWHERE", START, START + timedelta(days=1)),
        ("FT", START, START),
        ("FT", START + timedelta(days=1), START),
    ],
)
async def test_an_unknown_unit_or_an_empty_period_is_a_validation_error(gql, unit, start, end):
    # when
    response = await gql.post(SHARE, {"unit": unit, "from": _iso(start), "to": _iso(end)})

    # then
    assert_no_traceback(response)
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["VALIDATION"]
