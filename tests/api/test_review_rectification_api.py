"""Rectifications over HTTP with a moving clock: set dates, watch periods, recurrence, closing."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from domain.actor import Role
from domain.clock import MovableClock
from domain.review.status import Rating
from tests.api.test_review_fixtures import (
    concluded,
    evaluated,
    inspection,
    rectification_done,
    rid,
    with_rectification,
)

pytestmark = pytest.mark.db

OUTCOME = """
fragment Outcome on ReviewChangeResult {
  __typename
  ... on Review {
    version status
    rectifications {
      no status watchDays watchUntil recurrences recurrenceNote closedOffAt
      due { ruleCode dueAt computation overdue }
    }
  }
  ... on Error { code message }
  ... on ValidationError { field }
}
"""
RECTIFY = (
    """
mutation Rectify($id: ID!, $v: Int!, $input: AddReviewRectificationInput!) {
  r: addReviewRectification(id: $id, expectedVersion: $v, input: $input) { ...Outcome }
}
"""
    + OUTCOME
)
CLOSE_OFF = (
    """
mutation CloseOff($id: ID!, $v: Int!) {
  r: closeOffRectification(id: $id, expectedVersion: $v, input: {rectificationNo: 1}) {
    ...Outcome
  }
}
"""
    + OUTCOME
)
RECUR = (
    """
mutation Recur($id: ID!, $v: Int!, $input: ReportRectificationRecurrenceInput!) {
  r: reportRectificationRecurrence(id: $id, expectedVersion: $v, input: $input) { ...Outcome }
}
"""
    + OUTCOME
)
CLOSE = (
    """
mutation Close($id: ID!, $v: Int!) {
  r: closeReview(id: $id, expectedVersion: $v) { ...Outcome }
}
"""
    + OUTCOME
)
ASSIGN = (
    """
mutation Assign($id: ID!, $v: Int!, $codes: [String!]!) {
  r: assignReviewVerifiers(id: $id, expectedVersion: $v, input: {officerCodes: $codes}) {
    ...Outcome
  }
}
"""
    + OUTCOME
)


async def test_a_due_date_is_due_at_the_end_of_that_local_day(gql, runtime):
    # given
    review = await concluded(runtime, await inspection(runtime))

    # when
    data = await gql(
        RECTIFY,
        {
            "id": rid(review),
            "v": review.version,
            "input": {
                "ownerUnitCode": "FT-XS",
                "requirement": "限期整改",
                "dueDate": "2026-12-04",
                "watchDays": 15,
            },
        },
    )

    # then
    (item,) = data["r"]["rectifications"]
    assert item["due"]["dueAt"] == "2026-12-04T16:00:00.000000+00:00"
    assert item["due"]["ruleCode"] == "review.rectification.date"
    assert "2026-12-04" in item["due"]["computation"]
    assert item["watchDays"] == 15
    assert item["status"] == "OPEN"


async def _closed_off_with_watch(gql, runtime, days: int) -> tuple[str, int]:
    review = await with_rectification(
        runtime, await concluded(runtime, await inspection(runtime)), watch_days=days
    )
    review = await rectification_done(runtime, review)
    data = await gql(CLOSE_OFF, {"id": rid(review), "v": review.version}, role=Role.SUPERVISOR)
    assert data["r"]["rectifications"][0]["status"] == "CLOSED_OFF"
    return rid(review), data["r"]["version"]


async def test_a_recurrence_in_the_watch_period_reopens_the_item(gql, runtime, clock: MovableClock):
    # given: closed off now (Monday 23 November, Shanghai) with a 10-day watch
    review_id, version = await _closed_off_with_watch(gql, runtime, 10)

    # when: eight days later
    clock.advance(timedelta(days=8))
    data = await gql(
        RECUR, {"id": review_id, "v": version, "input": {"rectificationNo": 1, "note": "又推诿"}}
    )

    # then
    result = data["r"]
    assert result["__typename"] == "Review"
    (item,) = result["rectifications"]
    assert item["status"] == "REOPENED"
    assert item["recurrences"] == 1
    assert item["recurrenceNote"] == "又推诿"
    assert item["closedOffAt"] is None
    assert item["watchUntil"] is None
    # a fresh 30-day deadline from the recurrence (1 December) → end of 31 December
    assert item["due"]["dueAt"] == "2026-12-31T16:00:00.000000+00:00"


async def test_after_the_watch_period_a_recurrence_is_refused(gql, runtime, clock: MovableClock):
    # given
    review_id, version = await _closed_off_with_watch(gql, runtime, 10)

    # when: past the end of 3 December
    clock.advance(timedelta(days=11))
    data = await gql(
        RECUR, {"id": review_id, "v": version, "input": {"rectificationNo": 1, "note": "反弹"}}
    )

    # then
    assert data["r"]["__typename"] == "ValidationError"
    assert data["r"]["field"] == "rectificationNo"
    assert "watch period" in data["r"]["message"]


async def test_an_evaluation_closes_only_after_its_items_watch_period(
    gql, runtime, clock: MovableClock
):
    # given: a case-quality evaluation (no chain) with a rectification under a 10-day watch
    review = await evaluated(runtime, unit="FT-XS", rating=Rating.UNQUALIFIED)
    review = await rectification_done(
        runtime, await with_rectification(runtime, review, watch_days=10)
    )
    closed_off = (await gql(CLOSE_OFF, {"id": rid(review), "v": review.version}))["r"]
    version = closed_off["version"]

    # when
    early = (await gql(CLOSE, {"id": rid(review), "v": version}))["r"]
    clock.advance(timedelta(days=11))
    late = (await gql(CLOSE, {"id": rid(review), "v": version}))["r"]

    # then
    assert early["__typename"] == "ValidationError"
    assert early["field"] == "rectifications"
    assert "under watch" in early["message"]
    assert late["__typename"] == "Review"
    assert late["status"] == "CLOSED"


async def test_two_writers_of_one_version_get_one_success_and_one_conflict(gql, runtime):
    # given
    review = await inspection(runtime)

    async def assign(codes: list[str]) -> dict[str, Any]:
        data = await gql(ASSIGN, {"id": rid(review), "v": review.version, "codes": codes})
        result: dict[str, Any] = data["r"]
        return result

    # when
    results = await asyncio.gather(*(assign([code]) for code in ("P-DC-001", "P-JDZX-001")))

    # then
    assert sorted(r["__typename"] for r in results) == ["ConflictError", "Review"]
