"""What the example shops show for an order, from its payment intent as the SDK's one settling rule left it.

Both shops carry the same ``store.py``; each copy is checked. The ``stk_outcome`` the shops used to fold
K2's statuses with is gone: the ledger settles the intent (``outcome_of``, the rule ``wait()`` and
``K2Event.is_success`` use), and ``order_view`` only words the intent's state.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from k2connect_ext import IntentState, SQLiteLedger
from k2connect_ext._intent_settle import settle
from k2connect_ext._outcomes import State, state_of

SHOPS = ["fastapi_app", "flask_app"]
STK_STATUSES = ["Pending", "Success", "Failed", "Cancelled", "Expired", "Queued", "processed"]
SHOWN = {State.SUCCEEDED: "Success", State.FAILED: "Failed", State.PENDING: "Pending"}
ORDER = {"id": "0a1b2c3d", "attempt": 1, "phone": "0712345678", "amount": "150", "currency": "KES"}


def store_of(shop: str) -> ModuleType:
    return importlib.import_module(f"examples.{shop}.store")


def row(**changes: Any) -> dict[str, Any]:
    return {**ORDER, "settled_by": None, "created_at": 0.0, "checked_at": None, **changes}


def body(status: str) -> dict[str, Any]:
    attributes = {"status": status, "event": {"resource": {"reference": "QKL123ABC"}}}
    return {"data": {"id": "pay-1", "type": "incoming_payment", "attributes": attributes}}


@pytest.mark.parametrize("shop", SHOPS)
@pytest.mark.parametrize("status", STK_STATUSES)
def test_a_settled_stk_push_is_shown_by_the_sdks_rule(shop: str, status: str, tmp_path: Path) -> None:
    """Success / Failed / Pending by the SDK's rule (a Cancelled push is Failed); Pay again after Failed."""
    store = store_of(shop)
    with SQLiteLedger(tmp_path / "ledger.sqlite3") as ledger:
        intent, _ = ledger.record(store.intent_key(ORDER["id"], 1), "stk_push", {"amount": "150"})
        ledger.transition(intent.id, IntentState.SENDING, expect=IntentState.RECORDED)
        sent = ledger.transition(
            intent.id, IntentState.SENT, expect=IntentState.SENDING, location="https://k2/api/v2/x/pay-1"
        )
        view = store.order_view(row(), settle(ledger, sent, body(status)))
    state = state_of("incoming_payment", status)
    assert view["status"] == SHOWN[state]
    assert view["done"] is (state is not State.PENDING)
    assert view["retry"] is (state is State.FAILED)
    assert (view["reason"] is not None) == (state is State.FAILED)
    assert (view["mpesa_reference"] == "QKL123ABC") is (state is State.SUCCEEDED)
    assert view["payment_id"] == "pay-1"
    assert view["updated_by"] == ("app" if state is State.PENDING else "callback")


@pytest.mark.parametrize("shop", SHOPS)
def test_an_order_without_an_intent_is_not_sent_and_may_be_paid(shop: str) -> None:
    """A crash between taking the order and recording its intent: nothing was sent, so Pay is offered."""
    view = store_of(shop).order_view(row(), None)
    assert (view["state"], view["status"], view["done"], view["retry"]) == (
        "recorded",
        "Not sent",
        True,
        True,
    )
    assert view["location"] is None and view["payment_id"] is None and view["updated_by"] == "app"


@pytest.mark.parametrize("shop", SHOPS)
def test_intent_keys_name_the_order_and_attempt(shop: str) -> None:
    store = store_of(shop)
    assert store.intent_key("0a1b", 3) == "order-0a1b/attempt-3"
    assert store.order_of_key("order-0a1b/attempt-3") == ("0a1b", 3)
    assert store.order_of_key("payroll-2026-12/emp-17") is None


@pytest.mark.parametrize("shop", SHOPS)
def test_a_refused_push_offers_a_new_attempt_without_showing_the_sdks_error(
    shop: str, tmp_path: Path
) -> None:
    """K2 answered 4xx: nothing happened, so Pay is offered; the customer reads words, not an exception."""
    store = store_of(shop)
    with SQLiteLedger(tmp_path / "ledger.sqlite3") as ledger:
        intent, _ = ledger.record(store.intent_key(ORDER["id"], 1), "stk_push", {"amount": "150"})
        ledger.transition(intent.id, IntentState.SENDING, expect=IntentState.RECORDED)
        refused = ledger.transition(
            intent.id,
            IntentState.REFUSED,
            expect=IntentState.SENDING,
            last_error="K2ValidationError: 400 till_number: not an online till",
        )
    view = store.order_view(row(), refused)
    assert (view["state"], view["status"], view["done"], view["retry"]) == ("refused", "Failed", True, True)
    assert view["reason"] == "Kopo Kopo refused the payment request." == store.REFUSED


# Each state the ledger can leave an unsettled STK push in, by the moves that lead there.
PATHS = {
    "sending": [IntentState.SENDING],
    "sent": [IntentState.SENDING, IntentState.SENT],
    "ambiguous": [IntentState.SENDING, IntentState.AMBIGUOUS],
    "unresolved": [IntentState.SENDING, IntentState.AMBIGUOUS, IntentState.UNRESOLVED],
}


@pytest.mark.parametrize("shop", SHOPS)
@pytest.mark.parametrize("state", sorted(PATHS))
def test_a_push_that_may_have_reached_k2_offers_no_pay_button(shop: str, state: str, tmp_path: Path) -> None:
    """Sending, sent or ambiguous: being confirmed (watched); unresolved: for a person. Never a Pay button."""
    store = store_of(shop)
    with SQLiteLedger(tmp_path / "ledger.sqlite3") as ledger:
        intent, _ = ledger.record(store.intent_key(ORDER["id"], 1), "stk_push", {"amount": "150"})
        for to in PATHS[state]:
            intent = ledger.transition(intent.id, to, expect=intent.state)
    view = store.order_view(row(), intent)
    assert view["state"] == state and view["retry"] is False and view["reason"] is None
    if state == "unresolved":
        assert (view["status"], view["done"]) == ("Unconfirmed", True)
    else:
        assert (view["status"], view["done"]) == ("Pending", False)
    page = pages_of(shop).payment_page(view)
    assert "<button" not in page
    expected = (
        "We could not confirm this payment; contact us" if state == "unresolved" else "We are confirming"
    )
    assert expected in page


def pages_of(shop: str) -> ModuleType:
    return importlib.import_module(f"examples.{shop}.pages")
