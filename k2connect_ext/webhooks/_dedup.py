"""Replay defence for webhooks: process each K2 event id at most once.

K2's signature covers the body only, with no timestamp, so a captured request stays valid forever
and can be replayed; K2 itself also redelivers. The event id (``id`` in the webhook body, or
``data.id`` in a callback result) is therefore the only thing to deduplicate on.

Usage in a receiver::

    if not dedup.claim(event_id):
        return 200                 # already seen (or being processed right now): acknowledge, skip
    try:
        handle(event)
    except Exception:
        dedup.release(event_id)    # forget the claim, so K2's redelivery is processed
        raise                      # ... and answer non-2xx so that K2 does redeliver

A duplicate that arrives while the first copy is still being handled is acknowledged and dropped;
if the first copy then fails, its non-2xx answer makes K2 redeliver, so nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Protocol, runtime_checkable

from k2connect_ext._exceptions import K2ConfigError, K2InputError, K2StoreUnavailableError

__all__ = [
    "AsyncDeduplicator",
    "Deduplicator",
    "MemoryDeduplicator",
    "SQLiteDeduplicator",
    "check_event_id",
    "event_id_problem",
]

Clock = Callable[[], float]


@runtime_checkable
class Deduplicator(Protocol):
    """Remembers which event ids have been claimed (blocking API)."""

    def claim(self, event_id: str) -> bool:
        """Atomically record ``event_id``; True the first time, False for a duplicate."""
        ...

    def release(self, event_id: str) -> None:
        """Forget a claim (the handler failed), so a redelivery of the event is processed."""
        ...

    def contains(self, event_id: str) -> bool:
        """Whether ``event_id`` is currently claimed."""
        ...


@runtime_checkable
class AsyncDeduplicator(Protocol):
    """The same as :class:`Deduplicator`, for async receivers."""

    async def aclaim(self, event_id: str) -> bool:
        """Atomically record ``event_id``; True the first time, False for a duplicate."""
        ...

    async def arelease(self, event_id: str) -> None:
        """Forget a claim (the handler failed), so a redelivery of the event is processed."""
        ...

    async def acontains(self, event_id: str) -> bool:
        """Whether ``event_id`` is currently claimed."""
        ...


def event_id_problem(event_id: object) -> str | None:
    """Why ``event_id`` cannot be deduplicated on, or None when it is an id every deduplicator must store.

    The one rule all deduplicators apply, so an id one store takes is never refused by another (an id
    one store cannot hold would otherwise turn into a 500 that K2 redelivers for ever). It is exactly as
    strict as JSON text can be valid: any non-blank string of Unicode scalars, NUL and length included, is
    an id the spec allows, so a store with narrower keys (PostgreSQL text holds no NUL, its index entries
    stop near 2700 bytes) must map such ids to keys it can hold rather than refuse them.
    """
    if not isinstance(event_id, str):
        return f"must be a non-empty str, not {type(event_id).__name__}"
    # An empty id would make every id-less event a duplicate of the first one: silent data loss.
    if not event_id.strip():
        return "must be a non-empty str"
    if not event_id.isascii():
        try:
            event_id.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate, e.g. from the JSON escape "\ud800"
            return "is not valid Unicode (it holds half of a UTF-16 surrogate pair)"
    return None


def check_event_id(event_id: object) -> None:
    """Raise :class:`~k2connect_ext.K2InputError` (a ``ValueError``) unless every
    deduplicator can store ``event_id``: a non-blank str of valid Unicode (no lone surrogate, which the
    JSON escape ``"\\ud800"`` produces and no UTF-8 store can hold). Custom deduplicators should call it
    too."""
    problem = event_id_problem(event_id)
    if problem is not None:
        # The id itself stays out of the message: it came from an unauthenticated body, maybe huge.
        raise K2InputError(f"event_id {problem}", field="event_id")


_check_event_id = check_event_id


@contextlib.contextmanager
def _unavailable(action: str) -> Iterator[None]:
    """sqlite3 errors (locked past the busy timeout, disk full, file gone) as the stores' common K2 error.

    The receiver answers 500 to it, so nothing is marked as seen and K2's redelivery is processed.
    """
    try:
        yield
    except sqlite3.Error as exc:
        raise K2StoreUnavailableError(
            f"SQLite deduplicator {action} failed: {type(exc).__name__}: {exc}"
        ) from exc


def _check_ttl(ttl_seconds: float | None) -> None:
    if ttl_seconds is not None and not ttl_seconds > 0:
        raise K2ConfigError("ttl_seconds must be positive, or None to remember ids until evicted or purged")


class MemoryDeduplicator:
    """Thread-safe, bounded, in-process deduplicator. Ids are lost on restart and not shared.

    At most ``max_entries`` ids are kept; the oldest claims are forgotten first, so an event
    redelivered after that many newer ones would be processed again. With ``ttl_seconds``, a
    claim also expires after that long. ``clock`` is injectable for tests.
    """

    def __init__(
        self,
        max_entries: int = 100_000,
        ttl_seconds: float | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        if max_entries < 1:
            raise K2ConfigError("max_entries must be at least 1")
        _check_ttl(ttl_seconds)
        self._max_entries = max_entries
        self._ttl = ttl_seconds
        self._clock = clock
        # Insertion order is claim order, so the first entry is always the oldest claim:
        # both eviction and expiry pop from the front.
        self._claimed_at: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            self._expire(self._clock())
            return len(self._claimed_at)

    def __repr__(self) -> str:
        return f"MemoryDeduplicator(max_entries={self._max_entries}, ttl_seconds={self._ttl})"

    def claim(self, event_id: str) -> bool:
        """Atomically record ``event_id``; True the first time, False for a duplicate."""
        _check_event_id(event_id)
        with self._lock:
            now = self._clock()
            self._expire(now)
            if event_id in self._claimed_at:
                return False
            self._claimed_at[event_id] = now
            while len(self._claimed_at) > self._max_entries:
                self._claimed_at.popitem(last=False)
            return True

    def release(self, event_id: str) -> None:
        """Forget a claim (the handler failed), so a redelivery of the event is processed."""
        _check_event_id(event_id)
        with self._lock:
            self._claimed_at.pop(event_id, None)

    def contains(self, event_id: str) -> bool:
        """Whether ``event_id`` is currently claimed (and not expired)."""
        _check_event_id(event_id)
        with self._lock:
            self._expire(self._clock())
            return event_id in self._claimed_at

    # The async twins call straight through: the work is a dict operation under a lock held for
    # microseconds, so a thread hop would cost more than it saves.
    async def aclaim(self, event_id: str) -> bool:
        """Async twin of :meth:`claim`."""
        return self.claim(event_id)

    async def arelease(self, event_id: str) -> None:
        """Async twin of :meth:`release`."""
        self.release(event_id)

    async def acontains(self, event_id: str) -> bool:
        """Async twin of :meth:`contains`."""
        return self.contains(event_id)

    def _expire(self, now: float) -> None:
        if self._ttl is None:
            return
        while self._claimed_at:
            oldest_id, claimed_at = next(iter(self._claimed_at.items()))
            if now - claimed_at < self._ttl:
                return
            del self._claimed_at[oldest_id]


class BlockingStoreTwins:
    """The async twins of a deduplicator whose calls block (a disk, a network round trip).

    Each runs its sync method in a worker thread, so a slow store never stalls the event loop. Shared by
    the SQLite, Redis and PostgreSQL deduplicators, which define ``claim``, ``release`` and ``contains``.
    """

    def claim(self, event_id: str) -> bool:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def release(self, event_id: str) -> None:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def contains(self, event_id: str) -> bool:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    async def aclaim(self, event_id: str) -> bool:
        """Async twin of :meth:`claim`."""
        return await asyncio.to_thread(self.claim, event_id)

    async def arelease(self, event_id: str) -> None:
        """Async twin of :meth:`release`."""
        await asyncio.to_thread(self.release, event_id)

    async def acontains(self, event_id: str) -> bool:
        """Async twin of :meth:`contains`."""
        return await asyncio.to_thread(self.contains, event_id)


class SQLiteDeduplicator(BlockingStoreTwins):
    """Deduplicator in an SQLite file, shared safely by every process and thread on one machine.

    Use it when several workers (gunicorn, uvicorn ``--workers``) receive webhooks: each id is
    claimed exactly once across all of them, and claims survive restarts. Ids are kept until
    released, until ``ttl_seconds`` passes (if set), or until :meth:`purge_older_than` removes them.
    Not for network file systems, where SQLite's locking is unreliable.

    A path it cannot use is a :class:`~k2connect_ext.K2ConfigError` at construction; an SQLite
    failure later (locked past ``busy_timeout_seconds``, disk full) is a
    :class:`~k2connect_ext.K2StoreUnavailableError`, which a receiver answers with 500.

    ``clock`` defaults to wall-clock time because claim times are compared across processes,
    where monotonic clocks are not comparable.
    """

    _SCHEMA = (
        "CREATE TABLE IF NOT EXISTS k2_webhook_events (event_id TEXT PRIMARY KEY, claimed_at REAL NOT NULL)",
        "CREATE INDEX IF NOT EXISTS k2_webhook_events_claimed_at ON k2_webhook_events (claimed_at)",
    )

    def __init__(
        self,
        path: str | os.PathLike[str],
        ttl_seconds: float | None = None,
        clock: Clock = time.time,
        *,
        busy_timeout_seconds: float = 10.0,
    ) -> None:
        _check_ttl(ttl_seconds)
        self._path = os.fspath(path)
        if self._path in ("", ":memory:"):
            # Each connection to ":memory:" is a separate database: nothing would be shared.
            raise K2ConfigError("SQLiteDeduplicator needs a file path; use MemoryDeduplicator for in-memory")
        self._ttl = ttl_seconds
        self._clock = clock
        self._busy_timeout = busy_timeout_seconds
        # One connection per process, shared by its threads under a lock: claims are tiny, and a
        # single connection can be closed from any thread (thread-local ones could not).
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._conn_pid = 0
        with self._lock:
            try:
                self._connection()  # fail fast on a bad path, and create the table up front
            except sqlite3.Error as exc:
                raise K2ConfigError(
                    f"cannot use {self._path!r} as a deduplicator database: {type(exc).__name__}: {exc}"
                ) from exc

    def __repr__(self) -> str:
        return f"SQLiteDeduplicator(path={self._path!r}, ttl_seconds={self._ttl})"

    def __enter__(self) -> SQLiteDeduplicator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close this process's connection; a later call reopens it."""
        with self._lock:
            if self._conn is not None and self._conn_pid == os.getpid():
                self._conn.close()
            self._conn = None

    def claim(self, event_id: str) -> bool:
        """Atomically record ``event_id``; True the first time, False for a duplicate."""
        _check_event_id(event_id)
        with self._lock, _unavailable("claim"):
            conn = self._connection()
            now = self._clock()
            # A single statement is atomic across processes. The primary key makes a duplicate a
            # no-op (changes = 0); an expired claim is taken over by the upsert's guarded UPDATE.
            cursor = conn.execute(
                "INSERT INTO k2_webhook_events (event_id, claimed_at) VALUES (?, ?) "
                "ON CONFLICT (event_id) DO UPDATE SET claimed_at = excluded.claimed_at "
                "WHERE k2_webhook_events.claimed_at <= ?",
                (event_id, now, self._expiry_cutoff(now)),
            )
            return cursor.rowcount == 1

    def release(self, event_id: str) -> None:
        """Forget a claim (the handler failed), so a redelivery of the event is processed."""
        _check_event_id(event_id)
        with self._lock, _unavailable("release"):
            self._connection().execute("DELETE FROM k2_webhook_events WHERE event_id = ?", (event_id,))

    def contains(self, event_id: str) -> bool:
        """Whether ``event_id`` is currently claimed (and not expired)."""
        _check_event_id(event_id)
        with self._lock, _unavailable("lookup"):
            row = (
                self._connection()
                .execute(
                    "SELECT 1 FROM k2_webhook_events WHERE event_id = ? AND claimed_at > ?",
                    (event_id, self._expiry_cutoff(self._clock())),
                )
                .fetchone()
            )
            return row is not None

    def purge_older_than(self, seconds: float) -> int:
        """Delete claims older than ``seconds``, to bound the file's size; return how many went."""
        if seconds < 0:
            raise K2InputError("seconds must not be negative", field="seconds")
        with self._lock, _unavailable("purge"):
            cursor = self._connection().execute(
                "DELETE FROM k2_webhook_events WHERE claimed_at < ?", (self._clock() - seconds,)
            )
            return cursor.rowcount

    # SQLite calls block (on disk, or on another process's lock for up to the busy timeout), so the async
    # twins (from BlockingStoreTwins) run them in a worker thread rather than stall the event loop.
    async def apurge_older_than(self, seconds: float) -> int:
        """Async twin of :meth:`purge_older_than`."""
        return await asyncio.to_thread(self.purge_older_than, seconds)

    def _expiry_cutoff(self, now: float) -> float:
        # Claims at or before the cutoff have expired; without a TTL nothing ever does.
        return float("-inf") if self._ttl is None else now - self._ttl

    def _connection(self) -> sqlite3.Connection:
        # Called with self._lock held. A connection inherited through fork() must not be used
        # (SQLite's locks are per process), so a child process opens its own.
        if self._conn is None or self._conn_pid != os.getpid():
            conn = sqlite3.connect(
                self._path,
                timeout=self._busy_timeout,  # sets SQLite's busy_timeout: wait for other writers
                isolation_level=None,  # autocommit: each statement is its own transaction
                check_same_thread=False,  # guarded by self._lock instead
            )
            try:
                # WAL lets readers proceed while another process writes; the setting persists in
                # the file, so concurrent openers merely repeat it.
                conn.execute("PRAGMA journal_mode=WAL")
                for statement in self._SCHEMA:
                    conn.execute(statement)
            except BaseException:
                conn.close()
                raise
            self._conn, self._conn_pid = conn, os.getpid()
        return self._conn
