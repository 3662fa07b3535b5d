"""One resource per event loop, for a client shared by loops that run one after another or at once.

An asyncio connection pool belongs to the loop that opened it: its sockets, timers, locks and semaphores
wake that loop only. A client kept across jobs (one ``asyncio.run`` per job) or shared by threads that each
run a loop must give every loop its own pool; handing one loop's pool to another fails with "attached to a
different loop", or a wait that is never woken and ends as a spurious timeout.

:class:`PerLoop` holds one resource per running loop, made on the loop's first request, behind a lock so
that loops in several threads never see each other's. Its values hold their loop (every socket does), so a
weak mapping would keep them for ever: a loop that has closed is dropped instead, when a new loop arrives
and when the owner closes. Closing closes each resource *on its own loop*: awaited here for this loop, sent
to a loop still running in another thread and awaited from here, scheduled on a loop that is alive but not
running (it runs when that loop runs again), and only released, never touched through its loop, when that
loop has closed.

:class:`PerLoopTransport` is httpx's own async pool made per loop this way (``AsyncK2``'s default).
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Callable, Coroutine
from typing import Any, Generic, TypeVar

import httpx

from k2connect_ext import _connection_hygiene, _deadline_backend

__all__ = ["PerLoop", "PerLoopTransport"]

T = TypeVar("T")

# How long closing waits for a loop running in another thread to close its own resource. Closing a pool
# is closing sockets, done at once by a loop that is not blocked; a loop that is ending may never run it.
_OTHER_LOOP_WAIT = 2.0


async def _forget(_resource: object) -> None:
    """The release of a resource whose loop is gone: nothing can be awaited through it any more."""


class PerLoop(Generic[T]):
    """One ``T`` per event loop.

    Args:
        make: builds the resource; called in the loop that will use it, with no loop work awaited.
        close: closes a resource; awaited on the resource's own loop.
        release: lets go of a resource whose loop has closed; awaited on the caller's loop, so it must
            not touch the resource's loop (default: drop it; its sockets are closed when collected).
    """

    def __init__(
        self,
        make: Callable[[], T],
        close: Callable[[T], Coroutine[Any, Any, None]],
        release: Callable[[T], Coroutine[Any, Any, None]] = _forget,
    ) -> None:
        self._make = make
        self._close = close
        self._release = release
        self._resources: dict[asyncio.AbstractEventLoop, T] = {}
        self._lock = threading.Lock()  # loops in several threads add and drop entries
        self._closed = False

    async def get(self) -> T:
        """This loop's resource, made on first use.

        Raises:
            RuntimeError: the owner was closed.
        """
        loop = asyncio.get_running_loop()
        resource = self._resources.get(loop)  # a dict read is atomic: the common case takes no lock
        if resource is not None:
            return resource
        with self._lock:
            if self._closed:
                raise RuntimeError("the transport is closed")
            # No other thread adds this loop's entry (only this thread runs this loop), and nothing was
            # awaited since the read above: it is still missing.
            resource = self._resources[loop] = self._make()
            ended = self._take_ended()
        for old in ended:
            await self._release(old)
        return resource

    def _take_ended(self) -> list[T]:
        """Remove and return the resources of loops that have closed (call with the lock held)."""
        ended = [loop for loop in self._resources if loop.is_closed()]
        return [self._resources.pop(loop) for loop in ended]

    async def aclose(self) -> None:
        """Close every loop's resource on its own loop, or release it when that loop has closed.

        A loop still running in another thread closes its own resource while this one waits (up to
        ``_OTHER_LOOP_WAIT`` seconds: that loop may be ending, or busy); a loop that is alive but not
        running gets the close scheduled, to run when it runs again.
        """
        with self._lock:
            self._closed = True
            resources, self._resources = self._resources, {}
        here = asyncio.get_running_loop()
        for loop, resource in resources.items():
            closing = self._close(resource)
            if loop is here:
                await closing
                continue
            try:
                scheduled = asyncio.run_coroutine_threadsafe(closing, loop)
            except RuntimeError:  # that loop has closed (asked, rather than checked first: no race)
                closing.close()
                await self._release(resource)
                continue
            if loop.is_running():
                await asyncio.wait({asyncio.wrap_future(scheduled)}, timeout=_OTHER_LOOP_WAIT)

    def __len__(self) -> int:
        """How many loops hold a resource (for tests and diagnostics)."""
        return len(self._resources)


async def _close_pool(pool: httpx.AsyncHTTPTransport) -> None:
    await pool.aclose()


class PerLoopTransport(httpx.AsyncBaseTransport):
    """httpx's async pool (deadline-aware sockets, no reuse of a connection holding unread bytes), one
    per event loop; ``limits`` apply to each loop's pool."""

    def __init__(self, limits: httpx.Limits) -> None:
        _connection_hygiene.check_httpcore()  # at start-up, not when the first loop builds its pool
        self._limits = limits
        self._tls: ssl.SSLContext | None = None  # one for every loop: loading the CA bundle takes ms
        self._pools: PerLoop[httpx.AsyncHTTPTransport] = PerLoop(self._new_pool, _close_pool)

    def _new_pool(self) -> httpx.AsyncHTTPTransport:
        if self._tls is None:  # PerLoop makes pools one at a time
            self._tls = httpx.create_ssl_context()
        pool = httpx.AsyncHTTPTransport(limits=self._limits, verify=self._tls)
        return _deadline_backend.install_async(pool)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        pool = await self._pools.get()
        return await pool.handle_async_request(request)

    async def aclose(self) -> None:
        await self._pools.aclose()
