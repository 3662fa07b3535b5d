"""``k2.intents`` against the sandbox: over loopback with ``K2``, in process (ASGI) with ``AsyncK2``.

The sandbox's own store is the judge of what K2 processed: each create it accepted is a record in the table of
its resource, with the request it received. A real SQLite ledger records the intents; callbacks go to a
loopback receiver.
"""

from __future__ import annotations

import asyncio
import builtins
import datetime as dt
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from k2connect_ext import (
    K2,
    AsyncK2,
    BatchRow,
    Intent,
    IntentState,
    K2InputError,
    PollSettings,
    SQLiteLedger,
    mobile_wallet_destination,
)
from k2connect_ext._intent_settle import settle
from k2connect_ext._intent_tag import TAG_KEY, intent_id_of
from k2connect_ext._intents import checked_request
from k2connect_sandbox.app import SandboxApp, create_app
from k2connect_sandbox.config import SandboxConfig
from k2connect_sandbox.server import RunningSandbox
from k2connect_sandbox.tables import (
    INCOMING_PAYMENTS,
    PAYMENT_LINKS,
    PAYMENTS,
    REVERSALS,
    SEND_MONEY,
    SETTLEMENT_TRANSFERS,
)

from .receiver import Received, Receiver

pytestmark = pytest.mark.sandbox

S = IntentState
LOOPBACK_BASE = "http://127.0.0.1"  # the in-process app answers any host; the SDK wants a loopback one
TABLES = {
    "send_money": SEND_MONEY,
    "stk_push": INCOMING_PAYMENTS,
    "create_payment": PAYMENTS,
    "settle_funds": SETTLEMENT_TRANSFERS,
    "reverse_transaction": REVERSALS,
    "create_payment_link": PAYMENT_LINKS,
}
FAST = PollSettings(interval=0.02, max_interval=0.05, timeout=10)


class Sandbox:
    """One sandbox and one client of it, sync over loopback or async in process, called the same way."""

    def __init__(self, mode: str, app: SandboxApp, base_url: str, ledger: SQLiteLedger) -> None:
        self.mode = mode
        self.app = app
        self.ledger = ledger
        config = app.sandbox.config
        options: dict[str, Any] = {"base_url": base_url, "api_key": config.api_key, "ledger": ledger}
        self.k2: Any
        if mode == "sync":
            self.k2 = K2(config.client_id, config.client_secret, poll=FAST, **options)
            self.control_client: Any = httpx.Client(base_url=base_url, trust_env=False)
        else:
            transport = httpx.ASGITransport(app=app)
            self.k2 = AsyncK2(
                config.client_id, config.client_secret, poll=FAST, transport=transport, **options
            )
            self.control_client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)

    async def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        result = fn(*args, **kwargs)
        return (await result) if self.mode == "async" else result

    async def control(self, method: str, path: str, body: Any = None) -> Any:
        response = await self.call(self.control_client.request, method, path, json=body)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def processed(self, operation: str) -> builtins.list[dict[str, Any]]:
        """What the sandbox accepted for this operation: each record holds the request it received."""
        return self.app.sandbox.store.values(TABLES[operation])

    async def close(self) -> None:
        if self.mode == "sync":
            self.k2.close()
            self.control_client.close()
        else:
            await self.k2.aclose()
            await self.control_client.aclose()
            await self.app.sandbox.scheduler.aclose()


@pytest.fixture(params=["sync", "async"])
async def sandbox(
    request: pytest.FixtureRequest,
    k2_sandbox_server: RunningSandbox,
    k2_sandbox_config: SandboxConfig,
    tmp_path: Path,
) -> AsyncIterator[Sandbox]:
    ledger = SQLiteLedger(tmp_path / "ledger.db")
    if request.param == "sync":
        k2_sandbox_server.reset()
        found = Sandbox("sync", k2_sandbox_server.app, k2_sandbox_server.base_url, ledger)
    else:
        found = Sandbox("async", create_app(k2_sandbox_config), LOOPBACK_BASE, ledger)
    yield found
    await found.close()
    ledger.close()


