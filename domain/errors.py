"""Domain errors: every expected failure of a command, each with a stable code."""

from __future__ import annotations

from collections.abc import Iterable


class DomainError(Exception):
    """An expected failure that a client can act on."""

    code = "DOMAIN"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationFailed(DomainError):
    code = "VALIDATION"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(DomainError):
    code = "NOT_FOUND"

    def __init__(self, kind: str, identifier: str) -> None:
        super().__init__(f"{kind} {identifier} was not found")
        self.kind = kind
        self.identifier = identifier


class Conflict(DomainError):
    code = "CONFLICT"

    def __init__(self, message: str, *, current_version: int | None = None) -> None:
        super().__init__(message)
        self.current_version = current_version


class Forbidden(DomainError):
    code = "FORBIDDEN"


class InvalidTransition(DomainError):
    code = "INVALID_TRANSITION"

    def __init__(self, *, current: str, attempted: str, allowed: Iterable[str]) -> None:
        self.current = current
        self.attempted = attempted
        self.allowed = tuple(sorted(allowed))
        allowed_text = ", ".join(self.allowed) or "none (final state)"
        super().__init__(f"cannot {attempted} from {current}; allowed next states: {allowed_text}")
