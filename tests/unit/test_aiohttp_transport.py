"""AiohttpTransport against real loopback sockets: every fault maps to the httpx error that says whether
the request may have left, and normal traffic round-trips.

The servers are raw asyncio sockets, so each test decides byte by byte what the "server" does.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import ssl
import struct
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import trustme

from k2connect_ext import _call
from k2connect_ext._aiohttp_transport import AiohttpTransport, _Exchange, aiohttp_available
from k2connect_ext._exceptions import K2AmbiguousOutcomeError, K2ConfigError
from k2connect_ext._retry import AsyncRetryingTransport, RetryPolicy

aiohttp = pytest.importorskip("aiohttp")

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
MAY_HAVE_BEEN_SENT = (
    httpx.WriteError,
    httpx.WriteTimeout,
    httpx.ReadError,
    httpx.ReadTimeout,
    httpx.RemoteProtocolError,
)
TOKEN = "Bearer secret-token-value"
FAST = httpx.Timeout(2.0)


class Server:
    """A loopback server running ``handler`` per connection; counts connections and requests."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.accepted = 0
        self.open = 0
        self.peak = 0
        self.requests: list[tuple[bytes, dict[bytes, bytes], bytes]] = []
        self.server: asyncio.Server | None = None
        self.port = 0

    async def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        self.open += 1
        self.peak = max(self.peak, self.open)
        try:
            await self.handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self.open -= 1
            writer.close()

    async def start(self, ssl_context: ssl.SSLContext | None = None) -> Server:
        self.server = await asyncio.start_server(self._on_connect, "127.0.0.1", 0, ssl=ssl_context)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    def url(self, path: str = "/", scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    async def read_request(
        self, reader: asyncio.StreamReader
    ) -> tuple[bytes, dict[bytes, bytes], bytes] | None:
        line = await reader.readline()
        if not line:
            return None
        headers: dict[bytes, bytes] = {}
        while (raw := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = raw.partition(b":")
            headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get(b"content-length", b"0")))
        self.requests.append((line, headers, body))
        return line, headers, body

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


def ok(body: bytes = b"hello", extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)


def answering(response: bytes, delay: float = 0.0) -> Callable[[Server], Handler]:
    """A keep-alive server that answers every request with ``response``."""

    def make(server: Server) -> Handler:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            while await server.read_request(reader) is not None:
                if delay:
                    await asyncio.sleep(delay)
                writer.write(response)
                await writer.drain()

        return handler

    return make


def reset(writer: asyncio.StreamWriter) -> None:
    """Close with an RST instead of a FIN (SO_LINGER 0)."""
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


@pytest.fixture
async def serve() -> AsyncIterator[Callable[..., Awaitable[Server]]]:
    servers: list[Server] = []

    async def start(make: Callable[[Server], Handler], ssl_context: ssl.SSLContext | None = None) -> Server:
        server = Server(lambda r, w: asyncio.sleep(0))
        server.handler = make(server)
        servers.append(server)
        return await server.start(ssl_context)

    yield start
    for server in servers:
        await server.close()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=AiohttpTransport(), timeout=FAST) as http:
        yield http


# ------------------------------------------------------------------ round trips
async def test_get_round_trips_status_headers_body_and_sends_httpx_headers(
    serve: Any, client: httpx.AsyncClient
) -> None:
    """A GET goes out with httpx's headers only (no aiohttp defaults) and comes back whole."""
    server = await serve(answering(ok(b"hello", b"X-Thing: 1\r\nX-Thing: 2\r\n")))
    response = await client.get(server.url("/a/b?q=a%20b"), headers={"Authorization": TOKEN})
    assert (response.status_code, response.text, response.reason_phrase) == (200, "hello", "OK")
    assert response.headers.get_list("x-thing") == ["1", "2"]
    line, headers, _ = server.requests[0]
    assert line == b"GET /a/b?q=a%20b HTTP/1.1\r\n"
    assert headers[b"user-agent"].startswith(b"python-httpx/")
    assert headers[b"authorization"] == TOKEN.encode()
    assert b"content-type" not in headers