async def arguments_for(sandbox: Sandbox, operation: str, callback_url: str) -> dict[str, Any]:
    """Arguments that succeed at the sandbox (a recipient, a transaction to reverse made first)."""
    if operation == "send_money":
        return {
            "callback_url": callback_url,
            "destinations": [mobile_wallet_destination("0712345678", 150, "Pay")],
        }
    if operation == "stk_push":
        return {
            "phone_number": "0712345678",
            "amount": 100,
            "till_number": "K000000",
            "callback_url": callback_url,
        }
    if operation == "create_payment":
        recipient = await sandbox.call(
            sandbox.k2.add_recipient,
            "mobile_wallet",
            first_name="Ann",
            last_name="Wanjiru",
            phone_number="0712345678",
        )
        return {
            "destination_type": "mobile_wallet",
            "destination_reference": recipient.id,
            "amount": 200,
            "description": "Invoice 7",
            "callback_url": callback_url,
        }
    if operation == "settle_funds":
        return {"callback_url": callback_url, "amount": 10}
    if operation == "reverse_transaction":
        paid = await sandbox.control(
            "POST",
            "/sandbox/simulate/buygoods_transaction_received",
            {"till_number": "514459", "amount": "300"},
        )
        return {
            "transaction_reference": paid["transaction"]["reference"],
            "reason": "Returned goods",
            "callback_url": callback_url,
        }
    assert operation == "create_payment_link"
    return {"till_number": "K000000", "amount": 50, "callback_url": callback_url}


async def posted_to(receiver: Receiver, url: str) -> Received:
    """The one callback posted to ``url`` (with whatever query string the request gave it)."""
    path = urlsplit(url).path
    for _ in range(500):
        found = [r for r in receiver.received_all() if r.path.partition("?")[0] == path]
        if found:
            [callback] = found
            return callback
        await asyncio.sleep(0.01)
    raise AssertionError(f"nothing was posted to {url}")


def tag_received(record: dict[str, Any]) -> str | None:
    """The intent id in what the sandbox received: its metadata, else its callback URL's query."""
    request = record["request"]
    found = (request.get("metadata") or {}).get(TAG_KEY)
    if found is None:
        found = parse_qs(urlsplit(request["_links"]["callback_url"]).query).get(TAG_KEY, [None])[0]
    return None if found is None else str(found)


@pytest.mark.parametrize("operation", sorted(TABLES))
async def test_every_operation_is_sent_once_tagged_and_settled(
    sandbox: Sandbox, receiver: Receiver, operation: str
) -> None:
    """Sent, processed once with the intent's tag, settled from its Location; the same key again sends
    nothing. A settlement transfer's result carries no metadata: its tag is in the callback URL."""
    url = receiver.url(operation)
    arguments = await arguments_for(sandbox, operation, url)
    method = getattr(sandbox.k2.intents, operation)
    intent: Intent = await sandbox.call(method, key=f"{operation}-1", **arguments)
    assert intent.state is S.SENT and intent.location is not None
    [record] = sandbox.processed(operation)
    assert tag_received(record) == intent.id
    in_metadata = TAG_KEY in (record["request"].get("metadata") or {})
    assert in_metadata is (operation != "settle_funds")
    if operation == "create_payment_link":
        await sandbox.control(
            "POST", f"/sandbox/payment_links/{record['id']}/pay", {"phone": "+254712345678"}
        )
    settled: Intent = await sandbox.call(sandbox.k2.intents.wait, f"{operation}-1")
    assert settled.state is S.SUCCEEDED and settled.result is not None
    again: Intent = await sandbox.call(method, key=f"{operation}-1", **arguments)
    assert again == settled and len(sandbox.processed(operation)) == 1


async def test_a_callback_finds_its_intent_by_the_tag(sandbox: Sandbox, receiver: Receiver) -> None:
    """What K2 posts back names the intent: in the result's metadata, or in the query of the URL it is
    posted to (settlement transfers)."""
    for operation in ("send_money", "settle_funds"):
        url = receiver.url(operation)
        arguments = await arguments_for(sandbox, operation, url)
        intent: Intent = await sandbox.call(
            getattr(sandbox.k2.intents, operation), key=operation, **arguments
        )
        callback = await posted_to(receiver, url)
        posted = f"{url}?{urlsplit(callback.path).query}"
        assert intent_id_of(json.loads(callback.body), posted) == intent.id, operation


