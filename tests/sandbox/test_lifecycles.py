"""Lifecycles of the asynchronous resources: pending, then their final state, as K2 would report it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from k2connect_sandbox.app import create_app
from k2connect_sandbox.clock import EAT, ManualClock
from k2connect_sandbox.config import SandboxConfig
from k2connect_sandbox.outcomes import STK_PHONE_FAILURES, stk_failure
from k2connect_sandbox.server import serve_in_thread
from k2connect_sandbox.wire import money

from . import payloads
from .conformance import async_hook
from .conftest import ASGI_BASE, atoken_of
from .flows import control, created, final, pay_till, read
from .receiver import Receiver

pytestmark = pytest.mark.sandbox

MPESA_CODE = re.compile(r"[A-Z][A-Z0-9]{9}")


def _attributes(body: dict[str, Any]) -> dict[str, Any]:
    attributes: dict[str, Any] = body["data"]["attributes"]
    return attributes


async def test_stk_push_succeeds_like_the_fixture(
    client: httpx.AsyncClient, headers: dict[str, str], receiver: Receiver
) -> None:
    """An ordinary STK push ends Success with an M-PESA transaction in event.resource."""
    location = await created(
        client, headers, "/api/v2/incoming_payments", payloads.stk(receiver.url(), value=100)
    )
    attributes = _attributes(await final(client, headers, location, "Pending"))
    assert attributes["status"] == "Success" and attributes["event"]["errors"] is None
    resource = attributes["event"]["resource"]
    assert MPESA_CODE.fullmatch(resource["reference"])
    assert resource["amount"] == "100.0" and resource["currency"] == "KES"
    assert resource["till_number"] == "K000000" and resource["system"] == "Lipa Na M-PESA"
    assert resource["status"] == "Received" and resource["sender_phone_number"] == payloads.STK_PHONE
    assert (resource["sender_first_name"], resource["sender_middle_name"], resource["sender_last_name"]) == (
        "Joe",
        None,
        "Buyer",
    )
    assert resource["origination_time"].endswith("+03:00")
    assert attributes["metadata"] == payloads.stk("x")["metadata"]
    ledger = await control(client, "GET", "/sandbox/ledger")
    assert [tx["reference"] for tx in ledger["transactions"]] == [resource["reference"]]


STK_FAILURES = [(f"+25470000{suffix}", "100", message) for suffix, message in STK_PHONE_FAILURES.items()]
STK_FAILURES.append(("+254999999999", "999999", "The balance is insufficient for the transaction."))


@pytest.mark.parametrize(("phone", "value", "message"), STK_FAILURES)
async def test_stk_push_failure_test_values(
    client: httpx.AsyncClient, headers: dict[str, str], phone: str, value: str, message: str
) -> None:
    """The documented test values end Failed with K2's error string and no resource."""
    location = await created(
        client, headers, "/api/v1/incoming_payments", payloads.stk("https://e.com/cb", phone, value)
    )
    attributes = _attributes(await final(client, headers, location, "Pending"))
    assert attributes["status"] == "Failed"
    assert attributes["event"] == {"type": "Incoming Payment Request", "resource": None, "errors": message}
    assert (await control(client, "GET", "/sandbox/ledger"))["transactions"] == []


def test_outcome_rules_and_money_format() -> None:
    """Phone suffixes win over amounts; amounts render like K2's ("100.0", "10.5")."""
    assert stk_failure("+254 700 000 002", "999999") == "Request cancelled by user"
    assert stk_failure("0712000005", "999998.99") is None
    assert [money(v) for v in (100, "1", 10.5, "10.25", "1000.00")] == [
        "100.0",
        "1.0",
        "10.5",
        "10.25",
        "1000.0",
    ]


async def test_pending_is_visible_until_callback_delay() -> None:
    """With a callback delay, GET shows Pending and a null resource first, then the outcome."""
    app = create_app(SandboxConfig(callback_delay=0.3, delivery_max_attempts=1))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url=ASGI_BASE, event_hooks={"response": [async_hook]}
    ) as c:
        headers = {"Authorization": f"Bearer {await atoken_of(c)}"}
        location = await created(
            c, headers, "/api/v1/incoming_payments", payloads.stk("http://127.0.0.1:9/cb")
        )
        pending = _attributes(await read(c, headers, location))
        assert pending["status"] == "Pending" and pending["event"]["resource"] is None
        assert _attributes(await final(c, headers, location, "Pending"))["status"] == "Success"
    await app.sandbox.scheduler.aclose()


