"""What both example apps must do, checked over real loopback HTTP against the sandbox.

Each function drives one ``Shop`` (an app being served) the way a customer's browser and K2 would; the test
files run them against the FastAPI and the Flask app.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from k2connect_ext.webhooks import compute_signature

from .harness import Shop, wait_until

SUCCEEDS = "0712345678"
FAILS = "0712340001"  # the sandbox fails STK pushes to phones ending 0001 with this reason:
FAILURE_REASON = "The initiator information is invalid."


def form_payment_succeeds(shop: Shop) -> None:
    form = shop.client.get("/")
    assert form.status_code == 200 and form.headers["content-type"].startswith("text/html")
    assert '<form method="post" action="/pay">' in form.text
    assert 'name="phone"' in form.text and 'name="amount"' in form.text

    payment_id = shop.pay(SUCCEEDS, "150")
    page = shop.client.get(f"/pay/{payment_id}")
    assert page.status_code == 200
    assert f'data-url="/payments/{payment_id}"' in page.text

    payment = shop.wait_until_done(payment_id)
    assert payment["status"] == "Success"
    assert payment["updated_by"] == "callback"
    assert payment["reason"] is None
    assert payment["phone"] == SUCCEEDS and payment["amount"] == "150" and payment["currency"] == "KES"
    assert payment["mpesa_reference"]

    delivery = shop.callback_delivery(payment_id)
    assert delivery["url"] == f"{shop.url}/k2/callbacks"
    assert delivery["status_code"] == 200 and delivery["signature"]
    (event,) = shop.events(topic="incoming_payment")
    assert event["id"] == payment_id and event["status"] == "Success" and event["endpoint"] == "callbacks"
    assert event["kind"] == "result" and event["phone"] == "+254712345678" and event["amount"] == "150.0"
    assert event["raw"] == json.loads(delivery["body"])

    final_page = shop.client.get(f"/pay/{payment_id}")
    assert "Success" in final_page.text and payment["mpesa_reference"] in final_page.text
    assert "<script>" not in final_page.text  # nothing left to watch


def failing_phone_shows_reason(shop: Shop) -> None:
    payment_id = shop.pay(FAILS, "150")
    payment = shop.wait_until_done(payment_id)
    assert payment["status"] == "Failed"
    assert payment["reason"] == FAILURE_REASON
    assert payment["mpesa_reference"] is None
    page = shop.client.get(f"/pay/{payment_id}")
    assert "Failed" in page.text and FAILURE_REASON in page.text
    (event,) = shop.events(topic="incoming_payment")
    assert event["id"] == payment_id and event["status"] == "Failed"


def duplicate_delivery_stored_once(shop: Shop) -> None:
    payment_id = shop.pay(SUCCEEDS)
    shop.wait_until_done(payment_id)
    delivery = shop.callback_delivery(payment_id)
    for _ in range(2):
        replay = shop.post_callback(delivery["body"], delivery["signature"])
        assert replay.status_code == 200
        assert replay.json() == {"status": "duplicate"}
    assert [event["id"] for event in shop.events()] == [payment_id]
    assert shop.payment(payment_id)["status"] == "Success"


def bad_signature_rejected(shop: Shop) -> None:
    payment_id = shop.pay(SUCCEEDS)
    shop.wait_until_done(payment_id)
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
    assert shop.payment(payment_id)["status"] == "Success"


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
    payment_id = shop.pay(SUCCEEDS)
    payment = shop.wait_until_done(payment_id)
    assert payment["status"] == "Success" and payment["updated_by"] == "status check"
    assert payment["mpesa_reference"] and payment["checked_at"]
    assert shop.events() == []


def unknown_payment_is_404(shop: Shop) -> None:
    missing = shop.client.get("/payments/no-such-payment")
    assert missing.status_code == 404 and missing.json() == {"detail": "no such payment"}
    page = shop.client.get("/pay/no-such-payment")
    assert page.status_code == 404 and "No such payment" in page.text
