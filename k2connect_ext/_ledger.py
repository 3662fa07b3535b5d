"""The intent ledger: where every money-moving create is recorded, durably, before it is sent.

A :class:`Ledger` holds one :class:`~k2connect_ext.Intent` per idempotency key and moves it through the
state machine of ``_intent``, each move one atomic compare-and-set on the old state. Two implementations
share one schema and one behaviour: :class:`SQLiteLedger` (one file, for every process on one machine) and
``PostgresLedger`` (``_ledger_postgres``, the ``postgres`` extra, for many machines). :class:`AsyncLedger`
is the async twin of any ledger. :func:`open_ledger` opens one from a URL.

A ledger that cannot be opened, read or written (locked past its busy timeout, a read-only or corrupt file,
a directory in its place, a full disk, a database that is down or stalled) raises
:class:`~k2connect_ext.K2StoreUnavailableError`, whose message names the store but never a password: the
caller must then send nothing, since money never moves without a durable record. A database written by a
newer k2connect (a schema version this code does not know) is refused the same way, so an old worker in a
rolling deploy stops sending rather than write rows it does not understand.

The schema (version :data:`SCHEMA_VERSION`; ``k2connect_ledger_meta`` holds it) is created or migrated
when a ledger is first used, one migration after another, in one transaction that other openers wait for.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import functools
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Protocol, TypeAlias, TypeVar, runtime_checkable

from k2connect_ext._exceptions import K2ConfigError, K2StoreUnavailableError
from k2connect_ext._intent import (
    Intent,
    IntentState,
    States,
    check_intent_id,
    check_key,
    check_limit,
    conflict,
    new_intent,
    prepare_move,
    same_request,
    state_values,
)
from k2connect_ext._ledger_group import GroupCommit
from k2connect_ext._ledger_schema import (
    COLUMNS,
    DEFAULT_LIST_LIMIT,
    META_TABLE,
    MIGRATIONS,
    SCHEMA_VERSION,
    check_timeout,
    intent_from_row,
    row_of,
    too_new,
)
from k2connect_ext._ledger_writes import (
    Finish,
    LedgerWrite,
    MoveWrite,
    Outcome,
    RecordWrite,
    Work,
    WritesTogether,
    finish_all,
)
from k2connect_ext._store_support import redact

__all__ = ["AsyncLedger", "Ledger", "SQLiteLedger", "open_ledger"]

Clock = Callable[[], float]
T = TypeVar("T")
_Work: TypeAlias = Work[sqlite3.Connection, T]

_INSERT = (
    f"INSERT INTO k2connect_intents ({COLUMNS}) VALUES ({', '.join('?' * 14)}) ON CONFLICT (key) DO NOTHING"
)
# A move: one compare-and-set on the state. (No RETURNING: it needs SQLite 3.35, newer than some
# distributions' Python 3.11 links.)
_UPDATE = (
    "UPDATE k2connect_intents SET state = ?, location = coalesce(?, location), "
    "result = coalesce(?, result), reference = coalesce(?, reference), "
    "last_error = coalesce(?, last_error), note = coalesce(?, note), attempts = attempts + ?, "
    "updated_at = ? WHERE id = ? AND state IN ({expect})"
)


@runtime_checkable
class Ledger(Protocol):
    """Where intents are recorded before they are sent, and moved through their states (blocking API).

    Every method raises :class:`~k2connect_ext.K2StoreUnavailableError` when the store cannot be used.
    """

    def record(self, key: str, operation: str, request: Mapping[str, Any]) -> tuple[Intent, bool]:
        """Record a new ``recorded`` intent for ``key``, or find the one already recorded for it.

        Args:
            key: the caller's idempotency key (a non-blank str of at most 255 characters).
            operation: the create's builder name (``"send_money"``).
            request: the create's arguments as a JSON object (what ``Intent.request`` holds).

        Returns:
            The intent and True when it was recorded now; the intent already recorded under ``key`` and
                False when there was one (with the same request).

        Raises:
            K2InputError: a key, operation or request no ledger could store, or a different request under
                a key already recorded (``field`` is ``"key"``).
            K2StoreUnavailableError: the store could not be written.
        """
        ...

    def get(self, key: str) -> Intent | None:
        """The intent recorded for ``key``.

        Args:
            key: the idempotency key it was recorded under.

        Returns:
            The intent, or None if none has this key.

        Raises:
            K2InputError: ``key`` is no key.
            K2StoreUnavailableError: the store could not be read.
        """
        ...

    def get_by_id(self, intent_id: str) -> Intent | None:
        """The intent with this id.

        Args:
            intent_id: the intent's id (32 hex digits).

        Returns:
            The intent, or None if none has this id.

        Raises:
            K2InputError: ``intent_id`` is no intent id.
            K2StoreUnavailableError: the store could not be read.
        """
        ...

    def list(
        self,
        states: States | None = None,
        *,
        limit: int = DEFAULT_LIST_LIMIT,
        after: Intent | None = None,
        since: float | None = None,
    ) -> builtins.list[Intent]:
        """The intents recorded, oldest first, a page at a time.

        Args:
            states: only intents in this state or these states; every state if None.
            limit: the most intents returned (1000 by default).
            after: an intent of the previous page: only intents recorded after it (by ``created_at``, then
                ``id``), to page through them.
            since: only intents recorded at this time or later (epoch seconds).

        Returns:
            Up to ``limit`` intents, oldest first.

        Raises:
            K2InputError: an unknown state, or a ``limit`` below 1.
            K2StoreUnavailableError: the store could not be read.
        """
        ...

    def transition(
        self,
        intent_id: str,
        to: IntentState,
        *,
        expect: States,
        location: str | None = None,
        result: Mapping[str, Any] | None = None,
        reference: str | None = None,
        last_error: str | None = None,
        note: str | None = None,
    ) -> Intent:
        """Move the intent to ``to`` if it is still in (one of) ``expect``: one atomic compare-and-set.

        The fields given (not None) are written with the move; ``attempts`` grows by one on a move to
        ``sending``.

        Args:
            intent_id: the intent's id.
            to: the state to move it to.
            expect: the state (or states) it must be in now; any other is a conflict, and nothing changes.
            location: K2's Location of the resource, to store with the move.
            result: K2's final resource body (a JSON object), to store with the move.
            reference: the M-PESA reference, to store with the move.
            last_error: one line on the failure that made the move (credentials in URLs masked, cut to
                1000 characters).
            note: a person's resolution note.

        Returns:
            The intent after the move.

        Raises:
            K2IntentConflictError: the intent is in another state than ``expect`` (another process moved
                it first), or the state machine never allows the move; nothing changed.
            K2InputError: no intent has this id, or an argument no ledger could store.
            K2StoreUnavailableError: the store could not be written.
        """
        ...

    def close(self) -> None:
        """Release the store's connections; a later call opens new ones."""
        ...


