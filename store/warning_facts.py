"""What each rule kind measures, read from committed tables: one set-based query per kind.

Every function returns the findings for the subjects in scope (all subjects when `scope` is
None) whose measure could reach some threshold; `Scope` names items (on-change evaluation of the
items a transaction touched) or subject keys. The measure is compared with the levels in
`domain.warning`, not here, so thresholds stay data.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.warning.aggregate import Finding, ItemRef
from domain.warning.clocks import ClockPhases, phase_at
from domain.warning.rules import Direction, RuleKind, WarningRule
from domain.warning.status import SubjectKind


@dataclass(frozen=True, slots=True)
class Scope:
    """Which subjects to evaluate: None everywhere means all of them."""

    items: Sequence[ItemRef] | None = None
    subject_keys: Sequence[str] | None = None
    shard: int | None = None  # deadline scans: one shard of the clocks (hex digit of the id)

    @property
    def everything(self) -> bool:
        return self.items is None and self.subject_keys is None


ALL = Scope()
SHARD_DIGITS = "0123456789abcdef"


def _local(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _ids(scope: Scope, kind: str) -> list[str] | None:
    if scope.items is None:
        return None
    return [item.id for item in scope.items if item.type == kind]


def _loosest(rule: WarningRule) -> float:
    """The threshold of the least urgent level: anything short of it cannot warn."""
    values = list(rule.levels.values())
    return min(values) if rule.direction is Direction.HIGHER_IS_WORSE else max(values)


# -- deadline rules: the running-clock projection ---------------------------------------------

_CLOCKS = """
SELECT aggregate_type, aggregate_id, clock_key, rule_code, name, unit_code, correlation_id,
       warn_at, last_day_at, due_at, basis, computation
