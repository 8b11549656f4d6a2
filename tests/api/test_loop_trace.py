"""loopTrace: any item of a loop gives the whole chain, joined loops included, in order."""

from __future__ import annotations

from uuid import UUID

from domain.actor import Role
from service import complaints
from tests.api.support import call, gid, register, triage

TRACE = """
query($id: ID!) {
  loopTrace(id: $id) {
    correlationIds
    stages {
      stage
      items { id type status actors { subject role } events { eventType position } }
    }
  }
}
"""


async def test_a_merged_complaint_joins_the_loop_of_the_one_it_was_merged_into(gql, runtime):
    # given: two complaints about one matter; the second is merged into the first
    first = await triage(runtime, await register(runtime, subject="推诿扯皮"), unit="FT")
    second = await register(runtime, subject="推诿扯皮（再次反映）", phone="13900000001")
    await complaints.merge(
        call(runtime), UUID(second.id), 1, into_id=UUID(first.id), reason="同一事项"
    )

    # when: either one is traced
    from_second = (await gql(TRACE, {"id": gid(second)}))["loopTrace"]
    from_first = (await gql(TRACE, {"id": gid(first)}))["loopTrace"]

    # then: both loops and both items, each item's events in position order
    assert from_first == from_second
    assert len(from_first["correlationIds"]) == 2
    (discovery,) = from_first["stages"]
    assert discovery["stage"] == "DISCOVERY"
    assert {item["id"] for item in discovery["items"]} == {gid(first), gid(second)}
    statuses = {item["id"]: item["status"] for item in discovery["items"]}
    assert statuses == {gid(first): "TRIAGED", gid(second): "MERGED"}
    for item in discovery["items"]:
        positions = [int(e["position"]) for e in item["events"]]
        assert positions == sorted(positions)
    merged = next(i for i in discovery["items"] if i["id"] == gid(second))
    assert [e["eventType"] for e in merged["events"]] == [
        "complaint.registered",
        "complaint.merged",
    ]


async def test_a_handler_traces_only_what_it_may_see(gql, runtime):
    complaint = await triage(runtime, await register(runtime), unit="LH")
    response = await gql.post(TRACE, {"id": gid(complaint)}, role=Role.HANDLER, unit="FT")
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["NOT_FOUND"]
    seen = await gql(TRACE, {"id": gid(complaint)}, role=Role.HANDLER, unit="LH")
    assert seen["loopTrace"]["stages"][0]["items"][0]["id"] == gid(complaint)
