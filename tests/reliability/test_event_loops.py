"""An ``AsyncK2`` outlives its event loop: one client, an ``asyncio.run`` per job, on both backends.

Pooled connections belong to the loop that opened them; before, the second loop got a bare
``RuntimeError("Event loop is closed")``, breaking the rule that only ``K2Error`` escapes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Literal

import pytest

from k2connect_ext import AsyncK2

from .faultserver import FaultServer
from .matrix import API_KEY, CLIENT_ID, CLIENT_SECRET

LOCATION_PATH = "/api/v2/incoming_payments/0f1e2d3c-0000-4a5b-8c9d-000000000002"


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
