"""Who is acting: the principal a command or query runs for."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    INTAKE = "intake"
    SUPERVISOR = "supervisor"
    HANDLER = "handler"
    LEGAL = "legal"
    LEADER = "leader"
    AUDITOR = "auditor"
    INTEGRATION = "integration"
    SYSTEM = "system"


# Roles allowed to see a complainant's identity unmasked.
IDENTITY_READERS = frozenset({Role.INTAKE, Role.SUPERVISOR, Role.LEADER})


@dataclass(frozen=True, slots=True)
class Actor:
    """A principal, as named by its token (or the system itself for migrations and seeds)."""

    subject: str
    role: Role
    issuer: str = "jiandu"
    unit: str | None = None
    officer: str | None = None

    @property
    def is_unit_scoped(self) -> bool:
        """A handler with a unit sees only that unit's subtree; everyone else is centre-wide."""
        return self.role is Role.HANDLER and self.unit is not None

    @property
    def may_read_identity(self) -> bool:
        return self.role in IDENTITY_READERS

    def as_record(self) -> dict[str, str | None]:
        return {
            "issuer": self.issuer,
            "subject": self.subject,
            "role": self.role.value,
            "unit": self.unit,
            "officer": self.officer,
        }


SYSTEM_ACTOR = Actor(subject="system", role=Role.SYSTEM)
