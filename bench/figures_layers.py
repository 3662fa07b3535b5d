"""Where an async call's time goes: the async stack layer by layer (a profile by subtraction).

One GET at a time on loopback, each layer added in turn (a raw aiohttp session, ``AiohttpTransport``,
``httpx.AsyncClient`` on it, ``AsyncK2`` on aiohttp; then the default httpx path): client-process CPU per
call (``time.process_time``, so a loaded machine's waiting is left out) and wall time per call.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import httpx
from rows import Report
from stub_process import CLIENT_ID, CLIENT_SECRET, Stub, first_location
from stub_server import PAYMENT_PATH, TOKEN
from timing import MAX_SECONDS, Counts, median, us

from k2connect_ext import AsyncK2

Call = Callable[[], Awaitable[object]]


def _aiohttp_layers(
    runner: asyncio.Runner, origin: str, headers: dict[str, str], location: str
) -> tuple[dict[str, Call], list[Call]]:
    """The aiohttp layers and their closers, or none when aiohttp is not installed."""
    try:
        import aiohttp

        from k2connect_ext._aiohttp_transport import AiohttpTransport
    except ImportError:
        return {}, []
    url = origin + PAYMENT_PATH

    async def new_session() -> aiohttp.ClientSession:  # a session belongs to the loop it is made in
        return aiohttp.ClientSession(headers=headers)

    session = runner.run(new_session())
    transport = AiohttpTransport()
    request = httpx.Request("GET", url, headers=headers, extensions={"timeout": httpx.Timeout(5.0).as_dict()})
    on_aiohttp = httpx.AsyncClient(headers=headers, transport=AiohttpTransport())
    k2_aiohttp = AsyncK2(CLIENT_ID, CLIENT_SECRET, base_url=origin, http_backend="aiohttp")

    async def raw_aiohttp() -> object:
        async with session.get(url) as response:
            return await response.read()

    async def transport_only() -> object:
        response = await transport.handle_async_request(request)
        await response.aread()
        await response.aclose()
        return response

    layers: dict[str, Call] = {
        "raw aiohttp session": raw_aiohttp,
        "+ AiohttpTransport (httpx.Request in, httpx.Response out)": transport_only,
        "+ httpx.AsyncClient on AiohttpTransport": lambda: on_aiohttp.get(url),
        '+ AsyncK2(http_backend="aiohttp").get (auth, retries, parsing)': lambda: k2_aiohttp.get(location),
    }
    return layers, [session.close, transport.aclose, on_aiohttp.aclose, k2_aiohttp.aclose]


def layer_rows(stub: Stub, counts: Counts, report: Report) -> None:
    """CPU and wall per sequential call for each layer of the async stack."""
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
    url = stub.origin + PAYMENT_PATH
    with asyncio.Runner() as runner:
        location = first_location(runner, stub.origin)
        layers, closers = _aiohttp_layers(runner, stub.origin, headers, location)
        default = httpx.AsyncClient(headers=headers)
        k2_default = AsyncK2(CLIENT_ID, CLIENT_SECRET, base_url=stub.origin)
        closers += [default.aclose, k2_default.aclose]
        layers["raw httpx.AsyncClient, default transport"] = lambda: default.get(url)
        layers["+ AsyncK2.get (default backend)"] = lambda: k2_default.get(location)

        for call in layers.values():
            runner.run(_sequential(call, 5))
        cpu: dict[str, list[float]] = {name: [] for name in layers}
        wall: dict[str, list[float]] = {name: [] for name in layers}
        for _ in range(counts.rounds):
            for name, call in layers.items():
                spent_cpu, spent_wall = runner.run(_sequential(call, counts.sync_calls))
                cpu[name].append(spent_cpu)
                wall[name].append(spent_wall)
        for close in closers:
            runner.run(_awaited(close))
    for name in layers:
        report.layer_rows.append([name, us(median(cpu[name])), us(median(wall[name]))])


async def _awaited(close: Call) -> None:
    await close()


async def _sequential(call: Call, calls: int) -> tuple[float, float]:
    """(CPU, wall) seconds per call for up to ``calls`` sequential calls (see MAX_SECONDS)."""
    cpu, start = time.process_time(), time.perf_counter()
    deadline = start + MAX_SECONDS
    made = 0
    while made < calls and (made < 3 or time.perf_counter() < deadline):
        await call()
        made += 1
    return (time.process_time() - cpu) / made, (time.perf_counter() - start) / made
