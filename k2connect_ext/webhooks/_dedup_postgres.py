"""``PostgresDeduplicator``: each K2 event id claimed once across every worker on every machine.

Install with ``pip install 'k2connect-sdk[postgres]'`` (psycopg 3 and psycopg-pool)::

    from k2connect_ext.webhooks._dedup_postgres import PostgresDeduplicator

    dedup = PostgresDeduplicator("postgresql://k2@db.internal/shop", retention_seconds=7 * 86400)
    receiver = WebhookReceiver(api_key, handler, deduplicator=dedup)

The same claim / release semantics as :class:`~k2connect_ext.webhooks.SQLiteDeduplicator`: ``claim`` is one
``INSERT ... ON CONFLICT`` (atomic across every connection), ``release`` deletes the row after a failed
handler so K2's redelivery is processed. Claims older than ``retention_seconds`` count as expired (an event
redelivered that late is processed again) and :meth:`purge_expired` deletes them; run it from a periodic
job. Claim times come from the database's clock, so workers whose clocks disagree still agree on expiry.

The table (``k2_webhook_events`` by default: ``event_id BYTEA PRIMARY KEY, claimed_at TIMESTAMPTZ``) is
created on first use. Ids follow the rule every deduplicator applies
(``check_event_id`` in ``_dedup``); ids longer than an index entry allows are kept as a digest.

Each process keeps a small connection pool (``pool_size``); a process forked after first use opens its
own. When PostgreSQL does not answer within ``timeout_seconds``, every call raises
:class:`~k2connect_ext.K2StoreUnavailableError`: the receiver answers 500, nothing is marked
as seen, and K2 redelivers once the database is back.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import os
import threading
from types import TracebackType
from typing import Any

from k2connect_ext._exceptions import K2ConfigError, K2InputError, K2StoreUnavailableError
from k2connect_ext._store_support import redact, require_module
from k2connect_ext.webhooks._dedup import BlockingStoreTwins, check_event_id

__all__ = ["DEFAULT_EVENT_TABLE", "PostgresDeduplicator"]

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


class PostgresDeduplicator(BlockingStoreTwins):
    """A :class:`~k2connect_ext.webhooks.Deduplicator` (and its async twin) on PostgreSQL.

    Args:
        conninfo: a libpq connection string or ``postgresql://`` URL. Never logged nor put in an error.
        retention_seconds: how long a claimed id is remembered.
        table: the table name, optionally ``schema.table``.
        pool_size: connections per process at most; a receiver holds one for one statement at a time, so
            a few serve many concurrent requests.
        timeout_seconds: how long a call waits for a connection before the store counts as down.

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
    ) -> None:
        psycopg = require_module("psycopg", "postgres")
        self._pool_module = require_module("psycopg_pool", "postgres")
        try:
            psycopg.conninfo.conninfo_to_dict(conninfo)
        except psycopg.Error as exc:
            raise K2ConfigError(f"bad PostgreSQL connection string: {redact(str(exc))}") from None
        if not retention_seconds > 0:
            raise K2ConfigError("retention_seconds must be positive")
        if pool_size < 1 or not timeout_seconds > 0:
            raise K2ConfigError("pool_size must be at least 1 and timeout_seconds positive")
        parts = table.split(".")
        if not 1 <= len(parts) <= 2 or not all(parts):
            raise K2ConfigError("table must be 'name' or 'schema.name'")
        self._conninfo = conninfo
        self._retention = float(retention_seconds)
        self._pool_size = pool_size
        self._timeout = float(timeout_seconds)
        self._errors: tuple[type[BaseException], ...] = (psycopg.Error, OSError)
        sql = psycopg.sql
        self._table_name = table
        name = sql.Identifier(*parts)
        self._sql = {
            "claim": sql.SQL(
                "INSERT INTO {t} (event_id, claimed_at) VALUES (%s, now()) "
                "ON CONFLICT (event_id) DO UPDATE SET claimed_at = excluded.claimed_at "
                "WHERE {t}.claimed_at < now() - make_interval(secs => %s) RETURNING 1"
            ).format(t=name),
            "release": sql.SQL("DELETE FROM {t} WHERE event_id = %s").format(t=name),
            "contains": sql.SQL(
                "SELECT 1 FROM {t} WHERE event_id = %s AND claimed_at >= now() - make_interval(secs => %s)"
            ).format(t=name),
            "purge": sql.SQL("DELETE FROM {t} WHERE claimed_at < now() - make_interval(secs => %s)").format(
                t=name
            ),
            "table": sql.SQL(
                "CREATE TABLE IF NOT EXISTS {t} (event_id BYTEA PRIMARY KEY, claimed_at TIMESTAMPTZ NOT NULL)"
            ).format(t=name),
            "index": sql.SQL("CREATE INDEX IF NOT EXISTS {i} ON {t} (claimed_at)").format(
                i=sql.Identifier(parts[-1] + "_claimed_at"), t=name
            ),
        }
        self._lock = threading.Lock()
        self._pool: Any = None
        self._pool_pid = 0
        self._schema_ready = False

    # ---------------------------------------------------------------------------------- Deduplicator
    def claim(self, event_id: str) -> bool:
        """Atomically record ``event_id``; True the first time (or after its claim expired), else False.

        Raises:
            K2StoreUnavailableError: PostgreSQL did not answer; nothing was recorded.
        """
        key = _event_key(event_id)
        return self._run("claim", key, self._retention) == 1

    def release(self, event_id: str) -> None:
        """Forget a claim (the handler failed), so a redelivery of the event is processed.

        Raises:
            K2StoreUnavailableError: PostgreSQL did not answer; the claim may still be there.
        """
        self._run("release", _event_key(event_id))

    def contains(self, event_id: str) -> bool:
        """Whether ``event_id`` is currently claimed (and not expired).

        Raises:
            K2StoreUnavailableError: PostgreSQL did not answer.
        """
        return self._run("contains", _event_key(event_id), self._retention) == 1

    def purge_expired(self) -> int:
        """Delete the claims older than the retention period; return how many went."""
        return self.purge_older_than(self._retention)

    def purge_older_than(self, seconds: float) -> int:
        """Delete claims older than ``seconds``; return how many went.

        Raises:
            K2StoreUnavailableError: PostgreSQL did not answer.
        """
        if not seconds >= 0:  # also refuses NaN
            raise K2InputError("seconds must not be negative", field="seconds")
        return self._run("purge", float(seconds))

    # psycopg calls block on the network: the async twins (BlockingStoreTwins and these) run in a thread.
    async def apurge_expired(self) -> int:
        """Async twin of :meth:`purge_expired`."""
        return await asyncio.to_thread(self.purge_expired)

    async def apurge_older_than(self, seconds: float) -> int:
        """Async twin of :meth:`purge_older_than`."""
        return await asyncio.to_thread(self.purge_older_than, seconds)

    # ------------------------------------------------------------------------------------- lifecycle
    def close(self) -> None:
        """Close this process's connection pool; a later call opens a new one."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None and self._pool_pid == os.getpid():
            pool.close()

    def __enter__(self) -> PostgresDeduplicator:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ------------------------------------------------------------------------------------- internals
    def _run(self, statement: str, *params: object) -> int:
        """Run one statement on a pooled connection: 1 if it returned a row, else its row count."""
        try:
            with self._connection_pool().connection(timeout=self._timeout) as conn:
                if not self._schema_ready:
                    self._create_schema(conn)
                cursor = conn.execute(self._sql[statement], params)
                if cursor.description is not None:  # RETURNING / SELECT: did a row come back?
                    return 1 if cursor.fetchone() is not None else 0
                return max(int(cursor.rowcount), 0)
        except self._errors as exc:
            raise K2StoreUnavailableError(
                f"PostgreSQL deduplicator: {statement} failed ({type(exc).__name__}: {redact(str(exc))})"
            ) from None

    def _create_schema(self, conn: Any) -> None:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            conn.execute(self._sql["table"])
            conn.execute(self._sql["index"])
        self._schema_ready = True

    def _connection_pool(self) -> Any:
        with self._lock:
            # A pool inherited through fork() shares sockets with the parent: open our own instead.
            if self._pool is None or self._pool_pid != os.getpid():
                self._pool = self._pool_module.ConnectionPool(
                    self._conninfo,
                    min_size=1,
                    max_size=self._pool_size,
                    timeout=self._timeout,
                    kwargs={"autocommit": True, "connect_timeout": max(1, math.ceil(self._timeout))},
                    # A connection broken by a database restart is replaced before use, not failed on.
                    check=self._pool_module.ConnectionPool.check_connection,
                    open=True,
                    name="k2connect-dedup",
                )
                self._pool_pid = os.getpid()
            return self._pool

    def __repr__(self) -> str:
        return (
            f"PostgresDeduplicator(table={self._table_name!r}, retention_seconds={self._retention:g}, "
            f"pool_size={self._pool_size})"
        )
