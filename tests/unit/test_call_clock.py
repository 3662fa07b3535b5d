"""The call's deadline is read on the client's injectable monotonic clock (``RetryPolicy.clock``); the token
fetch blames K2 only for what the generated parser refused.

A test clock that jumps past the deadline while a token is fetched ends the call before its POST is sent,
with nothing really waited; outside any client, a call scope uses ``time.monotonic``.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from k2connect_ext import K2, AsyncK2, K2TimeoutError, RetryPolicy, _call
from tests.fakes import FakeClock, FakeK2

STK: dict[str, Any] = {
    "phone_number": "+254712345678",
    "amount": 100,
    "till_number": "K000000",
    "callback_url": "https://example.com/k2/result",
}


def _jumping(clock: FakeClock, server: FakeK2) -> Any:
    """A transport whose token request takes (by ``clock``) longer than the call's 5 s timeout."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            clock.now += 60
        return server(request)

    return handler


def test_the_deadline_is_read_on_the_retry_policys_clock() -> None:
    clock, server = FakeClock(), FakeK2()
    policy = RetryPolicy(clock=clock, sleep=clock.sleep)
    with (
        K2(
            "id",
            "secret",
            transport=httpx.MockTransport(_jumping(clock, server)),
            retry=policy,
            timeout=5,
            environ={},
        ) as k2,
        pytest.raises(K2TimeoutError),
    ):
        k2.stk_push(**STK)
    assert server.api_requests() == []  # the POST was never sent


async def test_the_async_deadline_is_read_on_the_retry_policys_clock() -> None:
    clock, server = FakeClock(), FakeK2()
    policy = RetryPolicy(clock=clock, async_sleep=clock.asleep)
    transport = httpx.MockTransport(_jumping(clock, server))
    async with AsyncK2("id", "secret", transport=transport, retry=policy, timeout=5, environ={}) as k2:
        with pytest.raises(K2TimeoutError):
            await k2.stk_push(**STK)
    assert server.api_requests() == []


def test_without_a_client_a_scope_uses_the_monotonic_clock() -> None:
    with _call.scope("x", timeout=30) as call:
        assert call.clock is time.monotonic
        left = _call.remaining()
        assert left is not None and 29 < left <= 30


def test_a_client_bound_keeps_the_time_left_when_it_changes_the_clock() -> None:
    clock = FakeClock(now=500.0)
    with _call.scope("outer", timeout=10):
        with _call.bound(100.0, clock) as call:
            assert call.clock is clock
            left = _call.remaining()
            assert left is not None and 9 < left <= 10  # the outer 10 s, now counted on the client's clock
        clock.now += 9.5
        left = _call.remaining()
        assert left is not None and left <= 0.5


@pytest.mark.parametrize("bug", [ValueError("bug"), KeyError("bug"), TypeError("bug")])
def test_a_bug_while_fetching_a_token_propagates_as_itself(bug: Exception) -> None:
    """Only the generated parse error of a token answer is K2's doing; a bug on the way is not."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise bug

    k2 = K2("id", "secret", transport=httpx.MockTransport(handler), environ={})
    with k2, pytest.raises(type(bug)):
        k2.token()
