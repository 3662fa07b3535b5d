"""Run an example app on 127.0.0.1 (uvicorn or werkzeug, a free port) and drive it like a browser and K2."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import uvicorn
from werkzeug.serving import make_server

from k2connect_ext.webhooks import SIGNATURE_HEADER
from k2connect_sandbox.server import RunningSandbox

T = TypeVar("T")

DEADLINE = 10.0  # seconds any wait may take
STEP = 0.05


def wait_until(probe: Callable[[], T | None], what: str, timeout: float = DEADLINE) -> T:
    """Call ``probe`` every 50 ms until it returns something other than None; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(STEP)


@contextmanager
def serve_asgi(build: Callable[[str], Any]) -> Iterator[str]:
    """Serve ``build(base_url)`` (an ASGI app or a "module:attr" string) with uvicorn; yield its URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(
        uvicorn.Config(build(url), log_level="warning", access_log=False, timeout_graceful_shutdown=2)
    )
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    try:
        wait_until(lambda: True if server.started else None, "uvicorn to start")
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def serve_wsgi(build: Callable[[str], Any]) -> Iterator[str]:
    """Serve ``build(base_url)`` (a WSGI app) with werkzeug's threaded server; yield its URL."""
    server = make_server("127.0.0.1", 0, _unset_app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    server.app = build(url)  # the port had to be known before the app could be configured
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def _unset_app(environ: Any, start_response: Any) -> list[bytes]:
    raise AssertionError("the app was not set")


@dataclass
class Shop:
    """An example app being served, its sandbox, and a client that acts as the customer's browser."""

    url: str
    sandbox: RunningSandbox
    client: httpx.Client

    def pay(self, phone: str, amount: str = "150") -> str:
        """Submit the form; the id of the order the app redirected to (its page is /pay/<order id>)."""
        response = self.client.post("/pay", data={"phone": phone, "amount": amount})
        assert response.status_code == 303, response.text
        location = response.headers["location"]
        assert location.startswith("/pay/")
        return location.removeprefix("/pay/")

    def payment(self, payment_id: str) -> dict[str, Any]:
        """What the page's script polls: the order and the state of its payment intent."""
        response = self.client.get(f"/payments/{payment_id}")
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    def wait_until_done(self, payment_id: str) -> dict[str, Any]:
        """Poll the payment like the page does, until it is final."""
        return wait_until(
            lambda: found if (found := self.payment(payment_id))["done"] else None, f"payment {payment_id}"
        )

    def events(self, **params: str) -> list[dict[str, Any]]:
        response = self.client.get("/events", params=params)
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()["events"]
        return found

    def callback_delivery(self, payment_id: str) -> dict[str, Any]:
        """The sandbox's (first, delivered) callback for the payment: the exact signed body it POSTed."""
        return wait_until(
            lambda: next(
                (
                    d
                    for d in self.sandbox.deliveries(kind="callback", resource_id=payment_id)
                    if d["delivered"]
                ),
                None,
            ),
            f"the callback of {payment_id}",
        )

    def post_callback(self, body: str | bytes, signature: str | None) -> httpx.Response:
        """POST a body to the app's callback URL as K2 would, with ``signature`` (None: no header)."""
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers[SIGNATURE_HEADER] = signature
        content = body.encode() if isinstance(body, str) else body
        return self.client.post("/k2/callbacks", content=content, headers=headers)


@contextmanager
def shop(url: str, sandbox: RunningSandbox) -> Iterator[Shop]:
    with httpx.Client(base_url=url, trust_env=False, timeout=DEADLINE) as client:
        yield Shop(url, sandbox, client)
