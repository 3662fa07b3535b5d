"""Bulk: 1,000 STK pushes at 50 concurrent against the sandbox (``python -m k2connect_sandbox``).

Each run is ``bulk_stk.py`` in its own process (raw aiohttp POSTs with a fixed token, the floor; then
``AsyncK2`` on each backend), while a thread samples ``/proc/net/tcp`` for the peak of open connections:
wall time, token requests, peak connections, peak RSS and errors.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from typing import Any

from bench_sandbox import free_port, start_sandbox
from rows import Report
from timing import CONCURRENCY, Counts, median

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def _read_whole(path: str) -> str:
    """Read a /proc table in as few reads as possible (each read is a separate snapshot)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while chunk := os.read(fd, 4 << 20):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks).decode("ascii", "replace")


class ConnectionSampler:
    """Samples /proc/net/tcp{,6} for established client connections to ``port``; keeps the peak."""

    def __init__(self, port: int) -> None:
        self.port_hex = f"{port:04X}"
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _count(self) -> int:
        # A set of local addresses, not a line count: /proc/net/tcp is read in pieces, and a socket
        # closing meanwhile shifts the rest, so a line can be read twice.
        seen: set[str] = set()
        for path in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                text = _read_whole(path)
            except OSError:
                continue
            for line in text.splitlines()[1:]:
                parts = line.split()
                # remote address ends with :PORT, state 01 = ESTABLISHED (client side of the pair)
                if len(parts) > 3 and parts[3] == "01" and parts[2].endswith(":" + self.port_hex):
                    seen.add(parts[1])
        return len(seen)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._count())
            time.sleep(0.002)

    def __enter__(self) -> ConnectionSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def bulk_once(base: str, port: int, backend: str, count: int) -> dict[str, Any]:
    command = [
        sys.executable,
        os.path.join(HERE, "bulk_stk.py"),
        "--base-url",
        base,
        "--backend",
        backend,
        "--count",
        str(count),
        "--concurrency",
        str(CONCURRENCY),
    ]
    with ConnectionSampler(port) as sampler:
        output = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    result["peak_connections"] = sampler.peak
    return result


def bulk_rows(counts: Counts, report: Report) -> None:
    port = free_port()
    process = start_sandbox(port)
    base = f"http://127.0.0.1:{port}"
    runs: dict[str, list[dict[str, Any]]] = {"raw": [], "httpx": [], "aiohttp": []}
    try:
        for _ in range(counts.bulk_rounds):
            for backend in runs:
                runs[backend].append(bulk_once(base, port, backend, counts.bulk))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    floor_wall = median([run["wall"] for run in runs["raw"]])
    report.bulk.append(
        [
            "raw aiohttp POSTs, fixed token (the sandbox's own cost: the floor)",
            f"{floor_wall:.2f} s",
            "1 (fetched once)",
            str(max(r["peak_connections"] for r in runs["raw"])),
            f"{max(r['rss_peak_mb'] for r in runs['raw']):.0f} MB",
            "1.00x",
            str(sum(r["errors"] for r in runs["raw"])),
        ]
    )
    for backend, label in (
        ("httpx", "`AsyncK2`, httpx (default)"),
        ("aiohttp", '`AsyncK2`, http_backend="aiohttp"'),
    ):
        if any(run.get("unsupported") for run in runs[backend]):
            report.bulk.append([label, "n/a (not wired yet)", "", "", "", "", ""])
            continue
        wall = median([run["wall"] for run in runs[backend]])
        tokens = sorted({run["token_requests"] for run in runs[backend]})
        peak = max(run["peak_connections"] for run in runs[backend])
        rss = max(run["rss_peak_mb"] for run in runs[backend])
        before = min(run["rss_before_mb"] for run in runs[backend])
        errors = sum(run["errors"] for run in runs[backend])
        report.bulk.append(
            [
                label,
                f"{wall:.2f} s",
                "/".join(map(str, tokens)),
                str(peak),
                f"{rss:.0f} MB (after setup: {before:.0f} MB)",
                f"{wall / floor_wall:.2f}x",
                str(errors),
            ]
        )
        if errors:
            first = next(run["first_error"] for run in runs[backend] if run["errors"])
            report.notes.append(f"bulk {backend}: {errors} errors, first: {first}")
