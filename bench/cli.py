"""`python -m bench`: fresh database, seeded data, `jiandu serve`, HTTP load, tear-down."""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from api.auth import mint
from bench import loadgen, results, wrk
from bench.data import Routing
from bench.environment import BenchError, Environment, Server
from bench.results import Measurement, percentile_ms
from bench.workloads import IDS, body, list_body, mixed_bodies, one_bodies, trace_bodies
from domain.actor import Role

MAX_OPS = 5_000_000  # a bound on every loop besides its duration
WARMUP_SECONDS = 2.0
WARMUP_OPS = 400


def _say(message: str) -> None:
    sys.stderr.write(f"[bench] {message}\n")
    sys.stderr.flush()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per workload")
    parser.add_argument("--complaints", type=int, default=2000, help="complaints to seed")
    parser.add_argument("--workers", type=int, default=2, help="`jiandu serve --workers`")
    parser.add_argument(
        "--concurrency", type=int, default=32, help="connections for the read workloads"
    )
    parser.add_argument(
        "--write-concurrency", type=int, default=8, help="workers for register+triage pairs"
    )
    parser.add_argument("--only", choices=("read", "write"), help="run only these workloads")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server to create a fresh jiandu_bench_<random> database on "
        "(default: an embedded server in a temp folder)",
    )
    parser.add_argument(
        "--no-wrk", action="store_true", help="use the Python load generator even if wrk exists"
    )
    parser.add_argument(
        "--no-warning-worker",
        action="store_true",
        help="serve without the warning worker beside it (`jiandu serve --no-worker`)",
    )
    return parser


def _check_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.duration <= 0 or args.duration > 600:
        parser.error("--duration must be in (0, 600]")
    if args.complaints < 1:
        parser.error("--complaints must be at least 1")
    for name in ("workers", "concurrency", "write_concurrency"):
        if not 1 <= getattr(args, name) <= 1024:
            parser.error(f"--{name.replace('_', '-')} must be between 1 and 1024")


def _raise_on_sigterm() -> None:
    def handler(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, handler)


