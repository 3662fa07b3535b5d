"""Deadlines are deadlines: ``wait_for(timeout=T)`` ends by T + 0.5 s whatever the server does, and a
timeout that could never end a call is refused when the client is built.

These run against the raw-socket fault server on loopback (real sockets, real time): the promise is about
wall time under a hung or trickling server, which no mock can show. They measure a correctness bound of
the call (the documented deadline), not speed.
"""

from __future__ import annotations

import math
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any, Literal

import httpx
import pytest

from k2connect_ext import (
    K2,
    AsyncK2,
    K2ConfigError,
    K2ConnectionError,
    K2PollTimeoutError,
    K2TimeoutError,
    PollSettings,
    RetryPolicy,
)

from .faultserver import Fault, FaultServer
from .matrix import API_KEY, CLIENT_ID, CLIENT_SECRET, TOLERANCE

LOCATION_PATH = "/api/v2/incoming_payments/0f1e2d3c-0000-4a5b-8c9d-000000000001"
POLICY = RetryPolicy(max_attempts=3, base_delay=0.05, max_delay=0.2)
_CREATE: dict[str, Any] = {
    "phone_number": "0712345678",
    "amount": 100,
    "till_number": "K000000",
    "callback_url": "https://example.com/k2/result",
}

# Every GET of the resource misbehaves for the whole wait (times is large).
GET_FAULTS = [
    Fault("hang", "hang", "api", "hang", times=100, hold=8.0),
    Fault("stalled_body", "stall", "api", "stall", times=100, hold=8.0),
    Fault("trickled_body", "trickle", "api", "trickle", times=100, hold=30.0),
]


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    fault_server = FaultServer(client_secret=CLIENT_SECRET, api_key=API_KEY)
    yield fault_server
    fault_server.close()


def _kwargs(base_url: str) -> dict[str, Any]:
    # The client's own timeout is long: only the wait's deadline can end the call in time.
    return {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "base_url": base_url,
        "timeout": 30.0,
        "retry": POLICY,
        "poll": PollSettings(interval=0.1, max_interval=0.2),
        "environ": {},
    }


@pytest.mark.parametrize("fault", GET_FAULTS, ids=[f.name for f in GET_FAULTS])
def test_sync_wait_for_ends_by_its_deadline(server: FaultServer, fault: Fault) -> None:
    """A hung, stalled or trickling read cannot stretch ``wait_for(timeout=1)`` past 1.5 s."""
    with (
        server.listen(fault, name=f"wait-sync-{fault.name}") as listener,
        K2(**_kwargs(listener.base_url)) as k2,
    ):
        k2.token()  # the token is not what is being timed
        started = time.monotonic()
        with pytest.raises(K2PollTimeoutError):
            k2.wait_for(listener.base_url + LOCATION_PATH, timeout=1.0)
        assert time.monotonic() - started <= 1.0 + TOLERANCE


@pytest.mark.parametrize("backend", ["httpx", "aiohttp"])
@pytest.mark.parametrize("fault", GET_FAULTS, ids=[f.name for f in GET_FAULTS])
async def test_async_wait_for_ends_by_its_deadline(
    server: FaultServer, fault: Fault, backend: Literal["httpx", "aiohttp"]
) -> None:
    """The asyncio twin, on both backends: the same bound on the same faults."""
    with server.listen(fault, name=f"wait-async-{fault.name}") as listener:
        async with AsyncK2(**_kwargs(listener.base_url), http_backend=backend) as k2:
            await k2.token()
            started = time.monotonic()
            with pytest.raises(K2PollTimeoutError):
                await k2.wait_for(listener.base_url + LOCATION_PATH, timeout=1.0)
            assert time.monotonic() - started <= 1.0 + TOLERANCE


BAD_TIMEOUTS = [0, 0.0, -1, math.inf, math.nan, httpx.Timeout(None), httpx.Timeout(5.0, read=None), True]


