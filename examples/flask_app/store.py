"""The app's own SQLite tables: its orders, and every event K2 delivered to it.

Each order's payment is a payment intent (``k2.intents.stk_push``) keyed ``order-<id>/attempt-<n>``, in
the SDK's ledger (its own tables, in the same file): the ledger, not this module, knows whether the money
request was sent, is being confirmed, or settled. This module keeps what the ledger does not: the order
(phone, amount, which attempt is current), who settled it, and the events. ``order_view`` folds the two
into what the customer is shown.

Blocking ``sqlite3`` calls, one short connection per call, so any thread may use one ``Store`` (the FastAPI
example calls it through ``asyncio.to_thread``). The file is shared with ``SQLiteDeduplicator`` and the
intents' ledger, which keep their own tables in it. This module is the same in both example apps, so that
each can be copied alone.
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from typing import Any

from k2connect_ext import Intent, IntentState
from k2connect_ext.webhooks import K2Event

__all__ = [
    "CONFIRMING",
    "NEW_ATTEMPT",
    "REFUSED",
    "SEND_AGAIN",
    "Store",
    "intent_key",
    "order_of_key",
    "order_view",
]

# The states of an order's current intent, as the customer sees them. While the STK push may have reached
# K2 (being sent, sent and pending, or ambiguous) the customer sees "We are confirming your payment" and no
# Pay button: paying again could charge twice.
CONFIRMING = frozenset({IntentState.SENDING, IntentState.SENT, IntentState.AMBIGUOUS})
# K2 certainly did not take the money: a new attempt, under a new key.
NEW_ATTEMPT = frozenset({IntentState.FAILED, IntentState.REFUSED})
# Recorded, nothing sent (a send that never left, or a person's decision "not sent"): the same key is sent
# again. A new key would leave this one for ``reconcile()`` to send as well.
SEND_AGAIN = frozenset({IntentState.RECORDED})
_STATUS = {
    IntentState.SUCCEEDED: "Success",
    IntentState.FAILED: "Failed",
    IntentState.REFUSED: "Failed",
    IntentState.UNRESOLVED: "Unconfirmed",
    IntentState.RECORDED: "Not sent",
    **{state: "Pending" for state in CONFIRMING},
}
REFUSED = "Kopo Kopo refused the payment request."
_KEY = re.compile(r"order-([0-9a-f]+)/attempt-([0-9]+)")

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS orders (
        id TEXT PRIMARY KEY,        -- random, in the order's URL and in its intents' keys
        phone TEXT NOT NULL,
        amount TEXT NOT NULL,
        currency TEXT NOT NULL DEFAULT 'KES',
        attempt INTEGER NOT NULL,   -- the current attempt: its intent is order-<id>/attempt-<n>
        settled_by TEXT,            -- 'callback' or 'status check': what settled the current attempt
        created_at REAL NOT NULL,
        attempt_at REAL NOT NULL,   -- when the current attempt started
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
        intent_key TEXT,            -- the payment intent a result settled (an order's attempt)
        raw TEXT NOT NULL,          -- the body as received (JSON)
        received_at REAL NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS events_event_id ON events (event_id)",
)


def intent_key(order_id: str, attempt: int) -> str:
    """The idempotency key of an order's attempt: the same order and attempt never pay twice."""
    return f"order-{order_id}/attempt-{attempt}"


def order_of_key(key: str) -> tuple[str, int] | None:
    """``(order id, attempt)`` of an intent key this shop made, else None."""
    found = _KEY.fullmatch(key)
    return None if found is None else (found.group(1), int(found.group(2)))


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds")


def _reason(intent: Intent | None) -> str | None:
    """Why the payment did not go through, for the customer: K2's words for a failed push; for a refused
    request the SDK's error (its class name, its fields) is for the operator's ledger, not the page."""
    if intent is None or intent.state not in NEW_ATTEMPT:
        return None
    if intent.state is IntentState.REFUSED:
        return REFUSED
    return intent.last_error


