"""How K2 writes the facts a :class:`K2Event` reports, read into Python values that mean one thing.

K2's bodies are loose about their values: an amount is a string (``"20.00"``) or a JSON number, a phone
number is a string or (in one payment-link sample) a number, timestamps carry ``+03:00`` or no offset at
all, and Daraja's ``TransTime`` is ``YYYYMMDDhhmmss`` in Nairobi time. Each reader here takes whatever JSON
value sits at the field and returns the fact (an exact ``Decimal``, a ``str``, an aware ``datetime``) or
``None`` when there is no usable one: the payload rules already refused what the schema forbids, and an odd
value the schema allows is not worth refusing the event over.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Final

__all__ = [
    "NAIROBI",
    "amount_of",
    "daraja_time",
    "dig",
    "iso_time",
    "last_segment",
    "phone_of",
    "str_or_none",
]

# K2 is in Kenya and its timestamps carry +03:00; Daraja's TransTime and any naive timestamp are Nairobi time
# (East Africa Time has no daylight saving, so a fixed offset is exact).
NAIROBI: Final = timezone(timedelta(hours=3), "EAT")


def dig(node: object, *keys: str) -> object:
    """The value at ``keys`` below ``node``, or None where a step is not an object."""
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def str_or_none(value: object) -> str | None:
    """``value`` if it is a string."""
    return value if isinstance(value, str) else None


def last_segment(url: object) -> str | None:
    """The last path segment of a URL (a resource's id), or None."""
    if not isinstance(url, str):
        return None
    return url.rstrip("/").rsplit("/", 1)[-1] or None


def amount_of(value: object) -> Decimal | None:
    """An exact Decimal from K2's string or JSON-number amounts; None when there is no usable amount."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        # str() first: Decimal(0.1) would carry the float's binary error, Decimal("0.1") does not.
        amount = Decimal(value.strip() if isinstance(value, str) else str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def phone_of(value: object) -> str | None:
    """A phone number as text; one payment-link sample sends it as a JSON number (254716230902)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return str_or_none(value)


def iso_time(text: str) -> datetime | None:
    """An aware datetime from an ISO 8601 timestamp (naive ones are Nairobi time); None if it is not one."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None  # the schema only says "string": an odd timestamp is not worth refusing the event
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=NAIROBI)


def daraja_time(text: str) -> datetime | None:
    """An aware datetime from Daraja's ``TransTime`` (``YYYYMMDDhhmmss``, Nairobi time), or None."""
    if len(text) != 14 or not text.isascii() or not text.isdigit():
        return None
    try:
        return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=NAIROBI)
    except ValueError:
        return None
