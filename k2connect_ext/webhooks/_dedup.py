"""Replay defence for webhooks: process each K2 event id once, and never acknowledge one that was not.

K2's signature covers the body only, with no timestamp, so a captured request stays valid forever
and can be replayed; K2 itself also redelivers. The event id (``id`` in the webhook body, or
``data.id`` in a callback result) is therefore the only thing to deduplicate on.

A claim on an id is in one of three states (:class:`ClaimState` names what ``claim`` found):

* **in flight**: a delivery holds it while its handler runs, under a random owner token and a lease of
  ``lease_seconds`` (one minute by default). A copy that arrives meanwhile (K2 redelivers when the first
  delivery times out) is told to retry later, not acknowledged: the first run may still fail, and its
  failure answer would then reach nobody.
* **done**: the handler returned. Later copies are acknowledged as duplicates, for the retention.
* **free**: never claimed, released after the handler failed, or a lease that lapsed (the worker died, or
  the store could not be reached to release it). The next copy claims it and is processed.

Usage in a receiver (``_receivers`` does exactly this)::

    claim = dedup.claim(event_id)
    if claim.state is ClaimState.DONE:
        return 200                 # processed already: acknowledge, skip
    if claim.state is ClaimState.IN_FLIGHT:
        return 503                 # another delivery is handling it: K2 must come back later
    try:
        handle(event)
    except Exception:
        dedup.release(claim)       # forget the claim, so K2's redelivery is processed
        raise                      # ... and answer non-2xx so that K2 does redeliver
    dedup.complete(claim)          # done: later copies are duplicates

``release`` and ``complete`` act only on a claim that is still the caller's (its owner token): a first run
that outlived its lease can neither delete nor complete the claim a later copy took over.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import math
import os
import secrets
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import NamedTuple, Protocol, runtime_checkable

import attrs

from k2connect_ext._exceptions import K2ConfigError, K2InputError, K2StoreUnavailableError

__all__ = [
    "DEFAULT_LEASE_SECONDS",
    "AsyncDeduplicator",
    "Claim",
    "ClaimState",
    "Deduplicator",
    "MemoryDeduplicator",
    "SQLiteDeduplicator",
    "check_event_id",
    "check_lease",
    "claim_owner",
    "event_id_problem",
    "new_owner",
]

Clock = Callable[[], float]

# How long an in-flight claim holds before it lapses by itself. Far longer than a webhook handler should run
# (K2 stops waiting for an answer long before), yet short enough that an event whose claim could not be
# released (the store was down) is processed on a redelivery a minute later rather than never.
DEFAULT_LEASE_SECONDS = 60.0


class ClaimState(enum.Enum):
    """What :meth:`Deduplicator.claim` found for an event id."""

    NEW = "new"
    """The caller holds the claim now: run the handler, then ``complete`` it (``release`` it on failure)."""
    IN_FLIGHT = "in_flight"
    """Another delivery holds it and its handler is running: answer "retry later", not "done"."""
    DONE = "done"
    """A handler already processed the event: acknowledge this copy as a duplicate."""


@attrs.frozen
class Claim:
    """The outcome of :meth:`Deduplicator.claim`: the event id, its state, and the owner token when won.

    True only when ``state`` is :attr:`ClaimState.NEW`, so ``if not dedup.claim(event_id)`` still reads
    "someone else has it" (but tells in-flight from done apart only through ``state``). Pass it back, as it
    is, to ``complete`` or ``release``: they act only while the claim is still this owner's.

    Attributes:
        event_id: the event's id.
        state: what the claim found (:class:`ClaimState`).
        owner: a random token naming the holder of a ``NEW`` claim (None otherwise); kept out of ``repr``.
    """

    event_id: str
    state: ClaimState
    # A random token naming the holder of a NEW claim (None otherwise). Not a secret, but not shown either.
    owner: str | None = attrs.field(default=None, repr=False)

    def __bool__(self) -> bool:
        return self.state is ClaimState.NEW


def new_owner() -> str:
    """A fresh random owner token for a claim (128 bits: no two deliveries ever share one)."""
    return secrets.token_hex(16)


def claim_owner(claim: Claim) -> str | None:
    """The owner token of a claim the caller won, or None for a duplicate's (nothing to complete or release).

    Raises :class:`~k2connect_ext.K2InputError` for anything but a :class:`Claim` with a storable event id.
    Custom deduplicators should call it in ``complete`` and ``release``.
    """
    if not isinstance(claim, Claim):
        raise K2InputError(
            f"expected the Claim that claim() returned, not {type(claim).__name__}", field="claim"
        )
    check_event_id(claim.event_id)
    return claim.owner if claim.state is ClaimState.NEW else None


def check_lease(lease_seconds: float) -> float:
    """``lease_seconds`` as a float, or :class:`~k2connect_ext.K2ConfigError` unless it is a positive, finite
    number of seconds."""
    if isinstance(lease_seconds, bool) or not isinstance(lease_seconds, int | float):
        raise K2ConfigError(f"lease_seconds must be a number, not {type(lease_seconds).__name__}")
    if not 0 < lease_seconds < math.inf:  # also refuses NaN
        raise K2ConfigError(
            "lease_seconds must be positive and finite: an in-flight claim must lapse by itself, or an event "
            "whose claim could not be released would never be processed"
        )
    return float(lease_seconds)


@runtime_checkable
class Deduplicator(Protocol):
    """Remembers which event ids are being processed or were processed (blocking API)."""

    def claim(self, event_id: str) -> Claim:
        """Atomically take ``event_id`` if free (state NEW, with an owner token); else say who has it.

        Args:
            event_id: the event's id: ``event.dedup_key`` of the
                :class:`~k2connect_ext.webhooks.K2Event`.

        Returns:
            The claim: ``NEW`` (yours: run the handler, then ``complete`` it, or ``release`` it if the
                handler failed), ``IN_FLIGHT`` (another delivery is running it) or ``DONE`` (processed
                already).

        Raises:
            K2InputError: an id no deduplicator can store (not a non-blank str of valid Unicode).
        """
        ...

    def complete(self, claim: Claim) -> bool:
        """Mark the event done (the handler returned): later deliveries of it are duplicates.

        Args:
            claim: the :class:`Claim` that ``claim`` returned, as it is.

        Returns:
            True if it is now done; False if the claim was a duplicate's, or is no longer this
                owner's (its lease lapsed and another delivery took it over).

        Raises:
            K2InputError: ``claim`` is not a :class:`Claim`.
        """
        ...

    def release(self, claim: Claim) -> bool:
        """Free the claim (the handler failed), so that K2's next delivery of the event is processed.

        Args:
            claim: the :class:`Claim` that ``claim`` returned, as it is.

        Returns:
            True if it was freed; False if the claim was a duplicate's, or is no longer this owner's.

        Raises:
            K2InputError: ``claim`` is not a :class:`Claim`.
        """
        ...

    def contains(self, event_id: str) -> bool:
        """Whether ``event_id`` is claimed: in flight under a running lease, or done (and not expired).

        Args:
            event_id: the event's id: ``event.dedup_key`` of the
                :class:`~k2connect_ext.webhooks.K2Event`.

        Returns:
            True if a delivery of it is running or was processed.

        Raises:
            K2InputError: an id no deduplicator can store (not a non-blank str of valid Unicode).
        """
        ...


@runtime_checkable
class AsyncDeduplicator(Protocol):
    """The same as :class:`Deduplicator`, for async receivers."""

    async def aclaim(self, event_id: str) -> Claim:
        """The asyncio twin of :meth:`Deduplicator.claim`.

        Args:
            event_id: the event's id: ``event.dedup_key`` of the
                :class:`~k2connect_ext.webhooks.K2Event`.

        Returns:
            The claim (see :meth:`Deduplicator.claim`).
        """
        ...

    async def acomplete(self, claim: Claim) -> bool:
        """The asyncio twin of :meth:`Deduplicator.complete`.

        Args:
            claim: the :class:`Claim` that ``claim`` returned, as it is.

        Returns:
            True if it is now done (see :meth:`Deduplicator.complete`).
        """
        ...

    async def arelease(self, claim: Claim) -> bool:
        """The asyncio twin of :meth:`Deduplicator.release`.

        Args:
            claim: the :class:`Claim` that ``claim`` returned, as it is.

        Returns:
            True if it was freed (see :meth:`Deduplicator.release`).
        """
        ...

    async def acontains(self, event_id: str) -> bool:
        """The asyncio twin of :meth:`Deduplicator.contains`.

        Args:
            event_id: the event's id: ``event.dedup_key`` of the
                :class:`~k2connect_ext.webhooks.K2Event`.

        Returns:
            True if a delivery of it is running or was processed.
        """
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


class _Held(NamedTuple):
    at: float  # when it was claimed, or completed
    owner: str | None  # the lease's owner token; None once done
    until: float  # when the lease lapses (meaningless once done)


class MemoryDeduplicator:
    """Thread-safe, bounded, in-process deduplicator. Ids are lost on restart and not shared.

    At most ``max_entries`` ids are kept; the oldest are forgotten first, so an event redelivered after
    that many newer ones would be processed again. With ``ttl_seconds``, a done id is also forgotten after
    that long. An in-flight claim lapses after ``lease_seconds``. For several worker processes, use
    :class:`SQLiteDeduplicator` (one machine), :class:`RedisDeduplicator` or :class:`PostgresDeduplicator`.

    Args:
        max_entries: the most ids kept; the oldest are forgotten first.
        ttl_seconds: seconds after which a done id is forgotten; None keeps it until evicted.
        clock: monotonic seconds (``time.monotonic``); injectable in tests.
        lease_seconds: seconds after which an in-flight claim lapses by itself (its handler died).

    Raises:
        K2ConfigError: ``max_entries`` below 1, or a ``ttl_seconds`` or ``lease_seconds`` that is not a
            positive number.
    """

    def __init__(
        self,
        max_entries: int = 100_000,
        ttl_seconds: float | None = None,
        clock: Clock = time.monotonic,
        *,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
    ) -> None:
        if max_entries < 1:
            raise K2ConfigError("max_entries must be at least 1")
        _check_ttl(ttl_seconds)
        self._max_entries = max_entries
        self._ttl = ttl_seconds
        self._lease = check_lease(lease_seconds)
        self._clock = clock
        # Insertion order is time order (each write moves its id to the back), so the first entry is always
        # the oldest: both eviction and expiry pop from the front.
        self._held: OrderedDict[str, _Held] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            self._expire(self._clock())
            return len(self._held)

    def __repr__(self) -> str:
        return (
            f"MemoryDeduplicator(max_entries={self._max_entries}, ttl_seconds={self._ttl}, "
            f"lease_seconds={self._lease:g})"
        )

    def claim(self, event_id: str) -> Claim:
        """Atomically take ``event_id`` if free (state NEW, with an owner token); else say who has it.

        Args:
            event_id: the event's id: ``event.dedup_key`` of the
                :class:`~k2connect_ext.webhooks.K2Event`.

        Returns:
            The claim: ``NEW`` (yours: run the handler, then ``complete`` it, or ``release`` it if the
                handler failed), ``IN_FLIGHT`` (another delivery is running it) or ``DONE`` (processed
                already).

        Raises:
            K2InputError: an id no deduplicator can store (not a non-blank str of valid Unicode).
        """
        _check_event_id(event_id)
        with self._lock:
            now = self._clock()
            self._expire(now)
            held = self._held.get(event_id)
            if held is not None:
                if held.owner is None:
                    return Claim(event_id, ClaimState.DONE)
                if now < held.until:
                    return Claim(event_id, ClaimState.IN_FLIGHT)
                # Its lease lapsed: the holder died or could not release it. Taken over.
            owner = new_owner()
            self._hold(event_id, _Held(now, owner, now + self._lease))
            return Claim(event_id, ClaimState.NEW, owner)

    def complete(self, claim: Claim) -> bool:
        """Mark the event done (the handler returned): later deliveries of it are duplicates.

        Args:
            claim: the :class:`Claim` that ``claim`` returned, as it is.

        Returns:
            True if it is now done; False if the claim was a duplicate's, or is no longer this
                owner's (its lease lapsed and another delivery took it over).

        Raises:
            K2InputError: ``claim`` is not a :class:`Claim`.
        """
        owner = claim_owner(claim)
        if owner is None:
            return False
        with self._lock:
            held = self._held.get(claim.event_id)
            if held is not None and held.owner != owner:
                return False  # done by another delivery, or taken over after this lease lapsed
            now = self._clock()
            self._hold(claim.event_id, _Held(now, None, now))
            return True

    def release(self, claim: Claim) -> bool:
        """Free the claim (the handler failed), so that K2's next delivery of the event is processed.

        Args:
            claim: the :class:`Claim` that ``claim`` returned, as it is.

        Returns:
            True if it was freed; False if the claim was a duplicate's, or is no longer this owner's.

        Raises:
            K2InputError: ``claim`` is not a :class:`Claim`.
        """
        owner = claim_owner(claim)
        with self._lock:
            held = self._held.get(claim.event_id)
            if owner is None or held is None or held.owner != owner:
                return False
            del self._held[claim.event_id]
            return True

    def contains(self, event_id: str) -> bool:
        """Whether ``event_id`` is claimed: in flight under a running lease, or done (and not expired).

        Args:
            event_id: the event's id: ``event.dedup_key`` of the
                :class:`~k2connect_ext.webhooks.K2Event`.

        Returns:
            True if a delivery of it is running or was processed.

        Raises:
            K2InputError: an id no deduplicator can store (not a non-blank str of valid Unicode).
        """
        _check_event_id(event_id)
        with self._lock:
            now = self._clock()
            self._expire(now)
            held = self._held.get(event_id)
            return held is not None and (held.owner is None or now < held.until)

    # The async twins call straight through: the work is a dict operation under a lock held for
    # microseconds, so a thread hop would cost more than it saves.
    async def aclaim(self, event_id: str) -> Claim:
        """The asyncio twin of :meth:`claim`.

        Args:
            event_id: the event's id: ``event.dedup_key`` of the
                :class:`~k2connect_ext.webhooks.K2Event`.

        Returns:
            The claim (see :meth:`claim`).
        """
        return self.claim(event_id)

    async def acomplete(self, claim: Claim) -> bool:
        """The asyncio twin of :meth:`complete`.

        Args:
            claim: the :class:`Claim` that ``claim`` returned, as it is.

        Returns:
            True if it is now done (see :meth:`complete`).
        """
        return self.complete(claim)

    async def arelease(self, claim: Claim) -> bool:
        """The asyncio twin of :meth:`release`.

        Args:
            claim: the :class:`Claim` that ``claim`` returned, as it is.

        Returns:
            True if it was freed (see :meth:`release`).
        """
        return self.release(claim)

    async def acontains(self, event_id: str) -> bool:
        """The asyncio twin of :meth:`contains`.

        Args:
            event_id: the event's id: ``event.dedup_key`` of the
                :class:`~k2connect_ext.webhooks.K2Event`.

        Returns:
            True if a delivery of it is running or was processed.
        """
        return self.contains(event_id)

    def _hold(self, event_id: str, held: _Held) -> None:
        # Called with self._lock held: (re)write at the back, the newest, then evict beyond the bound.
        self._held.pop(event_id, None)
        self._held[event_id] = held
        while len(self._held) > self._max_entries:
            self._held.popitem(last=False)

    def _expire(self, now: float) -> None:
        if self._ttl is None:
            return
        while self._held:
            oldest_id, held = next(iter(self._held.items()))
            if now - held.at < self._ttl:
                return
            del self._held[oldest_id]


class BlockingStoreTwins:
    """The async twins of a deduplicator whose calls block (a disk, a network round trip).

    Each runs its sync method in a worker thread, so a slow store never stalls the event loop. Shared by
    the SQLite, Redis and PostgreSQL deduplicators, which define ``claim``, ``complete``, ``release`` and
    ``contains``.
    """

    def claim(self, event_id: str) -> Claim:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def complete(self, claim: Claim) -> bool:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def release(self, claim: Claim) -> bool:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def contains(self, event_id: str) -> bool:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    async def aclaim(self, event_id: str) -> Claim:
        """The asyncio twin of :meth:`claim`.

        Args:
            event_id: the event's id: ``event.dedup_key`` of the
                :class:`~k2connect_ext.webhooks.K2Event`.

        Returns:
            The claim (see :meth:`claim`).
        """
        return await asyncio.to_thread(self.claim, event_id)

    async def acomplete(self, claim: Claim) -> bool:
        """The asyncio twin of :meth:`complete`.

        Args:
            claim: the :class:`Claim` that ``claim`` returned, as it is.

        Returns:
            True if it is now done (see :meth:`complete`).
        """
        return await asyncio.to_thread(self.complete, claim)

    async def arelease(self, claim: Claim) -> bool:
        """The asyncio twin of :meth:`release`.

        Args:
            claim: the :class:`Claim` that ``claim`` returned, as it is.

        Returns:
            True if it was freed (see :meth:`release`).
        """
        return await asyncio.to_thread(self.release, claim)

    async def acontains(self, event_id: str) -> bool:
        """The asyncio twin of :meth:`contains`.

        Args:
            event_id: the event's id: ``event.dedup_key`` of the
                :class:`~k2connect_ext.webhooks.K2Event`.

        Returns:
            True if a delivery of it is running or was processed.
        """
        return await asyncio.to_thread(self.contains, event_id)


class SQLiteDeduplicator(BlockingStoreTwins):
    """Deduplicator in an SQLite file, shared safely by every process and thread on one machine.

    Use it when several workers (gunicorn, uvicorn ``--workers``) receive webhooks: each id is
    claimed exactly once across all of them, and claims survive restarts. Done ids are kept until
    ``ttl_seconds`` passes (if set) or until :meth:`purge_older_than` removes them; an in-flight claim
    lapses after ``lease_seconds``. Not for network file systems, where SQLite's locking is unreliable.

    A path it cannot use is a :class:`~k2connect_ext.K2ConfigError` at construction; an SQLite
    failure later (locked past ``busy_timeout_seconds``, disk full) is a
    :class:`~k2connect_ext.K2StoreUnavailableError`, which a receiver answers with 500.

    A file written by a version without leases gains the two lease columns on first use; its rows count
    as done. ``clock`` defaults to wall-clock time because claim times are compared across processes,
    where monotonic clocks are not comparable.

    Args:
        path: the SQLite file (created with its table when missing); not ``":memory:"``, which would share
            nothing.
        ttl_seconds: seconds after which a done id is forgotten; None keeps it until purged.
        clock: wall-clock seconds (``time.time``); injectable in tests.
        busy_timeout_seconds: how long a write waits for another process's lock before failing.
        lease_seconds: seconds after which an in-flight claim lapses by itself (its handler died).

    Raises:
        K2ConfigError: a path SQLite cannot use, or a ``ttl_seconds`` or ``lease_seconds`` that is not a
            positive number.
    """

    # lease_owner and lease_until both NULL: done. lease_owner set: in flight until lease_until.
    _TABLE = (
        "CREATE TABLE IF NOT EXISTS k2_webhook_events (event_id TEXT PRIMARY KEY, claimed_at REAL NOT NULL, "
        "lease_owner TEXT, lease_until REAL)"
    )
    _INDEX = "CREATE INDEX IF NOT EXISTS k2_webhook_events_claimed_at ON k2_webhook_events (claimed_at)"
    # Added to a table made before leases.
    _LEASE_COLUMNS = (("lease_owner", "TEXT"), ("lease_until", "REAL"))
    _LEASE_NAMES = frozenset(name for name, _ in _LEASE_COLUMNS)
    # Each statement is atomic across processes. A claim takes a free id, a done id past the TTL, or an
    # in-flight claim whose lease lapsed; completing and releasing act only on the owner's own claim.
    _CLAIM = (
        "INSERT INTO k2_webhook_events (event_id, claimed_at, lease_owner, lease_until) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (event_id) DO UPDATE SET claimed_at = excluded.claimed_at, "
        "lease_owner = excluded.lease_owner, lease_until = excluded.lease_until "
        "WHERE CASE WHEN k2_webhook_events.lease_owner IS NULL THEN k2_webhook_events.claimed_at <= ? "
        "ELSE k2_webhook_events.lease_until <= ? END"
    )
    _COMPLETE = (
        "INSERT INTO k2_webhook_events (event_id, claimed_at) VALUES (?, ?) "
        "ON CONFLICT (event_id) DO UPDATE SET claimed_at = excluded.claimed_at, lease_owner = NULL, "
        "lease_until = NULL WHERE k2_webhook_events.lease_owner = ?"
    )
    _CONTAINS = (
        "SELECT 1 FROM k2_webhook_events WHERE event_id = ? "
        "AND CASE WHEN lease_owner IS NULL THEN claimed_at > ? ELSE lease_until > ? END"
    )

    def __init__(
        self,
        path: str | os.PathLike[str],
        ttl_seconds: float | None = None,
        clock: Clock = time.time,
        *,
        busy_timeout_seconds: float = 10.0,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
    ) -> None:
        _check_ttl(ttl_seconds)
        self._lease = check_lease(lease_seconds)
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
        return (
            f"SQLiteDeduplicator(path={self._path!r}, ttl_seconds={self._ttl}, lease_seconds={self._lease:g})"
        )

    def __enter__(self) -> SQLiteDeduplicator:
        """The deduplicator itself, closed when the ``with`` block ends."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close this process's connection (see :meth:`close`)."""
        self.close()

    def close(self) -> None:
        """Close this process's connection; a later call reopens it."""
        with self._lock:
            if self._conn is not None and self._conn_pid == os.getpid():
                self._conn.close()
            self._conn = None

    def claim(self, event_id: str) -> Claim:
        """Atomically take ``event_id`` if free (state NEW, with an owner token); else say who has it.

        Args:
            event_id: the event's id: ``event.dedup_key`` of the
                :class:`~k2connect_ext.webhooks.K2Event`.

        Returns:
            The claim: ``NEW`` (yours: run the handler, then ``complete`` it, or ``release`` it if the
                handler failed), ``IN_FLIGHT`` (another delivery is running it) or ``DONE`` (processed
                already).

        Raises:
            K2InputError: an id no deduplicator can store (not a non-blank str of valid Unicode).
            K2StoreUnavailableError: the store failed; a receiver answers 500, so K2 delivers again.
        """
        _check_event_id(event_id)
        owner = new_owner()
        with self._lock, _unavailable("claim"):
            conn = self._connection()
            now = self._clock()
            won = conn.execute(
                self._CLAIM, (event_id, now, owner, now + self._lease, self._expiry_cutoff(now), now)
            )
            if won.rowcount == 1:
                return Claim(event_id, ClaimState.NEW, owner)
            row = conn.execute(
                "SELECT lease_owner FROM k2_webhook_events WHERE event_id = ?", (event_id,)
            ).fetchone()
        # No row any more: it was released (or lapsed) a moment ago by another process. "Retry later" is
        # the answer that can never lose the event.
        done = row is not None and row[0] is None
        return Claim(event_id, ClaimState.DONE if done else ClaimState.IN_FLIGHT)

    def complete(self, claim: Claim) -> bool:
        """Mark the event done (the handler returned): later deliveries of it are duplicates.

        Args:
            claim: the :class:`Claim` that ``claim`` returned, as it is.

        Returns:
            True if it is now done; False if the claim was a duplicate's, or is no longer this
                owner's (its lease lapsed and another delivery took it over).

        Raises:
            K2InputError: ``claim`` is not a :class:`Claim`.
            K2StoreUnavailableError: the store failed; a receiver answers 500, so K2 delivers again.
        """
        owner = claim_owner(claim)
        if owner is None:
            return False
        with self._lock, _unavailable("complete"):
            cursor = self._connection().execute(self._COMPLETE, (claim.event_id, self._clock(), owner))
            return cursor.rowcount == 1

    def release(self, claim: Claim) -> bool:
        """Free the claim (the handler failed), so that K2's next delivery of the event is processed.

        Args:
            claim: the :class:`Claim` that ``claim`` returned, as it is.

        Returns:
            True if it was freed; False if the claim was a duplicate's, or is no longer this owner's.

        Raises:
            K2InputError: ``claim`` is not a :class:`Claim`.
            K2StoreUnavailableError: the store failed; a receiver answers 500, so K2 delivers again.
        """
        owner = claim_owner(claim)
        if owner is None:
            return False
        with self._lock, _unavailable("release"):
            cursor = self._connection().execute(
                "DELETE FROM k2_webhook_events WHERE event_id = ? AND lease_owner = ?",
                (claim.event_id, owner),
            )
            return cursor.rowcount == 1

    def contains(self, event_id: str) -> bool:
        """Whether ``event_id`` is claimed: in flight under a running lease, or done (and not expired).

        Args:
            event_id: the event's id: ``event.dedup_key`` of the
                :class:`~k2connect_ext.webhooks.K2Event`.

        Returns:
            True if a delivery of it is running or was processed.

        Raises:
            K2InputError: an id no deduplicator can store (not a non-blank str of valid Unicode).
            K2StoreUnavailableError: the store failed; a receiver answers 500, so K2 delivers again.
        """
        _check_event_id(event_id)
        with self._lock, _unavailable("lookup"):
            now = self._clock()
            row = (
                self._connection()
                .execute(self._CONTAINS, (event_id, self._expiry_cutoff(now), now))
                .fetchone()
            )
            return row is not None

    def purge_older_than(self, seconds: float) -> int:
        """Delete claims older than ``seconds``, to bound the file's size.

        Args:
            seconds: the age, in seconds, past which a claim goes (done or not: keep it longer than any
                handler runs).

        Returns:
            How many claims were deleted.

        Raises:
            K2InputError: ``seconds`` is negative.
            K2StoreUnavailableError: the store failed; a receiver answers 500, so K2 delivers again.
        """
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
        """The asyncio twin of :meth:`purge_older_than`.

        Args:
            seconds: the age, in seconds, past which a claim goes.

        Returns:
            How many claims were deleted.
        """
        return await asyncio.to_thread(self.purge_older_than, seconds)

    def _expiry_cutoff(self, now: float) -> float:
        # Done ids at or before the cutoff have expired; without a TTL none ever does.
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
                self._create_schema(conn)
            except BaseException:
                conn.close()
                raise
            self._conn, self._conn_pid = conn, os.getpid()
        return self._conn

    def _create_schema(self, conn: sqlite3.Connection) -> None:
        if self._lease_columns(conn) == self._LEASE_NAMES:
            return  # made by this version already: nothing to write (the usual case)
        # One write transaction, so processes starting together neither race on the table nor add a column
        # twice.
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(self._TABLE)
            conn.execute(self._INDEX)
            present = self._lease_columns(conn)
            for name, kind in self._LEASE_COLUMNS:
                if name not in present:  # a table from before leases: its rows count as done
                    conn.execute(f"ALTER TABLE k2_webhook_events ADD COLUMN {name} {kind}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _lease_columns(self, conn: sqlite3.Connection) -> frozenset[str]:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(k2_webhook_events)")}
        return self._LEASE_NAMES & columns
