"""Tests for k2connect_ext._money_safety: a POST that may have moved money is sent once, and its 2xx counts
as definite only when it is the one its operation documents in the spec.

The spec (through the generated registry) says a create answers 201 with a Location and a payment link's
cancel answers 200; any other 2xx says nothing certain about whether K2 acted, so it is ambiguous.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from k2connect_ext import K2, AsyncK2, K2AmbiguousOutcomeError
from k2connect_ext._exceptions import K2ConnectionError, K2UnexpectedResponseError
from tests.client_runner import BASE, CB, LOCATION, STK_ARGS, Runner, stk_body
from tests.fakes import PID, FakeK2, error, raises, reply

STK: dict[str, Any] = {
    "phone_number": "+254712345678",
    "amount": 100,
    "till_number": "K000000",
    "callback_url": "https://example.com/k2/result",
}
LOCATION_HEADER = {"Location": f"{BASE}/api/v2/incoming_payments/{PID}"}


def _sync(*replies: Any) -> K2:
    return K2("id", "secret", transport=httpx.MockTransport(FakeK2(*replies)), environ={})


def _async(*replies: Any) -> AsyncK2:
    return AsyncK2("id", "secret", transport=httpx.MockTransport(FakeK2(*replies)), environ={})


@pytest.mark.parametrize("status", [200, 202, 204])
def test_a_create_answered_with_another_2xx_is_ambiguous(status: int) -> None:
    with _sync(reply(status, {}, LOCATION_HEADER)) as k2, pytest.raises(K2AmbiguousOutcomeError) as info:
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
    with _sync(reply(201, None, LOCATION_HEADER), reply(200, {"message": "Payment link cancelled."})) as k2:
        assert k2.stk_push(**STK).id == PID
        assert k2.cancel_payment_link(PID) == "Payment link cancelled."


# The same rules through the wired client, sync and async: a POST that may have reached K2 is sent once.


@pytest.fixture(params=["sync", "async"])
def runner(request: pytest.FixtureRequest) -> Runner:
    """The same scenario through K2 / connect() and through AsyncK2 / async_connect()."""
    return Runner(request.param)


async def test_connect_error_on_a_post_is_retried_because_it_never_left(runner: Runner) -> None:
    """A POST whose connection failed was never sent, so retrying it cannot pay twice."""
    server = FakeK2(raises(httpx.ConnectError("refused")))
    created = await runner.run(runner.k2(server).stk_push, **STK_ARGS)
    assert created.id == PID
    assert len(server.api_requests()) == 2


async def test_post_read_timeout_is_ambiguous_and_sent_once(runner: Runner) -> None:
    """A POST that timed out waiting for its answer may have moved money: raised once, never retried."""
    server = FakeK2(raises(httpx.ReadTimeout("read timed out")))
    with pytest.raises(K2AmbiguousOutcomeError) as info:
        await runner.run(runner.k2(server).stk_push, **STK_ARGS)
    posts = [r for r in server.api_requests() if r.method == "POST"]
    assert len(posts) == 1
    error = info.value
    assert error.method == "POST"
    assert error.url == f"{BASE}/api/v2/incoming_payments"
    assert error.callback_url == CB
    assert error.request_body == stk_body().to_dict()
    # Not a connection error: ``except K2ConnectionError: retry`` must not catch it.
    assert not isinstance(error, K2ConnectionError)


# ---------------------------------------------------------------------------------- undocumented answers
@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_on_a_create_is_ambiguous_and_sent_once(runner: Runner, status: int) -> None:
    """K2 has no idempotency keys: a 5xx to a POST says nothing about whether money moved."""
    server = FakeK2(error(status))
    with pytest.raises(K2AmbiguousOutcomeError) as info:
        await runner.run(runner.k2(server).stk_push, **STK_ARGS)
    assert len(server.api_requests()) == 1
    error_ = info.value
    assert error_.status_code == status
    assert error_.operation == "stk_push"
    assert error_.callback_url == CB
    assert error_.hint is not None and "poll_transactions" in error_.hint


@pytest.mark.parametrize("status", [200, 202, 204])
async def test_undocumented_2xx_on_a_create_is_ambiguous(runner: Runner, status: int) -> None:
    """A 2xx other than the documented 201 may mean K2 acted: ambiguous, never the generator's error."""
    server = FakeK2(reply(status, {"accepted": True}) if status != 204 else lambda r: httpx.Response(204))
    with pytest.raises(K2AmbiguousOutcomeError) as info:
        await runner.run(runner.k2(server).stk_push, **STK_ARGS)
    assert info.value.status_code == status
    assert "stk_push" in str(info.value)
    assert len(server.api_requests()) == 1


@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_redirect_on_a_create_is_ambiguous_and_not_followed(runner: Runner, status: int) -> None:
    """A redirect to a POST is not followed (it would carry the token) and leaves the outcome unknown."""
    server = FakeK2(lambda r: httpx.Response(status, headers={"Location": "https://evil.example/x"}))
    with pytest.raises(K2AmbiguousOutcomeError) as info:
        await runner.run(runner.k2(server).stk_push, **STK_ARGS)
    assert info.value.status_code == status
    assert len(server.api_requests()) == 1


async def test_undocumented_2xx_on_a_read_is_unexpected_response(runner: Runner) -> None:
    """A 204 on a read is K2UnexpectedResponseError too."""
    server = FakeK2(lambda request: httpx.Response(204))
    with pytest.raises(K2UnexpectedResponseError) as info:
        await runner.run(runner.k2(server).get, LOCATION)
    assert info.value.status_code == 204
