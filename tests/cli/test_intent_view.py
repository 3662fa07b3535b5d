"""What the intent commands show of an intent: its amount and its reason, from what the ledger recorded."""

from __future__ import annotations

from typing import Any

from k2connect_cli.intent_view import intent_amount, intent_document, intent_reason, intent_row
from k2connect_ext import Intent, IntentState

LOCATION = "https://sandbox.kopokopo.com/api/v1/incoming_payments/abc"
FAILED_PUSH = {
    "data": {
        "id": "abc",
        "type": "incoming_payment",
        "attributes": {
            "status": "Failed",
            "event": {"resource": None, "errors": "Request cancelled by user"},
        },
    }
}


def _intent(request: dict[str, Any], **changes: Any) -> Intent:
    fields: dict[str, Any] = {
        "id": "0" * 32,
        "key": "k",
        "operation": "send_money",
        "request": request,
        "fingerprint": "f" * 64,
        "state": IntentState.SENT,
        "location": None,
        "result": None,
        "reference": None,
        "attempts": 1,
        "created_at": 0.0,
        "updated_at": 86400.0,
        "last_error": None,
        "note": None,
    }
    fields.update(changes)
    return Intent(**fields)


def test_amount_of_destinations_added_up() -> None:
    """A send-money's amount is its destinations' amounts added up, exactly."""
    request = {"destinations": [{"amount": "100.50"}, {"amount": "0.25"}]}
    assert intent_amount(_intent(request)) == "100.75"


def test_amount_of_a_single_amount() -> None:
    """An STK push (or any create with one ``amount``) shows that amount."""
    assert intent_amount(_intent({"amount": "250"}, operation="stk_push")) == "250"


def test_amount_unknown_is_blank() -> None:
    """No amount (a whole-balance settlement), or one that is not a number, shows blank."""
    assert intent_amount(_intent({}, operation="settle_funds")) == ""
    assert intent_amount(_intent({"amount": "lots"})) == ""
    assert intent_amount(_intent({"destinations": ["odd"]})) == ""
    assert intent_amount(_intent({"destinations": []})) == ""


def test_reason_of_a_failure_is_k2s() -> None:
    """A failed intent's reason is the one K2 gave in its result."""
    intent = _intent({}, state=IntentState.FAILED, location=LOCATION, result=FAILED_PUSH, last_error="x")
    assert intent_reason(intent) == "Request cancelled by user"


def test_reason_falls_back_to_note_then_last_error() -> None:
    """Without K2's reason (no result, a Location that does not parse, a result that did not fail), the
    person's note, else the last error, else nothing."""
    odd = _intent({}, state=IntentState.FAILED, location="nowhere", result=FAILED_PUSH, last_error="boom")
    assert intent_reason(odd) == "boom"
    success = {"data": {"attributes": {"status": "Success"}}}
    inconsistent = _intent({}, state=IntentState.FAILED, location=LOCATION, result=success, note="checked")
    assert intent_reason(inconsistent) == "checked"
    assert intent_reason(_intent({}, state=IntentState.FAILED)) == ""


def test_row_and_document() -> None:
    """The row: key, state, operation, amount, reference, update time (UTC); the document has it all."""
    intent = _intent({"amount": "5"}, reference="RKTQDLKT2I")
    assert intent_row(intent) == ("k", "sent", "send_money", "5", "RKTQDLKT2I", "1970-01-02T00:00:00+00:00")
    document = intent_document(intent)
    assert document["amount"] == "5"
    assert document["reason"] is None
    assert document["request"] == {"amount": "5"}