async def test_post_sends_the_body_once_with_its_length_and_type(
    serve: Any, client: httpx.AsyncClient
) -> None:
    """A JSON POST arrives byte for byte, with httpx's Content-Type and Content-Length."""
    server = await serve(answering(b"HTTP/1.1 201 Created\r\nLocation: /x/1\r\nContent-Length: 0\r\n\r\n"))
    response = await client.post(server.url("/x"), json={"amount": "100.00"})
    assert (response.status_code, response.headers["location"]) == (201, "/x/1")
    _, headers, body = server.requests[0]
    assert body == b'{"amount":"100.00"}'
    assert headers[b"content-type"] == b"application/json"
    assert headers[b"content-length"] == b"19"
    assert len(server.requests) == 1


async def test_large_body_arrives_whole_with_its_length(serve: Any, client: httpx.AsyncClient) -> None:
    """A body over aiohttp's 1 MB bytes limit is sent in chunks, still with Content-Length, not chunked."""
    server = await serve(answering(ok()))
    payload = bytes(range(256)) * 8192  # 2 MiB
    assert (await client.post(server.url(), content=payload)).status_code == 200
    _, headers, body = server.requests[0]
    assert body == payload
    assert headers[b"content-length"] == str(len(payload)).encode()
    assert b"transfer-encoding" not in headers


async def test_body_streams_as_it_arrives(serve: Any, client: httpx.AsyncClient) -> None:
    """The first chunk of a chunked body is readable before the server has sent the rest."""
    second_part = asyncio.Event()

    def make(server: Server) -> Handler:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await server.read_request(reader)
            writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n")
            await writer.drain()
            await second_part.wait()
            writer.write(b"6\r\nsecond\r\n0\r\n\r\n")
            await writer.drain()

        return handler

    server = await serve(make)
    async with client.stream("GET", server.url()) as response:
        chunks = response.aiter_bytes()
        assert await chunks.__anext__() == b"first"
        second_part.set()
        assert [chunk async for chunk in chunks] == [b"second"]


async def test_content_encoding_is_decoded_once_by_httpx(serve: Any, client: httpx.AsyncClient) -> None:
    """aiohttp must hand over the raw gzip bytes; httpx decodes them (twice would fail)."""
    server = await serve(answering(ok(gzip.compress(b'{"ok":true}'), b"Content-Encoding: gzip\r\n")))
    response = await client.get(server.url())
    assert response.json() == {"ok": True}


async def test_redirects_are_not_followed(serve: Any, client: httpx.AsyncClient) -> None:
    """A 302 comes back as it is: following it would carry the bearer token wherever it points."""
    server = await serve(
        answering(b"HTTP/1.1 302 Found\r\nLocation: http://evil.example/\r\nContent-Length: 0\r\n\r\n")
    )
    response = await client.get(server.url(), headers={"Authorization": TOKEN})
    assert response.status_code == 302
    assert len(server.requests) == 1


async def test_tls_round_trip_with_an_injected_ca() -> None:
    """HTTPS works with a CA given through ssl_context (trustme), and the certificate is checked."""
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    server = Server(lambda r, w: asyncio.sleep(0))
    server.handler = answering(ok(b"secure"))(server)
    await server.start(server_ctx)
    try:
        async with httpx.AsyncClient(
            transport=AiohttpTransport(ssl_context=client_ctx), timeout=FAST
        ) as http:
            assert (await http.get(server.url(scheme="https"))).text == "secure"
        async with httpx.AsyncClient(transport=AiohttpTransport(), timeout=FAST) as http:
            with pytest.raises(httpx.ConnectError):  # the system CAs do not trust trustme's
                await http.get(server.url(scheme="https"))
    finally:
        await server.close()


def test_a_non_verifying_ssl_context_is_refused() -> None:
    """There is no way to switch certificate checks off."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with pytest.raises(K2ConfigError):
        AiohttpTransport(ssl_context=context)


def test_missing_aiohttp_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the extra installed, building the transport says how to install it."""
    monkeypatch.setitem(sys.modules, "aiohttp", None)
    with pytest.raises(K2ConfigError, match=r"k2connect-sdk\[aiohttp\]"):
        AiohttpTransport()