class AsyncLedger:
    """The async twin of a :class:`Ledger`: the same methods, awaited, each run in a worker thread.

    The stores block (on a disk, on another process's lock, on the network), so every call leaves the
    event loop; the ledger underneath does the work and raises the same errors. ``await aclose()`` (or
    ``async with``) closes it.

    Args:
        ledger: the blocking ledger to wrap (an :class:`SQLiteLedger`, a ``PostgresLedger``...).

    Raises:
        K2ConfigError: ``ledger`` is not a :class:`Ledger`.
    """

    def __init__(self, ledger: Ledger) -> None:
        if not isinstance(ledger, Ledger):
            raise K2ConfigError(f"AsyncLedger needs a Ledger, not {type(ledger).__name__}")
        self._ledger = ledger
        # k2connect's ledgers commit the writes waiting together (one fsync for many); another Ledger
        # gets one worker-thread call per write.
        self._group = GroupCommit(ledger) if isinstance(ledger, WritesTogether) else None

    @property
    def ledger(self) -> Ledger:
        """The blocking ledger underneath."""
        return self._ledger

    async def record(self, key: str, operation: str, request: Mapping[str, Any]) -> tuple[Intent, bool]:
        """The asyncio twin of :meth:`Ledger.record`.

        Args:
            key: the caller's idempotency key (a non-blank str of at most 255 characters).
            operation: the create's builder name (``"send_money"``).
            request: the create's arguments as a JSON object (what ``Intent.request`` holds).

        Returns:
            The intent and True when it was recorded now; the intent already recorded under ``key`` and
                False when there was one (with the same request).

        Raises:
            K2InputError: a key, operation or request no ledger could store, or a different request under
                a key already recorded (``field`` is ``"key"``).
            K2StoreUnavailableError: the store could not be written.
        """
        if self._group is None:
            return await asyncio.to_thread(self._ledger.record, key, operation, request)
        recorded = await self._group.write(RecordWrite(key, operation, request))
        assert isinstance(recorded, tuple)  # a record's outcome
        return recorded

    async def get(self, key: str) -> Intent | None:
        """The asyncio twin of :meth:`Ledger.get`.

        Args:
            key: the idempotency key it was recorded under.

        Returns:
            The intent, or None if none has this key.

        Raises:
            K2InputError: ``key`` is no key.
            K2StoreUnavailableError: the store could not be read.
        """
        return await asyncio.to_thread(self._ledger.get, key)

    async def get_by_id(self, intent_id: str) -> Intent | None:
        """The asyncio twin of :meth:`Ledger.get_by_id`.

        Args:
            intent_id: the intent's id (32 hex digits).

        Returns:
            The intent, or None if none has this id.

        Raises:
            K2InputError: ``intent_id`` is no intent id.
            K2StoreUnavailableError: the store could not be read.
        """
        return await asyncio.to_thread(self._ledger.get_by_id, intent_id)

    async def list(
        self,
        states: States | None = None,
        *,
        limit: int = DEFAULT_LIST_LIMIT,
        after: Intent | None = None,
        since: float | None = None,
    ) -> builtins.list[Intent]:
        """The asyncio twin of :meth:`Ledger.list`.

        Args:
            states: only intents in this state or these states; every state if None.
            limit: the most intents returned (1000 by default).
            after: an intent of the previous page: only intents recorded after it (by ``created_at``, then
                ``id``), to page through them.
            since: only intents recorded at this time or later (epoch seconds).

        Returns:
            Up to ``limit`` intents, oldest first.

        Raises:
            K2InputError: an unknown state, or a ``limit`` below 1.
            K2StoreUnavailableError: the store could not be read.
        """
        return await asyncio.to_thread(self._ledger.list, states, limit=limit, after=after, since=since)

    async def transition(
        self,
        intent_id: str,
        to: IntentState,
        *,
        expect: States,
        location: str | None = None,
        result: Mapping[str, Any] | None = None,
        reference: str | None = None,
        last_error: str | None = None,
        note: str | None = None,
    ) -> Intent:
        """The asyncio twin of :meth:`Ledger.transition`.

        Args:
            intent_id: the intent's id.
            to: the state to move it to.
            expect: the state (or states) it must be in now; any other is a conflict, and nothing changes.
            location: K2's Location of the resource, to store with the move.
            result: K2's final resource body (a JSON object), to store with the move.
            reference: the M-PESA reference, to store with the move.
            last_error: one line on the failure that made the move (credentials in URLs masked, cut to
                1000 characters).
            note: a person's resolution note.

        Returns:
            The intent after the move.

        Raises:
            K2IntentConflictError: the intent is in another state than ``expect`` (another process moved
                it first), or the state machine never allows the move; nothing changed.
            K2InputError: no intent has this id, or an argument no ledger could store.
            K2StoreUnavailableError: the store could not be written.
        """
        if self._group is not None:
            write = MoveWrite(intent_id, to, expect, location, result, reference, last_error, note)
            moved = await self._group.write(write)
            assert isinstance(moved, Intent)  # a move's outcome
            return moved
        return await asyncio.to_thread(
            self._ledger.transition,
            intent_id,
            to,
            expect=expect,
            location=location,
            result=result,
            reference=reference,
            last_error=last_error,
            note=note,
        )

    async def aclose(self) -> None:
        """The asyncio twin of :meth:`Ledger.close`: release the store's connections."""
        await asyncio.to_thread(self._ledger.close)

    async def __aenter__(self) -> AsyncLedger:
        """The ledger itself, closed when the ``async with`` block ends."""
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Close the ledger underneath (see :meth:`aclose`)."""
        await self.aclose()

    def __repr__(self) -> str:
        return f"AsyncLedger({self._ledger!r})"


# ------------------------------------------------------------------------------------------- SQLite
class SQLiteLedger:
    """A :class:`Ledger` in one SQLite file (stdlib ``sqlite3``, WAL), shared safely by every process and
    thread on one machine. Not for network file systems, where SQLite's locking is unreliable.

    Each write is one ``BEGIN IMMEDIATE`` transaction, so the compare-and-set of a move and the
    insert-or-read of ``record`` hold across processes. Commits are synchronous (``synchronous=FULL``): a
    recorded intent survives a crash or a power cut.

    Args:
        path: the database file (created if missing; ``":memory:"`` is refused: not durable).
        busy_timeout_seconds: how long a call waits for another process's write lock before the store
            counts as unavailable.
        clock: UTC epoch seconds for ``created_at`` and ``updated_at``.

    Raises:
        K2StoreUnavailableError: the file cannot be opened, read, migrated or written.
        K2ConfigError: the path is empty or ``":memory:"``, or a setting is out of range.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        busy_timeout_seconds: float = 5.0,
        clock: Clock = time.time,
    ) -> None:
        self._path = os.fspath(path)
        if self._path in ("", ":memory:"):
            raise K2ConfigError("SQLiteLedger needs a file path: an in-memory ledger would not be durable")
        self._busy_timeout = check_timeout(busy_timeout_seconds, "busy_timeout_seconds")
        self._clock = clock
        # One connection per process, shared by its threads under a lock (as the SQLite deduplicator).
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._conn_pid = 0
        with self._using("open"):
            pass  # fail fast: a path that cannot be a ledger is refused here, not at the first payment

    def __repr__(self) -> str:
        return f"SQLiteLedger(path={self._path!r})"

    def __enter__(self) -> SQLiteLedger:
        """The ledger itself, closed when the ``with`` block ends."""
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Close this process's connection (see :meth:`close`)."""
        self.close()

    def close(self) -> None:
        """Close this process's connection; a later call reopens it."""
        with self._lock:
            if self._conn is not None and self._conn_pid == os.getpid():
                self._conn.close()
            self._conn = None

    def record(self, key: str, operation: str, request: Mapping[str, Any]) -> tuple[Intent, bool]:
        """Record a new ``recorded`` intent for ``key``, or find the one already recorded for it.

        Args:
            key: the caller's idempotency key (a non-blank str of at most 255 characters).
            operation: the create's builder name (``"send_money"``).
            request: the create's arguments as a JSON object (what ``Intent.request`` holds).

        Returns:
            The intent and True when it was recorded now; the intent already recorded under ``key`` and
                False when there was one (with the same request).

        Raises:
            K2InputError: a key, operation or request no ledger could store, or a different request under
                a key already recorded (``field`` is ``"key"``).
            K2StoreUnavailableError: the store could not be written.
        """
        return self._write_one("record", self._record_work(RecordWrite(key, operation, request)))

    def write_together(self, writes: Sequence[LedgerWrite]) -> builtins.list[Outcome]:
        """Apply ``writes`` in order in one transaction: one commit (one fsync) for all of them.

        Each write is still its own compare-and-set, so the state machine's guarantees do not change;
        :class:`AsyncLedger` groups the writes waiting at once this way.

        Args:
            writes: the writes waiting: each a ``record`` or a ``transition``, with its arguments.

        Returns:
            One outcome per write, in the same order: ``record``'s pair, ``transition``'s intent, or the
                K2 error that write alone raised (a bad argument, a conflict), which wrote nothing.

        Raises:
            K2StoreUnavailableError: the store failed; none of the writes was written.
        """
        return finish_all(writes, self._work, self._apply_all)

    def write_together_now(self, writes: Sequence[LedgerWrite]) -> builtins.list[Outcome] | None:
        """:meth:`write_together`, unless it would wait for a lock: then None, and nothing was written.

        For an event loop: it waits for nothing but its own commit's fsync. The ledger is busy when
        another thread of this process is using it, or another process holds the file's write lock (a
        caller then uses :meth:`write_together` from a worker thread, which waits as long as it may).

        Args:
            writes: the writes waiting: each a ``record`` or a ``transition``, with its arguments.

        Returns:
            One outcome per write, as :meth:`write_together` gives; or None when the ledger is busy (or
                not opened yet in this process), and nothing was written.

        Raises:
            K2StoreUnavailableError: the store failed; none of the writes was written.
        """
        if not self._lock.acquire(blocking=False):
            return None
        try:
            if self._conn is None or self._conn_pid != os.getpid():
                return None  # opening (and migrating) may wait: for a worker thread to do
            return finish_all(writes, self._work, functools.partial(self._apply_now, self._conn))
        except _BusyError:
            return None
        finally:
            self._lock.release()

    def get(self, key: str) -> Intent | None:
        """The intent recorded for ``key``.

        Args:
            key: the idempotency key it was recorded under.

        Returns:
            The intent, or None if none has this key.

        Raises:
            K2InputError: ``key`` is no key.
            K2StoreUnavailableError: the store could not be read.
        """
        return self._one("key", check_key(key))

    def get_by_id(self, intent_id: str) -> Intent | None:
        """The intent with this id.

        Args:
            intent_id: the intent's id (32 hex digits).

        Returns:
            The intent, or None if none has this id.

        Raises:
            K2InputError: ``intent_id`` is no intent id.
            K2StoreUnavailableError: the store could not be read.
        """
        return self._one("id", check_intent_id(intent_id))

    def list(
        self,
        states: States | None = None,
        *,
        limit: int = DEFAULT_LIST_LIMIT,
        after: Intent | None = None,
        since: float | None = None,
    ) -> builtins.list[Intent]:
        """The intents recorded, oldest first, a page at a time.

        Args:
            states: only intents in this state or these states; every state if None.
            limit: the most intents returned (1000 by default).
            after: an intent of the previous page: only intents recorded after it (by ``created_at``, then
                ``id``), to page through them.
            since: only intents recorded at this time or later (epoch seconds).

        Returns:
            Up to ``limit`` intents, oldest first.

        Raises:
            K2InputError: an unknown state, or a ``limit`` below 1.
            K2StoreUnavailableError: the store could not be read.
        """
        where: builtins.list[str] = ["1 = 1"]
        params: builtins.list[object] = []
        if states is not None:
            chosen = state_values(states, "states")
            where.append(f"state IN ({', '.join('?' * len(chosen))})")
            params += chosen
        if after is not None:
            where.append("(created_at, id) > (?, ?)")
            params += [after.created_at, after.id]
        if since is not None:
            where.append("created_at >= ?")
            params.append(since)
        query = f"SELECT {COLUMNS} FROM k2connect_intents WHERE {' AND '.join(where)} "
        query += "ORDER BY created_at, id LIMIT ?"
        with self._using("list") as conn:
            rows = conn.execute(query, (*params, check_limit(limit))).fetchall()
        return [intent_from_row(row) for row in rows]

    def transition(
        self,
        intent_id: str,
        to: IntentState,
        *,
        expect: States,
        location: str | None = None,
        result: Mapping[str, Any] | None = None,
        reference: str | None = None,
        last_error: str | None = None,
        note: str | None = None,
    ) -> Intent:
        """Move the intent to ``to`` if it is still in (one of) ``expect``: one atomic compare-and-set.

        Args:
            intent_id: the intent's id.
            to: the state to move it to.
            expect: the state (or states) it must be in now; any other is a conflict, and nothing changes.
            location: K2's Location of the resource, to store with the move.
            result: K2's final resource body (a JSON object), to store with the move.
            reference: the M-PESA reference, to store with the move.
            last_error: one line on the failure that made the move (credentials in URLs masked, cut to
                1000 characters).
            note: a person's resolution note.

        Returns:
            The intent after the move.

        Raises:
            K2IntentConflictError: the intent is in another state than ``expect`` (another process moved
                it first), or the state machine never allows the move; nothing changed.
            K2InputError: no intent has this id, or an argument no ledger could store.
            K2StoreUnavailableError: the store could not be written.
        """
        write = MoveWrite(intent_id, to, expect, location, result, reference, last_error, note)
        return self._write_one("transition", self._move_work(write))

    # -------------------------------------------------------------------------------------- writes
    def _work(self, write: LedgerWrite) -> _Work[Outcome]:
        if isinstance(write, RecordWrite):
            return self._record_work(write)
        return self._move_work(write)

    def _record_work(self, write: RecordWrite) -> _Work[tuple[Intent, bool]]:
        intent, text = new_intent(write.key, write.operation, write.request, self._clock())

        def apply(conn: sqlite3.Connection) -> Finish[tuple[Intent, bool]]:
            inserted = conn.execute(_INSERT, row_of(intent, text))
            if inserted.rowcount == 1:
                return lambda: (intent, True)
            row = conn.execute(f"SELECT {COLUMNS} FROM k2connect_intents WHERE key = ?", (intent.key,))
            found = row.fetchone()
            return lambda: same_request(intent_from_row(found), intent)

        return apply

    def _move_work(self, write: MoveWrite) -> _Work[Intent]:
        move = prepare_move(
            write.intent_id,
            write.to,
            write.expect,
            self._clock(),
            location=write.location,
            result=write.result,
            reference=write.reference,
            last_error=write.last_error,
            note=write.note,
        )
        update = _UPDATE.format(expect=", ".join("?" * len(move.expect)))
        params = (
            move.to,
            move.location,
            move.result,
            move.reference,
            move.last_error,
            move.note,
            move.attempts,
            move.now,
            move.intent_id,
            *move.expect,
        )

        def apply(conn: sqlite3.Connection) -> Finish[Intent]:
            if conn.execute(update, params).rowcount == 1:
                row = conn.execute(f"SELECT {COLUMNS} FROM k2connect_intents WHERE id = ?", (move.intent_id,))
                moved = row.fetchone()
                return lambda: intent_from_row(moved)
            found = conn.execute(
                "SELECT state, key FROM k2connect_intents WHERE id = ?", (move.intent_id,)
            ).fetchone()

            def refused() -> Intent:
                raise conflict(move, found)

            return refused

        return apply

    def _write_one(self, action: str, work: _Work[T]) -> T:
        with self._using(action) as conn, _write(conn):
            finish = work(conn)
        return finish()

    def _apply_all(self, works: Sequence[_Work[Outcome]]) -> builtins.list[Finish[Outcome]]:
        with self._using("write") as conn, _write(conn):
            return [work(conn) for work in works]

    def _apply_now(
        self, conn: sqlite3.Connection, works: Sequence[_Work[Outcome]]
    ) -> builtins.list[Finish[Outcome]]:
        """``_apply_all`` on a connection this thread already holds, raising _BusyError rather than wait for
        another process's write lock."""
        with self._failing_as_unavailable("write"):
            conn.execute("PRAGMA busy_timeout = 0")
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                    raise _BusyError from None
                raise
            finally:
                conn.execute(f"PRAGMA busy_timeout = {round(self._busy_timeout * 1000)}")
            with _committed(conn):
                return [work(conn) for work in works]

    def _one(self, column: str, value: str) -> Intent | None:
        with self._using("read") as conn:
            row = conn.execute(
                f"SELECT {COLUMNS} FROM k2connect_intents WHERE {column} = ?", (value,)
            ).fetchone()
        return None if row is None else intent_from_row(row)

    @contextlib.contextmanager
    def _using(self, action: str) -> Iterator[sqlite3.Connection]:
        """This process's connection (opened, and the schema migrated, on first use), under the lock; every
        SQLite failure inside is K2StoreUnavailableError naming the file."""
        with self._lock, self._failing_as_unavailable(action):
            yield self._connection()

    @contextlib.contextmanager
    def _failing_as_unavailable(self, action: str) -> Iterator[None]:
        """Every SQLite failure inside is K2StoreUnavailableError naming the file."""
        try:
            yield
        except sqlite3.Error as exc:
            raise K2StoreUnavailableError(
                f"SQLite ledger {self._path!r}: {action} failed ({type(exc).__name__}: {exc}); "
                "nothing was recorded by this call"
            ) from None

    def _connection(self) -> sqlite3.Connection:
        # A connection inherited through fork() must not be used (SQLite's locks are per process).
        if self._conn is None or self._conn_pid != os.getpid():
            conn = sqlite3.connect(
                self._path,
                timeout=self._busy_timeout,  # SQLite's busy timeout: how long to wait for another writer
                isolation_level=None,  # autocommit; writes open their own BEGIN IMMEDIATE
                check_same_thread=False,  # guarded by self._lock instead
            )
            try:
                conn.execute("PRAGMA journal_mode=WAL")  # readers go on while another process writes
                conn.execute("PRAGMA synchronous=FULL")  # a commit is on disk before it returns
                self._migrate(conn)
            except BaseException:
                conn.close()
                raise
            self._conn, self._conn_pid = conn, os.getpid()
        return self._conn

    def _migrate(self, conn: sqlite3.Connection) -> None:
        if _sqlite_version(conn) == SCHEMA_VERSION:
            return  # the usual case: nothing to write
        with _write(conn):
            version = _sqlite_version(conn)  # again, under the write lock: another opener may have migrated
            if version > SCHEMA_VERSION:
                raise too_new(version, f"the SQLite ledger {self._path!r}")
            conn.execute(META_TABLE)
            for statements in MIGRATIONS[version:]:
                for statement in statements:
                    conn.execute(statement)
            conn.execute(
                "INSERT INTO k2connect_ledger_meta (name, value) VALUES ('schema_version', ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (SCHEMA_VERSION,),
            )


