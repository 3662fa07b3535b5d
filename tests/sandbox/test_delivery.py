"""Callbacks and webhooks: signed exact bytes, at-least-once retries, fan-out to subscriptions."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from k2connect_ext.webhooks._signatures import compute_signature, verify_signature
from k2connect_sandbox.app import create_app
from k2connect_sandbox.config import SandboxConfig
from k2connect_sandbox.spec import k2_spec
from k2connect_sandbox.validation import SchemaSet

from . import payloads
from .conftest import ASGI_BASE, atoken_of
from .flows import control, created, deliveries, eventually, final, pay_till
from .receiver import Received, Receiver

pytestmark = pytest.mark.sandbox

API_KEY = "sandbox-api-key"
SCHEMAS = SchemaSet(k2_spec(), "urn:test:delivery")


def _compact(raw: bytes) -> bytes:
    return json.dumps(json.loads(raw), separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _assert_signed(request: Received) -> None:
    assert request.headers["content-type"] == "application/json"
    signature = request.headers["x-kopokopo-signature"]
    assert signature == compute_signature(request.body, API_KEY)
    verify_signature(request.body, signature, API_KEY)
    assert request.body == _compact(request.body), "not compact, JSON.stringify-style bytes"


def _webhook_schema_errors(topic: str, body: Any) -> list[str]:
    pointer = f"/webhooks/{topic}/post/requestBody/content/application~1json/schema"
    return SCHEMAS.errors(pointer, body)


async def test_callback_is_the_get_body_signed(
    client: httpx.AsyncClient, headers: dict[str, str], receiver: Receiver
) -> None:
    """The callback carries exactly the GET body's bytes, compact UTF-8, signed with the API key."""
    url = receiver.url()
    body = payloads.stk(url)
    body["subscriber"]["first_name"] = "Wanjikũ / Ōtieno"
    location = await created(client, headers, "/api/v1/incoming_payments", body)
    (callback,) = await receiver.await_for(url)
    _assert_signed(callback)
    got = await client.get(location, headers=headers)
    assert callback.body == got.content
    assert "Wanjikũ / Ōtieno".encode() in callback.body  # raw UTF-8, "/" unescaped
    pointer = "/components/schemas/IncomingPaymentResult"
    assert SCHEMAS.errors(pointer, json.loads(callback.body)) == []


async def test_every_async_resource_posts_its_callback(
    client: httpx.AsyncClient, headers: dict[str, str], receiver: Receiver
) -> None:
    """Payments, transfers, polling, SMS, send money and reversals all POST their final body."""
    urls = {name: receiver.url(name) for name in ("pay", "settle", "poll", "sms", "send", "reverse")}
    recipient = (await created(client, headers, "/api/v1/pay_recipients", payloads.recipient())).rsplit(
        "/", 1
    )[1]
    event_id = (await pay_till(client))["event_ids"][0]
    locations = {
        "pay": await created(client, headers, "/api/v1/payments", payloads.payment(urls["pay"], recipient)),
        "settle": await created(
            client, headers, "/api/v1/settlement_transfers", payloads.settlement(urls["settle"])
        ),
        "poll": await created(
            client,
            headers,
            "/api/v1/polling",
            payloads.polling(urls["poll"], "2020-01-01T00:00:00Z", "2030-01-01T00:00:00Z"),
        ),
        "sms": await created(
            client, headers, "/api/v1/transaction_sms_notifications", payloads.sms(urls["sms"], event_id)
        ),
        "send": await created(client, headers, "/api/v2/send_money", payloads.send_money(urls["send"])),
        "reverse": await created(
            client, headers, "/api/v2/reversals", payloads.reversal(urls["reverse"], "NOPE000002")
        ),
    }
    for name, url in urls.items():
        (callback,) = await receiver.await_for(url)
        _assert_signed(callback)
        assert callback.body == (await client.get(locations[name], headers=headers)).content


async def test_failing_receiver_gets_retries_until_2xx(
    client: httpx.AsyncClient, headers: dict[str, str], receiver: Receiver
) -> None:
    """A receiver answering 500 twice gets the same signed bytes again until it answers 200."""
    url = receiver.url("flaky", fail_first=2)
    location = await created(client, headers, "/api/v1/incoming_payments", payloads.stk(url))
    attempts = await receiver.await_for(url, 3)
    assert [a.answered for a in attempts] == [500, 500, 200]
    assert (
        len({a.body for a in attempts}) == 1
        and len({a.headers["x-kopokopo-signature"] for a in attempts}) == 1
    )
    resource_id = location.rsplit("/", 1)[1]
    log = await eventually(lambda: deliveries(client, resource_id=resource_id), lambda d: len(d) == 3)
    assert [(d["attempt"], d["status_code"], d["delivered"]) for d in log] == [
        (1, 500, False),
        (2, 500, False),
        (3, 200, True),
    ]
    assert all(d["kind"] == "callback" and d["topic"] == "incoming_payment" and d["url"] == url for d in log)