# ------------------------------------------------------------------ never sent
async def test_refused_connection_is_connect_error(client: httpx.AsyncClient) -> None:
    """Nothing listens: ConnectError (never sent), not a timeout."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(httpx.ConnectError):
        await client.post(f"http://127.0.0.1:{port}/x", json={})


async def test_stalled_tls_handshake_is_connect_timeout(serve: Any) -> None:
    """TCP accepted but TLS never answered: the request never left, ConnectTimeout."""

    def make(server: Server) -> Handler:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await asyncio.sleep(5)

        return handler

    server = await serve(make)
    timeout = httpx.Timeout(5.0, connect=0.3)
    async with httpx.AsyncClient(transport=AiohttpTransport(), timeout=timeout) as http:
        with pytest.raises(httpx.ConnectTimeout):
            await http.post(server.url(scheme="https"), json={})


async def test_no_free_connection_is_pool_timeout(serve: Any) -> None:
    """With the only connection held by an unread response, the next request waits, then PoolTimeout."""
    server = await serve(answering(ok(b"x" * 10)))
    limits = httpx.Limits(max_connections=1)
    timeout = httpx.Timeout(2.0, pool=0.2)
    async with httpx.AsyncClient(transport=AiohttpTransport(limits=limits), timeout=timeout) as http:
        async with http.stream("GET", server.url()):
            with pytest.raises(httpx.PoolTimeout):
                await http.post(server.url(), json={})
        assert len(server.requests) == 1
        assert (await http.get(server.url())).status_code == 200  # the slot came back on close


# ------------------------------------------------------------------ may have been sent
def closing_after_request(how: str) -> Callable[[Server], Handler]:
    def make(server: Server) -> Handler:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await server.read_request(reader)
            if how == "reset":
                reset(writer)
            else:
                writer.close()

        return handler

    return make


async def test_reset_after_the_request_arrived_is_not_a_never_sent_error(
    serve: Any, client: httpx.AsyncClient
) -> None:
    """The server read the POST and reset: a "may have been sent" error, never ConnectError/Timeout."""
    server = await serve(closing_after_request("reset"))
    with pytest.raises(MAY_HAVE_BEEN_SENT) as caught:
        await client.post(server.url(), json={"amount": 1})
    assert not isinstance(caught.value, NEVER_SENT)
    assert len(server.requests) == 1


async def test_close_without_answer_is_remote_protocol_error(serve: Any, client: httpx.AsyncClient) -> None:
    """The server read the POST and closed cleanly without answering: RemoteProtocolError."""
    server = await serve(closing_after_request("close"))
    with pytest.raises(httpx.RemoteProtocolError):
        await client.post(server.url(), json={"amount": 1})
    assert len(server.requests) == 1


async def test_reset_right_after_accept_is_treated_as_maybe_sent(
    serve: Any, client: httpx.AsyncClient
) -> None:
    """A reset before the server read anything cannot be told from one after: the verdict stays safe."""

    def make(server: Server) -> Handler:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            reset(writer)

        return handler

    server = await serve(make)
    with pytest.raises(MAY_HAVE_BEEN_SENT) as caught:
        await client.post(server.url(), json={"amount": 1})
    assert not isinstance(caught.value, NEVER_SENT)


async def test_garbage_status_line_is_remote_protocol_error_without_secrets(
    serve: Any, client: httpx.AsyncClient
) -> None:
    """Not HTTP at all: RemoteProtocolError, and no aiohttp exception (which holds the headers) chained."""

    def make(server: Server) -> Handler:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await server.read_request(reader)
            writer.write(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
            await writer.drain()
            await asyncio.sleep(0.5)

        return handler

    server = await serve(make)
    with pytest.raises(httpx.RemoteProtocolError) as caught:
        await client.post(server.url("/x?token=abc"), json={}, headers={"Authorization": TOKEN})
    error = caught.value
    assert error.__cause__ is None and error.__context__ is None
    assert "secret-token-value" not in str(error) and "token=abc" not in str(error)


async def test_cut_body_is_remote_protocol_error(serve: Any, client: httpx.AsyncClient) -> None:
    """Content-Length promises more than arrives before the close: RemoteProtocolError while reading."""
    server = await serve(
        closing_after_request_with(b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"partial":')
    )
    with pytest.raises(httpx.RemoteProtocolError):
        await client.get(server.url())


def closing_after_request_with(data: bytes) -> Callable[[Server], Handler]:
    def make(server: Server) -> Handler:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await server.read_request(reader)
            writer.write(data)
            await writer.drain()

        return handler

    return make


def stalling_after(data: bytes) -> Callable[[Server], Handler]:
    def make(server: Server) -> Handler:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await server.read_request(reader)
            writer.write(data)
            await writer.drain()
            await asyncio.sleep(5)

        return handler

    return make


async def test_no_answer_within_read_timeout_is_read_timeout(serve: Any) -> None:
    """The request arrived, no answer comes: ReadTimeout (may have been sent)."""
    server = await serve(stalling_after(b""))
    async with httpx.AsyncClient(transport=AiohttpTransport(), timeout=httpx.Timeout(5.0, read=0.3)) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.post(server.url(), json={"amount": 1})
    assert len(server.requests) == 1


async def test_body_stalling_midway_is_read_timeout(serve: Any) -> None:
    """Headers and part of the body arrive, then nothing: ReadTimeout while reading the body."""
    server = await serve(stalling_after(b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"a":'))
    async with httpx.AsyncClient(transport=AiohttpTransport(), timeout=httpx.Timeout(5.0, read=0.3)) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.get(server.url())


async def test_server_not_reading_a_large_body_is_write_timeout(serve: Any) -> None:
    """The peer never reads: the request cannot be written, WriteTimeout (part of it may have left)."""

    def make(server: Server) -> Handler:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await asyncio.sleep(5)

        return handler

    server = await serve(make)
    timeout = httpx.Timeout(5.0, write=0.3)
    async with httpx.AsyncClient(transport=AiohttpTransport(), timeout=timeout) as http:
        with pytest.raises(httpx.WriteTimeout):
            await http.post(server.url(), content=b"x" * (64 * 1024 * 1024))


# ------------------------------------------------------------------ pool and keep-alive
async def test_concurrent_requests_never_open_more_connections_than_the_pool(serve: Any) -> None:
    """30 concurrent GETs through a pool of 3: all answered, never more than 3 connections at once."""
    server = await serve(answering(ok(), delay=0.02))
    limits = httpx.Limits(max_connections=3, max_keepalive_connections=3)
    async with httpx.AsyncClient(
        transport=AiohttpTransport(limits=limits), timeout=httpx.Timeout(10.0)
    ) as http:
        responses = await asyncio.gather(*(http.get(server.url()) for _ in range(30)))
    assert [r.status_code for r in responses] == [200] * 30
    assert server.peak <= 3
    assert server.accepted <= 3


async def test_connections_are_kept_alive_and_reused(serve: Any, client: httpx.AsyncClient) -> None:
    """Sequential requests share one connection."""
    server = await serve(answering(ok()))
    for _ in range(5):
        assert (await client.get(server.url())).status_code == 200
    assert server.accepted == 1


async def test_no_keepalive_opens_a_connection_per_request(serve: Any) -> None:
    """max_keepalive_connections=0 maps to closing every connection after use."""
    server = await serve(answering(ok()))
    limits = httpx.Limits(max_connections=10, max_keepalive_connections=0)
    async with httpx.AsyncClient(transport=AiohttpTransport(limits=limits), timeout=FAST) as http:
        for _ in range(3):
            assert (await http.get(server.url())).status_code == 200
    assert server.accepted == 3


# ------------------------------------------------------------------ with the retry layer
async def test_post_reset_after_send_is_ambiguous_and_sent_once(serve: Any) -> None:
    """Through the SDK's retry layer, a POST reset after sending is never resent."""
    server = await serve(closing_after_request("reset"))
    policy = RetryPolicy(base_delay=0, max_attempts=4)
    transport = AsyncRetryingTransport(AiohttpTransport(), policy)
    async with httpx.AsyncClient(transport=transport, timeout=FAST) as http:
        with pytest.raises(K2AmbiguousOutcomeError):
            await http.post(server.url("/api/v1/incoming_payments"), json={"amount": 1})
    assert len(server.requests) == 1


