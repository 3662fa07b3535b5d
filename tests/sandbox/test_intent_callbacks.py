"""Issue 19, item 5, end to end: the sandbox as K2 posts a real signed callback for an intent-tagged request
to a shop's receiver (the Starlette adapter under uvicorn, the Flask adapter under werkzeug), both over
loopback with ``ledger=``, and the intent ends settled before the shop's handler runs.

The request is tagged and its intent moved by hand, as the intents API does it: record, tag, ``sending``,
send, ``sent`` with the Location. The shop's server holds every request at its door until the intent is
``sent``, so the callback cannot overtake that move (K2's callback is in flight meanwhile; the sandbox
redelivers if it gives up waiting): the order is fixed without timing anything.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Final

import pytest
import uvicorn
from flask import Flask
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from werkzeug.serving import make_server

from k2connect_ext import K2, Intent, IntentState, Ledger, SQLiteLedger
from k2connect_ext._intent_tag import TAG_KEY, tag_arguments
from k2connect_ext.webhooks import K2Event, SQLiteDeduplicator
from k2connect_ext.webhooks.adapters import flask as flask_adapter
from k2connect_ext.webhooks.adapters.starlette import webhook_endpoint
from k2connect_sandbox.server import RunningSandbox, bind_socket

pytestmark = pytest.mark.sandbox

HANG_GUARD: Final = 60.0  # only so that a broken build fails instead of hanging; nothing is asserted on time
PATH: Final = "/k2/results"


class Shop:
    """The shop's handler: notes each event, and what the ledger said of its intent while it ran."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.lock = threading.Lock()
        self.events: list[K2Event] = []
        self.states_seen: list[IntentState | None] = []

    def handle(self, event: K2Event) -> None:
        now = None if event.intent is None else self.ledger.get_by_id(event.intent.id)
        with self.lock:
            self.events.append(event)
            self.states_seen.append(None if now is None else now.state)


class Door:
    """Holds every request to the shop until ``open()``: the callback waits while the intent is moved."""

    def __init__(self) -> None:
        self.opened = threading.Event()

    def open(self) -> None:
        self.opened.set()

    def wait(self) -> None:
        assert self.opened.wait(HANG_GUARD), "the door was never opened"

    def asgi(self, app: ASGIApp) -> ASGIApp:
        async def held(scope: Scope, receive: Receive, send: Send) -> None:
            await asyncio.to_thread(self.wait)
            await app(scope, receive, send)

        return held

    def wsgi(self, app: Callable[..., Any]) -> Callable[..., Any]:
        def held(environ: dict[str, Any], start_response: Any) -> Any:
            self.wait()
            return app(environ, start_response)

        return held


@contextmanager
def _starlette_shop(api_key: str, shop: Shop, ledger: Ledger, door: Door, tmp: Path) -> Iterator[str]:
    """The Starlette adapter with ``ledger=`` (an async handler) under uvicorn on a thread."""

    async def handle(event: K2Event) -> None:
        shop.handle(event)

    dedup = SQLiteDeduplicator(str(tmp / "seen.db"))
    endpoint = webhook_endpoint(api_key, handle, dedup, ledger=ledger)
    app = door.asgi(Starlette(routes=[Route(PATH, endpoint, methods=["POST"])]))
    sock = bind_socket("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + HANG_GUARD
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the shop did not start"
            time.sleep(0.01)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}{PATH}"
    finally:
        door.open()
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def _flask_shop(api_key: str, shop: Shop, ledger: Ledger, door: Door, tmp: Path) -> Iterator[str]:
    """The Flask adapter with ``ledger=`` (a sync handler) under werkzeug's threaded server."""
    app = Flask(__name__)
    dedup = SQLiteDeduplicator(str(tmp / "seen.db"))
    view = flask_adapter.webhook_view(api_key, shop.handle, deduplicator=dedup, ledger=ledger)
    app.add_url_rule(PATH, view_func=view, methods=["POST"])
    app.wsgi_app = door.wsgi(app.wsgi_app)  # type: ignore[method-assign]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{PATH}"
    finally:
        door.open()
        server.shutdown()
        thread.join(timeout=10)


ShopServer = Callable[[str, Shop, Ledger, Door, Path], AbstractContextManager[str]]
SHOPS = [pytest.param(_starlette_shop, id="starlette"), pytest.param(_flask_shop, id="flask")]


