"""No request reads another's answer: bytes left on a kept-alive connection after a whole answer.

The fault server's ``stray_response`` answers the first request it hits normally and, in the same write, a
second time (a ``201`` with a ``Location`` of nothing); it answers the next request ``500``. h11 reads both
answers at once and keeps the stray one in its buffer, where httpcore's "is the idle socket readable?"
check cannot see it: before, the next request on that connection read the stray ``201`` as its own, and a
create K2 answered ``500`` came back created at the stray ``Location`` (httpx, sync and async; aiohttp
closed the connection). These run the real clients against the real fault server over loopback; the
fault matrix (``make reliability``) runs the same fault against every create on all three backends.

Over TLS the stray answer can also hide one layer down: sent as a TLS record of its own that arrives in
the same read as the answer's last one, it waits in anyio's TLS buffer (async httpx), seen by neither h11
nor the socket check. ``TLSServer`` below sends exactly that, and a close_notify the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import threading
from collections.abc import Iterator
from typing import Any, Literal

import httpx
import pytest
import trustme

from k2connect_ext import K2, AsyncK2, K2AmbiguousOutcomeError
from k2connect_ext._aiohttp_transport import AiohttpTransport
from k2connect_ext._deadline_backend import install, install_async

from .faultserver import Fault, FaultServer, Listener
from .matrix import API_KEY, CLIENT_ID, CLIENT_SECRET, FAULTS

STRAY = FAULTS["stray_response"]
# A 200 whose body is far longer than one read: while it is read, h11 holds part of it.
BIG = Fault("big_answer", "big", "api", "status", 200, body=b"x" * 1_000_000)
CREATE_PATH = "/api/v2/incoming_payments"
LOCATION_PATH = CREATE_PATH + "/0f1e2d3c-0000-4a5b-8c9d-000000000003"
CREATE: dict[str, Any] = {
    "phone_number": "0712345678",
    "amount": 100,
    "till_number": "K000000",
    "callback_url": "https://example.com/k2/result",
}


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    fault_server = FaultServer(client_secret=CLIENT_SECRET, api_key=API_KEY)
    yield fault_server
    fault_server.close()


def _options(listener: Listener) -> dict[str, Any]:
    return {"base_url": listener.base_url, "api_key": API_KEY, "environ": {}}


def _read_answer(sock: socket.socket, buffer: bytes) -> tuple[bytes, bytes]:
    """One answer (head and Content-Length body) from ``buffer`` and the socket; and what follows it."""
    while b"\r\n\r\n" not in buffer:
        buffer += sock.recv(65536)
    head, _, rest = buffer.partition(b"\r\n\r\n")
    length = int(next(v for k, v in _headers(head) if k == b"content-length"))
    while len(rest) < length:
        rest += sock.recv(65536)
    return head + b"\r\n\r\n" + rest[:length], rest[length:]


def _headers(head: bytes) -> list[tuple[bytes, bytes]]:
    lines = head.split(b"\r\n")[1:]
    return [(k.strip().lower(), v.strip()) for k, _, v in (line.partition(b":") for line in lines)]


def test_the_fault_sends_a_stray_answer_behind_the_first_and_500_to_the_next(server: FaultServer) -> None:
    """The harness does what the tests below rely on: two answers in one write, then a 500."""
    with server.listen(STRAY) as listener, socket.create_connection(("127.0.0.1", listener.port), 5) as sock:
        request = f"GET {LOCATION_PATH} HTTP/1.1\r\nHost: k2\r\n\r\n".encode()
        sock.sendall(request)
        first, leftover = _read_answer(sock, b"")
        stray, leftover = _read_answer(sock, leftover)
        assert first.startswith(b"HTTP/1.1 200 ")
        assert stray.startswith(b"HTTP/1.1 201 ")
        assert dict(_headers(stray.partition(b"\r\n\r\n")[0]))[b"location"].decode() in (
            listener.issued.stray_locations
        )
        assert leftover == b""
        sock.sendall(request)
        assert _read_answer(sock, b"")[0].startswith(b"HTTP/1.1 500 ")


def test_a_sync_create_after_a_stray_answer_gets_its_own_answer(server: FaultServer) -> None:
    """K2 (httpx): the first create is made; the second is K2's 500, ambiguous, never the stray 201."""
    with server.listen(STRAY) as listener, K2(CLIENT_ID, CLIENT_SECRET, **_options(listener)) as k2:
        created = k2.stk_push(**CREATE)
        with pytest.raises(K2AmbiguousOutcomeError) as caught:
            k2.stk_push(**CREATE)
    assert created.location in listener.issued.locations
    assert (caught.value.status_code, caught.value.location) == (500, None)
    assert listener.count("POST", CREATE_PATH) == 2
    assert listener.connections()[0] == 2  # the connection holding the stray answer was not reused


