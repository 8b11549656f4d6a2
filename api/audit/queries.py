"""Audit queries: an item's trail, the pull feed for integrations, chain verification."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select

from api import nodes
from api.audit.types import AuditEvent, AuditEventFilter, AuditVerification
from api.context import Info
from api.failures import ClientError
from api.relay import Connection, build_connection, decode_cursor, from_global_id, page_size
from audit.schema import audit_event
from audit.verify import verify_chain
from domain.actor import Role

A = audit_event.c
FEED_READERS = frozenset({Role.AUDITOR, Role.SUPERVISOR, Role.LEADER, Role.INTEGRATION})
VERIFIERS = frozenset({Role.AUDITOR, Role.SUPERVISOR, Role.LEADER})


def _position_after(after: str | None) -> int:
    if after is None:
        return 0
    (value,) = decode_cursor(after, 1)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ClientError("the `after` cursor is not valid", code="VALIDATION") from None


async def trail(
    info: Info, aggregate_id: str, first: int | None, after: str | None
) -> Connection[AuditEvent]:
    size = page_size(first, default=50)
    type_name, local_id = from_global_id(aggregate_id)
    kind = nodes.kind_of(type_name)
    if kind is None:
        raise ClientError(f"{type_name} has no audit trail", code="VALIDATION")
    if await kind.load(info, local_id) is None:
        raise ClientError(f"{aggregate_id} was not found", code="NOT_FOUND")
    aggregate_type, key = kind.aggregate_type, kind.audit_id(local_id)
    query = (
        select(audit_event)
        .where(
            A.aggregate_type == aggregate_type,
            A.aggregate_id == key,
            A.position > _position_after(after),
        )
        .order_by(A.position)
        .limit(size + 1)
    )
    async with info.context.call.runtime.engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return build_connection(
        rows, size=size, after=after, key=lambda r: [str(r.position)], node=AuditEvent.from_row
    )


async def feed(
    info: Info, after: str | None, first: int | None, filter: AuditEventFilter | None
) -> Connection[AuditEvent]:
    if info.context.call.actor.role not in FEED_READERS:
        raise ClientError("this role may not read the audit feed", code="FORBIDDEN")
    size = page_size(first, default=100, maximum=1000)
    query = select(audit_event).where(A.position > _position_after(after))
    if filter is not None:
        if filter.aggregate_type:
            query = query.where(A.aggregate_type == filter.aggregate_type)
        if filter.event_type:
            query = query.where(A.event_type == filter.event_type)
        if filter.correlation_id:
            try:
                query = query.where(A.correlation_id == UUID(str(filter.correlation_id)))
            except ValueError:
                raise ClientError("correlationId must be a UUID", code="VALIDATION") from None
    query = query.order_by(A.position).limit(size + 1)
    async with info.context.call.runtime.engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return build_connection(
        rows, size=size, after=after, key=lambda r: [str(r.position)], node=AuditEvent.from_row
    )


async def verification(info: Info, start: str | None, end: str | None) -> AuditVerification:
    if info.context.call.actor.role not in VERIFIERS:
        raise ClientError("this role may not verify the audit log", code="FORBIDDEN")
    try:
        first = int(start) if start else 1
        last = int(end) if end else None
    except ValueError:
        raise ClientError(
            "from and to must be positions (decimal strings)", code="VALIDATION"
        ) from None
    async with info.context.call.runtime.engine.connect() as conn:
        result = await verify_chain(conn, start=first, end=last)
    return AuditVerification(
        ok=result.ok,
        checked=result.checked,
        first_broken_position=(
            str(result.first_broken_position) if result.first_broken_position else None
        ),
        problem=result.problem,
    )
