"""Serve a sandbox with uvicorn on a background thread (for tests) and talk to it from the caller.

The listening socket is bound before uvicorn starts, so the port is known at once (``port=0`` picks a
free one) and there is no race between choosing a port and binding it.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn

from k2connect_sandbox.app import SandboxApp, create_app
from k2connect_sandbox.config import SandboxConfig
from k2connect_sandbox.tls import TlsMaterial, make_tls_material
from k2connect_sandbox.wire import JsonDict

__all__ = ["PortInUseError", "RunningSandbox", "bind_socket", "serve_in_thread"]

_START_TIMEOUT = 10.0
# Windows reports a busy port as WSAEADDRINUSE, not EADDRINUSE.
_IN_USE = {errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", errno.EADDRINUSE)}


class PortInUseError(OSError):
    """Another socket listens on the port asked for (an OSError, so ``except OSError`` still catches it)."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(errno.EADDRINUSE, f"port {port} on {host} is in use")
        self.host = host
        self.port = port

    def __str__(self) -> str:
        return str(self.strerror)


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (0: a free port); PortInUseError if another server has it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP, not the default 0: asyncio only sets TCP_NODELAY on accepted connections whose
    # socket says it is TCP. Without it, a response written as headers then body waits for the client's
    # delayed ACK (Nagle), about 40 ms per request on a keep-alive connection instead of about 1 ms.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        # SO_REUSEADDR lets a restarted sandbox take its port back from connections in TIME_WAIT; it
        # does not let it share a port another socket listens on (that bind still fails, below).
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno in _IN_USE:
            raise PortInUseError(host, port) from None
        raise
    sock.setblocking(False)
    return sock


@dataclass
class RunningSandbox:
    """A sandbox being served over real HTTP(S): where it is, its credentials, and helpers."""

    base_url: str
    app: SandboxApp
    ca_file: str | None = None
    _client: httpx.Client = field(init=False, repr=False)

    def __post_init__(self) -> None:
        verify: ssl.SSLContext | bool = (
            ssl.create_default_context(cafile=self.ca_file) if self.ca_file else True
        )
        self._client = httpx.Client(base_url=self.base_url, verify=verify, trust_env=False, timeout=10)

    @property
    def config(self) -> SandboxConfig:
        return self.app.sandbox.config

    @property
    def client_id(self) -> str:
        return self.config.client_id

    @property
    def client_secret(self) -> str:
        return self.config.client_secret

    @property
    def api_key(self) -> str:
        return self.config.api_key

    def control(self, method: str, path: str, json: Any = None) -> httpx.Response:
        """Call the control API (``path`` starts with ``/sandbox/``)."""
        return self._client.request(method, path, json=json)

    def reset(self) -> None:
        """Forget all state (tokens, resources, ledger, events, deliveries, faults)."""
        self.control("POST", "/sandbox/reset").raise_for_status()

    def deliveries(self, **filters: str) -> list[JsonDict]:
        """Delivery attempts, optionally filtered by kind, topic, resource_id or event_id."""
        response = self._client.get("/sandbox/deliveries", params=filters)
        response.raise_for_status()
        found: list[JsonDict] = response.json()["deliveries"]
        return found

    def pending_deliveries(self, **filters: str) -> list[JsonDict]:
        """Notifications not delivered yet (state ``queued``, ``sending`` or ``retrying``), same filters."""
        response = self._client.get("/sandbox/deliveries", params=filters)
        response.raise_for_status()
        found: list[JsonDict] = response.json()["pending"]
        return found

    def token(self) -> str:
        """A fresh access token."""
        response = self._client.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            },
        )
        response.raise_for_status()
        return str(response.json()["access_token"])

    def wait_for_deliveries(
        self, predicate: Callable[[list[JsonDict]], bool], timeout: float = 5.0, **filters: str
    ) -> list[JsonDict]:
        """Poll the delivery log until ``predicate(attempts)`` holds; AssertionError after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.deliveries(**filters)
            if predicate(found):
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"deliveries did not reach the expected state in {timeout}s: {found}")
            time.sleep(0.02)

    def close(self) -> None:
        self._client.close()


@contextmanager
def serve_in_thread(
    app_or_config: SandboxApp | SandboxConfig | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    tls: bool = False,
) -> Iterator[RunningSandbox]:
    """Run the sandbox under uvicorn on a daemon thread for the duration of the ``with`` block."""
    app = app_or_config if isinstance(app_or_config, SandboxApp) else create_app(app_or_config)
    material: TlsMaterial | None = make_tls_material() if tls else None
    sock = bind_socket(host, port)
    config = uvicorn.Config(
        app,
        log_level="warning",
        lifespan="on",
        access_log=False,
        ssl_certfile=str(material.cert_file) if material else None,
        ssl_keyfile=str(material.key_file) if material else None,
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True, name="k2-sandbox"
    )
    thread.start()
    try:
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.01)
        bound_host, bound_port = sock.getsockname()[:2]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        scheme = "https" if material else "http"
        running = RunningSandbox(
            f"{scheme}://{shown}:{bound_port}", app, str(material.ca_file) if material else None
        )
        try:
            yield running
        finally:
            running.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        if material is not None:
            material.cleanup()
