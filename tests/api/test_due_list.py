"""The daily due list (逐一销账清零) over HTTP: running clocks overdue, due today and due tomorrow,
per responsible unit, cleared one by one as they are met; unit scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from api.auth import mint
from domain.actor import Role
from domain.case.status import DetentionStep
from domain.clock import MovableClock
from domain.complaint.aggregate import Complaint
from service import case as cases
from service import complaints
from service.complaints import RegisterComplaint
from service.context import Runtime
from tests.api.support import INTAKE, call, gid, handler, routed, triage
from tests.api.test_case_support import gid as case_gid
from tests.api.test_case_support import with_measure
from tests.api.test_warning_api import SUPERVISOR, evaluate, local
from tests.conftest import SECRET

pytestmark = pytest.mark.db

ITEM = """
  itemType itemId clockKey clockName ruleCode dueAt startedAt basis computation overdueBy
  correlationId
  item { __typename id }
  warning { id level status }
"""
DUE = (
    """
query Due($date: Date!, $unit: String!) {
  dueList(date: $date, unitCode: $unit) {
    date unit { code } totalOverdue totalDueToday totalDueTomorrow
    units {
      unitCode unit { code name }
      overdue { """
    + ITEM
    + """ }
      dueToday { """
    + ITEM
    + """ }
      dueTomorrow { """
    + ITEM
    + """ }
    }
  }
}
"""
)
REPLY_BASIS = "local rule (地方规定): 7 工作日, at most 15"


@dataclass(frozen=True)
class Week:
    """Reply clocks that fall due around Thursday 3 December (local days)."""

    a1: Complaint  # FT-XS, received Monday 23 Nov: due at the end of Wed 2 Dec
    a2: Complaint  # FT-XS, likewise
    d: Complaint  # LH-DM, likewise
    b: Complaint  # FT-XS, received Tuesday: due at the end of Thu 3 Dec
    c: Complaint  # FT, received Wednesday: due at the end of Fri 4 Dec


async def a_week_of_complaints(runtime: Runtime, clock: MovableClock) -> Week:
    a1 = await routed(runtime, "FT-XS")
    a2 = await routed(runtime, "FT-XS")
    d = await routed(runtime, "LH-DM")
    clock.advance(timedelta(days=1))
    b = await routed(runtime, "FT-XS")
    clock.advance(timedelta(days=1))
    c = await routed(runtime, "FT")
    clock.set(local(3, 10))  # Thursday 3 December, 10:00
    return Week(a1=a1, a2=a2, d=d, b=b, c=c)


async def due(gql, day: str, unit_code: str, **who: Any) -> dict[str, Any] | None:
    data = await gql(DUE, {"date": day, "unit": unit_code}, **(who or SUPERVISOR))
    found: dict[str, Any] | None = data["dueList"]
    return found


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["itemId"] for item in items]


def by_id(*found: Complaint) -> list[str]:
    """Global ids in the list's order for items due at one instant: by item id."""
    return [gid(c) for c in sorted(found, key=lambda c: c.id)]


def shape(listing: dict[str, Any]) -> dict[str, tuple[list[str], list[str], list[str]]]:
    return {
        u["unitCode"]: (ids(u["overdue"]), ids(u["dueToday"]), ids(u["dueTomorrow"]))
        for u in listing["units"]
    }


async def test_clocks_are_grouped_per_unit_as_overdue_due_today_and_due_tomorrow(
    gql, runtime, clock
):
    # given
    week = await a_week_of_complaints(runtime, clock)

    # when
    listing = await due(gql, "2026-12-03", "FT")

    # then
    assert listing is not None
    assert listing["date"] == "2026-12-03"
    assert listing["unit"] == {"code": "FT"}
    assert shape(listing) == {
        "FT": ([], [], [gid(week.c)]),
        "FT-XS": (by_id(week.a1, week.a2), [gid(week.b)], []),
    }
    assert [u["unitCode"] for u in listing["units"]] == ["FT", "FT-XS"]
    assert (
        listing["totalOverdue"],
        listing["totalDueToday"],
        listing["totalDueTomorrow"],
    ) == (2, 1, 1)
    xs = listing["units"][1]
    assert xs["unit"] == {"code": "FT-XS", "name": "香蜜湖派出所"}
    late = xs["overdue"][0]
    assert late["itemType"] == "complaint"
    assert (late["clockKey"], late["clockName"]) == ("reply", "reply to the complainant")
    assert late["ruleCode"] == "complaint.reply.ONLINE"
    assert late["basis"] == REPLY_BASIS
    assert "7 working days" in late["computation"]
    assert late["dueAt"] == "2026-12-02T16:00:00.000000+00:00"  # 3 Dec 00:00 local
    assert late["startedAt"] == "2026-11-23T01:00:00.000000+00:00"
    assert late["overdueBy"] == 10.0  # hours, by the clock now
    assert late["item"] == {"__typename": "Complaint", "id": late["itemId"]}
    assert late["warning"] is None  # nothing evaluated yet
    today = xs["dueToday"][0]
    assert today["overdueBy"] is None
    assert today["correlationId"] == str(week.b.correlation_id)


