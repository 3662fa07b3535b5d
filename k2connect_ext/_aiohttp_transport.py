"""An ``httpx.AsyncBaseTransport`` on aiohttp, for fast asyncio at high concurrency.

httpx's own async pool slows down badly when many tasks share it (encode/httpx#3215); aiohttp's does not.
This transport keeps httpx's API (and so every layer of this SDK: auth, retries, error mapping) and sends
through an ``aiohttp.ClientSession``. Install it with ``pip install 'k2connect-sdk[aiohttp]'``.

Why not ``httpx-aiohttp``: its 0.2.0 maps a reset *after* the request was sent to ``ConnectTimeout`` (a
"never sent" error, so a POST would be retried: a double payment), a refused connection to
``ConnectTimeout`` too, and lets ``aiohttp.ClientResponseError`` escape on a garbage status line.

The one rule this module exists for: the error says exactly what was and was not sent.

* ``ConnectError`` / ``ConnectTimeout`` / ``PoolTimeout`` only while no connection had been handed the
  request: no free slot in the pool, DNS, TCP or TLS failed or timed out. Nothing left this machine.
* once a connection was handed the request, any failure may have reached the server, even a reset that
  looks immediate: ``WriteError`` / ``WriteTimeout`` while the request was not fully handed to the OS,
  ``ReadError`` / ``ReadTimeout`` after that, ``RemoteProtocolError`` for a garbage status line, a
  connection closed without an answer, or a cut body. Sticky: aiohttp's own resend of an idempotent
  request on a stale pooled connection is switched off, and if it ever happened the verdict stays "sent".

Mapping of httpx settings, one to one:

* ``Limits.max_connections``: a slot is taken before connecting and held until the response is closed,
  so there are never more open requests (and, with aiohttp's connector limited to the same number, never
  more connections) than that; waiting for a slot is bounded by ``Timeout.pool`` (``PoolTimeout``). Each
  event loop has a pool of its own (a session, its connections and its slots belong to one loop), so a
  transport shared by loops in several threads has up to that many per loop.
* ``Limits.keepalive_expiry``: aiohttp's ``keepalive_timeout`` (``None``: idle connections never expire).
  ``max_keepalive_connections=0`` closes every connection after use; any other value keeps up to
  ``max_connections`` idle (aiohttp has no separate cap).
* ``Timeout.connect``: DNS + TCP + TLS. ``Timeout.write``: until the request is handed to the OS.
  ``Timeout.read``: the longest wait for any byte of the answer (aiohttp's ``sock_read``).
* the SDK's whole-call deadline (:mod:`k2connect_ext._call`), when the request belongs to a call, caps
  every phase: the pool wait, the connect, the wait for the answer and each read of its body, so a server
  trickling one byte at a time cannot stretch a call past its ``timeout``.

TLS is always verified (``ssl_context`` replaces the CA bundle, e.g. trustme's in tests; there is no way
to switch verification off). Redirects are never followed. Response bodies stream, so callers can bound
their size and their time. No aiohttp exception is chained to the httpx one: aiohttp's carry the request
headers, and those hold the bearer token.
"""

from __future__ import annotations

import asyncio
import contextvars
import math
import ssl
from collections.abc import AsyncIterator
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any

import httpx

from k2connect_ext import _call
from k2connect_ext._constants import DEFAULT_LIMITS
from k2connect_ext._exceptions import K2ConfigError
from k2connect_ext._per_loop import PerLoop

if TYPE_CHECKING:  # pragma: no cover - only for the annotations
    import aiohttp

__all__ = ["AiohttpTransport", "aiohttp_available"]

_CHUNK = 64 * 1024
_LARGE_BODY = 512 * 1024
_URL_CACHE = 512
_INSTALL_HINT = "http_backend='aiohttp' needs aiohttp: pip install 'k2connect-sdk[aiohttp]'"


def _import_aiohttp() -> ModuleType:
    try:
        import aiohttp
    except ImportError:
        raise K2ConfigError(_INSTALL_HINT) from None
    return aiohttp


def aiohttp_available() -> bool:
    """Whether the ``aiohttp`` extra is installed (``http_backend="aiohttp"`` can be used)."""
    try:
        _import_aiohttp()
    except K2ConfigError:
        return False
    return True


