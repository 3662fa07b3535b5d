"""What both example apps must do, checked over real loopback HTTP against the sandbox.

Each function drives one ``Shop`` (an app being served) the way a customer's browser and K2 would; the test
files run them against the FastAPI and the Flask app.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from k2connect_ext import K2, IntentState
from k2connect_ext.webhooks import compute_signature

from .harness import Shop, wait_until

# The STK push answers 500 after the sandbox processed it: K2 may have it, so the SDK calls it ambiguous.
AMBIGUOUS_FAULT = {
    "operation_id": "v2_create_incoming_payment",
    "kind": "status_500",
    "after_processing": True,
}


def pay_button(order_id: str) -> str:
    """The order page's Pay button (a form POSTing to /pay/<order id>), as the page writes it."""
    return f'<form method="post" action="/pay/{order_id}">{PAY_BUTTON}</form>'


PAY_BUTTON = '<button type="submit">Pay now</button>'
SUCCEEDS = "0712345678"
FAILS = "0712340001"  # the sandbox fails STK pushes to phones ending 0001 with this reason:
FAILURE_REASON = "The initiator information is invalid."


def form_payment_succeeds(shop: Shop) -> None:
    form = shop.client.get("/")
    assert form.status_code == 200 and form.headers["content-type"].startswith("text/html")
    assert '<form method="post" action="/pay">' in form.text
    assert 'name="phone"' in form.text and 'name="amount"' in form.text

    order_id = shop.pay(SUCCEEDS, "150")
    page = shop.client.get(f"/pay/{order_id}")
    assert page.status_code == 200
    assert f'data-url="/payments/{order_id}"' in page.text

    payment = shop.wait_until_done(order_id)
    assert payment["status"] == "Success" and payment["state"] == "succeeded"
    assert payment["key"] == f"order-{order_id}/attempt-1" and payment["retry"] is False
    assert payment["updated_by"] == "callback"
    assert payment["reason"] is None
    assert payment["phone"] == SUCCEEDS and payment["amount"] == "150" and payment["currency"] == "KES"
    assert payment["mpesa_reference"]

    payment_id = payment["payment_id"]
    delivery = shop.callback_delivery(payment_id)
    assert delivery["url"] == f"{shop.url}/k2/callbacks"
    assert delivery["status_code"] == 200 and delivery["signature"]
    (event,) = shop.events(topic="incoming_payment")
    assert event["id"] == payment_id and event["status"] == "Success" and event["endpoint"] == "callbacks"
    assert event["intent_key"] == payment["key"]
    assert event["kind"] == "result" and event["phone"] == "+254712345678" and event["amount"] == "150.0"
    assert event["raw"] == json.loads(delivery["body"])

    final_page = shop.client.get(f"/pay/{order_id}")
    assert "Paid" in final_page.text and payment["mpesa_reference"] in final_page.text
    assert "<script>" not in final_page.text  # nothing left to watch
    assert PAY_BUTTON not in final_page.text


def failing_phone_shows_reason(shop: Shop) -> None:
    order_id = shop.pay(FAILS, "150")
    payment = shop.wait_until_done(order_id)
    assert payment["status"] == "Failed" and payment["state"] == "failed"
    assert payment["reason"] == FAILURE_REASON
    assert payment["mpesa_reference"] is None
    page = shop.client.get(f"/pay/{order_id}")
    assert "Payment failed" in page.text and FAILURE_REASON in page.text
    (event,) = shop.events(topic="incoming_payment")
    assert event["id"] == payment["payment_id"] and event["status"] == "Failed"

    # Failed took no money: the page offers a new attempt, under a new key.
    assert pay_button(order_id) in page.text and payment["retry"] is True
    again = shop.client.post(f"/pay/{order_id}")
    assert again.status_code == 303 and again.headers["location"] == f"/pay/{order_id}"
    second = shop.wait_until_done(order_id)
    assert second["attempt"] == 2 and second["key"] == f"order-{order_id}/attempt-2"
    assert second["state"] == "failed" and second["payment_id"] != payment["payment_id"]
    assert len(shop.events(topic="incoming_payment")) == 2