async def test_get_reset_after_send_is_retried(serve: Any) -> None:
    """A GET is safe to repeat: a reset is retried and the second answer returned."""
    attempts = 0

    def make(server: Server) -> Handler:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal attempts
            await server.read_request(reader)
            attempts += 1
            if attempts == 1:
                reset(writer)
                return
            writer.write(ok(b"second"))
            await writer.drain()

        return handler

    server = await serve(make)
    transport = AsyncRetryingTransport(AiohttpTransport(), RetryPolicy(base_delay=0))
    async with httpx.AsyncClient(transport=transport, timeout=FAST) as http:
        assert (await http.get(server.url())).text == "second"
    assert attempts == 2


# ------------------------------------------------------------------ the SDK's whole-call deadline
async def test_trickled_body_ends_at_the_calls_deadline(serve: Any, client: httpx.AsyncClient) -> None:
    """One byte every 50 ms never trips the read timeout; the call's deadline still ends it: ReadTimeout."""

    def make(server: Server) -> Handler:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await server.read_request(reader)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
            for _ in range(100):
                writer.write(b"x")
                await writer.drain()
                await asyncio.sleep(0.05)

        return handler

    server = await serve(make)
    with _call.scope("get", timeout=0.5), pytest.raises(httpx.ReadTimeout):
        await client.get(server.url())