FROM clock_watch
WHERE warn_at <= :now {where}
"""


def _clock_where(scope: Scope, params: dict[str, Any]) -> str:
    clauses = []
    if scope.shard is not None:
        clauses.append("shard = :shard")
        params["shard"] = scope.shard
    if scope.items is not None:
        clauses.append(
            "(aggregate_type, aggregate_id) IN (SELECT * FROM unnest("
            "CAST(:types AS text[]), CAST(:ids AS text[])))"
        )
        params["types"] = [i.type for i in scope.items]
        params["ids"] = [i.id for i in scope.items]
    return "".join(f" AND {c}" for c in clauses)


def clock_subject(aggregate_type: str, aggregate_id: str, clock_key: str) -> str:
    return f"clock:{aggregate_type}:{aggregate_id}:{clock_key}"


def _clock_finding(row: Any, measure: float, details: str) -> Finding:
    return Finding(
        subject_kind=SubjectKind.ITEM,
        subject_key=clock_subject(row.aggregate_type, row.aggregate_id, row.clock_key),
        subject_label=f"{row.aggregate_type} {row.aggregate_id[:8]} · {row.name}",
        window_key=row.due_at.isoformat(),
        measure=measure,
        details=details,
        unit_code=row.unit_code,
        items=(ItemRef(row.aggregate_type, row.aggregate_id),),
        item=ItemRef(row.aggregate_type, row.aggregate_id),
        correlation_id=row.correlation_id,
        due_at=row.due_at,
        basis=row.basis,
    )


async def deadline(
    conn: AsyncConnection, rule: WarningRule, now: datetime, tz: ZoneInfo, scope: Scope
) -> list[Finding]:
    params: dict[str, Any] = {"now": now}
    result = await conn.execute(text(_CLOCKS.format(where=_clock_where(scope, params))), params)
    found = []
    for row in result:
        phase = phase_at(ClockPhases(row.warn_at, row.last_day_at, row.due_at), now)
        state = {1: "due soon", 2: "due on its last day", 3: "overdue"}.get(phase, "running")
        found.append(
            _clock_finding(
                row,
                phase,
                f"{row.name} ({row.rule_code}) is {state}: due {_local(row.due_at, tz)}. "
                f"{row.computation}",
            )
        )
    return found


async def _measure_clocks(
    conn: AsyncConnection,
    scope: Scope,
    now: datetime,
    rule_codes: Sequence[str],
    horizon: timedelta,
) -> list[Any]:
    params: dict[str, Any] = {"now": now + horizon, "codes": list(rule_codes)}
    where = _clock_where(scope, params) + " AND rule_code = ANY(:codes)"
    query = _CLOCKS.replace("warn_at <= :now", "due_at <= :now").format(where=where)
    return list(await conn.execute(text(query), params))


async def detention_overdue(
    conn: AsyncConnection, rule: WarningRule, now: datetime, tz: ZoneInfo, scope: Scope
) -> list[Finding]:
    horizon = timedelta(hours=max(0.0, -_loosest(rule)))
    codes = ("case.measure.CRIMINAL_DETENTION", "case.measure.CRIMINAL_DETENTION_SERIOUS")
    found = []
    for row in await _measure_clocks(conn, scope, now, codes, horizon):
        hours = round((now - row.due_at).total_seconds() / 3600, 1)
        word = "past" if hours >= 0 else "before"
        found.append(
            _clock_finding(
                row,
                hours,
                f"criminal detention limit {_local(row.due_at, tz)}; "
                f"{abs(hours):g} h {word} it, the person not released or transferred. "
                f"{row.computation}",
            )
        )
    return found


async def measure_near_limit(
    conn: AsyncConnection, rule: WarningRule, now: datetime, tz: ZoneInfo, scope: Scope
) -> list[Finding]:
    horizon = timedelta(days=max(0.0, _loosest(rule)))
    codes = ("case.measure.BAIL", "case.measure.RESIDENTIAL_SURVEILLANCE")
    found = []
    for row in await _measure_clocks(conn, scope, now, codes, horizon):
        days = round((row.due_at - now).total_seconds() / 86400, 1)
        found.append(
            _clock_finding(
                row,
                days,
                f"{row.name}: limit {_local(row.due_at, tz)}, {days:g} days left. "
                f"{row.computation}",
            )
        )
    return found


# -- case patterns ------------------------------------------------------------------------------

_STAGE_ENTERED = (
    "(SELECT max((h->>'at')::timestamptz) FROM jsonb_array_elements(c.stage_history) h "
    "WHERE h->>'stage' = '{stage}')"
)


@dataclass(frozen=True, slots=True)
class _CasePattern:
    stage: str
    since: str  # SQL for when the measured span starts
    unit: str  # "hours" or "days"
    words: str


_CASE_PATTERNS = {
    RuleKind.ALERT_NOT_ACCEPTED: _CasePattern(
        "ALERT_RECEIVED", "c.alert_received_at", "hours", "alert received {since}, not accepted"
    ),
    RuleKind.NOT_FILED: _CasePattern(
        "ACCEPTED",
        _STAGE_ENTERED.format(stage="ACCEPTED"),
        "days",
        "accepted {since}, no decision to file or not",
    ),
    RuleKind.FILED_NO_ACTIVITY: _CasePattern(
        "FILED", _STAGE_ENTERED.format(stage="FILED"), "days", "filed {since}, no investigation"
    ),
    RuleKind.LONG_INVESTIGATION: _CasePattern(
        "INVESTIGATING",
        _STAGE_ENTERED.format(stage="INVESTIGATING"),
        "days",
        "under investigation since {since}, not concluded",
    ),
}


def _case_where(scope: Scope, params: dict[str, Any]) -> str:
    ids = _ids(scope, "case")
    if ids is None:
        return ""
    params["case_ids"] = [UUID(i) for i in ids]
    return " AND c.id = ANY(:case_ids)"


def _case_finding(row: Any, kind: str, window: str, measure: float, details: str) -> Finding:
    item = ItemRef("case", str(row.id))
    return Finding(
        subject_kind=SubjectKind.ITEM,
        subject_key=f"case:{row.id}",
        subject_label=f"case {str(row.id)[:8]} · {row.title}",
        window_key=window,
        measure=measure,
        details=details,
        unit_code=row.unit_code,
        items=(item,),
        item=item,
        correlation_id=row.correlation_id,
    )


async def case_stage(
    conn: AsyncConnection, rule: WarningRule, now: datetime, tz: ZoneInfo, scope: Scope
) -> list[Finding]:
    pattern = _CASE_PATTERNS[rule.kind]
    seconds = 3600 if pattern.unit == "hours" else 86400
    params: dict[str, Any] = {
        "now": now,
        "stage": pattern.stage,
        "min_span": timedelta(seconds=_loosest(rule) * seconds),
    }
    query = f"""
        SELECT * FROM (
            SELECT c.id, c.title, c.unit_code, c.correlation_id, {pattern.since} AS since
            FROM police_case c WHERE c.stage = :stage {_case_where(scope, params)}
        ) s WHERE s.since IS NOT NULL AND :now - s.since >= :min_span
    """
    found = []
    for row in await conn.execute(text(query), params):
        span = round((now - row.since).total_seconds() / seconds, 1)
        words = pattern.words.format(since=_local(row.since, tz))
        found.append(
            _case_finding(
                row,
                rule.kind,
                f"{pattern.stage}@{row.since.isoformat()}",
                span,
                f"{words}: {span:g} {pattern.unit}.",
            )
        )
    return found


async def improper_withdrawal(
    conn: AsyncConnection, rule: WarningRule, now: datetime, tz: ZoneInfo, scope: Scope
) -> list[Finding]:
    params: dict[str, Any] = {"max_days": _loosest(rule)}
    query = f"""
        SELECT * FROM (
            SELECT c.id, c.title, c.unit_code, c.correlation_id,
                   {_STAGE_ENTERED.format(stage="FILED")} AS filed,
                   {_STAGE_ENTERED.format(stage="WITHDRAWN")} AS withdrawn
            FROM police_case c WHERE c.stage = 'WITHDRAWN' {_case_where(scope, params)}
              AND NOT EXISTS (
                SELECT 1 FROM review r WHERE r.origin_type = 'case'
                  AND r.origin_id = c.id::text AND r.kind = 'LEGAL_REVIEW')
        ) s
        WHERE s.filed IS NOT NULL
          AND extract(epoch FROM s.withdrawn - s.filed) / 86400 <= :max_days
    """
    found = []
    for row in await conn.execute(text(query), params):
        days = round((row.withdrawn - row.filed).total_seconds() / 86400, 1)
        found.append(
            _case_finding(
                row,
                rule.kind,
                f"WITHDRAWN@{row.withdrawn.isoformat()}",
                days,
                f"filed {_local(row.filed, tz)}, withdrawn {_local(row.withdrawn, tz)} "
                f"({days:g} days later) with no legal review (法制审核) of the withdrawal.",
            )
        )
    return found


# -- complaint patterns -------------------------------------------------------------------------

_COUNTED = (
    "c.status NOT IN ('MERGED','REJECTED') AND c.received_at > :since AND c.received_at <= :now"
)
# A pattern about a unit or officer goes to the unit above it: the complained unit may not see
# the complaints about itself (信访工作条例 art. 30).
_SUPERIOR = "coalesce(u.parent_code, u.code)"


def _window(rule: WarningRule, now: datetime) -> dict[str, Any]:
    days = rule.window_days or 90
    return {"now": now, "since": now - timedelta(days=days), "days": days}


@dataclass(frozen=True, slots=True)
class _Complained:
    """Who a complaint names, for the repeated-complaints rules."""

    kind: SubjectKind
    column: str  # the complaint's array of codes
    joins: str  # from x.code to the subject's name (`name`) and its unit `u`
    name: str
    label: str  # format: code, name, unit_name
    words: str


_COMPLAINED = {
    RuleKind.OFFICER_COMPLAINTS: _Complained(
        SubjectKind.OFFICER,
        "complained_officers",
        "JOIN officer o ON o.code = x.code JOIN unit u ON u.code = o.unit_code",
        "o.name",
        "officer {name} ({code}, {unit_name})",
        "naming the officer",
    ),
    RuleKind.UNIT_COMPLAINTS: _Complained(
        SubjectKind.UNIT,
        "complained_units",
        "JOIN unit u ON u.code = x.code",
        "u.name",
        "unit {name} ({code})",
        "against the unit",
    ),
}


async def complained_about(
    conn: AsyncConnection, rule: WarningRule, now: datetime, tz: ZoneInfo, scope: Scope
) -> list[Finding]:
    """Complaints naming one officer (or one unit) received in the rule's window."""
    named = _COMPLAINED[rule.kind]
    prefix = f"{named.kind.value.lower()}:"
    params = _window(rule, now) | {"min": _loosest(rule)}
    where = ""
    if scope.subject_keys is not None:
        params["codes"] = [k.removeprefix(prefix) for k in scope.subject_keys]
        where = " AND x.code = ANY(:codes)"
    query = f"""
        SELECT x.code, {named.name} AS name, {_SUPERIOR} AS unit_code, u.name AS unit_name,
               count(*) AS n, array_agg(c.id::text ORDER BY c.received_at) AS ids
        FROM complaint c CROSS JOIN LATERAL unnest(c.{named.column}) AS x(code) {named.joins}
        WHERE {_COUNTED} {where}
        GROUP BY x.code, {named.name}, u.code, u.parent_code, u.name HAVING count(*) >= :min
    """
    return [
        Finding(
            subject_kind=named.kind,
            subject_key=f"{prefix}{row.code}",
            subject_label=named.label.format(code=row.code, name=row.name, unit_name=row.unit_name),
            window_key=f"P{params['days']}D",
            measure=row.n,
            details=f"{row.n} complaints {named.words} in the {params['days']} days to "
            f"{_local(now, tz)}.",
            unit_code=row.unit_code,
            items=tuple(ItemRef("complaint", i) for i in row.ids),
        )
        for row in await conn.execute(text(query), params)
    ]


