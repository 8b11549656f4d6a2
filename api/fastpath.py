"""Compiled reads: a whole query answered by one SQL statement whose JSON PostgreSQL builds.

GraphQL execution in Python costs about 0.2 ms per resolved field, so a 50-row list with nested
objects spends most of its time in the executor rather than the database. For the documents
front-ends send most (complaint lists and lookups with scalar fields, units and categories), this
module compiles the validated document once into SQL that returns the `data` object as JSON text,
and answers it without the executor. Anything it does not know — fragments, directives, filters,
personal data, deadlines, mutations — returns None and takes the ordinary path, which stays the
reference: tests run both paths on the same documents and compare (docs/decisions/0010).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    parse,
    validate,
)
from graphql.execution.values import get_argument_values, get_variable_values
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.ext.asyncio import AsyncEngine

from api.relay import MAX_PAGE
from domain.actor import Actor
from runtime.database import APP_ROLE

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
TS_FORMAT = '\'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"\''


class NotCompilable(Exception):
    """The document uses something this compiler does not translate; use the executor."""


def ts(expr: str) -> str:
    """The DateTime scalar's spelling (api/scalars.py): UTC, microseconds, +00:00."""
    return f"to_char({expr} AT TIME ZONE 'UTC', {TS_FORMAT})"


def b64url(expr: str) -> str:
    """base64url without padding, as api.relay.to_global_id and the keyset cursors spell it."""
    return (
        f"rtrim(translate(replace(encode(convert_to({expr}, 'UTF8'), 'base64'), E'\\n', ''),"
        " '+/', '-_'), '=')"
    )


def global_id(type_name: str, key_expr: str) -> str:
    return b64url(f"'{type_name}:' || {key_expr}")


def complaint_cursor(alias: str) -> str:
    micros = f"(extract(epoch FROM {alias}.received_at) * 1000000)::bigint::text"
    return b64url(f"{micros} || ':' || {alias}.id::text")


def encode_complaint_cursor(micros: int, complaint_id: UUID) -> str:
    raw = f"{micros}:{complaint_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_complaint_cursor(cursor: str) -> tuple[int, UUID] | None:
    try:
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()).decode()
        micros, _, uuid = raw.partition(":")
        return int(micros), UUID(uuid)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def _obj(pairs: list[tuple[str, str]]) -> str:
    if not pairs:
        raise NotCompilable("empty selection")
    # json_build_object takes at most 100 arguments; nest nothing clever, just refuse.
    if len(pairs) > 50:
        raise NotCompilable("too many fields")
    return "json_build_object(" + ", ".join(f"'{key}', {value}" for key, value in pairs) + ")"


def _key(node: FieldNode) -> str:
    key = node.alias.value if node.alias else node.name.value
    if not key.replace("_", "").isalnum():
        raise NotCompilable("unusual key")
    return key


