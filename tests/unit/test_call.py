"""The call context: one deadline per user-level call, shared by every request made on the way."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx
import pytest

from k2connect_ext import K2, AsyncK2, K2TimeoutError, RetryPolicy, _call
from tests.fakes import FakeClock, FakeK2


def test_a_request_made_during_a_bounded_call_shares_its_deadline() -> None:
    """The first client request of a call starts its clock; a request made on the way (a token fetch, a
    401 replay) gets the same call and deadline, neither a fresh one nor its own shorter total."""
    with _call.scope("stk_push"), _call.bound(30.0) as outer:
        deadline = outer.deadline
        with _call.bound(0.001) as inner:
            assert inner is outer
            assert inner.deadline == deadline


def test_a_client_total_only_shortens_the_callers_deadline() -> None:
    """A call the user bounded with ``timeout`` keeps that deadline when the client's total is longer, and
    the client's total applies once."""
    with _call.scope("stk_push", timeout=5.0) as call:
        deadline = call.deadline
        with _call.bound(60.0) as bounded:
            assert bounded is call and bounded.deadline == deadline and bounded.bounded


def test_a_request_outside_any_call_is_a_call_of_its_own() -> None:
    """A client used directly (no facade call around it) bounds the request by its own total, in a call
    that ends with the request."""
    assert _call.current() is None
    with _call.bound(5.0) as call:
        assert _call.current() is call
        assert call.bounded and call.deadline is not None
    assert _call.current() is None


# --- Waits inside a call: bounded by the time it has left ------------------------------------------------


def test_outside_a_call_waits_keep_their_own_bounds() -> None:
    """No call, no deadline: nothing is cut, and a lock is waited for as long as it takes."""
    assert _call.time_left("the K2 access token") is None
    assert _call.capped(5.0) == 5.0
    lock = threading.Lock()
    with _call.holding(lock, "the K2 access token"):
        assert lock.locked()
    assert not lock.locked()


def test_a_sleep_between_polls_is_cut_to_the_time_left() -> None:
    """Inside a call a pause never outlasts the deadline, and is zero once it has passed."""
    with _call.scope("stk_push", timeout=1.0) as call:
        assert 0 < _call.capped(5.0) <= 1.0
        assert _call.capped(0.01) == 0.01
        call.deadline = time.monotonic() - 1
        assert _call.capped(5.0) == 0.0


def test_past_the_deadline_a_wait_is_not_even_tried() -> None:
    """A free lock is not taken once the deadline has passed: the call ends as "nothing was sent", named
    after the operation the user called."""
    lock = threading.Lock()
    with _call.scope("stk_push", timeout=1.0) as call:
        call.deadline = time.monotonic() - 1
        with (
            pytest.raises(K2TimeoutError, match=r"^stk_push: the deadline passed while waiting for the lock"),
            _call.holding(lock, "the lock"),
        ):
            pass  # pragma: no cover - not reached
    assert not lock.locked()


async def test_the_asyncio_twin_past_the_deadline_is_not_even_tried() -> None:
    """The same for an ``asyncio.Lock``."""
    lock = asyncio.Lock()
    with _call.scope(None, timeout=1.0) as call:
        call.deadline = time.monotonic() - 1
        with pytest.raises(K2TimeoutError, match=r"^the call: the deadline passed"):
            async with _call.holding_async(lock, "the lock"):
                pass  # pragma: no cover - not reached
    assert not lock.locked()


async def test_outside_a_call_the_asyncio_twin_waits_unbounded() -> None:
    """No call: the asyncio lock is taken and given back like a plain ``async with lock``."""
    lock = asyncio.Lock()
    async with _call.holding_async(lock, "the lock"):
        assert lock.locked()
    assert not lock.locked()


# ----------------------------------------------------------------------------------------------------
# The call's deadline is read on the client's injectable monotonic clock (``RetryPolicy.clock``).
#
# A test clock that jumps past the deadline while a token is fetched ends the call before its POST is sent,
# with nothing really waited; outside any client, a call scope uses ``time.monotonic``.


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
