"""The retrying transports while an answer's body is read, and their asyncio backstop.

A body is judged chunk by chunk: past ``max_response_bytes`` (when no length was declared) or past the
call's deadline, reading stops and the failure follows the usual rules. An inner transport that ignores
its timeouts is stopped shortly after the call's deadline by the async transport's own timer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from k2connect_ext import _call
from k2connect_ext._exceptions import K2AmbiguousOutcomeError
from k2connect_ext._retry import AsyncRetryingTransport, RetryingTransport, RetryPolicy
from k2connect_ext._translate import ResponseTooLarge

BASE = "https://sandbox.kopokopo.com"
modes = pytest.mark.parametrize("mode", ["sync", "async"])


class Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body of ``count`` chunks of ``size`` bytes, sent without a length; counts the chunks pulled."""

    def __init__(self, count: int, size: int) -> None:
        self.count, self.size = count, size
        self.pulled = 0
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self.count):
            self.pulled += 1
            yield b"x" * self.size

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self:
            yield chunk

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


class Handler:
    """Answers every request with 200 and ``body`` (with ``headers``); counts the requests."""

    def __init__(
        self, body: Chunks, *, headers: dict[str, str] | None = None, deadline_passes: bool = False
    ) -> None:
        self.body = body
        self.headers = headers or {}
        self.deadline_passes = deadline_passes
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.deadline_passes:  # the headers came just in time; the body will arrive after the deadline
            call = _call.current()
            assert call is not None
            call.deadline = time.monotonic() - 1.0
        return httpx.Response(200, headers=self.headers, stream=self.body)


def policy(waits: list[float], max_response_bytes: int = 1024) -> RetryPolicy:
    """Default rules; any wait before a retry is recorded instead of slept."""

    async def async_sleep(seconds: float) -> None:
        waits.append(seconds)

    return RetryPolicy(sleep=waits.append, async_sleep=async_sleep, max_response_bytes=max_response_bytes)


async def send(mode: str, handler: Handler, rules: RetryPolicy, method: str) -> httpx.Response:
    if mode == "sync":
        transport = RetryingTransport(httpx.MockTransport(handler), rules)
        with httpx.Client(transport=transport, base_url=BASE) as client:
            return client.request(method, "/api/v1/payments", json={"amount": "10"})
    async_transport = AsyncRetryingTransport(httpx.MockTransport(handler), rules)
    async with httpx.AsyncClient(transport=async_transport, base_url=BASE) as async_client:
        return await async_client.request(method, "/api/v1/payments", json={"amount": "10"})


@modes
async def test_a_call_past_its_deadline_sends_nothing(mode: str) -> None:
    """When the call's deadline has passed before a try, the request is not handed to the network at all:
    ``PoolTimeout``, which says "never sent"."""
    waits: list[float] = []
    handler = Handler(Chunks(count=1, size=2))
    with _call.scope("pay", timeout=60.0) as call, pytest.raises(httpx.PoolTimeout):
        call.deadline = time.monotonic() - 1.0
        await send(mode, handler, policy(waits), "POST")
    assert (handler.calls, waits) == (0, [])


@modes
async def test_a_declared_length_over_the_limit_is_refused_unread(mode: str) -> None:
    """A ``Content-Length`` over ``max_response_bytes`` is refused before a byte of the body is read."""
    waits: list[float] = []
    body = Chunks(count=100, size=6)
    handler = Handler(body, headers={"Content-Length": "600"})
    with pytest.raises(ResponseTooLarge):
        await send(mode, handler, policy(waits, max_response_bytes=10), "GET")
    assert (handler.calls, body.pulled, body.closed, waits) == (1, 0, True, [])


@modes
async def test_a_body_without_a_length_stops_being_read_past_the_limit(mode: str) -> None:
    """A chunked answer larger than ``max_response_bytes`` is refused as soon as it passes the limit, with
    the rest left unread and the response closed; a retry would only fetch it again, so there is none."""
    waits: list[float] = []
    body = Chunks(count=100, size=6)
    handler = Handler(body)
    with pytest.raises(ResponseTooLarge):
        await send(mode, handler, policy(waits, max_response_bytes=10), "GET")
    assert (handler.calls, body.pulled, body.closed, waits) == (1, 2, True, [])


@modes
async def test_a_get_whose_body_outlasts_the_call_is_a_read_timeout(mode: str) -> None:
    """The headers came in time but the call's deadline passes before the body is read: ReadTimeout, and
    no retry, since none could finish in time."""
    waits: list[float] = []
    handler = Handler(Chunks(count=3, size=4), deadline_passes=True)
    with _call.scope("get", timeout=60.0), pytest.raises(httpx.ReadTimeout):
        await send(mode, handler, policy(waits), "GET")
    assert (handler.calls, waits) == (1, [])


@modes
async def test_a_payment_whose_body_outlasts_the_call_is_ambiguous(mode: str) -> None:
    """The same for a payment POST: K2 answered, so it may have moved money. The error says so and carries
    the status that came, and the POST is not sent again."""
    waits: list[float] = []
    handler = Handler(Chunks(count=3, size=4), deadline_passes=True)
    with _call.scope("pay", timeout=60.0), pytest.raises(K2AmbiguousOutcomeError) as caught:
        await send(mode, handler, policy(waits), "POST")
    assert (caught.value.status_code, handler.calls, waits) == (200, 1, [])


class Hanging(httpx.AsyncBaseTransport):
    """An inner transport that never answers and honours no timeout (a stuck third-party transport)."""

    def __init__(self) -> None:
        self.calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        await asyncio.Event().wait()
        raise AssertionError("unreachable")  # pragma: no cover - the wait above never ends


@pytest.mark.parametrize(("method", "error"), [("GET", httpx.ReadTimeout), ("POST", K2AmbiguousOutcomeError)])
async def test_the_async_backstop_ends_a_call_whose_transport_ignores_its_timeouts(
    method: str, error: type[Exception]
) -> None:
    """A transport stuck past the call's deadline is cut off by the backstop shortly after it: a GET gets
    ReadTimeout, a payment POST (which may have arrived) the ambiguous outcome; neither is sent again."""
    waits: list[float] = []
    inner = Hanging()
    transport = AsyncRetryingTransport(inner, policy(waits))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        with _call.scope("call", timeout=0.1), pytest.raises(error):
            await client.request(method, "/api/v1/payments", json={"amount": "10"})
    assert (inner.calls, waits) == (1, [])
