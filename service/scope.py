"""Unit scope: a handler sees and changes only its own unit's subtree."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.actor import Actor
from store import rows


def subtree_codes(root_code: str) -> ColumnElement[bool]:
    """True for unit rows in root_code's subtree (the root included)."""
    root_path = select(rows.unit.c.path).where(rows.unit.c.code == root_code).scalar_subquery()
    path = rows.unit.c.path
    # An exact prefix test: LIKE would treat an underscore in a unit code as a wildcard.
    return or_(
        path == root_path, func.left(path, func.length(root_path) + 1) == root_path.concat(".")
    )


def subtree_select(root_code: str) -> Select[tuple[str]]:
    return select(rows.unit.c.code).where(subtree_codes(root_code))


def complaint_visibility(actor: Actor) -> ColumnElement[bool] | None:
    """The condition a complaint row must meet for `actor`, or None when centre-wide."""
    if not actor.is_unit_scoped:
        return None
    assert actor.unit is not None
    units = subtree_select(actor.unit)
    c = rows.complaint.c
    # Never shown to a unit or officer complained about (migration 0002, jiandu_hidden_from).
    hidden = func.jiandu_hidden_from(
        c.complained_units, c.complained_officers, actor.unit, actor.officer
    )
    return or_(c.primary_unit_code.in_(units), c.line_unit_code.in_(units)) & ~hidden


async def hidden_from(
    conn: AsyncConnection, *, units: tuple[str, ...], officers: tuple[str, ...], actor: Actor
) -> bool:
    """Whether a complaint about `units` and `officers` must be hidden from `actor`."""
    if not actor.is_unit_scoped:
        return False
    hidden = await conn.scalar(
        select(func.jiandu_hidden_from(list(units), list(officers), actor.unit, actor.officer))
    )
    return bool(hidden)


async def within_any(conn: AsyncConnection, *, unit_code: str, roots: tuple[str, ...]) -> bool:
    """Whether unit_code lies inside the subtree of any of `roots`."""
    for root in roots:
        if await conn.scalar(select(func.jiandu_unit_within(unit_code, root))):
            return True
    return False


async def in_subtree(conn: AsyncConnection, *, unit_code: str | None, root_code: str) -> bool:
    if unit_code is None:
        return False
    found = await conn.scalar(
        select(rows.unit.c.code).where(rows.unit.c.code == unit_code, subtree_codes(root_code))
    )
    return found is not None