class _Exchange:
    """What one request has been through so far; the source of every error's verdict."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, write_timeout: float | None, call_deadline: float | None
    ) -> None:
        self.loop = loop
        self.write_timeout = write_timeout
        self.call_deadline = call_deadline  # loop time by which the user's whole call must end
        self.sent = False  # a connection was handed the request: bytes may have left
        self.written = False  # the whole request was handed to the OS
        self.write_timed_out = False
        self.deadline: asyncio.Timeout | None = None
        self._transport: asyncio.BaseTransport | None = None
        self._write_timer: asyncio.TimerHandle | None = None

    def sending(self, transport: asyncio.BaseTransport | None) -> None:
        """Called by the request just before its first byte goes to the connection."""
        self.sent = True
        self._transport = transport
        if self.deadline is not None:  # pragma: no branch - _send sets it before aiohttp can send
            # The connect deadline is over; the call's own deadline (if any) still bounds the wait for
            # the answer, which aiohttp's sock_read alone would not (it restarts on every byte).
            self.deadline.reschedule(self.call_deadline)
        if self.write_timeout is not None:
            self._write_timer = self.loop.call_later(self.write_timeout, self._write_deadline)

    def finished_writing(self) -> None:
        self.written = True

    def _write_deadline(self) -> None:
        # Bytes still queued in userland (the peer stopped reading) or a body still being written: a
        # write timeout. Otherwise the request is out and the read timeout governs the wait.
        buffered = 0
        transport = self._transport
        if isinstance(transport, asyncio.WriteTransport) and not transport.is_closing():
            buffered = transport.get_write_buffer_size()
        if (not self.written or buffered) and self.deadline is not None:
            self.write_timed_out = True
            self.deadline.reschedule(self.loop.time())

    def stop_timers(self) -> None:
        self.deadline = None
        if self._write_timer is not None:
            self._write_timer.cancel()
            self._write_timer = None


_CURRENT: contextvars.ContextVar[_Exchange | None] = contextvars.ContextVar(
    "k2_aiohttp_exchange", default=None
)
_REQUEST_CLASSES: dict[int, type[Any]] = {}


def _request_class(aiohttp_module: ModuleType) -> type[Any]:
    """A ``ClientRequest`` that tells the current exchange the moment it starts writing to a connection.

    That moment (``send``) is the line between "never sent" and "may have been sent"; no trace hook marks
    it exactly, and aiohttp's own exceptions do not say on which side of it they happened.
    """
    cached = _REQUEST_CLASSES.get(id(aiohttp_module))
    if cached is not None:
        return cached
    base: type[Any] = aiohttp_module.ClientRequest

    async def send(self: Any, conn: Any) -> Any:
        exchange = _CURRENT.get()
        # Only _send's session sends this class, always with its exchange set: the checks are for typing.
        if exchange is not None:  # pragma: no branch
            exchange.sending(getattr(conn, "transport", None))
        response = await base.send(self, conn)
        if exchange is not None:  # pragma: no branch
            # aiohttp writes a body in a task of its own; the request is out when that task is done.
            writer = getattr(self, "_writer", None)
            if isinstance(writer, asyncio.Future) and not writer.done():
                writer.add_done_callback(lambda _task: exchange.finished_writing())
            else:
                exchange.finished_writing()
        return response

    # Built with type(): aiohttp is an optional import, so its class is only known at run time.
    _TrackedRequest: type[Any] = type("_TrackedRequest", (base,), {"send": send, "__module__": __name__})
    _REQUEST_CLASSES[id(aiohttp_module)] = _TrackedRequest
    return _TrackedRequest


def _text(exc: BaseException) -> str:
    """A short description of an aiohttp failure, without its request (whose headers hold the token)."""
    message = getattr(exc, "message", None)  # ClientResponseError: str() would add the URL and query
    detail = message if isinstance(message, str) else str(exc)
    detail = " ".join(detail.split())[:200]
    name = type(exc).__name__
    return f"{name}: {detail}" if detail else name


def _translate(exc: BaseException, exchange: _Exchange, request: httpx.Request) -> httpx.TransportError:
    """The httpx error that says what ``exc`` proves about whether ``request`` left."""
    aiohttp = _import_aiohttp()
    text = _text(exc)
    timed_out = isinstance(exc, TimeoutError)  # asyncio.TimeoutError and aiohttp's ServerTimeoutError
    error: type[httpx.TransportError]
    if not exchange.sent:
        # NonHttpUrlClientError is aiohttp 3.10+; 3.9, which the extra allows, has InvalidURL only.
        not_http = (aiohttp.InvalidURL, getattr(aiohttp, "NonHttpUrlClientError", aiohttp.InvalidURL))
        if isinstance(exc, not_http):
            error = httpx.UnsupportedProtocol
        else:
            error = httpx.ConnectTimeout if timed_out else httpx.ConnectError
    elif timed_out:
        error = httpx.WriteTimeout if exchange.write_timed_out or not exchange.written else httpx.ReadTimeout
    elif isinstance(
        exc, aiohttp.ServerDisconnectedError | aiohttp.ClientResponseError | aiohttp.ClientPayloadError
    ):
        # Closed without an answer, an answer that is not HTTP, or an answer cut short.
        error = httpx.RemoteProtocolError
    else:
        error = httpx.ReadError if exchange.written else httpx.WriteError
    return error(text, request=request)


def _is_transport_failure(exc: BaseException, aiohttp: ModuleType) -> bool:
    return isinstance(exc, aiohttp.ClientError | OSError | TimeoutError)


def _payload(body: bytes) -> bytes | AsyncIterator[bytes] | None:
    """Small bodies go as they are; large ones in chunks, so a peer that stops reading is noticed.

    (aiohttp warns about bytes bodies over 1 MB; httpx's Content-Length header keeps them unchunked.)
    """
    if len(body) <= _LARGE_BODY:
        return body or None

    async def chunks() -> AsyncIterator[bytes]:
        view = memoryview(body)
        for start in range(0, len(body), _CHUNK):
            yield bytes(view[start : start + _CHUNK])

    return chunks()


class _ResponseStream(httpx.AsyncByteStream):
    """The body of an aiohttp response, read as it arrives; closing it frees the pool slot."""

    def __init__(
        self,
        response: aiohttp.ClientResponse,
        exchange: _Exchange,
        request: httpx.Request,
        release_slot: _Slot,
    ) -> None:
        self._response = response
        self._exchange = exchange
        self._request = request
        self._slot = release_slot

    async def __aiter__(self) -> AsyncIterator[bytes]:
        aiohttp = _import_aiohttp()
        error: httpx.TransportError | None = None
        iterator = self._response.content.iter_chunked(_CHUNK)
        while True:
            try:
                if self._exchange.call_deadline is None:
                    chunk = await iterator.__anext__()
                else:  # a body trickled one byte at a time must still end by the call's deadline
                    async with asyncio.timeout_at(self._exchange.call_deadline):
                        chunk = await iterator.__anext__()
            except StopAsyncIteration:
                return
            except BaseException as exc:
                if not _is_transport_failure(exc, aiohttp):
                    raise
                error = _translate(exc, self._exchange, self._request)
                break
            yield chunk
        raise error  # outside the except block: nothing of aiohttp's is chained

    async def aclose(self) -> None:
        try:
            if self._response.content.at_eof():
                self._response.release()  # read to the end: the connection goes back to the pool
            else:
                self._response.close()  # unread bytes would poison the next request on it
        finally:
            self._slot.release()


class _Slot:
    """One place in the pool, released once whatever happens."""

    def __init__(self, semaphore: asyncio.Semaphore | None) -> None:
        self._semaphore = semaphore

    def release(self) -> None:
        if self._semaphore is not None:
            self._semaphore.release()
            self._semaphore = None


class _LoopPool:
    """What one event loop sends through: its aiohttp session and the semaphore of its pool slots."""

    def __init__(self, session: aiohttp.ClientSession, semaphore: asyncio.Semaphore | None) -> None:
        self.session = session
        self.semaphore = semaphore


async def _close_pool(pool: _LoopPool) -> None:
    # Also the release of a pool whose loop has closed: aiohttp then only marks its connector closed,
    # without touching the loop (whose sockets are closed when collected).
    await pool.session.close()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Send httpx requests through aiohttp; see the module docstring for the guarantees.

    Args:
        limits: pool size and keep-alive, as for ``httpx.AsyncHTTPTransport``.
        ssl_context: the TLS context (verification stays on); default: the system's CA bundle.

    Raises:
        K2ConfigError: aiohttp is not installed.
    """

    def __init__(
        self, *, limits: httpx.Limits = DEFAULT_LIMITS, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self._aiohttp = _import_aiohttp()
        self._limits = limits
        # The default context is built with the session, on first use: loading the CA bundle takes tens
        # of milliseconds that constructing a client should not cost.
        self._ssl = ssl_context
        if ssl_context is not None and (
            ssl_context.verify_mode != ssl.CERT_REQUIRED or not ssl_context.check_hostname
        ):
            raise K2ConfigError(
                "the aiohttp transport verifies TLS certificates: pass a verifying ssl_context"
            )
        # An aiohttp session, its connections and the slot semaphore belong to the loop that made them:
        # each loop (asyncio.run per job, loops in several threads) gets its own (see _per_loop).
        self._pools: PerLoop[_LoopPool] = PerLoop(self._open_pool, _close_pool, release=_close_pool)
        self._urls: dict[str, Any] = {}  # parsed once: a client calls the same few URLs again and again

    def _open_pool(self) -> _LoopPool:
        aio = self._aiohttp
        limits = self._limits
        no_keepalive = limits.max_keepalive_connections == 0
        connector = aio.TCPConnector(
            limit=limits.max_connections or 0,
            limit_per_host=0,
            ssl=self._ssl_context(),
            force_close=no_keepalive,
            keepalive_timeout=None if no_keepalive else limits.keepalive_expiry,
        )
        session: aiohttp.ClientSession = aio.ClientSession(
            connector=connector,
            request_class=_request_class(aio),
            cookie_jar=aio.DummyCookieJar(),  # httpx keeps the cookies, if any
            auto_decompress=False,  # httpx decodes Content-Encoding itself
            trust_env=False,
            timeout=aio.ClientTimeout(total=None, connect=None, sock_connect=None, sock_read=None),
        )
        # aiohttp resends an idempotent request once on a stale pooled connection; retries are the retry
        # layer's decision (and its resend would blur what was sent). Private: absent in older releases.
        if hasattr(session, "_retry_connection"):  # pragma: no branch - False on aiohttp 3.9 only
            session._retry_connection = False
        semaphore = None if limits.max_connections is None else asyncio.Semaphore(limits.max_connections)
        return _LoopPool(session, semaphore)

    def _ssl_context(self) -> ssl.SSLContext:
        # One for every loop's pool (PerLoop makes pools one at a time): loading it costs milliseconds.
        if self._ssl is None:
            self._ssl = ssl.create_default_context()
        return self._ssl

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and return its response with the body still to be read.

        Raises:
            RuntimeError: the transport was closed.
        """
        pool = await self._pools.get()
        loop = asyncio.get_running_loop()
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        left = _call.remaining()  # the SDK's whole-call deadline, when this request is part of a call
        call_deadline = None if left is None else loop.time() + left
        slot = await self._take_slot(pool.semaphore, request, _call.sooner(timeouts.get("pool"), left))
        try:
            return await self._send(pool.session, request, timeouts, slot, call_deadline)
        except BaseException:
            slot.release()
            raise

    async def _take_slot(
        self, semaphore: asyncio.Semaphore | None, request: httpx.Request, pool_timeout: float | None
    ) -> _Slot:
        if semaphore is None:
            return _Slot(None)
        try:
            if pool_timeout is not None and pool_timeout <= 0:
                raise TimeoutError
            if semaphore.locked():  # only a wait needs a timer; a free slot is taken at once
                async with asyncio.timeout(pool_timeout):
                    await semaphore.acquire()
            else:
                await semaphore.acquire()
        except TimeoutError:
            raise httpx.PoolTimeout("no free connection in the pool in time", request=request) from None
        return _Slot(semaphore)

    async def _send(
        self,
        session: aiohttp.ClientSession,
        request: httpx.Request,
        timeouts: dict[str, float | None],
        slot: _Slot,
        call_deadline: float | None,
    ) -> httpx.Response:
        aiohttp = self._aiohttp
        loop = asyncio.get_running_loop()
        body = await request.aread()
        # Without a body the request is a few hundred bytes of headers, handed over in one write, and
        # aiohttp's read timer starts with it: no write timer needed.
        exchange = _Exchange(loop, timeouts.get("write") if body else None, call_deadline)
        headers = [(key.decode("latin-1"), value.decode("latin-1")) for key, value in request.headers.raw]
        token = _CURRENT.set(exchange)
        error: httpx.TransportError | None = None
        try:
            connect = timeouts.get("connect")
            if call_deadline is not None:
                connect = min(call_deadline - loop.time(), connect if connect is not None else math.inf)
            async with asyncio.timeout(connect) as deadline:
                exchange.deadline = deadline
                response = await session.request(
                    request.method,
                    self._aiohttp_url(request),
                    data=_payload(body),
                    headers=headers,
                    skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
                    allow_redirects=False,
                    timeout=aiohttp.ClientTimeout(
                        total=None, connect=None, sock_connect=None, sock_read=timeouts.get("read")
                    ),
                )
        except BaseException as exc:
            if not _is_transport_failure(exc, aiohttp):
                raise
            error = _translate(exc, exchange, request)
        finally:
            exchange.stop_timers()
            _CURRENT.reset(token)
        if error is not None:
            raise error  # outside the except block, so aiohttp's exception (and its headers) stay behind
        return httpx.Response(
            status_code=response.status,
            headers=list(response.raw_headers),
            stream=_ResponseStream(response, exchange, request, slot),
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": (response.reason or "").encode("latin-1"),
            },
        )

    def _aiohttp_url(self, request: httpx.Request) -> Any:
        text = str(request.url)
        url = self._urls.get(text)
        if url is None:
            import yarl  # an aiohttp dependency

            if len(self._urls) >= _URL_CACHE:
                self._urls.clear()
            url = self._urls[text] = yarl.URL(text, encoded=True)  # httpx encoded it: do not quote twice
        return url

    async def aclose(self) -> None:
        """Close every pooled connection, each loop's on that loop (see :class:`PerLoop`)."""
        await self._pools.aclose()

    async def __aenter__(self) -> AiohttpTransport:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self.aclose()