async def test_a_failed_stk_push_settles_failed(sandbox: Sandbox, receiver: Receiver) -> None:
    arguments = await arguments_for(sandbox, "stk_push", receiver.url())
    await sandbox.call(sandbox.k2.intents.stk_push, key="o-1", **{**arguments, "phone_number": "0712340002"})
    failed: Intent = await sandbox.call(sandbox.k2.intents.wait, "o-1")
    assert failed.state is S.FAILED and failed.last_error == "Request cancelled by user"


async def test_another_request_under_a_used_key_is_refused(sandbox: Sandbox, receiver: Receiver) -> None:
    arguments = await arguments_for(sandbox, "stk_push", receiver.url())
    await sandbox.call(sandbox.k2.intents.stk_push, key="o-1", **arguments)
    with pytest.raises(K2InputError) as caught:
        await sandbox.call(sandbox.k2.intents.stk_push, key="o-1", **{**arguments, "amount": 101})
    assert caught.value.field == "key"
    five = {f"m{i}": "v" for i in range(5)}
    with pytest.raises(K2InputError, match="one of the 5 K2 accepts for its tag"):
        await sandbox.call(sandbox.k2.intents.stk_push, key="o-2", **arguments, metadata=five)
    assert len(sandbox.processed("stk_push")) == 1


async def test_a_request_k2_refuses_is_refused(sandbox: Sandbox, receiver: Receiver) -> None:
    """A targeted settlement to an account the merchant does not have: K2 answers 4xx, nothing happened."""
    intent: Intent = await sandbox.call(
        sandbox.k2.intents.settle_funds,
        key="s-1",
        callback_url=receiver.url(),
        amount=10,
        destination_type="merchant_wallet",
        destination_reference="no-such-wallet",
    )
    assert intent.state is S.REFUSED and intent.last_error is not None
    assert intent.last_error.startswith("K2NotFoundError")
    assert sandbox.processed("settle_funds") == []