def duplicate_delivery_stored_once(shop: Shop) -> None:
    order_id = shop.pay(SUCCEEDS)
    payment_id = shop.wait_until_done(order_id)["payment_id"]
    delivery = shop.callback_delivery(payment_id)
    for _ in range(2):
        replay = shop.post_callback(delivery["body"], delivery["signature"])
        assert replay.status_code == 200
        assert replay.json() == {"status": "duplicate"}
    assert [event["id"] for event in shop.events()] == [payment_id]
    assert shop.payment(order_id)["status"] == "Success"


def bad_signature_rejected(shop: Shop) -> None:
    order_id = shop.pay(SUCCEEDS)
    payment_id = shop.wait_until_done(order_id)["payment_id"]
    delivery = shop.callback_delivery(payment_id)
    forged = delivery["body"].replace('"status":"Success"', '"status":"Failed"')
    assert forged != delivery["body"]
    attempts = [
        (forged, delivery["signature"]),  # a tampered body under the real signature
        (forged, compute_signature(forged.encode(), "not-the-api-key")),  # signed with another key
        (forged, None),  # not signed at all
        (forged, "0" * 64),
    ]
    for body, signature in attempts:
        response = shop.post_callback(body, signature)
        assert response.status_code == 401, (signature, response.text)
        assert response.json() == {"status": "rejected", "error": "invalid signature"}
    assert len(shop.events()) == 1
    assert shop.payment(order_id)["status"] == "Success"


def buygoods_webhook_listed(shop: Shop, subscribe: Callable[[], list[str]]) -> None:
    locations = subscribe()
    assert len(locations) == 3 and all("/webhook_subscriptions/" in location for location in locations)
    simulated = shop.sandbox.control(
        "POST",
        "/sandbox/simulate/buygoods_transaction_received",
        {"till_number": "000000", "amount": "250", "phone": "+254712345678"},
    )
    assert simulated.status_code == 200, simulated.text
    event_id = simulated.json()["event_ids"][0]
    reference = simulated.json()["transaction"]["reference"]
    (event,) = wait_until(
        lambda: shop.events(topic="buygoods_transaction_received") or None, "the buy-goods webhook"
    )
    assert event["id"] == event_id and event["endpoint"] == "webhooks" and event["kind"] == "webhook"
    assert event["amount"] == "250.0" and event["phone"] == "+254712345678"
    assert event["reference"] == reference and event["status"] == "Received"
    assert event["raw"]["event"]["resource"]["till_number"] == "000000"
    (delivery,) = shop.sandbox.deliveries(kind="webhook", event_id=event_id)
    assert delivery["url"] == f"{shop.url}/k2/webhooks" and delivery["status_code"] == 200


def invalid_input_rerenders_form(shop: Shop) -> None:
    cases = (
        ("12345", "100", "phone_number is not a Kenyan mobile number"),
        ("0712345678", "ten", "amount is not a number"),
        ("", "100", "phone_number is required"),
    )
    for phone, amount, error in cases:
        response = shop.client.post("/pay", data={"phone": phone, "amount": amount})
        assert response.status_code == 400
        alert = re.search(r"<p class='error' role='alert'>(.*?)</p>", response.text)
        assert alert is not None and alert.group(1).startswith(error), response.text
        assert f'value="{phone}"' in response.text and f'value="{amount}"' in response.text
    assert shop.sandbox.deliveries() == []
    assert shop.events() == []


def status_check_when_callback_is_lost(shop: Shop) -> None:
    # The app told K2 to call back to a dead address, and looks payments up after 0 s without a callback.
    order_id = shop.pay(SUCCEEDS)
    payment = shop.wait_until_done(order_id)
    assert payment["status"] == "Success" and payment["updated_by"] == "status check"
    assert payment["mpesa_reference"] and payment["checked_at"]
    assert shop.events() == []


def unknown_payment_is_404(shop: Shop) -> None:
    missing = shop.client.get("/payments/no-such-payment")
    assert missing.status_code == 404 and missing.json() == {"detail": "no such payment"}
    page = shop.client.get("/pay/no-such-payment")
    assert page.status_code == 404 and "No such payment" in page.text


def stk_pushes(shop: Shop) -> set[str]:
    """The ids of the STK pushes the sandbox processed (each has a callback delivery, delivered or not)."""
    return {str(d["resource_id"]) for d in shop.sandbox.deliveries(kind="callback")}


