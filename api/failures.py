"""Errors as part of the schema: one `Error` interface, a type per code, one translation point."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import Enum
from typing import TypeVar

import strawberry
from graphql import GraphQLError

from domain import errors as domain

A = TypeVar("A")
T = TypeVar("T")


@strawberry.enum
class ErrorCode(Enum):
    VALIDATION = "VALIDATION"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    FORBIDDEN = "FORBIDDEN"
    INVALID_TRANSITION = "INVALID_TRANSITION"


class ClientError(Exception):
    """A query-level failure whose message is safe to show (not masked)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@strawberry.interface(description="Every expected failure: a stable code and a readable message.")
class Error:
    code: ErrorCode
    message: str


@strawberry.type
class ValidationError(Error):
    field: str | None = None


@strawberry.type
class NotFoundError(Error):
    pass


@strawberry.type
class ConflictError(Error):
    current_version: int | None = None


@strawberry.type
class ForbiddenError(Error):
    pass


@strawberry.type
class InvalidTransitionError(Error):
    current_status: str
    attempted: str
    allowed_next_statuses: list[str]


def to_error(error: domain.DomainError) -> Error:
    match error:
        case domain.ValidationFailed():
            return ValidationError(
                code=ErrorCode.VALIDATION, message=error.message, field=error.field
            )
        case domain.NotFound():
            return NotFoundError(code=ErrorCode.NOT_FOUND, message=error.message)
        case domain.Conflict():
            return ConflictError(
                code=ErrorCode.CONFLICT,
                message=error.message,
                current_version=error.current_version,
            )
        case domain.Forbidden():
            return ForbiddenError(code=ErrorCode.FORBIDDEN, message=error.message)
        case domain.InvalidTransition():
            return InvalidTransitionError(
                code=ErrorCode.INVALID_TRANSITION,
                message=error.message,
                current_status=error.current,
                attempted=error.attempted,
                allowed_next_statuses=list(error.allowed),
            )
    raise TypeError(f"no GraphQL error type for {type(error).__name__}")


def should_mask(error: GraphQLError) -> bool:
    """Hide everything unexpected; keep our client errors and GraphQL's own (syntax, validation)."""
    original = error.original_error
    # GraphQLError originals are the library's own input errors (e.g. variable coercion).
    return not (original is None or isinstance(original, ClientError | GraphQLError))


def with_code(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if isinstance(original, ClientError):
        error.extensions = {**(error.extensions or {}), "code": original.code}
    return error


async def present_or_error(
    action: Callable[[], Awaitable[A]],
    present: Callable[[A], T],
    translate: Callable[[domain.DomainError], object] = to_error,
) -> T | object:
    """Run a command; its aggregate presented as a GraphQL type, or its domain error as one."""
    try:
        return present(await action())
    except domain.DomainError as error:
        return translate(error)