class Bench:
    def __init__(self, args: argparse.Namespace, environment: Environment, server: Server) -> None:
        self.args = args
        self.environment = environment
        self.server = server
        self.url = f"{server.base_url}/graphql"
        secret = environment.secret
        self.supervisor = mint(secret, subject="bench-supervisor", role=Role.SUPERVISOR)
        self.intake = mint(secret, subject="bench-intake", role=Role.INTAKE)
        self.wrk = None if args.no_wrk else wrk.available()

    def _drive(
        self, operation: loadgen.Operation, concurrency: int, duration: float, ops: int
    ) -> loadgen.Run:
        return loadgen.run_sync(
            self.server.base_url,
            operation,
            concurrency=concurrency,
            duration=duration,
            max_ops=ops,
        )

    def _warm_up(self, name: str, operation: loadgen.Operation, concurrency: int) -> None:
        """A short bounded run: warms caches and prepared statements, and proves it works."""
        run = self._drive(
            operation, min(4, concurrency), min(WARMUP_SECONDS, self.args.duration), WARMUP_OPS
        )
        if run.error_count:
            sample = next(iter(run.errors))
            raise BenchError(f"{name}: {run.error_count} errors while warming up; e.g. {sample}")
        _say(f"{name}: warmed up with {len(run.latencies)} operations")

    def complaint_ids(self) -> list[str]:
        import httpx

        response = httpx.post(
            self.url,
            content=body(IDS),
            headers={
                "content-type": "application/json",
                "authorization": f"Bearer {self.supervisor}",
            },
            timeout=30,
        )
        if response.status_code != 200 or "errors" in response.json():
            raise BenchError(f"could not list complaint ids: {response.text[:500]}")
        edges = response.json()["data"]["complaints"]["edges"]
        ids = [e["node"]["id"] for e in edges]
        if not ids:
            raise BenchError("the seeded database lists no complaints")
        return ids

    def read(self, key: str, label: str, bodies: list[bytes]) -> Measurement:
        concurrency = self.args.concurrency
        operation = loadgen.post_operation(bodies, self.supervisor)
        self._warm_up(label, operation, concurrency)
        _say(f"{label}: measuring for {self.args.duration:g}s")
        if self.wrk:
            found = wrk.run(
                self.wrk,
                self.url,
                bodies,
                self.supervisor,
                concurrency=concurrency,
                duration=self.args.duration,
                workdir=self.environment.tmp,
                name=key,
            )
            errors = found.non_2xx + found.socket_errors
            samples = []
            # wrk sees HTTP status only; one more request checks the GraphQL answer itself.
            after = self._drive(operation, 1, 5.0, 1)
            if after.error_count:
                errors += after.error_count
                samples = list(after.errors)[:3]
            if errors:
                samples.append(
                    f"wrk: {found.non_2xx} non-2xx responses, {found.socket_errors} socket errors"
                )
            return Measurement(
                key=key,
                label=label,
                tool="wrk",
                unit="req",
                concurrency=concurrency,
                seconds=found.seconds,
                count=found.requests - found.non_2xx,
                errors=errors,
                rate=found.rate,
                p50_ms=found.p50_ms,
                p99_ms=found.p99_ms,
                error_samples=samples,
            )
        run = self._drive(operation, concurrency, self.args.duration, MAX_OPS)
        return self._measurement(key, label, "req", concurrency, run)

    def write(self) -> Measurement:
        concurrency = self.args.write_concurrency
        label = "write: register+triage pair"
        self._warm_up(
            label, loadgen.pair_operation(self.intake, self.supervisor, seed=7), concurrency
        )
        _say(f"{label}: measuring for {self.args.duration:g}s")
        operation = loadgen.pair_operation(self.intake, self.supervisor)
        run = self._drive(operation, concurrency, self.args.duration, MAX_OPS)
        return self._measurement("write", label, "pair", concurrency, run)

    @staticmethod
    def _measurement(
        key: str, label: str, unit: str, concurrency: int, run: loadgen.Run
    ) -> Measurement:
        return Measurement(
            key=key,
            label=label,
            tool="python",
            unit=unit,
            concurrency=concurrency,
            seconds=run.elapsed,
            count=len(run.latencies),
            errors=run.error_count,
            rate=len(run.latencies) / run.elapsed if run.elapsed else 0.0,
            p50_ms=percentile_ms(run.latencies, 50),
            p99_ms=percentile_ms(run.latencies, 99),
            error_samples=[f"{n} x {message}" for message, n in run.errors.most_common(3)],
        )

    def all(self) -> list[Measurement]:
        measured: list[Measurement] = []
        if self.args.only in (None, "read"):
            ids = self.complaint_ids()
            measured.append(self.read("list", "read: list 50 + unit, category", [list_body()]))
            measured.append(self.read("one", "read: single complaint lookup", one_bodies(ids)))
            measured.append(
                self.read("trace", "read: loopTrace (2 joined loops)", trace_bodies(ids))
            )
            mixed = mixed_bodies(ids, random.Random(11), Routing.from_reference())
            measured.append(self.read("mixed", "mixed: lookups, lists, traces, 10% writes", mixed))
        if self.args.only in (None, "write"):
            measured.append(self.write())
        return measured


