"""Authentication at the door: 401s shaped like GraphQL errors; the token names the actor."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest

from api.auth import mint
from domain.actor import Role
from tests.api.support import register_input
from tests.conftest import SECRET

pytestmark = pytest.mark.db

VIEWER = "query { viewer { subject role unit } }"
LIST = "query { complaints { edges { node { id } } } }"
REGISTER = """
mutation Register($input: RegisterComplaintInput!) {
  registerComplaint(input: $input) { __typename ... on Complaint { id } ... on Error { code } }
}
"""
TRAIL = """
query Trail($id: ID!) {
  auditTrail(aggregateId: $id) {
    edges { node { eventType requestId actor { issuer subject role unit } } }
  }
}
"""
TRIAGE_TO_STATION = """
mutation Triage($id: ID!) {
  triageComplaint(
    id: $id, expectedVersion: 1, input: {categoryCode: "ENF_INACTION", unitCode: "FT-XS"}
  ) { __typename }
}
"""
START_HANDLING = """
mutation StartHandling($id: ID!) {
  startHandlingComplaint(id: $id, expectedVersion: 2) { __typename }
}
"""


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _unsigned(claims: dict[str, object]) -> str:
    """A token that says `alg: none` and carries no signature."""
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


def _claims(**overrides: object) -> dict[str, object]:
    now = int(datetime.now(UTC).timestamp())
    claims: dict[str, object] = {
        "iss": "jiandu",
        "sub": "mallory",
        "role": "supervisor",
        "iat": now,
        "exp": now + 3600,
    }
    claims.update(overrides)
    return claims


BAD_AUTHORIZATIONS = {
    "another secret": "Bearer "
    + mint("another-secret-" + "y" * 40, subject="mallory", role=Role.SUPERVISOR),
    "expired": "Bearer "
    + mint(SECRET, subject="late", role=Role.SUPERVISOR, ttl=timedelta(minutes=-1)),
    "issued long ago": "Bearer "
    + mint(
        SECRET,
        subject="late",
        role=Role.SUPERVISOR,
        now=datetime(2020, 1, 1, tzinfo=UTC),
    ),
    "alg none": "Bearer " + _unsigned(_claims()),
    "handler without unit": "Bearer " + mint(SECRET, subject="h", role=Role.HANDLER),
    "unknown role": "Bearer " + jwt.encode(_claims(role="janitor"), SECRET, algorithm="HS256"),
    "system role": "Bearer " + jwt.encode(_claims(role="system"), SECRET, algorithm="HS256"),
    "no expiry": "Bearer "
    + jwt.encode({k: v for k, v in _claims().items() if k != "exp"}, SECRET, algorithm="HS256"),
    "no subject": "Bearer "
    + jwt.encode({k: v for k, v in _claims().items() if k != "sub"}, SECRET, algorithm="HS256"),
    "HS512 with the right secret": "Bearer "
    + jwt.encode(_claims(), SECRET + "-padding-for-hs512" * 3, algorithm="HS512"),
    "garbage": "Bearer not.a.token",
    "basic scheme": "Basic " + base64.b64encode(b"admin:admin").decode(),
    "bearer without token": "Bearer ",
    "empty header": "",
}


def _assert_unauthenticated(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    assert error["message"]
    assert "Traceback" not in response.text


async def test_a_request_without_authorization_is_401(gql):
    # when
    response = await gql.post(VIEWER, role=None)

    # then
    _assert_unauthenticated(response)


@pytest.mark.parametrize(
    "authorization", list(BAD_AUTHORIZATIONS.values()), ids=list(BAD_AUTHORIZATIONS)
)
async def test_a_request_with_a_bad_token_is_401(gql, authorization):
    # when
    response = await gql.post(VIEWER, role=None, headers={"Authorization": authorization})

    # then
    _assert_unauthenticated(response)


async def test_a_refused_mutation_changes_nothing(gql, runtime):
    # given
    forged = "Bearer " + mint("another-secret-" + "y" * 40, subject="m", role=Role.INTAKE)

    # when
    response = await gql.post(
        REGISTER, {"input": register_input()}, role=None, headers={"Authorization": forged}
    )

    # then
    _assert_unauthenticated(response)
    listed = await gql(LIST)
    assert listed["complaints"]["edges"] == []


async def test_a_valid_token_names_the_viewer(gql):
    # when
    data = await gql(VIEWER, role=Role.HANDLER, unit="FT-XS", sub="wangjg")

    # then
    assert data["viewer"] == {"subject": "wangjg", "role": "handler", "unit": "FT-XS"}


async def test_the_ide_is_served_to_a_browser_without_a_token(gql):
    # when
    response = await gql.http.get("/graphql", headers={"Accept": "text/html"})

    # then
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


async def test_a_get_query_without_a_token_is_401(gql):
    # when
    response = await gql.http.get(
        "/graphql", params={"query": VIEWER}, headers={"Accept": "text/html"}
    )

    # then
    _assert_unauthenticated(response)


async def test_health_and_readiness_need_no_token(gql):
    # when
    health = await gql.http.get("/healthz")
    ready = await gql.http.get("/readyz")

    # then
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})


async def test_the_audit_actor_and_request_id_come_from_the_token_and_the_request(gql):
    # given
    response = await gql.post(
        REGISTER,
        {"input": register_input()},
        role=Role.INTAKE,
        sub="intake-chen",
        headers={"X-Request-Id": "req-4711"},
    )
    assert response.headers["x-request-id"] == "req-4711"
    registered = response.json()["data"]["registerComplaint"]
    assert registered["__typename"] == "Complaint"

    # when
    data = await gql(TRAIL, {"id": registered["id"]}, role=Role.AUDITOR)

    # then
    (event,) = [edge["node"] for edge in data["auditTrail"]["edges"]]
    assert event["actor"] == {
        "issuer": "jiandu",
        "subject": "intake-chen",
        "role": "intake",
        "unit": None,
    }
    assert event["requestId"] == "req-4711"


async def test_a_handlers_unit_in_the_audit_actor_comes_from_the_token(gql):
    # given
    registered = (await gql(REGISTER, {"input": register_input()}, role=Role.INTAKE))[
        "registerComplaint"
    ]
    triaged = await gql(TRIAGE_TO_STATION, {"id": registered["id"]})
    assert triaged["triageComplaint"]["__typename"] == "Complaint"

    # when
    started = await gql(
        START_HANDLING, {"id": registered["id"]}, role=Role.HANDLER, unit="FT", sub="h-9"
    )

    # then
    assert started["startHandlingComplaint"]["__typename"] == "Complaint"
    data = await gql(TRAIL, {"id": registered["id"]}, role=Role.AUDITOR)
    last = data["auditTrail"]["edges"][-1]["node"]
    assert last["eventType"] == "complaint.handling_started"
    assert last["actor"] == {"issuer": "jiandu", "subject": "h-9", "role": "handler", "unit": "FT"}
