"""Bulk STK pushes through ``AsyncK2`` at a fixed concurrency, in a process of its own; one JSON line out.

    python bench/bulk_stk.py --base-url http://127.0.0.1:PORT [--backend httpx|aiohttp|raw] \
        [--count 1000] [--concurrency 50]

``raw`` is the floor: the same POSTs through a bare aiohttp session (httpx if aiohttp is missing) with a
token fetched once, so the server's own cost is measured. Reported: wall seconds, token requests seen by
the client, successes, errors, and the process's resident memory before the run and at its peak
(``VmHWM``). Open connections are sampled from outside, by the runner, in ``/proc/net/tcp``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time
from typing import Any

import httpx

CLIENT_ID = "sandbox-client-id"
CLIENT_SECRET = "sandbox-client-secret"
STK: dict[str, Any] = {
    "phone_number": "+254712345678",
    "amount": 100,
    "till_number": "K000000",
    "callback_url": "http://127.0.0.1:9/k2/result",
}
RAW_BODY: dict[str, Any] = {
    "payment_channel": "M-PESA STK Push",
    "till_number": "K000000",
    "subscriber": {"phone_number": "+254712345678"},
    "amount": {"currency": "KES", "value": "100.00"},
    "_links": {"callback_url": "http://127.0.0.1:9/k2/result"},
}


def rss_mb() -> float:
    """Peak resident memory of this process so far, in MB.

    ``VmHWM`` rather than ``ru_maxrss``: Linux carries ``ru_maxrss`` over ``exec`` from the parent, so a
    child of a big runner would report the runner's peak.
    """
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


async def run_facade(base_url: str, backend: str, count: int, concurrency: int) -> dict[str, Any]:
    from k2connect_ext import AsyncK2

    kwargs: dict[str, Any] = {"base_url": base_url}
    if backend == "aiohttp":
        kwargs["http_backend"] = "aiohttp"
    try:
        k2 = AsyncK2(CLIENT_ID, CLIENT_SECRET, **kwargs)
    except TypeError:
        return {"unsupported": True}
    tokens = 0
    requests = 0

    async def count_request(request: httpx.Request) -> None:
        nonlocal tokens, requests
        requests += 1
        if request.url.path.endswith("/oauth/token"):
            tokens += 1

    http = k2.client.get_async_httpx_client()
    http.event_hooks["request"].append(count_request)
    return await _drive(count, concurrency, lambda: k2.stk_push(**STK), k2.aclose, lambda: (tokens, requests))


async def run_raw(base_url: str, count: int, concurrency: int) -> dict[str, Any]:
    form = {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    token = httpx.post(f"{base_url}/oauth/token", data=form).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    url = f"{base_url}/api/v2/incoming_payments"
    try:
        import aiohttp
    except ImportError:  # pragma: no cover - the floor falls back to httpx
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        client = httpx.AsyncClient(limits=limits, headers=headers)

        async def post_httpx() -> None:
            (await client.post(url, json=RAW_BODY)).raise_for_status()

        return await _drive(count, concurrency, post_httpx, client.aclose, lambda: (1, 0))
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=concurrency), headers=headers, raise_for_status=True
    )

    async def post_aiohttp() -> None:
        async with session.post(url, json=RAW_BODY) as response:
            await response.read()

    return await _drive(count, concurrency, post_aiohttp, session.close, lambda: (1, 0))


async def _drive(count: int, concurrency: int, call: Any, close: Any, counters: Any) -> dict[str, Any]:
    await call()  # warm: token, first connection
    before = rss_mb()
    remaining = count
    ok = errors = 0
    first_error = ""

    async def worker() -> None:
        nonlocal remaining, ok, errors, first_error
        while remaining > 0:
            remaining -= 1
            try:
                await call()
                ok += 1
            except Exception as exc:  # counted and reported, never hidden
                errors += 1
                first_error = first_error or f"{type(exc).__name__}: {exc}"[:200]

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - start
    tokens, requests = counters()
    await close()
    return {
        "wall": wall,
        "ok": ok,
        "errors": errors,
        "first_error": first_error,
        "token_requests": tokens,
        "requests": requests,
        "rss_before_mb": before,
        "rss_peak_mb": rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--backend", choices=("httpx", "aiohttp", "raw"), default="httpx")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    if args.backend == "raw":
        result = asyncio.run(run_raw(args.base_url, args.count, args.concurrency))
    else:
        result = asyncio.run(run_facade(args.base_url, args.backend, args.count, args.concurrency))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
