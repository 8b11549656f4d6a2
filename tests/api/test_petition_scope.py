"""Unit scope of petitions (list, lookup, node, audit trail, mutations); filters and paging."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.actor import Role
from domain.petition.status import SupervisionLevel
from service import petition as petitions
from tests.api.support import assert_no_traceback
from tests.api.test_petition_support import (
    SUPERVISOR,
    S,
    advance,
    call,
    gid,
    petition_in,
    register,
)

pytestmark = pytest.mark.db

LIST = """
query List($first: Int, $after: String, $filter: PetitionFilter) {
  petitions(first: $first, after: $after, filter: $filter) {
    edges { cursor node { id status } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
ONE = "query One($id: ID!) { petition(id: $id) { id status } }"
NODE = "query Node($id: ID!) { node(id: $id) { __typename id ... on Petition { status } } }"
TRAIL = "query Trail($id: ID!) { auditTrail(aggregateId: $id) { edges { node { eventType } } } }"
NESTED_TRAIL = """
query NestedTrail($id: ID!) {
  petition(id: $id) { auditTrail { edges { node { eventType aggregateVersion } } } }
}
"""
ACCEPT = """
mutation Accept($id: ID!, $v: Int!) {
  acceptPetition(id: $id, expectedVersion: $v) { __typename ... on Error { code message } }
}
"""
DISPATCH = """
mutation Dispatch($id: ID!, $v: Int!) {
  recordPetitionDispatch(id: $id, expectedVersion: $v, input: {date: "2026-11-23", notes: "调度"}) {
    __typename ... on Error { code message }
  }
}
"""
SAME_MATTER = "query Same($id: ID!) { petition(id: $id) { sameMatterAs { id } } }"


def _handler(unit: str) -> dict[str, Any]:
    return {"role": Role.HANDLER, "unit": unit}


async def _listed(gql, *, filter: dict[str, Any] | None = None, **who: Any) -> list[str]:
    page = (await gql(LIST, {"first": 100, "filter": filter}, **who))["petitions"]
    assert page["pageInfo"]["hasNextPage"] is False
    return [edge["node"]["id"] for edge in page["edges"]]


async def _sees(gql, pid: str, **who: Any) -> bool:
    """Whether the list, the lookup, `node` and the audit trail all show it (and agree)."""
    trail = await gql.post(TRAIL, {"id": pid}, **who)
    assert_no_traceback(trail)
    answers = {
        "list": pid in await _listed(gql, **who),
        "lookup": (await gql(ONE, {"id": pid}, **who))["petition"] is not None,
        "node": (await gql(NODE, {"id": pid}, **who))["node"] is not None,
        "trail": not trail.json().get("errors"),
    }
    assert len(set(answers.values())) == 1, answers
    if not answers["trail"]:
        assert [e["extensions"]["code"] for e in trail.json()["errors"]] == ["NOT_FOUND"]
    return answers["lookup"]


async def test_a_handler_sees_petitions_its_subtree_handles_and_nothing_else(gql, runtime):
    # given
    station = await register(runtime, unit="FT-XS")

    # then
    assert await _sees(gql, gid(station), **_handler("FT-XS"))
    assert await _sees(gql, gid(station), **_handler("FT"))
    assert await _sees(gql, gid(station), **_handler("SZ"))
    assert not await _sees(gql, gid(station), **_handler("FT-SB"))
    assert not await _sees(gql, gid(station), **_handler("LH"))


async def test_the_node_of_a_visible_petition_is_a_petition(gql, runtime):
    # given
    petition = await register(runtime)

    # when
    data = await gql(NODE, {"id": gid(petition)}, **_handler("FT"))
    trail = await gql(NESTED_TRAIL, {"id": gid(petition)}, **_handler("FT"))

    # then
    assert data["node"] == {"__typename": "Petition", "id": gid(petition), "status": "REGISTERED"}
    assert trail["petition"]["auditTrail"]["edges"] == [
        {"node": {"eventType": "petition.registered", "aggregateVersion": 1}}
    ]


async def test_a_petition_about_a_station_is_hidden_from_that_station_even_inside_the_subtree(
    gql, runtime
):
    # given: a petition about FT-XS, handled by FT (art. 30)
    about_station = await register(runtime, unit="FT", complained_units=("FT-XS",))

    # then
    assert await _sees(gql, gid(about_station), **_handler("FT"))
    assert not await _sees(gql, gid(about_station), **_handler("FT-XS"))


@pytest.mark.parametrize(
    "role", [Role.SUPERVISOR, Role.LEADER, Role.AUDITOR, Role.LEGAL, Role.INTAKE], ids=str
)
async def test_centre_roles_read_every_petition(gql, runtime, role):
    # given
    petition = await register(runtime, unit="NS-YH")

    # then
    assert await _sees(gql, gid(petition), role=role)


async def test_changing_an_unseen_petition_is_not_found_even_with_a_stale_version(gql, runtime):
    # given
    petition = await petition_in(runtime, S.HANDLING, unit="FT-XS")

    # when: a wrong version must not reveal that it exists (no CONFLICT)
    results = [
        (await gql(DISPATCH, {"id": gid(petition), "v": v}, **_handler("LH")))[
            "recordPetitionDispatch"
        ]
        for v in (petition.version, petition.version + 5)
    ]

    # then
    assert [r["__typename"] for r in results] == ["NotFoundError", "NotFoundError"]
    assert results[0]["message"] == results[1]["message"]
    own = await gql(DISPATCH, {"id": gid(petition), "v": petition.version}, **_handler("FT"))
    assert own["recordPetitionDispatch"]["__typename"] == "Petition"


async def test_a_linked_petition_outside_the_handlers_scope_is_not_shown(gql, runtime):
    # given: an LH petition, and a repeat of the same matter handled by FT
    original = await petition_in(runtime, S.ANSWERED, unit="LH")
    repeat = await register(runtime, unit="FT-XS", same_matter_as=original)

    # when
    handler_view = await gql(SAME_MATTER, {"id": gid(repeat)}, **_handler("FT"))
    centre_view = await gql(SAME_MATTER, {"id": gid(repeat)})

    # then
    assert handler_view["petition"]["sameMatterAs"] is None
    assert centre_view["petition"]["sameMatterAs"] == {"id": gid(original)}


# -- filters -----------------------------------------------------------------------------------


async def _filter_fixture(runtime, clock) -> dict[str, str]:
    """Five petitions that differ in status, level, unit, backlog and deadline."""
    now = clock.now()
    a = await register(runtime, unit="FT-XS", level=SupervisionLevel.MINISTRY)
    b = await petition_in(runtime, S.HANDLING, unit="LH", received_at=now - timedelta(hours=1))
    b = await advance_backlog(runtime, b)
    c = await register(
        runtime, unit="NS", level=SupervisionLevel.PROVINCE, received_at=now - timedelta(hours=2)
    )
    c = await advance(runtime, c, S.NOT_ACCEPTED)
    d = await petition_in(runtime, S.ACCEPTED, unit="LH-DM", received_at=now - timedelta(days=10))
    # Received 20 days ago: registered (forwarded) later than 15 日 after receipt (art. 22).
    e = await register(runtime, unit="FT", received_at=now - timedelta(days=20))
    return {name: gid(p) for name, p in {"a": a, "b": b, "c": c, "d": d, "e": e}.items()}


async def advance_backlog(runtime, petition):
    return await petitions.mark_backlog(
        call(runtime, SUPERVISOR), UUID(petition.id), petition.version, reason="省厅督办积案"
    )


FILTERS: dict[str, tuple[dict[str, Any], str]] = {
    "no filter": ({}, "abcde"),
    "status": ({"status": ["REGISTERED"]}, "ae"),
    "statuses": ({"status": ["HANDLING", "NOT_ACCEPTED"]}, "bc"),
    "ministry": ({"supervisionLevel": ["MINISTRY"]}, "a"),
    "province or city": ({"supervisionLevel": ["PROVINCE", "CITY"]}, "bcde"),
    "backlog": ({"backlog": True}, "b"),
    "not backlog": ({"backlog": False}, "acde"),
    "unit subtree": ({"unitCode": "FT"}, "ae"),
    "other subtree": ({"unitCode": "LH"}, "bd"),
    "whole bureau": ({"unitCode": "SZ"}, "abcde"),
    "overdue": ({"overdue": True}, "e"),
    "not overdue": ({"overdue": False}, "abcd"),
    "combined": ({"unitCode": "LH", "backlog": False}, "d"),
}


@pytest.mark.parametrize(
    ("filter", "expected"), [pytest.param(*v, id=k) for k, v in FILTERS.items()]
)
async def test_filters_combine_with_and_and_keep_newest_first(
    gql, runtime, clock, filter, expected
):
    # given
    ids = await _filter_fixture(runtime, clock)

    # when
    listed = await _listed(gql, filter=filter)

    # then
    assert listed == [ids[name] for name in expected]


async def test_the_overdue_and_backlog_filters_follow_the_clock(gql, runtime, clock):
    # given
    ids = await _filter_fixture(runtime, clock)

    # when: 100 days on, the accepted petitions b and d are past 60 + 30 日 unanswered
    clock.advance(timedelta(days=100))
    overdue = await _listed(gql, filter={"overdue": True})
    backlog = await _listed(gql, filter={"backlog": True})

    # then: a's notice is now overdue too; c was refused within its notice period
    assert overdue == [ids[n] for n in "abde"]
    assert backlog == [ids[n] for n in "bd"]


async def test_filters_never_widen_a_handlers_scope(gql, runtime, clock):
    # given
    ids = await _filter_fixture(runtime, clock)

    # when
    elsewhere = await _listed(gql, filter={"unitCode": "LH"}, **_handler("FT"))
    own = await _listed(gql, filter={"unitCode": "SZ"}, **_handler("FT"))

    # then
    assert elsewhere == []
    assert own == [ids["a"], ids["e"]]


# -- keyset paging -----------------------------------------------------------------------------


async def test_keyset_pages_cover_every_petition_once_newest_first(gql, runtime, clock):
    # given: three to a timestamp, so the id must break ties
    now = clock.now()
    made = [
        await register(runtime, received_at=now - timedelta(minutes=index // 3))
        for index in range(13)
    ]
    expected = [gid(p) for p in sorted(made, key=lambda p: (p.received_at, p.id), reverse=True)]

    # when
    pages, after = [], None
    while True:
        page = (await gql(LIST, {"first": 5, "after": after}))["petitions"]
        pages.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    # then
    seen = [edge["node"]["id"] for page in pages for edge in page["edges"]]
    assert seen == expected
    assert [len(page["edges"]) for page in pages] == [5, 5, 3]
    assert [page["pageInfo"]["hasPreviousPage"] for page in pages] == [False, True, True]


@pytest.mark.parametrize(
    ("variables", "message"),
    [({"first": 101}, "between 0 and 100"), ({"after": "bm90IGEgY3Vyc29y"}, "cursor")],
    ids=["too-many", "bad-cursor"],
)
async def test_bad_paging_arguments_are_validation_errors(gql, variables, message):
    # when
    response = await gql.post(LIST, variables)

    # then
    assert_no_traceback(response)
    errors = response.json()["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["VALIDATION"]
    assert message in errors[0]["message"]