@pytest.mark.parametrize("backend", ["httpx", "aiohttp"])
async def test_an_async_create_after_a_stray_answer_gets_its_own_answer(
    server: FaultServer, backend: Literal["httpx", "aiohttp"]
) -> None:
    """AsyncK2, on both backends: the same as the sync client."""
    with server.listen(STRAY) as listener:
        async with AsyncK2(CLIENT_ID, CLIENT_SECRET, http_backend=backend, **_options(listener)) as k2:
            created = await k2.stk_push(**CREATE)
            with pytest.raises(K2AmbiguousOutcomeError) as caught:
                await k2.stk_push(**CREATE)
    assert created.location in listener.issued.locations
    assert (caught.value.status_code, caught.value.location) == (500, None)
    assert listener.count("POST", CREATE_PATH) == 2
    assert listener.connections()[0] == 2


def test_a_connection_whose_answer_is_being_read_is_left_alone(server: FaultServer) -> None:
    """What h11 holds while an answer is read belongs to that answer: a request made meanwhile takes a
    second connection and leaves the first one open, so the rest of the first answer still arrives."""
    transport = install(httpx.HTTPTransport())
    with (
        server.listen(BIG) as listener,
        httpx.Client(transport=transport, base_url=listener.base_url) as http,
        http.stream("GET", LOCATION_PATH) as first,  # the head and some of the body read, in h11
    ):
        second = http.get(LOCATION_PATH)
        body = first.read()
    assert (first.status_code, second.status_code, body) == (200, 200, BIG.body)
    assert listener.connections()[0] == 2


async def test_the_async_pool_leaves_a_connection_whose_answer_is_being_read_alone(
    server: FaultServer,
) -> None:
    """The asyncio twin of the test above."""
    transport = install_async(httpx.AsyncHTTPTransport())
    with server.listen(BIG) as listener:
        async with (
            httpx.AsyncClient(transport=transport, base_url=listener.base_url) as http,
            http.stream("GET", LOCATION_PATH) as first,
        ):
            second = await http.get(LOCATION_PATH)
            body = await first.aread()
    assert (first.status_code, second.status_code, body) == (200, 200, BIG.body)
    assert listener.connections()[0] == 2


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_clean_connection_is_still_reused(server: FaultServer, mode: str) -> None:
    """Nothing unread, nothing closed: five requests share one kept-alive connection."""
    with server.listen(None) as listener:
        url = listener.base_url + LOCATION_PATH
        if mode == "sync":
            with httpx.Client(transport=install(httpx.HTTPTransport())) as http:
                statuses = [http.get(url).status_code for _ in range(5)]
        else:

            async def five() -> list[int]:
                async with httpx.AsyncClient(transport=install_async(httpx.AsyncHTTPTransport())) as http:
                    return [(await http.get(url)).status_code for _ in range(5)]

            statuses = asyncio.run(five())
        assert statuses == [200] * 5
        assert listener.connections()[0] == 1


# ------------------------------------------------------------------ over TLS
def _answer(status: bytes, *headers: bytes) -> bytes:
    return (
        b"HTTP/1.1 "
        + status
        + b"\r\nContent-Length: 0\r\n"
        + b"".join(h + b"\r\n" for h in headers)
        + b"\r\n"
    )


