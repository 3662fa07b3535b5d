"""Socket-level enforcement of a call's deadline for httpx's default transports.

httpcore applies the read timeout to each socket read, and reads it once per response body: a server that
trickles one byte every half second never trips it, and a read that starts late in a call may wait a whole
read timeout past the call's deadline. Wrapping httpcore's network backend lets every connect, read and
write wait at most until the deadline of the current call (:mod:`k2connect_ext._call`). Past the deadline an
operation fails at once with httpcore's own timeout exception, which httpx maps as usual, so a connect that
never happened still reads as "never sent" and a read as "sent, no answer".

The synchronous backend also bounds the name lookup, which ``socket.create_connection`` does without any
timeout (a resolver that takes 4 s made a 1 s call take 4 s): the asyncio backends already look names up
in a thread they stop waiting for.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
import typing
from collections.abc import Iterable

import httpcore
import httpx

from k2connect_ext import _call, _connection_hygiene

__all__ = ["install", "install_async"]

_SocketOptions = Iterable[typing.Any] | None


def _cap(timeout: float | None, error: type[Exception]) -> float | None:
    left = _call.remaining()
    if left is None:
        return timeout
    if left <= 0:
        raise error("the call's deadline has passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _cap(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _cap(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        tls = self._inner.start_tls(ssl_context, server_hostname, _cap(timeout, httpcore.ConnectTimeout))
        return _Stream(tls)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _resolve(host: str, port: int, timeout: float | None) -> list[str]:
    """The addresses of ``host``, looked up in a thread of its own and waited for at most ``timeout``.

    ``getaddrinfo`` blocks, and takes no timeout: called where it is needed (``socket.create_connection``)
    a slow resolver holds the call past its deadline. Here the wait is bounded; a lookup still running
    when it ends is left to finish in its (daemon) thread, its answer unused.
    """
    outcome: list[list[str] | Exception] = []
    done = threading.Event()

    def look_up() -> None:
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            outcome.append([str(info[4][0]) for info in found])
        except Exception as exc:  # handed to the waiting thread, which raises it
            outcome.append(exc)
        finally:
            done.set()

    threading.Thread(target=look_up, name=f"k2connect-lookup-{host}", daemon=True).start()
    if not done.wait(timeout):
        raise httpcore.ConnectTimeout(f"looking up {host} took longer than the time left to connect")
    result = outcome[0]
    if isinstance(result, OSError):  # what httpcore's socket.create_connection would have said
        raise httpcore.ConnectError(str(result)) from None
    if isinstance(result, Exception):
        raise result
    if not result:
        raise httpcore.ConnectError(f"no address found for {host}")
    return result


class _Backend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: _SocketOptions = None,
    ) -> httpcore.NetworkStream:
        """Connect within the time left, the name lookup included.

        The name is resolved here, within the bound, and the socket connected to its addresses in turn
        (as ``socket.create_connection`` does) with what is left. TLS still names the host: httpcore takes
        the server name for SNI and the certificate check from the request's URL, not from this address.
        """
        capped = _cap(timeout, httpcore.ConnectTimeout)
        if _is_address(host):
            return _Stream(self._inner.connect_tcp(host, port, capped, local_address, socket_options))
        ends = None if capped is None else time.monotonic() + capped
        addresses = _resolve(host, port, capped)
        error: httpcore.ConnectError | None = None
        for address in addresses:
            left = None if ends is None else ends - time.monotonic()
            if left is not None and left <= 0:
                raise httpcore.ConnectTimeout(f"no time left to connect to {host}")
            try:
                return _Stream(self._inner.connect_tcp(address, port, left, local_address, socket_options))
            except httpcore.ConnectError as exc:  # refused or unreachable: the next address may answer
                error = exc
        assert error is not None  # _resolve returns at least one address
        raise error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: _SocketOptions = None
    ) -> httpcore.NetworkStream:  # pragma: no cover - K2 is reached over TCP
        capped = _cap(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_unix_socket(path, capped, socket_options))

    def sleep(
        self, seconds: float
    ) -> None:  # pragma: no cover - used by httpcore's retries, which we don't use
        self._inner.sleep(seconds)


def _tls_holds_bytes(stream: httpcore.AsyncNetworkStream) -> bool:
    """Whether the TLS layer of an idle asyncio connection holds bytes nobody has read.

    anyio reads the socket up to 64 KiB at a time and decrypts one TLS record per read: a record that came
    in the same read as the end of an answer (a stray second answer) waits in its buffer, where neither h11
    nor the "is the socket readable?" check sees it. Reading the ``SSLObject`` (memory-buffered: it never
    touches the socket) finds it; a connection it says yes for is closed, so the byte taken is not missed.
    """
    tls = stream.get_extra_info("ssl_object")
    if not isinstance(tls, ssl.SSLObject):  # plain TCP
        return False
    try:
        tls.read(1)  # a byte, or b"" for a close_notify: either way the connection is done
    except ssl.SSLError as exc:  # SSLWantReadError: nothing buffered; any other: a broken connection
        return not isinstance(exc, ssl.SSLWantReadError)
    return True


class _AsyncStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, _cap(timeout, httpcore.ReadTimeout))

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, _cap(timeout, httpcore.WriteTimeout))

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        capped = _cap(timeout, httpcore.ConnectTimeout)
        return _AsyncStream(await self._inner.start_tls(ssl_context, server_hostname, capped))

    def get_extra_info(self, info: str) -> typing.Any:
        if info == "is_readable":  # asked of idle pooled connections only (httpcore's has_expired)
            return self._inner.get_extra_info(info) or _tls_holds_bytes(self._inner)
        return self._inner.get_extra_info(info)


class _AsyncBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: _SocketOptions = None,
    ) -> httpcore.AsyncNetworkStream:
        capped = _cap(timeout, httpcore.ConnectTimeout)
        return _AsyncStream(await self._inner.connect_tcp(host, port, capped, local_address, socket_options))

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: _SocketOptions = None
    ) -> httpcore.AsyncNetworkStream:  # pragma: no cover - K2 is reached over TCP
        capped = _cap(timeout, httpcore.ConnectTimeout)
        return _AsyncStream(await self._inner.connect_unix_socket(path, capped, socket_options))

    async def sleep(self, seconds: float) -> None:  # pragma: no cover - httpcore's own retries are unused
        await self._inner.sleep(seconds)


def install(transport: httpx.HTTPTransport) -> httpx.HTTPTransport:
    """Make ``transport``'s sockets honour call deadlines, and its pool never reuse a connection holding
    unread bytes (:mod:`k2connect_ext._connection_hygiene`, which also checks that httpcore's internals
    used here are still there: ``K2ConfigError`` if not)."""
    pool = _connection_hygiene.install(transport)._pool
    pool._network_backend = _Backend(pool._network_backend)
    return transport


def install_async(transport: httpx.AsyncHTTPTransport) -> httpx.AsyncHTTPTransport:
    """The asyncio twin of :func:`install`."""
    pool = _connection_hygiene.install_async(transport)._pool
    pool._network_backend = _AsyncBackend(pool._network_backend)
    return transport
