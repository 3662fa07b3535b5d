"""``PostgresLedger``: the intent ledger on PostgreSQL, shared by every worker on every machine.

Install with ``pip install 'k2connect-sdk[postgres]'`` (psycopg 3 and psycopg-pool)::

    from k2connect_ext import PostgresLedger

    ledger = PostgresLedger("postgresql://k2@db.internal/payroll")

The same schema (``_ledger.MIGRATIONS``, version ``SCHEMA_VERSION`` in ``k2connect_ledger_meta``) and the
same behaviour as :class:`~k2connect_ext.SQLiteLedger`: ``record`` is one ``INSERT ... ON CONFLICT (key)
DO NOTHING`` (then a read of the row that was there), and a move is one ``UPDATE ... WHERE id = ... AND
state = ANY(...)``, atomic across every connection of every machine, so two workers never both win
``recorded -> sending``. The schema is created or migrated on first use, under an advisory lock, so workers
starting together do it once.

Every call is bounded by ``timeout_seconds`` (waiting for a connection, checking it, and its statements),
with the deduplicator's watchdog: when PostgreSQL does not answer in time (down, stalled, a lock held), the
call raises :class:`~k2connect_ext.K2StoreUnavailableError`, and the caller sends nothing. A move cut off
that way may still have been applied: a move to ``sending`` whose outcome is unknown leaves the intent
``recorded`` or ``sending``, and a ``sending`` intent is never sent again automatically (reconciliation
makes it ``ambiguous``), so an unknown store outcome never becomes a second payment.
"""

from __future__ import annotations

import builtins
import functools
import math
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

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
    finish_all,
)
from k2connect_ext._store_support import redact, require_module
from k2connect_ext.webhooks._dedup_postgres import _Ticket, _Watchdog

if TYPE_CHECKING:
    from psycopg_pool import ConnectionPool

__all__ = ["PostgresLedger"]

T = TypeVar("T")

# pg_advisory_xact_lock key: workers opening the ledger together migrate it once, one after the other.
_SCHEMA_LOCK = 0x6B32_6C65_6467_6572

_INSERT = (
    f"INSERT INTO k2connect_intents ({COLUMNS}) VALUES ({', '.join(['%s'] * 14)}) "
    "ON CONFLICT (key) DO NOTHING"
)
_UPDATE = (
    "UPDATE k2connect_intents SET state = %(to)s, location = coalesce(%(location)s, location), "
    "result = coalesce(%(result)s, result), reference = coalesce(%(reference)s, reference), "
    "last_error = coalesce(%(last_error)s, last_error), note = coalesce(%(note)s, note), "
    "attempts = attempts + %(attempts)s, updated_at = %(now)s "
    f"WHERE id = %(id)s AND state = ANY(%(expect)s) RETURNING {COLUMNS}"
)


