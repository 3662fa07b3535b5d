"""The app's own SQLite tables: the payments it started, and every event K2 delivered to it.

Blocking ``sqlite3`` calls, one short connection per call, so any thread may use one ``Store`` (the FastAPI
example calls it through ``asyncio.to_thread``). The file is shared with ``SQLiteDeduplicator``, which keeps
its own table in it. This module is the same in both example apps, so that each can be copied alone.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from typing import Any

from k2connect_ext import State, outcome_of
from k2connect_ext.webhooks import K2Event

__all__ = ["PENDING", "TERMINAL_STATUSES", "Store", "stk_outcome"]

PENDING = "Pending"
# What the app stores and shows: K2's status folded by the SDK's one success rule (``outcome_of``,
# the rule ``wait()`` and ``K2Event.is_success`` use), so a Cancelled or Expired push is Failed here too.
TERMINAL_STATUSES = frozenset({"Success", "Failed"})
_SHOWN = {State.SUCCEEDED: "Success", State.FAILED: "Failed", State.PENDING: PENDING}

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS payments (
        id TEXT PRIMARY KEY,        -- K2's incoming payment id (the last segment of its Location)
        location TEXT,              -- the Location K2 answered, to look the payment up
        phone TEXT,
        amount TEXT,
        currency TEXT NOT NULL DEFAULT 'KES',
        status TEXT NOT NULL,       -- Pending, then K2's Success or Failed
        reason TEXT,                -- why it failed, in K2's words
        mpesa_reference TEXT,       -- the M-PESA code of a successful payment
        updated_by TEXT NOT NULL,   -- 'app', 'callback' or 'status check'
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        checked_at REAL             -- last time the app asked K2 itself
    )""",
    # dedup_key is unique as a second line of defence: the deduplicator already drops redeliveries.
    """CREATE TABLE IF NOT EXISTS events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        dedup_key TEXT UNIQUE,
        event_id TEXT,
        endpoint TEXT NOT NULL,     -- 'callbacks' or 'webhooks'
        kind TEXT NOT NULL,         -- result, webhook, daraja or unknown
        topic TEXT,
        status TEXT,
        amount TEXT,
        currency TEXT,
        phone TEXT,
        reference TEXT,
        raw TEXT NOT NULL,          -- the body as received (JSON)
        received_at REAL NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS events_event_id ON events (event_id)",
)

# An update never turns a final status back into a pending one (a late or out-of-order delivery).
_UPSERT_OUTCOME = """
    INSERT INTO payments (id, phone, amount, currency, status, reason, mpesa_reference, updated_by,
                          created_at, updated_at)
    VALUES (:id, :phone, :amount, COALESCE(:currency, 'KES'), :status, :reason, :reference, :by, :now, :now)
    ON CONFLICT (id) DO UPDATE SET
        status = excluded.status,
        reason = excluded.reason,
        mpesa_reference = COALESCE(excluded.mpesa_reference, payments.mpesa_reference),
        updated_by = excluded.updated_by,
        updated_at = excluded.updated_at
    WHERE payments.status NOT IN ('Success', 'Failed') OR excluded.status IN ('Success', 'Failed')