class TLSServer:
    """A TLS server on loopback that writes TLS records by hand (``ssl.MemoryBIO``), so that what follows
    its first answer goes out in the same ``send`` as that answer, as a record of its own: ``"stray"`` (a
    second answer), ``"close_notify"`` (TLS closed, TCP left open) or ``"nothing"``. Every later request
    gets a 500."""

    def __init__(self, after_first: Literal["stray", "close_notify", "nothing"]) -> None:
        self.after_first = after_first
        authority = trustme.CA()
        self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert("127.0.0.1").configure_cert(self._context)
        self.client_context = ssl.create_default_context()
        authority.configure_trust(self.client_context)
        self.requests = 0
        self.connections = 0
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listening = socket.create_server(("127.0.0.1", 0))
        self._listening.settimeout(0.05)  # wakes to see whether it should stop
        self._stop = threading.Event()
        self.url = f"https://127.0.0.1:{self._listening.getsockname()[1]}/api/v2/incoming_payments"
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            open_connections = list(self._open)
        for conn in open_connections:  # a client's TLS shutdown may still be on its way: do not wait
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join(5.0)
        self._listening.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listening.accept()
            except TimeoutError:
                continue
            with self._lock:
                self.connections += 1
                self._open.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = self._context.wrap_bio(incoming, outgoing, server_side=True)
        conn.settimeout(5.0)  # the client closes its connections when done; this is a hang guard

        def flush() -> None:
            conn.sendall(outgoing.read())

        def pull() -> None:
            data = conn.recv(65536)
            if not data:
                raise EOFError
            incoming.write(data)

        with conn, contextlib.suppress(EOFError, OSError, ssl.SSLError):
            while True:
                try:
                    tls.do_handshake()
                    break
                except ssl.SSLWantReadError:
                    flush()
                    pull()
            flush()
            while True:
                request = b""
                while not _whole(request):
                    try:
                        data = tls.read(65536)
                    except ssl.SSLWantReadError:
                        flush()
                        pull()
                        continue
                    if not data:  # the client's close_notify
                        raise EOFError
                    request += data
                with self._lock:
                    self.requests += 1
                    first = self.requests == 1
                if not first:
                    tls.write(_answer(b"500 Internal Server Error"))
                    flush()
                    continue
                tls.write(_answer(b"201 Created", b"Location: /api/v2/incoming_payments/made"))
                if self.after_first == "stray":
                    tls.write(_answer(b"201 Created", b"Location: /api/v2/incoming_payments/stray"))
                elif self.after_first == "close_notify":
                    with contextlib.suppress(ssl.SSLWantReadError):
                        tls.unwrap()  # writes close_notify; the peer's is never awaited
                flush()  # the answer and what follows it, in one send


def _whole(request: bytes) -> bool:
    """Whether ``request`` holds a whole request: its head and as many body bytes as it declares."""
    head, found, body = request.partition(b"\r\n\r\n")
    lines = [line.partition(b":") for line in head.split(b"\r\n")[1:]]
    length = next((int(value) for name, _, value in lines if name.strip().lower() == b"content-length"), 0)
    return bool(found) and len(body) >= length


@pytest.fixture(params=["stray", "close_notify"])
def tls_server(request: pytest.FixtureRequest) -> Iterator[TLSServer]:
    server = TLSServer(request.param)
    yield server
    server.close()


def _statuses_sync(server: TLSServer) -> list[int]:
    transport = install(httpx.HTTPTransport(verify=server.client_context))
    with httpx.Client(transport=transport) as http:
        return [http.post(server.url, json={}).status_code for _ in range(2)]


async def _statuses_async(server: TLSServer, transport: httpx.AsyncBaseTransport) -> list[int]:
    async with httpx.AsyncClient(transport=transport) as http:
        return [(await http.post(server.url, json={})).status_code for _ in range(2)]


def _statuses(server: TLSServer, backend: str) -> list[int]:
    if backend == "sync":
        return _statuses_sync(server)
    if backend == "async":
        transport = install_async(httpx.AsyncHTTPTransport(verify=server.client_context))
        return asyncio.run(_statuses_async(server, transport))
    return asyncio.run(_statuses_async(server, AiohttpTransport(ssl_context=server.client_context)))


@pytest.mark.parametrize("backend", ["sync", "async", "aiohttp"])
def test_what_tls_holds_after_an_answer_is_never_read_as_the_next_answer(
    tls_server: TLSServer, backend: str
) -> None:
    """After a 201 followed, in the same send, by a stray TLS record (or a close_notify), the next POST
    goes out on a new connection and gets its own answer (500), on every backend. (Before, async httpx
    read the stray 201, or sent the POST into a closed TLS session: an answerless, ambiguous create.)"""
    assert _statuses(tls_server, backend) == [201, 500]
    assert tls_server.connections == 2


@pytest.mark.parametrize("backend", ["sync", "async", "aiohttp"])
def test_a_clean_tls_connection_is_still_reused(backend: str) -> None:
    """Nothing left in TLS after the answer (the session tickets TLS 1.3 sends are not data): the next
    POST reuses the connection."""
    server = TLSServer("nothing")
    try:
        assert _statuses(server, backend) == [201, 500]
    finally:
        server.close()
    assert server.connections == 1