async def test_the_whole_city_lists_every_unit_in_code_order(gql, runtime, clock):
    # given
    week = await a_week_of_complaints(runtime, clock)

    # when
    listing = await due(gql, "2026-12-03", "SZ")

    # then
    assert listing is not None
    assert [u["unitCode"] for u in listing["units"]] == ["FT", "FT-XS", "LH-DM"]
    assert shape(listing)["LH-DM"] == ([gid(week.d)], [], [])
    assert listing["totalOverdue"] == 3


async def test_the_day_boundaries_follow_local_days(gql, runtime, clock):
    # given
    week = await a_week_of_complaints(runtime, clock)

    # when: the list of Wednesday, when a1, a2 and d have their last day
    wednesday = await due(gql, "2026-12-02", "SZ")
    friday = await due(gql, "2026-12-04", "FT")

    # then
    assert wednesday is not None
    assert friday is not None
    assert shape(wednesday) == {
        "FT-XS": ([], by_id(week.a1, week.a2), [gid(week.b)]),
        "LH-DM": ([], [gid(week.d)], []),
    }
    assert shape(friday) == {
        "FT": ([], [gid(week.c)], []),
        "FT-XS": ([*by_id(week.a1, week.a2), gid(week.b)], [], []),  # by due time, then id
    }
    b = next(i for i in friday["units"][1]["overdue"] if i["itemId"] == gid(week.b))
    assert b["overdueBy"] is None  # overdue on Friday, not yet by the clock now (Thursday)


async def test_meeting_a_clock_clears_it_from_the_list_one_by_one(gql, runtime, clock):
    # given
    week = await a_week_of_complaints(runtime, clock)
    xs = call(runtime, handler("FT-XS"))

    # when: the station answers a1, then a2
    await complaints.start_handling(xs, UUID(week.a1.id), week.a1.version)
    await complaints.reply(xs, UUID(week.a1.id), week.a1.version + 1, text="已答复。")
    after_one = await due(gql, "2026-12-03", "FT-XS")
    await complaints.start_handling(xs, UUID(week.a2.id), week.a2.version)
    await complaints.reply(xs, UUID(week.a2.id), week.a2.version + 1, text="已答复。")
    after_two = await due(gql, "2026-12-03", "FT-XS")

    # then
    assert after_one is not None
    assert after_two is not None
    assert shape(after_one)["FT-XS"][0] == [gid(week.a2)]
    assert after_one["totalOverdue"] == 1
    assert shape(after_two)["FT-XS"][0] == []
    assert after_two["totalOverdue"] == 0  # 清零
    # the reply starts the callback clock, which is not due within two days
    listed = [
        (i["itemId"], i["clockKey"])
        for u in after_two["units"]
        for i in u["overdue"] + u["dueToday"] + u["dueTomorrow"]
    ]
    assert listed == [(gid(week.b), "reply")]


async def test_an_item_carries_the_open_deadline_warning_on_its_clock(gql, runtime, clock):
    # given
    week = await a_week_of_complaints(runtime, clock)
    await evaluate(runtime)

    # when
    listing = await due(gql, "2026-12-03", "FT")

    # then
    assert listing is not None
    levels = {
        i["itemId"]: (i["warning"]["level"], i["warning"]["status"])
        for u in listing["units"]
        for i in u["overdue"] + u["dueToday"] + u["dueTomorrow"]
    }
    assert levels == {
        gid(week.a1): ("RED", "RAISED"),
        gid(week.a2): ("RED", "RAISED"),
        gid(week.b): ("ORANGE", "RAISED"),  # its last day
        gid(week.c): ("BLUE", "RAISED"),  # its warning period
    }
    a1 = next(i for i in listing["units"][1]["overdue"] if i["itemId"] == gid(week.a1))
    read = await gql(
        "query W($id: ID!) { warning(id: $id) { subjectKey item { id } } }",
        {"id": a1["warning"]["id"]},
        **SUPERVISOR,
    )
    assert read["warning"] == {
        "subjectKey": f"clock:complaint:{week.a1.id}:reply",
        "item": {"id": gid(week.a1)},
    }


