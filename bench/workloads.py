"""The GraphQL documents the bench sends, and the bodies built from them."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from bench.data import Routing, synthetic

LIST = (
    "query List { complaints(first: 50) { edges { node { id subject status receivedAt "
    "primaryUnit { code name } category { code name } } } } }"
)
ONE = "query One($id: ID!) { complaint(id: $id) { id subject status primaryUnit { code name } } }"
IDS = "query Ids { complaints(first: 100) { edges { node { id } } } }"
TRACE = (
    "query Trace($id: ID!) { loopTrace(id: $id) { correlationIds durationSeconds stages { stage "
    "items { id type status actors { subject role } events { position eventType effectiveAt "
    "actor { subject } } } } } }"
)
REGISTER = (
    "mutation Register($input: RegisterComplaintInput!) { registerComplaint(input: $input) "
    "{ __typename ... on Complaint { id version status } ... on Error { code message } } }"
)
TRIAGE = (
    "mutation Triage($id: ID!, $v: Int!, $input: TriageComplaintInput!) { "
    "triageComplaint(id: $id, expectedVersion: $v, input: $input) "
    "{ __typename ... on Complaint { id version status } ... on Error { code message } } }"
)


def body(query: str, variables: dict[str, Any] | None = None, name: str | None = None) -> bytes:
    document: dict[str, Any] = {"query": query, "variables": variables or {}}
    if name:
        document["operationName"] = name
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def list_body() -> bytes:
    return body(LIST, name="List")


def one_bodies(ids: list[str]) -> list[bytes]:
    return [body(ONE, {"id": i}, name="One") for i in ids]


def trace_bodies(ids: list[str]) -> list[bytes]:
    return [body(TRACE, {"id": i}, name="Trace") for i in ids]


def mixed_bodies(ids: list[str], rng: random.Random, routing: Routing) -> list[bytes]:
    """A front-end-like mix in 20 requests: 8 lookups, 6 lists, 4 loop traces, 2 registrations."""
    registrations = [pair(rng, routing, 900_000 + n).register for n in range(2)]
    lookups = one_bodies(ids[:8])
    traces = trace_bodies(ids[8:12])
    return [
        *lookups[:4],
        list_body(),
        *traces[:2],
        list_body(),
        registrations[0],
        list_body(),
        *lookups[4:],
        list_body(),
        *traces[2:],
        list_body(),
        registrations[1],
        list_body(),
    ]


@dataclass(frozen=True, slots=True)
class Pair:
    """One register + triage: the two bodies, the triage one needing the new id."""

    register: bytes
    triage_input: dict[str, Any]

    def triage(self, complaint_id: str) -> bytes:
        return body(TRIAGE, {"id": complaint_id, "v": 1, "input": self.triage_input}, "Triage")


def pair(rng: random.Random, routing: Routing, index: int) -> Pair:
    item = synthetic(rng, routing, index)
    register_input = {
        "channel": item.channel,
        "subject": item.subject,
        "content": item.content,
        "complainant": {"name": item.name, "phone": item.phone},
    }
    triage_input: dict[str, Any] = {"categoryCode": item.category, "unitCode": item.unit}
    if item.line_unit:
        triage_input["lineUnitCode"] = item.line_unit
    return Pair(
        register=body(REGISTER, {"input": register_input}, "Register"), triage_input=triage_input
    )
