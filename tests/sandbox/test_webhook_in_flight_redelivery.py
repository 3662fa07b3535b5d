"""Issue 17: a redelivery that arrives while the first delivery is still being handled, end to end.

The sandbox plays K2 over loopback with a short delivery timeout. The shop's handler outlasts it on the
first run and then fails, so K2 has already redelivered while that run was going. The redelivery must not
be acknowledged (the failing run's 500 reaches nobody: K2 stopped listening), or the event is lost. With
the fix it is answered 503 (retry later) while the first run holds the claim, and K2's next redelivery
after the failure is processed: the event ends up processed exactly once, successfully.

Both receivers, as users run them: the blocking ``WebhookReceiver`` behind a threading HTTP server, and the
Starlette adapter (``AsyncWebhookReceiver``) under uvicorn.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route

from k2connect_ext import K2
from k2connect_ext.webhooks import K2Event, MemoryDeduplicator, WebhookReceiver
from k2connect_ext.webhooks.adapters.starlette import webhook_endpoint
from k2connect_sandbox.config import SandboxConfig
from k2connect_sandbox.server import RunningSandbox, bind_socket, serve_in_thread

TOPIC: Final = "buygoods_transaction_received"
DELIVERY_TIMEOUT = 0.5
FIRST_RUN_SECONDS = 3 * DELIVERY_TIMEOUT  # K2 gives up on the first delivery, and redelivers, meanwhile
HANG_GUARD = 60.0  # only so that a broken build fails instead of hanging; nothing is asserted on time


class Shop:
    """The handler: its first run outlasts K2's delivery timeout and then fails; later runs succeed."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.runs = 0
        self.succeeded: list[str | None] = []
        self.first_run_over = threading.Event()

    def first(self) -> bool:
        with self.lock:
            self.runs += 1
            return self.runs == 1

    def handle(self, event: K2Event) -> None:
        if self.first():
            try:
                time.sleep(FIRST_RUN_SECONDS)
                raise RuntimeError("the first run fails, after K2 stopped waiting for it")
            finally:
                self.first_run_over.set()
        with self.lock:
            self.succeeded.append(event.id)

    async def ahandle(self, event: K2Event) -> None:
        if self.first():
            try:
                await asyncio.sleep(FIRST_RUN_SECONDS)
                raise RuntimeError("the first run fails, after K2 stopped waiting for it")
            finally:
                self.first_run_over.set()
        with self.lock:
            self.succeeded.append(event.id)


@contextmanager
def _sync_shop(shop: Shop) -> Iterator[str]:
    """``WebhookReceiver.handle`` behind the standard library's threading HTTP server."""
    receiver = WebhookReceiver("sandbox-api-key", shop.handle, deduplicator=MemoryDeduplicator())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            answer = receiver.handle(body, dict(self.headers.items()))
            try:
                self.send_response(answer.status)
                for name, value in answer.headers:
                    self.send_header(name, value)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
            except OSError:  # K2 stopped waiting for this answer (the timed-out first delivery)
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/k2/webhooks"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextmanager
def _async_shop(shop: Shop) -> Iterator[str]:
    """The Starlette adapter (``AsyncWebhookReceiver``) under uvicorn on a thread."""
    endpoint = webhook_endpoint("sandbox-api-key", shop.ahandle, MemoryDeduplicator())
    app = Starlette(routes=[Route("/k2/webhooks", endpoint, methods=["POST"])])
    sock = bind_socket("127.0.0.1", 0)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + HANG_GUARD
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the shop did not start"
            time.sleep(0.01)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/k2/webhooks"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="module")
def impatient_k2() -> Iterator[RunningSandbox]:
    """The sandbox as K2, giving up on a delivery after DELIVERY_TIMEOUT and redelivering soon after."""
    config = SandboxConfig(
        callback_delay=0.0,
        delivery_timeout=DELIVERY_TIMEOUT,
        delivery_initial_backoff=0.05,
        delivery_max_elapsed=30.0,
        delivery_max_attempts=40,
    )
    with serve_in_thread(config) as running:
        yield running


ShopServer = Callable[[Shop], AbstractContextManager[str]]


@pytest.mark.parametrize("serve", [_sync_shop, _async_shop], ids=["WebhookReceiver", "starlette-adapter"])
def test_a_redelivery_during_a_failing_first_run_is_processed_exactly_once(
    impatient_k2: RunningSandbox, serve: ShopServer
) -> None:
    k2 = impatient_k2
    k2.reset()
    shop = Shop()
    with serve(shop) as url:
        with K2(k2.client_id, k2.client_secret, base_url=k2.base_url) as client:
            client.subscribe_webhook(TOPIC, url, scope="company")
        response = k2.control(
            "POST", f"/sandbox/simulate/{TOPIC}", json={"till_number": "000000", "amount": "10"}
        )
        assert response.status_code == 200, response.text
        attempts = k2.wait_for_deliveries(
            lambda found: any(attempt["delivered"] for attempt in found), timeout=HANG_GUARD, kind="webhook"
        )
        assert shop.first_run_over.wait(HANG_GUARD)
    [event_id] = {attempt["event_id"] for attempt in attempts}
    delivered = [attempt for attempt in attempts if attempt["delivered"]]
    answers = [attempt["status_code"] for attempt in attempts]
    assert shop.succeeded == [event_id], answers  # processed once, successfully: not lost
    assert shop.runs == 2
    # K2 gave up on the first attempt, and heard "retry later" while the first run still held the claim.
    assert None in answers and 503 in answers, answers
    assert [json.loads(attempt["body"])["id"] for attempt in delivered] == [event_id]
