"""Per-request context: the call (actor, request id, runtime) and the request's DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from strawberry.types import Info as StrawberryInfo

from api.loaders import Loaders
from service.context import Call


@dataclass
class Context:
    call: Call
    extras: dict[str, object] = field(default_factory=dict)

    @cached_property
    def loaders(self) -> Loaders:
        return Loaders(self.call)


Info = StrawberryInfo[Context, None]
