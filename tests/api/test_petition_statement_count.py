"""The N+1 guard: a page of petitions with nested objects costs the same statements at any size."""

from __future__ import annotations

from collections.abc import AsyncIterator
from itertools import cycle
from typing import Any
from uuid import UUID

import httpx
import pytest

from api.app import create_app
from domain.actor import Role
from domain.petition.status import SupervisionLevel
from service import petition as petitions
from service.context import Runtime
from tests.api.support import register as register_complaint
from tests.api.support import triage
from tests.api.test_petition_support import INTAKE, S, advance, call, handler, register
from tests.api.test_statement_count import Statements
from tests.conftest import SECRET, GraphQLClient

pytestmark = pytest.mark.db

PAGE = """
query Page($first: Int!) {
  petitions(first: $first) {
    edges {
      node {
        id
        status
        handlingUnit { code name parent { code name } }
        complainedUnits { code }
        complainedOfficers { code unit { code } }
        petitioner { name masked }
        originComplaint { id subject primaryUnit { code } }
        sameMatterAs { id handlingUnit { code } }
        routingObjection { reason unit { code } }
        leader { officer { code name } deadline }
        dispatches { seq date }
        interviews { seq participants }
        attachments { name sha256 }
        backlog
        handlingDue { dueAt overdue }
        deadlines { kind dueAt overdue }
      }
    }
  }
}
"""
MAX_STATEMENTS = 12

UNITS = cycle(["FT-XS", "FT", "LH", "LH-DM", "NS-YH", "FT-SB"])
LEVELS = cycle(list(SupervisionLevel))
COMPLAINED = cycle([(), ("NS-SK",), ("NS-SK", "NS-XL")])


@pytest.fixture
async def client(runtime) -> AsyncIterator[tuple[GraphQLClient, Statements]]:
    app = create_app(runtime, secret=SECRET, graphiql=False)
    monkeypatch = pytest.MonkeyPatch()
    statements = Statements(runtime.engine, app.state.reader, monkeypatch)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://jiandu.test") as http:
            yield GraphQLClient(http), statements
    finally:
        statements.close()
        monkeypatch.undo()
        await app.state.reader.close()


async def _add_petitions(runtime: Runtime, count: int) -> None:
    """`count` petitions across units and levels, each with nested records of every kind."""
    for index in range(count):
        unit = next(UNITS)
        if index % 3 == 0:
            complaint = await triage(runtime, await register_complaint(runtime), unit=unit)
            petition = await petitions.register_from_complaint(
                call(runtime, INTAKE),
                petitions.RegisterPetitionFromComplaint(complaint_id=UUID(complaint.id)),
            )
        else:
            petition = await register(
                runtime, unit=unit, level=next(LEVELS), complained_units=next(COMPLAINED)
            )
        petition = await advance(runtime, petition, S.ACCEPTED)
        work = call(runtime, handler(petition.handling_unit))
        pid = UUID(petition.id)
        petition = await petitions.record_dispatch(
            work, pid, petition.version, held_on=petition.registered_at.date(), notes="调度"
        )
        petition = await petitions.record_interview(
            work,
            pid,
            petition.version,
            held_on=petition.registered_at.date(),
            participants=("所长",),
            notes="约谈",
        )
        petition = await petitions.add_attachment(
            work, pid, petition.version, name="a.pdf", media_type="application/pdf", size=1,
            sha256="0" * 64,
        )  # fmt: skip
        await petitions.assign_leader(
            call(runtime),
            pid,
            petition.version,
            officer="P-FT-XS-001",
            deadline=petition.registered_at.date().replace(year=2030),
        )


async def _count(gql: GraphQLClient, statements: Statements, rows: int, **who: Any) -> list[str]:
    with statements() as sent:
        data = await gql(PAGE, {"first": 50}, **who)
    nodes = [edge["node"] for edge in data["petitions"]["edges"]]
    assert len(nodes) == rows
    assert all(node["handlingUnit"]["parent"]["code"] for node in nodes)
    assert all(node["dispatches"] and node["interviews"] and node["attachments"] for node in nodes)
    assert all(node["leader"]["officer"]["code"] == "P-FT-XS-001" for node in nodes)
    assert any(node["originComplaint"] for node in nodes)
    return sent


@pytest.mark.parametrize(
    "who",
    [{"role": Role.SUPERVISOR}, {"role": Role.HANDLER, "unit": "SZ"}],
    ids=["centre", "handler"],
)
async def test_a_page_of_fifty_petitions_with_nested_objects_costs_a_fixed_few_statements(
    client, runtime, who
):
    # given
    gql, statements = client
    await _add_petitions(runtime, 5)
    await gql(PAGE, {"first": 50}, **who)  # warm the pool: connecting issues statements too

    # when
    five = await _count(gql, statements, 5, **who)
    await _add_petitions(runtime, 45)
    fifty = await _count(gql, statements, 50, **who)

    # then
    assert len(fifty) == len(five), "\n".join(fifty)
    assert 1 <= len(fifty) <= MAX_STATEMENTS, "\n".join(fifty)
