"""The names outside clients rely on for cases stay in the exported schema."""

from __future__ import annotations

import pytest
from graphql import (
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
)

from api.schema import sdl

CHANGE_MUTATIONS = [
    "acceptCase",
    "fileCase",
    "startInvestigatingCase",
    "concludeCase",
    "refuseToFileCase",
    "withdrawCase",
    "transferCase",
    "refuseCaseJurisdiction",
    "designateCaseJurisdiction",
    "startCaseMeasure",
    "extendCaseMeasure",
    "endCaseMeasure",
    "recordCaseRevisit",
    "startCaseTracking",
    "closeCaseTracking",
    "extendCaseHandlingLimit",
    "startCaseAppraisal",
    "endCaseAppraisal",
    "markCaseOutsideJurisdiction",
    "recordCaseNotFilingNotice",
    "recordCaseReconsiderationApplication",
    "decideCaseReconsideration",
    "extendCaseReconsiderationLimit",
    "recordCaseReviewApplication",
    "decideCaseReview",
    "extendCaseReviewLimit",
    "recordCaseDetentionStep",
]
ERROR_TYPES = {
    "ValidationError",
    "NotFoundError",
    "ConflictError",
    "ForbiddenError",
    "InvalidTransitionError",
}


@pytest.fixture(scope="module")
def exported() -> GraphQLSchema:
    return build_schema(sdl())


def _object(schema: GraphQLSchema, name: str) -> GraphQLObjectType:
    found = schema.get_type(name)
    assert isinstance(found, GraphQLObjectType), name
    return found


def test_case_and_cases_are_queries_with_the_documented_arguments(exported):
    # when
    assert exported.query_type is not None
    fields = exported.query_type.fields

    # then
    assert {n: str(a.type) for n, a in fields["case"].args.items()} == {"id": "ID!"}
    assert str(fields["case"].type) == "Case"
    assert {n: str(a.type) for n, a in fields["cases"].args.items()} == {
        "first": "Int",
        "after": "String",
        "filter": "CaseFilter",
    }
    assert str(fields["cases"].type) == "CaseConnection!"


def test_the_case_filter_has_the_documented_fields(exported):
    # when
    found = exported.get_type("CaseFilter")

    # then
    assert isinstance(found, GraphQLInputObjectType)
    assert {n: str(f.type) for n, f in found.fields.items()} == {
        "stage": "[CaseStage!]",
        "kind": "[CaseKind!]",
        "unitCode": "String",
        "overdue": "Boolean",
        "hasOpenMeasure": "Boolean",
    }


def test_register_case_takes_one_input_with_the_external_reference(exported):
    # when
    assert exported.mutation_type is not None
    field = exported.mutation_type.fields["registerCase"]
    register_input = exported.get_type("RegisterCaseInput")
    result = exported.get_type("RegisterCaseResult")

    # then
    assert {n: str(a.type) for n, a in field.args.items()} == {"input": "RegisterCaseInput!"}
    assert str(field.type) == "RegisterCaseResult!"
    assert isinstance(register_input, GraphQLInputObjectType)
    assert str(register_input.fields["externalRef"].type) == "CaseExternalRefInput"
    assert isinstance(result, GraphQLUnionType)
    assert "Case" in {t.name for t in result.types}
    assert {t.name for t in result.types} <= {"Case", *ERROR_TYPES}


@pytest.mark.parametrize("name", CHANGE_MUTATIONS)
def test_every_change_takes_an_id_and_a_required_expected_version(exported, name):
    # when
    assert exported.mutation_type is not None
    field = exported.mutation_type.fields[name]

    # then
    assert str(field.args["id"].type) == "ID!"
    assert str(field.args["expectedVersion"].type) == "Int!"
    assert str(field.type) == "CaseChangeResult!"


def test_the_change_result_holds_the_case_and_every_error_type(exported):
    # when
    found = exported.get_type("CaseChangeResult")

    # then
    assert isinstance(found, GraphQLUnionType)
    assert {t.name for t in found.types} == {"Case", *ERROR_TYPES}


def test_every_case_mutation_is_listed_here(exported):
    # when
    assert exported.mutation_type is not None
    names = {n for n in exported.mutation_type.fields if "Case" in n}

    # then
    assert names == {"registerCase", *CHANGE_MUTATIONS}


def test_a_case_is_a_node_and_shows_its_deadlines_with_their_basis(exported):
    # when
    case = _object(exported, "Case")
    measure = _object(exported, "CaseMeasure")
    deadline = _object(exported, "Deadline")

    # then
    assert "Node" in {i.name for i in case.interfaces}
    for name in ("handlingDue", "firstRevisitDue", "secondRevisitDue"):
        assert str(case.fields[name].type) == "Deadline"
    assert str(case.fields["overdue"].type) == "Boolean!"
    assert str(measure.fields["due"].type) == "Deadline"
    assert {"basis", "computation", "overdue", "dueAt"} <= set(deadline.fields)
