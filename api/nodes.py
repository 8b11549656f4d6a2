"""Which global-id type names exist, how to load one for the caller, and its audit identity.

Every aggregate's API module registers its node kind here; `node(id)` and `auditTrail` use the
registry, so neither needs editing when an aggregate is added. A loader returns None for an item
that is absent or outside the caller's scope (never confirm that it exists).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from api.context import Info


@dataclass(frozen=True, slots=True)
class NodeKind:
    type_name: str
    aggregate_type: str
    load: Callable[[Info, str], Awaitable[Any | None]]
    # The aggregate id the audit log uses, from the global id's local part.
    audit_id: Callable[[str], str] = str


_KINDS: dict[str, NodeKind] = {}


def register(kind: NodeKind) -> NodeKind:
    if kind.type_name in _KINDS and _KINDS[kind.type_name] != kind:
        raise ValueError(f"node type {kind.type_name} is registered twice")
    _KINDS[kind.type_name] = kind
    return kind


def kind_of(type_name: str) -> NodeKind | None:
    return _KINDS.get(type_name)


def kind_for_aggregate(aggregate_type: str) -> NodeKind | None:
    for kind in _KINDS.values():
        if kind.aggregate_type == aggregate_type:
            return kind
    return None
