"""What ``wait()`` returns reads its facts in one attribute: ``result.reference``, ``.amount``, ``.phone``...

Against the sandbox over loopback, through ``K2`` and ``AsyncK2`` alike: an STK push paid and refused, a
payout to one recipient, and the reversal of a payment. Each fact is compared with where it lies in the body,
so the properties read what K2 (here, the sandbox) sent and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from k2connect_client.models import IncomingPaymentResult, ReversalResult, SendMoneyResult

from k2connect_ext import K2, AsyncK2, PollSettings, State, mobile_wallet_destination
from k2connect_sandbox.outcomes import STK_PHONE_FAILURES
from k2connect_sandbox.server import RunningSandbox

from .receiver import Receiver

pytestmark = pytest.mark.sandbox

FAST = PollSettings(interval=0.02, max_interval=0.05, timeout=10)
MPESA_CODE = re.compile(r"[A-Z0-9]{10,}")
REFUSED_PHONE = "+25470000" + next(iter(STK_PHONE_FAILURES))


class Client:
    """``K2`` or ``AsyncK2`` on the sandbox, called the same way: create, then wait for the outcome."""

    def __init__(self, mode: str, sandbox: RunningSandbox) -> None:
        self.mode = mode
        credentials = (sandbox.client_id, sandbox.client_secret)
        self.sync = K2(*credentials, base_url=sandbox.base_url, poll=FAST) if mode == "sync" else None
        self.asyncio = (
            AsyncK2(*credentials, base_url=sandbox.base_url, poll=FAST) if mode == "async" else None
        )

    async def wait(self, method: str, *, raise_on_failure: bool = True, **arguments: Any) -> Any:
        if self.sync is not None:
            return getattr(self.sync, method)(**arguments).wait(raise_on_failure=raise_on_failure)
        assert self.asyncio is not None
        handle = await getattr(self.asyncio, method)(**arguments)
        return await handle.wait(raise_on_failure=raise_on_failure)

    async def close(self) -> None:
        if self.sync is not None:
            self.sync.close()
        if self.asyncio is not None:
            await self.asyncio.aclose()


@pytest.fixture(params=["sync", "async"])
async def client(request: pytest.FixtureRequest, k2_sandbox: RunningSandbox) -> AsyncIterator[Client]:
    found = Client(request.param, k2_sandbox)
    yield found
    await found.close()


def _stk(receiver: Receiver, phone: str = "0712345678") -> dict[str, Any]:
    return {"phone_number": phone, "amount": 250, "till_number": "K000000", "callback_url": receiver.url()}


async def test_a_paid_stk_push(client: Client, receiver: Receiver) -> None:
    result = await client.wait("stk_push", **_stk(receiver))
    assert isinstance(result, IncomingPaymentResult)
    paid = result.to_dict()["data"]["attributes"]["event"]["resource"]
    assert result.reference is not None and MPESA_CODE.fullmatch(result.reference)
    assert result.reference == paid["reference"]
    assert (result.amount, result.currency, result.phone) == (Decimal(250), "KES", "+254712345678")
    assert (result.status, result.state) == ("Success", State.SUCCEEDED)


async def test_a_refused_stk_push_has_no_reference(client: Client, receiver: Receiver) -> None:
    result = await client.wait("stk_push", raise_on_failure=False, **_stk(receiver, REFUSED_PHONE))
    assert isinstance(result, IncomingPaymentResult)
    assert (result.reference, result.amount, result.currency, result.phone) == (None, None, None, None)
    assert (result.status, result.state) == ("Failed", State.FAILED)


async def test_a_payout_to_one_recipient(client: Client, receiver: Receiver) -> None:
    destination = mobile_wallet_destination("0712345678", 1500, "salary")
    result = await client.wait("send_money", callback_url=receiver.url(), destinations=[destination])
    assert isinstance(result, SendMoneyResult)
    [batch] = result.to_dict()["data"]["attributes"]["transfer_batches"]
    [disbursement] = batch["disbursements"]
    assert result.reference is not None and result.reference == disbursement["transaction_reference"]
    assert (result.amount, result.currency) == (Decimal(1500), "KES")
    assert result.phone is not None and result.phone == disbursement["phone_number"]
    assert (result.status, result.state) == ("Processed", State.SUCCEEDED)


async def test_the_reversal_of_a_payment(client: Client, receiver: Receiver) -> None:
    paid = await client.wait("stk_push", **_stk(receiver))
    result = await client.wait(
        "reverse_transaction",
        transaction_reference=paid.reference,
        reason="refund",
        callback_url=receiver.url(),
    )
    assert isinstance(result, ReversalResult)
    bulk_payment = result.to_dict()["data"]["attributes"]["reversal_bulk_payment"]
    assert result.reference is not None and result.reference == bulk_payment["transaction_reference"]
    assert result.reference != paid.reference  # the reversal's own code, not the reversed payment's
    assert (result.amount, result.currency, result.phone) == (Decimal(250), None, None)
    assert result.state is State.SUCCEEDED
