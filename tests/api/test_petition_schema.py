"""The petition names outside clients rely on stay in the exported schema."""

from __future__ import annotations

import pytest
from graphql import GraphQLObjectType, GraphQLSchema, GraphQLUnionType, build_schema

from api.schema import sdl

CHANGE_MUTATIONS = [
    "acceptPetition",
    "refusePetition",
    "objectToPetitionRouting",
    "decidePetitionRouting",
    "startHandlingPetition",
    "extendPetitionHandling",
    "answerPetition",
    "requestPetitionReview",
    "decidePetitionReview",
    "requestPetitionReExamination",
    "decidePetitionReExamination",
    "closePetition",
    "markPetitionBacklog",
    "assignPetitionLeader",
    "recordPetitionDispatch",
    "recordPetitionInterview",
    "recordPetitionLawyer",
    "referPetitionToLegalAid",
    "recordPetitionJudicialAid",
    "recordPetitionOutcome",
    "addPetitionAttachment",
]
ERROR_TYPES = {
    "ValidationError",
    "NotFoundError",
    "ConflictError",
    "ForbiddenError",
    "InvalidTransitionError",
}
DEADLINES = [
    "registerDue",
    "noticeDue",
    "objectionDue",
    "handlingDue",
    "backlogDue",
    "reviewRequestDue",
    "reviewDue",
    "reExaminationRequestDue",
    "reExaminationDue",
]


@pytest.fixture(scope="module")
def exported() -> GraphQLSchema:
    return build_schema(sdl())


def _mutation(schema: GraphQLSchema) -> GraphQLObjectType:
    assert schema.mutation_type is not None
    return schema.mutation_type


@pytest.mark.parametrize("name", CHANGE_MUTATIONS)
def test_every_change_mutation_takes_an_id_and_a_required_expected_version(exported, name):
    field = _mutation(exported).fields[name]

    assert str(field.args["id"].type) == "ID!"
    assert str(field.args["expectedVersion"].type) == "Int!"
    assert str(field.type) == "PetitionChangeResult!"


def test_both_registrations_return_the_register_union(exported):
    mutation = _mutation(exported)
    direct = mutation.fields["registerPetition"]
    from_complaint = mutation.fields["registerPetitionFromComplaint"]

    assert {n: str(a.type) for n, a in direct.args.items()} == {"input": "RegisterPetitionInput!"}
    assert str(from_complaint.args["complaintId"].type) == "ID!"
    assert str(direct.type) == str(from_complaint.type) == "RegisterPetitionResult!"


def test_the_result_unions_hold_the_petition_and_typed_errors(exported):
    change = exported.get_type("PetitionChangeResult")
    register = exported.get_type("RegisterPetitionResult")
    error = exported.get_type("Error")

    assert isinstance(change, GraphQLUnionType)
    assert isinstance(register, GraphQLUnionType)
    assert {t.name for t in change.types} == {"Petition", *ERROR_TYPES}
    assert {t.name for t in register.types} == {
        "Petition",
        "ValidationError",
        "NotFoundError",
        "ForbiddenError",
        "ConflictError",
        "PetitionAlreadyReExaminedError",
    }
    refused = exported.get_type("PetitionAlreadyReExaminedError")
    assert isinstance(refused, GraphQLObjectType)
    assert error in refused.interfaces


def test_petition_queries_page_and_filter(exported):
    assert exported.query_type is not None
    fields = exported.query_type.fields
    petitions = fields["petitions"]
    petition_filter = exported.get_type("PetitionFilter")

    assert str(fields["petition"].args["id"].type) == "ID!"
    assert str(fields["petition"].type) == "Petition"
    assert {n: str(a.type) for n, a in petitions.args.items()} == {
        "first": "Int",
        "after": "String",
        "filter": "PetitionFilter",
    }
    assert set(petition_filter.fields) == {
        "status",
        "supervisionLevel",
        "backlog",
        "unitCode",
        "overdue",
    }


def test_a_petition_is_a_node_with_every_deadline_and_a_computed_backlog(exported):
    petition = exported.get_type("Petition")

    assert isinstance(petition, GraphQLObjectType)
    assert "Node" in {i.name for i in petition.interfaces}
    for name in DEADLINES:
        assert str(petition.fields[name].type) == "Deadline", name
    assert str(petition.fields["backlog"].type) == "Boolean!"
    assert str(petition.fields["correlationId"].type) == "ID!"
    assert str(petition.fields["supervisionLevel"].type) == "PetitionSupervisionLevel!"
