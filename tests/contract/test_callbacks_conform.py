"""Every callback and webhook the sandbox sends conforms to the spec and is correctly signed.

schemathesis ignores the spec's callbacks and top-level ``webhooks``, so this covers what it cannot: a
sandbox served over loopback with delivery ON runs every flow that notifies (each callback-producing
create, in success and failure outcomes; subscriptions to every topic on v1 and v2, company and till
scoped, and Daraja-format ones; every simulation of money moving), a loopback receiver records the raw
requests, and then each one is checked:

* signature: ``X-KopoKopo-Signature`` matches the spec's header parameter (64 hex digits) and is the
  HMAC-SHA256 of the exact body bytes keyed with the API key (computed here with ``hmac`` directly, and
  accepted by ``k2connect_ext.webhooks._signatures.verify_signature``);
* callbacks: the body validates against the ``components/pathItems`` schema chosen by its ``data.type``,
  which must also be the callback the originating operation declares in the spec;
* webhooks: the body validates against ``webhooks[<topic>]`` for the topic subscribed to, carries that
  topic, and for ``enable_daraja_payload`` subscriptions is the Daraja body (validated against
  ``DarajaTransactionWebhook`` on top of the topic's ``oneOf``).

Validation is plain ``jsonschema`` Draft 2020-12 over the whole spec document with the format checker
(``uri`` and ``date-time`` really checked), independent of the sandbox's own validation code. Finally
the receiver's requests are reconciled with the sandbox's delivery log, so nothing sent went unchecked.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from k2connect_ext._exceptions import WebhookSignatureError
from k2connect_ext.webhooks._signatures import verify_signature
from k2connect_sandbox.config import SandboxConfig
from k2connect_sandbox.server import RunningSandbox, serve_in_thread
from k2connect_sandbox.spec import k2_spec

from ..sandbox import payloads
from ..sandbox.receiver import Received, Receiver

pytestmark = [pytest.mark.contract, pytest.mark.sandbox]

SPEC: dict[str, Any] = k2_spec()
URI = "urn:k2connect:spec"
REGISTRY: Registry[Any] = Registry().with_resource(URI, DRAFT202012.create_resource(SPEC))
FORMATS = Draft202012Validator.FORMAT_CHECKER

# data.type of a callback body -> the components/pathItems entry describing that callback.
CALLBACK_PATH_ITEMS = {
    "incoming_payment": "IncomingPaymentResult",
    "payment": "PaymentResult",
    "settlement_transfer": "SettlementTransferResult",
    "polling": "PollingResult",
    "transaction_sms_notification": "TransactionSmsNotificationResult",
    "send_money": "SendMoneyResult",
    "reversal": "ReversalResult",
    "payment_link": "PaymentLinkResult",
}
DARAJA_TOPICS = ("buygoods_transaction_received", "b2b_transaction_received")
CARD_TOPICS = ("card_transaction_received", "card_transaction_voided", "card_transaction_reversed")
TILL = "514459"


def validator(pointer: str) -> Any:
    return Draft202012Validator({"$ref": f"{URI}#{pointer}"}, registry=REGISTRY, format_checker=FORMATS)


def errors(pointer: str, instance: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in validator(pointer).iter_errors(instance)
    ]


def body_pointer(prefix: str) -> str:
    return f"{prefix}/post/requestBody/content/application~1json/schema"


def declared_callback(operation_id: str) -> str:
    """The components/pathItems name the spec declares as ``operation_id``'s callback."""
    for item in SPEC["paths"].values():
        operation = item.get("post") or {}
        if operation.get("operationId") == operation_id:
            (expressions,) = operation["callbacks"].values()
            (target,) = expressions.values()
            return str(target["$ref"]).rsplit("/", 1)[1]
    raise AssertionError(f"{operation_id}: no such operation with callbacks")


# ---------------------------------------------------------------- the scenario


