"""A petition's whole procedure over HTTP, its audit trail, its person and its case file."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest
from sqlalchemy import select, text

from api.relay import to_global_id
from domain.actor import Role
from domain.personal import Identity
from store import rows
from tests.api.support import register as register_complaint
from tests.api.support import triage
from tests.api.test_petition_support import (
    ID_NUMBER,
    NAME,
    PHONE,
    S,
    gid,
    petition_in,
    register,
    register_input,
)

pytestmark = pytest.mark.db

OUTCOME = """
fragment Outcome on PetitionChangeResult {
  __typename
  ... on Petition { id version status backlog }
  ... on Error { code message }
  ... on ValidationError { field }
}
"""
REGISTER = """
mutation Register($input: RegisterPetitionInput!) {
  registerPetition(input: $input) {
    __typename
    ... on Petition { id version status correlationId supervisionLevel handlingUnit { code } }
    ... on Error { code message }
    ... on ValidationError { field }
    ... on PetitionAlreadyReExaminedError { field petitionId reExaminedAt basis }
  }
}
"""
FROM_COMPLAINT = """
mutation FromComplaint($complaintId: ID!, $input: RegisterPetitionFromComplaintInput) {
  registerPetitionFromComplaint(complaintId: $complaintId, input: $input) {
    __typename
    ... on Petition {
      id version status correlationId subject
      handlingUnit { code }
      originComplaint { id version status correlationId }
      petitioner { name phone masked }
    }
    ... on Error { code message }
    ... on ValidationError { field }
  }
}
"""


def change(mutation: str, input_type: str | None) -> str:
    if input_type is None:
        return (
            f"mutation M($id: ID!, $v: Int!) {{ result: {mutation}(id: $id, expectedVersion: $v)"
            " { ...Outcome } }" + OUTCOME
        )
    return (
        f"mutation M($id: ID!, $v: Int!, $input: {input_type}!) {{"
        f" result: {mutation}(id: $id, expectedVersion: $v, input: $input) {{ ...Outcome }} }}"
        + OUTCOME
    )


TRAIL = """
query Trail($id: ID!) {
  auditTrail(aggregateId: $id, first: 50) {
    edges { node { eventType aggregateType aggregateVersion correlationId actor { subject role }
                   payload reason } }
    pageInfo { hasNextPage }
  }
}
"""
DETAIL = """
query Detail($id: ID!) {
  petition(id: $id) {
    id version status backlog repeatCount correlationId
    backlogDetail { cause since reason stored }
    extension { days reason }
    answer { finding text }
    review { finding text }
    reExamination { finding text }
    leader { officer { code name } deadline }
    dispatches { seq date notes }
    interviews { seq date participants notes }
    lawyer { name firm }
    legalAid { centre note }
    judicialAid { status amountYuan note }
    outcome { outcome note }
    attachments { seq name mediaType size sha256 addedBy }
    deadlines { kind ruleCode basis dueAt overdue computation extension }
    handlingDue { dueAt overdue extension basis }
  }
}
"""
PETITIONER = """
query Petitioner($id: ID!) {
  petition(id: $id) { petitioner { name phone idNumber masked erased } }
}
"""
LIST = """
query List($filter: PetitionFilter) {
  petitions(first: 100, filter: $filter) { edges { node { id backlog } } }
}
"""

INTAKE = {"role": Role.INTAKE, "sub": "intake-zhou"}
SUPERVISOR = {"role": Role.SUPERVISOR, "sub": "supervisor-li"}
LEADER = {"role": Role.LEADER, "sub": "leader-zhang"}
HANDLER = {"role": Role.HANDLER, "unit": "FT", "sub": "handler-ft-wang"}

STEPS: list[tuple[str, str | None, dict[str, Any] | None, dict[str, Any], str]] = [
    ("acceptPetition", None, None, SUPERVISOR, "ACCEPTED"),
    ("startHandlingPetition", None, None, HANDLER, "HANDLING"),
    (
        "extendPetitionHandling",
        "ExtendPetitionHandlingInput",
        {"days": 30, "reason": "需调取外地证据"},
        LEADER,
        "HANDLING",
    ),
    (
        "answerPetition",
        "PetitionFindingInput",
        {"finding": "EXPLAIN", "text": "已依法立案侦查，向信访人解释说明。"},
        HANDLER,
        "ANSWERED",
    ),
    (
        "requestPetitionReview",
        "PetitionReasonInput",
        {"reason": "对答复不服"},
        INTAKE,
        "REVIEW_REQUESTED",
    ),
    (
        "decidePetitionReview",
        "PetitionFindingInput",
        {"finding": "NOT_SUPPORT", "text": "原处理意见正确。"},
        SUPERVISOR,
        "REVIEWED",
    ),
    (
        "requestPetitionReExamination",
        "PetitionReasonInput",
        {"reason": "对复查不服"},
        INTAKE,
        "RE_EXAMINATION_REQUESTED",
    ),
    (
        "decidePetitionReExamination",
        "PetitionFindingInput",
        {"finding": "NOT_SUPPORT", "text": "复核维持。"},
        LEADER,
        "RE_EXAMINED",
    ),
    ("closePetition", None, None, SUPERVISOR, "CLOSED"),
]


async def _drive(gql) -> str:
    data = await gql(REGISTER, {"input": register_input()}, **INTAKE)
    petition = data["registerPetition"]
    assert petition["__typename"] == "Petition", petition
    assert (petition["version"], petition["status"]) == (1, "REGISTERED")
    pid = petition["id"]
    version = 1
    for mutation, input_type, value, who, status in STEPS:
        variables: dict[str, Any] = {"id": pid, "v": version}
        if value is not None:
            variables["input"] = value
        result = (await gql(change(mutation, input_type), variables, **who))["result"]
        assert result["__typename"] == "Petition", (mutation, result)
        assert (result["version"], result["status"]) == (version + 1, status), mutation
        version = result["version"]
    return pid


async def test_a_petition_goes_through_handling_review_and_re_examination_to_closing(gql):
    # when
    pid = await _drive(gql)

    # then
    detail = (await gql(DETAIL, {"id": pid}))["petition"]
    assert (detail["status"], detail["version"]) == ("CLOSED", 10)
    assert detail["extension"] == {"days": 30, "reason": "需调取外地证据"}
    assert detail["answer"]["finding"] == "EXPLAIN"
    assert detail["review"] == {"finding": "NOT_SUPPORT", "text": "原处理意见正确。"}
    assert detail["reExamination"]["finding"] == "NOT_SUPPORT"
    assert detail["handlingDue"]["extension"] == 30
    assert detail["handlingDue"]["basis"].startswith("信访工作条例 art. 34")
    kinds = [d["kind"] for d in detail["deadlines"]]
    assert kinds == [
        "register",
        "notice",
        "objection",
        "handling",
        "backlog",
        "review_request",
        "review",
        "re_examination_request",
        "re_examination",
    ]
    assert not any(d["overdue"] for d in detail["deadlines"])
    assert all(d["computation"] and d["basis"] for d in detail["deadlines"])


async def test_the_audit_trail_holds_one_event_per_version(gql):
    # given
    pid = await _drive(gql)

    # when
    trail = (await gql(TRAIL, {"id": pid}, role=Role.AUDITOR))["auditTrail"]
    events = [edge["node"] for edge in trail["edges"]]

    # then
    assert trail["pageInfo"]["hasNextPage"] is False
    assert [e["eventType"] for e in events] == [
        "petition.registered",
        "petition.accepted",
        "petition.handling_started",
        "petition.handling_extended",
        "petition.answered",
        "petition.review_requested",
        "petition.reviewed",
        "petition.re_examination_requested",
        "petition.re_examined",
        "petition.closed",
    ]
    assert [e["aggregateVersion"] for e in events] == list(range(1, 11))
    assert {e["aggregateType"] for e in events} == {"petition"}
    assert len({e["correlationId"] for e in events}) == 1
    assert [e["actor"]["role"] for e in events] == [
        "intake",
        "supervisor",
        "handler",
        "leader",
        "handler",
        "intake",
        "supervisor",
        "intake",
        "leader",
        "supervisor",
    ]
    assert events[3]["reason"] == "需调取外地证据"
    assert events[3]["payload"]["data"] == {"days": 30}


async def test_registering_from_a_complaint_keeps_its_loop_and_person_and_leaves_it_unchanged(
    gql, runtime
):
    # given: a complaint triaged to FT, with two audit events
    complaint = await triage(runtime, await register_complaint(runtime), unit="FT")
    complaint_gid = to_global_id("Complaint", complaint.id)

    # when
    data = await gql(
        FROM_COMPLAINT,
        {"complaintId": complaint_gid, "input": {"supervisionLevel": "MINISTRY"}},
        **INTAKE,
    )

    # then
    petition = data["registerPetitionFromComplaint"]
    assert petition["__typename"] == "Petition", petition
    assert petition["correlationId"] == str(complaint.correlation)
    assert petition["handlingUnit"]["code"] == "FT"  # the complaint's primary unit
    assert petition["subject"] == complaint.subject
    assert petition["originComplaint"] == {
        "id": complaint_gid,
        "version": complaint.version,
        "status": "TRIAGED",
        "correlationId": str(complaint.correlation),
    }
    assert petition["petitioner"] == {"name": "张三", "phone": "13812345678", "masked": False}
    async with runtime.engine.connect() as conn:
        complaint_events = await conn.scalar(
            text("SELECT count(*) FROM audit_event WHERE aggregate_type = 'complaint'")
        )
        registered = (
            await conn.execute(
                text(
                    "SELECT correlation_id, payload FROM audit_event"
                    " WHERE event_type = 'petition.registered'"
                )
            )
        ).one()
    assert complaint_events == 2
    assert str(registered.correlation_id) == str(complaint.correlation)
    assert registered.payload["data"]["originComplaintId"] == complaint.id
    assert registered.payload["data"]["petitioner"]["ref"] == str(complaint.complainant_id)


async def test_a_complaint_becomes_at_most_one_petition(gql, runtime):
    # given
    complaint = await triage(runtime, await register_complaint(runtime), unit="FT")
    variables = {"complaintId": to_global_id("Complaint", complaint.id)}
    first = (await gql(FROM_COMPLAINT, variables, **INTAKE))["registerPetitionFromComplaint"]

    # when
    again = (await gql(FROM_COMPLAINT, variables, **INTAKE))["registerPetitionFromComplaint"]

    # then
    assert first["__typename"] == "Petition"
    assert again["__typename"] == "ValidationError"
    assert again["field"] == "complaintId"
    assert "already registered as petition" in again["message"]


async def _access_log(runtime) -> list[tuple[str, str]]:
    access = rows.personal_data_access.c
    async with runtime.engine.connect() as conn:
        found = await conn.execute(
            select(access.actor_subject, access.actor_role).order_by(access.id)
        )
        return [(r.actor_subject, r.actor_role) for r in found]


@pytest.mark.parametrize(
    ("role", "unit"),
    [(Role.HANDLER, "FT"), (Role.AUDITOR, None), (Role.LEGAL, None)],
    ids=["handler", "auditor", "legal"],
)
async def test_the_petitioner_is_masked_for_handlers_auditors_and_legal_and_not_logged(
    gql, runtime, role, unit
):
    # given
    petition = await register(runtime)

    # when
    data = await gql(PETITIONER, {"id": gid(petition)}, role=role, unit=unit, sub="reader")

    # then
    assert data["petition"]["petitioner"] == {
        "name": "李*",
        "phone": "139****1111",
        "idNumber": "1101**********002X",
        "masked": True,
        "erased": False,
    }
    assert await _access_log(runtime) == []


@pytest.mark.parametrize("role", [Role.INTAKE, Role.SUPERVISOR, Role.LEADER])
async def test_the_petitioner_is_shown_to_intake_and_centre_roles_and_each_read_is_logged(
    gql, runtime, role
):
    # given
    petition = await register(runtime)

    # when
    data = await gql(PETITIONER, {"id": gid(petition)}, role=role, sub="identity-reader")

    # then
    assert data["petition"]["petitioner"] == {
        "name": NAME,
        "phone": PHONE,
        "idNumber": ID_NUMBER,
        "masked": False,
        "erased": False,
    }
    assert await _access_log(runtime) == [("identity-reader", role.value)]


async def test_the_audit_log_holds_commitments_to_the_petitioner_never_the_petitioner(gql, runtime):
    # given
    await _drive(gql)

    # when
    async with runtime.engine.connect() as conn:
        logged = [
            r.canonical
            for r in await conn.execute(
                text("SELECT canonical FROM audit_event WHERE aggregate_type = 'petition'")
            )
        ]
        registered = (
            await conn.execute(
                text("SELECT payload FROM audit_event WHERE event_type = 'petition.registered'")
            )
        ).one()
        ref = registered.payload["data"]["petitioner"]["ref"]
        person = (
            await conn.execute(
                text("SELECT salt FROM complainant WHERE id = :id"), {"id": UUID(ref)}
            )
        ).one()

    # then
    assert len(logged) == 10
    for canonical in logged:
        assert NAME not in canonical
        assert PHONE not in canonical
        assert ID_NUMBER not in canonical
    identity = Identity(name=NAME, phone=PHONE, id_number=ID_NUMBER)
    assert registered.payload["data"]["petitioner"]["commitments"] == identity.commitments(
        bytes(person.salt)
    )


async def test_an_unanswered_petition_is_backlog_on_read_after_ninety_days_and_stored_next(
    gql, runtime, clock
):
    # given: accepted at START (Monday 2026-11-23); 60 + 30 日 is Sunday 2027-02-21, moved to
    # Monday 2027-02-22, so the threshold passes at its end
    petition = await petition_in(runtime, S.HANDLING)
    before = {"backlog": True}
    assert (await gql(LIST, {"filter": before}))["petitions"]["edges"] == []

    # when
    clock.advance(timedelta(days=91))
    assert (await gql(DETAIL, {"id": gid(petition)}))["petition"]["backlog"] is False
    clock.advance(timedelta(days=1))
    on_read = (await gql(DETAIL, {"id": gid(petition)}))["petition"]
    listed = (await gql(LIST, {"filter": before}))["petitions"]["edges"]
    dispatched = (
        await gql(
            change("recordPetitionDispatch", "RecordPetitionDispatchInput"),
            {"id": gid(petition), "v": 3, "input": {"date": "2027-02-22", "notes": "周调度"}},
            **HANDLER,
        )
    )["result"]
    stored = (await gql(DETAIL, {"id": gid(petition)}))["petition"]

    # then
    assert on_read["backlog"] is True
    assert on_read["backlogDetail"]["stored"] is False
    assert on_read["backlogDetail"]["cause"] == "HANDLING_OVERDUE"
    assert on_read["handlingDue"]["overdue"] is True
    assert [edge["node"]["id"] for edge in listed] == [gid(petition)]
    assert dispatched["__typename"] == "Petition"
    assert stored["backlogDetail"]["stored"] is True
    assert stored["backlogDetail"]["since"] == on_read["backlogDetail"]["since"]
    assert stored["dispatches"] == [{"seq": 1, "date": "2027-02-22", "notes": "周调度"}]
    trail = (await gql(TRAIL, {"id": gid(petition)}))["auditTrail"]["edges"]
    last = trail[-1]["node"]
    assert last["eventType"] == "petition.dispatch_recorded"
    assert last["payload"]["changes"]["backlogCause"] == {
        "before": None,
        "after": "HANDLING_OVERDUE",
    }


async def test_the_same_matter_after_re_examination_is_refused_and_the_original_is_backlog(
    gql, runtime
):
    # given
    original = await petition_in(runtime, S.CLOSED)

    # when
    data = await gql(REGISTER, {"input": register_input(sameMatterAs=gid(original))}, **INTAKE)

    # then
    refused = data["registerPetition"]
    assert refused["__typename"] == "PetitionAlreadyReExaminedError"
    assert refused["code"] == "VALIDATION"
    assert refused["field"] == "sameMatterAs"
    assert refused["petitionId"] == gid(original)
    assert refused["basis"] == "信访工作条例 art. 36"
    assert "not accepted again" in refused["message"]
    detail = (await gql(DETAIL, {"id": gid(original)}))["petition"]
    assert detail["repeatCount"] == 1
    assert detail["backlog"] is True
    assert detail["backlogDetail"]["cause"] == "REPEATED_AFTER_RE_EXAMINATION"
    async with runtime.engine.connect() as conn:
        count = await conn.scalar(text("SELECT count(*) FROM petition"))
    assert count == 1


async def test_a_repeat_before_re_examination_is_registered_in_the_same_loop(gql, runtime):
    # given
    original = await petition_in(runtime, S.ANSWERED)

    # when
    data = await gql(REGISTER, {"input": register_input(sameMatterAs=gid(original))}, **INTAKE)

    # then
    repeat = data["registerPetition"]
    assert repeat["__typename"] == "Petition"
    assert repeat["correlationId"] == str(original.correlation)


async def test_backlog_work_is_recorded_command_by_command_into_the_case_file(gql, runtime):
    # given
    petition = await petition_in(runtime, S.HANDLING)
    sha = hashlib.sha256(b"interview record").hexdigest()
    steps: list[tuple[str, str | None, dict[str, Any] | None, dict[str, Any]]] = [
        ("markPetitionBacklog", "PetitionReasonInput", {"reason": "部督积案"}, SUPERVISOR),
        (
            "assignPetitionLeader",
            "AssignPetitionLeaderInput",
            {"officerCode": "P-FT-XS-001", "deadline": "2027-03-31"},
            LEADER,
        ),
        (
            "recordPetitionDispatch",
            "RecordPetitionDispatchInput",
            {"date": "2026-11-23", "notes": "明确专案组"},
            HANDLER,
        ),
        (
            "recordPetitionInterview",
            "RecordPetitionInterviewInput",
            {"date": "2026-11-23", "participants": ["分管局领导", "所长"], "notes": "约谈"},
            LEADER,
        ),
        (
            "recordPetitionLawyer",
            "RecordPetitionLawyerInput",
            {"name": "刘律师", "firm": "山东盈德律师事务所"},
            HANDLER,
        ),
        (
            "referPetitionToLegalAid",
            "ReferPetitionToLegalAidInput",
            {"centre": "福田区法律援助中心"},
            HANDLER,
        ),
        (
            "recordPetitionJudicialAid",
            "RecordPetitionJudicialAidInput",
            {"status": "APPLIED", "note": "因案致困"},
            HANDLER,
        ),
        (
            "recordPetitionJudicialAid",
            "RecordPetitionJudicialAidInput",
            {"status": "GRANTED", "amountYuan": 30000},
            SUPERVISOR,
        ),
        (
            "addPetitionAttachment",
            "AddPetitionAttachmentInput",
            {"name": "约谈笔录.pdf", "mediaType": "application/pdf", "size": 2048, "sha256": sha},
            HANDLER,
        ),
        (
            "recordPetitionOutcome",
            "RecordPetitionOutcomeInput",
            {"outcome": "STOPPED", "note": "息诉罢访"},
            SUPERVISOR,
        ),
    ]

    # when
    version = petition.version
    for mutation, input_type, value, who in steps:
        result = (
            await gql(
                change(mutation, input_type),
                {"id": gid(petition), "v": version, "input": value},
                **who,
            )
        )["result"]
        assert result["__typename"] == "Petition", (mutation, result)
        assert result["status"] == "HANDLING"
        version = result["version"]

    # then
    detail = (await gql(DETAIL, {"id": gid(petition)}))["petition"]
    assert detail["version"] == petition.version + len(steps)
    assert detail["backlogDetail"]["cause"] == "DESIGNATED"
    assert detail["leader"] == {
        "officer": {"code": "P-FT-XS-001", "name": "王建国"},
        "deadline": "2027-03-31",
    }
    assert detail["interviews"] == [
        {"seq": 1, "date": "2026-11-23", "participants": ["分管局领导", "所长"], "notes": "约谈"}
    ]
    assert detail["lawyer"] == {"name": "刘律师", "firm": "山东盈德律师事务所"}
    assert detail["legalAid"] == {"centre": "福田区法律援助中心", "note": None}
    assert detail["judicialAid"] == {"status": "GRANTED", "amountYuan": 30000, "note": None}
    assert detail["outcome"] == {"outcome": "STOPPED", "note": "息诉罢访"}
    assert detail["attachments"] == [
        {
            "seq": 1,
            "name": "约谈笔录.pdf",
            "mediaType": "application/pdf",
            "size": 2048,
            "sha256": sha,
            "addedBy": "handler-ft-wang",
        }
    ]
    trail = (await gql(TRAIL, {"id": gid(petition)}))["auditTrail"]["edges"]
    attached = [e["node"] for e in trail if e["node"]["eventType"] == "petition.attachment_added"]
    assert attached[0]["payload"]["data"]["attachment"]["sha256"] == sha


async def test_case_file_records_cannot_be_rewritten(gql, runtime, owner):
    # given
    petition = await petition_in(runtime, S.HANDLING)
    await gql(
        change("addPetitionAttachment", "AddPetitionAttachmentInput"),
        {
            "id": gid(petition),
            "v": petition.version,
            "input": {
                "name": "a.pdf",
                "mediaType": "application/pdf",
                "size": 1,
                "sha256": "0" * 64,
            },
        },
        **HANDLER,
    )

    # then: neither the application role nor the owner may update or delete a record
    statements = (
        "UPDATE petition_attachment SET name = 'b.pdf'",
        "DELETE FROM petition_attachment",
    )
    for statement in statements:
        async with runtime.engine.connect() as conn:
            with pytest.raises(Exception, match="permission denied"):
                await conn.execute(text(statement))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            owner.execute(statement)
