"""The N+1 guard for reviews: a page with nested units and children costs the same at any size."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from itertools import count
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import event

from domain.actor import Role
from domain.clock import MovableClock
from domain.review.status import Rating
from service import review as reviews
from service.context import Runtime
from tests.api.test_review_fixtures import (
    call,
    concluded,
    evaluated,
    in_signoff,
    inspection,
    with_recommendation,
    with_rectification,
)

pytestmark = pytest.mark.db

PAGE = """
query Page($first: Int!) {
  reviews(first: $first) {
    edges {
      node {
        id kind status subject correlationId
        unit { code name parent { code } }
        origin { kind description }
        verifiers { code name unit { code } }
        evidence { no description }
        finding { result nature }
        evaluation { rating total }
        rectifications {
          no status
          ownerUnit { code parent { code } }
          verifyingUnit { code }
          due { dueAt overdue computation }
        }
        recommendations { no unit { code name } responseDue { dueAt overdue } }
        signoff {
          round
          currentStep { stepNo holder { code unit { code } } }
          steps { stepNo decision holder { code name } }
        }
        overdue
        deadlines { kind dueAt }
      }
    }
  }
}
"""
# The page itself and each kind of child (evidence, rectifications, recommendations, sign-off
# steps) cost one statement whatever the page size; the shared unit and officer loaders one per
# nesting depth at which they meet keys they have not loaded yet. Which depths those are depends on
# which query answers first, so those two are bounded by depth, never by rows.
ONCE = (
    "review",
    "review_evidence",
    "review_rectification",
    "review_recommendation",
    "review_signoff_step",
)
AT_MOST_BY_DEPTH = {"unit": 4, "officer": 2}
MAX_STATEMENTS = len(ONCE) + sum(AT_MOST_BY_DEPTH.values())

# Every choice below repeats with a period dividing 12, so any 12 consecutive reviews hold every
# combination: a page of 12 and a page of 50 ask the loaders for the same keys at the same depths.
UNITS = ["FT-XS", "FT-SB", "LH-DM", "NS-YH", "FT-HF", "LH-HB"]
VERIFIERS = ["SZ-DC", "SZ-FZ", None]
LETTER_UNITS = ["FT", "LH", "NS"]
SHAPES = ["full", "signoff", "evaluation", "inspection"]
_index = count()


class Statements:
    """Counts the SQL statements the engine sends while counting is on."""

    def __init__(self, runtime: Runtime) -> None:
        self.engine = runtime.engine.sync_engine
        self.sent: list[str] | None = None
        event.listen(self.engine, "before_cursor_execute", self._executed)

    def _executed(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if self.sent is not None:
            self.sent.append(statement)

    @contextmanager
    def __call__(self) -> Iterator[list[str]]:
        self.sent = []
        try:
            yield self.sent
        finally:
            self.sent = None

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._executed)


@pytest.fixture
def statements(runtime: Runtime) -> Iterator[Statements]:
    counter = Statements(runtime)
    try:
        yield counter
    finally:
        counter.close()


async def _add_reviews(runtime: Runtime, clock: MovableClock, how_many: int) -> None:
    """Reviews of every shape: with items and a chain, in sign-off, rated, just opened."""
    for _ in range(how_many):
        i = next(_index)
        clock.advance(timedelta(minutes=1))
        shape = SHAPES[i % 4]
        unit = UNITS[i % 6]
        if shape == "evaluation":
            await evaluated(runtime, unit=unit, rating=Rating.EXCELLENT)
            continue
        review = await inspection(runtime, unit=unit)
        if shape == "inspection":
            continue
        review = await concluded(runtime, review)
        review = await with_rectification(
            runtime, review, owner=UNITS[(i + 1) % 6], verifier=VERIFIERS[i % 3]
        )
        if shape == "full":
            review = await with_recommendation(runtime, review, unit=LETTER_UNITS[i % 3])
        review = await in_signoff(runtime, review)
        if shape == "full":
            await reviews.add_rectification(
                call(runtime),
                UUID(review.id),
                review.version,
                owner_unit_code=UNITS[(i + 2) % 6],
                verifying_unit_code=None,
                requirement="二次整改",
                due_date=None,
                watch_days=10,
            )


def _by_table(sent: list[str]) -> Counter[str]:
    """How many statements read each table (the first table a statement selects from)."""
    found: Counter[str] = Counter()
    for statement in sent:
        match = re.search(r"\bFROM (\w+)", statement)
        assert match, statement
        found[match.group(1)] += 1
    return found


def _assert_bounded(sent: list[str]) -> None:
    tables = _by_table(sent)
    assert {t: tables[t] for t in ONCE} == dict.fromkeys(ONCE, 1), "\n".join(sent)
    for table, most in AT_MOST_BY_DEPTH.items():
        assert 1 <= tables[table] <= most, "\n".join(sent)
    assert set(tables) == {*ONCE, *AT_MOST_BY_DEPTH}, "\n".join(sent)
    assert len(sent) <= MAX_STATEMENTS


async def _count(gql, statements: Statements, size: int, **who: Any) -> list[str]:
    with statements() as sent:
        data = await gql(PAGE, {"first": 50}, **who)
    nodes = [edge["node"] for edge in data["reviews"]["edges"]]
    assert len(nodes) == size
    assert all(node["unit"]["parent"]["code"] for node in nodes)
    assert any(node["signoff"] and node["signoff"]["steps"] for node in nodes)
    assert any(node["rectifications"] for node in nodes)
    return sent


async def test_a_page_of_reviews_with_nested_units_costs_a_fixed_few_statements(
    gql, runtime, clock, statements
):
    # given
    await _add_reviews(runtime, clock, 12)
    await gql(PAGE, {"first": 50})  # warm the pool: connecting issues statements of its own

    # when
    twelve = await _count(gql, statements, 12)
    await _add_reviews(runtime, clock, 48)
    fifty = await _count(gql, statements, 50)

    # then
    _assert_bounded(twelve)
    _assert_bounded(fifty)


async def test_a_handlers_scoped_page_costs_no_more_per_row(gql, runtime, clock, statements):
    # given: SZ's handler takes part in every review that has a rectification
    who = {"role": Role.HANDLER, "unit": "SZ"}
    await _add_reviews(runtime, clock, 12)
    await gql(PAGE, {"first": 50}, **who)
    scoped = len((await gql(PAGE, {"first": 50}, **who))["reviews"]["edges"])

    # when
    with statements() as few:
        await gql(PAGE, {"first": 50}, **who)
    await _add_reviews(runtime, clock, 96)
    with statements() as many:
        data = await gql(PAGE, {"first": 50}, **who)

    # then
    assert len(data["reviews"]["edges"]) == 50
    assert scoped == 6  # inspections and evaluations without items are out of its scope
    _assert_bounded(few)
    _assert_bounded(many)