class PostgresLedger:
    """A :class:`~k2connect_ext.Ledger` on PostgreSQL (psycopg 3), for workers on many machines.

    Args:
        conninfo: a libpq connection string or ``postgresql://`` URL (never logged nor put in an error), or
            a ``psycopg_pool.ConnectionPool`` the application already has (used, never closed, here).
        timeout_seconds: the longest a call may take (a connection, then its statements) before the store
            counts as unavailable.
        pool_size: connections per process at most, when the ledger makes its own pool.
        clock: UTC epoch seconds for ``created_at`` and ``updated_at``.

    Raises:
        K2ConfigError: psycopg is missing, the connection string is malformed, or a setting is out of
            range.
    """

    def __init__(
        self,
        conninfo: str | ConnectionPool[Any],
        *,
        timeout_seconds: float = 5.0,
        pool_size: int = 4,
        clock: Callable[[], float] = time.time,
    ) -> None:
        psycopg = require_module("psycopg", "postgres")
        self._pool_module = require_module("psycopg_pool", "postgres")
        self._timeout = check_timeout(timeout_seconds, "timeout_seconds")
        if isinstance(pool_size, bool) or not isinstance(pool_size, int) or pool_size < 1:
            raise K2ConfigError("pool_size must be at least 1")
        self._pool_size = pool_size
        self._clock = clock
        self._conninfo: str | None = None
        self._given_pool: ConnectionPool[Any] | None = None
        if isinstance(conninfo, str):
            try:
                psycopg.conninfo.conninfo_to_dict(conninfo)
            except psycopg.Error as exc:
                raise K2ConfigError(f"bad PostgreSQL connection string: {redact(str(exc))}") from None
            self._conninfo = conninfo
        elif isinstance(conninfo, self._pool_module.ConnectionPool):
            self._given_pool = conninfo
        else:
            raise K2ConfigError(
                f"PostgresLedger needs a connection string or a psycopg_pool.ConnectionPool, not "
                f"{type(conninfo).__name__}"
            )
        self._errors: tuple[type[BaseException], ...] = (psycopg.Error, OSError)
        self._lock = threading.Lock()
        self._pool: tuple[Any, _Watchdog] | None = None  # the pool in use, and its watchdog
        self._pool_pid = 0
        self._schema_ready = False

    def __repr__(self) -> str:
        return f"PostgresLedger(pool_size={self._pool_size}, timeout_seconds={self._timeout:g})"

    def __enter__(self) -> PostgresLedger:
        """The ledger itself, closed when the ``with`` block ends."""
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Close this process's pool (see :meth:`close`)."""
        self.close()

    def close(self) -> None:
        """Close this process's pool (not one that was given) and its watchdog; a later call opens anew."""
        with self._lock:
            pooled, self._pool = self._pool, None
        if pooled is not None and self._pool_pid == os.getpid():
            pool, watchdog = pooled
            if self._given_pool is None:
                pool.close()
            watchdog.close()

    # ------------------------------------------------------------------------------------------ Ledger
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
        return self._run("record", self._record_work(RecordWrite(key, operation, request)))()

    def write_together(self, writes: Sequence[LedgerWrite]) -> builtins.list[Outcome]:
        """Apply ``writes`` in order in one transaction: one commit for all of them.

        Each write is still its own compare-and-set, so the state machine's guarantees do not change;
        :class:`~k2connect_ext.AsyncLedger` groups the writes waiting at once this way.

        Args:
            writes: the writes waiting: each a ``record`` or a ``transition``, with its arguments.

        Returns:
            One outcome per write, in the same order: ``record``'s pair, ``transition``'s intent, or the
                K2 error that write alone raised (a bad argument, a conflict), which wrote nothing.

        Raises:
            K2StoreUnavailableError: the store failed; none of the writes was written.
        """
        return finish_all(writes, self._work, self._apply_all)

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
        where = ["true"]
        params: dict[str, object] = {"limit": check_limit(limit)}
        if states is not None:
            where.append("state = ANY(%(states)s)")
            params["states"] = builtins.list(state_values(states, "states"))
        if after is not None:
            where.append("(created_at, id) > (%(created_at)s, %(id)s)")
            params.update(created_at=after.created_at, id=after.id)
        if since is not None:
            where.append("created_at >= %(since)s")
            params["since"] = since
        query = f"SELECT {COLUMNS} FROM k2connect_intents WHERE {' AND '.join(where)} "
        query += "ORDER BY created_at, id LIMIT %(limit)s"
        rows = self._run("list", lambda conn: conn.execute(query, params).fetchall())
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
        """Move the intent to ``to`` if it is still in (one of) ``expect``: one UPDATE, the compare-and-set.

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
        return self._run("transition", self._move_work(write))()

    # ------------------------------------------------------------------------------------------ writes
    def _work(self, write: LedgerWrite) -> Work[Any, Outcome]:
        if isinstance(write, RecordWrite):
            return self._record_work(write)
        return self._move_work(write)

    def _apply_all(self, works: Sequence[Work[Any, Outcome]]) -> builtins.list[Finish[Outcome]]:
        return self._run("write", lambda conn: [work(conn) for work in works])

    def _record_work(self, write: RecordWrite) -> Work[Any, tuple[Intent, bool]]:
        intent, text = new_intent(write.key, write.operation, write.request, self._clock())

        def apply(conn: Any) -> Finish[tuple[Intent, bool]]:
            inserted = conn.execute(_INSERT, row_of(intent, text))
            if inserted.rowcount == 1:
                return lambda: (intent, True)
            row = conn.execute(f"SELECT {COLUMNS} FROM k2connect_intents WHERE key = %s", (intent.key,))
            found = row.fetchone()
            return lambda: same_request(intent_from_row(found), intent)

        return apply

    def _move_work(self, write: MoveWrite) -> Work[Any, Intent]:
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
        params = {
            "to": move.to,
            "location": move.location,
            "result": move.result,
            "reference": move.reference,
            "last_error": move.last_error,
            "note": move.note,
            "attempts": move.attempts,
            "now": move.now,
            "id": move.intent_id,
            "expect": builtins.list(move.expect),
        }

        def apply(conn: Any) -> Finish[Intent]:
            row = conn.execute(_UPDATE, params).fetchone()
            if row is not None:
                return lambda: intent_from_row(row)
            found = conn.execute(
                "SELECT state, key FROM k2connect_intents WHERE id = %s", (move.intent_id,)
            ).fetchone()

            def refused() -> Intent:
                raise conflict(move, None if found is None else (found[0], found[1]))

            return refused

        return apply

    # --------------------------------------------------------------------------------------- internals
    def _one(self, column: str, value: str) -> Intent | None:
        query = f"SELECT {COLUMNS} FROM k2connect_intents WHERE {column} = %s"
        row = self._run("read", lambda conn: conn.execute(query, (value,)).fetchone())
        return None if row is None else intent_from_row(row)

    def _run(self, action: str, work: Callable[[Any], T]) -> T:
        """``work(conn)`` in one transaction on a pooled connection, within ``timeout_seconds``."""
        ticket = _Ticket(self._timeout)
        try:
            pool, watchdog = self._connection_pool()
            with pool.connection(timeout=self._timeout) as conn, watchdog.watch(conn, ticket):
                if not self._schema_ready:
                    self._migrate(conn)
                with conn.transaction():
                    return work(conn)
        except self._errors as exc:
            why = (
                f"no answer within {self._timeout:g} s"
                if ticket.expired
                else f"{type(exc).__name__}: {redact(str(exc))}"
            )
            raise K2StoreUnavailableError(f"PostgreSQL ledger: {action} failed ({why})") from None

    def _migrate(self, conn: Any) -> None:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            version = 0
            (exists,) = conn.execute("SELECT to_regclass('k2connect_ledger_meta') IS NOT NULL").fetchone()
            if exists:
                row = conn.execute(
                    "SELECT value FROM k2connect_ledger_meta WHERE name = 'schema_version'"
                ).fetchone()
                version = 0 if row is None else int(row[0])
            if version > SCHEMA_VERSION:
                raise too_new(version, "the PostgreSQL ledger")
            if version < SCHEMA_VERSION:
                conn.execute(META_TABLE)
                for statements in MIGRATIONS[version:]:
                    for statement in statements:
                        conn.execute(statement)
                conn.execute(
                    "INSERT INTO k2connect_ledger_meta (name, value) VALUES ('schema_version', %s) "
                    "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    (SCHEMA_VERSION,),
                )
        self._schema_ready = True

    def _check_connection(self, watchdog: _Watchdog, conn: Any) -> None:
        # The pool's check of an idle connection before handing it out, bounded like a statement.
        with watchdog.watch(conn, _Ticket(self._timeout)):
            self._pool_module.ConnectionPool.check_connection(conn)

    def _connection_pool(self) -> tuple[Any, _Watchdog]:
        with self._lock:
            # A pool inherited through fork() shares sockets with the parent: open our own instead.
            if self._pool is None or self._pool_pid != os.getpid():
                watchdog = _Watchdog()
                pool: Any = self._given_pool
                if pool is None:
                    pool = self._pool_module.ConnectionPool(
                        self._conninfo,
                        min_size=1,
                        max_size=self._pool_size,
                        timeout=self._timeout,
                        kwargs={"autocommit": True, "connect_timeout": max(1, math.ceil(self._timeout))},
                        # A connection broken by a database restart is replaced before use, not failed on.
                        check=functools.partial(self._check_connection, watchdog),
                        open=True,
                        name="k2connect-ledger",
                    )
                self._pool, self._pool_pid = (pool, watchdog), os.getpid()
            return self._pool