async def repeat_complainant(
    conn: AsyncConnection, rule: WarningRule, now: datetime, tz: ZoneInfo, scope: Scope
) -> list[Finding]:
    # The person is named by their first complaint ever (by phone): stable, and no personal data.
    params = _window(rule, now) | {"min": _loosest(rule), "channels": rule.params["minChannels"]}
    where = ""
    if scope.subject_keys is not None:
        params["firsts"] = [UUID(k.removeprefix("complainant:")) for k in scope.subject_keys]
        where = " WHERE g.first_id = ANY(:firsts)"
    query = f"""
        SELECT * FROM (
            SELECT p.phone,
                   (SELECT c0.id FROM complaint c0 JOIN complainant p0 ON p0.id = c0.complainant_id
                    WHERE p0.phone = p.phone ORDER BY c0.received_at, c0.id LIMIT 1) AS first_id,
                   count(*) AS n, count(DISTINCT c.channel_code) AS channels,
                   array_agg(DISTINCT c.channel_code) AS channel_codes,
                   array_agg(c.id::text ORDER BY c.received_at) AS ids,
                   (array_agg(c.primary_unit_code ORDER BY c.received_at DESC)
                        FILTER (WHERE c.primary_unit_code IS NOT NULL))[1] AS unit_code,
                   (array_agg(c.correlation_id ORDER BY c.received_at))[1] AS correlation_id
            FROM complaint c JOIN complainant p ON p.id = c.complainant_id
            WHERE {_COUNTED} AND p.phone IS NOT NULL
            GROUP BY p.phone
            HAVING count(*) >= :min AND count(DISTINCT c.channel_code) >= :channels
        ) g {where}
    """
    found = []
    for row in await conn.execute(text(query), params):
        found.append(
            Finding(
                subject_kind=SubjectKind.COMPLAINANT,
                subject_key=f"complainant:{row.first_id}",
                subject_label=f"the complainant of complaint {str(row.first_id)[:8]}",
                window_key=f"P{params['days']}D",
                measure=row.n,
                details=f"{row.n} complaints by one person through {row.channels} channels "
                f"({', '.join(sorted(row.channel_codes))}) in the {params['days']} days to "
                f"{_local(now, tz)}.",
                unit_code=row.unit_code,
                items=tuple(ItemRef("complaint", i) for i in row.ids),
            )
        )
    return found


