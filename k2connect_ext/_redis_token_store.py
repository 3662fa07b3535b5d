"""``RedisTokenStore``: one K2 access token for every worker on every machine, kept in Redis.

Install with ``pip install 'k2connect-sdk[redis]'`` and pass it to ``K2``/``AsyncK2``/``connect``::

    from k2connect_ext import RedisTokenStore

    store = RedisTokenStore.from_url("redis://redis.internal:6379/0")
    k2 = K2(client_id, client_secret, token_store=store)

What it guarantees, and how:

* **Single flight across machines.** ``lock()`` takes a Redis lock (``SET NX`` with a TTL, ``lock_ttl``), so
  one worker fetches while the others wait and then read its token. A holder that dies mid-fetch stops
  blocking the others when the TTL runs out. Threads of one process queue on a process-local lock first,
  so Redis sees at most one waiter per process.
* **Fencing.** Every acquisition gets a number from a Redis counter (``INCR``). A holder that stalled past
  the TTL (a long GC pause, a slow K2) may come back after another holder saved a newer token: its save is
  refused inside Redis (a Lua script) unless its number is still the current one or newer than the number
  stored with the token. A late holder can never overwrite a newer token.
* **Atomic compare-and-delete.** ``clear(expected)`` deletes the token only if it is still ``expected``
  (compared by SHA-256 digest inside Redis, so the token is not sent back to Redis to compare).
* **Payments never stop because the cache is down.** When Redis does not answer, the store logs one
  warning (logger ``k2connect.tokens.redis``) and keeps the token per process until Redis answers again,
  trying Redis again at most every ``retry_after`` seconds so a dead Redis costs no time per request.
* **A call's timeout bounds its waits here too.** Inside a call (:mod:`k2connect_ext._call`) the wait for
  the lock ends at the call's deadline with :class:`~k2connect_ext.K2TimeoutError`, and each Redis command
  is given only the time the call has left: it runs in a short-lived thread, and one that does not answer
  in time counts as a Redis timeout (the call carries on without Redis; the command finishes or times out
  on its own, and a lock it takes late is given back at once).

Keys: ``<key>`` (a hash: the token JSON, its digest and its fence number; it expires with the token),
``<key>:lock`` and ``<key>:fence``. The default key carries a hash tag (``{token}``) so all three land in
one Redis Cluster slot. The stored token is the secret bearer token: keep the Redis private.

The :class:`~k2connect_ext.TokenStore` protocol is blocking; ``AsyncTokenManager`` already calls
it in a worker thread, so there is no separate async API here.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import hashlib
import logging
import random
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any, TypeVar

from k2connect_ext import _call
from k2connect_ext._exceptions import K2ConfigError
from k2connect_ext._store_support import Outage, redact, require_module
from k2connect_ext._token_stores import WAITING, AccessToken, MemoryTokenStore

__all__ = ["DEFAULT_TOKEN_KEY", "RedisTokenStore", "redis_client"]

logger = logging.getLogger("k2connect.tokens.redis")

DEFAULT_TOKEN_KEY = "k2connect:{token}"

T = TypeVar("T")

# KEYS: lock, fence counter. ARGV: owner id, TTL in ms. Returns the new fence number, or 0 if held.
# Checking and taking in one script: the fence is only consumed by an acquisition that succeeds.
_ACQUIRE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local fence = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. fence, 'PX', ARGV[2])
return fence
"""

# KEYS: lock. ARGV: the value we set. Never deletes a lock that expired and was taken by someone else.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS: lock. ARGV: an owner id. Releases the lock if that owner holds it, whatever its fence: for an
# acquisition that answered after its caller stopped waiting.
_RELEASE_OWNED = """
local held = redis.call('GET', KEYS[1])
if held and string.sub(held, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. ':' then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# KEYS: token hash, fence counter. ARGV: token JSON, digest, fence ('' when saved without the lock), TTL ms.
# The fencing check: refuse a fence that is neither the current one nor newer than the stored token's.
_SAVE = """
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
local stored = tonumber(redis.call('HGET', KEYS[1], 'fence') or '0')
local fence
if ARGV[3] == '' then fence = redis.call('INCR', KEYS[2]) else fence = tonumber(ARGV[3]) end
if fence ~= current and fence <= stored then return 0 end
redis.call('HSET', KEYS[1], 'token', ARGV[1], 'digest', ARGV[2], 'fence', fence)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
"""

# KEYS: token hash. ARGV: digest of the expected token ('' = any). The fence field stays: a late holder
# must not be able to save an older token just because the newer one was cleared.
_CLEAR = """
if ARGV[1] == '' or redis.call('HGET', KEYS[1], 'digest') == ARGV[1] then
  return redis.call('HDEL', KEYS[1], 'token', 'digest')
