"""One ``AsyncK2`` serves many event loops, one after another or at once in threads, on both backends.

Pooled connections belong to the loop that opened them; before, the second loop got a bare
``RuntimeError("Event loop is closed")``, breaking the rule that only ``K2Error`` escapes. Loops running at
once in several threads shared one slot for "the current loop's pool", so each took the others' pool,
session or semaphore: "attached to a different loop", or a wait never woken and a spurious timeout.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
import threading
import time
import warnings
from collections.abc import Coroutine, Iterator
from typing import Any, Literal, TypeVar

import httpx
import pytest

from k2connect_ext import AsyncK2

from .faultserver import FaultServer, Listener
from .matrix import API_KEY, CLIENT_ID, CLIENT_SECRET

LOCATION_PATH = "/api/v2/incoming_payments/0f1e2d3c-0000-4a5b-8c9d-000000000002"
CREATE_PATH = "/api/v2/incoming_payments"
Backend = Literal["httpx", "aiohttp"]
BACKENDS: list[Backend] = ["httpx", "aiohttp"]
T = TypeVar("T")
HANG_GUARD = 60.0  # seconds: only a hang comes near it


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    fault_server = FaultServer(client_secret=CLIENT_SECRET, api_key=API_KEY)
    yield fault_server
    fault_server.close()


@pytest.mark.parametrize("backend", ["httpx", "aiohttp"])
def test_one_client_serves_successive_event_loops(
    server: FaultServer, backend: Literal["httpx", "aiohttp"]
) -> None:
    """Three jobs, three loops, one client: every read succeeds and the token is fetched once."""
    with server.listen(None, name=f"loops-{backend}") as listener:
        k2 = AsyncK2(CLIENT_ID, CLIENT_SECRET, base_url=listener.base_url, http_backend=backend, environ={})

        async def job() -> object:
            return await k2.get(listener.base_url + LOCATION_PATH)

        for _ in range(3):
            assert asyncio.run(job()) is not None
        asyncio.run(k2.aclose())
        assert listener.count("POST", "/oauth/token") == 1
        assert listener.count("GET") == 3


def _client(listener: Listener, backend: Backend, **options: Any) -> AsyncK2:
    return AsyncK2(
        CLIENT_ID, CLIENT_SECRET, base_url=listener.base_url, http_backend=backend, environ={}, **options
    )


async def _create(k2: AsyncK2) -> object:
    return await k2.stk_push(
        phone_number="0712345678", amount=10, till_number="K000000", callback_url="https://example.com/k2/r"
    )


class LoopThread:
    """An event loop running in a thread of its own for as long as the test needs it."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(HANG_GUARD)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(HANG_GUARD)
        self.loop.close()


def _wait_until_closed(listener: Listener) -> int:
    """The connections still open once the client's closes have reached the server (hang guard only)."""
    deadline = time.monotonic() + 5.0
    while listener.connections()[1] and time.monotonic() < deadline:
        time.sleep(0.02)
    return listener.connections()[1]


