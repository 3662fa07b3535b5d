"""The deadline-aware network backend, on recording fakes: what timeout each socket wait really gets.

Outside an SDK call httpx's own timeouts pass unchanged; inside one every wait (connect, TLS handshake,
read, write) is cut to the time the call has left; past the deadline nothing touches the socket and the
error is httpcore's own timeout, so httpx maps a connect or handshake as "never sent".
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
import typing

import httpcore
import httpx
import pytest
import trustme

from k2connect_ext import _call
from k2connect_ext._deadline_backend import _AsyncBackend, _Backend, install

Waits = list[tuple[str, float | None]]


class RecordingStream(httpcore.NetworkStream):
    def __init__(self, waits: Waits) -> None:
        self.waits = waits

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.waits.append(("read", timeout))
        return b""

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.waits.append(("write", timeout))

    def close(self) -> None:
        pass

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        self.waits.append(("start_tls", timeout))
        return RecordingStream(self.waits)

    def get_extra_info(self, info: str) -> typing.Any:
        return None


class RecordingBackend(httpcore.NetworkBackend):
    """Records each connect (and the address it was asked for); ``refuse`` lists addresses that refuse,
    after ``slow`` seconds."""

    def __init__(self, refuse: typing.Container[str] = (), slow: float = 0.0) -> None:
        self.waits: Waits = []
        self.hosts: list[str] = []
        self.refuse = refuse
        self.slow = slow

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        self.waits.append(("connect", timeout))
        self.hosts.append(host)
        if host in self.refuse:
            time.sleep(self.slow)
            raise httpcore.ConnectError(f"[Errno 111] Connection refused ({host})")
        return RecordingStream(self.waits)


class AsyncRecordingStream(httpcore.AsyncNetworkStream):
    def __init__(self, waits: Waits) -> None:
        self.waits = waits

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.waits.append(("read", timeout))
        return b""

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.waits.append(("write", timeout))

    async def aclose(self) -> None:
        pass

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        self.waits.append(("start_tls", timeout))
        return AsyncRecordingStream(self.waits)

    def get_extra_info(self, info: str) -> typing.Any:
        return None


class AsyncRecordingBackend(httpcore.AsyncNetworkBackend):
    def __init__(self) -> None:
        self.waits: Waits = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.waits.append(("connect", timeout))
        return AsyncRecordingStream(self.waits)


TLS = ssl.create_default_context()
ADDRESSES = ["192.0.2.10", "2001:db8::10"]  # what the resolver below answers for k2.example
Lookup = typing.Callable[..., typing.Any]


def answering(*addresses: str) -> Lookup:
    """A ``getaddrinfo`` that answers ``addresses`` for any name (loopback names go to the real one)."""
    real = socket.getaddrinfo

    def getaddrinfo(
        host: typing.Any, port: typing.Any, *args: typing.Any, **kwargs: typing.Any
    ) -> typing.Any:
        if host in ("127.0.0.1", "localhost"):
            return real(host, port, *args, **kwargs)
        family = {4: socket.AF_INET, 6: socket.AF_INET6}
        return [
            (family[ipaddress.ip_address(a).version], socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses
        ]

    return getaddrinfo


@pytest.fixture(autouse=True)
def resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test here asks a real resolver about a name (the machine may have none)."""
    monkeypatch.setattr(socket, "getaddrinfo", answering(*ADDRESSES))


def test_outside_a_call_httpx_timeouts_pass_unchanged() -> None:
    """A request that belongs to no SDK call keeps exactly the timeouts httpx asked for, TLS included.
    (An address: a name's lookup takes its time out of the connect timeout, see below.)"""
    inner = RecordingBackend()
    stream = _Backend(inner).connect_tcp("192.0.2.10", 443, timeout=5.0)
    tls = stream.start_tls(TLS, "k2.example", timeout=4.0)
    tls.write(b"GET / HTTP/1.1\r\n\r\n", timeout=None)
    tls.read(1024, timeout=3.0)
    assert inner.waits == [("connect", 5.0), ("start_tls", 4.0), ("write", None), ("read", 3.0)]


