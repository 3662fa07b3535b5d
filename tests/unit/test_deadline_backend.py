"""The deadline-aware network backend, on recording fakes: what timeout each socket wait really gets.

Outside an SDK call httpx's own timeouts pass unchanged; inside one every wait (connect, TLS handshake,
read, write) is cut to the time the call has left; past the deadline nothing touches the socket and the
error is httpcore's own timeout, so httpx maps a connect or handshake as "never sent".
"""

from __future__ import annotations

import ssl
import time
import typing

import httpcore
import pytest

from k2connect_ext import _call
from k2connect_ext._deadline_backend import _AsyncBackend, _Backend

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
    def __init__(self) -> None:
        self.waits: Waits = []

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        self.waits.append(("connect", timeout))
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


def test_outside_a_call_httpx_timeouts_pass_unchanged() -> None:
    """A request that belongs to no SDK call keeps exactly the timeouts httpx asked for, TLS included."""
    inner = RecordingBackend()
    stream = _Backend(inner).connect_tcp("k2.example", 443, timeout=5.0)
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