def test_pending_over_loopback_resolves_without_reads(receiver: Receiver) -> None:
    """Over real HTTP the callback fires after the delay even though nobody GETs the resource."""
    with (
        serve_in_thread(SandboxConfig(callback_delay=0.2)) as sandbox,
        httpx.Client(base_url=sandbox.base_url) as c,
    ):
        headers = {"Authorization": f"Bearer {sandbox.token()}"}
        url = receiver.url()
        response = c.post("/api/v1/incoming_payments", json=payloads.stk(url), headers=headers)
        assert (
            c.get(response.headers["location"], headers=headers).json()["data"]["attributes"]["status"]
            == "Pending"
        )
        (delivery,) = receiver.wait_for(url)
        assert b'"status":"Success"' in delivery.body


async def test_pay_payment_processed(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    """A PAY payment to a known recipient ends Processed with one transferred disbursement."""
    recipient = (await created(client, headers, "/api/v1/pay_recipients", payloads.recipient())).rsplit(
        "/", 1
    )[1]
    location = await created(
        client, headers, "/api/v1/payments", payloads.payment("https://e.com/cb", recipient)
    )
    scheduled_or_done = _attributes(await read(client, headers, location))["status"]
    assert scheduled_or_done in ("Scheduled", "Processed")
    attributes = _attributes(await final(client, headers, location, "Scheduled"))
    assert attributes["status"] == "Processed" and attributes["amount"] == {"currency": "KES", "value": 780}
    (batch,) = attributes["transfer_batches"]
    (disbursement,) = batch["disbursements"]
    assert batch["status"] == disbursement["status"] == "Transferred"
    assert disbursement["amount"] == "780.0" and disbursement["destination_type"] == "Mobile Wallet"
    assert disbursement["destination_reference"] == recipient


async def test_pay_payment_to_unknown_recipient_fails(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    """A payment to a reference that is no recipient ends Failed with an explanation."""
    location = await created(
        client, headers, "/api/v1/payments", payloads.payment("https://e.com/cb", "nobody")
    )
    attributes = _attributes(await final(client, headers, location, "Scheduled"))
    assert attributes["status"] == "Failed" and "nobody" in attributes["errors"]
    assert attributes["transfer_batches"] is None


async def test_settlement_transfers_blind_and_targeted(
    client: httpx.AsyncClient, headers: dict[str, str], receiver: Receiver
) -> None:
    """Blind transfers settle to the default account; targeted ones to the given wallet (and notify)."""
    hook = receiver.url("settled")
    await created(
        client,
        headers,
        "/api/v1/webhook_subscriptions",
        payloads.subscription(hook, "settlement_transfer_completed", None),
    )
    blind = await created(
        client, headers, "/api/v1/settlement_transfers", payloads.settlement("https://e.com/cb")
    )
    attributes = _attributes(await final(client, headers, blind, "Scheduled"))
    assert attributes["status"] == "Processed" and attributes["amount"] == {"currency": "KES", "value": None}
    assert attributes["transfer_batches"][0]["disbursements"][0]["destination_type"] == "Bank Account"

    wallet = (await created(client, headers, "/api/v1/merchant_wallets", payloads.wallet())).rsplit("/", 1)[1]
    body = payloads.settlement("https://e.com/cb", "merchant_wallet", wallet, value="250")
    targeted = await created(client, headers, "/api/v1/settlement_transfers", body)
    attributes = _attributes(await final(client, headers, targeted, "Scheduled"))
    (disbursement,) = attributes["transfer_batches"][0]["disbursements"]
    assert disbursement["destination_reference"] == wallet and disbursement["amount"] == "250.0"
    assert disbursement["destination_type"] == "Mobile Wallet" and disbursement["transaction_reference"]
    webhooks = await receiver.await_for(hook, 2)
    # Deliveries run concurrently, so the two webhooks may arrive in either order.
    (to_wallet,) = [w for w in webhooks if wallet.encode() in w.body]
    assert b'"type":"Mobile Wallet"' in to_wallet.body


async def test_send_money_processed(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    """Send money echoes the destinations and transfers one batch per destination."""
    account = (
        await created(client, headers, "/api/v2/merchant_bank_accounts", payloads.bank_account())
    ).rsplit("/", 1)[1]
    destinations = [
        *payloads.send_money("x")["destinations"],
        {"type": "merchant_bank_account", "reference": account, "amount": 10},
    ]
    location = await created(
        client, headers, "/api/v2/send_money", payloads.send_money("https://e.com/cb", destinations)
    )
    attributes = _attributes(await final(client, headers, location, "Scheduled"))
    assert attributes["status"] == "Processed" and attributes["source_identifier"] == "4321"
    assert [d["type"] for d in attributes["destinations"]] == [
        "mobile_wallet",
        "till",
        "merchant_bank_account",
    ]
    batches = attributes["transfer_batches"]
    assert [b["amount"] for b in batches] == ["1000.0", "55.5", "10.0"]
    mobile = batches[0]["disbursements"][0]
    assert mobile["phone_number"] == "254900000000" and mobile["destination_type"] == "mobile_wallet"
    assert batches[2]["disbursements"][0]["destination_reference"] == account


async def test_reversal_processed_then_already_reversed(
    client: httpx.AsyncClient, headers: dict[str, str], receiver: Receiver
) -> None:
    """Reversing a ledger transaction ends Processed (and fires the reversed webhook); twice fails."""
    hook = receiver.url("reversed")
    await created(
        client,
        headers,
        "/api/v2/webhook_subscriptions",
        payloads.subscription(hook, "buygoods_transaction_reversed"),
    )
    reference = (await pay_till(client, amount="201"))["transaction"]["reference"]
    location = await created(
        client, headers, "/api/v2/reversals", payloads.reversal("https://e.com/cb", reference)
    )
    attributes = _attributes(await final(client, headers, location, "Received"))
    assert attributes["status"] == "Processed" and attributes["errors"] is None
    assert attributes["reversal_bulk_payment"]["amount"] == "201.0"
    assert attributes["reversal_bulk_payment"]["status"] == "Transferred"
    (webhook,) = await receiver.await_for(hook)
    assert b'"status":"Reversed"' in webhook.body
    again = await created(
        client, headers, "/api/v2/reversals", payloads.reversal("https://e.com/cb", reference)
    )
    assert "already reversed" in _attributes(await final(client, headers, again, "Received"))["errors"]


async def test_reversal_of_unknown_transaction_fails(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    """A reversal of a reference not in the ledger ends Failed with errors and no bulk payment."""
    location = await created(
        client, headers, "/api/v2/reversals", payloads.reversal("https://e.com/cb", "NOPE000001")
    )
    attributes = _attributes(await final(client, headers, location, "Received"))
    assert attributes["status"] == "Failed" and attributes["reversal_bulk_payment"] is None
    assert "NOPE000001" in attributes["errors"]


async def test_polling_returns_ledger_transactions_in_window(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    """Polling returns the buy-goods transactions of the window, filtered by till for till scope."""
    till_tx = (await pay_till(client, till="514459", amount="10"))["transaction"]
    stk = await created(
        client, headers, "/api/v1/incoming_payments", payloads.stk("https://e.com/cb", till="K123456")
    )
    stk_tx = _attributes(await final(client, headers, stk, "Pending"))["event"]["resource"]
    now = datetime.now(EAT)
    window = ((now - timedelta(hours=1)).isoformat(), (now + timedelta(hours=1)).isoformat())

    async def poll(till: str | None, times: tuple[str, str] = window) -> list[str]:
        body = payloads.polling("https://e.com/cb", *times, till=till)
        location = await created(client, headers, "/api/v2/polling", body)
        attributes = _attributes(await final(client, headers, location, "Pending"))
        assert attributes["scope"] == ("Till" if till else "Company")
        return [t["resource"]["reference"] for t in attributes["transactions"]]

    assert await poll(None) == [till_tx["reference"], stk_tx["reference"]]
    assert await poll("514459") == [till_tx["reference"]]
    assert await poll("K123456") == [stk_tx["reference"]]
    assert await poll(None, ("2020-01-01T00:00:00Z", "2020-12-31T00:00:00.000Z")) == []


async def test_sms_notification_succeeds(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    """An SMS notification for a real buygoods event ends Success."""
    event_id = (await pay_till(client))["event_ids"][0]
    location = await created(
        client, headers, "/api/v1/transaction_sms_notifications", payloads.sms("https://e.com/cb", event_id)
    )
    attributes = _attributes(await final(client, headers, location, "Pending"))
    assert attributes["status"] == "Success" and attributes["message"] == "Thanks for your payment"


async def test_payment_link_pay_and_callback(
    client: httpx.AsyncClient, headers: dict[str, str], receiver: Receiver
) -> None:
    """A link is Active for 7 days; paying it (control API) makes it Paid and POSTs the callback."""
    url = receiver.url("link")
    location = await created(client, headers, "/api/v2/payment_links", payloads.payment_link(url))
    attributes = _attributes(await read(client, headers, location))
    assert attributes["status"] == "Processed" and attributes["amount"] == 1000
    link = attributes["payment_link"]
    assert link["payment_link_status"] == "Active" and "/links/" in link["link"]
    created_at = datetime.fromisoformat(attributes["created_at"])
    assert datetime.fromisoformat(link["expires_at"]) - created_at == timedelta(days=7)
    link_id = location.rsplit("/", 1)[1]
    paid = await control(client, "POST", f"/sandbox/payment_links/{link_id}/pay", {"phone": "+254716230902"})
    assert paid["transaction"]["amount"] == "1000.0"
    (callback,) = await receiver.await_for(url)
    assert b'"status":"Paid"' in callback.body and b'"sender_phone_number":"+254716230902"' in callback.body
    assert callback.body == (await client.get(location, headers=headers)).content
    refused = await client.post(f"{location}/cancel", headers=headers)
    assert refused.status_code == 409 and "paid" in refused.json()["error_message"]
    again = await client.post(f"/sandbox/payment_links/{link_id}/pay", json={"phone": "+254716230902"})
    assert again.status_code == 409


@pytest.mark.parametrize("body", [None, b"{}", b"null"], ids=["empty", "object", "null"])
async def test_payment_link_cancel_bodies(
    client: httpx.AsyncClient, headers: dict[str, str], body: bytes | None
) -> None:
    """Cancel accepts no body, {} or null; a second cancel is a 409 (the link is no longer active)."""
    location = await created(
        client, headers, "/api/v2/payment_links", payloads.payment_link("https://e.com/cb")
    )
    cancel_headers = {**headers, "Content-Type": "application/json"}
    response = await client.post(f"{location}/cancel", content=body or b"", headers=cancel_headers)
    assert response.status_code == 200 and response.json() == {"message": "Payment link cancelled."}
    assert (
        _attributes(await read(client, headers, location))["payment_link"]["payment_link_status"]
        == "Cancelled"
    )
    assert (await client.post(f"{location}/cancel/", headers=headers)).status_code == 409


async def test_payment_link_expires_after_seven_days() -> None:
    """With a manual clock a link turns Expired after 7 days and can then be neither paid nor cancelled."""
    clock = ManualClock()
    app = create_app(SandboxConfig(clock=clock, token_ttl=30 * 86400, callback_delay=0))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ASGI_BASE) as c:
        headers = {"Authorization": f"Bearer {await atoken_of(c)}"}
        location = await created(
            c, headers, "/api/v2/payment_links", payloads.payment_link("https://e.com/cb")
        )
        clock.advance(7 * 86400 + 1)
        assert (
            _attributes(await read(c, headers, location))["payment_link"]["payment_link_status"] == "Expired"
        )
        assert (await c.post(f"{location}/cancel", headers=headers)).status_code == 409
        link_id = location.rsplit("/", 1)[1]
        assert (
            await c.post(f"/sandbox/payment_links/{link_id}/pay", json={"phone": "+254700000000"})
        ).status_code == 409
    await app.sandbox.scheduler.aclose()
