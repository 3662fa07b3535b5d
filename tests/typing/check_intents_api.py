"""What a type checker sees of ``k2.intents``, checked by ``mypy --strict`` (``make typecheck``).

Nothing here runs. Each intent method takes ``key`` by name plus its create's own arguments, typed as the
create types them; a ``# type: ignore[...]`` marks a call that must be refused (``warn_unused_ignores``
fails the check if it ever becomes acceptable).
"""

from __future__ import annotations

import threading
from typing import assert_type

from k2connect_ext import (
    K2,
    AsyncIntents,
    AsyncK2,
    BatchReport,
    BatchRow,
    Intent,
    Intents,
    IntentState,
    ReconcileReport,
    RowProblem,
    mobile_wallet_destination,
)

CB = "https://example.com/k2/result"


def check_intents(k2: K2) -> None:
    intents = k2.intents
    assert_type(intents, Intents)
    destination = mobile_wallet_destination("0712345678", 10, "salary")
    assert_type(intents.send_money(key="payroll/emp-17", callback_url=CB, destinations=[destination]), Intent)
    assert_type(
        intents.stk_push(
            key="o-1", phone_number="0712345678", amount=100, till_number="K000000", callback_url=CB
        ),
        Intent,
    )
    assert_type(
        intents.create_payment(
            key="p-1",
            destination_type="till",
            destination_reference="r",
            amount="10",
            description="d",
            callback_url=CB,
        ),
        Intent,
    )
    assert_type(intents.settle_funds(key="s-1", callback_url=CB), Intent)
    assert_type(
        intents.reverse_transaction(key="r-1", transaction_reference="t", reason="r", callback_url=CB), Intent
    )
    assert_type(
        intents.create_payment_link(key="l-1", till_number="K000000", amount=10, callback_url=CB), Intent
    )
    intents.settle_funds(callback_url=CB)  # type: ignore[call-arg]
    intents.settle_funds(key="s-1", callback_url=CB, amount=[1])  # type: ignore[arg-type]
    intents.send_money(key="k", callback_url=CB, colour="red")  # type: ignore[call-arg]
    assert_type(intents.get("o-1"), Intent | None)
    assert_type(intents.list(IntentState.SENT, limit=10), list[Intent])
    assert_type(intents.wait("o-1", timeout=30), Intent)
    assert_type(intents.reconcile(horizon=600), ReconcileReport)
    assert_type(intents.resolve("o-1", sent=False, note="not on the statement"), Intent)
    rows = [BatchRow("k", "send_money", {"callback_url": CB, "destinations": [destination]})]
    assert_type(intents.check_rows(rows), tuple[RowProblem, ...])
    assert_type(
        intents.run_batch(rows, concurrency=8, stop=threading.Event(), on_progress=print), BatchReport
    )


async def check_async_intents(k2: AsyncK2) -> None:
    intents = k2.intents
    assert_type(intents, AsyncIntents)
    assert_type(await intents.settle_funds(key="s-1", callback_url=CB), Intent)
    assert_type(
        await intents.stk_push(
            key="o-1", phone_number="0712345678", amount=100, till_number="K000000", callback_url=CB
        ),
        Intent,
    )
    await intents.stk_push(phone_number="0712345678", amount=1, till_number="K0", callback_url=CB)  # type: ignore[call-arg]
    assert_type(await intents.get("o-1"), Intent | None)
    assert_type(await intents.wait("o-1"), Intent)
    assert_type(await intents.reconcile(), ReconcileReport)
    assert_type(await intents.resolve("o-1", sent=True, note="on the statement"), Intent)
    assert_type(await intents.run_batch([], stop=threading.Event()), BatchReport)