class Scenario:
    """Drives the served sandbox over HTTP; remembers which receiver URL stands for what."""

    def __init__(self, sandbox: RunningSandbox, receiver: Receiver) -> None:
        self.sandbox = sandbox
        self.receiver = receiver
        self.http = httpx.Client(base_url=sandbox.base_url, trust_env=False, timeout=10)
        self.auth = {"Authorization": f"Bearer {sandbox.token()}"}
        self.callbacks: dict[str, str] = {}  # receiver path -> operationId that registered it
        self.webhooks: dict[str, tuple[str, bool]] = {}  # receiver path -> (topic, daraja)

    def create(self, path: str, body: Any) -> str:
        response = self.http.post(path, json=body, headers=self.auth)
        assert response.status_code == 201, f"{path}: {response.status_code} {response.text}"
        return response.headers["location"]

    def callback_url(self, operation_id: str) -> str:
        url = self.receiver.url(f"cb-{operation_id}")
        self.callbacks[url.removeprefix(self.receiver.base_url)] = operation_id
        return url

    def subscribe(self, version: str, topic: str, till: str | None, daraja: bool = False) -> None:
        url = self.receiver.url(f"wh-{version}-{topic}{'-daraja' if daraja else ''}")
        self.webhooks[url.removeprefix(self.receiver.base_url)] = (topic, daraja)
        self.create(f"/api/{version}/webhook_subscriptions", payloads.subscription(url, topic, till, daraja))

    def control(self, path: str, body: Any) -> dict[str, Any]:
        response = self.http.post(path, json=body)
        assert response.status_code in (200, 201), f"{path}: {response.status_code} {response.text}"
        found: dict[str, Any] = response.json()
        return found

    def run(self) -> None:
        # Each version subscribes to the events it offers (the spec's WebhookV1EventType/WebhookV2EventType).
        for version in ("v1", "v2"):
            for topic in SPEC["components"]["schemas"][f"Webhook{version.upper()}EventType"]["enum"]:
                self.subscribe(version, topic, None)
        for topic in DARAJA_TOPICS:
            self.subscribe("v1", topic, TILL)
            self.subscribe("v2", topic, TILL, daraja=True)
        for topic in CARD_TOPICS:
            self.subscribe("v2", topic, TILL)

        # Money in: till payments (buygoods + customer_created), B2B, M2M, and their reversals.
        paid = self.control(
            "/sandbox/simulate/buygoods_transaction_received",
            {"till_number": TILL, "amount": "250", "phone": "+254722000111", "first_name": "Jane"},
        )
        b2b = self.control(
            "/sandbox/simulate/b2b_transaction_received",
            {"till_number": TILL, "amount": "313", "sending_till": "890642"},
        )
        self.control("/sandbox/simulate/m2m_transaction_received", {"amount": 456, "sending_merchant": "Flo"})
        self.control(
            "/sandbox/simulate/b2b_transaction_reversed", {"reference": b2b["transaction"]["reference"]}
        )
        for amount, kind in (("4945.5", "bank_account"), ("100", "mobile_wallet")):
            self.control(
                "/sandbox/simulate/settlement_transfer_completed",
                {"amount": amount, "destination_type": kind},
            )
        # Card payments at the till: one voided, one reversed.
        for undo in ("card_transaction_voided", "card_transaction_reversed"):
            card = self.control(
                "/sandbox/simulate/card_transaction_received",
                {"till_number": TILL, "amount": "1200", "card_last4": "4242"},
            )
            self.control(f"/sandbox/simulate/{undo}", {"reference": card["transaction"]["reference"]})
        event_id = paid["event_ids"][0]

        # STK push, v1 and v2: success, a failure by phone, a failure by amount.
        for version in ("v1", "v2"):
            op = f"{version}_create_incoming_payment"
            for phone, value in (
                ("+254711000123", "100"),
                ("+254711000002", "10"),
                ("+254711000124", 999999),
            ):
                self.create(
                    f"/api/{version}/incoming_payments", payloads.stk(self.callback_url(op), phone, value)
                )

        # PAY (v1): to a recipient that exists, and to one that does not (Failed).
        recipient = self.create("/api/v1/pay_recipients", payloads.recipient()).rsplit("/", 1)[1]
        for reference in (recipient, "00000000-0000-4000-8000-000000000000"):
            self.create(
                "/api/v1/payments", payloads.payment(self.callback_url("v1_create_payment"), reference)
            )

        # Settlement transfers (v1): blind, to a merchant wallet, to a merchant bank account; each
        # processed one also fires settlement_transfer_completed.
        wallet = self.create("/api/v1/merchant_wallets", payloads.wallet()).rsplit("/", 1)[1]
        account = self.create("/api/v2/merchant_bank_accounts", payloads.bank_account()).rsplit("/", 1)[1]
        targets: list[tuple[str | None, str | None, str | int | None]] = [
            (None, None, None),
            ("merchant_wallet", wallet, "250"),
            ("merchant_bank_account", account, 10),
        ]
        for destination_type, destination, settle_amount in targets:
            url = self.callback_url("v1_create_settlement_transfer")
            body = payloads.settlement(url, destination_type, destination, settle_amount)
            self.create("/api/v1/settlement_transfers", body)

        # Polling, v1 and v2: company-wide and for the till that was paid.
        for version in ("v1", "v2"):
            for till in (None, TILL):
                url = self.callback_url(f"{version}_create_polling")
                body = payloads.polling(url, "2020-01-01T00:00:00Z", "2040-01-01T00:00:00+03:00", till)
                self.create(f"/api/{version}/polling", body)

        # SMS notification (v1) for the buygoods event.
        url = self.callback_url("v1_create_transaction_sms_notification")
        self.create("/api/v1/transaction_sms_notifications", payloads.sms(url, event_id))

        # Send money (v2): external destinations, own accounts, and a blind sweep.
        own: list[dict[str, Any]] = [
            {"type": "merchant_wallet", "reference": wallet, "amount": "12.50"},
            {"type": "merchant_bank_account", "reference": account, "amount": 20, "description": "own"},
        ]
        external: list[dict[str, Any]] = [
            {
                "type": "bank_account",
                "account_name": "A",
                "account_number": "1",
                "bank_branch_ref": "ea2e79f7-35a1-486e-9e18-fe06589a9d7d",
                "amount": 30,
                "description": "rent",
            },
            {
                "type": "paybill",
                "paybill_number": "888880",
                "paybill_account_number": "42",
                "amount": "5",
                "description": "power",
            },
        ]
        sends: list[list[dict[str, Any]] | None] = [None, own, external, []]
        for destinations in sends:
            url = self.callback_url("v2_create_send_money")
            self.create("/api/v2/send_money", payloads.send_money(url, destinations))

        # Reversals (v2): of the till payment (Processed, fires buygoods_transaction_reversed) and of
        # nothing (Failed).
        for reference in (paid["transaction"]["reference"], "NOSUCHREF9"):
            url = self.callback_url("v2_create_reversal")
            self.create("/api/v2/reversals", payloads.reversal(url, reference))

        # Payment link (v2): created, then paid by a customer.
        link = self.create(
            "/api/v2/payment_links", payloads.payment_link(self.callback_url("v2_create_payment_link"))
        )
        self.control(f"/sandbox/payment_links/{link.rsplit('/', 1)[1]}/pay", {"phone": "+254733000999"})

    def settle(self, timeout: float = 15.0) -> list[dict[str, Any]]:
        """Wait until nothing is pending and every notification logged was delivered; return the log."""
        deadline = time.monotonic() + timeout
        while True:
            log = self.sandbox.deliveries()
            idle = self.sandbox.app.sandbox.scheduler.pending() == 0
            if idle and log and all(any(d["delivered"] for d in group) for group in _by_notification(log)):
                time.sleep(0.2)  # one more look: a resolution may have just queued a delivery
                again = self.sandbox.deliveries()
                if len(again) == len(log) and self.sandbox.app.sandbox.scheduler.pending() == 0:
                    return again
            if time.monotonic() > deadline:
                undelivered = [g[-1] for g in _by_notification(log) if not any(d["delivered"] for d in g)]
                raise AssertionError(f"deliveries not settled in {timeout}s; undelivered: {undelivered}")
            time.sleep(0.05)