@dataclass
class _Params:
    """Bind parameters collected while compiling; values come from arguments at run time."""

    values: dict[str, Any]

    def add(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f"%({name})s"


Scalars = dict[str, Callable[[str], str]]

UNIT_SCALARS: Scalars = {
    "id": lambda a: global_id("Unit", f"{a}.code"),
    "code": lambda a: f"{a}.code",
    "name": lambda a: f"{a}.name",
    "kind": lambda a: f"{a}.kind",
    "path": lambda a: f"{a}.path",
    "__typename": lambda a: "'Unit'",
}
CATEGORY_SCALARS: Scalars = {
    "id": lambda a: global_id("ComplaintCategory", f"{a}.code"),
    "code": lambda a: f"{a}.code",
    "name": lambda a: f"{a}.name",
    "isEnforcement": lambda a: f"{a}.is_enforcement",
    "__typename": lambda a: "'ComplaintCategory'",
}
COMPLAINT_SCALARS: Scalars = {
    "id": lambda a: global_id("Complaint", f"{a}.id::text"),
    "version": lambda a: f"{a}.version",
    "channel": lambda a: f"{a}.channel_code",
    "receivedAt": lambda a: ts(f"{a}.received_at"),
    "subject": lambda a: f"{a}.subject",
    "content": lambda a: f"{a}.content",
    "status": lambda a: f"{a}.status",
    "important": lambda a: f"{a}.important",
    "reopenCount": lambda a: f"{a}.reopen_count",
    "rejectionReason": lambda a: f"{a}.rejection_reason",
    "closedAt": lambda a: (
        f"CASE WHEN {a}.closed_at IS NULL THEN NULL ELSE {ts(f'{a}.closed_at')} END"
    ),
    "correlationId": lambda a: f"{a}.correlation_id::text",
    "__typename": lambda a: "'Complaint'",
}


class _Compiler:
    def __init__(self) -> None:
        self.depth = 0

    def _alias(self) -> str:
        self.depth += 1
        return f"t{self.depth}"

    def _fields(self, node: FieldNode) -> list[FieldNode]:
        if node.selection_set is None:
            raise NotCompilable("no selection")
        fields = []
        for selection in node.selection_set.selections:
            if not isinstance(selection, FieldNode) or selection.directives:
                raise NotCompilable("fragments and directives take the executor")
            fields.append(selection)
        return fields

    def _pairs(
        self,
        node: FieldNode,
        alias: str,
        scalars: Scalars,
        nested: dict[str, Callable[[FieldNode, str], str]],
    ) -> list[tuple[str, str]]:
        pairs = []
        for field in self._fields(node):
            name = field.name.value
            if field.arguments:
                raise NotCompilable("arguments on nested fields")
            if name in scalars:
                pairs.append((_key(field), scalars[name](alias)))
            elif name in nested:
                pairs.append((_key(field), nested[name](field, alias)))
            else:
                raise NotCompilable(f"field {name}")
        return pairs

    def unit(self, node: FieldNode, code_expr: str) -> str:
        a = self._alias()
        body = _obj(
            self._pairs(
                node, a, UNIT_SCALARS, {"parent": lambda f, x: self.unit(f, f"{x}.parent_code")}
            )
        )
        return f"(SELECT {body} FROM unit {a} WHERE {a}.code = {code_expr})"

    def category(self, node: FieldNode, code_expr: str) -> str:
        a = self._alias()
        nested = {"parent": lambda f, x: self.category(f, f"{x}.parent_code")}
        body = _obj(self._pairs(node, a, CATEGORY_SCALARS, nested))
        return f"(SELECT {body} FROM complaint_category {a} WHERE {a}.code = {code_expr})"

    def units_array(self, node: FieldNode, array_expr: str) -> str:
        a = self._alias()
        body = _obj(
            self._pairs(
                node, a, UNIT_SCALARS, {"parent": lambda f, x: self.unit(f, f"{x}.parent_code")}
            )
        )
        return (
            f"(SELECT coalesce(json_agg({body} ORDER BY x.ord), '[]'::json)"
            f" FROM unnest({array_expr}) WITH ORDINALITY AS x(code, ord)"
            f" JOIN unit {a} ON {a}.code = x.code)"
        )

    def _optional(self, node: FieldNode, test: str, scalars: Scalars, alias: str) -> str:
        body = _obj(self._pairs(node, alias, scalars, {}))
        return f"CASE WHEN {test} THEN NULL ELSE {body} END"

    def complaint(self, node: FieldNode, alias: str) -> str:
        external: Scalars = {
            "system": lambda a: f"{a}.external_system",
            "ticketId": lambda a: f"{a}.external_ticket",
            "__typename": lambda a: "'ExternalRef'",
        }
        reply: Scalars = {
            "text": lambda a: f"{a}.reply_text",
            "repliedAt": lambda a: ts(f"{a}.replied_at"),
            "__typename": lambda a: "'Reply'",
        }
        callback: Scalars = {
            "satisfaction": lambda a: f"{a}.satisfaction",
            "note": lambda a: f"{a}.callback_note",
            "calledBackAt": lambda a: ts(f"{a}.called_back_at"),
            "__typename": lambda a: "'Callback'",
        }
        nested: dict[str, Callable[[FieldNode, str], str]] = {
            "primaryUnit": lambda f, a: self.unit(f, f"{a}.primary_unit_code"),
            "lineUnit": lambda f, a: self.unit(f, f"{a}.line_unit_code"),
            "category": lambda f, a: self.category(f, f"{a}.category_code"),
            "complainedUnits": lambda f, a: self.units_array(f, f"{a}.complained_units"),
            "externalRef": lambda f, a: self._optional(
                f, f"{a}.external_system IS NULL", external, a
            ),
            "reply": lambda f, a: self._optional(f, f"{a}.replied_at IS NULL", reply, a),
            "callback": lambda f, a: self._optional(f, f"{a}.called_back_at IS NULL", callback, a),
        }
        return _obj(self._pairs(node, alias, COMPLAINT_SCALARS, nested))


@dataclass(frozen=True)
class Plan:
    """A compiled document: SQL text plus how to bind one request's arguments."""

    sql: str
    params: dict[str, Any]


def _visibility(actor: Actor, params: _Params, alias: str) -> str:
    if not actor.is_unit_scoped:
        return "true"
    unit = params.add(actor.unit)
    officer = params.add(actor.officer)
    subtree = "(SELECT code FROM unit WHERE path = r.path OR left(path, length(r.path) + 1) = r.path || '.')"
    return (
        f"EXISTS (SELECT 1 FROM unit r WHERE r.code = {unit} AND"
        f" ({alias}.primary_unit_code IN {subtree} OR {alias}.line_unit_code IN {subtree}))"
        f" AND NOT jiandu_hidden_from({alias}.complained_units, {alias}.complained_officers,"
        f" {unit}::text, {officer}::text)"
    )


def _complaints(
    c: _Compiler, node: FieldNode, args: dict[str, Any], actor: Actor, params: _Params
) -> str:
    if args.get("filter") is not None:
        raise NotCompilable("filters take the executor")
    size = args.get("first")
    size = 20 if size is None else size
    if not 0 <= size <= MAX_PAGE:
        raise NotCompilable("page size out of range: the executor reports it")
    after = args.get("after")
    keyset = "true"
    if after is not None:
        decoded = decode_complaint_cursor(after)
        if decoded is None:
            raise NotCompilable("bad cursor: the executor reports it")
        micros, last_id = decoded
        received = EPOCH + timedelta(microseconds=micros)
        keyset = f"(p.received_at, p.id) < ({params.add(received)}, {params.add(last_id)}::uuid)"
    limit = params.add(size)
    page = (
        f"SELECT p.* FROM complaint p WHERE {_visibility(actor, params, 'p')} AND {keyset}"
        f" ORDER BY p.received_at DESC, p.id DESC LIMIT {params.add(size + 1)}"
    )
    shown = f"(SELECT * FROM page ORDER BY received_at DESC, id DESC LIMIT {limit})"
    pairs: list[tuple[str, str]] = []
    for field in c._fields(node):
        name, key = field.name.value, _key(field)
        if field.arguments:
            raise NotCompilable("arguments on connection fields")
        if name == "__typename":
            pairs.append((key, "'ComplaintConnection'"))
        elif name == "nodes":
            a = c._alias()
            body = c.complaint(field, a)
            pairs.append(
                (
                    key,
                    f"(SELECT coalesce(json_agg({body} ORDER BY {a}.received_at DESC, {a}.id DESC), '[]'::json) FROM {shown} {a})",
                )
            )
        elif name == "edges":
            a = c._alias()
            edge: list[tuple[str, str]] = []
            for sub in c._fields(field):
                if sub.arguments:
                    raise NotCompilable("arguments on edge fields")
                if sub.name.value == "cursor":
                    edge.append((_key(sub), complaint_cursor(a)))
                elif sub.name.value == "node":
                    edge.append((_key(sub), c.complaint(sub, a)))
                elif sub.name.value == "__typename":
                    edge.append((_key(sub), "'ComplaintEdge'"))
                else:
                    raise NotCompilable(f"edge field {sub.name.value}")
            pairs.append(
                (
                    key,
                    f"(SELECT coalesce(json_agg({_obj(edge)} ORDER BY {a}.received_at DESC, {a}.id DESC), '[]'::json) FROM {shown} {a})",
                )
            )
        elif name == "pageInfo":
            info: list[tuple[str, str]] = []
            for sub in c._fields(field):
                sub_name, sub_key = sub.name.value, _key(sub)
                if sub.arguments:
                    raise NotCompilable("arguments on page info")
                if sub_name == "hasNextPage":
                    info.append((sub_key, f"(SELECT count(*) FROM page) > {limit}"))
                elif sub_name == "hasPreviousPage":
                    info.append((sub_key, "true" if after is not None else "false"))
                elif sub_name == "startCursor":
                    info.append(
                        (
                            sub_key,
                            f"(SELECT {complaint_cursor('s')} FROM {shown} s ORDER BY s.received_at DESC, s.id DESC LIMIT 1)",
                        )
                    )
                elif sub_name == "endCursor":
                    info.append(
                        (
                            sub_key,
                            f"(SELECT {complaint_cursor('s')} FROM {shown} s ORDER BY s.received_at ASC, s.id ASC LIMIT 1)",
                        )
                    )
                elif sub_name == "__typename":
                    info.append((sub_key, "'PageInfo'"))
                else:
                    raise NotCompilable(f"page info field {sub_name}")
            pairs.append((key, _obj(info)))
        else:
            raise NotCompilable(f"connection field {name}")
    return f"(WITH page AS MATERIALIZED ({page}) SELECT {_obj(pairs)})"


def _complaint(
    c: _Compiler, node: FieldNode, args: dict[str, Any], actor: Actor, params: _Params
) -> str:
    from api.relay import uuid_of

    uuid = uuid_of(str(args["id"]), "Complaint")
    if uuid is None:
        return "NULL::json"
    a = c._alias()
    return (
        f"(SELECT {c.complaint(node, a)} FROM complaint {a}"
        f" WHERE {a}.id = {params.add(uuid)}::uuid AND {_visibility(actor, params, a)})"
    )


ROOTS = {"complaints": _complaints, "complaint": _complaint}


@dataclass(frozen=True)
class _Document:
    operation: OperationDefinitionNode | None


class FastPath:
    """Caches parsed and checked documents; compiles per request's arguments (cheap string work)."""

    def __init__(self, schema: GraphQLSchema, *, cache_size: int = 512) -> None:
        self.schema = schema
        self.cache_size = cache_size
        self._documents: OrderedDict[tuple[str, str | None], _Document] = OrderedDict()

    def _document(self, query: str, operation_name: str | None) -> _Document:
        key = (query, operation_name)
        found = self._documents.get(key)
        if found is not None:
            self._documents.move_to_end(key)
            return found
        document = _Document(operation=self._operation(query, operation_name))
        self._documents[key] = document
        if len(self._documents) > self.cache_size:
            self._documents.popitem(last=False)
        return document

    def _operation(self, query: str, operation_name: str | None) -> OperationDefinitionNode | None:
        try:
            document = parse(query)
        except GraphQLError:
            return None
        if validate(self.schema, document):
            return None
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) != len(document.definitions):
            return None  # fragment definitions: the executor
        if operation_name is None:
            chosen = operations if len(operations) == 1 else []
        else:
            chosen = [o for o in operations if o.name and o.name.value == operation_name]
        if len(chosen) != 1:
            return None
        operation = chosen[0]
        if operation.operation is not OperationType.QUERY or operation.directives:
            return None
        return operation

    def plan(
        self, query: str, operation_name: str | None, variables: dict[str, Any] | None, actor: Actor
    ) -> Plan | None:
        operation = self._document(query, operation_name).operation
        if operation is None:
            return None
        coerced = get_variable_values(
            self.schema, operation.variable_definitions or (), variables or {}
        )
        if isinstance(coerced, list):
            return None  # variable errors: the executor reports them
        compiler = _Compiler()
        params = _Params({})
        pairs: list[tuple[str, str]] = []
        query_type = self.schema.query_type
        assert query_type is not None
        try:
            for selection in operation.selection_set.selections:
                if not isinstance(selection, FieldNode) or selection.directives:
                    return None
                name = selection.name.value
                if name == "__typename":
                    pairs.append((_key(selection), "'Query'"))
                    continue
                root = ROOTS.get(name)
                if root is None:
                    return None
                args = get_argument_values(query_type.fields[name], selection, coerced)
                pairs.append((_key(selection), root(compiler, selection, args, actor, params)))
            sql = f"SELECT {_obj(pairs)}::text"
        except NotCompilable:
            return None
        return Plan(sql=sql, params=params.values)