@pytest.mark.parametrize("backend", BACKENDS)
def test_loops_alive_at_once_each_keep_their_own_pool(server: FaultServer, backend: Backend) -> None:
    """Two loops alive in two threads, taking turns: each reuses its own kept-alive connection.

    Before, one slot held "the pool of the loop seen last", so every turn threw the other loop's pool
    away and opened a connection (20 here): the same slot that loops running at once raced on.
    """
    with server.listen(None, name=f"alive-{backend}") as listener:
        k2 = _client(listener, backend)
        first, second = LoopThread("loop-a"), LoopThread("loop-b")
        try:
            for _ in range(10):
                first.run(_create(k2))
                second.run(_create(k2))
            assert listener.connections()[0] == 2  # one per loop, the token fetch on the first
            assert listener.count("POST", CREATE_PATH) == 20
        finally:
            asyncio.run(k2.aclose())
            first.close()
            second.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_closing_closes_each_loops_pool_on_its_own_loop(server: FaultServer, backend: Backend) -> None:
    """``aclose`` from a third loop closes the kept-alive connections of two loops still running in
    other threads (each on its own loop), instead of leaving them open."""
    with server.listen(None, name=f"close-{backend}") as listener:
        k2 = _client(listener, backend)
        first, second = LoopThread("loop-a"), LoopThread("loop-b")
        try:
            first.run(_create(k2))
            second.run(_create(k2))
            assert listener.connections() == (2, 2)
            asyncio.run(k2.aclose())
            assert _wait_until_closed(listener) == 0
        finally:
            first.close()
            second.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_closing_after_the_loops_ended_releases_their_pools_quietly(
    server: FaultServer, backend: Backend, caplog: pytest.LogCaptureFixture
) -> None:
    """Pools of loops that have ended cannot be closed on their loop: they are released without error
    (never through the dead loop), and none is collected as an unclosed session or connector."""
    with (
        server.listen(None, name=f"ended-{backend}") as listener,
        caplog.at_level(logging.ERROR),
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")  # pytest turns warnings into errors, which __del__ swallows
        k2 = _client(listener, backend)
        threads = [threading.Thread(target=asyncio.run, args=(_create(k2),)) for _ in range(2)]
        for thread in threads:
            thread.start()
            thread.join(HANG_GUARD)
        asyncio.run(_create(k2))  # a third loop: the first two are over
        asyncio.run(k2.aclose())
        del k2
        gc.collect()
        assert listener.count("POST", CREATE_PATH) == 3
    unclosed = [str(w.message) for w in caught if str(w.message).startswith("Unclosed")]
    unclosed += [r.getMessage() for r in caplog.records if "Unclosed" in r.getMessage()]
    assert unclosed == []


THREADS = 4
LOOPS_PER_THREAD = 4
CALLS_PER_LOOP = 100
TASKS_PER_LOOP = 10  # calls in flight at once in each loop: more than the pool has connections
LIMITS = httpx.Limits(max_connections=2, max_keepalive_connections=2)


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_client_serves_event_loops_running_at_once_in_threads(
    server: FaultServer, backend: Backend
) -> None:
    """4 threads, each running 4 loops one after another, 100 creates per loop, one client: no error.

    Creates are never retried, so any failure (a session, pool or lock of another loop: "attached to a
    different loop", a spurious timeout) surfaces as it is instead of being hidden by a retry. Each loop
    has more calls in flight than its pool has connections, so calls wait for one another; threads take
    turns far more often than usual, so a race between loops shows up in one run rather than in some.
    """
    with server.listen(None, name=f"threads-{backend}") as listener:
        k2 = _client(listener, backend, limits=LIMITS)
        failures: list[str] = []
        done: list[object] = []
        lock = threading.Lock()

        async def calls(count: int) -> None:
            for _ in range(count):
                try:
                    created = await _create(k2)
                except Exception as exc:  # every kind is a finding: keep it, carry on
                    with lock:
                        failures.append(f"{type(exc).__name__}: {exc}")
                else:
                    with lock:
                        done.append(created)

        async def one_loop() -> None:
            share = CALLS_PER_LOOP // TASKS_PER_LOOP
            await asyncio.gather(*(calls(share) for _ in range(TASKS_PER_LOOP)))

        def one_thread() -> None:
            for _ in range(LOOPS_PER_THREAD):
                asyncio.run(one_loop())

        asyncio.run(calls(1))  # the token, and the SDK's first-use imports, before the threads start
        threads = [threading.Thread(target=one_thread, name=f"loops-{i}") for i in range(THREADS)]
        switch = sys.getswitchinterval()
        sys.setswitchinterval(1e-5)
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(2 * HANG_GUARD)
        finally:
            sys.setswitchinterval(switch)
        asyncio.run(k2.aclose())
        assert not any(thread.is_alive() for thread in threads), "a loop thread hung"
        total = THREADS * LOOPS_PER_THREAD * CALLS_PER_LOOP
        assert failures == [], f"{len(failures)} of {total}: {failures[:5]}"
        assert len(done) == total + 1
        assert listener.count("POST", CREATE_PATH) == len(done)
