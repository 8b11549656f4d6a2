"""Turn database failures that clients can act on into domain errors."""

from __future__ import annotations

import psycopg.errors
from sqlalchemy.exc import DBAPIError

from domain.errors import Conflict, DomainError

_CONFLICTS = (
    psycopg.errors.UniqueViolation,
    psycopg.errors.SerializationFailure,
    psycopg.errors.DeadlockDetected,
    psycopg.errors.LockNotAvailable,
)


def translate(error: DBAPIError) -> DomainError | None:
    """A CONFLICT for races the client can retry; None for genuine faults."""
    if isinstance(error.orig, _CONFLICTS):
        return Conflict("the item was changed concurrently; reload it and try again")
    return None
