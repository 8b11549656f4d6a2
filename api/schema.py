"""The schema: queries and mutations of every aggregate, with cached parsing and validation."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import strawberry
from sqlalchemy import select
from strawberry.extensions import MaskErrors, ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig

from api import nodes
from api.accountability import nodes as _accountability_nodes  # noqa: F401  (registers node kinds)
from api.accountability.mutations import AccountabilityMutations
from api.accountability.queries import AccountabilityQueries
from api.audit import queries as audit_queries
from api.audit.types import AuditEvent, AuditEventFilter, AuditVerification
from api.case import nodes as _case_nodes  # noqa: F401  (registers node kinds)
from api.case.mutations import CaseMutations
from api.case.queries import CaseQueries
from api.complaint import nodes as _complaint_nodes  # noqa: F401  (registers node kinds)
from api.complaint import queries as complaint_queries
from api.complaint.mutations import ComplaintMutations
from api.complaint.queries import ComplaintFilter
from api.complaint.types import Complaint
from api.context import Info
from api.failures import (
    ClientError,
    ConflictError,
    ForbiddenError,
    InvalidTransitionError,
    NotFoundError,
    ValidationError,
    should_mask,
)
from api.loop.types import LoopQueries
from api.observability import OperationLogger
from api.petition import nodes as _petition_nodes  # noqa: F401  (registers node kinds)
from api.petition.mutations import PetitionMutations
from api.petition.queries import PetitionQueries
from api.reference import nodes as _reference_nodes  # noqa: F401  (registers node kinds)
from api.reference.types import ComplaintCategory, Unit
from api.relay import Connection, Node, from_global_id
from api.review import nodes as _review_nodes  # noqa: F401  (registers node kinds)
from api.review.mutations import ReviewMutations
from api.review.queries import ReviewQueries
from api.scalars import DateTime
from api.warning import nodes as _warning_nodes  # noqa: F401  (registers node kinds)
from api.warning.mutations import WarningMutations
from api.warning.queries import WarningQueries
from store import rows

SDL_PATH = Path(__file__).resolve().parent.parent / "schema.graphql"


@strawberry.type
class Viewer:
    subject: str
    role: str
    unit: str | None
    officer: str | None


@strawberry.type
class Query(
    LoopQueries,
    CaseQueries,
    ReviewQueries,
    PetitionQueries,
    AccountabilityQueries,
    WarningQueries,
):
    @strawberry.field(description="Any object by its global id; null if absent or out of scope.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        type_name, local_id = from_global_id(id)
        kind = nodes.kind_of(type_name)
        return await kind.load(info, local_id) if kind else None

    @strawberry.field(description="Who the token says you are.")
    def viewer(self, info: Info) -> Viewer:
        actor = info.context.call.actor
        return Viewer(
            subject=actor.subject, role=actor.role.value, unit=actor.unit, officer=actor.officer
        )

    @strawberry.field(description="The unit tree, in path order.")
    async def units(self, info: Info) -> list[Unit]:
        async with info.context.call.runtime.engine.connect() as conn:
            found = await conn.execute(select(rows.unit).order_by(rows.unit.c.path))
        return [Unit.from_row(r) for r in found]

    @strawberry.field(description="The complaint taxonomy, parents before children.")
    async def complaint_categories(self, info: Info) -> list[ComplaintCategory]:
        async with info.context.call.runtime.engine.connect() as conn:
            found = await conn.execute(
                select(rows.category).order_by(
                    rows.category.c.parent_code.is_not(None), rows.category.c.code
                )
            )
        return [ComplaintCategory.from_row(r) for r in found]

    @strawberry.field
    async def complaint(self, info: Info, id: strawberry.ID) -> Complaint | None:
        return await complaint_queries.complaint(info, id)

    @strawberry.field(description="Newest first; keyset cursors; `first` at most 100.")
    async def complaints(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: ComplaintFilter | None = None,
    ) -> Connection[Complaint]:
        return await complaint_queries.complaints(info, first, after, filter)

    @strawberry.field(description="An item's audit events, oldest first.")
    async def audit_trail(
        self,
        info: Info,
        aggregate_id: strawberry.ID,
        first: int | None = 50,
        after: str | None = None,
    ) -> Connection[AuditEvent]:
        return await audit_queries.trail(info, aggregate_id, first, after)

    @strawberry.field(
        description="The whole log by gap-free position, for integrations that pull (first ≤ 1000)."
    )
    async def audit_events(
        self,
        info: Info,
        after: str | None = None,
        first: int | None = 100,
        filter: AuditEventFilter | None = None,
    ) -> Connection[AuditEvent]:
        return await audit_queries.feed(info, after, first, filter)

    @strawberry.field(description="Recompute the hash chain over positions from..to (default all).")
    async def audit_verification(
        self,
        info: Info,
        from_: Annotated[str | None, strawberry.argument(name="from")] = None,
        to: str | None = None,
    ) -> AuditVerification:
        return await audit_queries.verification(info, from_, to)


@strawberry.type
class Mutation(
    ComplaintMutations,
    CaseMutations,
    ReviewMutations,
    PetitionMutations,
    AccountabilityMutations,
    WarningMutations,
):
    pass


schema = strawberry.Schema(
    query=Query,
    config=StrawberryConfig(scalar_map={datetime: DateTime}),
    mutation=Mutation,
    types=[ValidationError, NotFoundError, ConflictError, ForbiddenError, InvalidTransitionError],
    extensions=[
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        lambda: MaskErrors(should_mask_error=should_mask, error_message="Internal error."),
        OperationLogger,
    ],
)


def sdl() -> str:
    return schema.as_str() + "\n"


__all__ = ["SDL_PATH", "ClientError", "schema", "sdl"]
