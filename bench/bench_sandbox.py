"""Sandbox throughput with request validation on: requests/s, p50 and p99 latency.

    python bench/bench_sandbox.py [--seconds 5] [--concurrency 16]

The sandbox runs in its own process (uvicorn, one worker, as `k2connect-sandbox` ships). The Python load
generator drives a mix a real integration produces (STK push creates validated against the spec, GETs of
their Location, token requests); it saturates before the server does, so with wrk installed
(apt-get install wrk) the same server is also measured with that C load generator. Bounded in time and
count; loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

import httpx

CLIENT = {"client_id": "sandbox-client-id", "client_secret": "sandbox-client-secret"}
STK_BODY: dict[str, object] = {
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


def wrk(
    base: str, path: str, token: str, seconds: float, connections: int, body: dict[str, object] | None
) -> str:
    """One wrk run (a C load generator, one thread, so the sandbox keeps the other core); its summary."""
    script = ""
    if body is not None:
        script = (
            'wrk.method = "POST"\n'
            f"wrk.body = {json.dumps(json.dumps(body))}\n"
            'wrk.headers["Content-Type"] = "application/json"\n'
        )
    lua = f"/tmp/k2-bench-{os.getpid()}.lua"
    with open(lua, "w") as handle:
        handle.write(script)
    result = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--latency",
            "-s",
            lua,
            "-H",
            f"Authorization: Bearer {token}",
            base + path,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    )
    os.unlink(lua)
    out = result.stdout
    rps = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return (
        f"{float(rps.group(1)) if rps else 0:10,.0f} requests/s, p50 {p50.group(1) if p50 else '?'}, "
        f"p99 {p99.group(1) if p99 else '?'}, non-2xx {non2xx.group(1) if non2xx else 0}"
    )


def wrk_phase(base: str, seconds: float, concurrency: int) -> None:
    token = httpx.post(base + "/oauth/token", data={"grant_type": "client_credentials", **CLIENT}).json()
    access = token["access_token"]
    created = httpx.post(
        base + "/api/v2/incoming_payments", json=STK_BODY, headers={"Authorization": f"Bearer {access}"}
    )
    location = created.headers["location"].split("://", 1)[1].split("/", 1)[1]
    print("wrk (C load generator, 1 thread):")
    runs = [
        ("GET /sandbox/health", "/sandbox/health", None),
        ("GET an STK push (auth + spec body)", "/" + location, None),
        ("POST STK push (body validated)", "/api/v2/incoming_payments", STK_BODY),
    ]
    for label, path, body in runs:
        print(f"  {label:36}: {wrk(base, path, access, seconds, concurrency, body)}")


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
        if shutil.which("wrk"):
            wrk_phase(base, args.seconds, args.concurrency)
        else:
            print(
                "(install wrk, e.g. apt-get install wrk, for figures not bound by the Python load generator)"
            )
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