def _leftovers(markers: list[str]) -> list[str]:
    """Processes whose command line names this run's temp folder or port (should be none)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(marker in cmdline for marker in markers):
            found.append(f"{entry.name} {cmdline.strip()}")
    return found


def _wrk_version(path: str | None) -> str | None:
    if not path:
        return None
    done = subprocess.run([path, "-v"], capture_output=True, text=True, timeout=10, check=False)
    first = (done.stdout or done.stderr).splitlines()
    return first[0].split(" Copyright")[0] if first else None


@dataclass
class Outcome:
    """What one run produced, whether or not it got to the end."""

    measured: list[Measurement] = field(default_factory=list)
    seeded: dict[str, Any] = field(default_factory=dict)
    failure: str | None = None
    server_errors: list[str] = field(default_factory=list)
    server_exit_code: int | None = None
    leftovers: list[str] = field(default_factory=list)


def _run(args: argparse.Namespace, environment: Environment) -> Outcome:
    """Set up, measure, and always tear down (server first, then the database)."""
    outcome = Outcome()
    server: Server | None = None
    try:
        environment.create_database()
        environment.migrate()
        _say(f"seeding {args.complaints} complaints through the services")
        outcome.seeded = json.loads(environment.seed(args.complaints).strip().splitlines()[-1])
        server = Server(
            environment, workers=args.workers, warning_worker=not args.no_warning_worker
        )
        server.start()
        bench = Bench(args, environment, server)
        if bench.wrk:
            _say(f"using {bench.wrk} for the read workloads")
        outcome.measured = bench.all()
    except BenchError as error:
        outcome.failure = str(error)
    except KeyboardInterrupt:
        outcome.failure = "interrupted"
    finally:
        if server is not None:
            outcome.server_errors = server.errors_logged()
            if outcome.failure and server.process is not None:
                outcome.failure += f"\n--- serve output (last lines) ---\n{server.stderr_tail()}"
            outcome.server_exit_code = server.stop()
        environment.tear_down()
    markers = [str(environment.tmp)]
    if server is not None:
        markers.append(f"--port {server.port}")
    outcome.leftovers = _leftovers(markers)
    return outcome


def _print(outcome: Outcome, args: argparse.Namespace, load: tuple[float, float]) -> None:
    out = sys.stdout
    if outcome.measured:
        out.write("\n" + results.table(outcome.measured) + "\n")
    for m in outcome.measured:
        for sample in m.error_samples:
            out.write(f"  {m.key} error: {sample}\n")
    ratio_text = results.ratio_table(outcome.measured)
    if ratio_text:
        out.write("\n" + ratio_text + "\n")
    out.write(f"\nCaveat: {results.CAVEAT}\n")
    out.write(
        f"Server: jiandu serve --workers {args.workers}; "
        f"data: {outcome.seeded.get('complaints', '?')} triaged complaints "
        f"(seeded in {outcome.seeded.get('seconds', '?')}s); 1-minute load average "
        f"{load[0]:.2f} before, {load[1]:.2f} after (other processes on the machine skew "
        "the figures).\n"
    )
    if outcome.server_errors:
        out.write(f"Server logged {len(outcome.server_errors)} error line(s), e.g.:\n")
        for line in outcome.server_errors[:5]:
            out.write(f"  {line}\n")
    leftovers = ", ".join(outcome.leftovers) if outcome.leftovers else "none"
    out.write(f"Leftover processes: {leftovers}\n")


def main() -> None:
    parser = _parser()
    args = parser.parse_args()
    _check_args(parser, args)
    _raise_on_sigterm()
    environment = Environment(server_url=args.database_url)
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    _say(f"temp folder {environment.tmp}")
    outcome = _run(args, environment)
    load_after = os.getloadavg()[0]

    wrk_path = None if args.no_wrk else wrk.available()
    context: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "wrk": _wrk_version(wrk_path),
        "database": "embedded (pgserver, temp folder)" if environment.embedded else "server URL",
        "seeded": outcome.seeded,
        "server_exit_code": outcome.server_exit_code,
        "server_error_lines": outcome.server_errors[:20],
        "leftover_processes": outcome.leftovers,
        "failure": outcome.failure,
        "total_seconds": round(time.perf_counter() - started, 1),
        "load_average_1min_before": round(load_before, 2),
        "load_average_1min_after": round(load_after, 2),
    }
    config = {
        "duration": args.duration,
        "complaints": args.complaints,
        "workers": args.workers,
        "concurrency": args.concurrency,
        "write_concurrency": args.write_concurrency,
        "only": args.only,
        "load_generator_reads": "wrk" if wrk_path else "python (httpx)",
        "load_generator_writes": "python (httpx)",
    }
    path = results.write_json(results.document(outcome.measured, config=config, context=context))
    _print(outcome, args, (load_before, load_after))
    sys.stdout.write(f"Results: {path}\n")
    if outcome.failure:
        sys.stdout.write(f"\nFAILED: {outcome.failure}\n")
        raise SystemExit(1)
