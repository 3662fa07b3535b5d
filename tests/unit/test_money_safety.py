"""A money POST's 2xx counts as definite only when it is the one its operation documents in the spec.

The spec (through the generated registry) says a create answers 201 with a Location and a payment link's
cancel answers 200; any other 2xx says nothing certain about whether K2 acted, so it is ambiguous.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from k2connect_ext import K2, AsyncK2, K2AmbiguousOutcomeError
from tests.fakes import BASE, PID, FakeK2, reply

STK: dict[str, Any] = {
    "phone_number": "+254712345678",
    "amount": 100,
    "till_number": "K000000",
    "callback_url": "https://example.com/k2/result",
}
LOCATION = {"Location": f"{BASE}/api/v2/incoming_payments/{PID}"}


def _sync(*replies: Any) -> K2:
    return K2("id", "secret", transport=httpx.MockTransport(FakeK2(*replies)), environ={})


def _async(*replies: Any) -> AsyncK2:
    return AsyncK2("id", "secret", transport=httpx.MockTransport(FakeK2(*replies)), environ={})


@pytest.mark.parametrize("status", [200, 202, 204])
def test_a_create_answered_with_another_2xx_is_ambiguous(status: int) -> None:
    with _sync(reply(status, {}, LOCATION)) as k2, pytest.raises(K2AmbiguousOutcomeError) as info:
        k2.stk_push(**STK)
    assert info.value.status_code == status
    assert "does not document" in str(info.value)


@pytest.mark.parametrize("status", [201, 202])
async def test_a_cancel_answered_with_another_2xx_is_ambiguous(status: int) -> None:
    async with _async(reply(status, {"message": "Payment link cancelled."})) as k2:
        with pytest.raises(K2AmbiguousOutcomeError) as info:
            await k2.cancel_payment_link(PID)
    assert info.value.status_code == status


def test_the_documented_answers_are_definite() -> None:
    with _sync(reply(201, None, LOCATION), reply(200, {"message": "Payment link cancelled."})) as k2:
        assert k2.stk_push(**STK).id == PID
        assert k2.cancel_payment_link(PID) == "Payment link cancelled."