def ambiguous_push_is_confirmed_never_repaid(shop: Shop, k2: K2) -> None:
    """The shop's callbacks go nowhere (a dead PUBLIC_URL), so the test relays the sandbox's signed one."""
    armed = shop.sandbox.control("POST", "/sandbox/faults", AMBIGUOUS_FAULT)
    assert armed.status_code == 201, armed.text
    order_id = shop.pay(SUCCEEDS, "150")
    payment = shop.payment(order_id)
    assert payment["state"] == "ambiguous" and payment["status"] == "Pending"
    assert payment["done"] is False and payment["retry"] is False and payment["location"] is None
    page = shop.client.get(f"/pay/{order_id}")
    assert "We are confirming your payment" in page.text
    assert PAY_BUTTON not in page.text and "<script>" in page.text

    # Paying again while it is being confirmed sends nothing (no second STK push, no second intent).
    (pushed,) = wait_until(lambda: stk_pushes(shop) or None, "the sandbox to process the STK push")
    again = shop.client.post(f"/pay/{order_id}")
    assert again.status_code == 303
    assert shop.payment(order_id)["attempt"] == 1 and stk_pushes(shop) == {pushed}
    assert [intent.key for intent in k2.intents.list()] == [f"order-{order_id}/attempt-1"]

    # K2's signed callback (tagged with the intent) settles it: paid, with the M-PESA reference.
    delivery = wait_until(
        lambda: next(iter(shop.sandbox.deliveries(kind="callback", resource_id=pushed)), None),
        "the sandbox's callback",
    )
    assert shop.post_callback(delivery["body"], delivery["signature"]).status_code == 200
    paid = shop.payment(order_id)
    assert paid["state"] == "succeeded" and paid["status"] == "Success" and paid["updated_by"] == "callback"
    assert paid["mpesa_reference"] and paid["mpesa_reference"] in shop.client.get(f"/pay/{order_id}").text
    assert stk_pushes(shop) == {pushed}


def unresolved_push_offers_no_payment_until_resolved_not_sent(shop: Shop, k2: K2) -> None:
    """Ambiguous past the horizon: "contact us", no Pay button; a person's "not sent" allows paying."""
    armed = shop.sandbox.control("POST", "/sandbox/faults", {**AMBIGUOUS_FAULT, "kind": "drop"})
    assert armed.status_code == 201, armed.text
    order_id = shop.pay(SUCCEEDS, "150")
    key = f"order-{order_id}/attempt-1"
    assert shop.payment(order_id)["state"] == "ambiguous"
    report = k2.intents.reconcile(horizon=0)
    assert report.count(IntentState.AMBIGUOUS, IntentState.UNRESOLVED) == 1

    payment = shop.payment(order_id)
    assert payment["state"] == "unresolved" and payment["status"] == "Unconfirmed"
    assert payment["done"] is True and payment["retry"] is False
    page = shop.client.get(f"/pay/{order_id}")
    assert "We could not confirm this payment; contact us" in page.text and PAY_BUTTON not in page.text
    assert shop.client.post(f"/pay/{order_id}").status_code == 303
    assert k2.intents.get(key) is not None and shop.payment(order_id)["state"] == "unresolved"

    # Someone checked with Kopo Kopo: the push was not processed. The same key is sent again.
    (pushed,) = wait_until(lambda: stk_pushes(shop) or None, "the sandbox to process the STK push")
    k2.intents.resolve(key, sent=False, note="checked the K2 dashboard: no such payment")
    resolved = shop.payment(order_id)
    assert resolved["state"] == "recorded" and resolved["retry"] is True
    assert pay_button(order_id) in shop.client.get(f"/pay/{order_id}").text
    assert shop.client.post(f"/pay/{order_id}").status_code == 303
    sent = shop.payment(order_id)
    assert sent["attempt"] == 1 and sent["key"] == key and sent["state"] in ("sent", "succeeded")
    assert [intent.key for intent in k2.intents.list()] == [key]
    second = wait_until(lambda: (stk_pushes(shop) - {pushed}) or None, "the second STK push")
    assert len(second) == 1
