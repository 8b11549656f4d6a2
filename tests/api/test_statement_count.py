"""The N+1 guard: a page of complaints with nested objects costs the same statements at any size."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from itertools import cycle
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import create_app
from api.fastpath import Plan, Reader
from domain.actor import Role
from service.context import Runtime
from tests.api.support import register, triage
from tests.conftest import SECRET, GraphQLClient

pytestmark = pytest.mark.db

PAGE = """
query Page($first: Int!) {
  complaints(first: $first) {
    edges {
      node {
        id
        subject
        primaryUnit { code name parent { code } }
        lineUnit { code }
        category { code name parent { code } }
      }
    }
  }
}
"""
WIDE_PAGE = """
query WidePage($first: Int!) {
  complaints(first: $first) {
    edges {
      node {
        id
        primaryUnit { code parent { code parent { code } } }
        lineUnit { code name }
        category { code parent { code } }
        complainedUnits { code }
        complainant { name masked }
        mergedInto { id }
        replyDue { dueAt overdue }
      }
    }
  }
}
"""
MAX_STATEMENTS = 8

UNITS = cycle(["FT", "FT-XS", "LH", "LH-DM", "NS", "NS-YH", "FT-SB"])
LINE_UNITS = cycle(["SZ-DC", "SZ-FZ", None, "SZ-ZA"])
CATEGORIES = cycle(["ENF_INACTION", "ENF_DELAY", "NON_SERVICE", "ENF_ATTITUDE", "NON_OTHER"])
COMPLAINED = cycle([(), ("LH-HB",), ("NS-SK", "NS-XL")])


class Statements:
    """Counts the SQL statements sent through SQLAlchemy and through the compiled-read pool."""

    def __init__(self, engine: AsyncEngine, reader: Reader, monkeypatch: pytest.MonkeyPatch):
        self.engine = engine
        self.sent: list[str] | None = None
        event.listen(engine.sync_engine, "before_cursor_execute", self._executed)
        answer = reader.answer

        async def counted_answer(plan: Plan) -> str:
            self._record(plan.sql)
            return await answer(plan)

        # Compiled reads bypass the engine: one statement per answer, on a psycopg pool.
        monkeypatch.setattr(reader, "answer", counted_answer)

    def _executed(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self._record(statement)

    def _record(self, statement: str) -> None:
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
        event.remove(self.engine.sync_engine, "before_cursor_execute", self._executed)


@pytest.fixture(params=["executor", "compiled"])
async def client(request, runtime, monkeypatch) -> AsyncIterator[tuple[GraphQLClient, Statements]]:
    """An HTTP client of the app with the compiled read path off or on, and a statement counter."""
    app = create_app(runtime, secret=SECRET, graphiql=False, fast_reads=request.param == "compiled")
    statements = Statements(runtime.engine, app.state.reader, monkeypatch)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://jiandu.test") as http:
            yield GraphQLClient(http), statements
    finally:
        statements.close()
        await app.state.reader.close()


async def _add_complaints(runtime: Runtime, count: int) -> None:
    """`count` complaints triaged across units, line units and categories."""
    for _ in range(count):
        complaint = await register(runtime, complained_units=next(COMPLAINED))
        unit = next(UNITS)
        while unit in complaint.complained_units:
            unit = next(UNITS)
        await triage(
            runtime,
            complaint,
            unit=unit,
            line_unit=next(LINE_UNITS),
            category=next(CATEGORIES),
        )


async def _count(
    gql: GraphQLClient, statements: Statements, document: str, rows: int, **who: Any
) -> list[str]:
    with statements() as sent:
        data = await gql(document, {"first": 50}, **who)
    nodes = [edge["node"] for edge in data["complaints"]["edges"]]
    assert len(nodes) == rows
    assert all(node["primaryUnit"]["parent"]["code"] for node in nodes)
    assert all(node["category"]["parent"]["code"] for node in nodes)
    return sent


async def test_a_page_of_complaints_with_units_and_categories_costs_a_fixed_few_statements(
    client, runtime
):
    # given
    gql, statements = client
    await _add_complaints(runtime, 5)
    await gql(PAGE, {"first": 50})  # warm the pools: connecting issues statements of its own

    # when
    five = await _count(gql, statements, PAGE, 5)
    await _add_complaints(runtime, 45)
    fifty = await _count(gql, statements, PAGE, 50)

    # then
    assert len(fifty) == len(five), "\n".join(fifty)
    assert 1 <= len(fifty) <= MAX_STATEMENTS, "\n".join(fifty)


async def test_a_handlers_scoped_page_costs_no_more_per_row(client, runtime):
    # given
    gql, statements = client
    who = {"role": Role.HANDLER, "unit": "SZ"}
    await _add_complaints(runtime, 5)
    await gql(PAGE, {"first": 50}, **who)

    # when
    five = await _count(gql, statements, PAGE, 5, **who)
    await _add_complaints(runtime, 45)
    fifty = await _count(gql, statements, PAGE, 50, **who)

    # then
    assert len(fifty) == len(five), "\n".join(fifty)
    assert 1 <= len(fifty) <= MAX_STATEMENTS, "\n".join(fifty)


async def test_every_nested_field_of_a_complaint_is_batched(client, runtime):
    # given: identities are read unmasked, so the access-log insert is one of the statements
    gql, statements = client
    await _add_complaints(runtime, 5)
    await gql(WIDE_PAGE, {"first": 50})

    # when
    five = await _count(gql, statements, WIDE_PAGE, 5)
    await _add_complaints(runtime, 45)
    fifty = await _count(gql, statements, WIDE_PAGE, 50)

    # then
    assert len(fifty) == len(five), "\n".join(fifty)
    assert len(fifty) <= MAX_STATEMENTS, "\n".join(fifty)