def _by_notification(log: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for entry in log:
        groups.setdefault((entry["url"], entry["body"]), []).append(entry)
    return list(groups.values())


@pytest.fixture(scope="module")
def delivered() -> Iterator[tuple[Scenario, list[Received], list[dict[str, Any]]]]:
    receiver = Receiver()
    config = SandboxConfig(callback_delay=0, delivery_initial_backoff=0.05, delivery_max_elapsed=5.0)
    try:
        with serve_in_thread(config) as sandbox:
            scenario = Scenario(sandbox, receiver)
            scenario.run()
            log = scenario.settle()
            requests = receiver.received_all()
            yield scenario, requests, log
            scenario.http.close()
    finally:
        receiver.close()


def _broken(body: Any) -> Any:
    """A copy of a callback body with data.id removed (required everywhere), or None if it has none."""
    if not (isinstance(body, dict) and isinstance(body.get("data"), dict) and "id" in body["data"]):
        return None
    return {**body, "data": {k: v for k, v in body["data"].items() if k != "id"}}


# ---------------------------------------------------------------- the checks


def test_format_checker_really_checks_uri_and_date_time() -> None:
    """Without rfc3986-validator / rfc3339-validator, format: uri / date-time silently pass anything."""
    assert {"uri", "date-time"} <= set(FORMATS.checkers)
    assert not Draft202012Validator({"format": "uri"}, format_checker=FORMATS).is_valid("not a uri")
    assert not Draft202012Validator({"format": "date-time"}, format_checker=FORMATS).is_valid("yesterday")


def test_every_notification_is_signed(
    delivered: tuple[Scenario, list[Received], list[dict[str, Any]]],
) -> None:
    """Each request carries X-KopoKopo-Signature: the spec's 64-hex pattern, the HMAC of the exact bytes."""
    scenario, requests, _ = delivered
    api_key = scenario.sandbox.api_key
    signature_schema = SPEC["components"]["parameters"]["Signature"]["schema"]
    assert requests
    for request in requests:
        signature = request.headers.get("x-kopokopo-signature")
        assert signature is not None, request.path
        assert Draft202012Validator(signature_schema).is_valid(signature), signature
        expected = hmac.new(api_key.encode(), request.body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(signature, expected), request.path
        verify_signature(request.body, signature, api_key)  # raises WebhookSignatureError on mismatch
        with pytest.raises(WebhookSignatureError):
            verify_signature(request.body + b" ", signature, api_key)
        assert request.headers["content-type"].split(";")[0] == "application/json"


def test_every_callback_conforms(delivered: tuple[Scenario, list[Received], list[dict[str, Any]]]) -> None:
    """Callback bodies validate against the pathItems schema of their data.type, the one the originating
    operation declares; every callback of the spec was seen."""
    scenario, requests, _ = delivered
    seen: Counter[str] = Counter()
    statuses: dict[str, set[str]] = {}
    problems: list[str] = []
    for request in requests:
        operation_id = scenario.callbacks.get(request.path)
        if operation_id is None:
            continue
        body = json.loads(request.body)
        kind = body.get("data", {}).get("type") if isinstance(body, dict) else None
        path_item = CALLBACK_PATH_ITEMS.get(str(kind))
        if path_item is None:
            problems.append(f"{operation_id}: callback with unknown data.type {kind!r}")
            continue
        if path_item != declared_callback(operation_id):
            problems.append(f"{operation_id}: data.type {kind!r} is not the callback the spec declares")
        found = errors(body_pointer(f"/components/pathItems/{path_item}"), body)
        problems += [f"{operation_id} -> {path_item}: {e}" for e in found]
        seen[path_item] += 1
        statuses.setdefault(path_item, set()).add(str(body["data"]["attributes"].get("status")))
        if problems == [] and (negative := _broken(body)) is not None:
            # The same validator must reject a damaged copy, or "no errors" above proves nothing.
            assert errors(body_pointer(f"/components/pathItems/{path_item}"), negative), operation_id
    assert problems == []
    assert set(seen) == set(SPEC["components"]["pathItems"]), seen
    # Failure outcomes were delivered too, not only the happy path.
    for path_item in ("IncomingPaymentResult", "PaymentResult", "ReversalResult"):
        assert "Failed" in statuses[path_item] and len(statuses[path_item]) > 1, statuses
    print(f"callbacks validated: {sum(seen.values())} ({dict(sorted(seen.items()))})")


def test_every_webhook_conforms(delivered: tuple[Scenario, list[Received], list[dict[str, Any]]]) -> None:
    """Webhook bodies validate against webhooks[topic]; K2 bodies carry the topic, Daraja-enabled
    subscriptions get the Daraja body; every topic of the spec was seen (the card ones by company and
    till-scoped subscriptions), Daraja for both."""
    scenario, requests, _ = delivered
    seen: Counter[str] = Counter()
    problems: list[str] = []
    daraja_pointer = "/components/schemas/DarajaTransactionWebhook"
    for request in requests:
        if request.path not in scenario.webhooks:
            continue
        topic, daraja = scenario.webhooks[request.path]
        body = json.loads(request.body)
        problems += [f"{topic}: {e}" for e in errors(body_pointer(f"/webhooks/{topic}"), body)]
        if daraja:
            problems += [f"{topic} (Daraja): {e}" for e in errors(daraja_pointer, body)]
            if "topic" in body:
                problems.append(f"{topic}: a Daraja subscription got a K2-format body")
        elif body.get("topic") != topic:
            problems.append(f"{topic}: body says topic {body.get('topic')!r}")
        seen[f"{topic} (Daraja)" if daraja else topic] += 1
    assert problems == []
    produced = {t for t in seen if not t.endswith("(Daraja)")}
    assert produced == set(SPEC["webhooks"]), seen
    # Two card payments (one voided, one reversed), each to the v2 company and v2 till subscriptions
    # (card events are v2 only).
    assert [seen[t] for t in CARD_TOPICS] == [4, 2, 2], seen
    assert {f"{t} (Daraja)" for t in DARAJA_TOPICS} <= set(seen), seen
    print(f"webhooks validated: {sum(seen.values())} ({dict(sorted(seen.items()))})")


def test_everything_sent_was_received_and_checked(
    delivered: tuple[Scenario, list[Received], list[dict[str, Any]]],
) -> None:
    """The receiver got exactly what the sandbox's delivery log says it delivered, all to URLs this test
    registered (so the callback and webhook checks above saw every notification)."""
    scenario, requests, log = delivered
    known = set(scenario.callbacks) | set(scenario.webhooks)
    assert all(r.path in known for r in requests), [r.path for r in requests if r.path not in known]
    sent = Counter(
        (re.sub(r"^https?://[^/]+", "", d["url"]), d["body"].encode()) for d in log if d["delivered"]
    )
    got = Counter((r.path, r.body) for r in requests if 200 <= r.answered < 300)
    assert got == sent
    assert all(d["error"] is None for d in log), [d for d in log if d["error"]]
