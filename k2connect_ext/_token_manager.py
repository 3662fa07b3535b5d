"""Keep one valid access token and renew it with a single fetch, however many callers need it at once.

When the token is missing or about to expire, every concurrent caller would otherwise call
``/oauth/token`` at the same moment (a stampede). The managers give *single flight* on three levels:

1. a fresh token cached in the manager is returned without any lock or I/O (the hot path);
2. otherwise callers queue on the manager's lock (a ``threading.Lock``, or an ``asyncio.Lock`` per event
   loop) and re-check after getting it, because the caller before them may just have renewed it;
3. with a shared :class:`~k2connect_ext.TokenStore`, the winner reads the store, then takes the
   store's ``lock()`` and reads it again before fetching, so other processes or machines share one fetch.

A caller that waited on the lock while another fetched takes the token just fetched, fresh or not: a token
K2 hands out with ``expires_in`` of 0 (or less than the renewal margin) is still the best there is, and
judging it stale would make every waiting caller fetch again, one after the other. If K2 refuses it, the
401 path renews it once.

``invalidate(token)`` is for a 401: it forgets that exact token, and only that one, so a request that
failed with an old token does not throw away the new token another caller has just fetched.

Inside a call (:mod:`k2connect_ext._call`) every wait here (the manager's lock, the store's lock, the
store itself) ends at the call's deadline with :class:`~k2connect_ext.K2TimeoutError`: a caller queued
behind a slow fetch does not outlive its ``timeout``. The stores shipped here bound their own waits; the
manager checks the deadline again once it holds the store's lock, before it fetches.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
import weakref
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractContextManager

from k2connect_ext import _call
from k2connect_ext._constants import TOKEN_SKEW_SECONDS
from k2connect_ext._token_stores import WAITING, AccessToken, TokenStore

__all__ = ["AsyncTokenManager", "TokenManager"]

logger = logging.getLogger("k2connect.tokens")


class _ManagerBase:
    """The freshness rule and the in-process cache, shared by the sync and async managers."""

    def __init__(self, *, store: TokenStore | None, clock: Callable[[], float], skew: float) -> None:
        self._store = store
        self._clock = clock
        self._skew = skew
        self._cached: AccessToken | None = None
        # Bumped on every token obtained under the lock, so a waiter can tell that one arrived meanwhile.
        self._generation = 0
        # The last few token values handed out, so error messages can be scrubbed of them.
        self._recent: deque[str] = deque(maxlen=4)
        self._refused = False  # K2 refused the last token (401): the next fetch is logged as why

    def known_values(self) -> tuple[str, ...]:
        """The token values handed out lately: secrets that must never appear in an error or a log."""
        return tuple(self._recent)

    def _obtained(self, token: AccessToken) -> AccessToken:
        self._cached = token
        self._generation += 1
        if token.value not in self._recent:
            self._recent.append(token.value)
        return token

    def _after_wait(self, entered: int) -> AccessToken | None:
        """Inside the lock: the token to use without fetching, if any."""
        if self._generation != entered and self._cached is not None:
            logger.debug("Using the K2 access token another caller obtained while this one waited")
            return self._cached  # obtained while we waited: use it even if K2 made it short-lived
        return self._usable(self._cached)

    def _usable(self, token: AccessToken | None) -> AccessToken | None:
        return token if token is not None and token.is_fresh(self._clock(), self._skew) else None

    def _forget(self, token: AccessToken) -> bool:
        """Drop ``token`` from the cache; ``False`` if the cache had already moved on from it.

        Every token handed out was cached, so when the cache holds something else (or nothing), an earlier
        invalidation of this token already cleared the store, or the store holds a newer token: there is
        nothing left to clear. This keeps a burst of 401s for one token to a single store call.
        """
        if self._cached is None or self._cached.value != token.value:
            return False
        self._cached = None
        self._refused = True
        logger.info("K2 refused the access token (401): forgotten, the next request gets a new one")
        return True

    def _log_fetched(self, token: AccessToken) -> None:
        expires_in = token.expires_at - self._clock()
        if self._generation == 0:
            logger.info("Fetched a K2 access token: cached, it expires in %.0f s", expires_in)
        else:
            why = "K2 refused the previous one" if self._refused else "the previous one was about to expire"
            logger.info("Refreshed the K2 access token (%s): cached, it expires in %.0f s", why, expires_in)
        self._refused = False

    def _log_from_store(self, store: TokenStore, token: AccessToken) -> None:
        logger.info(
            "Took the K2 access token from the token store (%s): it expires in %.0f s",
            type(store).__name__,
            token.expires_at - self._clock(),
        )

    def _log_saved(self, store: TokenStore) -> None:
        logger.debug("Saved the new K2 access token to the token store (%s)", type(store).__name__)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(store={self._store!r}, skew={self._skew!r})"


class TokenManager(_ManagerBase):
    """Hands out a valid token to any number of threads, fetching at most once at a time.

    Args:
        fetch: gets a new token from K2 (``_client.build`` passes the generated ``/oauth/token`` call).
        store: share the token beyond this manager; by default it lives in the manager only.
        clock: wall-clock epoch seconds; injectable for tests.
        skew: renew this many seconds before expiry.
    """

    def __init__(
        self,
        fetch: Callable[[], AccessToken],
        *,
        store: TokenStore | None = None,
        clock: Callable[[], float] = time.time,
        skew: float = TOKEN_SKEW_SECONDS,
    ) -> None:
        super().__init__(store=store, clock=clock, skew=skew)
        self._fetch = fetch
        self._lock = threading.Lock()

    def get(self) -> AccessToken:
        """Return a fresh token, fetching one if needed. Errors from ``fetch`` propagate."""
        token = self._usable(self._cached)
        if token is not None:
            return token
        entered = self._generation
        with _call.holding(self._lock, WAITING):
            token = self._after_wait(entered)  # renewed by the thread that held the lock before us?
            if token is None:
                token = self._obtained(self._from_store_or_fetch())
            return token

    def invalidate(self, token: AccessToken) -> None:
        """Forget ``token`` (one this manager handed out) here and in the store, if it is still current."""
        with _call.holding(self._lock, WAITING):
            forgotten = self._forget(token)
        if forgotten and self._store is not None:
            self._store.clear(expected=token)

    def _from_store_or_fetch(self) -> AccessToken:
        store = self._store
        if store is None:
            return self._fetch_logged()
        token = self._usable(store.load())
        if token is not None:
            self._log_from_store(store, token)
            return token
        with store.lock():
            _call.time_left(WAITING)  # a store that waited past the deadline: fetching now would be late
            token = self._usable(store.load())  # another process may have fetched while we waited
            if token is None:
                token = self._fetch_logged()
                store.save(token)
                self._log_saved(store)
            else:
                self._log_from_store(store, token)
            return token

    def _fetch_logged(self) -> AccessToken:
        token = self._fetch()
        self._log_fetched(token)
        return token


class AsyncTokenManager(_ManagerBase):
    """The asyncio twin of :class:`TokenManager`.

    Store calls run in a worker thread (``asyncio.to_thread``) because a store may block on a file lock
    or the network; without a store the token lives in the manager and nothing leaves the event loop.
    Only the task holding the manager's lock (plus at most one invalidation per token) uses a thread, so
    a crowd of waiting tasks cannot fill the default executor and starve the thread that must release the
    store's lock.
    The lock is per event loop (an ``asyncio.Lock`` cannot be shared between loops), so two loops in two
    threads may each fetch once; give them a shared store to make that one fetch.
    """

    def __init__(
        self,
        fetch: Callable[[], Awaitable[AccessToken]],
        *,
        store: TokenStore | None = None,
        clock: Callable[[], float] = time.time,
        skew: float = TOKEN_SKEW_SECONDS,
    ) -> None:
        super().__init__(store=store, clock=clock, skew=skew)
        self._fetch = fetch
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self._locks_guard = threading.Lock()

    async def get(self) -> AccessToken:
        """Return a fresh token, fetching one if needed. Errors from ``fetch`` propagate."""
        token = self._usable(self._cached)
        if token is not None:
            return token
        entered = self._generation
        async with _call.holding_async(self._loop_lock(), WAITING):
            token = self._after_wait(entered)  # renewed by the task that held the lock before us?
            if token is None:
                token = self._obtained(await self._from_store_or_fetch())
            return token

    async def invalidate(self, token: AccessToken) -> None:
        """Forget ``token`` (one this manager handed out) here and in the store, if it is still current."""
        # No lock needed for the cache: nothing awaits between the check and the write.
        if self._forget(token) and self._store is not None:
            await asyncio.to_thread(self._store.clear, token)

    def _loop_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        with self._locks_guard:  # loops in other threads may ask at the same time
            lock = self._locks.get(loop)
            if lock is None:
                lock = self._locks[loop] = asyncio.Lock()
            return lock

    async def _from_store_or_fetch(self) -> AccessToken:
        store = self._store
        if store is None:
            return await self._fetch_logged()
        token = self._usable(await asyncio.to_thread(store.load))
        if token is not None:
            self._log_from_store(store, token)
            return token
        async with _locked_in_thread(store.lock()):
            _call.time_left(WAITING)
            token = self._usable(await asyncio.to_thread(store.load))
            if token is None:
                token = await self._fetch_logged()
                await asyncio.to_thread(store.save, token)
                self._log_saved(store)
            else:
                self._log_from_store(store, token)
            return token

    async def _fetch_logged(self) -> AccessToken:
        token = await self._fetch()
        self._log_fetched(token)
        return token


@contextlib.asynccontextmanager
async def _locked_in_thread(lock: AbstractContextManager[None]) -> AsyncIterator[None]:
    """Hold a blocking lock from async code, waiting for it in a worker thread.

    Both the waiting thread and the releasing call are shielded: a worker thread cannot be interrupted, so a
    cancelled task could otherwise leave the lock held for ever, blocking every other process.
    """
    entering = asyncio.ensure_future(asyncio.to_thread(lock.__enter__))
    try:
        await asyncio.shield(entering)
    except asyncio.CancelledError:
        entering.add_done_callback(lambda done: _release_if_acquired(lock, done))
        raise
    try:
        yield
    finally:
        await asyncio.shield(asyncio.to_thread(lock.__exit__, None, None, None))


def _release_if_acquired(lock: AbstractContextManager[None], entering: asyncio.Future[None]) -> None:
    if not entering.cancelled() and entering.exception() is None:
        lock.__exit__(None, None, None)
