"""No request reads another's answer: a pooled connection holding unread bytes is closed, never reused.

h11 reads a socket up to 64 KiB at a time. Bytes that arrive together with the end of a response (a second,
stray response from a broken proxy or server) stay in h11's receive buffer once the response is complete.
httpcore's check before reusing an idle connection asks only the *socket* whether it is readable, so the
connection goes back to the pool, and the next request sent on it parses those bytes as its own answer: a
create that K2 answered 500 would read the stray ``201`` and report a payment made at a ``Location`` that
belongs to nothing.

:func:`install` / :func:`install_async` make httpx's default pool judge an idle connection by both: it has
expired (and is closed instead of reused) when its socket is readable (httpcore's own rule: bytes or EOF
arrived while idle) *or* h11 holds bytes that no request claimed. The pool asks right after each response
is closed and again before it hands a connection to a request, so a request never starts on a connection
that has something unread. (A stray answer that arrives after the request has been sent cannot be told
from the real one by any HTTP/1.1 client; K2 answers nothing unasked.)

This reaches into httpcore's private structure (``HTTPConnection._connection``,
``HTTP11Connection._h11_state``). :func:`check_httpcore` verifies, once, when the first client is built,
that it is still there, and raises ``K2ConfigError`` naming what is missing rather than silently losing
the guarantee.
"""

from __future__ import annotations

import functools
import ssl

import h11
import httpcore
import httpx

from k2connect_ext._exceptions import K2ConfigError

__all__ = ["check_httpcore", "install", "install_async"]

# The private names this module (and the deadline backend) rely on, in one place for the start-up check.
_POOL = "_pool"  # httpx.HTTPTransport / AsyncHTTPTransport -> httpcore pool
_BACKEND = "_network_backend"  # httpcore pool -> network backend (wrapped by the deadline backend)
_INNER = "_connection"  # httpcore.HTTPConnection -> HTTP11Connection, once connected
_H11_STATE = "_h11_state"  # httpcore.HTTP11Connection -> h11.Connection
_ORIGIN = httpcore.Origin(b"http", b"k2.invalid", 80)


def _holds_unread(connection: httpcore.ConnectionInterface | httpcore.AsyncConnectionInterface) -> bool:
    """Whether an idle connection's h11 buffer holds bytes no request has claimed."""
    if not connection.is_idle():  # a request owns it: what h11 holds is that request's answer
        return False
    # An idle connection is connected (an idle one that failed to connect has expired already); one that
    # speaks HTTP/2 has no h11 state, and nothing to check here.
    state = getattr(getattr(connection, _INNER, None), _H11_STATE, None)
    return isinstance(state, h11.Connection) and bool(state.trailing_data[0])


class _Checked(httpcore.ConnectionInterface):
    """A pooled connection that counts as expired while it holds unread bytes."""

    def __init__(self, inner: httpcore.ConnectionInterface) -> None:
        self._inner = inner

    def handle_request(self, request: httpcore.Request) -> httpcore.Response:
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()

    def info(self) -> str:
        return self._inner.info()

    def can_handle_request(self, origin: httpcore.Origin) -> bool:
        return self._inner.can_handle_request(origin)

    def is_available(self) -> bool:
        return self._inner.is_available()

    def has_expired(self) -> bool:
        return self._inner.has_expired() or _holds_unread(self._inner)

    def is_idle(self) -> bool:
        return self._inner.is_idle()

    def is_closed(self) -> bool:
        return self._inner.is_closed()

    def __repr__(self) -> str:
        return repr(self._inner)


class _AsyncChecked(httpcore.AsyncConnectionInterface):
    """The asyncio twin of :class:`_Checked`."""

    def __init__(self, inner: httpcore.AsyncConnectionInterface) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()

    def info(self) -> str:
        return self._inner.info()

    def can_handle_request(self, origin: httpcore.Origin) -> bool:
        return self._inner.can_handle_request(origin)

    def is_available(self) -> bool:
        return self._inner.is_available()

    def has_expired(self) -> bool:
        return self._inner.has_expired() or _holds_unread(self._inner)

    def is_idle(self) -> bool:
        return self._inner.is_idle()

    def is_closed(self) -> bool:
        return self._inner.is_closed()

    def __repr__(self) -> str:
        return repr(self._inner)


