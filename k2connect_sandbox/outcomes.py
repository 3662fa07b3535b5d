"""Test values: which request inputs make the sandbox's asynchronous operations fail, and how.

STK push (``POST /api/v1|v2/incoming_payments``), decided by ``subscriber.phone_number`` first, then by
``amount.value``:

================================  ========  ==================================================
input                             status    ``event.errors``
================================  ========  ==================================================
phone ending in ``0001``          Failed    The initiator information is invalid.
phone ending in ``0002``          Failed    Request cancelled by user
phone ending in ``0003``          Failed    DS timeout user cannot be reached
phone ending in ``0004``          Failed    The balance is insufficient for the transaction.
``amount.value`` >= 999999        Failed    The balance is insufficient for the transaction.
anything else                     Success   (``event.resource`` holds the M-PESA transaction)
================================  ========  ==================================================

Other failures are decided by the sandbox's state rather than magic values:

* reversal of a ``transaction_reference`` that is not in the ledger, or already reversed → Failed;
* PAY payment to a ``destination_reference`` that is no recipient of that ``destination_type`` → Failed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from k2connect_sandbox.wire import decimal_of

__all__ = ["INSUFFICIENT_BALANCE", "STK_INSUFFICIENT_AMOUNT", "STK_PHONE_FAILURES", "stk_failure"]

INSUFFICIENT_BALANCE = "The balance is insufficient for the transaction."

STK_PHONE_FAILURES: dict[str, str] = {
    "0001": "The initiator information is invalid.",
    "0002": "Request cancelled by user",
    "0003": "DS timeout user cannot be reached",
    "0004": INSUFFICIENT_BALANCE,
}

STK_INSUFFICIENT_AMOUNT = Decimal("999999")


def stk_failure(phone_number: str, amount_value: Any) -> str | None:
    """The error an STK push with these inputs ends in, or None if it succeeds."""
    digits = "".join(ch for ch in phone_number if ch.isascii() and ch.isdigit())
    for suffix, message in STK_PHONE_FAILURES.items():
        if digits.endswith(suffix):
            return message
    amount = decimal_of(amount_value)
    if amount is not None and amount >= STK_INSUFFICIENT_AMOUNT:
        return INSUFFICIENT_BALANCE
    return None
