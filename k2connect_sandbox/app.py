"""The ASGI application: ``create_app(config)`` builds a sandbox and the Starlette app that serves it.

Around the routes: ``GET /`` from a browser is the HTML dashboard (``dashboard``), and every other request
is noted in the sandbox's request log (method, path, status, duration) for that dashboard.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.types import Message, Receive, Scope, Send

from k2connect_sandbox.config import SandboxConfig
from k2connect_sandbox.control import control_routes
from k2connect_sandbox.dashboard import Dashboard, wants_dashboard
from k2connect_sandbox.dispatch import DROP_SCOPE_KEY, DropFlag, SpecDispatcher
from k2connect_sandbox.runtime import Sandbox

__all__ = ["SandboxApp", "create_app"]

log = logging.getLogger("k2connect_sandbox")

# uvicorn closes the connection without writing a response when an ASGI app returns something other
# than None (every uvicorn HTTP protocol does, and logs this string as the reason). That is the only
# portable way for an app to make a client see a dropped connection rather than a 500.
_DROP_RESULT = "connection dropped on purpose by a k2connect sandbox 'drop' fault"


def _served_by_uvicorn(send: Send) -> bool:
    owner = getattr(send, "__self__", None)
    return owner is not None and type(owner).__module__.startswith("uvicorn.")


class SandboxApp(Starlette):
    """A Starlette app that can also drop a connection (see the ``drop`` fault)."""

    sandbox: Sandbox
    dashboard: Dashboard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> Any:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return None
        # Without a lifespan (in-process ASGI transports do not run one) the first request is the first
        # moment there is an event loop to resume work a previous run left pending.
        self.sandbox.ensure_resumed()
        if wants_dashboard(scope):  # not logged: a page reloading itself would push out everything else
            await self.dashboard(scope, receive, send)
            return None
        flag = DropFlag()
        scope[DROP_SCOPE_KEY] = flag
        status: int | None = None
        started = time.perf_counter()

        async def noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await super().__call__(scope, receive, noting_status)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            self.sandbox.requests.add(
                scope["method"], scope["path"], status, self.sandbox.clock.now(), elapsed_ms
            )
        if not flag.dropped:
            return None
        if _served_by_uvicorn(send):  # the server's own send, not the wrapper above
            return _DROP_RESULT
        # In-process (httpx.ASGITransport, Starlette's TestClient) there is no connection to close:
        # raise what httpx raises when a server hangs up without answering.
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.")


def create_app(config: SandboxConfig | None = None) -> SandboxApp:
    """Build a sandbox (state, background work) and the ASGI app serving the K2 API and /sandbox/."""
    sandbox = Sandbox(config or SandboxConfig())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        sandbox.ensure_resumed()
        try:
            yield
        finally:
            await sandbox.scheduler.aclose()

    app = SandboxApp(routes=control_routes(sandbox), lifespan=lifespan)
    # Everything that is not a control route goes to the spec dispatcher, as the router's fallback
    # rather than a "/{path:path}" route: that pattern does not match paths containing a newline,
    # which Starlette would then answer with a plain-text 404 the spec does not allow. Slash
    # redirects are off because the dispatcher accepts both spellings itself.
    app.router.default = SpecDispatcher(sandbox)
    app.router.redirect_slashes = False
    app.sandbox = sandbox
    app.dashboard = Dashboard(sandbox)
    app.state.sandbox = sandbox
    return app
