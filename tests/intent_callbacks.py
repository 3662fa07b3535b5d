"""Shared by the tests of intents settled from callbacks (issue 19, item 5): K2 result bodies tagged with
an intent, a real SQLite ledger that notes the receiver's calls, intents moved by hand to a sent state, and
a write lock held on a ledger file (the store unavailable)."""

from __future__ import annotations

import contextlib
import copy
import json
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from k2connect_ext import Intent, IntentState, Ledger, SQLiteLedger
from k2connect_ext._intent_tag import TAG_KEY
from tests.fakes import incoming_payment

REFERENCE = "QKL2Y4X9"
CALLBACK = "https://shop.example.co.ke/k2/results"
WEBHOOK: dict[str, Any] = {
    "topic": "customer_created",
    "id": "c0ffee00-0000-4000-8000-0000000000aa",
    "created_at": "2026-03-01T12:00:00+03:00",
    "event": {"type": "Customer Created", "resource": {"phone_number": "+254700000009"}},
}


def stk_result(intent_id: str | None, status: str = "Success") -> dict[str, Any]:
    """An STK push result (K2 echoes metadata there), tagged with ``intent_id`` in its metadata."""
    errors = "Insufficient funds" if status == "Failed" else None
    body = incoming_payment(status, errors=errors, resource_id=str(uuid.uuid4()))
    attributes = body["data"]["attributes"]
    if status == "Success":
        attributes["event"]["resource"] = {"reference": REFERENCE, "amount": "100.0"}
    if intent_id is not None:
        attributes["metadata"] = {"order": "1234", TAG_KEY: intent_id}
    return body


_SETTLEMENT: dict[str, Any] = {
    "data": {
        "id": "da3ab9c3-7bd4-5945-b815-1069c637a53a",
        "type": "settlement_transfer",
        "attributes": {
            "status": "Processed",
            "created_at": "2022-03-10T14:14:20.036+03:00",
            "amount": {"currency": "KES", "value": "59700.0"},
            "transfer_batches": [
                {
                    "status": "Transferred",
                    "disbursements": [
                        {
                            "amount": "59700.0",
                            "status": "Transferred",
                            "destination_type": "Mobile Wallet",
                            "origination_time": "2022-02-17T15:59:47.182+03:00",
                            "destination_reference": "8ff2e5f1-c0c1-5da2-a531-9d87178f96a7",
                            "transaction_reference": "JL6P1EFWC07",
                        }
                    ],
                }
            ],
            "_links": {
                "callback_url": CALLBACK,
                "self": "https://sandbox.kopokopo.com/api/v1/settlement_transfers/da3ab9c3",
            },
        },
    }
}


def settlement_result() -> dict[str, Any]:
    """A settlement transfer result: no metadata, so its intent's tag rides in the callback URL's query."""
    return copy.deepcopy(_SETTLEMENT)


def tagged_url(intent_id: str, base: str = CALLBACK) -> str:
    """``base`` with the intent's tag in its query, after a parameter of the shop's own."""
    return f"{base}?order=7&{TAG_KEY}={intent_id}"


def encoded(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode()


class WatchedLedger(SQLiteLedger):
    """A real SQLite ledger (short busy timeout) that also notes each call a receiver makes to it."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, busy_timeout_seconds=0.1)
        self.calls: list[str] = []

    def get_by_id(self, intent_id: str) -> Intent | None:
        self.calls.append("get_by_id")
        return super().get_by_id(intent_id)

    def transition(self, intent_id: str, to: IntentState, **fields: Any) -> Intent:
        self.calls.append("transition")
        return super().transition(intent_id, to, **fields)


def sent(ledger: Ledger, operation: str = "stk_push", state: IntentState = IntentState.SENT) -> Intent:
    """A new intent, moved by hand to ``state`` (``sending``, ``sent`` or ``ambiguous``)."""
    intent, _ = ledger.record(f"order-{uuid.uuid4().hex}", operation, {"amount": "100"})
    intent = ledger.transition(intent.id, IntentState.SENDING, expect=IntentState.RECORDED)
    if state is IntentState.SENT:
        intent = ledger.transition(intent.id, state, expect=IntentState.SENDING, location=CALLBACK)
    elif state is IntentState.AMBIGUOUS:
        intent = ledger.transition(intent.id, state, expect=IntentState.SENDING, last_error="timed out")
    return intent


def stored(ledger: Ledger, intent: Intent) -> Intent:
    """The intent as the ledger has it now."""
    found = ledger.get_by_id(intent.id)
    assert found is not None
    return found


@contextlib.contextmanager
def write_locked(path: Path) -> Iterator[None]:
    """Another connection holds the file's write lock: the ledger's writes wait, then fail (reads go on)."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("COMMIT")
        holder.close()