def order_view(order: dict[str, Any], intent: Intent | None) -> dict[str, Any]:
    """What the order page and ``/payments/<id>`` show: the order, and the state of its current intent.

    ``status`` is Success, Failed, Pending (being confirmed), Unconfirmed (for a person to decide) or Not
    sent; ``retry`` says whether a Pay button is offered; ``done`` whether the page stops watching.
    """
    state = IntentState.RECORDED if intent is None else intent.state
    status = _STATUS[state]
    location = None if intent is None else intent.location
    return {
        "id": order["id"],
        "key": intent_key(order["id"], order["attempt"]),
        "attempt": order["attempt"],
        "state": state.value,
        "status": status,
        "done": state not in CONFIRMING,
        "retry": state in NEW_ATTEMPT or state in SEND_AGAIN,
        "reason": _reason(intent),
        "phone": order["phone"],
        "amount": order["amount"],
        "currency": order["currency"],
        "mpesa_reference": intent.reference if intent is not None and status == "Success" else None,
        # The receiver settles the intent just before the handler records who did: in between, a result
        # the store has not attributed yet came by callback (a status check records its own before answering).
        "updated_by": order["settled_by"] or ("callback" if intent is not None and intent.result else "app"),
        "location": location,
        "payment_id": location.rstrip("/").rsplit("/", 1)[-1] if location else None,
        "created_at": _iso(order["created_at"]),
        "checked_at": _iso(order["checked_at"]),
    }


class Store:
    """Orders and received events in one SQLite file."""

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

    # -------------------------------------------------------------------------------------------- orders
    def create_order(self, phone: str, amount: str) -> str:
        """A new order, at attempt 1; its id."""
        order_id = secrets.token_hex(8)
        now = time.time()
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO orders (id, phone, amount, attempt, created_at, attempt_at)"
                " VALUES (?, ?, ?, 1, ?, ?)",
                (order_id, phone, amount, now, now),
            )
        return order_id

    def delete_order(self, order_id: str) -> None:
        """Forget an order whose payment was refused before anything was recorded (bad input)."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM orders WHERE id = ?", (order_id,))

    def order(self, order_id: str) -> dict[str, Any] | None:
        """The order's row, or None if this app did not take it."""
        with self._transaction() as conn:
            row = conn.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
        return None if row is None else dict(row)

    def next_attempt(self, order_id: str, attempt: int) -> int:
        """Move the order from ``attempt`` to the next one; the current attempt after.

        Two customers' clicks at once both land on the same next attempt, and so on the same key: one
        STK push between them.
        """
        with self._transaction() as conn:
            conn.execute(
                "UPDATE orders SET attempt = ?, settled_by = NULL, checked_at = NULL, attempt_at = ?"
                " WHERE id = ? AND attempt = ?",
                (attempt + 1, time.time(), order_id, attempt),
            )
            row = conn.execute("SELECT attempt FROM orders WHERE id = ?", (order_id,)).fetchone()
        return int(row["attempt"])

    def settled(self, key: str, by: str) -> None:
        """Record what settled the intent ``key`` (the first to say so wins)."""
        found = order_of_key(key)
        if found is None:
            return
        with self._transaction() as conn:
            conn.execute(
                "UPDATE orders SET settled_by = COALESCE(settled_by, ?) WHERE id = ? AND attempt = ?",
                (by, *found),
            )

    def claim_status_check(self, order_id: str, after_seconds: float) -> bool:
        """Whether the order's payment is due a look-up at K2 (and now claimed for it).

        Due: ``after_seconds`` after its attempt started, with no look-up in that long either. The claim is
        one UPDATE, so pages polling at the same time cause one look-up, not one each.
        """
        now = time.time()
        cutoff = now - after_seconds
        with self._transaction() as conn:
            claimed = conn.execute(
                "UPDATE orders SET checked_at = ? WHERE id = ? AND attempt_at <= ?"
                " AND (checked_at IS NULL OR checked_at <= ?)",
                (now, order_id, cutoff, cutoff),
            ).rowcount
        return claimed == 1

    # -------------------------------------------------------------------------------------------- events
    def record_event(self, event: K2Event, endpoint: str) -> None:
        """Store a verified event; one that settled an order's intent marks the order settled by callback."""
        now = time.time()
        amount = None if event.amount is None else str(event.amount)
        key = None if event.intent is None else event.intent.key
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO events (dedup_key, event_id, endpoint, kind, topic, status, amount,"
                " currency, phone, reference, intent_key, raw, received_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    key,
                    json.dumps(event.to_dict()),
                    now,
                ),
            )
        if key is not None and event.intent is not None and event.intent.is_terminal:
            self.settled(key, "callback")

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
                "intent_key": row["intent_key"],
                "received_at": _iso(row["received_at"]),
                "raw": json.loads(row["raw"]),
            }
            for row in rows
        ]