def _sqlite_version(conn: sqlite3.Connection) -> int:
    """The file's schema version: 0 for a file without the ledger's tables."""
    (exists,) = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'k2connect_ledger_meta'"
    ).fetchone()
    if not exists:
        return 0
    row = conn.execute("SELECT value FROM k2connect_ledger_meta WHERE name = 'schema_version'").fetchone()
    return 0 if row is None else int(row[0])


class _BusyError(Exception):
    """The ledger would have to wait for a lock (``write_together_now``)."""


@contextlib.contextmanager
def _write(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, taken at once (so a busy file is waited for, never upgraded into a
    deadlock), committed when the block ends and rolled back when it raises."""
    conn.execute("BEGIN IMMEDIATE")
    with _committed(conn):
        yield


@contextlib.contextmanager
def _committed(conn: sqlite3.Connection) -> Iterator[None]:
    """The transaction begun on ``conn``, committed when the block ends and rolled back when it raises."""
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        # Also after a failed COMMIT (a full disk), so the connection is not left inside a transaction.
        # SQLite may have rolled back already; a ROLLBACK then fails, harmlessly.
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise


# ------------------------------------------------------------------------------------------ opening
def open_ledger(url: str | os.PathLike[str], *, timeout_seconds: float = 5.0) -> Ledger:
    """Open a ledger from a URL (what ``K2(ledger=...)`` does with one).

    Args:
        url: ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db`` (SQLAlchemy's convention), a
            bare file path, or ``postgresql://...`` (``postgres://`` too; the ``postgres`` extra).
        timeout_seconds: the bound of each call: SQLite's busy timeout, or PostgreSQL's whole call.

    Returns:
        An :class:`SQLiteLedger` or a ``PostgresLedger``; close it when done.

    Raises:
        K2ConfigError: a URL of another kind, or one naming no file.
        K2StoreUnavailableError: an SQLite file that cannot be a ledger.
    """
    text = os.fspath(url)
    scheme, sep, rest = text.partition("://")
    if not sep:
        return SQLiteLedger(text, busy_timeout_seconds=timeout_seconds)
    if scheme in ("postgresql", "postgres"):
        from k2connect_ext._ledger_postgres import PostgresLedger

        return PostgresLedger(text, timeout_seconds=timeout_seconds)
    if scheme == "sqlite" and rest.startswith("/") and rest != "/":
        return SQLiteLedger(rest[1:], busy_timeout_seconds=timeout_seconds)
    raise K2ConfigError(
        f"a ledger URL is sqlite:///path or postgresql://..., not {redact(text)!r}"
        + (" (an in-memory ledger would not be durable)" if scheme == "sqlite" else "")
    )
