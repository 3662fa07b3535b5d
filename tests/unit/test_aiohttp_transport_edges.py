"""AiohttpTransport's less travelled paths: older aiohttp, odd URLs, cancellation, an unlimited pool.

Same raw-socket servers as ``test_aiohttp_transport.py``: each test decides what the "server" does.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from k2connect_ext._aiohttp_transport import AiohttpTransport, _Exchange, aiohttp_available
from tests.unit.test_aiohttp_transport import FAST, Handler, Server, ok

aiohttp = pytest.importorskip("aiohttp")


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Callable[[Server], Handler]], Awaitable[Server]]]:
    servers: list[Server] = []

    async def start(make: Callable[[Server], Handler]) -> Server:
        server = Server(lambda r, w: asyncio.sleep(0))
        server.handler = make(server)
        servers.append(server)
        return await server.start()

    yield start
    for server in servers:
        await server.close()


def test_aiohttp_available_says_whether_the_extra_is_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """``aiohttp_available()`` is True with the extra installed and False (not an error) without it."""
    assert aiohttp_available() is True
    monkeypatch.setitem(sys.modules, "aiohttp", None)
    assert aiohttp_available() is False


async def test_a_refused_connection_is_connect_error_on_aiohttp_without_non_http_url_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """aiohttp 3.9, which the extra allows, has no ``NonHttpUrlClientError``: a connection that was never
    made must still be ``ConnectError`` (retried as never sent), not an ``AttributeError``."""
    monkeypatch.delattr(aiohttp, "NonHttpUrlClientError", raising=False)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with httpx.AsyncClient(transport=AiohttpTransport(), timeout=FAST) as http:
        with pytest.raises(httpx.ConnectError):
            await http.post(f"http://127.0.0.1:{port}/x", json={})


@pytest.mark.parametrize(
    "url",
    [
        "http:///x",
        pytest.param(
            "ftp://127.0.0.1/x",
            marks=pytest.mark.skipif(
                not hasattr(aiohttp, "NonHttpUrlClientError"), reason="aiohttp < 3.10 tries to connect"
            ),
        ),
    ],
)
async def test_a_url_aiohttp_cannot_use_is_unsupported_protocol(url: str) -> None:
    """A URL without a host, or with a scheme aiohttp does not speak, is refused before any connection:
    ``UnsupportedProtocol``, which the retry layer neither retries nor reports as possibly sent."""
    transport = AiohttpTransport()
    try:
        with pytest.raises(httpx.UnsupportedProtocol):
            await transport.handle_async_request(httpx.Request("POST", url, json={}))
    finally:
        await transport.aclose()


async def test_a_closed_transport_refuses_new_requests() -> None:
    """After ``aclose`` the transport says it is closed rather than quietly opening a new session."""
    transport = AiohttpTransport()
    await transport.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await transport.handle_async_request(httpx.Request("GET", "http://127.0.0.1:1/"))


async def test_max_connections_none_means_no_limit(serve: Any) -> None:
    """``Limits(max_connections=None)`` is httpx's "unlimited": five requests are open at once (the server
    answers none of them before all five arrived), and each response's close frees nothing it lacks."""
    together = 5
    arrived = asyncio.Event()

    def make(server: Server) -> Handler:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await server.read_request(reader)
            if len(server.requests) == together:
                arrived.set()
            await arrived.wait()
            writer.write(ok(b"all here"))
            await writer.drain()

        return handler

    server = await serve(make)
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    async with httpx.AsyncClient(transport=AiohttpTransport(limits=limits), timeout=FAST) as http:
        responses = await asyncio.gather(*(http.get(server.url(f"/{i}")) for i in range(together)))
    assert [r.text for r in responses] == ["all here"] * together
    assert server.peak == together


def first_request_hangs(server: Server, received: asyncio.Event, answer: bytes) -> Handler:
    """The first request gets ``answer`` and then nothing more until the client goes; later ones get 200."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await server.read_request(reader) is not None:
            if len(server.requests) == 1:
                writer.write(answer)
                await writer.drain()
                received.set()
                await reader.read()  # until the client closes the connection
                return
            writer.write(ok(b"next"))
            await writer.drain()

    return handler


async def test_cancelling_a_request_waiting_for_its_answer_frees_its_pool_slot(serve: Any) -> None:
    """A task cancelled while waiting for the answer gets ``CancelledError`` as it is (not an httpx error,
    which would read as a network failure), and its pool slot is given back."""
    received = asyncio.Event()
    server = await serve(lambda s: first_request_hangs(s, received, b""))
    limits = httpx.Limits(max_connections=1)
    async with httpx.AsyncClient(
        transport=AiohttpTransport(limits=limits), timeout=httpx.Timeout(5.0, pool=1.0)
    ) as http:
        waiting = asyncio.create_task(http.get(server.url("/first")))
        await received.wait()
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert (await http.get(server.url("/second"))).text == "next"


async def test_cancelling_while_the_body_is_read_frees_its_pool_slot(serve: Any) -> None:
    """Cancelled halfway through a body: ``CancelledError`` as it is, and the slot comes back."""
    received = asyncio.Event()
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"x" * 10
    server = await serve(lambda s: first_request_hangs(s, received, head))
    limits = httpx.Limits(max_connections=1)
    first_chunk = asyncio.Event()

    async def read_body(http: httpx.AsyncClient) -> None:
        async with http.stream("GET", server.url("/first")) as response:
            async for _chunk in response.aiter_raw():
                first_chunk.set()

    async with httpx.AsyncClient(
        transport=AiohttpTransport(limits=limits), timeout=httpx.Timeout(5.0, pool=1.0)
    ) as http:
        reading = asyncio.create_task(read_body(http))
        await first_chunk.wait()
        reading.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reading
        assert (await http.get(server.url("/second"))).text == "next"


def test_the_parsed_url_cache_stays_bounded() -> None:
    """A client that calls ever new URLs (each resource's own Location) keeps at most 512 parsed ones,
    and every URL still comes out exactly as httpx encoded it."""
    transport = AiohttpTransport()
    urls = [f"https://api.example/resources/{i}?q=a%20b" for i in range(600)]
    parsed = [transport._aiohttp_url(httpx.Request("GET", url)) for url in urls]
    assert [str(p) for p in parsed] == urls
    assert 0 < len(transport._urls) <= 512


@pytest.mark.parametrize(("written", "write_timed_out"), [(False, True), (True, False)])
async def test_a_write_timer_firing_after_the_connection_went_judges_by_what_was_written(
    written: bool, write_timed_out: bool
) -> None:
    """aiohttp may hand over a connection whose transport is already gone. When the write timer fires
    then, nothing can be buffered: a request not wholly written is a write timeout, one wholly written
    is left to the read timeout."""
    loop = asyncio.get_running_loop()
    exchange = _Exchange(loop, write_timeout=30.0, call_deadline=None)
    async with asyncio.timeout(None) as deadline:
        exchange.deadline = deadline
        exchange.sending(None)
        if written:
            exchange.finished_writing()
        exchange._write_deadline()
        assert exchange.write_timed_out is write_timed_out
        assert (deadline.when() is not None) is write_timed_out
        deadline.reschedule(None)
        exchange.stop_timers()
