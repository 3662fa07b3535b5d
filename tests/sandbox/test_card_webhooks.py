"""Card payments: the card_transaction_{received,voided,reversed} simulations and their webhooks."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from k2connect_ext.webhooks._signatures import compute_signature
from k2connect_sandbox.spec import k2_spec
from k2connect_sandbox.validation import SchemaSet

from . import payloads
from .flows import control, created, deliveries, eventually, final, pay_till
from .receiver import Received, Receiver

pytestmark = pytest.mark.sandbox

API_KEY = "sandbox-api-key"
SCHEMAS = SchemaSet(k2_spec(), "urn:test:cards")
TILL = "514459"
TOPICS = ("card_transaction_received", "card_transaction_voided", "card_transaction_reversed")


def _checked(request: Received, topic: str) -> dict[str, Any]:
    """The webhook body, after checking its signature, compact bytes and schema."""
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-kopokopo-signature"] == compute_signature(request.body, API_KEY)
    body: dict[str, Any] = json.loads(request.body)
    assert request.body == json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    pointer = f"/webhooks/{topic}/post/requestBody/content/application~1json/schema"
    assert SCHEMAS.errors(pointer, body) == []
    assert body["topic"] == topic and body["event"]["type"] == "Card Transaction"
    return body


async def _subscribe(
    client: httpx.AsyncClient, headers: dict[str, str], receiver: Receiver, topic: str, till: str | None
) -> tuple[str, str]:
    url = receiver.url(f"{topic}-{till or 'company'}")
    location = await created(
        client, headers, "/api/v2/webhook_subscriptions", payloads.subscription(url, topic, till)
    )
    return url, location.rsplit("/", 1)[1]


async def _card(
    client: httpx.AsyncClient, till: str = TILL, amount: Any = "250", **extra: Any
) -> dict[str, Any]:
    return await control(
        client,
        "POST",
        "/sandbox/simulate/card_transaction_received",
        {"till_number": till, "amount": amount, **extra},
    )


async def _balance(client: httpx.AsyncClient) -> Decimal:
    return Decimal((await control(client, "GET", "/sandbox/ledger"))["balance"])


@pytest.mark.parametrize("undo", ["voided", "reversed"])
async def test_card_payment_then_void_or_reversal_webhooks(
    client: httpx.AsyncClient, headers: dict[str, str], receiver: Receiver, undo: str
) -> None:
    """A card payment reaches the till-scoped subscriptions of its till and company-scoped ones (never
    another till's), signed and conforming, with the masked card number and ``settled: false``; voiding
    or reversing it sends the matching webhook with the new status and takes it out of the balance.
    Everything lands in /sandbox/events and /sandbox/deliveries."""
    received_topic, undo_topic = "card_transaction_received", f"card_transaction_{undo}"
    mine, mine_id = await _subscribe(client, headers, receiver, received_topic, TILL)
    company, company_id = await _subscribe(client, headers, receiver, received_topic, None)
    other, _ = await _subscribe(client, headers, receiver, received_topic, "999999")
    undone, undone_id = await _subscribe(client, headers, receiver, undo_topic, TILL)
    opening = await _balance(client)

    result = await _card(client, card_last4="4242")
    tx = result["transaction"]
    assert tx["kind"] == "card" and tx["status"] == "Received"
    assert tx["customer_cc_number"] == "************4242"
    (event,) = result["events"]
    assert event["topic"] == received_topic
    assert sorted(event["subscription_ids"]) == sorted([mine_id, company_id])
    assert await _balance(client) == opening + 250

    for url in (mine, company):
        (request,) = await receiver.await_for(url)
        body = _checked(request, received_topic)
        assert body["id"] == event["id"]
        assert body["_links"]["resource"].endswith(f"/financial_transaction/{tx['id']}")
        assert body["event"]["resource"] == {
            "id": tx["id"],
            "reference": tx["reference"],
            "origination_time": tx["origination_time"],
            "amount": "250.0",
            "currency": "KES",
            "status": "Received",
            "till_number": TILL,
            "customer_cc_number": "************4242",
            "settled": False,
        }

    changed = await control(client, "POST", f"/sandbox/simulate/{undo_topic}", {"reference": tx["reference"]})
    status = "Voided" if undo == "voided" else "Reversed"
    assert changed["transaction"]["status"] == status
    assert changed["events"][0]["topic"] == undo_topic and changed["events"][0]["subscription_ids"] == [
        undone_id
    ]
    (request,) = await receiver.await_for(undone)
    resource = _checked(request, undo_topic)["event"]["resource"]
    assert resource["status"] == status and resource["reference"] == tx["reference"]
    assert resource["customer_cc_number"] == "************4242" and "settled" not in resource
    assert await _balance(client) == opening
    assert receiver.received(other) == []

    events = (await control(client, "GET", "/sandbox/events"))["events"]
    assert [e["topic"] for e in events] == [received_topic, undo_topic]
    assert events[0]["till"] == TILL and events[1]["body"]["event"]["resource"]["status"] == status
    log = await eventually(
        lambda: deliveries(client, kind="webhook", topic=undo_topic), lambda found: bool(found)
    )
    assert log[0]["delivered"] and log[0]["event_id"] == changed["event_ids"][0]
    assert log[0]["resource_id"] == tx["id"] and log[0]["subscription_id"] == undone_id


async def test_card_defaults_and_company_scope(
    client: httpx.AsyncClient, headers: dict[str, str], receiver: Receiver
) -> None:
    """Without card_last4 the masked number ends 1234; a K-prefixed till is the same till; every card
    topic reaches company-scoped subscriptions."""
    urls = {topic: (await _subscribe(client, headers, receiver, topic, None))[0] for topic in TOPICS}
    first = await _card(client, till="K514459", amount=99.5)
    assert first["transaction"]["customer_cc_number"] == "************1234"
    second = await _card(client)
    for topic, reference in (
        ("card_transaction_voided", first["transaction"]["reference"]),
        ("card_transaction_reversed", second["transaction"]["reference"]),
    ):
        await control(client, "POST", f"/sandbox/simulate/{topic}", {"reference": reference})
    received = [
        _checked(r, "card_transaction_received") for r in await receiver.await_for(urls[TOPICS[0]], 2)
    ]
    assert [b["event"]["resource"]["till_number"] for b in received] == [TILL, TILL]
    assert sorted(b["event"]["resource"]["amount"] for b in received) == ["250.0", "99.5"]  # any order
    for topic in TOPICS[1:]:
        (request,) = await receiver.await_for(urls[topic])
        _checked(request, topic)


async def test_card_void_and_reversal_refusals(client: httpx.AsyncClient) -> None:
    """Voiding or reversing twice (or both) conflicts (409); an unknown reference or one of an M-PESA
    transaction is 404; malformed bodies are 400."""
    reference = (await _card(client))["transaction"]["reference"]
    void, reverse = (f"/sandbox/simulate/{topic}" for topic in TOPICS[1:])
    assert (await client.post(void, json={"reference": reference})).status_code == 200
    for path in (void, reverse):
        refused = await client.post(path, json={"reference": reference})
        assert refused.status_code == 409 and "already voided" in refused.json()["error_message"]
    buygoods = (await pay_till(client))["transaction"]["reference"]
    for path, body in ((reverse, {"reference": buygoods}), (void, {"reference": "NOSUCH"})):
        missing = await client.post(path, json=body)
        assert missing.status_code == 404 and "No card transaction" in missing.json()["error_message"]
    mpesa_reversal = await client.post(
        "/sandbox/simulate/buygoods_transaction_reversed", json={"reference": reference}
    )
    assert mpesa_reversal.status_code == 404
    received = "/sandbox/simulate/card_transaction_received"
    for path, body, expected in (
        (received, {"till_number": TILL, "amount": "5", "card_last4": "12a4"}, "card_last4"),
        (received, {"till_number": TILL, "amount": "5", "card_last4": "12345"}, "card_last4"),
        (received, {"till_number": TILL}, "amount is required"),
        (received, {"till_number": "", "amount": "5"}, "till_number"),
        (void, {}, "reference is required"),
    ):
        response = await client.post(path, json=body)
        assert response.status_code == 400 and expected in response.json()["error_message"], body


async def test_card_transactions_are_not_reversed_through_the_api(
    client: httpx.AsyncClient, headers: dict[str, str], receiver: Receiver
) -> None:
    """``/api/v2/reversals`` reverses received M-PESA transactions: a card reference ends Failed there and
    the card transaction stays Received (card reversals come from the card network: simulate them)."""
    reference = (await _card(client))["transaction"]["reference"]
    location = await created(
        client, headers, "/api/v2/reversals", payloads.reversal(receiver.url(), reference)
    )
    result = (await final(client, headers, location, "Received"))["data"]["attributes"]
    assert result["status"] == "Failed"
    ledger = (await control(client, "GET", "/sandbox/ledger"))["transactions"]
    assert [t["status"] for t in ledger if t["reference"] == reference] == ["Received"]
