"""No request reads another's answer: bytes left on a kept-alive connection after a whole answer.

The fault server's ``stray_response`` answers the first request it hits normally and, in the same write, a
second time (a ``201`` with a ``Location`` of nothing); it answers the next request ``500``. h11 reads both
answers at once and keeps the stray one in its buffer, where httpcore's "is the idle socket readable?"
check cannot see it: before, the next request on that connection read the stray ``201`` as its own, and a
create K2 answered ``500`` came back created at the stray ``Location`` (httpx, sync and async; aiohttp
closed the connection). These run the real clients against the real fault server over loopback; the
fault matrix (``make reliability``) runs the same fault against every create on all three backends.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from typing import Any, Literal

import httpx
import pytest

from k2connect_ext import K2, AsyncK2, K2AmbiguousOutcomeError
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