async def test_unreachable_receiver_is_retried_within_bounds() -> None:
    """A receiver that is down gets max_attempts tries, each logged with the connection error."""
    config = SandboxConfig(callback_delay=0, delivery_max_attempts=3, delivery_initial_backoff=0.01)
    app = create_app(config)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ASGI_BASE) as c:
        headers = {"Authorization": f"Bearer {await atoken_of(c)}"}
        await created(c, headers, "/api/v1/incoming_payments", payloads.stk("http://127.0.0.1:9/down"))
        log = await eventually(lambda: deliveries(c), lambda d: len(d) >= 3)
        await eventually(lambda: deliveries(c), lambda d: app.sandbox.scheduler.pending() == 0)
        assert [d["attempt"] for d in log] == [1, 2, 3]
        assert all(d["status_code"] is None and d["error"] and not d["delivered"] for d in log)


async def test_plain_http_to_a_remote_host_is_refused(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    """Callbacks are never sent in clear text off the machine (the real K2 only calls HTTPS)."""
    await created(client, headers, "/api/v1/incoming_payments", payloads.stk("http://example.com/cb"))
    (entry,) = await eventually(lambda: deliveries(client), lambda d: len(d) == 1)
    assert entry["error"].startswith("refused: plain http") and entry["status_code"] is None


async def test_webhooks_fan_out_by_topic_and_till(
    client: httpx.AsyncClient, headers: dict[str, str], receiver: Receiver
) -> None:
    """A till payment reaches till-scoped subscriptions of that till and company-scoped ones only."""
    mine, company, other, wrong_topic = (receiver.url(n) for n in ("mine", "company", "other", "topic"))
    subscriptions = [
        ("/api/v1/webhook_subscriptions", payloads.subscription(mine, till="514459")),
        ("/api/v2/webhook_subscriptions", payloads.subscription(company, till=None)),
        ("/api/v1/webhook_subscriptions", payloads.subscription(other, till="999999")),
        (
            "/api/v1/webhook_subscriptions",
            payloads.subscription(wrong_topic, "b2b_transaction_received", "514459"),
        ),
    ]
    for path, body in subscriptions:
        await created(client, headers, path, body)
    result = await pay_till(
        client, till="514459", amount=250, phone="+254722000111", first_name="Jane", last_name="Doe"
    )
    assert len(result["events"][0]["subscription_ids"]) == 2
    event_id = result["event_ids"][0]
    for url in (mine, company):
        (webhook,) = await receiver.await_for(url)
        _assert_signed(webhook)
        body = json.loads(webhook.body)
        assert body["topic"] == "buygoods_transaction_received" and body["id"] == event_id
        assert (
            body["event"]["resource"]["amount"] == "250.0"
            and body["event"]["resource"]["till_number"] == "514459"
        )
        assert body["_links"]["self"].endswith(f"/webhook_events/{event_id}")
        assert _webhook_schema_errors("buygoods_transaction_received", body) == []
    assert receiver.received(other) == [] and receiver.received(wrong_topic) == []


async def test_customer_created_only_for_a_new_phone(
    client: httpx.AsyncClient, headers: dict[str, str], receiver: Receiver
) -> None:
    """customer_created fires the first time a phone pays, not the second."""
    url = receiver.url("customers")
    await created(
        client, headers, "/api/v1/webhook_subscriptions", payloads.subscription(url, "customer_created", None)
    )
    first = await pay_till(client, phone="+254733000222", first_name="Amina")
    second = await pay_till(client, phone="+254733000222")
    assert [e["topic"] for e in first["events"]] == ["buygoods_transaction_received", "customer_created"]
    assert [e["topic"] for e in second["events"]] == ["buygoods_transaction_received"]
    (webhook,) = await receiver.await_for(url)
    body = json.loads(webhook.body)
    assert body["event"]["resource"]["phone_number"] == "+254733000222"
    assert _webhook_schema_errors("customer_created", body) == []


async def test_daraja_payload_subscription(
    client: httpx.AsyncClient, headers: dict[str, str], receiver: Receiver
) -> None:
    """A v2 subscription with enable_daraja_payload receives the flat Daraja body, signed."""
    url = receiver.url("daraja")
    await created(client, headers, "/api/v2/webhook_subscriptions", payloads.subscription(url, daraja=True))
    tx = (await pay_till(client, till="514459", amount="100", phone="+254744000333", first_name="Jane"))[
        "transaction"
    ]
    (webhook,) = await receiver.await_for(url)
    _assert_signed(webhook)
    body = json.loads(webhook.body)
    assert body["TransactionType"] == "Buygoods" and body["TransID"] == tx["reference"]
    assert (
        body["BusinessShortCode"] == "514459"
        and body["TransAmount"] == "100.0"
        and len(body["TransTime"]) == 14
    )
    assert _webhook_schema_errors("buygoods_transaction_received", body) == []


SIMULATIONS = [
    ("buygoods_transaction_reversed", None),
    ("b2b_transaction_received", {"till_number": "514459", "amount": "313", "sending_till": "890642"}),
    ("b2b_transaction_reversed", None),
    ("m2m_transaction_received", {"amount": 456, "sending_merchant": "Jane Flowers"}),
    ("settlement_transfer_completed", {"amount": "49452.0"}),
    ("settlement_transfer_completed", {"amount": "100", "destination_type": "mobile_wallet"}),
]


@pytest.mark.parametrize(
    ("topic", "body"), SIMULATIONS, ids=[f"{t}-{i}" for i, (t, _) in enumerate(SIMULATIONS)]
)
async def test_simulations_send_webhooks(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    receiver: Receiver,
    topic: str,
    body: dict[str, Any] | None,
) -> None:
    """Each control-API simulation delivers a schema-valid, signed webhook of its topic."""
    url = receiver.url(topic)
    till = "514459" if topic.startswith(("buygoods", "b2b")) else None
    # Each API version has its own event list (b2b reversals are v2 only, m2m v1 only).
    v1_topics = k2_spec()["components"]["schemas"]["WebhookV1EventType"]["enum"]
    version = "v1" if topic in v1_topics else "v2"
    await created(
        client, headers, f"/api/{version}/webhook_subscriptions", payloads.subscription(url, topic, till)
    )
    if body is None:  # a reversal needs a transaction to reverse
        if topic.startswith("b2b"):
            received = await control(
                client,
                "POST",
                "/sandbox/simulate/b2b_transaction_received",
                {"till_number": "514459", "amount": 5},
            )
        else:
            received = await pay_till(client)
        body = {"reference": received["transaction"]["reference"]}
    result = await control(client, "POST", f"/sandbox/simulate/{topic}", body)
    (webhook,) = await receiver.await_for(url)
    _assert_signed(webhook)
    payload = json.loads(webhook.body)
    assert payload["topic"] == topic and payload["id"] == result["event_ids"][0]
    assert _webhook_schema_errors(topic, payload) == []
    if topic == "settlement_transfer_completed":
        expected = "Mobile Wallet" if body.get("destination_type") == "mobile_wallet" else "Bank Account"
        assert payload["event"]["resource"]["destination"]["type"] == expected


async def test_reversing_twice_through_the_control_api_conflicts(client: httpx.AsyncClient) -> None:
    """The control API refuses to reverse an unknown or already reversed transaction."""
    reference = (await pay_till(client))["transaction"]["reference"]
    path = "/sandbox/simulate/buygoods_transaction_reversed"
    assert (await client.post(path, json={"reference": reference})).status_code == 200
    assert (await client.post(path, json={"reference": reference})).status_code == 409
    assert (await client.post(path, json={"reference": "NOSUCH"})).status_code == 404
    assert (await client.post(path, json={})).status_code == 400


async def test_reset_forgets_everything(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    """POST /sandbox/reset drops tokens, resources, the ledger and the delivery log."""
    location = await created(
        client, headers, "/api/v1/incoming_payments", payloads.stk("http://127.0.0.1:9/cb")
    )
    await final(client, headers, location, "Pending")
    await control(client, "POST", "/sandbox/reset")
    assert (await client.get(location, headers=headers)).status_code == 401
    assert (await control(client, "GET", "/sandbox/ledger"))["transactions"] == []
    fresh = {"Authorization": f"Bearer {await atoken_of(client)}"}
    assert (await client.get(location, headers=fresh)).status_code == 404
