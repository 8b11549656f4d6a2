"""The compiled read path answers exactly what the GraphQL executor answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest

from api.app import create_app
from api.fastpath import FastPath
from api.relay import to_global_id
from api.schema import schema
from domain.actor import Actor, Role
from domain.complaint.status import Satisfaction
from service import complaints
from service.context import Call
from tests.conftest import SECRET, token
from tests.integration.support import register

HANDLER_FT = Actor(subject="h-ft", role=Role.HANDLER, unit="FT")

LIST = """
query List($first: Int, $after: String) {
  complaints(first: $first, after: $after) {
    __typename
    edges { cursor __typename node { id subject status receivedAt closedAt important version
      channel reopenCount rejectionReason correlationId __typename
      primaryUnit { code name kind path id __typename parent { code parent { code } } }
      lineUnit { code } category { code name isEnforcement parent { code name } }
      complainedUnits { code name }
      externalRef { system ticketId } reply { text repliedAt } callback { satisfaction note calledBackAt }
    } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor __typename }
  }
}
"""
ALIASED = """
{ recent: complaints(first: 4) { items: nodes { key: id title: subject unit: primaryUnit { code } } } total: __typename }
"""
LOOKUP = """
query One($id: ID!, $other: ID!) {
  complaint(id: $id) { id subject status primaryUnit { code name } category { code } }
  missing: complaint(id: $other) { id }
}
"""
DOCUMENTS = [LIST, ALIASED, LOOKUP]
VIEWERS = [
    {"role": Role.SUPERVISOR},
    {"role": Role.AUDITOR},
    {"role": Role.HANDLER, "unit": "FT"},
    {"role": Role.HANDLER, "unit": "FT-XS"},
    {"role": Role.HANDLER, "unit": "LH"},
]


async def _story(runtime, clock) -> list[str]:
    """A dozen complaints in varied states, routes and shapes."""
    supervisor = Call(runtime=runtime, actor=Actor(subject="sup", role=Role.SUPERVISOR))
    ids = []
    routes = [
        ("FT", "SZ-DC"),
        ("FT-XS", None),
        ("LH", "SZ-FZ"),
        ("NS-YH", "SZ-DC"),
        ("LH-DM", None),
    ]
    for n in range(12):
        clock.advance(timedelta(minutes=37))
        created = await register(
            runtime,
            subject=f"投诉 {n}：民警推诿",
            complained_units=("FT-SB",) if n % 3 == 0 else (),
            external_system="12345-platform" if n % 4 == 0 else None,
            external_ticket=f"T-{n}" if n % 4 == 0 else None,
        )
        ids.append(created.id)
        uid = UUID(created.id)
        if n % 6 == 5:
            continue
        if n % 6 == 4:
            await complaints.reject(supervisor, uid, 1, reason="不属于受理范围")
            continue
        unit, line = routes[n % len(routes)]
        await complaints.triage(
            supervisor,
            uid,
            1,
            category_code="ENF_BUCK_PASSING" if n % 2 else "NON_SERVICE",
            unit_code=unit,
            line_unit_code=line,
            importance=None,
        )
        if n % 6 in (1, 2, 3):
            handler = Call(runtime=runtime, actor=Actor(subject="h", role=Role.HANDLER, unit=unit))
            await complaints.start_handling(handler, uid, 2)
            await complaints.reply(handler, uid, 3, text="已核查，部分属实。")
            if n % 6 in (2, 3):
                await complaints.record_callback(
                    supervisor, uid, 4, satisfaction=Satisfaction.SATISFIED, note="满意"
                )
            if n % 6 == 3:
                await complaints.close(supervisor, uid, 5)
    return ids


@pytest.fixture
async def clients(runtime) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    fast = create_app(runtime, secret=SECRET, graphiql=False, fast_reads=True)
    slow = create_app(runtime, secret=SECRET, graphiql=False, fast_reads=False)
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=fast), base_url="http://f") as f,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=slow), base_url="http://s") as s,
    ):
        yield f, s
    await fast.state.reader.close()


async def _both(clients, viewer: dict[str, Any], query: str, variables: dict[str, Any]) -> Any:
    headers = {"Authorization": f"Bearer {token(viewer['role'], unit=viewer.get('unit'))}"}
    answers = []
    for client in clients:
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert response.status_code == 200
        answers.append(response.json())
    fast, reference = answers
    assert "errors" not in reference, reference
    assert fast == reference
    return fast["data"]


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda v: f"{v['role'].value}-{v.get('unit')}")
async def test_compiled_lists_and_lookups_equal_the_executor(runtime, clock, clients, viewer):
    ids = await _story(runtime, clock)
    # Page through in threes: cursors, page info and membership must match at every step.
    after = None
    seen: list[str] = []
    while True:
        page = await _both(clients, viewer, LIST, {"first": 3, "after": after})
        connection = page["complaints"]
        seen += [edge["node"]["id"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen))
    await _both(clients, viewer, LIST, {"first": 50})
    await _both(clients, viewer, LIST, {"first": 0})
    await _both(clients, viewer, ALIASED, {})
    for complaint_id in ids[:4]:
        await _both(
            clients,
            viewer,
            LOOKUP,
            {"id": to_global_id("Complaint", complaint_id), "other": to_global_id("Unit", "FT")},
        )


def test_the_documents_front_ends_send_most_are_compiled():
    fast = FastPath(schema._schema)
    actor = Actor(subject="s", role=Role.SUPERVISOR)
    variables = {
        "id": to_global_id("Complaint", "6837ff75-1f9f-4a83-8844-f00d03874a6f"),
        "other": "x",
    }
    for document in DOCUMENTS:
        assert fast.plan(document, None, variables, actor) is not None


@pytest.mark.parametrize(
    "document",
    [
        "{ complaints(first: 5, filter: {important: true}) { edges { node { id } } } }",
        "{ complaints { edges { node { id complainant { name } } } } }",
        "{ complaints { edges { node { ...F } } } } fragment F on Complaint { id }",
        "{ complaints { edges { node { id @include(if: true) } } } }",
        "{ complaints(first: 101) { edges { node { id } } } }",
        '{ complaints(after: "not-a-cursor") { edges { node { id } } } }',
        "{ units { code } }",
        'mutation { closeComplaint(id: "x", expectedVersion: 1) { __typename } }',
        "{ complaints { edges { node { id nope } } } }",
    ],
)
def test_anything_the_compiler_does_not_know_takes_the_executor(document):
    fast = FastPath(schema._schema)
    assert fast.plan(document, None, {}, Actor(subject="s", role=Role.SUPERVISOR)) is None


async def test_errors_still_come_from_the_executor(clients):
    headers = {"Authorization": f"Bearer {token(Role.SUPERVISOR)}"}
    response = await clients[0].post(
        "/graphql",
        json={"query": "{ complaints(first: 101) { edges { cursor } } }"},
        headers=headers,
    )
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION"