@pytest.mark.parametrize("timeout", BAD_TIMEOUTS, ids=repr)
def test_a_timeout_that_cannot_bound_a_call_is_refused(timeout: Any) -> None:
    """Zero, negative, infinite, NaN or disabled timeouts are configuration errors at construction."""
    with pytest.raises(K2ConfigError, match="timeout"):
        K2(CLIENT_ID, CLIENT_SECRET, base_url="http://127.0.0.1:9", timeout=timeout, environ={})
    with pytest.raises(K2ConfigError, match="timeout"):
        AsyncK2(CLIENT_ID, CLIENT_SECRET, base_url="http://127.0.0.1:9", timeout=timeout, environ={})


@pytest.mark.parametrize("timeout", [0, -1, math.inf, math.nan])
def test_a_wait_timeout_that_cannot_end_is_refused(timeout: float) -> None:
    """``wait_for(timeout=...)`` follows the same rule, before anything is read."""
    with (
        K2(CLIENT_ID, CLIENT_SECRET, base_url="http://127.0.0.1:9", environ={}) as k2,
        pytest.raises(K2ConfigError),
    ):
        k2.wait_for("http://127.0.0.1:9" + LOCATION_PATH, timeout=timeout)


def test_an_unknown_async_backend_is_refused() -> None:
    """``http_backend`` names one of the two backends; anything else is a configuration error."""
    with pytest.raises(K2ConfigError, match="http_backend"):
        AsyncK2(CLIENT_ID, CLIENT_SECRET, base_url="http://127.0.0.1:9", http_backend="curl", environ={})  # type: ignore[arg-type]


# ------------------------------------------------------------------ name lookups
SLOW_NAME = "k2.slow-lookup.test"  # never really looked up: the resolver below answers for it


@pytest.fixture
def slow_resolver(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """``socket.getaddrinfo`` blocks for SLOW_NAME until the returned event is set (by the test's end,
    or by a 30 s hang guard), then answers loopback. Every backend resolves through it: the sync one in
    the SDK's lookup thread, asyncio and aiohttp in the loop's executor."""
    released = threading.Event()
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host in (SLOW_NAME, SLOW_NAME.encode()):  # anyio passes the name IDNA-encoded
            released.wait(30.0)
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield released
    released.set()


def _slow_client_kwargs() -> dict[str, Any]:
    return {"base_url": f"https://{SLOW_NAME}", "timeout": 1.0, "retry": POLICY, "environ": {}}


def test_a_slow_name_lookup_cannot_stretch_a_sync_call(slow_resolver: threading.Event) -> None:
    """``K2(timeout=1)`` whose name lookup hangs: the call ends as a timeout while the lookup is still
    blocked (it used to wait for the lookup), and as "nothing was sent", never ambiguous."""
    with K2(CLIENT_ID, CLIENT_SECRET, **_slow_client_kwargs()) as k2, pytest.raises(K2TimeoutError) as caught:
        k2.stk_push(**_CREATE)
    assert not slow_resolver.is_set(), "the call waited for the name lookup"
    assert isinstance(caught.value, K2ConnectionError)


@pytest.mark.parametrize("backend", ["httpx", "aiohttp"])
async def test_a_slow_name_lookup_cannot_stretch_an_async_call(
    slow_resolver: threading.Event, backend: Literal["httpx", "aiohttp"]
) -> None:
    """The asyncio twins, on both backends: the same bound on the same lookup."""
    try:
        async with AsyncK2(CLIENT_ID, CLIENT_SECRET, http_backend=backend, **_slow_client_kwargs()) as k2:
            with pytest.raises(K2TimeoutError) as caught:
                await k2.stk_push(**_CREATE)
            assert not slow_resolver.is_set(), "the call waited for the name lookup"
    finally:
        slow_resolver.set()  # the loop's executor waits for its lookups before the loop can close
    assert isinstance(caught.value, K2ConnectionError)
