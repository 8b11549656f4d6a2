"""Personal data lives apart, is committed to (never written) in the log, and can be erased."""

from __future__ import annotations

import json

from sqlalchemy import text

from audit.verify import verify_chain
from domain.actor import Role
from domain.personal import commit

ID_NUMBER = "11010519491231002X"

REGISTER = """
mutation($input: RegisterComplaintInput!) {
  registerComplaint(input: $input) { __typename ... on Complaint { id version } }
}
"""
ERASE = """
mutation($id: ID!, $v: Int!) {
  eraseComplainantIdentity(id: $id, expectedVersion: $v, input: {reason: "本人申请删除 (PIPL)"}) {
    __typename
    ... on Complaint { version complainant { name phone idNumber erased masked } }
    ... on Error { code message }
  }
}
"""
IDENTITY = (
    "query($id: ID!) { complaint(id: $id) { complainant { name phone idNumber masked erased } } }"
)


async def _register(gql) -> dict[str, object]:
    data = await gql(
        REGISTER,
        {
            "input": {
                "channel": "DIRECTOR_MAILBOX",
                "subject": "民警执法态度恶劣",
                "content": "请求调查处理。",
                "complainant": {"name": "王小明", "phone": "139 1234 5678", "idNumber": ID_NUMBER},
            }
        },
        role=Role.INTAKE,
    )
    return data["registerComplaint"]


async def test_the_audit_log_holds_commitments_that_prove_the_identity_but_never_the_identity(
    gql, runtime
):
    complaint = await _register(gql)
    async with runtime.engine.connect() as conn:
        canonical = await conn.scalar(
            text("SELECT canonical FROM audit_event WHERE event_type = 'complaint.registered'")
        )
        person = (await conn.execute(text("SELECT id, salt, phone FROM complainant"))).one()
    assert "王小明" not in canonical
    assert "13912345678" not in canonical
    assert ID_NUMBER not in canonical
    body = canonical.split("\n", 4)[4]  # after the chain header (docs/audit-format.md)
    commitments = json.loads(body)["payload"]["data"]["complainant"]
    assert commitments["ref"] == str(person.id)
    assert commitments["commitments"]["phone"] == commit(person.salt, "phone", "13912345678")
    assert commitments["commitments"]["idNumber"] == commit(person.salt, "idNumber", ID_NUMBER)
    assert complaint["version"] == 1


async def test_identity_is_masked_for_handlers_and_auditors_and_shown_to_centre_roles(gql):
    complaint = await _register(gql)
    shown = await gql(IDENTITY, {"id": complaint["id"]}, role=Role.LEADER)
    assert shown["complaint"]["complainant"] == {
        "name": "王小明",
        "phone": "13912345678",
        "idNumber": ID_NUMBER,
        "masked": False,
        "erased": False,
    }
    masked = await gql(IDENTITY, {"id": complaint["id"]}, role=Role.AUDITOR)
    assert masked["complaint"]["complainant"] == {
        "name": "王**",
        "phone": "139****5678",
        "idNumber": "1101**********002X",
        "masked": True,
        "erased": False,
    }


async def test_erasure_removes_the_person_keeps_the_chain_and_is_itself_audited(gql, runtime):
    complaint = await _register(gql)
    denied = await gql(ERASE, {"id": complaint["id"], "v": 1}, role=Role.HANDLER, unit="FT")
    assert denied["eraseComplainantIdentity"]["__typename"] in {"NotFoundError", "ForbiddenError"}
    erased = await gql(ERASE, {"id": complaint["id"], "v": 1}, role=Role.SUPERVISOR)
    result = erased["eraseComplainantIdentity"]
    assert result["__typename"] == "Complaint"
    assert result["version"] == 2
    assert result["complainant"] == {
        "name": None,
        "phone": None,
        "idNumber": None,
        "erased": True,
        "masked": False,
    }
    again = await gql(ERASE, {"id": complaint["id"], "v": 2}, role=Role.SUPERVISOR)
    assert again["eraseComplainantIdentity"]["__typename"] == "ValidationError"
    async with runtime.engine.connect() as conn:
        row = (
            await conn.execute(text("SELECT name, phone, id_number, salt FROM complainant"))
        ).one()
        assert tuple(row) == (None, None, None, None)
        assert (await verify_chain(conn)).ok
        events = await conn.scalar(
            text("SELECT count(*) FROM audit_event WHERE event_type = 'complaint.identity_erased'")
        )
    assert events == 1


async def test_reading_identities_unmasked_is_recorded_in_the_access_log(gql, runtime):
    complaint = await _register(gql)
    await gql(IDENTITY, {"id": complaint["id"]}, role=Role.SUPERVISOR, sub="sup-7")
    await gql(IDENTITY, {"id": complaint["id"]}, role=Role.AUDITOR, sub="aud-1")
    async with runtime.engine.connect() as conn:
        readers = (
            await conn.execute(text("SELECT actor_subject, actor_role FROM personal_data_access"))
        ).all()
    assert [tuple(r) for r in readers] == [("sup-7", "supervisor")]
