"""The whole complaint loop over HTTP, then its audit trail read back event by event."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from domain.actor import Role
from store import rows
from tests.api.support import register_input

pytestmark = pytest.mark.db

OUTCOME = """
fragment Outcome on ComplaintChangeResult {
  __typename
  ... on Complaint { id version status important reopenCount }
  ... on Error { code message }
}
"""
REGISTER = """
mutation Register($input: RegisterComplaintInput!) {
  registerComplaint(input: $input) {
    __typename
    ... on Complaint { id version status important reopenCount }
    ... on Error { code message }
  }
}
"""
TRIAGE = (
    """
mutation Triage($id: ID!, $v: Int!, $input: TriageComplaintInput!) {
  triageComplaint(id: $id, expectedVersion: $v, input: $input) { ...Outcome }
}
"""
    + OUTCOME
)
START_HANDLING = (
    """
mutation StartHandling($id: ID!, $v: Int!) {
  startHandlingComplaint(id: $id, expectedVersion: $v) { ...Outcome }
}
"""
    + OUTCOME
)
REPLY = (
    """
mutation Reply($id: ID!, $v: Int!, $text: String!) {
  replyToComplaint(id: $id, expectedVersion: $v, input: {text: $text}) { ...Outcome }
}
"""
    + OUTCOME
)
CALLBACK = (
    """
mutation Callback($id: ID!, $v: Int!, $satisfaction: Satisfaction!) {
  recordComplaintCallback(id: $id, expectedVersion: $v, input: {satisfaction: $satisfaction}) {
    ...Outcome
  }
}
"""
    + OUTCOME
)
REOPEN = (
    """
mutation Reopen($id: ID!, $v: Int!, $reason: String!) {
  reopenComplaint(id: $id, expectedVersion: $v, input: {reason: $reason}) { ...Outcome }
}
"""
    + OUTCOME
)
CLOSE = (
    """