def test_inside_a_call_every_wait_is_cut_to_the_time_left() -> None:
    """Within a call with 10 s left, a 30 s (or unbounded) wait gets at most those 10 s, on the TLS
    stream too: a slow handshake or a trickling body cannot outlast the call."""
    inner = RecordingBackend()
    with _call.scope("stk_push", timeout=10.0):
        stream = _Backend(inner).connect_tcp("k2.example", 443, timeout=30.0)
        tls = stream.start_tls(TLS, "k2.example", timeout=30.0)
        tls.write(b"POST / HTTP/1.1\r\n\r\n", timeout=None)
        tls.read(1024, timeout=1.0)
    assert [name for name, _ in inner.waits] == ["connect", "start_tls", "write", "read"]
    capped = [wait for _, wait in inner.waits[:3]]
    assert all(wait is not None and 0 < wait <= 10.0 for wait in capped)
    assert inner.waits[3] == ("read", 1.0)  # shorter than the time left: kept


def test_past_the_deadline_nothing_touches_the_socket() -> None:
    """Once the call's deadline has passed, each operation fails at once with httpcore's own timeout
    (a connect or handshake as ConnectTimeout: never sent) and the socket is not used."""
    inner = RecordingBackend()
    backend = _Backend(inner)
    stream = backend.connect_tcp("k2.example", 443, timeout=5.0)
    inner.waits.clear()
    with _call.scope("stk_push", timeout=10.0) as call:
        call.deadline = time.monotonic() - 1.0
        with pytest.raises(httpcore.ConnectTimeout):
            backend.connect_tcp("k2.example", 443, timeout=5.0)
        with pytest.raises(httpcore.ConnectTimeout):
            stream.start_tls(TLS, "k2.example", timeout=5.0)
        with pytest.raises(httpcore.WriteTimeout):
            stream.write(b"x", timeout=5.0)
        with pytest.raises(httpcore.ReadTimeout):
            stream.read(1024, timeout=5.0)
    assert inner.waits == []


async def test_the_async_backend_caps_every_wait_the_same_way() -> None:
    """The asyncio twin: unchanged outside a call, cut to the time left inside one, TLS stream included."""
    inner = AsyncRecordingBackend()
    backend = _AsyncBackend(inner)
    stream = await backend.connect_tcp("k2.example", 443, timeout=5.0)
    await (await stream.start_tls(TLS, "k2.example", timeout=4.0)).read(1024, timeout=3.0)
    assert inner.waits == [("connect", 5.0), ("start_tls", 4.0), ("read", 3.0)]
    inner.waits.clear()
    with _call.scope("stk_push", timeout=10.0):
        tls = await stream.start_tls(TLS, "k2.example", timeout=30.0)
        await tls.write(b"x", timeout=None)
    assert [name for name, _ in inner.waits] == ["start_tls", "write"]
    assert all(wait is not None and 0 < wait <= 10.0 for _, wait in inner.waits)


async def test_the_async_backend_past_the_deadline_fails_without_the_socket() -> None:
    """The asyncio twin of the deadline-passed case."""
    inner = AsyncRecordingBackend()
    backend = _AsyncBackend(inner)
    stream = await backend.connect_tcp("k2.example", 443, timeout=5.0)
    inner.waits.clear()
    with _call.scope("stk_push", timeout=10.0) as call:
        call.deadline = time.monotonic() - 1.0
        with pytest.raises(httpcore.ConnectTimeout):
            await backend.connect_tcp("k2.example", 443, timeout=5.0)
        with pytest.raises(httpcore.ConnectTimeout):
            await stream.start_tls(TLS, "k2.example", timeout=5.0)
        with pytest.raises(httpcore.WriteTimeout):
            await stream.write(b"x", timeout=5.0)
        with pytest.raises(httpcore.ReadTimeout):
            await stream.read(1024, timeout=5.0)
    assert inner.waits == []


# ------------------------------------------------------------------ name lookups (sync backend)
def test_a_name_is_looked_up_and_its_first_address_connected() -> None:
    """The sync backend resolves the name itself (bounded, see below) and connects to the address."""
    inner = RecordingBackend()
    _Backend(inner).connect_tcp("k2.example", 443, timeout=5.0)
    assert inner.hosts == ["192.0.2.10"]
    assert inner.waits[0][1] is not None and 0 < inner.waits[0][1] <= 5.0


def test_an_address_is_connected_without_a_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_lookup(*args: typing.Any, **kwargs: typing.Any) -> typing.Any:
        raise AssertionError("looked up an address")

    monkeypatch.setattr(socket, "getaddrinfo", no_lookup)
    inner = RecordingBackend()
    _Backend(inner).connect_tcp("203.0.113.5", 443, timeout=5.0)
    _Backend(inner).connect_tcp("::1", 443, timeout=5.0)
    assert inner.hosts == ["203.0.113.5", "::1"]


