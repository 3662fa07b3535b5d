"""The JSON bodies of K2 resources, in every state, shaped like Kopo Kopo's own sample payloads.

Each function returns the complete ``{"data": {"id", "type", "attributes"}}`` envelope that a GET
answers and that the callback carries once the resource is final. Request values are echoed only
through the fields the spec declares for them, so an unexpected extra key in a request can never put
an off-schema value into a response.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from k2connect_sandbox.clock import iso_ms
from k2connect_sandbox.wire import JsonDict, amount_number, decimal_of, money, mpesa_code, new_id

__all__ = [
    "MERCHANT_ACCOUNT_FIELDS",
    "RECIPIENT_FIELDS",
    "envelope",
    "from_example",
    "incoming_payment",
    "merchant_account",
    "payment",
    "payment_link",
    "polled_transaction",
    "polling",
    "recipient",
    "reversal",
    "send_money",
    "settlement_transfer",
    "sms_notification",
    "stamped",
    "webhook_subscription",
]

# Request fields echoed by recipients and merchant accounts, per type (the spec's request schemas).
RECIPIENT_FIELDS: dict[str, tuple[str, ...]] = {
    "mobile_wallet": ("first_name", "last_name", "phone_number", "email", "network", "nickname"),
    "bank_account": ("account_name", "account_number", "bank_branch_ref", "settlement_method", "nickname"),
    "till": ("till_name", "till_number", "nickname"),
    "paybill": ("paybill_name", "paybill_number", "paybill_account_number", "nickname"),
}
MERCHANT_ACCOUNT_FIELDS: dict[str, tuple[str, ...]] = {
    "merchant_wallet": ("first_name", "last_name", "phone_number", "network", "nickname"),
    "merchant_bank_account": (
        "account_name",
        "account_number",
        "bank_branch_ref",
        "settlement_method",
        "nickname",
    ),
}
# Send-money destination fields echoed in ``destinations``, per destination type.
DESTINATION_FIELDS: dict[str, tuple[str, ...]] = {
    "mobile_wallet": ("type", "amount", "network", "nickname", "favourite", "description", "phone_number"),
    "bank_account": (
        "type",
        "amount",
        "account_name",
        "account_number",
        "bank_branch_ref",
        "nickname",
        "favourite",
        "description",
    ),
    "till": ("type", "amount", "till_number", "nickname", "favourite", "description"),
    "paybill": (
        "type",
        "amount",
        "paybill_number",
        "paybill_account_number",
        "nickname",
        "favourite",
        "description",
    ),
    "merchant_wallet": ("type", "amount", "reference", "nickname", "favourite", "description"),
    "merchant_bank_account": ("type", "amount", "reference", "nickname", "favourite", "description"),
}
_DISPLAY_TYPE = {
    "mobile_wallet": "Mobile Wallet",
    "bank_account": "Bank Account",
    "till": "Till",
    "paybill": "Paybill",
    "merchant_wallet": "Mobile Wallet",
    "merchant_bank_account": "Bank Account",
}


def envelope(resource_id: str, kind: str, attributes: JsonDict) -> JsonDict:
    return {"data": {"id": resource_id, "type": kind, "attributes": attributes}}


def _pick(source: JsonDict, fields: tuple[str, ...]) -> JsonDict:
    return {name: source[name] for name in fields if name in source}


def _metadata(request: JsonDict) -> JsonDict | None:
    metadata = request.get("metadata")
    return dict(metadata) if isinstance(metadata, dict) else None


def _links(self_url: str, callback_url: str | None = None) -> JsonDict:
    return {"callback_url": callback_url, "self": self_url} if callback_url else {"self": self_url}


# ---------------------------------------------------------------- plain stored resources


def webhook_subscription(resource_id: str, self_url: str, request: JsonDict, v2: bool) -> JsonDict:
    attributes: JsonDict = {
        "event_type": request["event_type"],
        "webhook_uri": request["url"],
        "status": "Active",
        "scope": request["scope"],
        "scope_reference": request.get("scope_reference") or None,
    }
    if v2:
        attributes["enable_daraja_payload"] = bool(request.get("enable_daraja_payload", False))
    attributes["_links"] = _links(self_url)
    return envelope(resource_id, "webhook_subscription", attributes)


def recipient(resource_id: str, self_url: str, request: JsonDict, wrapper: str, kind: str) -> JsonDict:
    """A PAY or external recipient as K2 reads it back: ``recipient_type`` is the type's display name
    ("Bank Account", "Till"...), not the create's ``type`` (see the spec's ``RecipientAttributes``)."""
    recipient_type = str(request["type"])
    attributes: JsonDict = {
        "recipient_type": _DISPLAY_TYPE[recipient_type],
        "recipient_reference": resource_id,
        "status": "Active",
    }
    attributes |= _pick(request[wrapper], RECIPIENT_FIELDS[recipient_type])
    attributes["_links"] = _links(self_url)
    return envelope(resource_id, kind, attributes)


def merchant_account(resource_id: str, self_url: str, request: JsonDict, kind: str) -> JsonDict:
    attributes: JsonDict = {"account_reference": resource_id, "status": "Active"}
    attributes |= _pick(request, MERCHANT_ACCOUNT_FIELDS[kind])
    attributes["_links"] = _links(self_url)
    return envelope(resource_id, kind, attributes)


# ---------------------------------------------------------------- STK push


def incoming_payment(
    resource_id: str,
    self_url: str,
    request: JsonDict,
    initiated: datetime,
    *,
    status: str = "Pending",
    resource: JsonDict | None = None,
    errors: str | None = None,
) -> JsonDict:
    return envelope(
        resource_id,
        "incoming_payment",
        {
            "initiation_time": iso_ms(initiated),
            "status": status,
            "event": {"type": "Incoming Payment Request", "resource": resource, "errors": errors},
            "metadata": _metadata(request),
            "_links": _links(self_url, request["_links"]["callback_url"]),
        },
    )


def stk_transaction(tx: JsonDict) -> JsonDict:
    """``event.resource`` of a successful STK push, from its ledger transaction."""
    return {
        "id": tx["id"],
        "reference": tx["reference"],
        "origination_time": tx["origination_time"],
        "sender_phone_number": tx["sender_phone_number"],
        "amount": tx["amount"],
        "currency": tx["currency"],
        "till_number": tx["till_number"],
        "system": tx["system"],
        "status": "Received",
        "sender_first_name": tx["sender_first_name"],
        "sender_middle_name": tx["sender_middle_name"],
        "sender_last_name": tx["sender_last_name"],
    }


# ---------------------------------------------------------------- transfers out


def _disbursement_v1(
    amount: Any, destination_type: str, reference: str, when: datetime, mobile: bool
) -> JsonDict:
    return {
        "amount": money(amount),
        "status": "Transferred",
        "destination_type": _DISPLAY_TYPE.get(destination_type, destination_type),
        "origination_time": iso_ms(when),
        "destination_reference": reference,
        # Bank transfers have no M-PESA code (the fixtures show null there).
        "transaction_reference": mpesa_code("L") if mobile else None,
    }


def payment(
    resource_id: str,
    self_url: str,
    request: JsonDict,
    created: datetime,
    *,
    status: str = "Scheduled",
    processed_at: datetime | None = None,
    errors: str | None = None,
) -> JsonDict:
    attributes: JsonDict = {
        "status": status,
        "created_at": iso_ms(created),
        "amount": {
            "currency": request["amount"]["currency"],
            "value": amount_number(request["amount"]["value"]),
        },
        "transfer_batches": None,
    }
    if processed_at is not None:
        destination_type = str(request["destination_type"])
        disbursement = _disbursement_v1(
            request["amount"]["value"],
            destination_type,
            str(request["destination_reference"]),
            processed_at,
            mobile=destination_type != "bank_account",
        )
        attributes["transfer_batches"] = [{"status": "Transferred", "disbursements": [disbursement]}]
    if errors is not None:
        attributes["errors"] = errors
    attributes["metadata"] = _metadata(request)
    attributes["_links"] = _links(self_url, request["_links"]["callback_url"])
    return envelope(resource_id, "payment", attributes)


def settlement_transfer(
    resource_id: str,
    self_url: str,
    request: JsonDict,
    created: datetime,
    *,
    status: str = "Scheduled",
    destination: JsonDict | None = None,
    settled: Any = None,
    processed_at: datetime | None = None,
) -> JsonDict:
    """``destination``: the merchant account settled to (its stored record attributes + kind)."""
    amount = request.get("amount") if isinstance(request.get("amount"), dict) else {}
    value = amount.get("value") if amount else None
    attributes: JsonDict = {
        "status": status,
        "created_at": iso_ms(created),
        "amount": {
            "currency": (amount or {}).get("currency") or "KES",
            "value": None if value is None else amount_number(value),
        },
    }
    if request.get("destination_type"):
        attributes["destination_type"] = request["destination_type"]
        attributes["destination_reference"] = request.get("destination_reference")
    attributes["transfer_batches"] = None
    if processed_at is not None and destination is not None:
        kind = str(destination["kind"])
        disbursement = _disbursement_v1(
            settled, kind, str(destination["id"]), processed_at, mobile=kind == "merchant_wallet"
        )
        attributes["transfer_batches"] = [{"status": "Transferred", "disbursements": [disbursement]}]
    attributes["_links"] = _links(self_url, request["_links"]["callback_url"])
    return envelope(resource_id, "settlement_transfer", attributes)


def send_money_disbursement(destination: JsonDict, reference: str, when: datetime) -> JsonDict:
    kind = str(destination.get("type"))
    disbursement: JsonDict = {
        "amount": money(destination.get("amount")),
        "errors": None,
        "status": "Transferred",
        "nickname": destination.get("nickname"),
        "favourite": destination.get("favourite"),
    }
    for field in ("phone_number", "account_number", "till_number", "paybill_number"):
        if isinstance(destination.get(field), str):
            disbursement[field] = destination[field]
    disbursement |= {
        "destination_type": kind,
        "origination_time": iso_ms(when),
        "destination_reference": reference,
        "transaction_reference": None if kind.endswith("bank_account") else mpesa_code("Q"),
    }
    return disbursement


def send_money(
    resource_id: str,
    self_url: str,
    request: JsonDict,
    created: datetime,
    *,
    status: str = "Scheduled",
    batches: list[JsonDict] | None = None,
) -> JsonDict:
    destinations = request.get("destinations")
    echoed = (
        [_pick(d, DESTINATION_FIELDS.get(str(d.get("type")), ("type",))) for d in destinations]
        if isinstance(destinations, list)
        else None
    )
    source = request.get("source_identifier")
    return envelope(
        resource_id,
        "send_money",
        {
            "status": status,
            "created_at": iso_ms(created),
            "source_identifier": source if isinstance(source, str) else None,
            "destinations": echoed,
            "currency": request["currency"],
            "transfer_batches": batches,
            "errors": None,
            "metadata": _metadata(request),
            "_links": _links(self_url, request["_links"]["callback_url"]),
        },
    )


def batch(disbursements: list[JsonDict]) -> JsonDict:
    total = sum((decimal_of(d["amount"]) or Decimal(0) for d in disbursements), Decimal(0))
    return {"status": "Transferred", "amount": money(total), "disbursements": disbursements}


# ---------------------------------------------------------------- polling and SMS


def polled_transaction(tx: JsonDict) -> JsonDict:
    """One buy-goods ledger transaction as polling reports it (field order as in K2's sample)."""
    return {
        "type": "Buygoods Transaction",
        "resource": {
            "id": tx["id"],
            "amount": tx["amount"],
            "status": tx["status"],
            "system": tx["system"],
            "currency": tx["currency"],
            "reference": tx["reference"],
            "till_number": tx["till_number"],
            "origination_time": tx["origination_time"],
            "sender_last_name": tx.get("sender_last_name"),
            "sender_first_name": tx.get("sender_first_name"),
            "sender_middle_name": tx.get("sender_middle_name"),
            "sender_phone_number": tx.get("sender_phone_number"),
        },
    }


def polling(
    resource_id: str,
    self_url: str,
    request: JsonDict,
    *,
    status: str = "Pending",
    transactions: list[JsonDict] | None = None,
) -> JsonDict:
    scope = str(request["scope"])
    return envelope(
        resource_id,
        "polling",
        {
            "status": status,
            "from_time": request["from_time"],
            "to_time": request["to_time"],
            "transactions": transactions,
            "scope": scope.capitalize(),
            "scope_reference": request.get("scope_reference") or None,
            "_links": _links(self_url, request["_links"]["callback_url"]),
        },
    )


def sms_notification(
    resource_id: str, self_url: str, request: JsonDict, *, status: str = "Pending"
) -> JsonDict:
    return envelope(
        resource_id,
        "transaction_sms_notification",
        {
            "status": status,
            "message": request["message"],
            "webhook_event_reference": request["webhook_event_reference"],
            "_links": _links(self_url, request["_links"]["callback_url"]),
        },
    )


# ---------------------------------------------------------------- reversals and payment links


def reversal(
    resource_id: str,
    self_url: str,
    request: JsonDict,
    created: datetime,
    *,
    status: str = "Received",
    bulk_payment: JsonDict | None = None,
    errors: str | None = None,
) -> JsonDict:
    return envelope(
        resource_id,
        "reversal",
        {
            "status": status,
            "created_at": iso_ms(created),
            "transaction_reference": request["transaction_reference"],
            "reason": request["reason"],
            "reversal_bulk_payment": bulk_payment,
            "errors": errors,
            "metadata": _metadata(request),
            "_links": _links(self_url, request["_links"]["callback_url"]),
        },
    )


def reversal_bulk_payment(tx: JsonDict, when: datetime) -> JsonDict:
    return {
        "amount": tx["amount"],
        "status": "Transferred",
        "origination_time": iso_ms(when),
        "transaction_reference": mpesa_code("R"),
    }


LINK_LIFETIME = timedelta(days=7)


def payment_link(
    resource_id: str, self_url: str, request: JsonDict, created: datetime, base_url: str
) -> JsonDict:
    till = str(request["till_number"])
    return envelope(
        resource_id,
        "payment_link",
        {
            "status": "Processed",
            "created_at": iso_ms(created),
            "till_name": f"Sandbox Till {till}",
            "till_number": till,
            "payment_reference": request.get("payment_reference"),
            "currency": request["currency"],
            "amount": amount_number(request["amount"]),
            "note": request.get("note"),
            "payment_link": {
                "payment_link_status": "Active",
                "expires_at": iso_ms(created + LINK_LIFETIME),
                "initiator_name": "Sandbox User",
                "link": f"{base_url}/links/{new_id()}",
            },
            "errors": None,
            "metadata": _metadata(request),
            "_links": _links(self_url, request["_links"]["callback_url"]),
        },
    )


def payment_link_paid(body: JsonDict, tx: JsonDict) -> JsonDict:
    """The link after a customer paid it: GET and callback carry the same body, so it holds both the
    ``payment_link_status`` that GET readers look for and the ``status`` that callback readers do."""
    link = dict(body["data"]["attributes"]["payment_link"])
    link |= {
        "payment_link_status": "Paid",
        "status": "Paid",
        "transaction_reference": tx["reference"],
        "sender_phone_number": tx["sender_phone_number"],
        "origination_time": tx["origination_time"],
    }
    return _with_link(body, link)


def payment_link_with_status(body: JsonDict, status: str) -> JsonDict:
    link = dict(body["data"]["attributes"]["payment_link"])
    link["payment_link_status"] = status
    return _with_link(body, link)


def _with_link(body: JsonDict, link: JsonDict) -> JsonDict:
    attributes = dict(body["data"]["attributes"])
    attributes["payment_link"] = link
    return envelope(body["data"]["id"], body["data"]["type"], attributes)


# ---------------------------------------------------------------- resources built from the spec's examples

_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def from_example(
    example: JsonDict,
    resource_id: str,
    self_url: str,
    callback_url: str | None,
    metadata: JsonDict | None,
    echoes_metadata: bool,
) -> JsonDict:
    """A spec example (``{"data": {"id", "type", "attributes"}}``) made this resource's: its id, every
    ``_links.self`` (and ``_links.callback_url``, when there is one) its own, and, where the resource echoes
    the request's ``metadata``, that metadata (null when the request had none, never the example's)."""
    body: JsonDict = json.loads(json.dumps(example))
    body["data"]["id"] = resource_id
    if echoes_metadata:
        body["data"]["attributes"]["metadata"] = None if metadata is None else dict(metadata)
    _relink(body, self_url, callback_url)
    return body


def _relink(node: Any, self_url: str, callback_url: str | None) -> None:
    if isinstance(node, list):
        for item in node:
            _relink(item, self_url, callback_url)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in ("_links", "links") and isinstance(value, dict):
            if "self" in value:
                value["self"] = self_url
            if "callback_url" in value and callback_url is not None:
                value["callback_url"] = callback_url
        else:
            _relink(value, self_url, callback_url)


def stamped(node: Any, when: str, kept: Any = None) -> Any:
    """``node`` with every ISO 8601 timestamp replaced by ``when``, except where ``kept`` (the body this
    one follows) has a timestamp at the same place: that one stays, so ``created_at`` is set once."""
    if isinstance(node, dict):
        earlier = kept if isinstance(kept, dict) else {}
        return {key: stamped(value, when, earlier.get(key)) for key, value in node.items()}
    if isinstance(node, list):
        earlier_items = kept if isinstance(kept, list) else []
        return [
            stamped(value, when, earlier_items[i] if i < len(earlier_items) else None)
            for i, value in enumerate(node)
        ]
    if isinstance(node, str) and _TIMESTAMP.match(node):
        return kept if isinstance(kept, str) and _TIMESTAMP.match(kept) else when
    return node
