"""Checks run before a request leaves the machine, with one clear error per bad input.

These are the rules Kopo Kopo's own SDKs enforce (see ../shared/k2-api.md §f), normalised so that a request
the SDK accepts is one K2 accepts: Kenyan phone numbers in every written form, KES only, EFT/RTS settlement,
till vs company webhook scopes, at most 5 metadata pairs, http(s) callback URLs. Each failure raises
``K2ValidationInputError`` naming the field, so web forms can show the message beside the input.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final
from urllib.parse import urlsplit

from .errors import K2ValidationInputError

__all__ = [
    "COMPANY_SCOPE_EVENTS",
    "DARAJA_EVENTS",
    "TILL_SCOPE_EVENTS",
    "WEBHOOK_EVENT_TYPES",
    "validate_amount",
    "validate_currency",
    "validate_metadata",
    "validate_network",
    "validate_phone",
    "validate_required",
    "validate_settlement_method",
    "validate_subscription",
    "validate_url",
]

# Safaricom's 07xx and the newer 01xx series (K2's Python SDK dropped a check that rejected 01xx).
# [0-9], not \d: \d also matches other scripts' digits, which K2 refuses.
_LOCAL_MOBILE = re.compile(r"^0([17][0-9]{8})$")
_INTERNATIONAL_MOBILE = re.compile(r"^(?:\+|00)?254([17][0-9]{8})$")
# The characters RFC 3986 allows in a URI (K2's callback URLs are `format: uri`): no spaces, controls,
# non-ASCII or <>"{}|\^` characters.
_URI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_CENTS = Decimal("0.01")

TILL_SCOPE_EVENTS: Final = frozenset(
    {
        "buygoods_transaction_received",
        "buygoods_transaction_reversed",
        "b2b_transaction_received",
        "b2b_transaction_reversed",
        "card_transaction_received",
        "card_transaction_voided",
        "card_transaction_reversed",
    }
)
COMPANY_SCOPE_EVENTS: Final = frozenset(
    {"settlement_transfer_completed", "customer_created", "m2m_transaction_received"}
)
WEBHOOK_EVENT_TYPES: Final = TILL_SCOPE_EVENTS | COMPANY_SCOPE_EVENTS
# Only these two can be delivered in Safaricom's Daraja format (Ruby and Python SDK validators).
DARAJA_EVENTS: Final = frozenset({"buygoods_transaction_received", "b2b_transaction_received"})
MAX_METADATA_PAIRS: Final = 5


def validate_required(value: str | None, field: str) -> str:
    """A non-blank string, stripped."""
    if value is None or not isinstance(value, str) or not value.strip():
        raise K2ValidationInputError(f"{field} is required", field=field)
    return value.strip()


def validate_phone(value: str, field: str = "phone_number", *, plus: bool = True) -> str:
    """Normalise a Kenyan mobile number written as 07…, 01…, 2547…, +2547…, 002547… (spaces/dashes ok).

    Returns ``+2547XXXXXXXX`` (STK push, recipients) or, with ``plus=False``, ``2547XXXXXXXX`` (send money
    destinations, which K2 matches against ``^254\\d{9}$``).
    """
    if not isinstance(value, str) or not value.strip():
        raise K2ValidationInputError(f"{field} is required", field=field)
    compact = re.sub(r"[\s\-()]", "", value)
    match = _LOCAL_MOBILE.match(compact) or _INTERNATIONAL_MOBILE.match(compact)
    if match is None:
        raise K2ValidationInputError(
            f"{field} is not a Kenyan mobile number (expected 07XXXXXXXX, 01XXXXXXXX, 2547XXXXXXXX or "
            "+2547XXXXXXXX)",
            field=field,
        )
    return ("+254" if plus else "254") + match.group(1)


def validate_currency(value: str, field: str = "currency") -> str:
    """K2 moves Kenyan shillings only."""
    if not isinstance(value, str) or value.strip().upper() != "KES":
        raise K2ValidationInputError(f"{field} must be KES (the only currency K2 supports)", field=field)
    return "KES"


def validate_amount(value: Decimal | int | str | float, field: str = "amount") -> Decimal:
    """A positive amount with at most 2 decimal places, as an exact Decimal (floats go through str())."""
    if isinstance(value, bool):
        raise K2ValidationInputError(f"{field} must be a number, not a boolean", field=field)
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise K2ValidationInputError(f"{field} is not a number", field=field) from None
    if not amount.is_finite() or amount <= 0:
        raise K2ValidationInputError(f"{field} must be greater than zero", field=field)
    try:
        cents = amount.quantize(_CENTS)
    except InvalidOperation:  # more digits than Decimal's precision: no real amount of shillings
        raise K2ValidationInputError(f"{field} is too large", field=field) from None
    if amount != cents:
        raise K2ValidationInputError(f"{field} has more than 2 decimal places", field=field)
    # 1.100 is 1.10: never written with more than 2 decimals (K2's pattern is ^[0-9]+(\.[0-9]{1,2})?$).
    exponent = amount.as_tuple().exponent
    return cents if isinstance(exponent, int) and exponent < -2 else amount


def validate_settlement_method(value: str, field: str = "settlement_method") -> str:
    """EFT (next business day) or RTS (real time), any case."""
    method = value.strip().upper() if isinstance(value, str) else ""
    if method not in {"EFT", "RTS"}:
        raise K2ValidationInputError(f"{field} must be EFT or RTS", field=field)
    return method


def validate_network(value: str, field: str = "network") -> str:
    """Safaricom is the only mobile network K2 pays to (any case accepted, sent as K2 spells it)."""
    if not isinstance(value, str) or value.strip().lower() != "safaricom":
        raise K2ValidationInputError(f"{field} must be Safaricom", field=field)
    return "Safaricom"


def validate_metadata(value: Mapping[str, Any] | None, field: str = "metadata") -> dict[str, Any] | None:
    """At most 5 pairs of string keys and scalar values (K2 echoes them back in results)."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise K2ValidationInputError(f"{field} must be a mapping of up to 5 pairs", field=field)
    if len(value) > MAX_METADATA_PAIRS:
        raise K2ValidationInputError(
            f"{field} has {len(value)} pairs; K2 accepts at most {MAX_METADATA_PAIRS}", field=field
        )
    for key, item in value.items():
        if not isinstance(key, str) or not key:
            raise K2ValidationInputError(f"{field} keys must be non-empty strings", field=field)
        if item is not None and not isinstance(item, str | int | float | bool):
            raise K2ValidationInputError(f"{field}[{key!r}] must be a string, number or boolean", field=field)
        if isinstance(item, float) and not math.isfinite(item):  # NaN/Infinity cannot be sent as JSON
            raise K2ValidationInputError(f"{field}[{key!r}] must be a finite number", field=field)
    return dict(value)