mutation Close($id: ID!, $v: Int!) {
  closeComplaint(id: $id, expectedVersion: $v) { ...Outcome }
}
"""
    + OUTCOME
)
TRAIL = """
query Trail($id: ID!) {
  auditTrail(aggregateId: $id, first: 50) {
    edges {
      node {
        position eventType aggregateType aggregateId aggregateVersion
        actor { subject role unit }
        payload reason prevHash hash
      }
    }
    pageInfo { hasNextPage }
  }
}
"""
FEED = """
query Feed($after: String) {
  auditEvents(after: $after, first: 1000) {
    edges { node { position prevHash hash } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
VERIFY = "query { auditVerification { ok checked firstBrokenPosition problem } }"
STATE = "query State($id: ID!) { complaint(id: $id) { status version reopenCount } }"
COMPLAINANT = """
query Complainant($id: ID!) {
  complaint(id: $id) { id complainant { name phone masked erased } }
}
"""

INTAKE_SUB = "intake-zhou"
SUPERVISOR_SUB = "supervisor-li"
HANDLER_SUB = "handler-ft-wang"
REOPEN_REASON = "回访不满意：未说明不予受理的法律依据"


async def _complaint(gql, document: str, field: str, variables: dict[str, Any], **who: Any):
    data = await gql(document, variables, **who)
    result = data[field]
    assert result["__typename"] == "Complaint", result
    return result


async def _whole_feed(gql) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    after = None
    while True:
        page = (await gql(FEED, {"after": after}, role=Role.AUDITOR))["auditEvents"]
        events.extend(edge["node"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return events
        after = page["pageInfo"]["endCursor"]


async def _drive_the_whole_loop(gql) -> str:
    """Register → triage → handle → reply → dissatisfied → reopen → reply → satisfied → close."""
    intake = {"role": Role.INTAKE, "sub": INTAKE_SUB}
    supervisor = {"role": Role.SUPERVISOR, "sub": SUPERVISOR_SUB}
    handler = {"role": Role.HANDLER, "unit": "FT", "sub": HANDLER_SUB}

    data = await gql(REGISTER, {"input": register_input()}, **intake)
    complaint = data["registerComplaint"]
    assert complaint["__typename"] == "Complaint"
    assert (complaint["version"], complaint["status"]) == (1, "RECEIVED")
    cid = complaint["id"]

    steps: list[tuple[str, str, dict[str, Any], dict[str, Any], str]] = [
        (
            TRIAGE,
            "triageComplaint",
            {
                "input": {
                    "categoryCode": "ENF_BUCK_PASSING",
                    "unitCode": "FT",
                    "lineUnitCode": "SZ-DC",
                }
            },
            supervisor,
            "TRIAGED",
        ),
        (START_HANDLING, "startHandlingComplaint", {}, handler, "HANDLING"),
        (REPLY, "replyToComplaint", {"text": "经核查，已责令受理。"}, handler, "REPLIED"),
        (
            CALLBACK,
            "recordComplaintCallback",
            {"satisfaction": "DISSATISFIED"},
            supervisor,
            "CALLED_BACK",
        ),
        (REOPEN, "reopenComplaint", {"reason": REOPEN_REASON}, supervisor, "HANDLING"),
        (REPLY, "replyToComplaint", {"text": "已补充说明法律依据。"}, handler, "REPLIED"),
        (
            CALLBACK,
            "recordComplaintCallback",
            {"satisfaction": "SATISFIED"},
            supervisor,
            "CALLED_BACK",
        ),
        (CLOSE, "closeComplaint", {}, supervisor, "CLOSED"),
    ]
    version = 1
    for document, field, extra, who, status in steps:
        result = await _complaint(gql, document, field, {"id": cid, "v": version, **extra}, **who)
        assert result["version"] == version + 1, field
        assert result["status"] == status, field
        version = result["version"]
    return cid


async def test_a_complaint_goes_round_the_whole_loop_with_one_version_per_step(gql):
    # given / when
    cid = await _drive_the_whole_loop(gql)

    # then
    final = await gql(STATE, {"id": cid})
    assert final["complaint"] == {"status": "CLOSED", "version": 9, "reopenCount": 1}


async def test_the_audit_trail_tells_the_loop_event_by_event(gql):
    # given
    cid = await _drive_the_whole_loop(gql)

    # when
    trail = (await gql(TRAIL, {"id": cid}, role=Role.AUDITOR))["auditTrail"]
    events = [edge["node"] for edge in trail["edges"]]

    # then: the sequence, contiguous versions and who acted
    assert trail["pageInfo"]["hasNextPage"] is False
    assert [e["eventType"] for e in events] == [
        "complaint.registered",
        "complaint.triaged",
        "complaint.handling_started",
        "complaint.replied",
        "complaint.called_back",
        "complaint.reopened",
        "complaint.replied",
        "complaint.called_back",
        "complaint.closed",
    ]
    assert [e["aggregateVersion"] for e in events] == list(range(1, 10))
    assert {e["aggregateType"] for e in events} == {"complaint"}
    assert len({e["aggregateId"] for e in events}) == 1
    assert [(e["actor"]["subject"], e["actor"]["role"]) for e in events] == [
        (INTAKE_SUB, "intake"),
        (SUPERVISOR_SUB, "supervisor"),
        (HANDLER_SUB, "handler"),
        (HANDLER_SUB, "handler"),
        (SUPERVISOR_SUB, "supervisor"),
        (SUPERVISOR_SUB, "supervisor"),
        (HANDLER_SUB, "handler"),
        (SUPERVISOR_SUB, "supervisor"),
        (SUPERVISOR_SUB, "supervisor"),
    ]
    assert {e["actor"]["unit"] for e in events if e["actor"]["role"] == "handler"} == {"FT"}


async def test_each_audit_event_holds_the_before_and_after_of_the_fields_it_changed(gql):
    # given
    cid = await _drive_the_whole_loop(gql)

    # when
    trail = (await gql(TRAIL, {"id": cid}, role=Role.AUDITOR))["auditTrail"]
    changes = [edge["node"]["payload"]["changes"] for edge in trail["edges"]]
    reasons = [edge["node"]["reason"] for edge in trail["edges"]]

    # then
    registered, triaged, started, replied, dissatisfied, reopened, again, satisfied, closed = (
        changes
    )
    assert registered["status"] == {"before": None, "after": "RECEIVED"}
    assert registered["channel"] == {"before": None, "after": "ONLINE"}
    assert "complainant" not in registered  # identity lives apart, never in the log
    assert triaged == {
        "status": {"before": "RECEIVED", "after": "TRIAGED"},
        "category": {"before": None, "after": "ENF_BUCK_PASSING"},
        "important": {"before": False, "after": True},
        "primaryUnit": {"before": None, "after": "FT"},
        "lineUnit": {"before": None, "after": "SZ-DC"},
    }
    assert started == {"status": {"before": "TRIAGED", "after": "HANDLING"}}
    assert replied["status"] == {"before": "HANDLING", "after": "REPLIED"}
    assert replied["replyText"] == {"before": None, "after": "经核查，已责令受理。"}
    assert replied["repliedAt"]["before"] is None
    assert replied["repliedAt"]["after"] is not None
    assert dissatisfied["status"] == {"before": "REPLIED", "after": "CALLED_BACK"}
    assert dissatisfied["satisfaction"] == {"before": None, "after": "DISSATISFIED"}
    assert reopened["status"] == {"before": "CALLED_BACK", "after": "HANDLING"}
    assert reopened["reopenCount"] == {"before": 0, "after": 1}
    assert reasons[5] == REOPEN_REASON
    assert again["replyText"] == {"before": "经核查，已责令受理。", "after": "已补充说明法律依据。"}
    assert satisfied["satisfaction"] == {"before": "DISSATISFIED", "after": "SATISFIED"}
    assert closed["status"] == {"before": "CALLED_BACK", "after": "CLOSED"}
    assert closed["closedAt"]["before"] is None
    for change in changes:
        for field, values in change.items():
            assert values["before"] != values["after"], field


async def test_the_trail_is_linked_into_the_global_hash_chain_and_verifies(gql):
    # given
    cid = await _drive_the_whole_loop(gql)

    # when
    trail = (await gql(TRAIL, {"id": cid}, role=Role.AUDITOR))["auditTrail"]
    events = [edge["node"] for edge in trail["edges"]]
    chain = {int(e["position"]): e for e in await _whole_feed(gql)}
    verification = (await gql(VERIFY, role=Role.AUDITOR))["auditVerification"]

    # then: positions are 64-bit numbers sent as strings
    for event in events:
        assert isinstance(event["position"], str)
        assert event["position"].isdigit()
    positions = [int(e["position"]) for e in events]
    assert positions == sorted(positions)
    assert sorted(chain) == list(range(1, len(chain) + 1))  # the global chain has no gaps
    for event in events:
        position = int(event["position"])
        assert chain[position]["hash"] == event["hash"]
        assert event["prevHash"] == chain[position - 1]["hash"]
    assert verification == {
        "ok": True,
        "checked": len(chain),
        "firstBrokenPosition": None,
        "problem": None,
    }


@pytest.mark.parametrize(
    ("category", "importance", "important"),
    [
        ("ENF_BUCK_PASSING", None, True),
        ("NON_CONSULTATION", None, False),
        ("ENF_BUCK_PASSING", False, False),
        ("NON_CONSULTATION", True, True),
    ],
)
async def test_triage_marks_enforcement_complaints_important_unless_told_otherwise(
    gql, category, importance, important
):
    # given
    data = await gql(REGISTER, {"input": register_input()}, role=Role.INTAKE)
    cid = data["registerComplaint"]["id"]
    triage_input: dict[str, Any] = {"categoryCode": category, "unitCode": "FT"}
    if importance is not None:
        triage_input["importance"] = importance

    # when
    result = await _complaint(
        gql, TRIAGE, "triageComplaint", {"id": cid, "v": 1, "input": triage_input}
    )

    # then
    assert result["important"] is important


async def _registered_and_routed_to_ft(gql) -> str:
    data = await gql(
        REGISTER,
        {"input": register_input(complainant={"name": "张三", "phone": "13812345678"})},
        role=Role.INTAKE,
    )
    cid = data["registerComplaint"]["id"]
    await _complaint(
        gql,
        TRIAGE,
        "triageComplaint",
        {"id": cid, "v": 1, "input": {"categoryCode": "ENF_INACTION", "unitCode": "FT"}},
    )
    return cid


async def _access_log(runtime) -> list[tuple[str, str]]:
    access = rows.personal_data_access.c
    async with runtime.engine.connect() as conn:
        found = await conn.execute(
            select(access.actor_subject, access.actor_role).order_by(access.id)
        )
        return [(r.actor_subject, r.actor_role) for r in found]


@pytest.mark.parametrize(
    ("role", "unit"), [(Role.HANDLER, "FT"), (Role.AUDITOR, None)], ids=["handler", "auditor"]
)
async def test_the_complainant_is_masked_for_handlers_and_auditors_and_their_reads_not_logged(
    gql, runtime, role, unit
):
    # given
    cid = await _registered_and_routed_to_ft(gql)

    # when
    data = await gql(COMPLAINANT, {"id": cid}, role=role, unit=unit, sub="masked-reader")

    # then
    assert data["complaint"]["complainant"] == {
        "name": "张*",
        "phone": "138****5678",
        "masked": True,
        "erased": False,
    }
    assert await _access_log(runtime) == []


@pytest.mark.parametrize("role", [Role.INTAKE, Role.SUPERVISOR, Role.LEADER])
async def test_the_complainant_is_shown_to_intake_and_centre_roles_and_each_read_is_logged(
    gql, runtime, role
):
    # given
    cid = await _registered_and_routed_to_ft(gql)

    # when
    data = await gql(COMPLAINANT, {"id": cid}, role=role, sub="identity-reader")
    await gql(COMPLAINANT, {"id": cid}, role=role, sub="identity-reader")

    # then
    assert data["complaint"]["complainant"] == {
        "name": "张三",
        "phone": "13812345678",
        "masked": False,
        "erased": False,
    }
    assert await _access_log(runtime) == [("identity-reader", role.value)] * 2
