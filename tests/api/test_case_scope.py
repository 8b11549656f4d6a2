"""Unit scope of cases (by list, by id, by node, by audit trail), the list filters and paging."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.actor import Role
from domain.case.status import CaseKind, DetentionStep, MeasureKind
from service import case as cases
from tests.api.support import assert_no_traceback
from tests.api.test_case_support import (
    accepted,
    call,
    filed,
    gid,
    handler,
    investigating,
    registered,
    with_measure,
)

pytestmark = pytest.mark.db

LIST = """
query List($first: Int, $after: String, $filter: CaseFilter) {
  cases(first: $first, after: $after, filter: $filter) {
    edges { cursor node { id stage } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
ONE = "query One($id: ID!) { case(id: $id) { id unit { code } } }"
NODE = "query Node($id: ID!) { node(id: $id) { __typename id ... on Case { title } } }"
TRAIL = "query Trail($id: ID!) { auditTrail(aggregateId: $id) { edges { node { eventType } } } }"
NESTED_TRAIL = (
    "query Own($id: ID!) { case(id: $id) { auditTrail { edges { node { eventType } } } } }"
)


def _handler(unit: str) -> dict[str, Any]:
    return {"role": Role.HANDLER, "unit": unit}


async def _listed(gql, *, filter: dict[str, Any] | None = None, **who: Any) -> list[str]:
    data = await gql(LIST, {"first": 100, "filter": filter}, **who)
    page = data["cases"]
    assert page["pageInfo"]["hasNextPage"] is False
    return [edge["node"]["id"] for edge in page["edges"]]


async def _sees(gql, cid: str, **who: Any) -> bool:
    """Whether the list, the lookup, `node` and the audit trail all show the case (and agree)."""
    trail = (await gql.post(TRAIL, {"id": cid}, **who)).json()
    answers = {
        "list": cid in await _listed(gql, **who),
        "lookup": (await gql(ONE, {"id": cid}, **who))["case"] is not None,
        "node": (await gql(NODE, {"id": cid}, **who))["node"] is not None,
        "trail": trail["data"] is not None,
    }
    assert len(set(answers.values())) == 1, answers
    return answers["lookup"]


# -- who sees what -----------------------------------------------------------------------------


async def test_a_handler_sees_the_cases_of_its_subtree_only(gql, runtime):
    # given
    station = gid(await registered(runtime, unit="FT-XS"))
    sibling = gid(await registered(runtime, unit="FT-SB"))
    elsewhere = gid(await registered(runtime, unit="NS-YH", officer="P-NS-YH-001"))

    # then
    assert await _sees(gql, station, **_handler("FT"))
    assert await _sees(gql, sibling, **_handler("FT"))
    assert not await _sees(gql, elsewhere, **_handler("FT"))
    assert await _sees(gql, station, **_handler("FT-XS"))
    assert not await _sees(gql, sibling, **_handler("FT-XS"))
    assert await _sees(gql, elsewhere, **_handler("NS"))
    assert not await _sees(gql, station, **_handler("NS-YH"))
    assert sorted(await _listed(gql, **_handler("FT"))) == sorted([station, sibling])


async def test_a_handler_does_not_see_a_case_of_the_unit_above_it(gql, runtime):
    # given
    sub_bureau = gid(await registered(runtime, unit="FT", officer="P-FT-001"))

    # then
    assert not await _sees(gql, sub_bureau, **_handler("FT-XS"))
    assert await _sees(gql, sub_bureau, **_handler("FT"))


@pytest.mark.parametrize(
    "role", [Role.SUPERVISOR, Role.LEADER, Role.AUDITOR, Role.LEGAL, Role.INTEGRATION]
)
async def test_centre_roles_auditors_and_legal_see_every_case(gql, runtime, role):
    # given
    ids = [gid(await registered(runtime, unit=unit)) for unit in ("FT-XS", "LH-DM", "NS")]

    # then
    for cid in ids:
        assert await _sees(gql, cid, role=role)


async def test_the_audit_trail_of_an_unseen_case_is_not_found(gql, runtime):
    # given
    case = await accepted(runtime, unit="FT-XS")

    # when
    response = await gql.post(TRAIL, {"id": gid(case)}, **_handler("LH"))

    # then
    assert_no_traceback(response)
    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"]
    own = await gql(NESTED_TRAIL, {"id": gid(case)}, **_handler("FT-XS"))
    assert [e["node"]["eventType"] for e in own["case"]["auditTrail"]["edges"]] == [
        "case.registered",
        "case.accepted",
    ]


async def test_a_case_transferred_out_of_the_subtree_leaves_the_handlers_view(gql, runtime):
    # given
    case = await registered(runtime, unit="FT-XS")
    assert await _sees(gql, gid(case), **_handler("FT-XS"))

    # when
    await cases.transfer(
        call(runtime, handler("FT-XS")),
        UUID(case.id),
        case.version,
        to_unit_code="LH-DM",
        reason="案发地属东门派出所",
    )

    # then
    assert not await _sees(gql, gid(case), **_handler("FT-XS"))
    assert await _sees(gql, gid(case), **_handler("LH"))


async def test_a_designation_moves_the_case_into_the_designated_units_view(gql, runtime):
    # given
    case = await registered(runtime, unit="FT-XS")

    # when
    await cases.designate_jurisdiction(
        call(runtime), UUID(case.id), case.version, unit_code="NS-SK", reason="指定管辖"
    )

    # then
    assert await _sees(gql, gid(case), **_handler("NS-SK"))
    assert not await _sees(gql, gid(case), **_handler("FT"))


# -- filters -----------------------------------------------------------------------------------


async def test_the_stage_kind_and_unit_filters_combine(gql, runtime):
    # given
    new = gid(await registered(runtime, unit="FT-XS"))
    admin = gid(await accepted(runtime, unit="FT-SB", kind=CaseKind.ADMINISTRATIVE))
    criminal = gid(await filed(runtime, unit="LH-DM"))

    # then
    assert await _listed(gql, filter={"stage": ["ALERT_RECEIVED"]}) == [new]
    assert sorted(await _listed(gql, filter={"stage": ["ACCEPTED", "FILED"]})) == sorted(
        [admin, criminal]
    )
    assert await _listed(gql, filter={"kind": ["ADMINISTRATIVE"]}) == [admin]
    assert sorted(await _listed(gql, filter={"unitCode": "FT"})) == sorted([new, admin])
    assert await _listed(gql, filter={"unitCode": "FT", "kind": ["CRIMINAL"]}) == [new]
    assert await _listed(gql, filter={"unitCode": "LH"}, **_handler("FT")) == []


async def test_has_open_measure_finds_cases_with_a_measure_in_force(gql, runtime):
    # given
    detained = await with_measure(runtime, MeasureKind.CRIMINAL_DETENTION)
    released = await with_measure(runtime, MeasureKind.BAIL)
    released = await cases.end_measure(
        call(runtime, handler("FT-XS")),
        UUID(released.id),
        released.version,
        number=1,
        ended_at=None,
        reason="解除取保候审",
    )
    none = await investigating(runtime)

    # then
    assert await _listed(gql, filter={"hasOpenMeasure": True}) == [gid(detained)]
    assert sorted(await _listed(gql, filter={"hasOpenMeasure": False})) == sorted(
        [gid(released), gid(none)]
    )


async def test_overdue_follows_the_injected_clock(gql, runtime, clock):
    # given: a detention started Monday 09:00 must lead to an arrest request by Thursday's end
    measured = await with_measure(runtime, MeasureKind.CRIMINAL_DETENTION)
    # the 24-hour steps (art. 126–128) are done at once, so that the 3-day clock is left
    for step in DetentionStep:
        measured = await cases.record_detention_step(
            call(runtime, handler("FT-XS")),
            UUID(measured.id),
            measured.version,
            number=1,
            step=step,
        )
    detained = gid(measured)
    fresh = gid(await registered(runtime))
    query = "query Q($id: ID!) { case(id: $id) { overdue measures { overdue due { overdue } } } }"

    # when / then: the revisit clocks are 15 and 30 days, so the detention is first to fall due
    clock.advance(timedelta(days=3, hours=14))  # Thursday 23:00 Shanghai
    assert await _listed(gql, filter={"overdue": True}) == []
    assert sorted(await _listed(gql, filter={"overdue": False})) == sorted([detained, fresh])
    assert (await gql(query, {"id": detained}))["case"]["overdue"] is False

    clock.advance(timedelta(hours=1))  # Friday 00:00
    assert await _listed(gql, filter={"overdue": True}) == [detained]
    assert await _listed(gql, filter={"overdue": False}) == [fresh]
    shown = (await gql(query, {"id": detained}))["case"]
    assert shown == {"overdue": True, "measures": [{"overdue": True, "due": {"overdue": True}}]}


async def test_a_measure_ended_late_keeps_the_case_overdue(gql, runtime, clock):
    # given
    case = await with_measure(runtime, MeasureKind.CRIMINAL_DETENTION)
    clock.advance(timedelta(days=5))

    # when
    await cases.end_measure(
        call(runtime, handler("FT-XS")),
        UUID(case.id),
        case.version,
        number=1,
        ended_at=None,
        reason="释放",
    )

    # then: nothing runs any more before the revisits, but the limit was missed
    assert await _listed(gql, filter={"overdue": True}) == [gid(case)]


# -- paging ------------------------------------------------------------------------------------


async def test_cases_page_newest_alert_first_with_keyset_cursors(gql, runtime, clock):
    # given
    ids = []
    for _ in range(5):
        ids.append(gid(await registered(runtime)))
        clock.advance(timedelta(minutes=1))

    # when
    first = (await gql(LIST, {"first": 2}))["cases"]
    second = (await gql(LIST, {"first": 2, "after": first["pageInfo"]["endCursor"]}))["cases"]
    last = (await gql(LIST, {"first": 2, "after": second["pageInfo"]["endCursor"]}))["cases"]

    # then
    pages = [[e["node"]["id"] for e in page["edges"]] for page in (first, second, last)]
    assert pages == [ids[4:2:-1], ids[2:0:-1], ids[:1]]
    assert [p["pageInfo"]["hasNextPage"] for p in (first, second, last)] == [True, True, False]
    assert second["pageInfo"]["hasPreviousPage"] is True


@pytest.mark.parametrize(
    "variables", [{"first": 101}, {"first": -1}, {"first": 5, "after": "bm90LWEtY3Vyc29y"}]
)
async def test_a_bad_page_request_is_a_validation_error(gql, variables):
    # when
    response = await gql.post(LIST, variables)

    # then
    assert_no_traceback(response)
    body = response.json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["VALIDATION"]
