"""The exported SDL is current, and the names outside clients rely on stay in it."""

from __future__ import annotations

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
)
from sqlalchemy import select

from api.schema import SDL_PATH, sdl
from store import rows

CHANGE_MUTATIONS = [
    "triageComplaint",
    "startHandlingComplaint",
    "replyToComplaint",
    "recordComplaintCallback",
    "closeComplaint",
    "reopenComplaint",
    "mergeComplaint",
    "rejectComplaint",
]
QUERIES = [
    "complaintCategories",
    "units",
    "complaint",
    "complaints",
    "node",
    "auditTrail",
    "auditEvents",
    "auditVerification",
]
ERROR_TYPES = [
    "ValidationError",
    "NotFoundError",
    "ConflictError",
    "ForbiddenError",
    "InvalidTransitionError",
]
CHANNELS = {"DIRECTOR_MAILBOX", "HOTLINE_12389", "HOTLINE_12345", "PETITION", "ONLINE"}


@pytest.fixture(scope="module")
def exported() -> GraphQLSchema:
    """The schema as outside clients read it: the SDL the server prints."""
    return build_schema(sdl())


def _mutation(schema: GraphQLSchema) -> GraphQLObjectType:
    assert schema.mutation_type is not None
    return schema.mutation_type


def test_the_exported_sdl_file_matches_the_schema():
    # when
    current = sdl()

    # then
    assert SDL_PATH.read_text(encoding="utf-8") == current, (
        f"{SDL_PATH.name} is stale: run `.venv/bin/jiandu export-schema` and commit the result"
    )


def test_register_takes_one_required_input_and_no_version(exported):
    # when
    field = _mutation(exported).fields["registerComplaint"]

    # then
    assert {name: str(arg.type) for name, arg in field.args.items()} == {
        "input": "RegisterComplaintInput!"
    }
    assert str(field.type) == "RegisterComplaintResult!"


@pytest.mark.parametrize("name", CHANGE_MUTATIONS)
def test_every_change_mutation_takes_an_id_and_a_required_expected_version(exported, name):
    # when
    field = _mutation(exported).fields[name]

    # then
    assert str(field.args["id"].type) == "ID!"
    assert str(field.args["expectedVersion"].type) == "Int!"
    assert str(field.type) == "ComplaintChangeResult!"


def test_the_result_unions_hold_the_complaint_and_the_error_types(exported):
    # when
    change = exported.get_type("ComplaintChangeResult")
    register = exported.get_type("RegisterComplaintResult")

    # then
    assert isinstance(change, GraphQLUnionType)
    assert isinstance(register, GraphQLUnionType)
    assert {t.name for t in change.types} == {"Complaint", *ERROR_TYPES}
    assert "Complaint" in {t.name for t in register.types}
    assert {t.name for t in register.types} <= {"Complaint", *ERROR_TYPES}


@pytest.mark.parametrize("name", QUERIES)
def test_the_queries_clients_use_exist(exported, name):
    # then
    assert exported.query_type is not None
    assert name in exported.query_type.fields


def test_complaints_pages_with_first_and_after_and_filters(exported):
    # when
    assert exported.query_type is not None
    args = exported.query_type.fields["complaints"].args

    # then
    assert {name: str(arg.type) for name, arg in args.items()} == {
        "first": "Int",
        "after": "String",
        "filter": "ComplaintFilter",
    }


def test_errors_share_one_interface_with_code_and_message(exported):
    # when
    error = exported.get_type("Error")

    # then
    assert isinstance(error, GraphQLInterfaceType)
    assert {name: str(f.type) for name, f in error.fields.items()} == {
        "code": "ErrorCode!",
        "message": "String!",
    }
    for name in ERROR_TYPES:
        member = exported.get_type(name)
        assert isinstance(member, GraphQLObjectType)
        assert error in member.interfaces, name


def test_error_codes_are_the_documented_ones(exported):
    # when
    codes = exported.get_type("ErrorCode")

    # then
    assert isinstance(codes, GraphQLEnumType)
    assert set(codes.values) == {
        "VALIDATION",
        "NOT_FOUND",
        "CONFLICT",
        "FORBIDDEN",
        "INVALID_TRANSITION",
    }


def test_the_channels_are_the_intake_channels(exported):
    # when
    channel = exported.get_type("Channel")

    # then
    assert isinstance(channel, GraphQLEnumType)
    assert set(channel.values) == CHANNELS


@pytest.mark.db
async def test_every_channel_in_the_database_is_in_the_schema(runtime, exported):
    # given
    async with runtime.engine.connect() as conn:
        stored = set(await conn.scalars(select(rows.channel.c.code)))

    # then
    channel = exported.get_type("Channel")
    assert isinstance(channel, GraphQLEnumType)
    assert stored == set(channel.values)
