"""The database itself guards the audit log and aggregate versions, for every role."""

from __future__ import annotations

from uuid import UUID

import psycopg
import pytest
from sqlalchemy import text

from audit.verify import verify_chain
from domain.errors import Conflict
from tests.integration.support import register, registered_and_triaged

APPEND_ONLY = "append-only"


@pytest.mark.db
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET reason = 'changed' WHERE position = 1",
        "DELETE FROM audit_event WHERE position = 1",
        "TRUNCATE audit_event",
    ],
)
async def test_the_application_role_cannot_rewrite_the_audit_log(runtime, statement):
    await register(runtime)
    async with runtime.engine.connect() as conn:
        with pytest.raises(Exception, match=r"permission denied|append-only"):
            await conn.execute(text(statement))


@pytest.mark.db
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET reason = 'changed' WHERE position = 1",
        "DELETE FROM audit_event WHERE position = 1",
        "TRUNCATE audit_event",
    ],
)
async def test_not_even_the_owner_can_rewrite_the_audit_log(runtime, owner, statement):
    await register(runtime)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match=APPEND_ONLY):
        owner.execute(statement)


@pytest.mark.db
async def test_the_application_role_cannot_delete_aggregates(runtime):
    complaint = await register(runtime)
    async with runtime.engine.connect() as conn:
        with pytest.raises(Exception, match="permission denied"):
            await conn.execute(text("DELETE FROM complaint WHERE id = :id"), {"id": complaint.id})


@pytest.mark.db
async def test_a_new_aggregate_row_must_start_at_version_one(runtime, owner):
    complaint = await register(runtime)
    with pytest.raises(psycopg.errors.CheckViolation, match="version 1"):
        owner.execute(
            "INSERT INTO complaint (id, version, channel_code, received_at, registered_at, subject,"
            " content, complainant_id, status, correlation_id)"
            " SELECT gen_random_uuid(), 2, channel_code, received_at, registered_at, subject,"
            " content, complainant_id, status, correlation_id FROM complaint WHERE id = %s",
            (complaint.id,),
        )


@pytest.mark.db
async def test_a_version_may_only_move_by_one(runtime, owner):
    complaint = await register(runtime)
    with pytest.raises(psycopg.errors.SerializationFailure, match="version must move"):
        owner.execute("UPDATE complaint SET version = 3 WHERE id = %s", (complaint.id,))


@pytest.mark.db
async def test_a_commit_whose_new_version_has_no_audit_event_is_rejected(runtime, owner):
    complaint = await register(runtime)
    with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="no audit event"):
        owner.execute(
            "UPDATE complaint SET version = 2, status = 'REJECTED' WHERE id = %s", (complaint.id,)
        )
    assert owner.execute("SELECT status, version FROM complaint").fetchone() == ("RECEIVED", 1)


@pytest.mark.db
async def test_a_hand_written_insert_is_chained_by_the_database_not_by_its_author(runtime, owner):
    await register(runtime)
    # The author claims position 1 and a made-up chain; the trigger assigns the real ones.
    owner.execute(
        "INSERT INTO audit_event (position, event_id, format_version, recorded_at, effective_at,"
        " actor, aggregate_type, aggregate_id, aggregate_version, event_type, payload, prev_hash,"
        " hash, canonical) SELECT 1, gen_random_uuid(), format_version, recorded_at, effective_at,"
        " actor, 'probe', 'x', 1, 'probe.inserted', payload, repeat('a', 64), repeat('b', 64),"
        " 'forged body' FROM audit_event ORDER BY position DESC LIMIT 1"
    )
    head, prev, hashed = owner.execute(
        "SELECT position, prev_hash, hash FROM audit_event ORDER BY position DESC LIMIT 1"
    ).fetchone()
    before = owner.execute(
        "SELECT hash FROM audit_event WHERE position = %s", (head - 1,)
    ).fetchone()
    assert prev == before[0]
    assert hashed != "b" * 64
    async with runtime.engine.connect() as conn:
        result = await verify_chain(conn)
    # Chained correctly, but its body is not the canonical form of its columns: verify says so.
    assert result.first_broken_position == head
    assert result.problem is not None
    assert "canonical" in result.problem


@pytest.mark.db
async def test_a_tampered_event_is_found_at_its_position(runtime, owner):
    for _ in range(3):
        await registered_and_triaged(runtime)
    async with runtime.engine.connect() as conn:
        assert (await verify_chain(conn)).ok
    total = owner.execute("SELECT max(position) FROM audit_event").fetchone()[0]
    target = total - 2
    # A superuser disables the guard and rewrites one event's payload.
    owner.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update")
    owner.execute(
        "UPDATE audit_event SET payload = jsonb_set(payload, '{changes}', '{}') WHERE position = %s",
        (target,),
    )
    owner.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update")
    async with runtime.engine.connect() as conn:
        result = await verify_chain(conn)
        ranged = await verify_chain(conn, start=target + 1)
    assert not result.ok
    assert result.first_broken_position == target
    assert result.checked == target - 1
    assert ranged.ok, "the range after the tampered event still verifies on its own"


@pytest.mark.db
async def test_rewriting_the_canonical_bytes_and_hash_breaks_the_link_to_the_next_event(
    runtime, owner
):
    for _ in range(2):
        await register(runtime)
    (target,) = owner.execute(
        "SELECT min(position) FROM audit_event WHERE event_type = 'complaint.registered'"
    ).fetchone()
    owner.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update")
    owner.execute(
        "UPDATE audit_event SET canonical = replace(canonical, 'ONLINE', 'PETITION'),"
        " hash = encode(sha256(convert_to(replace(canonical, 'ONLINE', 'PETITION'), 'UTF8')), 'hex'),"
        " payload = replace(payload::text, 'ONLINE', 'PETITION')::jsonb"
        " WHERE position = %s",
        (target,),
    )
    owner.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update")
    async with runtime.engine.connect() as conn:
        result = await verify_chain(conn)
    # The rewritten event is self-consistent; the next one no longer links to it.
    assert not result.ok
    assert result.first_broken_position == target + 1
    assert result.problem is not None
    assert "prevHash" in result.problem


@pytest.mark.db
async def test_a_failed_command_leaves_neither_state_nor_audit_row(runtime):
    complaint = await register(runtime)
    async with runtime.engine.connect() as conn:
        before = await conn.scalar(text("SELECT count(*) FROM audit_event"))
    from service import complaints
    from tests.integration.support import call

    with pytest.raises(Conflict):
        await complaints.reject(call(runtime), UUID(complaint.id), 7, reason="x")
    async with runtime.engine.connect() as conn:
        after = await conn.scalar(text("SELECT count(*) FROM audit_event"))
        status = await conn.scalar(text("SELECT status FROM complaint"))
    assert after == before
    assert status == "RECEIVED"
