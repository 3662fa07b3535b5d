"""What the CLI shows of a payment intent: the columns of a table row, and its JSON document."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from k2connect_ext import Intent, IntentState, State, outcome_of, parse_location

__all__ = ["INTENT_HEADERS", "intent_amount", "intent_document", "intent_reason", "intent_row"]

INTENT_HEADERS = ("key", "state", "operation", "amount", "reference", "updated")


def _decimal(value: object) -> Decimal | None:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def intent_amount(intent: Intent) -> str:
    """The amount the intent moves, as recorded (a send-money's destinations added up); ``""`` if unknown
    (a settlement of the whole balance, a request edited by hand)."""
    request = intent.request
    destinations = request.get("destinations")
    if isinstance(destinations, list):
        values = [item.get("amount") if isinstance(item, Mapping) else None for item in destinations]
    else:
        values = [request.get("amount")]
    amounts = [_decimal(value) for value in values if value is not None]
    if not values or len(amounts) != len(values) or None in amounts:
        return ""
    return f"{sum(amount for amount in amounts if amount is not None):f}"


def intent_reason(intent: Intent) -> str:
    """Why the intent is where it is, in one line: K2's reason for a failure, a person's note, or the last
    error."""
    if intent.state is IntentState.FAILED and intent.result is not None and intent.location is not None:
        try:
            kind = parse_location(intent.location).kind
        except ValueError:
            kind = None
        outcome = None if kind is None else outcome_of(kind, intent.result)
        if outcome is not None and outcome.state is State.FAILED and outcome.reason:
            return outcome.reason
    return intent.note or intent.last_error or ""


def _when(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat(timespec="seconds")


def intent_row(intent: Intent) -> tuple[str, ...]:
    """The intent under ``INTENT_HEADERS``."""
    return (
        intent.key,
        intent.state.value,
        intent.operation,
        intent_amount(intent),
        intent.reference or "",
        _when(intent.updated_at),
    )


def intent_document(intent: Intent) -> dict[str, Any]:
    """Everything recorded of the intent, as JSON data (the request as recorded, the result if settled)."""
    return {
        "id": intent.id,
        "key": intent.key,
        "operation": intent.operation,
        "state": intent.state.value,
        "amount": intent_amount(intent) or None,
        "reference": intent.reference,
        "location": intent.location,
        "attempts": intent.attempts,
        "created_at": _when(intent.created_at),
        "updated_at": _when(intent.updated_at),
        "last_error": intent.last_error,
        "note": intent.note,
        "reason": intent_reason(intent) or None,
        "request": intent.request,
        "result": intent.result,
    }