async def unit_satisfaction(
    conn: AsyncConnection, rule: WarningRule, now: datetime, tz: ZoneInfo, scope: Scope
) -> list[Finding]:
    params: dict[str, Any] = {
        "now": now,
        "k": rule.params["lastCallbacks"],
        "min": rule.params["minCallbacks"],
        "worst": _loosest(rule),
    }
    where = ""
    if scope.subject_keys is not None:
        params["codes"] = [k.removeprefix("unit:") for k in scope.subject_keys]
        where = " AND c.primary_unit_code = ANY(:codes)"
    query = f"""
        SELECT t.unit, u.name, count(*) AS n,
               count(*) FILTER (WHERE t.satisfaction IN ('SATISFIED','BASICALLY_SATISFIED')) AS ok,
               array_agg(t.id::text ORDER BY t.called_back_at) AS ids
        FROM (
            SELECT c.primary_unit_code AS unit, c.id, c.satisfaction, c.called_back_at,
                   row_number() OVER (PARTITION BY c.primary_unit_code
                                      ORDER BY c.called_back_at DESC, c.id) AS rn
            FROM complaint c
            WHERE c.satisfaction IS NOT NULL AND c.called_back_at <= :now
              AND c.primary_unit_code IS NOT NULL {where}
        ) t JOIN unit u ON u.code = t.unit
        WHERE t.rn <= :k
        GROUP BY t.unit, u.name
        HAVING count(*) >= :min
           AND 100.0 * count(*) FILTER (WHERE t.satisfaction IN ('SATISFIED','BASICALLY_SATISFIED'))
               / count(*) <= :worst
    """
    found = []
    for row in await conn.execute(text(query), params):
        rate = round(100.0 * row.ok / row.n, 1)
        found.append(
            Finding(
                subject_kind=SubjectKind.UNIT,
                subject_key=f"unit:{row.unit}",
                subject_label=f"unit {row.name} ({row.unit})",
                window_key=f"last{params['k']}",
                measure=rate,
                details=f"{row.ok} of the unit's last {row.n} callbacks satisfied ({rate:g}%).",
                unit_code=row.unit,
                items=tuple(ItemRef("complaint", i) for i in row.ids),
            )
        )
    return found