def _send(ledger: Ledger, k2: K2, kind: str, operation: str, arguments: dict[str, Any]) -> Intent:
    """What the intents API does: record, tag, ``sending``, send, ``sent`` with the Location."""
    intent, created = ledger.record(f"order-{operation}-{time.monotonic_ns()}", operation, arguments)
    assert created
    tagged = tag_arguments(kind, arguments, intent.id)
    ledger.transition(intent.id, IntentState.SENDING, expect=IntentState.RECORDED)
    location = getattr(k2, operation)(**tagged).location
    return ledger.transition(intent.id, IntentState.SENT, expect=IntentState.SENDING, location=location)


def _settled(sandbox: RunningSandbox, ledger: Ledger, intent: Intent) -> Intent:
    """The intent once K2's callback was answered 200 (the receiver settles before it answers)."""
    resource_id = (intent.location or "").rsplit("/", 1)[-1]
    sandbox.wait_for_deliveries(
        lambda found: any(attempt["delivered"] for attempt in found),
        timeout=HANG_GUARD,
        resource_id=resource_id,
    )
    found = ledger.get_by_id(intent.id)
    assert found is not None
    return found


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[SQLiteLedger]:
    found = SQLiteLedger(tmp_path / "ledger.db")
    yield found
    found.close()


@pytest.mark.parametrize("serve", SHOPS)
@pytest.mark.parametrize(
    ("phone", "settles_as"),
    [("0712345678", IntentState.SUCCEEDED), ("0712340004", IntentState.FAILED)],
    ids=["paid", "insufficient-balance"],
)
def test_an_stk_push_intent_is_settled_by_its_callback_before_the_handler(
    k2_sandbox: RunningSandbox,
    ledger: SQLiteLedger,
    tmp_path: Path,
    serve: ShopServer,
    phone: str,
    settles_as: IntentState,
) -> None:
    """An STK push tagged in its metadata: the sandbox's signed callback settles the intent
    (``succeeded`` with the M-PESA reference, or ``failed`` with K2's reason) before the handler runs."""
    shop, door = Shop(ledger), Door()
    with serve(k2_sandbox.api_key, shop, ledger, door, tmp_path) as url:
        with K2(k2_sandbox.client_id, k2_sandbox.client_secret, base_url=k2_sandbox.base_url) as k2:
            arguments = {"phone_number": phone, "amount": 100, "till_number": "K000000", "callback_url": url}
            intent = _send(ledger, k2, "incoming_payment", "stk_push", arguments)
        door.open()
        settled = _settled(k2_sandbox, ledger, intent)
    assert settled.state is settles_as
    assert shop.states_seen[0] is settles_as  # already settled when the handler ran
    [event, *_] = shop.events
    assert event.intent is not None and event.intent.id == intent.id
    assert event.raw["data"]["attributes"]["metadata"] == {TAG_KEY: intent.id}
    assert settled.result == event.raw and settled.location == intent.location
    if settles_as is IntentState.SUCCEEDED:
        assert settled.reference is not None and settled.reference == event.reference
    else:
        assert settled.last_error == "The balance is insufficient for the transaction."


@pytest.mark.parametrize("serve", SHOPS)
def test_a_settlement_transfer_intent_is_settled_by_the_tag_in_its_callback_url(
    k2_sandbox: RunningSandbox, ledger: SQLiteLedger, tmp_path: Path, serve: ShopServer
) -> None:
    """A settlement transfer's result carries no metadata: the tag rides in the callback URL's query, K2
    posts to that URL as given, and the adapter's URL finds the intent."""
    shop, door = Shop(ledger), Door()
    with serve(k2_sandbox.api_key, shop, ledger, door, tmp_path) as url:
        with K2(k2_sandbox.client_id, k2_sandbox.client_secret, base_url=k2_sandbox.base_url) as k2:
            intent = _send(ledger, k2, "settlement_transfer", "settle_funds", {"callback_url": url})
        door.open()
        settled = _settled(k2_sandbox, ledger, intent)
    assert settled.state is IntentState.SUCCEEDED, settled.last_error
    assert shop.states_seen[0] is settled.state
    assert shop.events[0].intent is not None and shop.events[0].intent.id == intent.id
