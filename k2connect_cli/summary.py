"""What to show of a K2 resource: its outcome first, then the facts people look for, then the rest."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from k2connect_ext import LocationRef, State, outcome_of, parse_location

__all__ = ["resource_document", "resource_fields"]

_SCALARS = (str, int, float, bool)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _money_facts(attributes: Mapping[str, Any]) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    transaction = _mapping(_mapping(attributes.get("event")).get("resource"))  # STK push result
    amount = attributes.get("amount")
    if transaction:
        facts.update(
            amount=transaction.get("amount"),
            currency=transaction.get("currency"),
            reference=transaction.get("reference"),
        )
    elif isinstance(amount, Mapping):
        facts.update(amount=amount.get("value"), currency=amount.get("currency"))
    elif amount is not None:
        facts.update(amount=amount, currency=attributes.get("currency"))
    link = _mapping(attributes.get("payment_link"))
    if link:
        facts.update(link=link.get("link"), reference=link.get("transaction_reference"))
    references = [
        str(item["transaction_reference"])
        for batch in attributes.get("transfer_batches") or []
        for item in _mapping(batch).get("disbursements") or []
        if _mapping(item).get("transaction_reference")
    ]
    if references:
        facts["reference"] = ", ".join(references)
    destinations = attributes.get("destinations")
    if isinstance(destinations, list):
        facts["destinations"] = len(destinations)
    return facts


def resource_fields(kind: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """Ordered fields for people: kind, id, status, state, reason, money facts, other scalar attributes."""
    data = _mapping(body.get("data"))
    attributes = _mapping(data.get("attributes"))
    outcome = outcome_of(kind, dict(body))
    fields: dict[str, Any] = {
        "kind": data.get("type") or kind,
        "id": data.get("id"),
        "status": outcome.status,
        "state": outcome.state.value,
        "reason": outcome.reason if outcome.state is State.FAILED else None,
    }
    for key, value in _money_facts(attributes).items():
        fields.setdefault(key, value)
    for key, value in attributes.items():
        if not key.startswith("_") and isinstance(value, _SCALARS) and key not in fields:
            fields[key] = value
    callback = _mapping(attributes.get("_links")).get("callback_url")
    if callback:
        fields["callback_url"] = callback
    return fields


def resource_document(location: str, model: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(fields for people, the JSON document) of the resource read at ``location``."""
    ref: LocationRef = parse_location(location)
    body = model.to_dict() if hasattr(model, "to_dict") else dict(model)
    fields = {"location": location, **resource_fields(ref.kind, body)}
    outcome = outcome_of(ref.kind, body)
    document = {
        "location": location,
        "id": ref.id,
        "kind": ref.kind,
        "status": outcome.status,
        "state": outcome.state.value,
        "reason": outcome.reason if outcome.state is State.FAILED else None,
        "resource": body,
    }
    return fields, document
