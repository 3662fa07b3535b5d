"""The webhook body limit, the same in the receivers and every framework adapter, sync and async.

Before the limit, every adapter read the whole body before checking the signature: an unsigned 100 MB POST
grew a receiver's memory by about 190 MB before its 401. Now a ``Content-Length`` over the limit is answered
413 without reading a byte, and a body that turns out longer than announced (chunked, or a lying
``Content-Length``) is answered 413 as soon as it passes the limit, the rest left unread.

Each framework is driven at its lowest level (a raw ASGI call, a WSGI environ, a Django request object) so the
test controls exactly which bytes arrive and counts how many the adapter pulled: that count, not a timing or a
memory reading, is what proves nothing larger than the limit was buffered.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated, Any

import django
import flask
import pytest
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.core.handlers.wsgi import WSGIRequest
from fastapi import Depends, FastAPI
from flask import Flask
from starlette.applications import Starlette
from starlette.routing import Route
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder

from k2connect_ext._exceptions import K2ConfigError
from k2connect_ext.webhooks._body_limit import DEFAULT_MAX_BODY_BYTES, declared_length, read_limited
from k2connect_ext.webhooks._events import K2Event
from k2connect_ext.webhooks._receivers import AsyncWebhookReceiver, WebhookReceiver
from k2connect_ext.webhooks._signatures import SIGNATURE_HEADER, compute_signature
from k2connect_ext.webhooks.adapters import django as django_adapter
from k2connect_ext.webhooks.adapters import flask as flask_adapter
from k2connect_ext.webhooks.adapters.starlette import verified_event, webhook_endpoint

# The same settings as test_adapters.py, whichever module configures Django first.
if not settings.configured:
    settings.configure(
        SECRET_KEY="k2connect-adapter-tests",
        ALLOWED_HOSTS=["testserver"],
        INSTALLED_APPS=[],
        MIDDLEWARE=["django.middleware.csrf.CsrfViewMiddleware"],
    )
    django.setup()

KEY = "body-limit-test-api-key"
LIMIT = 1000
CHUNK = 100
EVENT = {
    "topic": "customer_created",
    "id": "b0d71e00-0000-4000-8000-000000000001",
    "created_at": "2026-03-01T12:00:00+03:00",
    "event": {"type": "Customer Created", "resource": {"phone_number": "+254700000011"}},
}


def padded_event(size: int) -> bytes:
    """A valid webhook body of exactly ``size`` bytes (trailing JSON whitespace)."""
    raw = json.dumps(EVENT, separators=(",", ":")).encode()
    assert len(raw) <= size
    return raw + b" " * (size - len(raw))


class Source:
    """The request body as the server would hand it over, in chunks, counting what the adapter pulled."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.consumed = 0

    def chunks(self) -> Iterator[bytes]:
        for start in range(0, len(self.body), CHUNK):
            chunk = self.body[start : start + CHUNK]
            self.consumed += len(chunk)
            yield chunk

    def read(self, size: int = -1) -> bytes:  # the file-like side, for WSGI and Django
        start = self.consumed
        end = len(self.body) if size is None or size < 0 else min(len(self.body), start + min(size, CHUNK))
        self.consumed = end
        return self.body[start:end]

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


# ------------------------------------------------------------------------------------------- drivers

# A driver POSTs ``source`` with the headers given and returns the HTTP status the adapter answered.
Driver = Callable[[Source, dict[str, str], Callable[[K2Event], Any]], Awaitable[int]]


async def _asgi(app: Any, path: str, source: Source, headers: dict[str, str]) -> int:
    chunks = source.chunks()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }

    async def receive() -> dict[str, Any]:
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": chunk, "more_body": True}

    statuses: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    return statuses[0]


async def starlette_endpoint(source: Source, headers: dict[str, str], handler: Any) -> int:
    endpoint = webhook_endpoint(KEY, handler, max_body_bytes=LIMIT)
    return await _asgi(Starlette(routes=[Route("/k2", endpoint, methods=["POST"])]), "/k2", source, headers)


async def starlette_async_handler(source: Source, headers: dict[str, str], handler: Any) -> int:
    async def async_handler(event: K2Event) -> None:
        await asyncio.sleep(0)
        handler(event)

    return await starlette_endpoint(source, headers, async_handler)


async def fastapi_endpoint(source: Source, headers: dict[str, str], handler: Any) -> int:
    app = FastAPI()
    app.add_api_route("/k2", webhook_endpoint(KEY, handler, max_body_bytes=LIMIT), methods=["POST"])
    return await _asgi(app, "/k2", source, headers)


async def fastapi_dependency(source: Source, headers: dict[str, str], handler: Any) -> int:
    app = FastAPI()

    @app.post("/k2")
    async def receive(event: Annotated[K2Event, Depends(verified_event(KEY, max_body_bytes=LIMIT))]) -> None:
        handler(event)

    return await _asgi(app, "/k2", source, headers)


