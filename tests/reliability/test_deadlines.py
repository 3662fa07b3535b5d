"""Deadlines are deadlines: ``wait_for(timeout=T)`` ends by T + 0.5 s whatever the server does, and a
timeout that could never end a call is refused when the client is built.

These run against the raw-socket fault server on loopback (real sockets, real time): the promise is about
wall time under a hung or trickling server, which no mock can show. They measure a correctness bound of
the call (the documented deadline), not speed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from typing import Any, Literal

import httpx
import pytest

from k2connect_ext import K2, AsyncK2, K2ConfigError, K2PollTimeoutError, PollSettings, RetryPolicy

from .faultserver import Fault, FaultServer
from .matrix import API_KEY, CLIENT_ID, CLIENT_SECRET, TOLERANCE

LOCATION_PATH = "/api/v2/incoming_payments/0f1e2d3c-0000-4a5b-8c9d-000000000001"
POLICY = RetryPolicy(max_attempts=3, base_delay=0.05, max_delay=0.2)

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
