"""The ASGI app: POST /graphql (GraphiQL on GET in development), /healthz, /readyz."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import structlog
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL

from api.auth import AuthenticationFailed, authenticate
from api.context import Context
from api.fastpath import FastPath, Reader
from api.ide import ASSETS_DIR, ASSETS_URL, graphiql_html
from api.schema import schema
from domain.actor import Actor
from service.context import Call, Runtime

log = structlog.get_logger("jiandu.http")
REQUEST_ID_HEADER = "x-request-id"


class JianduGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with our authentication in front and our context behind."""

    def __init__(self, runtime: Runtime, *, secret: str, graphiql: bool, fast_reads: bool) -> None:
        super().__init__(schema, graphql_ide="graphiql" if graphiql else None)
        self.runtime = runtime
        self.secret = secret
        self.graphiql = graphiql
        self.fast_path = FastPath(schema._schema) if fast_reads else None
        self.reader = Reader(runtime.engine)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await Response(status_code=404)(scope, receive, send)
            return
        request = Request(scope, receive)
        if self.graphiql and self._wants_ide(request):
            # The page itself needs no token; the queries it sends do.
            await HTMLResponse(graphiql_html())(scope, receive, send)
            return
        try:
            actor = authenticate(request.headers.get("authorization"), self.secret)
        except AuthenticationFailed as failure:
            await _unauthenticated(str(failure))(scope, receive, send)
            return
        scope.setdefault("state", {})["actor"] = actor
        structlog.contextvars.bind_contextvars(actor=actor.subject, role=actor.role.value)
        if self.fast_path is not None and request.method == "POST":
            body = await request.body()
            if await self._answer_compiled(body, actor, scope, receive, send):
                return
            receive = _replay(body, receive)
        await super().__call__(scope, receive, send)

    async def _answer_compiled(
        self, body: bytes, actor: Actor, scope: Scope, receive: Receive, send: Send
    ) -> bool:
        """Answer from one SQL statement when the document compiles (api/fastpath.py)."""
        assert self.fast_path is not None
        try:
            request = json.loads(body)
        except ValueError:
            return False
        if not isinstance(request, dict) or not isinstance(request.get("query"), str):
            return False
        variables = request.get("variables")
        operation_name = request.get("operationName")
        if not isinstance(variables, dict | None) or not isinstance(operation_name, str | None):
            return False
        plan = self.fast_path.plan(request["query"], operation_name, variables, actor)
        if plan is None:
            return False
        data = await self.reader.answer(plan)
        structlog.contextvars.bind_contextvars(operation=operation_name, compiled=True)
        response = Response(b'{"data":' + data.encode() + b"}", media_type="application/json")
        await response(scope, receive, send)
        return True

    @staticmethod
    def _wants_ide(request: Request) -> bool:
        return (
            request.method == "GET"
            and "query" not in request.query_params
            and "text/html" in request.headers.get("accept", "")
        )

    async def get_context(self, request: Any, response: Any) -> Context:
        actor: Actor = request.scope["state"]["actor"]
        request_id = request.scope["state"].get("request_id")
        return Context(call=Call(runtime=self.runtime, actor=actor, request_id=request_id))


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive channel that hands the already-read body to the next reader."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _unauthenticated(message: str) -> Response:
    return JSONResponse(
        {"data": None, "errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer realm="jiandu"'},
    )


class RequestLog:
    """Binds a request id (taken from X-Request-Id or new) and logs one line per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
        request_id = incoming[:100] if incoming else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append(
                    (REQUEST_ID_HEADER.encode(), request_id.encode())
                )
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if scope["path"] not in {"/healthz", "/readyz"}:
                log.info(
                    "request",
                    method=scope["method"],
                    path=scope["path"],
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )


def _lifespan(
    runtime: Runtime, reader: Reader
) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await reader.close()
        await runtime.engine.dispose()

    return lifespan


def create_app(
    runtime: Runtime, *, secret: str, graphiql: bool, fast_reads: bool = True
) -> Starlette:
    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        try:
            async with runtime.engine.connect() as conn:
                await conn.execute(text("SELECT 1 FROM audit_event LIMIT 1"))
        except Exception as error:
            log.warning("not_ready", error=str(error))
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ready"})

    graphql = JianduGraphQL(runtime, secret=secret, graphiql=graphiql, fast_reads=fast_reads)
    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/graphql", graphql),
            *([Mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR))] if graphiql else []),
        ],
        lifespan=_lifespan(runtime, graphql.reader),
    )
    app.state.reader = graphql.reader
    app.add_middleware(RequestLog)
    return app
