"""Settling STK push intents from a transaction polling result (``_intent_poll``), on a real SQLite ledger.

A payment settles an open STK push intent only one to one: same phone (in any accepted spelling), amount,
currency and till (with or without the K prefix), paid within the window after the intent was recorded;
never a payment another intent already carries, never when two intents or two payments fit, never a
payment that was not received, and never a failure. Sync and async alike; the receivers given a ledger
do it for a verified polling callback.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from k2connect_ext import AsyncLedger, Intent, IntentState, K2InputError, SQLiteLedger
from k2connect_ext._intent_poll import (
    DEFAULT_POLL_WINDOW,
    asettle_from_polling,
    pairs,
    polled_payments,
    settle_from_polling,
)
from k2connect_ext.webhooks._receivers import AsyncWebhookReceiver, WebhookReceiver
from k2connect_ext.webhooks._signatures import SIGNATURE_HEADER, compute_signature
from tests.fakes import FakeClock
from tests.fixtures import FIXTURES_DIR, SKIP_REASON, fixtures_present, load

S = IntentState
T0 = 1_700_000_000.0  # when the intents are recorded (epoch seconds)
API_KEY = "poll-test-api-key"
STK: dict[str, Any] = {
    "phone_number": "0712345678",
    "amount": "100",
    "till_number": "K514459",
    "callback_url": "https://shop.example/k2/stk",
}


def iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.timezone(dt.timedelta(hours=3))).isoformat()


def payment(reference: str, at: float, **changes: Any) -> dict[str, Any]:
    resource = {
        "id": f"tx-{reference}",
        "amount": "100.0",
        "status": "Received",
        "system": "Lipa Na M-PESA",
        "currency": "KES",
        "reference": reference,
        "till_number": "K514459",
        "origination_time": iso(at),
        "sender_phone_number": "+254712345678",
        "sender_first_name": "Jane",
        **changes,
    }
    return {"type": "Buygoods Transaction", "resource": resource}


def polling_result(*transactions: dict[str, Any], start: float = T0 - 3600) -> dict[str, Any]:
    return {
        "data": {
            "id": "7aeb309d-8577-4546-8557-ef5d6c01b948",
            "type": "polling",
            "attributes": {
                "status": "Success",
                "from_time": iso(start),
                "to_time": iso(T0 + 3600),
                "transactions": list(transactions),
                "scope": "Company",
                "scope_reference": None,
                "_links": {
                    "callback_url": "https://shop.example/k2/poll",
                    "self": "https://api.kopokopo.com/api/v1/polling/7aeb309d-8577-4546-8557-ef5d6c01b948",
                },
            },
        }
    }


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def ledger(tmp_path: Path, clock: FakeClock) -> SQLiteLedger:
    return SQLiteLedger(tmp_path / "ledger.db", clock=clock)


def open_intent(ledger: SQLiteLedger, key: str, state: IntentState = S.AMBIGUOUS, **request: Any) -> Intent:
    """An STK push intent in ``state`` (by the moves a real send makes)."""
    intent, _ = ledger.record(key, "stk_push", {**STK, **request})
    intent = ledger.transition(intent.id, S.SENDING, expect=S.RECORDED)
    if state is S.SENT:
        return ledger.transition(intent.id, S.SENT, expect=S.SENDING, location="https://k2/x")
    intent = ledger.transition(intent.id, S.AMBIGUOUS, expect=S.SENDING, last_error="cut")
    if state is S.UNRESOLVED:
        return ledger.transition(intent.id, S.UNRESOLVED, expect=S.AMBIGUOUS, last_error="horizon")
    return intent


# ------------------------------------------------------------------------------------------ matching
@pytest.mark.parametrize("state", [S.AMBIGUOUS, S.UNRESOLVED, S.SENT])
def test_one_payment_fitting_one_open_intent_settles_it(ledger: SQLiteLedger, state: IntentState) -> None:
    intent = open_intent(ledger, "order-1", state)
    [settled] = settle_from_polling(ledger, polling_result(payment("QJK1", T0 + 30)))
    assert settled.id == intent.id and settled.state is S.SUCCEEDED and settled.reference == "QJK1"
    assert settled.result is not None and settled.result["matched_by"] == "polling"
    assert settled.result["transaction"]["id"] == "tx-QJK1"
    assert settle_from_polling(ledger, polling_result(payment("QJK1", T0 + 30))) == []  # twice: no change


def test_phone_and_till_are_compared_as_k2_spells_them(ledger: SQLiteLedger) -> None:
    open_intent(ledger, "order-1", phone_number="+254 712 345 678", till_number="514459")
    moved = settle_from_polling(ledger, polling_result(payment("QJK1", T0 + 5, amount="100.00")))
    assert [i.key for i in moved] == ["order-1"]


@pytest.mark.parametrize(
    ("changes", "at"),
    [
        ({"sender_phone_number": "+254700000001"}, T0 + 30),
        ({"amount": "99.0"}, T0 + 30),
        ({"currency": "USD"}, T0 + 30),
        ({"till_number": "K999999"}, T0 + 30),
        ({"status": "Reversed"}, T0 + 30),
        ({}, T0 + DEFAULT_POLL_WINDOW + 1),  # paid after the push's window: not this push
        ({}, T0 - 61),  # paid before the intent was recorded
    ],
    ids=["phone", "amount", "currency", "till", "not-received", "too-late", "too-early"],
)
def test_a_payment_that_does_not_fit_settles_nothing(
    ledger: SQLiteLedger, changes: dict[str, Any], at: float
) -> None:
    open_intent(ledger, "order-1")
    assert settle_from_polling(ledger, polling_result(payment("QJK1", at, **changes))) == []
    assert ledger.get("order-1").state is S.AMBIGUOUS  # type: ignore[union-attr]


def test_two_open_intents_for_one_payment_settle_nothing(ledger: SQLiteLedger) -> None:
    open_intent(ledger, "order-1")
    open_intent(ledger, "order-2")
    assert settle_from_polling(ledger, polling_result(payment("QJK1", T0 + 30))) == []


def test_two_payments_for_one_intent_settle_nothing(ledger: SQLiteLedger) -> None:
    open_intent(ledger, "order-1")
    result = polling_result(payment("QJK1", T0 + 30), payment("QJK2", T0 + 40))
    assert settle_from_polling(ledger, result) == []


def test_a_payment_a_settled_intent_carries_is_never_taken_again(ledger: SQLiteLedger) -> None:
    paid = open_intent(ledger, "order-1")
    ledger.transition(paid.id, S.SUCCEEDED, expect=S.AMBIGUOUS, reference="QJK1")
    open_intent(ledger, "order-2")
    assert settle_from_polling(ledger, polling_result(payment("QJK1", T0 + 30))) == []


def test_a_settled_intent_that_fits_makes_the_payment_ambiguous(ledger: SQLiteLedger) -> None:
    """The callback settled order-1 with another reference; the polled payment fits both: left alone."""
    paid = open_intent(ledger, "order-1")
    ledger.transition(paid.id, S.SUCCEEDED, expect=S.AMBIGUOUS, reference="OTHER")
    open_intent(ledger, "order-2")
    assert settle_from_polling(ledger, polling_result(payment("QJK1", T0 + 30))) == []


def test_other_operations_and_unreadable_requests_are_ignored(ledger: SQLiteLedger) -> None:
    ledger.record("payout", "send_money", {"callback_url": "https://shop.example/k2"})
    odd, _ = ledger.record("odd", "stk_push", {**STK, "phone_number": 12})
    ledger.transition(odd.id, S.SENDING, expect=S.RECORDED)
    ledger.transition(odd.id, S.AMBIGUOUS, expect=S.SENDING)
    intent = open_intent(ledger, "order-1")
    assert [i.id for i in settle_from_polling(ledger, polling_result(payment("QJK1", T0 + 1)))] == [intent.id]


def test_intents_recorded_before_the_polled_window_are_not_read(
    ledger: SQLiteLedger, clock: FakeClock
) -> None:
    open_intent(ledger, "old")
    clock.now = T0 + 7200
    result = polling_result(payment("QJK1", T0 + 30), start=T0 + 3600)
    assert settle_from_polling(ledger, result) == []  # "old" predates from_time - window: not listed


def test_unreadable_transactions_are_left_out() -> None:
    body = polling_result(
        payment("A", T0),
        payment("", T0),
        payment("B", T0, origination_time="yesterday"),
        payment("C", T0, origination_time=None),
        payment("D", T0, amount="lots"),
        payment("E", T0, till_number=""),
        payment("F", T0, amount=None),
        {"type": "Buygoods Transaction"},
        "not an object",  # type: ignore[arg-type]
    )
    assert [p.reference for p in polled_payments(body)] == ["A"]
    assert polled_payments({"data": {"attributes": {"transactions": "none"}}}) == ()
    naive = polled_payments(polling_result(payment("N", T0, origination_time="2023-11-14T22:13:20")))
    assert naive[0].at == T0  # a time without an offset is read as UTC


@pytest.mark.skipif(not fixtures_present(), reason=SKIP_REASON)
def test_the_fixture_polling_result_is_read() -> None:
    body = load(FIXTURES_DIR / "result_polling_success.json")
    [found] = polled_payments(body)
    assert found.reference == "9e53317173f0d4b3fed16bb92fac74a4" and found.phone == "+254799999999"
    assert found.till == "123456" and str(found.amount) == "1.0"
    assert pairs([], [found], DEFAULT_POLL_WINDOW) == []


def test_a_result_without_payments_reads_no_intent(ledger: SQLiteLedger) -> None:
    open_intent(ledger, "order-1")
    assert settle_from_polling(ledger, polling_result()) == []
    assert settle_from_polling(ledger, {"data": {}}) == []


class Model:
    """A generated model's shape: ``to_dict()``."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body

    def to_dict(self) -> dict[str, Any]:
        return self.body


