"""The sandbox-only control API under ``/sandbox/`` (documented in ``control-api.yaml``).

=========================================================  ==============================================
``GET  /sandbox/health``                                   ``{"status": "ok"}`` once serving
``POST /sandbox/reset``                                    forget all state (tokens, resources, ledger...)
``GET  /sandbox/deliveries``                               every callback/webhook delivery attempt, and
                                                           those not finished yet (queued, sending,
                                                           retrying); filters: kind, topic,
                                                           resource_id, event_id
``GET  /sandbox/events``                                   every webhook event emitted (K2 format)
``GET  /sandbox/ledger``                                   received transactions and the balance
``POST /sandbox/simulate/buygoods_transaction_received``   ``{till_number, amount, phone?, first_name?,
                                                           middle_name?, last_name?}``
``POST /sandbox/simulate/buygoods_transaction_reversed``   ``{reference}``
``POST /sandbox/simulate/b2b_transaction_received``        ``{till_number, amount, sending_till?}``
``POST /sandbox/simulate/b2b_transaction_reversed``        ``{reference}``
``POST /sandbox/simulate/m2m_transaction_received``        ``{amount, sending_merchant?}``
``POST /sandbox/simulate/settlement_transfer_completed``   ``{amount, destination_type?: bank_account |
                                                           mobile_wallet, destination_reference?}``
``POST /sandbox/simulate/card_transaction_received``       ``{till_number, amount, card_last4?}``: a card
                                                           payment (customer_cc_number ``************1234``)
``POST /sandbox/simulate/card_transaction_voided``         ``{reference}`` of a card transaction
``POST /sandbox/simulate/card_transaction_reversed``       ``{reference}`` of a card transaction
``POST /sandbox/payment_links/{id}/pay``                   ``{phone, first_name?, ...}``: link Paid, callback
``GET|POST|DELETE /sandbox/faults``                        list / arm ``{operation_id, kind, count?,
                                                           retry_after?, delay?, after_processing?}`` / clear
``GET  /sandbox/openapi.json``, ``/sandbox/control-api.json``  the two specs as JSON
=========================================================  ==============================================

Simulations answer ``{"event_ids": [...], "events": [{"id", "topic", "subscription_ids"}],
"transaction": {...}}``; their webhooks go, signed, to the subscriptions of the topic (till-scoped
ones only for their till) and are recorded in ``/sandbox/events`` and ``/sandbox/deliveries`` like
every other. Reversing or voiding a transaction that is not in the ledger (or not of that kind) is a
404; one already reversed or voided is a 409. Bodies are validated against control-api.yaml; errors
use the ApiError shape.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from k2connect_sandbox import resources
from k2connect_sandbox.errors import ApiError, SandboxHttpError, json_response
from k2connect_sandbox.faults import FAULT_KINDS
from k2connect_sandbox.runtime import Sandbox
from k2connect_sandbox.tables import PAYMENT_LINKS
from k2connect_sandbox.webhooks import PublishedEvent
from k2connect_sandbox.wire import InvalidJsonError, JsonDict, describe_invalid, loads

__all__ = ["control_routes"]

DEFAULT_PHONE = "+254700000000"
DEFAULT_CARD_LAST4 = "1234"
Endpoint = Callable[[Request], Awaitable[Response]]


def _result(events: list[PublishedEvent], transaction: JsonDict | None, **extra: Any) -> Response:
    return json_response(
        {
            "event_ids": [e.id for e in events],
            "events": [e.summary() for e in events],
            "transaction": transaction,
        }
        | extra
    )


class ControlApi:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    async def body(self, request: Request, schema: str) -> JsonDict:
        raw = await request.body()
        try:
            body = loads(raw) if raw.strip() else None
        except InvalidJsonError as exc:
            raise ApiError(400, describe_invalid(exc)) from None
        problem = self.sandbox.control_schemas.first_error(f"/components/schemas/{schema}", body)
        if problem is not None:
            raise ApiError(400, problem)
        assert isinstance(body, dict)  # the schema is an object schema
        return body

    # ------------------------------------------------------------ state

    async def health(self, request: Request) -> Response:
        return json_response({"status": "ok"})

    async def reset(self, request: Request) -> Response:
        self.sandbox.reset()
        return json_response({"status": "ok"})

    async def deliveries(self, request: Request) -> Response:
        filters = {
            k: v for k, v in request.query_params.items() if k in ("kind", "topic", "resource_id", "event_id")
        }

        def matching(entries: list[JsonDict]) -> list[JsonDict]:
            return [d for d in entries if all(str(d.get(k)) == v for k, v in filters.items())]

        return json_response(
            {
                "deliveries": matching(self.sandbox.deliveries.log()),
                "pending": matching(self.sandbox.deliveries.pending()),
            }
        )

    async def events(self, request: Request) -> Response:
        return json_response({"events": self.sandbox.webhooks.events()})

    async def ledger(self, request: Request) -> Response:
        balance = f"{self.sandbox.ledger.balance():f}"
        return json_response({"transactions": self.sandbox.ledger.transactions(), "balance": balance})

    async def k2_spec(self, request: Request) -> Response:
        return json_response(self.sandbox.spec)

    async def control_spec(self, request: Request) -> Response:
        return json_response(self.sandbox.control_spec)

    # ------------------------------------------------------------ simulations

    async def buygoods_received(self, request: Request) -> Response:
        body = await self.body(request, "SimulateBuygoods")
        tx, events = self.sandbox.simulator.till_payment(
            till_number=str(body["till_number"]),
            amount=body["amount"],
            phone=str(body.get("phone") or DEFAULT_PHONE),
            first_name=body.get("first_name"),
            middle_name=body.get("middle_name"),
            last_name=body.get("last_name"),
            base_url=self.sandbox.base_url(request),
        )
        return _result(events, tx)

    def _undo(self, reference: str, kind: str, status: str) -> JsonDict:
        """Mark the ``kind`` transaction with this reference ``status`` (Reversed, Voided)."""
        ledger = self.sandbox.ledger
        tx = ledger.by_reference(reference)
        if tx is None or tx.get("kind") != kind:
            raise ApiError(404, f"No {kind} transaction with reference {reference[:80]!r} in the ledger")
        changed = ledger.mark(str(tx["id"]), status)
        if changed is None:
            raise ApiError(409, f"Transaction {reference[:80]!r} is already {str(tx['status']).lower()}")
        return changed

    def _reverse(self, request: Request, reference: str, kind: str) -> Response:
        reversed_tx = self._undo(reference, kind, "Reversed")
        return _result(
            self.sandbox.simulator.reversed(reversed_tx, self.sandbox.base_url(request)), reversed_tx
        )

    async def buygoods_reversed(self, request: Request) -> Response:
        body = await self.body(request, "SimulateReversal")
        return self._reverse(request, str(body["reference"]), "buygoods")

    async def b2b_received(self, request: Request) -> Response:
        body = await self.body(request, "SimulateB2B")
        tx, events = self.sandbox.simulator.b2b_payment(
            till_number=str(body["till_number"]),
            amount=body["amount"],
            sending_till=str(body.get("sending_till") or "000000"),
            base_url=self.sandbox.base_url(request),
        )
        return _result(events, tx)

    async def b2b_reversed(self, request: Request) -> Response:
        body = await self.body(request, "SimulateReversal")
        return self._reverse(request, str(body["reference"]), "b2b")

    async def m2m_received(self, request: Request) -> Response:
        body = await self.body(request, "SimulateM2M")
        tx, events = self.sandbox.simulator.m2m_payment(
            amount=body["amount"],
            sending_merchant=str(body.get("sending_merchant") or "Sandbox Merchant"),
            base_url=self.sandbox.base_url(request),
        )
        return _result(events, tx)

    async def settlement_completed(self, request: Request) -> Response:
        body = await self.body(request, "SimulateSettlement")
        kind = (
            "merchant_wallet" if body.get("destination_type") == "mobile_wallet" else "merchant_bank_account"
        )
        accounts = self.sandbox.accounts
        reference = body.get("destination_reference")
        if reference:
            destination = accounts.find(kind, str(reference))
            if destination is None:
                raise ApiError(
                    400, f"destination_reference {str(reference)[:80]!r} is not a {kind} of this merchant"
                )
        else:
            destination = next((a for a in accounts.all() if a["kind"] == kind), None)
            destination = destination or _builtin_account(kind, accounts.default())
        event = self.sandbox.simulator.settlement_completed(
            amount=body["amount"], destination=destination, base_url=self.sandbox.base_url(request)
        )
        return _result([event], None)

    async def card_received(self, request: Request) -> Response:
        body = await self.body(request, "SimulateCard")
        tx, events = self.sandbox.simulator.card_payment(
            till_number=str(body["till_number"]),
            amount=body["amount"],
            card_last4=str(body.get("card_last4") or DEFAULT_CARD_LAST4),
            base_url=self.sandbox.base_url(request),
        )
        return _result(events, tx)

    async def _card_undone(self, request: Request, status: str) -> Response:
        body = await self.body(request, "SimulateCardChange")
        tx = self._undo(str(body["reference"]), "card", status)
        return _result(self.sandbox.simulator.card_undone(tx, self.sandbox.base_url(request)), tx)

    async def card_voided(self, request: Request) -> Response:
        return await self._card_undone(request, "Voided")

    async def card_reversed(self, request: Request) -> Response:
        return await self._card_undone(request, "Reversed")

    async def pay_payment_link(self, request: Request) -> Response:
        body = await self.body(request, "PayPaymentLink")
        sandbox = self.sandbox
        link_id = str(request.path_params["id"])
        with sandbox.store.transaction():
            sandbox.lifecycle.refresh(PAYMENT_LINKS, link_id)
            record = sandbox.store.get(PAYMENT_LINKS, link_id)
            if record is None:
                raise ApiError(404, f"No payment link with id {link_id[:80]!r} was found")
            attributes = record["body"]["data"]["attributes"]
            status = str(attributes["payment_link"].get("payment_link_status"))
            if status.lower() != "active":
                raise ApiError(409, f"The payment link is {status.lower()} and can no longer be paid")
            tx, events = sandbox.simulator.till_payment(
                till_number=str(attributes["till_number"]),
                amount=attributes["amount"],
                phone=str(body["phone"]),
                first_name=body.get("first_name"),
                middle_name=body.get("middle_name"),
                last_name=body.get("last_name"),
                base_url=sandbox.base_url(request),
            )
            record["body"] = resources.payment_link_paid(record["body"], tx)
            sandbox.store.put(PAYMENT_LINKS, link_id, record)
        sandbox.lifecycle.notify(record, record["body"])
        return _result(events, tx, payment_link=record["body"])

    # ------------------------------------------------------------ faults

    async def list_faults(self, request: Request) -> Response:
        return json_response({"faults": self.sandbox.faults.list()})

    async def add_fault(self, request: Request) -> Response:
        body = await self.body(request, "FaultRequest")
        operation_id = str(body["operation_id"])
        if operation_id not in self.sandbox.operations.by_id:
            raise ApiError(400, f"operation_id {operation_id[:80]!r} is not an operationId of the K2 spec")
        assert body["kind"] in FAULT_KINDS  # enforced by the schema
        fault = self.sandbox.faults.add(
            operation_id,
            str(body["kind"]),
            int(body.get("count", 1)),
            int(body.get("retry_after", 1)),
            float(body.get("delay", 1.0)),
            bool(body.get("after_processing", False)),
        )
        return json_response({"fault": fault.as_json()}, status=201)

    async def clear_faults(self, request: Request) -> Response:
        return json_response({"cleared": self.sandbox.faults.clear()})


def _builtin_account(kind: str, default: JsonDict) -> JsonDict:
    if kind == "merchant_bank_account" and default["kind"] == kind:
        return default
    return {
        "id": default["id"],
        "kind": kind,
        "first_name": "Sandbox",
        "last_name": "Merchant",
        "phone_number": "+254700000000",
        "network": "Safaricom",
    }


def _guarded(endpoint: Endpoint) -> Endpoint:
    async def run(request: Request) -> Response:
        try:
            return await endpoint(request)
        except SandboxHttpError as exc:
            return exc.response()

    return run


def control_routes(sandbox: Sandbox) -> list[BaseRoute]:
    api = ControlApi(sandbox)
    table: list[tuple[str, Endpoint, list[str]]] = [
        ("/sandbox/health", api.health, ["GET"]),
        ("/sandbox/reset", api.reset, ["POST"]),
        ("/sandbox/deliveries", api.deliveries, ["GET"]),
        ("/sandbox/events", api.events, ["GET"]),
        ("/sandbox/ledger", api.ledger, ["GET"]),
        ("/sandbox/openapi.json", api.k2_spec, ["GET"]),
        ("/sandbox/control-api.json", api.control_spec, ["GET"]),
        ("/sandbox/simulate/buygoods_transaction_received", api.buygoods_received, ["POST"]),
        ("/sandbox/simulate/buygoods_transaction_reversed", api.buygoods_reversed, ["POST"]),
        ("/sandbox/simulate/b2b_transaction_received", api.b2b_received, ["POST"]),
        ("/sandbox/simulate/b2b_transaction_reversed", api.b2b_reversed, ["POST"]),
        ("/sandbox/simulate/m2m_transaction_received", api.m2m_received, ["POST"]),
        ("/sandbox/simulate/settlement_transfer_completed", api.settlement_completed, ["POST"]),
        ("/sandbox/simulate/card_transaction_received", api.card_received, ["POST"]),
        ("/sandbox/simulate/card_transaction_voided", api.card_voided, ["POST"]),
        ("/sandbox/simulate/card_transaction_reversed", api.card_reversed, ["POST"]),
        ("/sandbox/payment_links/{id}/pay", api.pay_payment_link, ["POST"]),
        ("/sandbox/faults", api.list_faults, ["GET"]),
        ("/sandbox/faults", api.add_fault, ["POST"]),
        ("/sandbox/faults", api.clear_faults, ["DELETE"]),
    ]
    routes: list[BaseRoute] = []
    for path, endpoint, methods in table:
        # Both spellings, like the K2 operations: a redirect would lose the body of a POST.
        for variant in (path, path + "/"):
            routes.append(Route(variant, _guarded(endpoint), methods=methods))
    return routes
