"""Issue 17, item 7: a call's ``timeout`` bounds its wait for a token too (in-process locks).

A caller queued behind another caller's token fetch, or behind a token store's lock, ends at its own deadline
with ``K2TimeoutError`` (nothing was sent: safe to retry) instead of waiting for the fetch. Sync and async
alike. The elapsed-time checks are hang guards only (10x the timeout), not speed assertions.
The Redis and file stores' own waits are in ``tests/stores/test_token_store_deadlines.py``.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import httpx
import pytest

from k2connect_ext import _call
from k2connect_ext._exceptions import K2Error, K2PollTimeoutError, K2TimeoutError
from k2connect_ext._facade import K2, AsyncK2
from k2connect_ext._token_manager import AsyncTokenManager, TokenManager
from k2connect_ext._token_stores import AccessToken, MemoryTokenStore
from tests.fakes import PID, FakeK2

BASE = "https://sandbox.kopokopo.com"
CLIENT_ID = "client-id-deadline"
SECRET = "client-secret-deadline-never-leak"
LOCATION = f"{BASE}/api/v2/incoming_payments/{PID}"
STK_ARGS: dict[str, Any] = {
    "phone_number": "0712345678",
    "amount": 100,
    "till_number": "K000000",
    "callback_url": "https://example.com/k2/result",
}
TIMEOUT = 0.5
HANG_GUARD = 10 * TIMEOUT  # "unbounded" shows as a wait of HOLD, far beyond this
HOLD = 8.0  # how long the other caller's fetch (or lock) lasts at most, if the test does not end it first
WAIT = 10.0


class HeldTokenEndpoint:
    """A FakeK2 whose first token request is held until ``release`` (at most HOLD s): a fetch in flight."""

    def __init__(self) -> None:
        self.k2 = FakeK2()
        self.arrived = threading.Event()
        self.release = threading.Event()
        self._first = True

    def _is_first_token_request(self, request: httpx.Request) -> bool:
        first = request.url.path == "/oauth/token" and self._first
        if first:
            self._first = False
            self.arrived.set()
        return first

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self._is_first_token_request(request):
            self.release.wait(HOLD)
        return self.k2(request)

    async def handle_async(self, request: httpx.Request) -> httpx.Response:
        if self._is_first_token_request(request):
            started = time.monotonic()
            while not self.release.is_set() and time.monotonic() - started < HOLD:
                await asyncio.sleep(0.01)
        return self.k2(request)

    def token_requests(self) -> int:
        return sum(1 for r in self.k2.seen if r.url.path == "/oauth/token")


def options(transport: httpx.BaseTransport | httpx.AsyncBaseTransport, call: str) -> dict[str, Any]:
    # stk_push is bounded by the client's timeout; wait_for by its own (the client's is long then).
    return {
        "base_url": BASE,
        "transport": transport,
        "timeout": TIMEOUT if call == "stk_push" else 30.0,
        "environ": {},
    }


def check_timed_out(caught: pytest.ExceptionInfo[K2Error], call: str) -> None:
    """stk_push raises K2TimeoutError; wait_for turns its reads' K2TimeoutError into its own timeout."""
    if call == "wait_for":
        assert isinstance(caught.value, K2PollTimeoutError)
    else:
        assert isinstance(caught.value, K2TimeoutError)
        assert "stk_push: the deadline passed while waiting for the K2 access token" in str(caught.value)


@pytest.mark.parametrize("call", ["stk_push", "wait_for"])
def test_a_sync_call_queued_behind_another_callers_fetch_ends_at_its_deadline(call: str) -> None:
    """Before: ``wait_for(timeout=1)`` took 2.7 s while another thread fetched the token (the manager's
    lock was taken without a bound)."""
    endpoint = HeldTokenEndpoint()
    holder_errors: list[BaseException] = []

    def other_caller(k2: K2) -> None:
        try:
            k2.token()
        except K2Error as exc:  # its own fetch may end past its client timeout: not what is tested
            holder_errors.append(exc)

    with K2(CLIENT_ID, SECRET, **options(httpx.MockTransport(endpoint), call)) as k2:
        holder = threading.Thread(target=other_caller, args=(k2,))
        holder.start()
        try:
            assert endpoint.arrived.wait(WAIT)
            started = time.monotonic()
            with pytest.raises((K2TimeoutError, K2PollTimeoutError)) as caught:
                if call == "stk_push":
                    k2.stk_push(**STK_ARGS)
                else:
                    k2.wait_for(LOCATION, timeout=TIMEOUT)
            elapsed = time.monotonic() - started
        finally:
            endpoint.release.set()
            holder.join(WAIT)
    assert elapsed < HANG_GUARD
    check_timed_out(caught, call)
    assert endpoint.token_requests() == 1  # the queued call never fetched a token of its own
    assert not any(r.url.path.startswith("/api/") for r in endpoint.k2.seen)  # nothing was sent