def _wsgi_environ(source: Source, headers: dict[str, str]) -> dict[str, Any]:
    length = headers.pop("Content-Length", None)
    builder = EnvironBuilder(path="/k2", method="POST", headers=Headers(headers))
    environ: dict[str, Any] = builder.get_environ()
    environ["wsgi.input"] = source
    environ.pop("CONTENT_LENGTH", None)
    if length is not None:
        environ["CONTENT_LENGTH"] = length
    else:  # chunked: the server ends the stream, as gunicorn and werkzeug's dev server do
        environ["wsgi.input_terminated"] = True
    return environ


async def flask_view(source: Source, headers: dict[str, str], handler: Any) -> int:
    app = Flask(__name__)
    view = flask_adapter.webhook_view(KEY, handler, max_body_bytes=LIMIT)
    app.add_url_rule("/k2", view_func=view, methods=["POST"])
    statuses: list[str] = []

    def start_response(
        status: str, response_headers: list[tuple[str, str]], exc_info: object = None
    ) -> Callable[[bytes], object]:
        statuses.append(status)
        return lambda data: None  # the write() of old WSGI apps: Flask returns its body instead

    app(_wsgi_environ(source, headers), start_response)
    return int(statuses[0].split()[0])


async def django_sync(source: Source, headers: dict[str, str], handler: Any) -> int:
    view = django_adapter.webhook_view(KEY, handler, max_body_bytes=LIMIT)
    response = view(WSGIRequest(_wsgi_environ(source, headers)))
    assert not isinstance(response, Awaitable), "a sync handler gets a sync view"
    return int(response.status_code)


async def django_async(source: Source, headers: dict[str, str], handler: Any) -> int:
    async def async_handler(event: K2Event) -> None:
        handler(event)

    view = django_adapter.webhook_view(KEY, async_handler, max_body_bytes=LIMIT)
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/k2",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    return int((await view(ASGIRequest(scope, source))).status_code)


# (driver, whether the framework hands a chunked body to the view, and one longer than Content-Length):
# WSGI frameworks never read past Content-Length themselves; Django under WSGI reads nothing without one.
DRIVERS = [
    pytest.param(starlette_endpoint, (True, True), id="starlette-sync-handler"),
    pytest.param(starlette_async_handler, (True, True), id="starlette-async-handler"),
    pytest.param(fastapi_endpoint, (True, True), id="fastapi-endpoint"),
    pytest.param(fastapi_dependency, (True, True), id="fastapi-dependency"),
    pytest.param(flask_view, (True, False), id="flask"),
    pytest.param(django_sync, (False, False), id="django-sync"),
    pytest.param(django_async, (True, True), id="django-async"),
]


def _signed(body: bytes, **extra: str) -> dict[str, str]:
    return {SIGNATURE_HEADER: compute_signature(body, KEY), "Content-Type": "application/json", **extra}


# --------------------------------------------------------------------------------------------- tests


@pytest.mark.parametrize(("drive", "passes"), DRIVERS)
async def test_body_at_the_limit_is_accepted(drive: Driver, passes: tuple[bool, bool]) -> None:
    """A signed body of exactly the limit is read whole and handled."""
    body = padded_event(LIMIT)
    seen: list[K2Event] = []
    status = await drive(Source(body), _signed(body, **{"Content-Length": str(LIMIT)}), seen.append)
    assert status == 200 and len(seen) == 1


@pytest.mark.parametrize(("drive", "passes"), DRIVERS)
async def test_declared_length_over_the_limit_is_413_before_reading(
    drive: Driver, passes: tuple[bool, bool]
) -> None:
    """Content-Length one byte over the limit: 413, and not one byte of the body was pulled."""
    body = padded_event(LIMIT + 1)
    source = Source(body)
    seen: list[K2Event] = []
    status = await drive(source, _signed(body, **{"Content-Length": str(LIMIT + 1)}), seen.append)
    assert status == 413 and seen == []
    assert source.consumed == 0


@pytest.mark.parametrize(("drive", "passes"), DRIVERS)
async def test_chunked_body_over_the_limit_is_cut_off(drive: Driver, passes: tuple[bool, bool]) -> None:
    """No Content-Length, 100 times the limit streamed: 413 after at most the limit plus one chunk."""
    body = b"x" * (LIMIT * 100)
    source = Source(body)
    seen: list[K2Event] = []
    status = await drive(source, _signed(body), seen.append)
    assert seen == [] and source.consumed <= LIMIT + CHUNK
    assert status == (413 if passes[0] else 401)  # else the view got an empty body: its signature fails