def test_a_refused_address_falls_back_to_the_next() -> None:
    """As ``socket.create_connection`` does: the name's addresses in turn, until one connects."""
    inner = RecordingBackend(refuse={"192.0.2.10"})
    _Backend(inner).connect_tcp("k2.example", 443, timeout=5.0)
    assert inner.hosts == ADDRESSES


def test_when_every_address_refuses_the_last_refusal_is_raised() -> None:
    inner = RecordingBackend(refuse=set(ADDRESSES))
    with pytest.raises(httpcore.ConnectError, match="2001:db8::10"):
        _Backend(inner).connect_tcp("k2.example", 443, timeout=5.0)


def test_an_address_tried_once_the_time_is_gone_is_not_tried() -> None:
    """The lookup and the connects share one bound: the first address took it all, the second is not
    tried, and the error is a connect timeout (nothing was sent)."""
    inner = RecordingBackend(refuse={"192.0.2.10"}, slow=0.3)
    with pytest.raises(httpcore.ConnectTimeout, match="no time left"):
        _Backend(inner).connect_tcp("k2.example", 443, timeout=0.2)
    assert inner.hosts == ["192.0.2.10"]


@pytest.mark.parametrize(
    ("failure", "raised"),
    [
        (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), httpcore.ConnectError),
        (UnicodeError("label too long"), UnicodeError),  # what create_connection would have let through
    ],
)
def test_a_failed_lookup_is_raised_as_create_connection_would(
    monkeypatch: pytest.MonkeyPatch, failure: Exception, raised: type[Exception]
) -> None:
    """A name that does not resolve is a ConnectError (never sent); anything else keeps its type."""

    def failing(*args: typing.Any, **kwargs: typing.Any) -> typing.Any:
        raise failure

    monkeypatch.setattr(socket, "getaddrinfo", failing)
    inner = RecordingBackend()
    with pytest.raises(raised, match=str(failure.args[-1])):
        _Backend(inner).connect_tcp("k2.example", 443, timeout=5.0)
    assert inner.hosts == []


def test_a_lookup_that_finds_no_address_is_a_connect_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", answering())
    with pytest.raises(httpcore.ConnectError, match="no address"):
        _Backend(RecordingBackend()).connect_tcp("k2.example", 443, timeout=5.0)


def test_a_lookup_slower_than_the_time_left_is_a_connect_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """The wait for the lookup is cut to the call's time left; the lookup is not waited for."""
    released = threading.Event()

    def slow(*args: typing.Any, **kwargs: typing.Any) -> typing.Any:
        released.wait(30.0)
        return answering(*ADDRESSES)(*args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow)
    inner = RecordingBackend()
    try:
        with _call.scope("stk_push", timeout=0.2), pytest.raises(httpcore.ConnectTimeout, match="looking up"):
            _Backend(inner).connect_tcp("k2.example", 443, timeout=5.0)
        assert not released.is_set() and inner.hosts == []
    finally:
        released.set()


def test_tls_still_names_the_host_after_the_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    """A real TLS server on loopback, reached by name: the certificate (issued for the name, not the
    address) verifies and the server sees the name as SNI, though the socket was opened to 127.0.0.1."""
    monkeypatch.setattr(socket, "getaddrinfo", answering("127.0.0.1"))
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("k2.example").configure_cert(server_context)
    names: list[str | None] = []
    server_context.sni_callback = lambda _sock, name, _ctx: names.append(name)
    client_context = ssl.create_default_context()
    authority.configure_trust(client_context)
    with socket.create_server(("127.0.0.1", 0)) as listening:
        port = listening.getsockname()[1]
        answered = threading.Thread(target=_answer_once, args=(listening, server_context), daemon=True)
        answered.start()
        transport = install(httpx.HTTPTransport(verify=client_context))
        with httpx.Client(transport=transport) as http:
            response = http.get(f"https://k2.example:{port}/")
        answered.join(5.0)
    assert (response.status_code, response.text, names) == (200, "ok", ["k2.example"])


def _answer_once(listening: socket.socket, context: ssl.SSLContext) -> None:
    conn, _ = listening.accept()
    with context.wrap_socket(conn, server_side=True) as tls:
        while b"\r\n\r\n" not in tls.recv(65536):
            pass
        tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
