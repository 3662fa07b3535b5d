"""Settling an intent from a resource body: one rule for a GET, a callback, polling (``_intent_settle``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from k2connect_ext import AsyncLedger, IntentState, SQLiteLedger
from k2connect_ext._intent import Intent
from k2connect_ext._intent_settle import SETTLEABLE, asettle, settle, verdict_of
from tests.fakes import incoming_payment


def _sent(ledger: SQLiteLedger, key: str = "order-1") -> Intent:
    intent, _ = ledger.record(key, "stk_push", {"amount": "100"})
    ledger.transition(intent.id, IntentState.SENDING, expect=IntentState.RECORDED)
    return ledger.transition(intent.id, IntentState.SENT, expect=IntentState.SENDING, location="https://k2/x")


def _paid() -> dict[str, Any]:
    body = incoming_payment("Success")
    body["data"]["attributes"]["event"]["resource"] = {"reference": "QKL2Y4X9", "amount": "100.0"}
    return body


@pytest.fixture
def ledger(tmp_path: Path) -> SQLiteLedger:
    return SQLiteLedger(tmp_path / "ledger.db")


def test_a_success_settles_with_the_body_and_the_reference(ledger: SQLiteLedger) -> None:
    settled = settle(ledger, _sent(ledger), _paid())
    assert settled.state is IntentState.SUCCEEDED
    assert settled.reference == "QKL2Y4X9"
    assert settled.result == _paid()


def test_a_failure_settles_with_its_reason(ledger: SQLiteLedger) -> None:
    settled = settle(ledger, _sent(ledger), incoming_payment("Failed", errors="Insufficient funds"))
    assert settled.state is IntentState.FAILED
    assert settled.last_error == "Insufficient funds"


def test_pending_or_unreadable_bodies_change_nothing(ledger: SQLiteLedger) -> None:
    intent = _sent(ledger)
    assert settle(ledger, intent, incoming_payment("Pending")) == intent
    assert settle(ledger, intent, {"data": "not a result"}) == intent
    broken = {"data": {"id": "x", "type": "incoming_payment", "attributes": {}}}  # a result without status
    assert settle(ledger, intent, broken) == intent
    assert verdict_of(incoming_payment("Pending")) is None


def test_a_settled_intent_stays_settled(ledger: SQLiteLedger) -> None:
    done = settle(ledger, _sent(ledger), _paid())
    assert settle(ledger, done, incoming_payment("Failed")) is done  # a late, contrary callback
    recorded, _ = ledger.record("order-2", "stk_push", {"amount": "1"})
    assert settle(ledger, recorded, _paid()) is recorded  # never sent: nothing to settle
    assert IntentState.RECORDED not in SETTLEABLE


def test_a_settlement_made_elsewhere_first_is_read_back(ledger: SQLiteLedger) -> None:
    intent = _sent(ledger)
    elsewhere = settle(ledger, intent, _paid())  # another process settled it
    assert settle(ledger, intent, incoming_payment("Failed")) == elsewhere  # our stale copy: read back


async def test_the_async_twin_settles_alike(ledger: SQLiteLedger) -> None:
    async_ledger = AsyncLedger(ledger)
    intent = _sent(ledger)
    assert await asettle(async_ledger, intent, incoming_payment("Pending")) == intent
    settled = await asettle(async_ledger, intent, _paid())
    assert settled.state is IntentState.SUCCEEDED
    assert await asettle(async_ledger, settled, _paid()) is settled
    stale = intent
    assert (await asettle(async_ledger, stale, _paid())).state is IntentState.SUCCEEDED
    assert await asettle(async_ledger, stale, {"data": 1}) == stale
