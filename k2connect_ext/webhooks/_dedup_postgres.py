"""``PostgresDeduplicator``: each K2 event id claimed once across every worker on every machine.

Install with ``pip install 'k2connect-sdk[postgres]'`` (psycopg 3 and psycopg-pool)::

    from k2connect_ext.webhooks._dedup_postgres import PostgresDeduplicator

    dedup = PostgresDeduplicator("postgresql://k2@db.internal/shop", retention_seconds=7 * 86400)
    receiver = WebhookReceiver(api_key, handler, deduplicator=dedup)

The same states as every deduplicator (see ``_dedup``), each one statement, atomic across every
connection: ``claim`` is an ``INSERT ... ON CONFLICT`` that takes a free id, an expired one or an in-flight
claim whose lease (``lease_seconds``) has lapsed, so an event whose claim could not be released (the
database was down) is processed on a redelivery after the lease; ``complete`` and ``release`` act only
``WHERE lease_owner = `` the caller's owner token. Done ids older than ``retention_seconds`` count as
expired (an event redelivered that late is processed again) and :meth:`purge_expired` deletes them; run it
from a periodic job. Claim times come from the database's clock, so workers whose clocks disagree still
agree on expiry.

The table (``k2_webhook_events`` by default: ``event_id BYTEA PRIMARY KEY, claimed_at TIMESTAMPTZ,
lease_owner TEXT, lease_until TIMESTAMPTZ``) is created on first use; a table made by a version without
leases gains the two lease columns (its rows count as done). Ids follow the rule every deduplicator applies
(``check_event_id`` in ``_dedup``); ids longer than an index entry allows are kept as a digest.

Each process keeps a small connection pool (``pool_size``); a process forked after first use opens its
own. Every call is bounded by ``timeout_seconds``: waiting for a connection, checking it, and its
statement. When PostgreSQL does not answer in time (down, stalled, or the statement held up by a lock), the
call raises :class:`~k2connect_ext.K2StoreUnavailableError`: the receiver answers 500, nothing is marked as
done, and K2 redelivers once the database is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import math
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any, TypeVar

from k2connect_ext._exceptions import K2ConfigError, K2InputError, K2StoreUnavailableError
from k2connect_ext._store_support import redact, require_module
from k2connect_ext.webhooks._dedup import (
    DEFAULT_LEASE_SECONDS,
    BlockingStoreTwins,
    Claim,
    ClaimState,
    check_event_id,
    check_lease,
    claim_owner,
    new_owner,
)

__all__ = ["DEFAULT_EVENT_TABLE", "PostgresDeduplicator"]

T = TypeVar("T")

DEFAULT_EVENT_TABLE = "k2_webhook_events"
DEFAULT_RETENTION_SECONDS = 7 * 24 * 3600.0
# pg_advisory_xact_lock key: workers starting together must not race on CREATE TABLE IF NOT EXISTS,
# which can fail with a unique violation in the catalogue when two sessions run it at once.
_SCHEMA_LOCK = 0x6B32_6465_6475_70


# A btree index entry holds about 2700 bytes: longer ids are stored as a digest. The digest key starts
# with 0xFF, a byte no UTF-8 text contains, so it can never equal the key of an id stored as itself.
_MAX_KEY_BYTES = 1024


def _event_key(event_id: str) -> bytes:
    check_event_id(event_id)  # the rule every deduplicator applies (K2InputError)
    raw = event_id.encode("utf-8")  # BYTEA, not TEXT: an id may hold NUL, which TEXT cannot
    return raw if len(raw) <= _MAX_KEY_BYTES else b"\xffsha256:" + hashlib.sha256(raw).digest()


class _Ticket:
    """One watched call: its deadline, and whether the watchdog had to cut it off."""

    __slots__ = ("deadline", "expired")

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.expired = False


class _Watchdog:
    """Cuts off the database calls that outlive their deadline, from one daemon thread per pool.

    psycopg waits on its socket with no bound of its own, and neither TCP keepalives nor a server-side
    ``statement_timeout`` help when the server stops answering (a stopped process, a frozen VM, a network
    black hole: the kernel may go on acknowledging every packet). Each call registers its connection and
    deadline here; once the deadline passes, the connection's socket is shut down, which wakes the waiting
    call at once with an ``OperationalError``, and the pool discards the broken connection. Whatever the
    server still does with the abandoned statement is safe: a claim it records only holds for its lease, and
    completing or releasing is owner-checked.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._watched: dict[_Ticket, Any] = {}  # ticket -> its psycopg connection
        self._wake_at: float | None = None  # when the thread looks next; None: when told
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="k2connect-dedup-watchdog", daemon=True)
        self._thread.start()

    @contextlib.contextmanager
    def watch(self, conn: Any, ticket: _Ticket) -> Iterator[None]:
        """Shut ``conn`` down if the block is still running at ``ticket.deadline`` (and mark it expired)."""
        with self._cond:
            self._watched[ticket] = conn
            if self._wake_at is None or ticket.deadline < self._wake_at:
                self._cond.notify()
        try:
            yield
        finally:
            with self._cond:
                self._watched.pop(ticket, None)

    def close(self) -> None:
        """Stop the thread (calls still watched are no longer cut off)."""
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join()

    def _run(self) -> None:
        with self._cond:
            while not self._closed:
                now = time.monotonic()
                for ticket in [t for t in self._watched if t.deadline <= now]:
                    ticket.expired = True
                    _shut_down(self._watched.pop(ticket))
                self._wake_at = min((t.deadline for t in self._watched), default=None)
                self._cond.wait(None if self._wake_at is None else self._wake_at - now)


