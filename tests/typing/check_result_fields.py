"""What a type checker sees of a finished result's facts, checked by ``mypy --strict`` (``make typecheck``).

Nothing here runs (the module is not collected by pytest). ``wait()`` returns the generated model of the
resource, and its ``reference``, ``amount``, ``currency``, ``phone``, ``status`` and ``state`` have the types
``K2Event`` gives the same facts, so a result and the callback reporting it read alike. Assigning one is
refused: they are read-only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import assert_type

from k2connect_client.models import (
    IncomingPaymentResult,
    PaymentLinkResult,
    PaymentResult,
    ReversalResult,
    SendMoneyResult,
    SettlementTransferResult,
)

from k2connect_ext import K2, AsyncK2, State, mobile_wallet_destination
from k2connect_ext.webhooks import K2Event

CB = "https://example.com/k2/result"

Finished = (
    IncomingPaymentResult
    | PaymentResult
    | SettlementTransferResult
    | SendMoneyResult
    | ReversalResult
    | PaymentLinkResult
)


def check_facts(result: Finished, event: K2Event) -> None:
    """Every result with facts has all six, typed as the event's."""
    assert_type(result.reference, str | None)
    assert_type(result.amount, Decimal | None)
    assert_type(result.currency, str | None)
    assert_type(result.phone, str | None)
    assert_type(result.status, str | None)
    assert_type(result.state, State)
    assert_type(event.reference, str | None)
    assert_type(event.amount, Decimal | None)
    assert_type(event.currency, str | None)
    assert_type(event.phone, str | None)
    assert_type(event.status, str | None)


def check_wait(k2: K2) -> None:
    """``k2.stk_push(...).wait().reference`` is a ``str | None``: one attribute from the handle's result."""
    paid = k2.stk_push(phone_number="0712345678", amount=100, till_number="K000000", callback_url=CB).wait()
    assert_type(paid.reference, str | None)
    assert_type(paid.amount, Decimal | None)
    assert_type(paid.state, State)
    payout = k2.send_money(callback_url=CB, destinations=[mobile_wallet_destination("0712345678", 10, "x")])
    assert_type(payout.wait().phone, str | None)
    assert_type(k2.create_payment_link(till_number="K000000", amount=10, callback_url=CB).wait().state, State)


async def check_async_wait(k2: AsyncK2) -> None:
    """The asyncio twin gives the same types, awaited."""
    handle = await k2.stk_push(phone_number="0712345678", amount=100, till_number="K000000", callback_url=CB)
    paid = await handle.wait()
    assert_type(paid.reference, str | None)
    assert_type(paid.amount, Decimal | None)
    assert_type(paid.state, State)


def check_read_only(result: IncomingPaymentResult) -> None:
    """The facts are read from the body: setting one is a type error (and an AttributeError)."""
    result.reference = "forged"  # type: ignore[misc]
    result.state = State.SUCCEEDED  # type: ignore[misc]
