"""The `jiandu` command: serve, worker, migrate, seed-demo, token, audit verify, reference load."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import structlog

from domain.actor import SYSTEM_ACTOR, Role
from runtime.config import ConfigurationError, Settings, load_settings
from runtime.logs import configure_logging

log = structlog.get_logger("jiandu.cli")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jiandu", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the GraphQL API")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int)
    serve.add_argument("--demo", action="store_true", help="load demo data into an empty database")
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="do not run the warning worker beside the server (run `jiandu worker` instead)",
    )
    worker = sub.add_parser("worker", help="evaluate warning rules: on change and on schedule")
    worker.add_argument(
        "--once", action="store_true", help="run due scans and pending changes once, then exit"
    )
    sub.add_parser("migrate", help="apply migrations (as the owner) and the taxonomy")
    sub.add_parser("seed-demo", help="load the demo city and its complaints")
    sub.add_parser("export-schema", help="write the GraphQL SDL to schema.graphql")
    token = sub.add_parser("token", help="print a signed development JWT")
    token.add_argument("--sub", required=True)
    token.add_argument(
        "--role", required=True, choices=sorted(r.value for r in Role if r is not Role.SYSTEM)
    )
    token.add_argument("--unit")
    token.add_argument("--officer")
    token.add_argument("--ttl-hours", type=float, default=12)
    audit = sub.add_parser("audit", help="audit log tools")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", help="recompute the hash chain")
    verify.add_argument("--from", dest="start", type=int, default=1)
    verify.add_argument("--to", dest="end", type=int)
    reference = sub.add_parser("reference", help="reference data")
    reference_sub = reference.add_subparsers(dest="reference_command", required=True)
    load = reference_sub.add_parser("load", help="apply a units/officers/categories file")
    load.add_argument("file", type=Path)
    return parser


async def _migrate(settings: Settings) -> int:
    from runtime.bootstrap import build_runtime, database_url, migrate

    url = database_url(settings)
    runtime = build_runtime(url, settings, pool_size=2)
    try:
        events = await migrate(url, runtime)
        log.info("migrated", taxonomy_events=events)
    finally:
        await runtime.engine.dispose()
    return 0


async def _seed(settings: Settings, *, only_if_empty: bool) -> int:
    from runtime.bootstrap import build_runtime, database_url, migrate
    from service import demo

    url = database_url(settings)
    runtime = build_runtime(url, settings, pool_size=4)
    try:
        await migrate(url, runtime)
        if only_if_empty and await demo.has_complaints(runtime):
            log.info("demo_data_present")
            return 0
        summary = await demo.seed(runtime, progress=lambda msg: log.info("seeding", step=msg))
        log.info("demo_seeded", **summary)
    finally:
        await runtime.engine.dispose()
    return 0


async def _verify(settings: Settings, start: int, end: int | None) -> int:
    from audit.verify import verify_chain
    from runtime.bootstrap import build_runtime, database_url

    runtime = build_runtime(database_url(settings), settings, pool_size=1)
    try:
        async with runtime.engine.connect() as conn:
            result = await verify_chain(
                conn, start=start, end=end, progress=lambda n: log.info("verifying", checked=n)
            )
    finally:
        await runtime.engine.dispose()
    if result.ok:
        log.info("audit_chain_intact", checked=result.checked)
        return 0
    log.error(
        "audit_chain_broken",
        position=result.first_broken_position,
        problem=result.problem,
        checked=result.checked,
    )
    sys.stdout.write(f"broken at position {result.first_broken_position}: {result.problem}\n")
    return 1


async def _load_reference(settings: Settings, path: Path) -> int:
    from runtime.bootstrap import build_runtime, database_url
    from service import reference
    from service.context import Call

    runtime = build_runtime(database_url(settings), settings, pool_size=1)
    try:
        applied = await reference.apply(
            Call(runtime=runtime, actor=SYSTEM_ACTOR), reference.read(path)
        )
        log.info("reference_loaded", file=str(path), events=applied.events)
    finally:
        await runtime.engine.dispose()
    return 0


async def _worker(settings: Settings, *, once: bool, stop: asyncio.Event | None = None) -> int:
    from runtime.bootstrap import build_runtime, database_url
    from worker.changes import consume
    from worker.run import Worker, run_due_jobs, worker_name

    url = database_url(settings)
    runtime = build_runtime(url, settings, pool_size=3)
    try:
        if once:
            while (await consume(runtime)).events:
                pass
            ran = await run_due_jobs(runtime, worker_name())
            log.info("worker_once_done", scans=len(ran))
            return 0
        worker = Worker(runtime=runtime, conninfo=url)
        if stop is not None:
            worker.stop = stop
        else:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, worker.stop.set)
        await worker.run()
    finally:
        await runtime.engine.dispose()
    return 0


def _worker_thread(settings: Settings) -> None:
    """The warning worker in a daemon thread of the serving process (`serve` without --no-worker)."""
    import threading

    def run() -> None:
        asyncio.run(_worker(settings, once=False, stop=asyncio.Event()))

    threading.Thread(target=run, name="jiandu-worker", daemon=True).start()


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from runtime.bootstrap import database_url

    database_url(
        settings
    )  # start the embedded server once, in this process; workers inherit its URL
    asyncio.run(_seed(settings, only_if_empty=True) if args.demo else _migrate(settings))
    host = args.host or settings.host
    port = args.port or settings.port
    if not args.no_worker:
        _worker_thread(settings)
    log.info("serving", url=f"http://{host}:{port}/graphql")
    # uvicorn re-raises the signal that stopped it; exiting through SystemExit instead lets the
    # embedded PostgreSQL's exit handler stop the server it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.run(
        "runtime.asgi:create",
        factory=True,
        host=host,
        port=port,
        workers=args.workers or settings.workers,
        log_level="warning",
        access_log=False,
        loop="auto",
        http="auto",
    )
    return 0


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigurationError as error:
        sys.stderr.write(f"jiandu: {error}\n")
        raise SystemExit(2) from None
    configure_logging(level=settings.log_level, fmt=settings.log_format)
    if args.command == "token":
        from api.auth import mint

        sys.stdout.write(
            mint(
                settings.jwt_secret,
                subject=args.sub,
                role=Role(args.role),
                unit=args.unit,
                officer=args.officer,
                ttl=timedelta(hours=args.ttl_hours),
            )
            + "\n"
        )
        raise SystemExit(0)
    if args.command == "export-schema":
        from api.schema import SDL_PATH, sdl

        SDL_PATH.write_text(sdl(), encoding="utf-8")
        log.info("schema_exported", path=str(SDL_PATH))
        raise SystemExit(0)
    if args.command == "serve":
        raise SystemExit(_serve(settings, args))
    if args.command == "migrate":
        raise SystemExit(asyncio.run(_migrate(settings)))
    if args.command == "worker":
        raise SystemExit(asyncio.run(_worker(settings, once=args.once)))
    if args.command == "seed-demo":
        raise SystemExit(asyncio.run(_seed(settings, only_if_empty=False)))
    if args.command == "audit":
        raise SystemExit(asyncio.run(_verify(settings, args.start, args.end)))
    if args.command == "reference":
        raise SystemExit(asyncio.run(_load_reference(settings, args.file)))
    raise SystemExit(2)