def _shut_down(conn: Any) -> None:
    """Shut the connection's socket down both ways: a call waiting on it wakes with an error at once."""
    with contextlib.suppress(Exception):  # already closed: nothing is waiting on it
        duplicate = socket.socket(fileno=os.dup(conn.fileno()))
        try:
            duplicate.shutdown(socket.SHUT_RDWR)  # acts on the connection itself, not just this descriptor
        finally:
            duplicate.close()


class PostgresDeduplicator(BlockingStoreTwins):
    """A :class:`~k2connect_ext.webhooks.Deduplicator` (and its async twin) on PostgreSQL.

    Args:
        conninfo: a libpq connection string or ``postgresql://`` URL. Never logged nor put in an error.
        retention_seconds: how long a done id is remembered.
        table: the table name, optionally ``schema.table``.
        pool_size: connections per process at most; a receiver holds one for one statement at a time, so
            a few serve many concurrent requests.
        timeout_seconds: the longest a call may take (waiting for a connection, then its statement) before
            the store counts as down.
        lease_seconds: how long an in-flight claim holds before it lapses by itself (a minute by default):
            longer than your slowest handler, shorter than K2's redelivery window.

    Raises:
        K2ConfigError: psycopg is missing, the connection string is malformed, or a setting is out of
            range.
    """

    def __init__(
        self,
        conninfo: str,
        *,
        retention_seconds: float = DEFAULT_RETENTION_SECONDS,
        table: str = DEFAULT_EVENT_TABLE,
        pool_size: int = 4,
        timeout_seconds: float = 5.0,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
    ) -> None:
        psycopg = require_module("psycopg", "postgres")
        self._pool_module = require_module("psycopg_pool", "postgres")
        try:
            psycopg.conninfo.conninfo_to_dict(conninfo)
        except psycopg.Error as exc:
            raise K2ConfigError(f"bad PostgreSQL connection string: {redact(str(exc))}") from None
        if not retention_seconds > 0:
            raise K2ConfigError("retention_seconds must be positive")
        if pool_size < 1 or not 0 < timeout_seconds < math.inf:
            raise K2ConfigError("pool_size must be at least 1 and timeout_seconds positive and finite")
        parts = table.split(".")
        if not 1 <= len(parts) <= 2 or not all(parts):
            raise K2ConfigError("table must be 'name' or 'schema.name'")
        self._conninfo = conninfo
        self._retention = float(retention_seconds)
        self._lease = check_lease(lease_seconds)
        self._pool_size = pool_size
        self._timeout = float(timeout_seconds)
        self._errors: tuple[type[BaseException], ...] = (psycopg.Error, OSError)
        sql = psycopg.sql
        self._table_name = table
        name = sql.Identifier(*parts)
        self._name = name
        self._sql = {
            # One statement: take the id if it is free, done but expired, or in flight under a lapsed lease;
            # else say which (the row as this statement saw it; none when a concurrent claim just inserted
            # it, which is in flight).
            "claim": sql.SQL(
                "WITH won AS ("
                "INSERT INTO {t} AS e (event_id, claimed_at, lease_owner, lease_until) "
                "VALUES (%(key)s, now(), %(owner)s, now() + make_interval(secs => %(lease)s)) "
                "ON CONFLICT (event_id) DO UPDATE SET claimed_at = excluded.claimed_at, "
                "lease_owner = excluded.lease_owner, lease_until = excluded.lease_until "
                "WHERE CASE WHEN e.lease_owner IS NULL "
                "THEN e.claimed_at < now() - make_interval(secs => %(retention)s) "
                "ELSE e.lease_until <= now() END "
                "RETURNING 'new'::text AS state) "
                "SELECT state FROM won UNION ALL "
                "SELECT CASE WHEN lease_owner IS NULL THEN 'done' ELSE 'in_flight' END FROM {t} "
                "WHERE event_id = %(key)s AND NOT EXISTS (SELECT 1 FROM won)"
            ).format(t=name),
            # Done, unless another delivery holds or completed it; an absent row (purged) is marked too.
            "complete": sql.SQL(
                "INSERT INTO {t} AS e (event_id, claimed_at) VALUES (%(key)s, now()) "
                "ON CONFLICT (event_id) DO UPDATE SET claimed_at = excluded.claimed_at, lease_owner = NULL, "
                "lease_until = NULL WHERE e.lease_owner = %(owner)s RETURNING 1"
            ).format(t=name),
            "release": sql.SQL("DELETE FROM {t} WHERE event_id = %(key)s AND lease_owner = %(owner)s").format(
                t=name
            ),
            "contains": sql.SQL(
                "SELECT 1 FROM {t} WHERE event_id = %(key)s AND CASE WHEN lease_owner IS NULL "
                "THEN claimed_at >= now() - make_interval(secs => %(retention)s) ELSE lease_until > now() END"
            ).format(t=name),
            "purge": sql.SQL(
                "DELETE FROM {t} WHERE claimed_at < now() - make_interval(secs => %(age)s)"
            ).format(t=name),
            "table": sql.SQL(
                "CREATE TABLE IF NOT EXISTS {t} (event_id BYTEA PRIMARY KEY, "
                "claimed_at TIMESTAMPTZ NOT NULL, lease_owner TEXT, lease_until TIMESTAMPTZ)"
            ).format(t=name),
            "index": sql.SQL("CREATE INDEX IF NOT EXISTS {i} ON {t} (claimed_at)").format(
                i=sql.Identifier(parts[-1] + "_claimed_at"), t=name
            ),
            "lease_columns": sql.SQL(
                "SELECT count(*) FROM pg_attribute WHERE attrelid = %(table)s::regclass "
                "AND attname IN ('lease_owner', 'lease_until') AND NOT attisdropped"
            ),
            "add_lease_columns": sql.SQL(
                "ALTER TABLE {t} ADD COLUMN IF NOT EXISTS lease_owner TEXT, "
                "ADD COLUMN IF NOT EXISTS lease_until TIMESTAMPTZ"
            ).format(t=name),
        }
        self._lock = threading.Lock()
        self._pool: tuple[Any, _Watchdog] | None = None  # the psycopg_pool.ConnectionPool, its watchdog
        self._pool_pid = 0
        self._schema_ready = False

    # ---------------------------------------------------------------------------------- Deduplicator
    def claim(self, event_id: str) -> Claim:
        """Atomically take ``event_id`` if free (state NEW, with an owner token); else say who has it.

        Args:
            event_id: the event's id: ``event.dedup_key`` of the :class:`~k2connect_ext.webhooks.K2Event`.

        Returns:
            The claim: ``NEW`` (yours: run the handler, then ``complete`` it, or ``release`` it if the
                handler failed), ``IN_FLIGHT`` (another delivery is running it) or ``DONE`` (processed
                already).

        Raises:
            K2InputError: an id no deduplicator can store (not a non-blank str of valid Unicode).
            K2StoreUnavailableError: PostgreSQL did not answer in time; nothing was recorded (or, if the
                claim reached the database, it lapses after the lease).
        """
        owner = new_owner()
        row = self._row(
            "claim",
            {"key": _event_key(event_id), "owner": owner, "lease": self._lease, "retention": self._retention},
        )
        if row is not None and row[0] == "new":
            return Claim(event_id, ClaimState.NEW, owner)
        done = row is not None and row[0] == "done"
        return Claim(event_id, ClaimState.DONE if done else ClaimState.IN_FLIGHT)

    def complete(self, claim: Claim) -> bool:
        """Mark the event done (the handler returned): later deliveries of it are duplicates.

        Args:
            claim: the :class:`~k2connect_ext.webhooks.Claim` that ``claim`` returned, as it is.

        Returns:
            True if it is now done; False if the claim was a duplicate's, or is no longer this owner's (its
                lease lapsed and another delivery took it over).

        Raises:
            K2InputError: ``claim`` is not a :class:`~k2connect_ext.webhooks.Claim`.
            K2StoreUnavailableError: PostgreSQL did not answer in time; the claim lapses after its lease.
        """
        owner = claim_owner(claim)
        if owner is None:
            return False
        return self._row("complete", {"key": _event_key(claim.event_id), "owner": owner}) is not None

    def release(self, claim: Claim) -> bool:
        """Free the claim (the handler failed), so that K2's next delivery of the event is processed.

        Args:
            claim: the :class:`~k2connect_ext.webhooks.Claim` that ``claim`` returned, as it is.

        Returns:
            True if it was freed; False if the claim was a duplicate's, or is no longer this owner's.

        Raises:
            K2InputError: ``claim`` is not a :class:`~k2connect_ext.webhooks.Claim`.
            K2StoreUnavailableError: PostgreSQL did not answer in time; the claim lapses after its lease.
        """
        owner = claim_owner(claim)
        if owner is None:
            return False
        return self._count("release", {"key": _event_key(claim.event_id), "owner": owner}) == 1

    def contains(self, event_id: str) -> bool:
        """Whether ``event_id`` is claimed: in flight under a running lease, or done (and not expired).

        Args:
            event_id: the event's id: ``event.dedup_key`` of the :class:`~k2connect_ext.webhooks.K2Event`.

        Returns:
            True if a delivery of it is running or was processed.

        Raises:
            K2InputError: an id no deduplicator can store (not a non-blank str of valid Unicode).
            K2StoreUnavailableError: PostgreSQL did not answer in time.
        """
        return self._row("contains", {"key": _event_key(event_id), "retention": self._retention}) is not None

    def purge_expired(self) -> int:
        """Delete the claims older than the retention period, to bound the table's size.

        Returns:
            How many claims were deleted.

        Raises:
            K2StoreUnavailableError: PostgreSQL did not answer in time.
        """
        return self.purge_older_than(self._retention)

    def purge_older_than(self, seconds: float) -> int:
        """Delete claims older than ``seconds``, to bound the table's size.

        Args:
            seconds: the age past which a claim goes (done or not: keep it longer than any handler runs).

        Returns:
            How many claims were deleted.

        Raises:
            K2InputError: ``seconds`` is negative.
            K2StoreUnavailableError: PostgreSQL did not answer in time.
        """
        if not seconds >= 0:  # also refuses NaN
            raise K2InputError("seconds must not be negative", field="seconds")
        return self._count("purge", {"age": float(seconds)})

    # psycopg calls block on the network: the async twins (BlockingStoreTwins and these) run in a thread.
    async def apurge_expired(self) -> int:
        """The asyncio twin of :meth:`purge_expired`.

        Returns:
            How many claims were deleted.
        """
        return await asyncio.to_thread(self.purge_expired)

    async def apurge_older_than(self, seconds: float) -> int:
        """The asyncio twin of :meth:`purge_older_than`.

        Args:
            seconds: the age past which a claim goes.

        Returns:
            How many claims were deleted.
        """
        return await asyncio.to_thread(self.purge_older_than, seconds)

    # ------------------------------------------------------------------------------------- lifecycle
    def close(self) -> None:
        """Close this process's connection pool; a later call opens a new one."""
        with self._lock:
            pooled, self._pool = self._pool, None
        if pooled is not None and self._pool_pid == os.getpid():
            pool, watchdog = pooled
            pool.close()
            watchdog.close()

    def __enter__(self) -> PostgresDeduplicator:
        """The deduplicator itself, closed when the ``with`` block ends."""
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Close this process's connection pool (see :meth:`close`)."""
        self.close()

    # ------------------------------------------------------------------------------------- internals
    def _row(self, statement: str, params: dict[str, object]) -> tuple[Any, ...] | None:
        """The first row a statement returns (None if none)."""
        row: tuple[Any, ...] | None = self._run(statement, params, lambda cursor: cursor.fetchone())
        return row

    def _count(self, statement: str, params: dict[str, object]) -> int:
        """How many rows a statement changed."""
        return self._run(statement, params, lambda cursor: max(int(cursor.rowcount), 0))

    def _run(self, statement: str, params: dict[str, object], read: Callable[[Any], T]) -> T:
        """Run one statement on a pooled connection and ``read`` its cursor, within ``timeout_seconds``."""
        ticket = _Ticket(self._timeout)
        try:
            pool, watchdog = self._connection_pool()
            with pool.connection(timeout=self._timeout) as conn, watchdog.watch(conn, ticket):
                if not self._schema_ready:
                    self._create_schema(conn)
                return read(conn.execute(self._sql[statement], params))
        except self._errors as exc:
            why = (
                f"no answer within {self._timeout:g} s"
                if ticket.expired
                else f"{type(exc).__name__}: {redact(str(exc))}"
            )
            raise K2StoreUnavailableError(f"PostgreSQL deduplicator: {statement} failed ({why})") from None

    def _create_schema(self, conn: Any) -> None:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            conn.execute(self._sql["table"])
            conn.execute(self._sql["index"])
            # A table from before leases gains their columns. Looked up first: ALTER TABLE takes the
            # table's strongest lock even when there is nothing to add.
            table = self._name.as_string(conn)
            (present,) = conn.execute(self._sql["lease_columns"], {"table": table}).fetchone()
            if present < 2:
                conn.execute(self._sql["add_lease_columns"])
        self._schema_ready = True

    def _check_connection(self, watchdog: _Watchdog, conn: Any) -> None:
        # The pool's check of an idle connection before handing it out, bounded like a statement (a
        # stalled server would otherwise hold the call here).
        with watchdog.watch(conn, _Ticket(self._timeout)):
            self._pool_module.ConnectionPool.check_connection(conn)

    def _connection_pool(self) -> tuple[Any, _Watchdog]:
        with self._lock:
            # A pool inherited through fork() shares sockets with the parent: open our own instead.
            if self._pool is None or self._pool_pid != os.getpid():
                watchdog = _Watchdog()
                pool = self._pool_module.ConnectionPool(
                    self._conninfo,
                    min_size=1,
                    max_size=self._pool_size,
                    timeout=self._timeout,
                    kwargs={"autocommit": True, "connect_timeout": max(1, math.ceil(self._timeout))},
                    # A connection broken by a database restart is replaced before use, not failed on.
                    check=functools.partial(self._check_connection, watchdog),
                    open=True,
                    name="k2connect-dedup",
                )
                self._pool, self._pool_pid = (pool, watchdog), os.getpid()
            return self._pool

    def __repr__(self) -> str:
        return (
            f"PostgresDeduplicator(table={self._table_name!r}, retention_seconds={self._retention:g}, "
            f"lease_seconds={self._lease:g}, pool_size={self._pool_size})"
        )