async def test_a_500_is_ambiguous_never_resent_and_a_person_decides(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    """K2 fails before processing (the caller cannot know): ambiguous; reconciliation never resends it,
    makes it unresolved past the horizon; a person's "not sent" lets the next pass send it, once."""
    fault = {"operation_id": "v2_create_send_money", "kind": "status_500"}
    await sandbox.control("POST", "/sandbox/faults", fault)
    arguments = await arguments_for(sandbox, "send_money", receiver.url())
    intents = sandbox.k2.intents
    intent: Intent = await sandbox.call(intents.send_money, key="pay-1", **arguments)
    assert intent.state is S.AMBIGUOUS and intent.location is None
    assert (await sandbox.call(intents.reconcile)).moves == {}
    report = await sandbox.call(intents.reconcile, horizon=60, now=intent.updated_at + 60)
    assert report.moves == {(S.AMBIGUOUS, S.UNRESOLVED): 1}
    assert sandbox.processed("send_money") == []
    await sandbox.call(intents.resolve, "pay-1", sent=False, note="not in K2's transaction list")
    assert (await sandbox.call(intents.reconcile)).moves == {(S.RECORDED, S.SENT): 1}
    assert len(sandbox.processed("send_money")) == 1


async def test_a_500_after_processing_is_ambiguous_and_never_processed_twice(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    fault = {"operation_id": "v2_create_send_money", "kind": "status_500", "after_processing": True}
    await sandbox.control("POST", "/sandbox/faults", fault)
    url = receiver.url()
    arguments = await arguments_for(sandbox, "send_money", url)
    intents = sandbox.k2.intents
    intent: Intent = await sandbox.call(intents.send_money, key="pay-1", **arguments)
    assert intent.state is S.AMBIGUOUS
    assert await sandbox.call(intents.send_money, key="pay-1", **arguments) == intent
    assert (await sandbox.call(intents.reconcile)).moves == {}
    [record] = sandbox.processed("send_money")
    assert tag_received(record) == intent.id
    callback = await posted_to(receiver, url)
    assert settle(sandbox.ledger, intent, json.loads(callback.body)).state is S.SUCCEEDED


async def test_a_crash_between_record_and_send_is_sent_by_reconcile(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    arguments = await arguments_for(sandbox, "stk_push", receiver.url())
    recorded, _ = sandbox.ledger.record("o-1", "stk_push", checked_request("stk_push", arguments))
    intents = sandbox.k2.intents
    assert (await sandbox.call(intents.reconcile)).moves == {(S.RECORDED, S.SENT): 1}
    [record] = sandbox.processed("stk_push")
    assert tag_received(record) == recorded.id
    assert (await sandbox.call(intents.reconcile)).moves == {(S.SENT, S.SUCCEEDED): 1}
    assert len(sandbox.processed("stk_push")) == 1


async def test_a_crash_after_sending_is_ambiguous_and_its_callback_settles_it(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    """K2 processed it, and the process died before storing the Location: found ``sending``, it becomes
    ambiguous (never resent), and the tagged callback settles it."""
    url = receiver.url()
    arguments = await arguments_for(sandbox, "send_money", url)
    recorded, _ = sandbox.ledger.record("pay-1", "send_money", checked_request("send_money", arguments))
    sending = sandbox.ledger.transition(recorded.id, S.SENDING, expect=S.RECORDED)
    await sandbox.call(sandbox.k2.send_money, **arguments, metadata={TAG_KEY: recorded.id})  # then: the crash
    report = await sandbox.call(sandbox.k2.intents.reconcile, now=sending.updated_at + 60)
    assert report.moves == {(S.SENDING, S.AMBIGUOUS): 1}
    body = json.loads((await posted_to(receiver, url)).body)
    assert intent_id_of(body) == recorded.id
    [ambiguous] = report.intents
    assert settle(sandbox.ledger, ambiguous, body).state is S.SUCCEEDED
    assert len(sandbox.processed("send_money")) == 1


async def test_a_batch_sends_each_row_once_and_resumes_after_a_stop(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    import threading

    url = receiver.url()
    rows = [
        BatchRow(
            f"payroll/emp-{n}",
            "send_money",
            {
                "callback_url": url,
                "destinations": [mobile_wallet_destination("0712345678", 100 + n, "Salary")],
            },
        )
        for n in range(6)
    ]
    stop = threading.Event()
    done: list[Intent] = []

    def progress(intent: Intent) -> None:
        done.append(intent)
        if len(done) == 2:
            stop.set()

    intents = sandbox.k2.intents
    first = await sandbox.call(intents.run_batch, rows, concurrency=2, stop=stop, on_progress=progress)
    assert first.stopped and sum(first.counts.values()) == len(sandbox.processed("send_money")) >= 2
    rest = await sandbox.call(intents.run_batch, rows, concurrency=3)
    assert rest.counts == {S.SENT: 6} and not rest.stopped
    assert len(sandbox.processed("send_money")) == 6
    assert sorted(str(tag_received(r)) for r in sandbox.processed("send_money")) == sorted(
        i.id for i in rest.intents if i is not None
    )


async def test_an_stk_push_lost_in_flight_is_settled_from_transaction_polling(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    """K2 processed the push and the answer was lost (500 after processing): the intent is ambiguous with no
    Location, and its callback went to a receiver without the ledger. Polling the till lists the payment;
    the intent is settled from it, with the M-PESA reference K2 gave the push."""
    fault = {"operation_id": "v2_create_incoming_payment", "kind": "status_500", "after_processing": True}
    await sandbox.control("POST", "/sandbox/faults", fault)
    url = receiver.url("stk")
    arguments = await arguments_for(sandbox, "stk_push", url)
    intents = sandbox.k2.intents
    intent: Intent = await sandbox.call(intents.stk_push, key="order-9", **arguments)
    assert intent.state is S.AMBIGUOUS and intent.location is None
    paid = json.loads((await posted_to(receiver, url)).body)
    reference = paid["data"]["attributes"]["event"]["resource"]["reference"]
    now = dt.datetime.now(dt.UTC)
    poll = await sandbox.call(
        sandbox.k2.poll_transactions,
        from_time=now - dt.timedelta(hours=1),
        to_time=now + dt.timedelta(minutes=1),
        callback_url=receiver.url("poll"),
    )
    result = await sandbox.call(poll.wait)
    [settled] = await sandbox.call(intents.settle_from_polling, result)
    assert settled.key == "order-9" and settled.state is S.SUCCEEDED and settled.reference == reference
    assert await sandbox.call(intents.settle_from_polling, result) == []
    assert len(sandbox.processed("stk_push")) == 1
