"""The integrity record (执法诚信档案) follows the officer across a transfer, in one query."""

from __future__ import annotations

from typing import Any

import pytest

from api.relay import to_global_id
from domain.accountability.status import Culpability
from domain.actor import SYSTEM_ACTOR, Role
from service import reference
from service.complaints import RegisterComplaint
from service.complaints import register as register_complaint
from service.context import Call, Runtime
from tests.api.support import INTAKE
from tests.api.support import call as complaint_call
from tests.api.test_accountability_support import LEAD, decided, opened

pytestmark = pytest.mark.db

INTEGRITY = """
query Integrity($officer: String!) {
  officerIntegrity(officerCode: $officer) {
    officerCode lifelong pointsBalance
    officer { name unit { code } }
    faults {
      accountabilityId status lifelong faultDate roleInMatter share unitAtFaultCode
      unitAtFault { code name }
      measures { kind status period { dueAt } }
      accountability { id }
    }
    points { version balance deducted }
    pointsEntries { kind amount balanceAfter sourceId }
    complaints { id subject }
  }
}
"""


async def transfer(runtime: Runtime, *, officer: str, unit: str, since: str) -> None:
    """A new dated assignment, applied as reference data (an audited officer.assigned event)."""
    await reference.apply(
        Call(runtime=runtime, actor=SYSTEM_ACTOR),
        {
            "officers": [
                {
                    "code": officer,
                    "name": "李明",
                    "kind": "POLICE",
                    "unit": unit,
                    "since": since,
                    "account": "liming",
                }
            ]
        },
    )


async def complaint_naming(runtime: Runtime, officer: str) -> str:
    complaint = await register_complaint(
        complaint_call(runtime, INTAKE),
        RegisterComplaint(
            channel="ONLINE",
            subject="民警推诿不受理报案",
            content="李明称不归本所管辖。",
            complainant_name="张三",
            complainant_phone="13812345678",
            complained_officers=(officer,),
        ),
    )
    return complaint.id


async def test_the_record_follows_the_officer_to_a_new_unit(gql, runtime):
    # given: the fault was at 香蜜湖派出所 on 2026-11-20; the officer moved to 粤海派出所 on 11-22
    await transfer(runtime, officer=LEAD, unit="NS-YH", since="2026-11-22")
    item = await decided(runtime, await opened(runtime, culpability=Culpability.GROSS_NEGLIGENCE))
    await complaint_naming(runtime, LEAD)

    # when: the new unit's handler reads the record
    data = await gql(INTEGRITY, {"officer": LEAD}, role=Role.HANDLER, unit="NS")

    # then
    record = data["officerIntegrity"]
    assert record["officer"] == {"name": "李明", "unit": {"code": "NS-YH"}}
    assert record["lifelong"] is True
    (fault,) = record["faults"]
    assert fault["accountabilityId"] == to_global_id("Accountability", item.id)
    assert (fault["status"], fault["lifelong"], fault["faultDate"]) == (
        "DECIDED",
        True,
        "2026-11-20",
    )
    assert fault["unitAtFaultCode"] == "FT-XS"
    assert fault["unitAtFault"] == {"code": "FT-XS", "name": "香蜜湖派出所"}
    assert fault["roleInMatter"] == "LEAD_OFFICER"
    assert [(m["kind"], m["status"]) for m in fault["measures"]] == [("DEMERIT", "IN_FORCE")]
    # The whole accountability concerns FT-XS, outside the new unit's subtree.
    assert fault["accountability"] is None
    assert record["pointsBalance"] == -10
    assert record["points"] == {"version": 1, "balance": -10, "deducted": 10}
    assert record["pointsEntries"] == [
        {"kind": "DEDUCT", "amount": 10, "balanceAfter": -10, "sourceId": fault["accountabilityId"]}
    ]
    # Complaints naming the officer are shown only where the complaint rules allow (not routed).
    assert record["complaints"] == []
    assert item.person(LEAD).unit_at_fault == "FT-XS"  # type: ignore[union-attr]


async def test_the_centre_sees_the_complaints_naming_the_officer(gql, runtime):
    # given
    item = await decided(runtime)
    complaint_id = await complaint_naming(runtime, LEAD)

    # when
    data = await gql(INTEGRITY, {"officer": LEAD}, role=Role.AUDITOR)

    # then
    record = data["officerIntegrity"]
    assert len(record["complaints"]) == 1
    assert record["complaints"][0]["subject"] == "民警推诿不受理报案"
    assert record["complaints"][0]["id"] == to_global_id("Complaint", complaint_id)
    assert [f["accountability"] for f in record["faults"]] == [
        {"id": to_global_id("Accountability", item.id)}
    ]


async def test_the_old_units_handler_no_longer_sees_the_record_after_the_transfer(gql, runtime):
    # given
    await decided(runtime)
    before = await gql(INTEGRITY, {"officer": LEAD}, role=Role.HANDLER, unit="FT")

    # when
    await transfer(runtime, officer=LEAD, unit="NS-YH", since="2026-11-24")
    after_old = await gql(INTEGRITY, {"officer": LEAD}, role=Role.HANDLER, unit="FT")
    after_new = await gql(INTEGRITY, {"officer": LEAD}, role=Role.HANDLER, unit="NS-YH")

    # then
    assert before["officerIntegrity"]["faults"][0]["unitAtFaultCode"] == "FT-XS"
    assert after_old["officerIntegrity"] is None
    assert after_new["officerIntegrity"]["faults"][0]["unitAtFaultCode"] == "FT-XS"


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ({"role": Role.SUPERVISOR}, True),
        ({"role": Role.LEADER}, True),
        ({"role": Role.LEGAL}, True),
        ({"role": Role.AUDITOR}, True),
        ({"role": Role.HANDLER, "unit": "FT"}, True),
        ({"role": Role.HANDLER, "unit": "LH"}, False),
    ],
)
async def test_who_reads_an_integrity_record(gql, runtime, who: dict[str, Any], visible):
    await decided(runtime)
    data = await gql(INTEGRITY, {"officer": LEAD}, **who)
    assert (data["officerIntegrity"] is not None) is visible


@pytest.mark.parametrize("role", [Role.INTAKE, Role.INTEGRATION])
async def test_intake_and_integrations_may_not_read_integrity_records(gql, role):
    response = await gql.post(INTEGRITY, {"officer": LEAD}, role=role)
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["data"] is None or body["data"]["officerIntegrity"] is None


async def test_an_unknown_officer_has_no_record(gql):
    data = await gql(INTEGRITY, {"officer": "P-NOBODY"})
    assert data["officerIntegrity"] is None


async def test_an_officer_without_faults_has_an_empty_record(gql):
    data = await gql(INTEGRITY, {"officer": "P-NS-XL-001"})
    record = data["officerIntegrity"]
    assert (record["faults"], record["pointsEntries"], record["pointsBalance"]) == ([], [], 0)
    assert record["points"]["version"] == 0
