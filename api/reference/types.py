"""GraphQL types of reference data: units, officers, complaint categories, channels."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from api.context import Info
from api.relay import Node, to_global_id


@strawberry.enum(description="Intake channels (归口受理); reference data, grown by migration.")
class Channel(Enum):
    DIRECTOR_MAILBOX = "DIRECTOR_MAILBOX"
    HOTLINE_12389 = "HOTLINE_12389"
    HOTLINE_12345 = "HOTLINE_12345"
    PETITION = "PETITION"
    ONLINE = "ONLINE"


@strawberry.enum
class UnitKind(Enum):
    BUREAU = "BUREAU"
    SUB_BUREAU = "SUB_BUREAU"
    STATION = "STATION"
    LINE_DEPARTMENT = "LINE_DEPARTMENT"
    CENTRE = "CENTRE"


@strawberry.enum
class OfficerKind(Enum):
    POLICE = "POLICE"
    AUXILIARY = "AUXILIARY"


@strawberry.type(
    description="A unit of the bureau's tree (市局 → 分局 → 派出所, and line departments)."
)
class Unit(Node):
    code: str
    name: str
    kind: UnitKind
    path: str
    parent_code: strawberry.Private[str | None]

    @classmethod
    def from_row(cls, row: Any) -> Unit:
        return cls(
            id=strawberry.ID(to_global_id("Unit", row.code)),
            code=row.code,
            name=row.name,
            kind=UnitKind(row.kind),
            path=row.path,
            parent_code=row.parent_code,
        )

    @strawberry.field
    async def parent(self, info: Info) -> Unit | None:
        if self.parent_code is None:
            return None
        row = await info.context.loaders.unit.load(self.parent_code)
        return Unit.from_row(row) if row else None


@strawberry.type(description="An officer (民警) or auxiliary (聘员); a token subject maps to one.")
class Officer(Node):
    code: str
    name: str
    kind: OfficerKind
    unit_code: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: Any) -> Officer:
        return cls(
            id=strawberry.ID(to_global_id("Officer", row.code)),
            code=row.code,
            name=row.name,
            kind=OfficerKind(row.kind),
            unit_code=row.unit_code,
        )

    @strawberry.field(description="The unit the officer is assigned to now.")
    async def unit(self, info: Info) -> Unit:
        row = await info.context.loaders.unit.load(self.unit_code)
        return Unit.from_row(row)


@strawberry.type(description="A node of the multi-level complaint taxonomy (多层级分类).")
class ComplaintCategory(Node):
    code: str
    name: str
    is_enforcement: bool
    parent_code: strawberry.Private[str | None]

    @classmethod
    def from_row(cls, row: Any) -> ComplaintCategory:
        return cls(
            id=strawberry.ID(to_global_id("ComplaintCategory", row.code)),
            code=row.code,
            name=row.name,
            is_enforcement=row.is_enforcement,
            parent_code=row.parent_code,
        )

    @strawberry.field
    async def parent(self, info: Info) -> ComplaintCategory | None:
        if self.parent_code is None:
            return None
        row = await info.context.loaders.category.load(self.parent_code)
        return ComplaintCategory.from_row(row) if row else None
