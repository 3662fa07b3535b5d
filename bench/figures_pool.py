"""Does the default httpx async path get faster with other ``httpx.Limits``? (part 2 of the issue)

Calls/s at 50 concurrent GETs for a raw ``httpx.AsyncClient`` and ``AsyncK2`` on the same transport, for
several pool settings, then on ``AiohttpTransport``, then a raw aiohttp session for reference, on loopback
and over the 30 ms RTT TLS link; with the new connections the stub saw per 1,000 calls.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
from collections.abc import Awaitable, Callable

import httpx
from rows import Report
from stub_process import CLIENT_ID, CLIENT_SECRET, Stub, first_location
from stub_server import PAYMENT_PATH, TOKEN
from timing import CALLS_MADE, CONCURRENCY, Counts, concurrent_per_call, interleave, median

from k2connect_ext import AsyncK2

SETTINGS = {
    "httpx default (100 / keep-alive 20 / 5 s)": httpx.Limits(
        max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0
    ),
    "100 / keep-alive 100 / 5 s": httpx.Limits(max_connections=100, max_keepalive_connections=100),
    "50 / keep-alive 50 / 30 s": httpx.Limits(
        max_connections=50, max_keepalive_connections=50, keepalive_expiry=30.0
    ),
    "20 / keep-alive 20 / 5 s": httpx.Limits(max_connections=20, max_keepalive_connections=20),
}


class Churn:
    """New connections the stub saw per 1,000 concurrent calls, from now until ``per_thousand()``."""

    def __init__(self, stub: Stub) -> None:
        self.stub = stub
        self.connections = stub.stats()["connections"]
        self.calls = CALLS_MADE[0]

    def per_thousand(self) -> float:
        opened = self.stub.stats()["connections"] - self.connections - 1  # the stats request's own
        calls = max(1, CALLS_MADE[0] - self.calls)
        return 1000 * opened / calls


def pool_measure(
    stub: Stub,
    runner: asyncio.Runner,
    origin: str,
    transport: Callable[[], httpx.AsyncBaseTransport],
    calls: int,
    rounds: int,
    location: str,
) -> dict[str, float]:
    """Per-call seconds at 50 concurrent for a raw httpx client and AsyncK2, both on ``transport()``."""
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
    raw = httpx.AsyncClient(base_url=origin, headers=headers, transport=transport())
    k2 = AsyncK2(CLIENT_ID, CLIENT_SECRET, base_url=origin, transport=transport())

    async def raw_call() -> object:
        return await raw.get(PAYMENT_PATH)

    async def k2_call() -> object:
        return await k2.get(location)

    def measure(call: Callable[[], Awaitable[object]], count: int) -> Callable[[], float]:
        return lambda: runner.run(concurrent_per_call(call, count, CONCURRENCY))

    measure(raw_call, CONCURRENCY)()  # warm: connections, token
    measure(k2_call, CONCURRENCY)()
    churn = Churn(stub)
    result = interleave(rounds, {"raw": measure(raw_call, calls), "k2": measure(k2_call, calls)})
    result["churn"] = churn.per_thousand()
    runner.run(raw.aclose())
    runner.run(k2.aclose())
    return result


def pool_rows(stub: Stub, counts: Counts, report: Report) -> None:
    """Raw httpx and AsyncK2 on each pool setting, both links; then aiohttp's transport and session."""
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
    links = (
        (stub.origin, "loopback", counts.pool_calls),
        (stub.slow_origin, "30 ms RTT TLS", counts.pool_calls),
    )
    with asyncio.Runner() as runner:
        location = first_location(runner, stub.origin)
        for title, limits in list(SETTINGS.items())[: counts.pool_settings]:
            for origin, link, calls in links:
                transport = functools.partial(httpx.AsyncHTTPTransport, limits=limits)
                result = pool_measure(stub, runner, origin, transport, calls, counts.pool_rounds, location)
                report.pool_rows.append(
                    [
                        title,
                        link,
                        f"{1 / result['raw']:,.0f} /s",
                        f"{1 / result['k2']:,.0f} /s",
                        f"{result['churn']:,.0f}",
                    ]
                )
        try:
            import aiohttp

            from k2connect_ext._aiohttp_transport import AiohttpTransport
        except ImportError:
            return
        for origin, link, calls in links:
            result = pool_measure(stub, runner, origin, AiohttpTransport, calls, counts.pool_rounds, location)
            report.pool_rows.append(
                [
                    "`k2connect_ext._aiohttp_transport.AiohttpTransport` (httpx's default limits)",
                    link,
                    f"{1 / result['raw']:,.0f} /s",
                    f"{1 / result['k2']:,.0f} /s",
                    f"{result['churn']:,.0f}",
                ]
            )
        for origin, link, calls in links:
            url = origin + PAYMENT_PATH
            churn: list[Churn] = []

            async def aiohttp_rate(url: str = url, calls: int = calls, churn: list[Churn] = churn) -> float:
                context = ssl.create_default_context(cafile=stub.ca)
                connector = aiohttp.TCPConnector(limit=100, ssl=context)
                async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

                    async def call() -> None:
                        async with session.get(url) as response:
                            await response.read()

                    await concurrent_per_call(call, CONCURRENCY, CONCURRENCY)
                    churn.append(Churn(stub))
                    return median(
                        [
                            await concurrent_per_call(call, calls, CONCURRENCY)
                            for _ in range(counts.pool_rounds)
                        ]
                    )

            per = runner.run(aiohttp_rate())
            report.pool_rows.append(
                [
                    "raw aiohttp session (limit 100), for reference",
                    link,
                    f"{1 / per:,.0f} /s",
                    "—",
                    f"{churn[0].per_thousand():,.0f}",
                ]
            )