class Reader:
    """A small psycopg pool of its own: compiled reads skip SQLAlchemy's per-statement overhead.

    Opened lazily inside the serving event loop; every connection acts as the application role.
    """

    def __init__(self, engine: AsyncEngine, *, max_size: int = 8) -> None:
        self.conninfo = engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False
        )
        self.max_size = max_size
        self._pool: AsyncConnectionPool | None = None
        self._opening = asyncio.Lock()

    @staticmethod
    async def _configure(conn: AsyncConnection[Any]) -> None:
        await conn.execute(f"SET ROLE {APP_ROLE}")
        await conn.execute("SET TIME ZONE 'UTC'")
        await conn.commit()

    async def _open(self) -> AsyncConnectionPool:
        async with self._opening:
            if self._pool is None:
                pool = AsyncConnectionPool(
                    self.conninfo,
                    min_size=1,
                    max_size=self.max_size,
                    configure=self._configure,
                    kwargs={"autocommit": True, "prepare_threshold": 2},
                    open=False,
                )
                await pool.open()
                self._pool = pool
        return self._pool

    async def answer(self, plan: Plan) -> str:
        """The `data` object as JSON text."""
        pool = self._pool or await self._open()
        async with pool.connection() as conn:
            cursor = await conn.execute(plan.sql, plan.params)
            row = await cursor.fetchone()
        assert row is not None
        assert isinstance(row[0], str)
        return row[0]

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
