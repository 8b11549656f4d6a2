"""Unit scope of reviews (list, lookup, node, audit trail), filters and keyset paging."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.actor import Role
from domain.clock import MovableClock
from domain.review.status import Rating, ReviewKind
from service import review as reviews
from service.context import Runtime
from tests.api.support import assert_no_traceback, gid, routed
from tests.api.test_review_fixtures import (
    call,
    concluded,
    evaluated,
    from_complaint,
    handler,
    in_signoff,
    inspection,
    rectification_done,
    rid,
    with_recommendation,
    with_rectification,
)

pytestmark = pytest.mark.db

LIST = """
query List($first: Int, $after: String, $filter: ReviewFilter) {
  reviews(first: $first, after: $after, filter: $filter) {
    edges { cursor node { id status } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
ONE = "query One($id: ID!) { review(id: $id) { id status } }"
NODE = "query Node($id: ID!) { node(id: $id) { __typename id ... on Review { kind } } }"
TRAIL = """
query Trail($id: ID!) {
  auditTrail(aggregateId: $id) { edges { node { eventType } } }
}
"""
OVERDUE = """
query Overdue($id: ID!) {
  review(id: $id) {
    overdue
    rectifications { no overdue due { dueAt overdue } }
    recommendations { no overdue responseDue { dueAt overdue } }
  }
}
"""


def _handler(unit: str, **more: Any) -> dict[str, Any]:
    return {"role": Role.HANDLER, "unit": unit, **more}


async def _listed(gql, *, filter: dict[str, Any] | None = None, **who: Any) -> list[str]:
    data = await gql(LIST, {"first": 100, "filter": filter}, **who)
    page = data["reviews"]
    assert page["pageInfo"]["hasNextPage"] is False
    return [edge["node"]["id"] for edge in page["edges"]]


async def _sees(gql, review_id: str, **who: Any) -> bool:
    """Whether the list, the lookup and `node` all show the review (and agree)."""
    answers = {
        "list": review_id in await _listed(gql, **who),
        "lookup": (await gql(ONE, {"id": review_id}, **who))["review"] is not None,
        "node": (await gql(NODE, {"id": review_id}, **who))["node"] is not None,
    }
    assert len(set(answers.values())) == 1, answers
    return answers["lookup"]


# -- who sees what -------------------------------------------------------------------------------------


async def test_the_centre_and_auditors_see_every_review(gql, runtime):
    # given
    review = await inspection(runtime)

    # then
    for role in (Role.SUPERVISOR, Role.LEADER, Role.LEGAL, Role.AUDITOR):
        assert await _sees(gql, rid(review), role=role), role


async def test_a_handler_sees_only_reviews_its_subtree_takes_part_in(gql, runtime):
    # given: FT-XS owns a rectification, SZ-DC verifies it, FT-SB received a letter
    review = await with_rectification(runtime, await concluded(runtime, await inspection(runtime)))
    review = await with_recommendation(runtime, review, unit="FT-SB")
    untouched = await inspection(runtime)

    # then
    assert await _sees(gql, rid(review), **_handler("FT-XS"))
    assert await _sees(gql, rid(review), **_handler("SZ-DC"))
    assert await _sees(gql, rid(review), **_handler("FT-SB"))
    assert await _sees(gql, rid(review), **_handler("FT"))  # the subtree's parent
    assert await _sees(gql, rid(review), **_handler("SZ"))
    assert not await _sees(gql, rid(review), **_handler("LH"))
    assert not await _sees(gql, rid(review), **_handler("FT-HF"))
    # The reviewed unit alone does not bring a review into a handler's scope.
    assert not await _sees(gql, rid(untouched), **_handler("FT"))


async def test_a_handler_holding_a_sign_off_step_sees_that_review(gql, runtime):
    # given: step 1 is held by P-FT-XS-001 (account wangjg), an officer of FT-XS
    review = await in_signoff(runtime, await concluded(runtime, await inspection(runtime)))

    # then
    assert await _sees(gql, rid(review), **_handler("LH", sub="wangjg"))
    assert not await _sees(gql, rid(review), **_handler("LH", sub="zhout"))


async def test_out_of_scope_reads_and_writes_answer_not_found(gql, runtime):
    # given
    review = await with_rectification(runtime, await concluded(runtime, await inspection(runtime)))
    mutation = """
    mutation Done($id: ID!, $v: Int!) {
      reportRectificationDone(id: $id, expectedVersion: $v, input: {rectificationNo: 1, note: "x"}) {
        __typename ... on Error { code }
      }
    }
    """

    # when
    trail = await gql.post(TRAIL, {"id": rid(review)}, **_handler("LH"))
    changed = await gql(mutation, {"id": rid(review), "v": review.version}, **_handler("LH"))

    # then
    assert_no_traceback(trail)
    assert [e["extensions"]["code"] for e in trail.json()["errors"]] == ["NOT_FOUND"]
    assert changed["reportRectificationDone"] == {
        "__typename": "NotFoundError",
        "code": "NOT_FOUND",
    }
    own = await gql(TRAIL, {"id": rid(review)}, **_handler("FT-XS"))
    assert len(own["auditTrail"]["edges"]) == review.version


async def test_a_reviews_node_resolves_through_the_registry(gql, runtime):
    # given
    review = await inspection(runtime, kind=ReviewKind.LEGAL_REVIEW)

    # when
    data = await gql(NODE, {"id": rid(review)})

    # then
    assert data["node"] == {"__typename": "Review", "id": rid(review), "kind": "LEGAL_REVIEW"}


# -- filters and paging --------------------------------------------------------------------------------


async def test_filters_by_kind_status_unit_finding_and_origin(gql, runtime):
    # given
    complaint = await routed(runtime, "FT")
    verification = await concluded(runtime, await from_complaint(runtime, complaint.id))
    legal = await inspection(runtime, kind=ReviewKind.LEGAL_REVIEW, unit="LH-DM")
    evaluation = await evaluated(runtime, unit="FT-XS", rating=Rating.EXCELLENT)

    # when
    by_kind = await _listed(gql, filter={"kind": ["LEGAL_REVIEW", "CASE_QUALITY_EVALUATION"]})
    by_status = await _listed(gql, filter={"status": ["CONCLUDED"]})
    by_unit = await _listed(gql, filter={"unitCode": "FT"})
    by_finding = await _listed(gql, filter={"finding": ["PARTLY_SUBSTANTIATED"]})
    not_found = await _listed(gql, filter={"finding": ["NOT_SUBSTANTIATED"]})
    by_origin = await _listed(gql, filter={"originId": gid(complaint)})
    combined = await _listed(gql, filter={"unitCode": "FT", "kind": ["VERIFICATION"]})

    # then
    assert set(by_kind) == {rid(legal), rid(evaluation)}
    assert set(by_status) == {rid(verification), rid(evaluation)}
    assert set(by_unit) == {rid(verification), rid(evaluation)}
    assert by_finding == [rid(verification)]
    assert not_found == []
    assert by_origin == [rid(verification)]
    assert combined == [rid(verification)]


async def test_the_list_is_newest_first_and_pages_by_keyset(gql, runtime, clock: MovableClock):
    # given
    opened = []
    for _ in range(5):
        opened.append(await inspection(runtime))
        clock.advance(timedelta(minutes=1))
    newest_first = [rid(r) for r in reversed(opened)]

    # when
    first = (await gql(LIST, {"first": 2}))["reviews"]
    second = (await gql(LIST, {"first": 2, "after": first["pageInfo"]["endCursor"]}))["reviews"]
    third = (await gql(LIST, {"first": 2, "after": second["pageInfo"]["endCursor"]}))["reviews"]

    # then
    ids = [e["node"]["id"] for page in (first, second, third) for e in page["edges"]]
    assert ids == newest_first
    assert first["pageInfo"]["hasNextPage"] is True
    assert second["pageInfo"]["hasPreviousPage"] is True
    assert third["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize(("first", "after"), [(101, None), (-1, None), (10, "garbage")])
async def test_bad_paging_arguments_are_client_errors(gql, first, after):
    # when
    response = await gql.post(LIST, {"first": first, "after": after})

    # then
    assert_no_traceback(response)
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["VALIDATION"]


async def _review_with_deadlines(runtime: Runtime):
    """A rectification due at the end of 4 December and a letter due at the end of 8 December."""
    review = await concluded(runtime, await inspection(runtime))
    review = await with_rectification(runtime, review, due_date=date(2026, 12, 4))
    return await with_recommendation(runtime, review)


async def test_overdue_follows_the_injected_clock(gql, runtime, clock: MovableClock):
    # given: now is Monday 2026-11-23 09:00 Shanghai
    review = await _review_with_deadlines(runtime)
    on_time = await inspection(runtime)

    # when / then: before both deadlines
    assert await _listed(gql, filter={"overdue": True}) == []
    assert set(await _listed(gql, filter={"overdue": False})) == {rid(review), rid(on_time)}
    data = (await gql(OVERDUE, {"id": rid(review)}))["review"]
    assert data["overdue"] is False

    # the rectification passes its deadline (end of 4 December, 16:00 UTC)
    clock.set(clock.now().replace(month=12, day=4, hour=16, minute=0))
    data = (await gql(OVERDUE, {"id": rid(review)}))["review"]
    assert data["overdue"] is True
    assert data["rectifications"][0]["overdue"] is True
    assert data["rectifications"][0]["due"]["overdue"] is True
    assert data["recommendations"][0]["overdue"] is False
    assert await _listed(gql, filter={"overdue": True}) == [rid(review)]
    assert await _listed(gql, filter={"overdue": False}) == [rid(on_time)]


async def test_done_on_time_clears_overdue_and_a_late_response_keeps_it(gql, runtime, clock):
    # given
    review = await _review_with_deadlines(runtime)
    review = await rectification_done(runtime, review)  # on time

    # when: the letter's response comes after the end of 8 December
    clock.set(clock.now().replace(month=12, day=9, hour=2))
    late = await reviews.record_recommendation_response(
        call(runtime, handler("FT")), UUID(review.id), review.version, no=1, response="迟复"
    )
    clock.advance(timedelta(days=30))

    # then
    data = (await gql(OVERDUE, {"id": rid(late)}))["review"]
    assert data["rectifications"][0]["overdue"] is False
    assert data["recommendations"][0]["overdue"] is True
    assert data["recommendations"][0]["responseDue"]["overdue"] is True
    assert data["overdue"] is True
    assert await _listed(gql, filter={"overdue": True}) == [rid(late)]


async def test_a_rectification_reported_late_stays_overdue_in_the_list_and_the_field(
    gql, runtime, clock
):
    # given: the rectification is due at the end of 4 December
    review = await _review_with_deadlines(runtime)
    review = await reviews.record_recommendation_response(
        call(runtime, handler("FT")), UUID(review.id), review.version, no=1, response="已答复"
    )

    # when: reported done on 6 December
    clock.set(clock.now().replace(month=12, day=6))
    late = await rectification_done(runtime, review)

    # then
    data = (await gql(OVERDUE, {"id": rid(late)}))["review"]
    assert data["rectifications"][0]["overdue"] is True
    assert data["recommendations"][0]["overdue"] is False
    assert data["overdue"] is True
    assert await _listed(gql, filter={"overdue": True}) == [rid(late)]
    assert await _listed(gql, filter={"overdue": False}) == []