class _CheckedPool(httpcore.ConnectionPool):
    """httpcore's pool, whose connections are :class:`_Checked`."""

    def create_connection(self, origin: httpcore.Origin) -> httpcore.ConnectionInterface:
        return _Checked(super().create_connection(origin))


class _AsyncCheckedPool(httpcore.AsyncConnectionPool):
    """The asyncio twin of :class:`_CheckedPool`."""

    def create_connection(self, origin: httpcore.Origin) -> httpcore.AsyncConnectionInterface:
        return _AsyncChecked(super().create_connection(origin))


class _Unused(httpcore.NetworkStream):
    """A stream for building an ``HTTP11Connection`` that is only inspected, never used."""


class _AsyncUnused(httpcore.AsyncNetworkStream):
    """The asyncio twin of :class:`_Unused`."""


@functools.cache
def _missing() -> str | None:
    """What this module or the deadline backend needs of httpx and httpcore and cannot find, if anything.

    Looked for once per process, on objects built for the purpose: transports with a bare TLS context
    (no CA bundle loaded) and connections that never connect.
    """
    bare = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    transports: tuple[tuple[httpx.HTTPTransport | httpx.AsyncHTTPTransport, type[object]], ...] = (
        (httpx.HTTPTransport(verify=bare), httpcore.ConnectionPool),
        (httpx.AsyncHTTPTransport(verify=bare), httpcore.AsyncConnectionPool),
    )
    for transport, expected in transports:
        pool = getattr(transport, _POOL, None)
        if type(pool) is not expected:
            return f"{type(transport).__name__}.{_POOL} (an httpcore.{expected.__name__})"
        if not hasattr(pool, _BACKEND):
            return f"{expected.__name__}.{_BACKEND}"
    connections = (
        (httpcore.HTTPConnection(_ORIGIN), httpcore.HTTP11Connection(_ORIGIN, _Unused())),
        (httpcore.AsyncHTTPConnection(_ORIGIN), httpcore.AsyncHTTP11Connection(_ORIGIN, _AsyncUnused())),
    )
    for connection, http11 in connections:
        if not hasattr(connection, _INNER):
            return f"{type(connection).__name__}.{_INNER}"
        if not isinstance(getattr(http11, _H11_STATE, None), h11.Connection):
            return f"{type(http11).__name__}.{_H11_STATE} (its h11.Connection)"
    return None


def check_httpcore() -> None:
    """Raise ``K2ConfigError`` if the httpx and httpcore internals the SDK builds on are gone.

    This module and the deadline backend (:mod:`k2connect_ext._deadline_backend`) rely on them; clients
    call this when they are built, before any request.
    """
    _refuse(_missing())


def _refuse(missing: str | None) -> None:
    if missing is not None:
        raise K2ConfigError(
            f"k2connect-sdk cannot use httpcore {httpcore.__version__}: {missing} is gone. The SDK relies "
            "on it to bound every socket wait by the call's deadline and to never reuse a connection "
            "holding an unread answer. Install httpcore 1.0.x (pip install 'httpcore>=1.0,<1.1'), or use "
            "AsyncK2(http_backend='aiohttp')."
        )


def install(transport: httpx.HTTPTransport) -> httpx.HTTPTransport:
    """Make ``transport``'s pool close, instead of reuse, a connection holding unread bytes.

    ``transport`` is one the SDK built (no proxy: its pool is exactly httpcore's ``ConnectionPool``).
    """
    check_httpcore()
    transport._pool.__class__ = _CheckedPool
    return transport


def install_async(transport: httpx.AsyncHTTPTransport) -> httpx.AsyncHTTPTransport:
    """The asyncio twin of :func:`install`."""
    check_httpcore()
    transport._pool.__class__ = _AsyncCheckedPool
    return transport