# -- peer comparison ----------------------------------------------------------------------------

_PEER_COUNTS = {
    ("UNIT", "COMPLAINTS"): """
        SELECT x.code AS subject, count(*) AS n FROM complaint c
        CROSS JOIN LATERAL unnest(c.complained_units) AS x(code)
        WHERE c.status NOT IN ('MERGED','REJECTED') AND c.received_at > :since
          AND c.received_at <= :now GROUP BY x.code""",
    ("OFFICER", "COMPLAINTS"): """
        SELECT x.code AS subject, count(*) AS n FROM complaint c
        CROSS JOIN LATERAL unnest(c.complained_officers) AS x(code)
        WHERE c.status NOT IN ('MERGED','REJECTED') AND c.received_at > :since
          AND c.received_at <= :now GROUP BY x.code""",
    ("UNIT", "DISSATISFIED_CALLBACKS"): """
        SELECT c.primary_unit_code AS subject, count(*) AS n FROM complaint c
        WHERE c.satisfaction = 'DISSATISFIED' AND c.called_back_at > :since
          AND c.called_back_at <= :now AND c.primary_unit_code IS NOT NULL GROUP BY 1""",
    ("OFFICER", "DISSATISFIED_CALLBACKS"): """
        SELECT x.code AS subject, count(*) AS n FROM complaint c
        CROSS JOIN LATERAL unnest(c.complained_officers) AS x(code)
        WHERE c.satisfaction = 'DISSATISFIED' AND c.called_back_at > :since
          AND c.called_back_at <= :now GROUP BY x.code""",
    ("UNIT", "OVERDUE_CLOCKS"): """
        SELECT w.unit_code AS subject, count(*) AS n FROM clock_watch w
        WHERE w.due_at <= :now GROUP BY w.unit_code""",
    ("OFFICER", "OVERDUE_CLOCKS"): """
        SELECT c.lead_officer_code AS subject, count(*) AS n FROM clock_watch w
        JOIN police_case c ON w.aggregate_type = 'case' AND c.id::text = w.aggregate_id
        WHERE w.due_at <= :now AND c.lead_officer_code IS NOT NULL GROUP BY 1""",
}

_PEERS = {
    "UNIT": """SELECT u.code AS subject, u.name, u.kind AS peer_group,
                      coalesce(u.parent_code, u.code) AS unit_code FROM unit u""",
    "OFFICER": """SELECT o.code AS subject, o.name, u.kind AS peer_group,
                         coalesce(u.parent_code, u.code) AS unit_code
                  FROM officer o JOIN unit u ON u.code = o.unit_code""",
}