def validate_url(value: str, field: str = "callback_url") -> str:
    """An absolute http(s) URL: where K2 POSTs the result (K2 itself requires https in production)."""
    url = value.strip() if isinstance(value, str) else ""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. a malformed [IPv6] host
        parts = urlsplit("")
    if parts.scheme not in {"http", "https"} or not parts.netloc or not _URI_CHARS.fullmatch(url):
        raise K2ValidationInputError(f"{field} must be an absolute http(s) URL", field=field)
    return url


def validate_subscription(
    event_type: str, scope: str, scope_reference: str | None, *, enable_daraja_payload: bool = False
) -> tuple[str, str | None]:
    """Scope rules: till-scoped events need a till number; company events take no reference.

    Returns the normalised ``(scope, scope_reference)``.
    """
    if event_type not in WEBHOOK_EVENT_TYPES:
        known = ", ".join(sorted(WEBHOOK_EVENT_TYPES))
        raise K2ValidationInputError(f"event_type must be one of: {known}", field="event_type")
    scope = scope.strip().lower() if isinstance(scope, str) else ""
    if scope not in {"till", "company"}:
        raise K2ValidationInputError("scope must be till or company", field="scope")
    reference = scope_reference.strip() if isinstance(scope_reference, str) else None
    if scope == "till":
        if event_type not in TILL_SCOPE_EVENTS:
            raise K2ValidationInputError(
                f"{event_type} can only be subscribed with scope company", field="scope"
            )
        if not reference:
            raise K2ValidationInputError(
                "scope_reference (the till number) is required for scope till", field="scope_reference"
            )
    elif reference:
        raise K2ValidationInputError(
            "scope_reference must be empty for scope company", field="scope_reference"
        )
    if enable_daraja_payload and event_type not in DARAJA_EVENTS:
        raise K2ValidationInputError(
            "enable_daraja_payload is only allowed for buygoods_transaction_received and "
            "b2b_transaction_received",
            field="enable_daraja_payload",
        )
    return scope, reference or None