async def test_a_cases_detention_steps_fall_due_within_a_day_and_leave_when_recorded(
    gql, runtime, clock
):
    # given: a criminal detention at 09:00 on Monday 23 November (three 24-hour steps)
    case = await with_measure(runtime)

    # when
    monday = await due(gql, "2026-11-23", "FT-XS")
    clock.set(local(24, 11, month=11))
    station = call(runtime, handler("FT-XS"))
    await cases.record_detention_step(
        station, UUID(case.id), case.version, number=1, step=DetentionStep.FAMILY_NOTIFIED
    )
    tuesday = await due(gql, "2026-11-24", "FT-XS")

    # then
    assert monday is not None
    assert tuesday is not None
    [unit] = monday["units"]
    assert [i["clockKey"] for i in unit["dueTomorrow"]] == [
        "detention.1.FAMILY_NOTIFIED",
        "detention.1.FIRST_INTERROGATION",
        "detention.1.SENT_TO_DETENTION_CENTRE",
    ]
    step = unit["dueTomorrow"][0]
    assert step["itemType"] == "case"
    assert step["itemId"] == case_gid(case)
    assert step["item"] == {"__typename": "Case", "id": case_gid(case)}
    assert step["dueAt"] == "2026-11-24T01:00:00.000000+00:00"
    assert "art. 126–128" in step["basis"]
    [unit] = tuesday["units"]
    assert [i["clockKey"] for i in unit["dueToday"]] == [
        "detention.1.FIRST_INTERROGATION",
        "detention.1.SENT_TO_DETENTION_CENTRE",
    ]
    assert {i["overdueBy"] for i in unit["dueToday"]} == {2.0}  # 11:00, due 09:00


# -- scope --------------------------------------------------------------------------------------


async def test_a_handler_lists_its_own_subtree_only(gql, runtime, clock):
    # given
    week = await a_week_of_complaints(runtime, clock)
    station = {"role": Role.HANDLER, "unit": "FT-XS"}
    sub_bureau = {"role": Role.HANDLER, "unit": "FT"}

    # when
    own = await due(gql, "2026-12-03", "FT-XS", **station)
    above = await due(gql, "2026-12-03", "FT", **station)
    elsewhere = await due(gql, "2026-12-03", "FT", role=Role.HANDLER, unit="LH-DM")
    from_above = await due(gql, "2026-12-03", "FT", **sub_bureau)

    # then
    assert own is not None
    assert shape(own) == {"FT-XS": (by_id(week.a1, week.a2), [gid(week.b)], [])}
    assert own["units"][0]["overdue"][0]["item"]["__typename"] == "Complaint"
    assert above is None
    assert elsewhere is None
    assert from_above is not None
    assert set(shape(from_above)) == {"FT", "FT-XS"}


async def test_an_unknown_unit_has_no_list(gql, runtime, clock):
    # given
    await a_week_of_complaints(runtime, clock)

    # then
    assert await due(gql, "2026-12-03", "NOWHERE") is None
    assert await due(gql, "2026-12-03", "NOWHERE", role=Role.LEADER) is None


async def test_a_complaint_about_an_officer_stays_off_that_officers_list(gql, runtime, clock):
    # given: a complaint naming officer P-FT-001 (of FT), handled by FT
    about = await complaints.register(
        call(runtime, INTAKE),
        RegisterComplaint(
            channel="ONLINE",
            subject="民警态度恶劣",
            content="福田分局民警接待时态度恶劣。",
            complainant_name="李四",
            complainant_phone="13900000000",
            complained_officers=("P-FT-001",),
        ),
    )
    await triage(runtime, about, unit="FT")
    other = await routed(runtime, "FT")
    token = mint(SECRET, subject="linzy", role=Role.HANDLER, unit="FT", officer="P-FT-001")

    # when
    response = await gql.post(
        DUE,
        {"date": "2026-12-01", "unit": "FT"},
        role=None,
        headers={"Authorization": f"Bearer {token}"},
    )
    colleague = await due(gql, "2026-12-01", "FT", role=Role.HANDLER, unit="FT")

    # then
    listing = response.json()["data"]["dueList"]
    assert listing is not None
    assert [i["itemId"] for u in listing["units"] for i in u["dueTomorrow"]] == [gid(other)]
    assert colleague is not None
    assert sorted(i["itemId"] for u in colleague["units"] for i in u["dueTomorrow"]) == sorted(
        [gid(about), gid(other)]
    )
