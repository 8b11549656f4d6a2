"""Operation names into the request log; unexpected errors logged with their stack, server-side."""

from __future__ import annotations

from collections.abc import Iterator

import structlog
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from api.failures import ClientError, with_code

log = structlog.get_logger("jiandu.graphql")


class OperationLogger(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        ctx = self.execution_context
        structlog.contextvars.bind_contextvars(operation=ctx.operation_name)
        result = ctx.result
        errors: list[GraphQLError] = list(getattr(result, "errors", None) or [])
        for error in errors:
            original = error.original_error
            if original is not None and not isinstance(original, ClientError | GraphQLError):
                log.error(
                    "resolver_failed",
                    path=error.path,
                    exc_info=(type(original), original, original.__traceback__),
                )
            with_code(error)