def test_a_model_is_read_through_to_dict_and_bad_input_is_refused(ledger: SQLiteLedger) -> None:
    open_intent(ledger, "order-1")
    assert len(settle_from_polling(ledger, Model(polling_result(payment("Q", T0 + 1))))) == 1
    with pytest.raises(K2InputError) as refused:
        settle_from_polling(ledger, "not a result")
    assert refused.value.field == "result"
    for window in (0, -1, float("inf"), True, "300"):
        with pytest.raises(K2InputError) as bad:
            settle_from_polling(ledger, polling_result(), window=window)  # type: ignore[arg-type]
        assert bad.value.field == "window"


class RacingLedger(SQLiteLedger):
    """Settles the intent (as its callback would) just before polling's move."""

    def transition(self, intent_id: str, to: IntentState, **kwargs: Any) -> Intent:
        if kwargs.get("reference") == "QJK1":
            super().transition(intent_id, S.SUCCEEDED, expect=S.AMBIGUOUS, reference="CALLBACK")
        return super().transition(intent_id, to, **kwargs)


def test_an_intent_settled_meanwhile_is_left_as_it_is(tmp_path: Path, clock: FakeClock) -> None:
    ledger = RacingLedger(tmp_path / "racing.db", clock=clock)
    open_intent(ledger, "order-1")
    assert settle_from_polling(ledger, polling_result(payment("QJK1", T0 + 30))) == []
    assert ledger.get("order-1").reference == "CALLBACK"  # type: ignore[union-attr]
    open_intent(ledger, "order-2", amount="200")
    twin = RacingAsyncLedger(SQLiteLedger(tmp_path / "racing.db", clock=clock))
    moved = asyncio.run(asettle_from_polling(twin, polling_result(payment("QJK2", T0 + 30, amount="200"))))
    assert moved == [] and ledger.get("order-2").reference == "CALLBACK"  # type: ignore[union-attr]