async def peer_outlier(
    conn: AsyncConnection, rule: WarningRule, now: datetime, tz: ZoneInfo, scope: Scope
) -> list[Finding]:
    who, measure = rule.params["subjects"], rule.params["measure"]
    days = int(rule.params["periodDays"])
    params: dict[str, Any] = {
        "now": now,
        "since": now - timedelta(days=days),
        "min_count": rule.params["minCount"],
        "min_ratio": _loosest(rule),
    }
    query = f"""
        WITH counts AS ({_PEER_COUNTS[(who, measure)]}),
        peers AS ({_PEERS[who]}),
        measured AS (
            SELECT p.subject, p.name, p.peer_group, p.unit_code, coalesce(k.n, 0) AS n,
                   avg(coalesce(k.n, 0)) OVER (PARTITION BY p.peer_group) AS mean,
                   count(*) OVER (PARTITION BY p.peer_group) AS peers
            FROM peers p LEFT JOIN counts k ON k.subject = p.subject
        )
        SELECT * FROM measured
        WHERE n >= :min_count AND peers > 1 AND mean > 0 AND n / mean >= :min_ratio
    """
    prefix = who.lower()
    found = []
    for row in await conn.execute(text(query), params):
        if scope.subject_keys is not None and f"{prefix}:{row.subject}" not in scope.subject_keys:
            continue
        ratio = round(float(row.n) / float(row.mean), 2)
        found.append(
            Finding(
                subject_kind=SubjectKind(who),
                subject_key=f"{prefix}:{row.subject}",
                subject_label=f"{prefix} {row.name} ({row.subject})",
                window_key=f"P{days}D:{measure}",
                measure=ratio,
                details=f"{measure.lower().replace('_', ' ')}: {row.n} in the {days} days to "
                f"{_local(now, tz)}, against a mean of {float(row.mean):.2f} over "
                f"{row.peers} {row.peer_group.lower()} peers ({ratio:g}×).",
                unit_code=row.unit_code,
            )
        )
    return found


Measure = Callable[
    [AsyncConnection, WarningRule, datetime, ZoneInfo, Scope], Awaitable[list[Finding]]
]

MEASURES: dict[RuleKind, Measure] = {
    RuleKind.DEADLINE: deadline,
    RuleKind.OFFICER_COMPLAINTS: complained_about,
    RuleKind.UNIT_COMPLAINTS: complained_about,
    RuleKind.REPEAT_COMPLAINANT: repeat_complainant,
    RuleKind.UNIT_SATISFACTION: unit_satisfaction,
    RuleKind.ALERT_NOT_ACCEPTED: case_stage,
    RuleKind.NOT_FILED: case_stage,
    RuleKind.FILED_NO_ACTIVITY: case_stage,
    RuleKind.LONG_INVESTIGATION: case_stage,
    RuleKind.DETENTION_OVERDUE: detention_overdue,
    RuleKind.MEASURE_NEAR_LIMIT: measure_near_limit,
    RuleKind.IMPROPER_WITHDRAWAL: improper_withdrawal,
    RuleKind.PEER_OUTLIER: peer_outlier,
}


async def complaint_subjects(
    conn: AsyncConnection, complaint_ids: Sequence[str]
) -> dict[str, list[str]]:
    """The officers, units and complainants that changed complaints bear on, as subject keys."""
    if not complaint_ids:
        return {"officer": [], "unit": [], "complainant": [], "handling": []}
    rows = await conn.execute(
        text(
            """
            SELECT c.complained_officers, c.complained_units, c.primary_unit_code,
                   (SELECT c0.id FROM complaint c0 JOIN complainant p0 ON p0.id = c0.complainant_id
                    WHERE p0.phone = p.phone ORDER BY c0.received_at, c0.id LIMIT 1) AS first_id
            FROM complaint c JOIN complainant p ON p.id = c.complainant_id
            WHERE c.id = ANY(:ids)
            """
        ),
        {"ids": [UUID(i) for i in complaint_ids]},
    )
    officers: set[str] = set()
    units: set[str] = set()
    people: set[str] = set()
    handling: set[str] = set()
    for row in rows:
        officers.update(f"officer:{c}" for c in row.complained_officers)
        units.update(f"unit:{c}" for c in row.complained_units)
        if row.primary_unit_code:
            handling.add(f"unit:{row.primary_unit_code}")
        if row.first_id:
            people.add(f"complainant:{row.first_id}")
    return {
        "officer": sorted(officers),
        "unit": sorted(units),
        "complainant": sorted(people),
        "handling": sorted(handling),
    }


async def withdrawal_cases(conn: AsyncConnection, review_ids: Sequence[str]) -> list[str]:
    """Cases whose legal review is among `review_ids` (a legal review clears 违规撤案)."""
    if not review_ids:
        return []
    rows = await conn.execute(
        text("SELECT origin_id FROM review WHERE id = ANY(:ids) AND origin_type = 'case'"),
        {"ids": [UUID(i) for i in review_ids]},
    )
    return [row.origin_id for row in rows]