end
return 0
"""


def redis_client(url: str, socket_timeout: float, connect_timeout: float, options: dict[str, Any]) -> Any:
    """A ``redis.Redis`` for ``url`` with short timeouts and one immediate retry.

    redis-py's default retries three times with backoff, which makes every call to a dead Redis take
    seconds; one retry without backoff still reconnects a pooled connection that Redis closed (a restart).

    Raises:
        K2ConfigError: the ``redis`` package is missing or the URL is malformed (the message never quotes
            the URL, which may hold a password).
    """
    redis = require_module("redis", "redis")
    options.setdefault("retry", redis.retry.Retry(redis.backoff.NoBackoff(), 1))
    try:
        return redis.Redis.from_url(
            url, socket_timeout=socket_timeout, socket_connect_timeout=connect_timeout, **options
        )
    except (ValueError, TypeError) as exc:
        raise K2ConfigError(f"bad Redis URL: {redact(str(exc))}") from None


def _digest(token: AccessToken) -> str:
    return hashlib.sha256(token.value.encode()).hexdigest()


class RedisTokenStore:
    """A :class:`~k2connect_ext.TokenStore` in Redis, shared by every process and machine.

    Args:
        client: a ``redis.Redis`` (or anything with the same ``hget``/``register_script`` API). Give it
            short socket timeouts: :meth:`from_url` does.
        key: the Redis key of the token; ``<key>:lock`` and ``<key>:fence`` are used too.
        lock_ttl: seconds after which the fetch lock frees itself. Longer than a token request can take
            (the SDK's HTTP timeout), or a slow fetch loses its lock and a second fetch starts.
        lock_wait: seconds to wait for the lock before fetching without it (default: twice ``lock_ttl``,
            so a dead holder's lock has always expired first). Waiting for ever would stop payments.
        poll_interval: seconds between attempts to take a held lock (with jitter).
        retry_after: seconds to keep the token per process after Redis failed, before trying it again.
        clock: monotonic seconds, for the waits; injectable for tests.

    Raises:
        K2ConfigError: the ``redis`` package is missing, or a setting is out of range.
    """

    def __init__(
        self,
        client: Any,  # redis.Redis; typed loosely so RedisCluster and test doubles fit too
        *,
        key: str = DEFAULT_TOKEN_KEY,
        lock_ttl: float = 30.0,
        lock_wait: float | None = None,
        poll_interval: float = 0.05,
        retry_after: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        redis = require_module("redis", "redis")
        if not key:
            raise K2ConfigError("RedisTokenStore needs a non-empty key")
        if not callable(getattr(client, "register_script", None)):
            raise K2ConfigError(f"RedisTokenStore needs a redis.Redis client, got {type(client).__name__}")
        if not lock_ttl > 0 or not poll_interval > 0 or retry_after < 0:
            raise K2ConfigError("lock_ttl and poll_interval must be positive, retry_after not negative")
        self._client = client
        self._key = key
        self._lock_key = key + ":lock"
        self._fence_key = key + ":fence"
        self._lock_ttl_ms = max(1, int(lock_ttl * 1000))
        self._lock_wait = 2 * lock_ttl if lock_wait is None else lock_wait
        self._poll = poll_interval
        self._clock = clock
        self._errors: tuple[type[BaseException], ...] = (redis.exceptions.RedisError, OSError)
        self._acquire = client.register_script(_ACQUIRE)
        self._release = client.register_script(_RELEASE)
        self._release_owned = client.register_script(_RELEASE_OWNED)
        self._save = client.register_script(_SAVE)
        self._clear = client.register_script(_CLEAR)
        self._fallback = MemoryTokenStore()
        # Plain Lock, not RLock: the async manager enters lock() in one worker thread and exits in another.
        self._local_lock = threading.Lock()
        self._fence: int | None = None  # the fence of the lock this process holds, if any
        self._outage = Outage(
            logger,
            what="Redis is unavailable",
            back="Redis answers again; the K2 token is shared through it again",
            retry_after=retry_after,
            clock=clock,
        )

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        socket_timeout: float = 1.0,
        socket_connect_timeout: float = 1.0,
        key: str = DEFAULT_TOKEN_KEY,
        lock_ttl: float = 30.0,
        lock_wait: float | None = None,
        retry_after: float = 5.0,
        **redis_options: Any,
    ) -> RedisTokenStore:
        """Build the client from a ``redis://`` / ``rediss://`` / ``unix://`` URL, with short timeouts.

        Args:
            url: where Redis is: ``redis://host:6379/0``, ``rediss://`` for TLS, ``unix:///path``.
            socket_timeout: seconds Redis has to answer a command.
            socket_connect_timeout: seconds to connect to Redis.
            key: the Redis key of the token (see the class).
            lock_ttl: seconds after which the fetch lock frees itself (see the class).
            lock_wait: seconds to wait for the lock before fetching without it (see the class).
            retry_after: seconds to keep the token per process after Redis failed (see the class).
            **redis_options: passed on to ``redis.Redis.from_url`` (``password=``, ``ssl_ca_certs=``...).

        Returns:
            The store.

        Raises:
            K2ConfigError: the ``redis`` package is missing or the URL is malformed.
        """
        client = redis_client(url, socket_timeout, socket_connect_timeout, redis_options)
        return cls(client, key=key, lock_ttl=lock_ttl, lock_wait=lock_wait, retry_after=retry_after)

    # ------------------------------------------------------------------------------------ TokenStore
    def load(self) -> AccessToken | None:
        """Read the shared token (this process's own while Redis is unreachable).

        Returns:
            The token, or None when Redis holds none (or none of ours).

        Raises:
            K2TimeoutError: the current call has no time left to ask Redis.
        """
        if self._redis_is_down():
            return self._fallback.load()
        _call.time_left(WAITING)  # no time left: Redis is not asked, nor blamed for the wait
        try:
            raw = self._ask(lambda: self._client.hget(self._key, "token"))
        except self._errors as exc:
            self._went_down(exc)
            return self._fallback.load()
        self._came_back()
        return None if raw is None else AccessToken.from_json(raw)

    def save(self, token: AccessToken) -> None:
        """Store ``token``, unless a newer lock holder already stored a newer one (the fencing check).

        Args:
            token: the token to share; it expires from Redis when it expires.
        """
        fence = self._fence
        if not self._redis_is_down():
            ttl_ms = max(1, int((token.expires_at - time.time()) * 1000))
            args = [token.to_json(), _digest(token), "" if fence is None else str(fence), str(ttl_ms)]
            try:
                saved = self._ask(lambda: self._save(keys=[self._key, self._fence_key], args=args))
            except _UnansweredError:
                pass  # the call's time is up; the save carries on in its thread, the token is kept here too
            except self._errors as exc:
                self._went_down(exc)
            else:
                self._came_back()
                if not saved:
                    logger.info("K2 token not stored: a newer lock holder stored its token first")
                return
        self._fallback.save(token)

    def clear(self, expected: AccessToken | None = None) -> None:
        """Remove the token if it is still ``expected``: a compare-and-delete in one Redis script.

        Args:
            expected: the token that failed; the stored one is removed only if it is the same token. None
                removes whatever is stored.

        Raises:
            K2TimeoutError: the current call has no time left to ask Redis.
        """
        self._fallback.clear(expected)
        if self._redis_is_down():
            return
        _call.time_left(WAITING)
        digest = "" if expected is None else _digest(expected)
        try:
            self._ask(lambda: self._clear(keys=[self._key], args=[digest]))
        except self._errors as exc:
            self._went_down(exc)
        else:
            self._came_back()

    def lock(self) -> AbstractContextManager[None]:
        """The fetch lock: this process's, then the Redis one (skipped while Redis is down).

        Returns:
            A context manager that holds both for the duration of its ``with`` block.

        Raises:
            K2TimeoutError: the current call's deadline passed while waiting for either.
        """
        return self._locked()

    # ------------------------------------------------------------------------------------- internals
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with _call.holding(self._local_lock, WAITING):
            held = self._take_redis_lock()
            try:
                yield
            finally:
                self._fence = None
                if held is not None:
                    self._give_back(held)

    def _take_redis_lock(self) -> str | None:
        """The value of the Redis lock we now hold; ``None`` if Redis is down or the wait ran out.

        Raises:
            K2TimeoutError: the current call's deadline passed while the lock was held elsewhere.
        """
        owner = secrets.token_hex(16)
        give_up = self._clock() + self._lock_wait
        keys, args = [self._lock_key, self._fence_key], [owner, self._lock_ttl_ms]
        while not self._redis_is_down():
            _call.time_left(WAITING)
            try:
                fence = int(
                    self._ask(lambda: self._acquire(keys=keys, args=args), late=self._release_late(owner))
                )
            except self._errors as exc:
                self._went_down(exc)
                return None
            self._came_back()
            if fence:
                self._fence = fence
                return f"{owner}:{fence}"
            if self._clock() >= give_up:
                logger.warning(
                    "waited %.1f s for the K2 token lock in Redis; fetching a token without it",
                    self._lock_wait,
                )
                return None
            time.sleep(_call.capped(self._poll * random.uniform(0.5, 1.5)))  # jitter: no polling in step
        return None

    def _give_back(self, held: str) -> None:
        try:
            self._ask(lambda: self._release(keys=[self._lock_key], args=[held]))
        except _UnansweredError:
            pass  # the release carries on in its thread; the lock expires on its own after lock_ttl anyway
        except self._errors as exc:  # the lock expires on its own after lock_ttl
            self._went_down(exc)

    def _release_late(self, owner: str) -> Callable[[], None]:
        """For an acquisition that may answer after its call gave up: give back any lock it took."""

        def release() -> None:
            with contextlib.suppress(*self._errors):  # else the lock expires on its own after lock_ttl
                self._release_owned(keys=[self._lock_key], args=[owner])

        return release

    def _ask(self, command: Callable[[], T], late: Callable[[], None] | None = None) -> T:
        """Run one Redis command, given no more than the time the current call has left.

        Outside a call the client's own socket timeouts bound it. Inside one it runs in a daemon thread;
        when no answer comes in time, :class:`_UnansweredError` is raised (a ``TimeoutError``, so it counts
        as a Redis failure) and the command is left to finish, ``late`` being called once it has.
        """
        left = _call.remaining()
        if left is None:
            return command()
        answer: concurrent.futures.Future[T] = concurrent.futures.Future()
        threading.Thread(target=_settle, args=(answer, command), name="k2connect-redis", daemon=True).start()
        done, _ = concurrent.futures.wait([answer], timeout=max(0.0, left))
        if not done:
            if late is not None:
                answer.add_done_callback(lambda _: late())
            raise _UnansweredError(f"Redis did not answer in the {max(0.0, left):.2f} s the call had left")
        return answer.result()

    def _redis_is_down(self) -> bool:
        return self._outage.is_down()

    def _went_down(self, exc: BaseException) -> None:
        self._outage.went_down(exc)

    def _came_back(self) -> None:
        self._outage.came_back()

    def __repr__(self) -> str:
        return f"RedisTokenStore(key={self._key!r}, lock_ttl={self._lock_ttl_ms / 1000:g})"


class _UnansweredError(TimeoutError):
    """A Redis command did not answer in the time its call had left (it may still be running)."""


def _settle(answer: concurrent.futures.Future[T], command: Callable[[], T]) -> None:
    try:
        result = command()
    except BaseException as exc:  # handed to the caller, which decides what is a Redis failure
        answer.set_exception(exc)
    else:
        answer.set_result(result)
