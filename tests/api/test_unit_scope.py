"""Unit scope: a handler reads only its unit's subtree; filters and keyset paging of the list."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from domain.actor import Role
from domain.clock import MovableClock
from domain.complaint.aggregate import Complaint
from domain.errors import ValidationFailed
from service.context import Runtime
from tests.api.support import assert_no_traceback, gid, merge, register, routed, triage

pytestmark = pytest.mark.db

LIST = """
query List($first: Int, $after: String, $filter: ComplaintFilter) {
  complaints(first: $first, after: $after, filter: $filter) {
    edges { cursor node { id status } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
ONE = "query One($id: ID!) { complaint(id: $id) { id status } }"
# Fragments take the GraphQL executor; plain field selections may take the compiled read path.
# Both must apply the same scope, so `_sees` asks through each.
ONE_VIA_EXECUTOR = "query One($id: ID!) { complaint(id: $id) { ... on Complaint { id } } }"
LIST_VIA_EXECUTOR = """
query List {
  complaints(first: 100) { edges { node { ... on Complaint { id } } } }
}
"""
NODE = "query Node($id: ID!) { node(id: $id) { __typename id } }"
TRAIL = """
query Trail($id: ID!) {
  auditTrail(aggregateId: $id) { edges { node { eventType } } }
}
"""
FEED = "query { auditEvents(first: 10) { edges { node { position } } } }"
MERGED_INTO = """
query MergedInto($id: ID!) {
  complaint(id: $id) { id status mergedInto { id subject } }
}
"""
START_HANDLING = """
mutation StartHandling($id: ID!, $v: Int!) {
  startHandlingComplaint(id: $id, expectedVersion: $v) {
    __typename
    ... on Error { code message }
  }
}
"""


def _handler(unit: str) -> dict[str, Any]:
    return {"role": Role.HANDLER, "unit": unit}


async def _listed(gql, *, filter: dict[str, Any] | None = None, **who: Any) -> list[str]:
    data = await gql(LIST, {"first": 100, "filter": filter}, **who)
    page = data["complaints"]
    assert page["pageInfo"]["hasNextPage"] is False
    return [edge["node"]["id"] for edge in page["edges"]]


async def _sees(gql, cid: str, **who: Any) -> bool:
    """Whether the lists, the lookups and `node` all show the complaint (and agree)."""
    executed = (await gql(LIST_VIA_EXECUTOR, **who))["complaints"]["edges"]
    answers = {
        "list": cid in await _listed(gql, **who),
        "list via executor": cid in [edge["node"]["id"] for edge in executed],
        "lookup": (await gql(ONE, {"id": cid}, **who))["complaint"] is not None,
        "lookup via executor": (await gql(ONE_VIA_EXECUTOR, {"id": cid}, **who))["complaint"]
        is not None,
        "node": (await gql(NODE, {"id": cid}, **who))["node"] is not None,
    }
    assert len(set(answers.values())) == 1, answers
    return answers["lookup"]


# -- who sees what -----------------------------------------------------------------------------


async def test_a_handler_of_another_unit_does_not_see_the_complaint_anywhere(gql, runtime):
    # given
    complaint = await routed(runtime, "FT")
    cid = gid(complaint)

    # when
    listed = await _listed(gql, **_handler("LH"))
    found = await gql(ONE, {"id": cid}, **_handler("LH"))
    noded = await gql(NODE, {"id": cid}, **_handler("LH"))

    # then
    assert cid not in listed
    assert found["complaint"] is None
    assert noded["node"] is None
    assert await _sees(gql, cid, **_handler("FT"))


async def test_the_audit_trail_of_an_unseen_complaint_is_not_found(gql, runtime):
    # given
    complaint = await routed(runtime, "FT")

    # when
    response = await gql.post(TRAIL, {"id": gid(complaint)}, **_handler("LH"))

    # then
    assert_no_traceback(response)
    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"]
    own = await gql(TRAIL, {"id": gid(complaint)}, **_handler("FT"))
    assert len(own["auditTrail"]["edges"]) == 2


async def test_a_handler_may_not_read_the_audit_feed_of_the_whole_centre(gql):
    # when
    response = await gql.post(FEED, **_handler("FT"))

    # then
    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


async def test_changing_an_unseen_complaint_is_not_found_even_with_a_stale_version(gql, runtime):
    # given
    complaint = await routed(runtime, "FT")

    # when: a wrong version must not reveal that the complaint exists (no CONFLICT)
    results = [
        (await gql(START_HANDLING, {"id": gid(complaint), "v": v}, **_handler("LH")))[
            "startHandlingComplaint"
        ]
        for v in (complaint.version, complaint.version + 5)
    ]

    # then
    assert [r["__typename"] for r in results] == ["NotFoundError", "NotFoundError"]
    assert results[0]["message"] == results[1]["message"]


async def test_merged_into_does_not_show_a_complaint_outside_the_handlers_unit(gql, runtime):
    # given: an LH complaint merged into an FT one
    duplicate = await routed(runtime, "LH")
    original = await routed(runtime, "FT", subject="福田分局的原件")
    await merge(runtime, duplicate, into=original)

    # when
    data = await gql(MERGED_INTO, {"id": gid(duplicate)}, **_handler("LH"))

    # then: the duplicate is still LH's, but the FT original is not
    assert data["complaint"]["status"] == "MERGED"
    assert (await gql(ONE, {"id": gid(original)}, **_handler("LH")))["complaint"] is None
    assert data["complaint"]["mergedInto"] is None


async def test_merged_into_is_shown_to_centre_roles(gql, runtime):
    # given
    duplicate = await routed(runtime, "LH")
    original = await routed(runtime, "FT")
    await merge(runtime, duplicate, into=original)

    # when
    data = await gql(MERGED_INTO, {"id": gid(duplicate)}, role=Role.SUPERVISOR)

    # then
    assert data["complaint"]["mergedInto"]["id"] == gid(original)


async def test_a_handler_sees_complaints_routed_to_units_below_its_own(gql, runtime):
    # given
    station = await routed(runtime, "FT-XS")

    # then
    assert await _sees(gql, gid(station), **_handler("FT"))
    assert await _sees(gql, gid(station), **_handler("FT-XS"))
    assert not await _sees(gql, gid(station), **_handler("FT-SB"))
    assert not await _sees(gql, gid(station), **_handler("LH"))


async def test_a_handler_does_not_see_complaints_routed_to_the_unit_above_it(gql, runtime):
    # given
    sub_bureau = await routed(runtime, "FT")

    # then
    assert not await _sees(gql, gid(sub_bureau), **_handler("FT-XS"))


async def test_a_handler_sees_complaints_its_unit_supervises_as_the_line_unit(gql, runtime):
    # given
    complaint = await triage(runtime, await register(runtime), unit="LH", line_unit="SZ-DC")

    # then
    assert await _sees(gql, gid(complaint), **_handler("SZ-DC"))
    assert not await _sees(gql, gid(complaint), **_handler("SZ-FZ"))


async def test_the_unit_complained_about_is_never_made_its_line_unit_and_never_sees_it(
    gql, runtime
):
    # given: a complaint about station FT-XS
    about_station = await register(runtime, complained_units=("FT-XS",))

    # when: someone tries to make the station its line unit
    with pytest.raises(ValidationFailed) as refused:
        await triage(runtime, about_station, unit="FT", line_unit="FT-XS")

    # then: refused, and once routed to FT the station still never sees it
    assert refused.value.field == "lineUnitCode"
    complaint = await triage(runtime, about_station, unit="FT", line_unit="SZ-DC")
    assert not await _sees(gql, gid(complaint), **_handler("FT-XS"))
    assert await _sees(gql, gid(complaint), **_handler("FT"))
    response = await gql.post(TRAIL, {"id": gid(complaint)}, **_handler("FT-XS"))
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["NOT_FOUND"]


async def test_a_complaint_about_a_sub_bureau_is_hidden_from_its_stations(gql, runtime):
    # given: a complaint about sub-bureau FT, routed to the bureau and its inspection line
    about_sub_bureau = await register(runtime, complained_units=("FT",))
    with pytest.raises(ValidationFailed):
        await triage(runtime, about_sub_bureau, unit="FT-XS")
    complaint = await triage(runtime, about_sub_bureau, unit="SZ", line_unit="SZ-DC")

    # then: the bureau sees it; FT and every station inside FT do not
    assert await _sees(gql, gid(complaint), **_handler("SZ"))
    for unit in ("FT", "FT-XS", "FT-SB"):
        assert not await _sees(gql, gid(complaint), **_handler(unit))


async def test_centre_roles_see_every_complaint(gql, runtime):
    # given
    untriaged = await register(runtime)
    routed_away = await routed(runtime, "NS-YH")

    # then
    for role in (Role.SUPERVISOR, Role.LEADER, Role.AUDITOR, Role.INTAKE):
        assert await _sees(gql, gid(untriaged), role=role)
        assert await _sees(gql, gid(routed_away), role=role)


async def test_a_handler_does_not_see_untriaged_complaints(gql, runtime):
    # given
    untriaged = await register(runtime)

    # then
    assert not await _sees(gql, gid(untriaged), **_handler("SZ"))


# -- filters -----------------------------------------------------------------------------------


async def _filter_fixture(runtime: Runtime, clock: MovableClock) -> dict[str, str]:
    """Five complaints that differ in channel, unit, status, importance, age and deadline."""
    now = clock.now()
    a = await triage(
        runtime,
        await register(runtime, channel="ONLINE", received_at=now - timedelta(hours=1)),
        unit="FT",
        category="ENF_INACTION",
    )
    b = await triage(
        runtime,
        await register(runtime, channel="HOTLINE_12345", received_at=now - timedelta(hours=2)),
        unit="LH",
        line_unit=None,
        category="NON_CONSULTATION",
    )
    c = await register(runtime, channel="PETITION", received_at=now - timedelta(hours=3))
    e = await triage(
        runtime,
        await register(runtime, channel="ONLINE", received_at=now - timedelta(hours=4)),
        unit="NS",
        category="ENF_ATTITUDE",
    )
    d = await triage(
        runtime,
        await register(runtime, channel="DIRECTOR_MAILBOX", received_at=now - timedelta(days=60)),
        unit="FT-XS",
        line_unit="SZ-FZ",
        category="ENF_DELAY",
    )
    return {name: gid(c) for name, c in {"a": a, "b": b, "c": c, "d": d, "e": e}.items()}


FILTERS: dict[str, tuple[dict[str, Any], str]] = {
    "no filter": ({}, "abced"),
    "status received": ({"status": ["RECEIVED"]}, "c"),
    "status triaged or received": ({"status": ["TRIAGED", "RECEIVED"]}, "abced"),
    "status closed": ({"status": ["CLOSED"]}, ""),
    "channel": ({"channel": ["HOTLINE_12345", "PETITION"]}, "bc"),
    "unit subtree": ({"unitCode": "FT"}, "ad"),
    "station": ({"unitCode": "FT-XS"}, "d"),
    "line unit": ({"unitCode": "SZ-DC"}, "ae"),
    "whole bureau": ({"unitCode": "SZ"}, "abed"),
    "category subtree": ({"categoryCode": "ENFORCEMENT"}, "aed"),
    "important": ({"important": True}, "aed"),
    "not important": ({"important": False}, "bc"),
    "overdue": ({"overdue": True}, "d"),
    "received from (inclusive)": ({"receivedFrom": "2026-11-22T22:00:00+00:00"}, "abc"),
    "received to (exclusive)": ({"receivedTo": "2026-11-22T22:00:00+00:00"}, "ed"),
    "received window": (
        {"receivedFrom": "2026-11-22T22:00:00+00:00", "receivedTo": "2026-11-23T00:00:00Z"},
        "bc",
    ),
    "combined": ({"channel": ["ONLINE"], "important": True, "unitCode": "NS"}, "e"),
}


NOT_OVERDUE = pytest.param(
    {"overdue": False},
    "abce",
    id="not overdue",
)


@pytest.mark.parametrize(
    ("filter", "expected"),
    [*(pytest.param(*value, id=key) for key, value in FILTERS.items()), NOT_OVERDUE],
)
async def test_filters_combine_with_and_and_keep_newest_first(
    gql, runtime, clock, filter, expected
):
    # given: START is 01:00Z, so c was received at exactly 22:00Z the day before
    ids = await _filter_fixture(runtime, clock)

    # when
    listed = await _listed(gql, filter=filter, role=Role.SUPERVISOR)

    # then
    assert listed == [ids[name] for name in expected]


async def test_filters_never_widen_a_handlers_scope(gql, runtime, clock):
    # given
    ids = await _filter_fixture(runtime, clock)

    # when
    elsewhere = await _listed(gql, filter={"unitCode": "LH"}, **_handler("FT"))
    own = await _listed(gql, filter={"unitCode": "SZ"}, **_handler("FT"))

    # then
    assert elsewhere == []
    assert own == [ids["a"], ids["d"]]


# -- keyset paging -----------------------------------------------------------------------------


async def _many(runtime: Runtime, clock: MovableClock, count: int) -> list[Complaint]:
    """`count` complaints, three to a timestamp so the id must break ties; newest first."""
    now = clock.now()
    made = []
    for index in range(count):
        received = now - timedelta(minutes=index // 3)
        made.append(await register(runtime, received_at=received))
    made.sort(key=lambda c: (c.received_at, c.id), reverse=True)
    return made


async def _pages(gql, size: int, filter: dict[str, Any] | None = None, **who: Any) -> list[Any]:
    pages = []
    after = None
    while True:
        variables = {"first": size, "after": after, "filter": filter}
        page = (await gql(LIST, variables, **who))["complaints"]
        pages.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            return pages
        after = page["pageInfo"]["endCursor"]


async def test_keyset_pages_cover_every_complaint_once_in_order(gql, runtime, clock):
    # given
    expected = [gid(c) for c in await _many(runtime, clock, 25)]

    # when
    pages = await _pages(gql, 10, role=Role.SUPERVISOR)

    # then
    seen = [edge["node"]["id"] for page in pages for edge in page["edges"]]
    assert [len(page["edges"]) for page in pages] == [10, 10, 5]
    assert [page["pageInfo"]["hasNextPage"] for page in pages] == [True, True, False]
    assert [page["pageInfo"]["hasPreviousPage"] for page in pages] == [False, True, True]
    assert len(seen) == len(set(seen))
    assert seen == expected
    for page in pages:
        assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]


async def test_paging_a_handlers_filtered_view_has_no_gaps_and_no_strangers(gql, runtime, clock):
    # given: every other complaint routed to a station of FT, the rest to LH
    made = await _many(runtime, clock, 14)
    mine = []
    for index, complaint in enumerate(made):
        unit = "FT-XS" if index % 2 else "LH"
        routed_complaint = await triage(runtime, complaint, unit=unit)
        if unit == "FT-XS":
            mine.append(gid(routed_complaint))
    await triage(runtime, await register(runtime), unit="FT-SB", category="NON_OTHER")

    # when
    pages = await _pages(gql, 3, {"important": True}, **_handler("FT"))

    # then
    seen = [edge["node"]["id"] for page in pages for edge in page["edges"]]
    assert [len(page["edges"]) for page in pages] == [3, 3, 1]
    assert seen == mine


@pytest.mark.parametrize("first", [101, -1])
async def test_a_page_size_outside_zero_to_a_hundred_is_refused(gql, first):
    # when
    response = await gql.post(LIST, {"first": first}, role=Role.SUPERVISOR)

    # then
    assert_no_traceback(response)
    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["VALIDATION"]


async def test_a_page_of_a_hundred_is_allowed(gql, runtime, clock):
    # given
    await _many(runtime, clock, 3)

    # when
    data = await gql(LIST, {"first": 100}, role=Role.SUPERVISOR)

    # then
    assert len(data["complaints"]["edges"]) == 3


async def test_a_forged_cursor_is_a_validation_error(gql):
    # when
    response = await gql.post(LIST, {"after": "bm90LWEtY3Vyc29y"}, role=Role.SUPERVISOR)

    # then
    assert_no_traceback(response)
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["VALIDATION"]
