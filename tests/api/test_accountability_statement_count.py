"""The N+1 guard: a page of accountabilities with nested objects costs the same few statements
whether it holds 5 items or 50."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from domain.actor import Role
from service.context import Runtime
from tests.api.test_accountability_support import decided

pytestmark = pytest.mark.db

PAGE = """
query Page($first: Int!) {
  accountabilities(first: $first) {
    edges {
      node {
        id status lifelong
        unit { code parent { code } }
        review { id subject unit { code } }
        appealDue { dueAt }
        persons {
          officerCode share
          officer { name unit { code } }
          unitAtFault { code parent { code } }
          measures { kind period { dueAt } }
        }
        units { unit { code } }
        appeals { appellant { code } }
        exposure { title }
      }
    }
  }
}
"""
MAX_STATEMENTS = 10


@contextmanager
def counted(runtime: Runtime) -> Iterator[list[str]]:
    sent: list[str] = []

    def executed(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(runtime.engine.sync_engine, "before_cursor_execute", executed)
    try:
        yield sent
    finally:
        event.remove(runtime.engine.sync_engine, "before_cursor_execute", executed)


async def _page(gql, runtime: Runtime, rows: int, **who: Any) -> list[str]:
    with counted(runtime) as sent:
        data = await gql(PAGE, {"first": 50}, **who)
    nodes = [edge["node"] for edge in data["accountabilities"]["edges"]]
    assert len(nodes) == rows
    # A handler sees the review only where the review's own scope rules let it (here they do not).
    reviews = {node["review"]["unit"]["code"] if node["review"] else None for node in nodes}
    assert reviews == ({None} if who.get("role") is Role.HANDLER else {"FT"})
    assert all(p["officer"]["name"] for node in nodes for p in node["persons"])
    assert all(p["unitAtFault"]["parent"]["code"] == "FT" for n in nodes for p in n["persons"])
    return sent


async def _add(runtime: Runtime, count: int) -> None:
    for _ in range(count):
        await decided(runtime)


@pytest.mark.parametrize(
    "who",
    [{"role": Role.SUPERVISOR}, {"role": Role.HANDLER, "unit": "FT"}],
    ids=["centre", "handler"],
)
async def test_a_page_of_accountabilities_costs_a_fixed_few_statements(gql, runtime, who):
    # given
    await _add(runtime, 5)
    await gql(PAGE, {"first": 50}, **who)  # warm the pool: connecting issues statements of its own

    # when
    five = await _page(gql, runtime, 5, **who)
    await _add(runtime, 45)
    fifty = await _page(gql, runtime, 50, **who)

    # then
    assert len(fifty) == len(five), "\n".join(fifty)
    assert 1 <= len(fifty) <= MAX_STATEMENTS, "\n".join(fifty)