@pytest.mark.parametrize(("drive", "passes"), DRIVERS)
async def test_lying_content_length_is_cut_off(drive: Driver, passes: tuple[bool, bool]) -> None:
    """Content-Length says 10 bytes, the stream goes on: never more than the limit plus a chunk is read."""
    body = b"y" * (LIMIT * 100)
    source = Source(body)
    seen: list[K2Event] = []
    status = await drive(source, _signed(body, **{"Content-Length": "10"}), seen.append)
    assert seen == [] and source.consumed <= LIMIT + CHUNK
    assert status == (413 if passes[1] else 401)  # else the view got the first 10 bytes only


def test_default_limit_is_one_mebibyte() -> None:
    """Without max_body_bytes the limit is 1 MiB (checked on the receivers the adapters build)."""
    assert DEFAULT_MAX_BODY_BYTES == 1024 * 1024
    assert WebhookReceiver(KEY, print).max_body_bytes == DEFAULT_MAX_BODY_BYTES
    assert AsyncWebhookReceiver(KEY, print).max_body_bytes == DEFAULT_MAX_BODY_BYTES


# ---------------------------------------------------------------------------------- receivers direct


def test_receiver_handle_refuses_an_oversized_body_unverified() -> None:
    """handle() itself answers 413 to a body over the limit, before checking any signature."""
    receiver = WebhookReceiver(KEY, print, max_body_bytes=LIMIT)
    answer = receiver.handle(b" " * (LIMIT + 1), {})
    assert answer.status == 413 and b"1000" in answer.body
    assert receiver.handle(memoryview(b" " * (LIMIT + 1)), {}).status == 413


async def test_async_receiver_handle_refuses_an_oversized_body() -> None:
    """The async receiver's handle() gives the same 413."""
    receiver = AsyncWebhookReceiver(KEY, print, max_body_bytes=LIMIT)
    assert (await receiver.handle(b" " * (LIMIT + 1), {})).status == 413


@pytest.mark.parametrize("bad", [0, -1, 1.5, "1000", True, None])
def test_a_bad_limit_is_a_config_error(bad: Any) -> None:
    """A limit that is not a positive int is refused at construction, by receivers and adapters alike."""
    with pytest.raises(K2ConfigError):
        WebhookReceiver(KEY, print, max_body_bytes=bad)
    with pytest.raises(K2ConfigError):
        AsyncWebhookReceiver(KEY, print, max_body_bytes=bad)
    with pytest.raises(K2ConfigError):
        verified_event(KEY, max_body_bytes=bad)
    with pytest.raises(K2ConfigError):
        flask_adapter.webhook_view(KEY, print, max_body_bytes=bad)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Content-Length": "12"}, 12),
        ({"content-length": " 7 "}, 7),
        ({"CONTENT_LENGTH": "5"}, 5),  # Django's META
        ({"Content-Length": "+5"}, None),
        ({"Content-Length": "٣"}, None),  # a non-ASCII digit int() would take
        ({"Content-Length": "9" * 30}, None),
        ({}, None),
    ],
)
def test_declared_length(headers: dict[str, str], expected: int | None) -> None:
    """Content-Length is read strictly; anything odd counts as not announced (then the stream is capped)."""
    assert declared_length(headers) == expected


def test_read_limited_stops_pulling_at_the_limit() -> None:
    """read_limited returns None without pulling the chunk after the one that crossed the limit."""
    source = Source(b"z" * (LIMIT * 10))
    assert read_limited(source.chunks(), LIMIT) is None
    assert source.consumed == LIMIT + CHUNK
    chunks: list[bytes | bytearray] = [b"ab", bytearray(b"cd")]
    assert read_limited(iter(chunks), 4) == b"abcd"


def test_flask_app_max_content_length_lower_than_ours_is_413() -> None:
    """Flask's own MAX_CONTENT_LENGTH, when lower, also ends in the receiver's 413 (not werkzeug's HTML)."""
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 50
    app.add_url_rule("/k2", view_func=flask_adapter.webhook_view(KEY, print), methods=["POST"])
    response = app.test_client().post("/k2", data=b"q" * 60, headers=_signed(b"q" * 60))
    assert response.status_code == 413 and response.is_json


def test_flask_body_already_read_by_a_hook_is_used() -> None:
    """A before_request hook that read the body (cached by werkzeug) does not leave the view an empty body."""
    seen: list[K2Event] = []
    app = Flask(__name__)

    @app.before_request
    def peek() -> None:
        flask.request.get_data()  # e.g. a logging hook; werkzeug caches what it read

    app.add_url_rule("/k2", view_func=flask_adapter.webhook_view(KEY, seen.append), methods=["POST"])
    body = padded_event(300)
    response = app.test_client().post("/k2", data=body, headers=_signed(body))
    assert response.status_code == 200 and len(seen) == 1
