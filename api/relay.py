"""Relay plumbing written once: global ids, the Node interface, keyset cursors and connections."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

import strawberry
from sqlalchemy import ColumnElement, Select, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine

from api.failures import ClientError
from domain.errors import NotFound

T = TypeVar("T")
MAX_PAGE = 100


def to_global_id(type_name: str, local_id: str) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{local_id}".encode()).decode().rstrip("=")


def from_global_id(global_id: str) -> tuple[str, str]:
    """(type name, local id); a ClientError when the id is not one of ours."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, local_id = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ClientError("not a valid global id", code="VALIDATION") from None
    if not type_name or not local_id:
        raise ClientError("not a valid global id", code="VALIDATION")
    return type_name, local_id


def uuid_of(global_id: str, expected_type: str) -> UUID | None:
    """The UUID inside a global id of `expected_type`, or None if it names something else."""
    try:
        type_name, local_id = from_global_id(global_id)
        return UUID(local_id) if type_name == expected_type else None
    except (ClientError, ValueError):
        return None


def uuid_or_not_found(global_id: str, type_name: str, kind: str) -> UUID:
    """The UUID inside a global id of `type_name`; NotFound (never a hint) otherwise."""
    uuid = uuid_of(global_id, type_name)
    if uuid is None:
        raise NotFound(kind, str(global_id))
    return uuid


@strawberry.interface(description="An object with a globally unique id (Relay).")
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo

    @strawberry.field(description="The nodes of this page, without cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def encode_cursor(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values), default=str).encode()).decode()


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError):
        raise ClientError("the `after` cursor is not valid", code="VALIDATION") from None
    if not isinstance(values, list) or len(values) != arity:
        raise ClientError("the `after` cursor is not valid", code="VALIDATION")
    return values


def page_size(first: int | None, *, default: int = 20, maximum: int = MAX_PAGE) -> int:
    size = default if first is None else first
    if size < 0 or size > maximum:
        raise ClientError(f"`first` must be between 0 and {maximum}", code="VALIDATION")
    return size


def build_connection(
    rows: Sequence[Any],
    *,
    size: int,
    after: str | None,
    key: Callable[[Any], Sequence[Any]],
    node: Callable[[Any], T],
    cursor: Callable[[Sequence[Any]], str] = encode_cursor,
) -> Connection[T]:
    """`rows` were fetched with LIMIT size+1: the extra row only says there is a next page."""
    page = rows[:size]
    edges = [Edge(cursor=cursor(key(row)), node=node(row)) for row in page]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > size,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


async def newest_first(
    engine: AsyncEngine,
    query: Select[Any],
    *,
    at: ColumnElement[Any],
    id: ColumnElement[Any],
    first: int | None,
    after: str | None,
    node: Callable[[Any], T],
) -> Connection[T]:
    """One page of `query`, newest first by (`at`, `id`), the cursor being (ISO time, UUID)."""
    size = page_size(first)
    if after is not None:
        moment, last = decode_cursor(after, 2)
        try:
            boundary = (datetime.fromisoformat(str(moment)), UUID(str(last)))
        except ValueError:
            raise ClientError("the `after` cursor is not valid", code="VALIDATION") from None
        query = query.where(tuple_(at, id) < tuple_(*boundary))
    query = query.order_by(at.desc(), id.desc()).limit(size + 1)
    async with engine.connect() as conn:
        found = (await conn.execute(query)).all()
    at_name, id_name = str(at.key), str(id.key)
    return build_connection(
        found,
        size=size,
        after=after,
        key=lambda r: (getattr(r, at_name).isoformat(), str(getattr(r, id_name))),
        node=node,
    )