class RacingAsyncLedger(AsyncLedger):
    """The async twin of RacingLedger."""

    async def transition(self, intent_id: str, to: IntentState, **kwargs: Any) -> Intent:
        if kwargs.get("reference") == "QJK2":
            await super().transition(intent_id, S.SUCCEEDED, expect=S.AMBIGUOUS, reference="CALLBACK")
        return await super().transition(intent_id, to, **kwargs)


async def test_the_async_twin_settles_the_same(ledger: SQLiteLedger) -> None:
    intent = open_intent(ledger, "order-1")
    twin = AsyncLedger(ledger)
    [settled] = await asettle_from_polling(twin, polling_result(payment("QJK1", T0 + 30)))
    assert settled.id == intent.id and settled.state is S.SUCCEEDED
    assert await asettle_from_polling(twin, polling_result()) == []
    with pytest.raises(K2InputError):
        await asettle_from_polling(twin, polling_result(), window=0)


# ------------------------------------------------------------------------------------------ receivers
def signed(body: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    return raw, {SIGNATURE_HEADER: compute_signature(raw, API_KEY), "Content-Type": "application/json"}


def test_a_verified_polling_callback_settles_before_the_handler(ledger: SQLiteLedger) -> None:
    intent = open_intent(ledger, "order-1")
    seen: list[IntentState | None] = []
    receiver = WebhookReceiver(API_KEY, lambda event: seen.append(ledger.get("order-1").state), ledger=ledger)  # type: ignore[union-attr]
    raw, headers = signed(polling_result(payment("QJK1", T0 + 30)))
    assert receiver.handle(raw, headers).status == 200
    assert seen == [S.SUCCEEDED] and ledger.get_by_id(intent.id).reference == "QJK1"  # type: ignore[union-attr]


async def test_the_async_receiver_settles_from_a_polling_callback(ledger: SQLiteLedger) -> None:
    open_intent(ledger, "order-1")

    async def handler(event: Any) -> None:
        return None

    receiver = AsyncWebhookReceiver(API_KEY, handler, ledger=ledger)
    raw, headers = signed(polling_result(payment("QJK1", T0 + 30)))
    assert (await receiver.handle(raw, headers)).status == 200
    assert ledger.get("order-1").state is S.SUCCEEDED  # type: ignore[union-attr]
