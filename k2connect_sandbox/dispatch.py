"""The request pipeline for every spec operation: route, inject faults, authenticate, validate, handle.

It is a raw ASGI app (mounted as the catch-all route) rather than a set of Starlette endpoints
because a ``drop`` fault must be able to end a request without sending anything at all, which an
endpoint returning a Response cannot do.

Order matters and mirrors a real gateway: unknown path 404 / wrong method 405 first, then faults
(so clients see them whatever they send), then the bearer token (401), then the body (400), then
the handler's own rules (400/404).

Handlers come from three places, checked at startup (``SpecDispatcher.__init__``): the hand-written ones
(``oauth``, ``api``: every create with behaviour, and one reader per resource GET of the operation
registry), then, for a create of the registry that has none, a generic one built from the spec's examples
(``generic``). The registry must describe the very spec served (``generic.check_registry``), and an
operation that none of them can serve stops the sandbox from starting, with the reason.
"""

from __future__ import annotations

import asyncio
import logging

from k2connect_client.registry import OPERATIONS
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from k2connect_sandbox.api import API_HANDLERS
from k2connect_sandbox.context import Handler, RequestContext
from k2connect_sandbox.errors import ApiError, SandboxHttpError
from k2connect_sandbox.faults import STATUS_KINDS, Fault
from k2connect_sandbox.generic import check_registry, generic_handler, plan_create
from k2connect_sandbox.oauth import OAUTH_HANDLERS, bearer_token
from k2connect_sandbox.operations import MethodNotAllowed, Operation
from k2connect_sandbox.runtime import Sandbox
from k2connect_sandbox.tokens import TokenState
from k2connect_sandbox.wire import InvalidJsonError, describe_invalid, loads

__all__ = ["DROP_SCOPE_KEY", "DropFlag", "SpecDispatcher"]

log = logging.getLogger("k2connect_sandbox")

DROP_SCOPE_KEY = "k2connect_sandbox.drop"
_MALFORMED = b'{"data": {"id": "truncated by the k2connect sandbox fault injection'
_TOKEN_MESSAGES = {
    TokenState.UNKNOWN: "The access token is invalid",
    TokenState.EXPIRED: "The access token has expired",
    TokenState.REVOKED: "The access token has been revoked",
}


class DropFlag:
    """Set by the dispatcher when a ``drop`` fault fires; read by the outermost app (see app.py)."""

    def __init__(self) -> None:
        self.dropped = False


class SpecDispatcher:
    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox
        check_registry(sandbox.operations)
        self._handlers: dict[str, Handler] = {**OAUTH_HANDLERS, **API_HANDLERS}
        why: dict[str, str] = {}
        for name, operation in OPERATIONS.items():
            if operation.creates and name not in self._handlers:
                plan = plan_create(sandbox.spec, name)
                if isinstance(plan, str):
                    why[name] = f"{name} ({plan})"
                else:
                    self._handlers[name] = generic_handler(plan)
        missing = [op.operation_id for op in sandbox.operations if op.operation_id not in self._handlers]
        if missing:  # the spec grew an operation nobody can serve: fail at startup, not per request
            named = ", ".join(why.get(name, name) for name in missing)
            raise RuntimeError(f"no sandbox handler for spec operations: {named}")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self._respond(request)
        if response is None:
            flag = scope.get(DROP_SCOPE_KEY)
            if isinstance(flag, DropFlag):
                flag.dropped = True
                return
            response = ApiError(
                500, "connection drop requested, but not running inside the sandbox app"
            ).response()
        await response(scope, receive, send)

    async def _respond(self, request: Request) -> Response | None:
        sandbox = self._sandbox
        # The decoded path from the ASGI scope, not request.url.path: that one goes through urlsplit,
        # which silently deletes tab, CR and LF anywhere in a URL, so ".../webhook_subscriptions/%0D"
        # would be routed as the collection (and answered 405) instead of as an unknown id (404).
        path: str = request.scope["path"]
        found = sandbox.operations.match(request.method, path)
        if found is None:
            return ApiError(404, f"No such endpoint: {path[:200]!r}").response()
        if isinstance(found, MethodNotAllowed):
            return ApiError(
                405,
                f"{request.method} is not allowed here; use {', '.join(found.allowed)}",
                {"Allow": ", ".join(found.allowed)},
            ).response()
        operation = found.operation
        fault = sandbox.faults.take(operation.operation_id)
        if fault is not None and not fault.after_processing:
            if fault.kind == "drop":
                return None
            if fault.kind in STATUS_KINDS:
                return _status_fault(fault)
            if fault.kind == "slow":
                await asyncio.sleep(fault.delay)
        response = await self._handle(request, operation, found.params)
        return response if fault is None else _after_fault(fault, response)

    async def _handle(self, request: Request, operation: Operation, params: dict[str, str]) -> Response:
        sandbox = self._sandbox
        context = RequestContext(sandbox, request, operation, params, sandbox.base_url(request))
        try:
            if operation.path.startswith("/api/"):
                self._authenticate(request)
                context.body = await self._body(request, operation)
            return await self._handlers[operation.operation_id](context)
        except SandboxHttpError as exc:
            return exc.response()
        except Exception:
            log.exception("sandbox handler for %s failed", operation.operation_id)
            return ApiError(500, "Internal server error").response()

    def _authenticate(self, request: Request) -> None:
        token = bearer_token(request)
        if token is None:
            raise ApiError(
                401, "Missing access token: send Authorization: Bearer <access_token>", _challenge()
            )
        state, _ = self._sandbox.tokens.state(token)
        if state is not TokenState.ACTIVE:
            raise ApiError(401, _TOKEN_MESSAGES[state], _challenge())

    async def _body(self, request: Request, operation: Operation) -> object:
        pointer = operation.request_schemas.get("application/json")
        if pointer is None:
            return None  # the operation takes no body (GETs, payment link cancel): ignore whatever came
        raw = await request.body()
        if not raw.strip():
            if operation.request_required:
                raise ApiError(400, "The request body is required: send a JSON object")
            return None
        try:
            body = loads(raw)
        except InvalidJsonError as exc:
            raise ApiError(400, describe_invalid(exc)) from None
        problem = self._sandbox.schemas.first_error(pointer, body)
        if problem is not None:
            raise ApiError(400, problem)
        return body


def _challenge() -> dict[str, str]:
    return {"WWW-Authenticate": 'Bearer realm="k2connect-sandbox", error="invalid_token"'}


def _status_fault(fault: Fault) -> Response:
    status = STATUS_KINDS[fault.kind]
    messages = {
        500: "Internal server error (injected by the sandbox)",
        503: "Service unavailable: down for maintenance (injected by the sandbox)",
        429: "Too many requests (injected by the sandbox)",
    }
    headers = {"Retry-After": str(fault.retry_after)} if status in (429, 503) else {}
    return ApiError(status, messages[status], headers).response()


def _after_fault(fault: Fault, response: Response) -> Response | None:
    """Faults that act on the response the request earned (or, with after_processing, replace it)."""
    if fault.kind == "drop":
        return None
    if fault.kind in STATUS_KINDS:
        return _status_fault(fault)
    headers = {
        k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")
    }
    if fault.kind == "malformed_json":
        return Response(
            _MALFORMED, status_code=response.status_code, headers=headers, media_type="application/json"
        )
    if fault.kind == "no_location":
        headers = {k: v for k, v in headers.items() if k.lower() != "location"}
        media = response.headers.get("content-type")
        return Response(response.body, status_code=response.status_code, headers=headers, media_type=media)
    return response
