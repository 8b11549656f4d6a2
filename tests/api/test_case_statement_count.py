"""The N+1 guard: a page of cases with nested units and officers costs a fixed few statements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import cycle
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import event

from domain.actor import Role
from service import case as cases
from service.context import Runtime
from tests.api.test_case_support import call, handler, registered

pytestmark = pytest.mark.db

PAGE = """
query Page($first: Int!) {
  cases(first: $first) {
    edges {
      node {
        id title stage overdue
        unit { code name parent { code } }
        leadOfficer { code name unit { code } }
        transfers { fromUnit { code } toUnit { code } }
        tracking { cityDepartmentOfficer { code } stationOfficer { code name } }
        firstRevisitDue { dueAt overdue }
      }
    }
  }
}
"""
MAX_STATEMENTS = 6

STATIONS = cycle(
    [
        ("FT-XS", "P-FT-XS-001"),
        ("FT-SB", "P-FT-SB-001"),
        ("FT-HF", "P-FT-HF-002"),
        ("LH-DM", "P-LH-DM-001"),
        ("LH-HB", "P-LH-HB-001"),
        ("NS-YH", "P-NS-YH-001"),
        ("NS-SK", "P-NS-SK-001"),
    ]
)
TRANSFER_TO = cycle(["NS-XL", None, "LH", None])


@contextmanager
def statements(runtime: Runtime) -> Iterator[list[str]]:
    """The SQL statements sent through the application's engine while the block runs."""
    sent: list[str] = []

    def executed(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(runtime.engine.sync_engine, "before_cursor_execute", executed)
    try:
        yield sent
    finally:
        event.remove(runtime.engine.sync_engine, "before_cursor_execute", executed)


async def _add_cases(runtime: Runtime, count: int) -> None:
    """`count` cases across stations and officers; some transferred, some tracked, accepted."""
    for n in range(count):
        unit, officer = next(STATIONS)
        case = await registered(runtime, unit=unit, officer=officer)
        target = next(TRANSFER_TO)
        if target is not None:
            case = await cases.transfer(
                call(runtime), UUID(case.id), case.version, to_unit_code=target, reason="移送"
            )
        if n % 3 == 0:
            case = await cases.start_tracking(
                call(runtime),
                UUID(case.id),
                case.version,
                city_officer_code="P-XZ-001",
                sub_bureau_officer_code="P-FT-001",
                station_officer_code=officer,
                closing_standard="破案",
            )
        await cases.accept(call(runtime, handler(case.unit)), UUID(case.id), case.version)


async def _count(gql, runtime: Runtime, rows: int, **who: Any) -> list[str]:
    with statements(runtime) as sent:
        data = await gql(PAGE, {"first": 50}, **who)
    nodes = [edge["node"] for edge in data["cases"]["edges"]]
    assert len(nodes) == rows
    assert all(node["unit"]["parent"]["code"] for node in nodes)
    assert all(node["leadOfficer"]["unit"]["code"] for node in nodes)
    assert any(node["transfers"] for node in nodes)
    assert any(node["tracking"] for node in nodes)
    return sent


async def test_a_page_of_cases_with_units_and_officers_costs_a_fixed_few_statements(gql, runtime):
    # given
    await _add_cases(runtime, 5)
    await gql(PAGE, {"first": 50})  # warm the pool: connecting issues statements of its own

    # when
    five = await _count(gql, runtime, 5)
    await _add_cases(runtime, 45)
    fifty = await _count(gql, runtime, 50)

    # then
    assert len(fifty) == len(five), "\n".join(fifty)
    assert 1 <= len(fifty) <= MAX_STATEMENTS, "\n".join(fifty)


async def test_a_handlers_scoped_page_costs_no_more_per_row(gql, runtime):
    # given: the whole city is below SZ
    who = {"role": Role.HANDLER, "unit": "SZ"}
    await _add_cases(runtime, 5)
    await gql(PAGE, {"first": 50}, **who)

    # when
    five = await _count(gql, runtime, 5, **who)
    await _add_cases(runtime, 45)
    fifty = await _count(gql, runtime, 50, **who)

    # then
    assert len(fifty) == len(five), "\n".join(fifty)
    assert 1 <= len(fifty) <= MAX_STATEMENTS, "\n".join(fifty)
