"""Jobs a worker process runs in ``tests/unit/test_exceptions.py``: real SDK calls over a MockTransport.

They live in an importable module (not in the test file) because a spawned worker imports the function it
runs by its module name. Each job runs the same calls through ``K2`` or through ``AsyncK2``.
"""

from __future__ import annotations

import asyncio

import httpx

from k2connect_ext import K2, AsyncK2
from tests.fakes import FakeK2, incoming_payment, reply

__all__ = ["FAILURE_REASON", "JOBS", "REFUSAL", "SECRET", "run_job"]

SECRET = "client-secret-must-never-leak"
REFUSAL = {"error_code": 400, "error_message": "Invalid phone number: 0799 is not a Safaricom number"}
FAILURE_REASON = "The initiator information is invalid"
JOBS = ("paid", "refused", "failed")
"""``paid``: an STK push K2 accepts (returns its Location); ``refused``: one K2 answers 400 to (raises
``K2ValidationError``); ``failed``: one accepted, then read back Failed (raises ``K2PaymentFailedError``)."""


def _k2_server(job: str) -> FakeK2:
    if job == "refused":
        return FakeK2(reply(400, REFUSAL))
    fake = FakeK2()
    if job == "failed":
        failed = incoming_payment("Failed", errors=FAILURE_REASON)

        def answer(request: httpx.Request) -> httpx.Response:
            if request.method == "POST":
                return fake.usual_answer(request)
            return httpx.Response(200, json=failed)

        fake.default = answer
    return fake


PHONE, TILL, CALLBACK = "0712345678", "K000000", "https://example.com/k2/stk-result"


def _sync(job: str) -> str:
    with K2("client-id", SECRET, transport=httpx.MockTransport(_k2_server(job)), environ={}) as k2:
        payment = k2.stk_push(
            phone_number=PHONE, amount=100, till_number=TILL, callback_url=CALLBACK, metadata={"order": "1"}
        )
        if job == "failed":
            k2.wait_for(payment)
        return payment.location


async def _async(job: str) -> str:
    transport = httpx.MockTransport(_k2_server(job))
    async with AsyncK2("client-id", SECRET, transport=transport, environ={}) as k2:
        payment = await k2.stk_push(
            phone_number=PHONE, amount=100, till_number=TILL, callback_url=CALLBACK, metadata={"order": "1"}
        )
        if job == "failed":
            await k2.wait_for(payment)
        return payment.location


def run_job(job: str, flavour: str) -> str:
    """Run ``job`` (one of ``JOBS``) with ``K2`` (``flavour == "sync"``) or ``AsyncK2`` (``"async"``)."""
    assert job in JOBS, job
    if flavour == "sync":
        return _sync(job)
    assert flavour == "async", flavour
    return asyncio.run(_async(job))