"""


def stk_outcome(body: Mapping[str, Any]) -> tuple[str, str | None, str | None]:
    """``(status, failure reason, M-PESA reference)`` of an STK push result body (callback or GET).

    The status is Success, Failed or Pending, as the SDK's success rule reads K2's status.
    """
    attributes = _object(_object(body.get("data")).get("attributes"))
    event = _object(attributes.get("event"))
    outcome = outcome_of("incoming_payment", body)
    reference = _object(event.get("resource")).get("reference")  # the resource is null until paid
    return (
        _SHOWN[outcome.state],
        outcome.reason if outcome.state is State.FAILED else None,
        reference if isinstance(reference, str) else None,
    )


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds")


def _outcome(
    payment_id: str, outcome: tuple[str, str | None, str | None], *, by: str, now: float
) -> dict[str, object]:
    status, reason, reference = outcome
    return {
        "id": payment_id,
        "phone": None,
        "amount": None,
        "currency": None,
        "status": status,
        "reason": reason,
        "reference": reference,
        "by": by,
        "now": now,
    }


class Store:
    """Payments and received events in one SQLite file."""

    def __init__(self, path: str) -> None:
        self.path = path
        with self._transaction() as conn:
            conn.execute("PRAGMA journal_mode=WAL")  # readers never wait for the callback writer
            for statement in _SCHEMA:
                conn.execute(statement)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10)) as conn:
            conn.row_factory = sqlite3.Row
            with conn:  # commit, or roll back on an exception
                yield conn

    # ------------------------------------------------------------------------------------------ payments
    def payment_started(self, payment_id: str, location: str, phone: str, amount: str) -> None:
        """Record an STK push K2 accepted. Its callback may already have been stored: keep its outcome."""
        now = time.time()
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO payments (id, location, phone, amount, status, updated_by, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, 'app', ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET location = excluded.location, phone = excluded.phone,"
                " amount = excluded.amount, created_at = excluded.created_at",
                (payment_id, location, phone, amount, PENDING, now, now),
            )

    def payment_checked(self, payment_id: str, body: Mapping[str, Any]) -> None:
        """Store what K2 answered when the app looked the payment up itself."""
        now = time.time()
        with self._transaction() as conn:
            conn.execute(
                _UPSERT_OUTCOME,
                _outcome(payment_id, stk_outcome(body), by="status check", now=now),
            )

    def payment(self, payment_id: str) -> dict[str, Any] | None:
        """The payment as JSON-ready data, or None if this app did not start it."""
        with self._transaction() as conn:
            row = conn.execute("SELECT * FROM payments WHERE id = ?", (payment_id,)).fetchone()
        if row is None:
            return None
        return {
            "id": row["id"],
            "status": row["status"],
            "done": row["status"] in TERMINAL_STATUSES,
            "reason": row["reason"],
            "phone": row["phone"],
            "amount": row["amount"],
            "currency": row["currency"],
            "mpesa_reference": row["mpesa_reference"],
            "updated_by": row["updated_by"],
            "location": row["location"],
            "created_at": _iso(row["created_at"]),
            "updated_at": _iso(row["updated_at"]),
            "checked_at": _iso(row["checked_at"]),
        }

    def claim_status_check(self, payment_id: str, after_seconds: float) -> str | None:
        """The payment's Location if it is due a look-up at K2, else None.

        Due: still pending ``after_seconds`` after it started, with no look-up in that long either. The
        claim is one UPDATE, so pages polling at the same time cause one look-up, not one each.
        """
        now = time.time()
        cutoff = now - after_seconds
        with self._transaction() as conn:
            rows = conn.execute(
                "UPDATE payments SET checked_at = ? WHERE id = ? AND location IS NOT NULL"
                " AND status NOT IN ('Success', 'Failed') AND created_at <= ?"
                " AND (checked_at IS NULL OR checked_at <= ?) RETURNING location",  # SQLite 3.35+
                (now, payment_id, cutoff, cutoff),
            ).fetchall()
        return str(rows[0]["location"]) if rows else None

    # -------------------------------------------------------------------------------------------- events
    def record_event(self, event: K2Event, endpoint: str) -> None:
        """Store a verified event; an STK push result also updates its payment (in the same transaction)."""
        now = time.time()
        amount = None if event.amount is None else str(event.amount)
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO events (dedup_key, event_id, endpoint, kind, topic, status, amount,"
                " currency, phone, reference, raw, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    event.dedup_key,
                    event.id,
                    endpoint,
                    event.kind.value,
                    event.topic,
                    event.status,
                    amount,
                    event.currency,
                    event.phone,
                    event.reference,
                    json.dumps(event.to_dict()),
                    now,
                ),
            )
            if event.topic == "incoming_payment" and event.id:
                outcome = stk_outcome(event.raw)
                row = _outcome(event.id, outcome, by="callback", now=now)
                row.update(phone=event.phone, amount=amount, currency=event.currency)
                conn.execute(_UPSERT_OUTCOME, row)

    def events(self, *, limit: int = 50, topic: str | None = None) -> list[dict[str, Any]]:
        """The latest events, newest first, optionally of one topic."""
        query = "SELECT * FROM events"
        params: list[object] = []
        if topic:
            query += " WHERE topic = ?"
            params.append(topic)
        query += " ORDER BY seq DESC LIMIT ?"
        params.append(limit)
        with self._transaction() as conn:
            rows = conn.execute(query, params).fetchall()
        return [
            {
                "id": row["event_id"],
                "endpoint": row["endpoint"],
                "kind": row["kind"],
                "topic": row["topic"],
                "status": row["status"],
                "amount": row["amount"],
                "currency": row["currency"],
                "phone": row["phone"],
                "reference": row["reference"],
                "received_at": _iso(row["received_at"]),
                "raw": json.loads(row["raw"]),
            }
            for row in rows
        ]
