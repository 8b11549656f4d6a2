"""Debian's `wrk` for the read workloads, when it is on PATH: a Lua script, parsed output."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

GRACE = 60.0
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_DURATION = r"([\d.]+)(us|ms|s|m|h)"


def available() -> str | None:
    return shutil.which("wrk")


@dataclass(frozen=True, slots=True)
class WrkResult:
    requests: int
    seconds: float
    rate: float
    p50_ms: float | None
    p99_ms: float | None
    non_2xx: int
    socket_errors: int
    output: str


def _lua_string(data: bytes) -> str:
    text = data.decode()
    level = 1
    while f"]{'=' * level}]" in text:
        level += 1
    eq = "=" * level
    return f"[{eq}[{text}]{eq}]"


def script(bodies: list[bytes], token: str) -> str:
    """POST with JSON headers; one body as wrk.body, several rotated by request()."""
    lines = [
        'wrk.method = "POST"',
        'wrk.headers["Content-Type"] = "application/json"',
        f'wrk.headers["Authorization"] = "Bearer {token}"',
    ]
    if len(bodies) == 1:
        lines.append(f"wrk.body = {_lua_string(bodies[0])}")
    else:
        lines.append("local bodies = {")
        lines.extend(f"  {_lua_string(b)}," for b in bodies)
        lines += [
            "}",
            "local count = #bodies",
            "local i = 0",
            "function setup(thread)",
            "  thread:set('offset', math.random(count))",
            "end",
            "function init(args)",
            "  i = offset or 0",
            "end",
            "function request()",
            "  i = (i % count) + 1",
            "  return wrk.format(nil, nil, nil, bodies[i])",
            "end",
        ]
    return "\n".join(lines) + "\n"


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNITS_MS[unit]


def parse(output: str) -> WrkResult:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in " + _DURATION, output)
    if not rate or not total:
        raise ValueError(f"unexpected wrk output:\n{output}")
    p50 = re.search(r"^\s*50(?:\.0+)?%\s+" + _DURATION, output, re.MULTILINE)
    p99 = re.search(r"^\s*99(?:\.0+)?%\s+" + _DURATION, output, re.MULTILINE)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return WrkResult(
        requests=int(total.group(1)),
        seconds=_ms(total.group(2), total.group(3)) / 1000.0,
        rate=float(rate.group(1)),
        p50_ms=_ms(p50.group(1), p50.group(2)) if p50 else None,
        p99_ms=_ms(p99.group(1), p99.group(2)) if p99 else None,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(g) for g in sockets.groups()) if sockets else 0,
        output=output,
    )


def run(
    executable: str,
    url: str,
    bodies: list[bytes],
    token: str,
    *,
    concurrency: int,
    duration: float,
    workdir: Path,
    name: str,
) -> WrkResult:
    lua = workdir / f"{name}.lua"
    lua.write_text(script(bodies, token), encoding="utf-8")
    seconds = max(1, round(duration))
    threads = max(1, min(2, concurrency))
    args = [
        executable,
        f"-t{threads}",
        f"-c{concurrency}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(lua),
        url,
    ]
    done = subprocess.run(
        args, capture_output=True, text=True, timeout=seconds + GRACE, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk exited with {done.returncode}: {done.stderr or done.stdout}")
    return parse(done.stdout)