@pytest.mark.parametrize("call", ["stk_push", "wait_for"])
async def test_an_async_call_queued_behind_another_tasks_fetch_ends_at_its_deadline(call: str) -> None:
    """The asyncio twin: the manager's ``asyncio.Lock`` is waited for no longer than the call has left."""
    endpoint = HeldTokenEndpoint()

    async with AsyncK2(CLIENT_ID, SECRET, **options(httpx.MockTransport(endpoint.handle_async), call)) as k2:

        async def other_caller() -> AccessToken:
            return await k2.token()

        holder = asyncio.create_task(other_caller())
        try:
            for _ in range(int(WAIT * 100)):
                if endpoint.arrived.is_set():
                    break
                await asyncio.sleep(0.01)
            started = time.monotonic()
            with pytest.raises((K2TimeoutError, K2PollTimeoutError)) as caught:
                if call == "stk_push":
                    await k2.stk_push(**STK_ARGS)
                else:
                    await k2.wait_for(LOCATION, timeout=TIMEOUT)
            elapsed = time.monotonic() - started
        finally:
            endpoint.release.set()
            await asyncio.wait([holder], timeout=WAIT)
            if not holder.cancelled():
                holder.exception()  # its own fetch may end past its client timeout: not what is tested
    assert elapsed < HANG_GUARD
    check_timed_out(caught, call)
    assert endpoint.token_requests() == 1
    assert not any(r.url.path.startswith("/api/") for r in endpoint.k2.seen)


# --- The manager and a store's lock, without a client around them ---------------------------------------

NOW = 1_700_000_000.0


def issue() -> AccessToken:
    return AccessToken(value="deadline-token-never-leak", expires_at=NOW + 3600, obtained_at=NOW)


def fetch_counter() -> tuple[Callable[[], AccessToken], list[int]]:
    fetches: list[int] = []

    def fetch() -> AccessToken:
        fetches.append(1)
        return issue()

    return fetch, fetches


async def get_within(mode: str, manager_store: Any, fetch: Callable[[], AccessToken], timeout: float) -> None:
    """``get()`` of a sync or async manager on ``manager_store``, inside a call bounded by ``timeout``."""

    def clock() -> float:
        return NOW  # frozen: the token stays fresh

    if mode == "sync":
        with _call.scope("stk_push", timeout=timeout):
            TokenManager(fetch, store=manager_store, clock=clock).get()
        return

    async def afetch() -> AccessToken:
        return fetch()

    with _call.scope("stk_push", timeout=timeout):
        await AsyncTokenManager(afetch, store=manager_store, clock=clock).get()


@pytest.fixture
def held_memory_store() -> Iterator[MemoryTokenStore]:
    """A MemoryTokenStore whose fetch lock another thread holds (for at most HOLD s)."""
    store = MemoryTokenStore()
    taken, done = threading.Event(), threading.Event()

    def holder() -> None:
        with store.lock():
            taken.set()
            done.wait(HOLD)

    thread = threading.Thread(target=holder)
    thread.start()
    assert taken.wait(WAIT)
    yield store
    done.set()
    thread.join(WAIT)


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_a_held_store_lock_ends_the_wait_at_the_deadline(
    mode: str, held_memory_store: MemoryTokenStore
) -> None:
    """Another thread holds the store's fetch lock: the call ends at its deadline without fetching."""
    fetch, fetches = fetch_counter()
    started = time.monotonic()
    with pytest.raises(K2TimeoutError, match="stk_push: the deadline passed while waiting for"):
        await get_within(mode, held_memory_store, fetch, TIMEOUT)
    assert time.monotonic() - started < HANG_GUARD
    assert fetches == []


class SlowLockStore(MemoryTokenStore):
    """A third-party store whose lock knows nothing of deadlines: it takes longer than the call has."""

    def lock(self) -> AbstractContextManager[None]:
        time.sleep(4 * SHORT)
        return super().lock()


SHORT = 0.05


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_a_store_lock_that_returns_past_the_deadline_is_not_followed_by_a_fetch(mode: str) -> None:
    """When a store's lock comes back after the deadline, the manager raises instead of fetching late."""
    fetch, fetches = fetch_counter()
    with pytest.raises(K2TimeoutError):
        await get_within(mode, SlowLockStore(), fetch, SHORT)
    assert fetches == []


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_without_a_deadline_problem_the_token_is_fetched_once(mode: str) -> None:
    """The bounded waits change nothing for a call with time to spare: one fetch, then the cache."""
    fetch, fetches = fetch_counter()
    store = MemoryTokenStore()
    await get_within(mode, store, fetch, 30.0)
    await get_within(mode, store, fetch, 30.0)
    assert fetches == [1]