async def test_a_call_past_its_deadline_sends_nothing(serve: Any, client: httpx.AsyncClient) -> None:
    """No time left in the call: a never-sent timeout, and the server sees no connection at all."""
    server = await serve(answering(ok()))
    with _call.scope("stk_push", timeout=0.0), pytest.raises(NEVER_SENT):
        await client.post(server.url(), json={"amount": 1})
    await asyncio.sleep(0.05)
    assert server.accepted == 0


async def test_a_pooled_connection_the_server_closed_is_not_reused(
    serve: Any, client: httpx.AsyncClient
) -> None:
    """K2 closes idle keep-alive connections: the next POST goes out on a fresh one and succeeds."""

    def make(server: Server) -> Handler:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await server.read_request(reader)
            writer.write(ok())
            await writer.drain()
            await asyncio.sleep(0.05)  # idle timeout of the server: close after answering

        return handler

    server = await serve(make)
    assert (await client.get(server.url())).status_code == 200
    await asyncio.sleep(0.2)
    assert (await client.post(server.url(), json={"amount": 1})).status_code == 200
    assert server.accepted == 2


def test_the_transport_can_be_used_from_one_event_loop_after_another() -> None:
    """asyncio.run per job with one shared client: each new loop gets its own session, no RuntimeError."""

    async def one_request(transport: httpx.AsyncBaseTransport, port: int) -> int:
        async with httpx.AsyncClient(transport=transport, timeout=FAST) as http:
            return (await http.get(f"http://127.0.0.1:{port}/")).status_code

    async def serve_two(transport: AiohttpTransport) -> list[int]:
        server = Server(lambda r, w: asyncio.sleep(0))
        server.handler = answering(ok())(server)
        await server.start()
        try:
            return [await one_request(_Reusable(transport), server.port)]
        finally:
            await server.close()

    transport = AiohttpTransport()
    assert asyncio.run(serve_two(transport)) == [200]
    assert asyncio.run(serve_two(transport)) == [200]


class _Reusable(httpx.AsyncBaseTransport):
    """Lets several AsyncClients share one transport without the first one closing it."""

    def __init__(self, inner: AiohttpTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.inner.handle_async_request(request)


# ----------------------------------------------------------------------------------------------------
# AiohttpTransport's less travelled paths: older aiohttp, odd URLs, cancellation, an unlimited pool.
#
# Same raw-socket servers as above: each test decides what the "server" does.


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
