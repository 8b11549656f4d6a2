"""Figures: one Measurement per workload, printed as a table and written as JSON."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"

# Reference figures given in the brief for this machine class (2 cores). Not measured here.
REFERENCES: dict[str, dict[str, float]] = {
    "list": {"PostGraphile v5": 1700.0, "minimal Strawberry, 2 workers": 460.0},
    "one": {"PostGraphile v5": 4200.0, "minimal Strawberry, 2 workers": 2200.0},
}
REFERENCE_LABEL = "reference figures from the brief, not measured in this run"
CAVEAT = (
    "The load generator runs on the same 2 cores as the server and PostgreSQL, so it takes CPU "
    "from them: absolute figures are lower bounds, best compared with runs on the same machine."
)


@dataclass
class Measurement:
    key: str  # list | one | write
    label: str
    tool: str  # wrk | python
    unit: str  # req | pair
    concurrency: int
    seconds: float
    count: int
    errors: int
    rate: float
    p50_ms: float | None
    p99_ms: float | None
    error_samples: list[str] = field(default_factory=list)


def percentile_ms(latencies: list[float], p: float) -> float | None:
    """Nearest-rank percentile of latencies in seconds, in milliseconds."""
    if not latencies:
        return None
    ordered = sorted(latencies)
    rank = max(1, math.ceil(p / 100.0 * len(ordered)))
    return ordered[rank - 1] * 1000.0


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def table(measurements: list[Measurement]) -> str:
    header = (
        f"{'workload':<34} {'tool':<6} {'conc':>4} {'secs':>5} {'ops':>8} {'errors':>6} "
        f"{'ops/s':>9} {'p50 ms':>8} {'p99 ms':>8}"
    )
    lines = [header, "-" * len(header)]
    for m in measurements:
        lines.append(
            f"{m.label:<34} {m.tool:<6} {m.concurrency:>4} {m.seconds:>5.1f} {m.count:>8,} "
            f"{m.errors:>6,} {m.rate:>9,.1f} {_fmt(m.p50_ms, 2):>8} {_fmt(m.p99_ms, 2):>8}"
        )
    return "\n".join(lines)


def ratios(measurements: list[Measurement]) -> list[dict[str, Any]]:
    rows = []
    for m in measurements:
        for system, figure in REFERENCES.get(m.key, {}).items():
            rows.append(
                {
                    "workload": m.key,
                    "measured_rps": round(m.rate, 1),
                    "reference_system": system,
                    "reference_rps": figure,
                    "ratio": round(m.rate / figure, 2),
                }
            )
    return rows


def ratio_table(measurements: list[Measurement]) -> str:
    rows = ratios(measurements)
    if not rows:
        return ""
    labels = {m.key: m.label for m in measurements}
    lines = [
        f"Ratios against {REFERENCE_LABEL.upper()}:",
        f"{'workload':<34} {'measured':>9}  {'reference system':<32} {'ref req/s':>9} {'ratio':>6}",
    ]
    for r in rows:
        lines.append(
            f"{labels[r['workload']]:<34} {r['measured_rps']:>9,.1f}  {r['reference_system']:<32} "
            f"~{r['reference_rps']:>8,.0f} {r['ratio']:>5.2f}x"
        )
    if any(m.tool == "python" for m in measurements if m.key in REFERENCES):
        lines.append(
            "Reads measured with the Python generator are bound by its own CPU use; "
            "do not compare them with wrk figures."
        )
    return "\n".join(lines)


def write_json(document: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"bench-{stamp}.json"
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def document(
    measurements: list[Measurement], *, config: dict[str, Any], context: dict[str, Any]
) -> dict[str, Any]:
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": config,
        "context": context,
        "caveat": CAVEAT,
        "measurements": [asdict(m) for m in measurements],
        "reference_figures": {"note": REFERENCE_LABEL, "requests_per_second": REFERENCES},
        "ratios_to_reference": ratios(measurements),
    }
