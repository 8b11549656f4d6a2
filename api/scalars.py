"""One spelling per instant: DateTime is always UTC with microseconds (2026-11-23T01:00:00.000000+00:00).

The executor and the compiled read path (api/fastpath.py) must print the same bytes, and clients
get a fixed-width, sortable form.
"""

from __future__ import annotations

import datetime as dt

import dateutil.parser
import strawberry


def serialize(value: dt.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("DateTime values must be timezone-aware")
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def parse(value: object) -> dt.datetime:
    if not isinstance(value, str):
        raise ValueError("DateTime must be an ISO 8601 string")
    return dateutil.parser.isoparse(value)


DateTime = strawberry.scalar(
    name="DateTime",
    description="An instant: ISO 8601, UTC, microseconds (e.g. 2026-11-23T01:00:00.000000+00:00).",
    serialize=serialize,
    parse_value=parse,
)
