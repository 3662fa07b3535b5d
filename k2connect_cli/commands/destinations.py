"""Send-money destinations from JSON, in K2's own wire form, built with the SDK's validated helpers.

For example ``[{"type": "mobile_wallet", "phone_number": "0712345678", "amount": "100", "description":
"Refund"}, {"type": "till", "till_number": "000000", "amount": 50, "description": "Supplies"}]``. Every
``type`` takes the arguments of its ``k2connect_ext.*_destination`` helper.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Mapping
from typing import Any, BinaryIO

from k2connect_ext import (
    Destination,
    K2InputError,
    bank_account_destination,
    merchant_bank_account_destination,
    merchant_wallet_destination,
    mobile_wallet_destination,
    paybill_destination,
    till_destination,
)

__all__ = ["BUILDERS", "destination_from_dict", "read_destinations"]

BUILDERS: Mapping[str, Callable[..., Destination]] = {
    "mobile_wallet": mobile_wallet_destination,
    "bank_account": bank_account_destination,
    "till": till_destination,
    "paybill": paybill_destination,
    "merchant_wallet": merchant_wallet_destination,
    "merchant_bank_account": merchant_bank_account_destination,
}


def destination_from_dict(item: Any, index: int) -> Destination:
    """One destination object -> the validated model; ``K2InputError`` names what is wrong."""
    field = f"destinations[{index}]"
    if not isinstance(item, dict):
        raise K2InputError(f"{field} must be a JSON object", field=field)
    fields = dict(item)
    kind = fields.pop("type", None)
    builder = BUILDERS.get(kind) if isinstance(kind, str) else None
    if builder is None:
        raise K2InputError(f"{field}.type must be one of {', '.join(BUILDERS)}", field=f"{field}.type")
    try:
        inspect.signature(builder).bind(**fields)
    except TypeError as exc:
        raise K2InputError(f"{field} ({kind}): {exc}", field=field) from None
    return builder(**fields)


def read_destinations(stream: BinaryIO) -> list[Destination]:
    """A JSON list of destinations (or a single object) from ``stream``."""
    try:
        value = json.loads(stream.read())
    except (ValueError, UnicodeDecodeError) as exc:
        raise K2InputError(f"--destinations-json is not valid JSON: {exc}", field="destinations") from None
    items = value if isinstance(value, list) else [value]
    return [destination_from_dict(item, index) for index, item in enumerate(items)]
