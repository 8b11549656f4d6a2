"""Migration 0005 as the database enforces it: seeded configuration, grants and triggers."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.api.test_review_fixtures import concluded, inspection, with_rectification

pytestmark = pytest.mark.db


def test_the_five_level_chain_is_seeded_for_legal_review_and_verification(owner):
    # when
    rows = owner.execute(
        "SELECT kind, step_no, role_tag, label, responsibility FROM signoff_template"
        " ORDER BY kind, step_no"
    ).fetchall()

    # then
    five = [
        (1, "HANDLING_OFFICER", "办案民警", "HANDLER"),
        (2, "UNIT_LEADER", "单位分管领导", "REVIEWER"),
        (3, "LEGAL_SUPERVISOR", "法制监督员", "REVIEWER"),
        (4, "LEGAL_OFFICER", "法制员", "REVIEWER"),
        (5, "BUREAU_LEADER", "局领导", "APPROVER"),
    ]
    assert rows == [("LEGAL_REVIEW", *step) for step in five] + [
        ("VERIFICATION", *step) for step in five
    ]


def test_the_review_clocks_are_rules_with_a_basis(owner):
    # when
    rules = owner.execute(
        "SELECT code, unit, limit_value, basis FROM clock_rule WHERE clock LIKE 'review.%'"
        " ORDER BY code"
    ).fetchall()

    # then
    assert [(code, unit, limit) for code, unit, limit, _ in rules] == [
        ("review.recommendation_response.DEFAULT", "calendar_days", 15),
        ("review.rectification.DEFAULT", "calendar_days", 30),
    ]
    assert all("local rule" in basis for *_, basis in rules)


def _commit(owner: psycopg.Connection[Any], statement: str, *params: Any) -> None:
    """Run one statement in a transaction of its own, through to COMMIT."""
    with owner.transaction():
        owner.execute(statement, params)


def _as_app(owner: psycopg.Connection[Any], statement: str) -> None:
    with owner.transaction():
        owner.execute("SET LOCAL ROLE jiandu_app")
        owner.execute(statement)


async def _with_items(runtime: Any) -> str:
    review = await with_rectification(runtime, await concluded(runtime, await inspection(runtime)))
    return review.id


async def test_a_child_row_cannot_change_without_its_review(owner, runtime):
    # given
    review_id = await _with_items(runtime)

    # when / then: the check runs at commit
    with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="not changed"):
        _commit(
            owner,
            "UPDATE review_rectification SET status = 'CLOSED_OFF' WHERE review_id = %s",
            review_id,
        )
    with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="not changed"):
        _commit(
            owner,
            "INSERT INTO review_evidence (review_id, no, description, added_at)"
            " VALUES (%s, 9, '伪造证据', now())",
            review_id,
        )


async def test_the_review_row_moves_one_version_per_audited_event(owner, runtime):
    # given
    review_id = await _with_items(runtime)

    # then: an update that skips the version, or keeps it, is refused
    with pytest.raises(psycopg.errors.SerializationFailure, match="version must move"):
        owner.execute("UPDATE review SET subject = 'x' WHERE id = %s", (review_id,))
    with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="no audit event"):
        _commit(
            owner, "UPDATE review SET subject = 'x', version = version + 1 WHERE id = %s", review_id
        )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE review_evidence SET description = 'x'",
        "DELETE FROM review_rectification",
        "DELETE FROM review",
        "DELETE FROM review_signoff_step",
        "UPDATE signoff_template SET label = 'x'",
    ],
)
async def test_the_application_role_neither_deletes_nor_rewrites_evidence(
    owner, runtime, statement
):
    # given
    await _with_items(runtime)

    # when / then
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _as_app(owner, statement)
