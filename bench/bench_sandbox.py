"""Sandbox throughput with request validation on: requests/s, p50 and p99 latency.

    python bench/bench_sandbox.py [--seconds 5] [--concurrency 16]

The sandbox runs in its own process (uvicorn, one worker, as `k2connect-sandbox` ships) so the load
generator does not share its interpreter. The load is a mix a real integration produces: STK push creates
(validated against the spec), GETs of their Location, and token requests. Bounded in time and count; loopback
only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time

import httpx

CLIENT = {"client_id": "sandbox-client-id", "client_secret": "sandbox-client-secret"}
STK_BODY = {
    "payment_channel": "M-PESA STK Push",
    "till_number": "K000000",
    "subscriber": {"phone_number": "+254712345678", "first_name": "Jane"},
    "amount": {"currency": "KES", "value": "100.00"},
    "metadata": {"order": "1"},
    "_links": {"callback_url": "http://127.0.0.1:9/callback"},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_sandbox(port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "k2connect_sandbox",
            "--port",
            str(port),
            "--callback-delay",
            "3600",
            "--log-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/sandbox/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the sandbox did not start")


async def health_floor(base: str, seconds: float, concurrency: int) -> float:
    """Requests/s of GET /sandbox/health: the ceiling of this generator + uvicorn, with no K2 logic."""
    count = 0
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal count
            while time.perf_counter() < deadline:
                await client.get("/sandbox/health")
                count += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return count / seconds


async def load(base: str, seconds: float, concurrency: int) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as client:
        token = (
            await client.post("/oauth/token", data={"grant_type": "client_credentials", **CLIENT})
        ).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        deadline = time.perf_counter() + seconds

        async def worker(n: int) -> None:
            nonlocal errors
            i = 0
            location = None
            while time.perf_counter() < deadline and i < 1_000_000:
                start = time.perf_counter()
                if i % 10 == 9:
                    response = await client.post(
                        "/oauth/token", data={"grant_type": "client_credentials", **CLIENT}
                    )
                elif i % 2 == 0 or location is None:
                    response = await client.post("/api/v2/incoming_payments", json=STK_BODY, headers=headers)
                    location = response.headers.get("location", location)
                else:
                    response = await client.get(location, headers=headers)
                latencies.append(time.perf_counter() - start)
                if response.status_code >= 400:
                    errors += 1
                i += 1

        await asyncio.gather(*(worker(n) for n in range(concurrency)))
    return latencies, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    port = free_port()
    process = start_sandbox(port)
    try:
        base = f"http://127.0.0.1:{port}"
        floor = asyncio.run(health_floor(base, min(args.seconds, 2.0), args.concurrency))
        latencies, errors = asyncio.run(load(base, args.seconds, args.concurrency))
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    quantiles = statistics.quantiles(latencies, n=100)
    print(
        f"sandbox: {len(latencies)} requests in {args.seconds:g} s, concurrency {args.concurrency}, "
        f"{errors} errors, pid {os.getpid()} driving"
    )
    print(f"throughput : {len(latencies) / args.seconds:10,.0f} requests/s (validation on)")
    print(f"p50 latency: {quantiles[49] * 1000:10.2f} ms")
    print(f"p99 latency: {quantiles[98] * 1000:10.2f} ms")
    print(f"floor      : {floor:10,.0f} requests/s for GET /sandbox/health (same generator, no K2 logic)")


if __name__ == "__main__":
    main()
