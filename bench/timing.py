"""The timers every group of figures shares, and how much a run measures.

Method: each figure is measured in rounds, the floor and ours interleaved within each round (so a noisy
neighbour hits both alike), and the median round is reported. Each measurement also stops early after
``MAX_SECONDS``, so a loaded machine cannot push ``make bench`` past its budget; per-call figures divide by
the calls actually made. Timings are never asserted.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

CONCURRENCY = 50
MAX_SECONDS = 1.0


@dataclass(frozen=True)
class Counts:
    rounds: int
    sync_calls: int
    async_calls: int
    rtt_sync_calls: int
    rtt_async_calls: int
    webhook_seconds: float
    imports: int
    bulk: int
    bulk_rounds: int
    intent_rounds: int
    pool_rounds: int
    pool_calls: int
    pool_settings: int


FULL = Counts(
    rounds=7,
    sync_calls=400,
    async_calls=1000,
    rtt_sync_calls=15,
    rtt_async_calls=500,
    webhook_seconds=0.4,
    imports=7,
    bulk=1000,
    bulk_rounds=2,
    # A 1,000-payout run lasts under a second and varies by a third from run to run here: the ratio needs
    # more rounds than the bulk STK figures to be a median rather than the luck of one pair.
    intent_rounds=7,
    pool_rounds=2,
    pool_calls=300,
    pool_settings=4,
)
# ``--quick``: every measurement once with tiny counts, so a test can keep the benches from rotting; its
# numbers mean nothing.
QUICK = Counts(
    rounds=1,
    sync_calls=5,
    async_calls=50,
    rtt_sync_calls=2,
    rtt_async_calls=50,
    webhook_seconds=0.02,
    imports=1,
    bulk=20,
    bulk_rounds=1,
    intent_rounds=1,
    pool_rounds=1,
    pool_calls=50,
    pool_settings=2,
)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def us(seconds: float) -> str:
    return f"{seconds * 1e6:,.0f} µs"


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.2f} ms"


def interleave(rounds: int, fns: dict[str, Callable[[], float]]) -> dict[str, float]:
    """Run each measurement once per round, rotating the order; the median of each."""
    names = list(fns)
    results: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            results[name].append(fns[name]())
    return {name: median(values) for name, values in results.items()}


def per_call(fn: Callable[[], object], calls: int) -> Callable[[], float]:
    """A measurement: seconds per call for up to ``calls`` sequential calls of ``fn``."""

    def measure() -> float:
        start = time.perf_counter()
        deadline = start + MAX_SECONDS
        made = 0
        while made < calls and (made < 3 or time.perf_counter() < deadline):
            fn()
            made += 1
        return (time.perf_counter() - start) / made

    return measure


CALLS_MADE = [0]  # every concurrent call made so far, to turn the stub's connection count into a rate


async def concurrent_per_call(fn: Callable[[], Awaitable[object]], calls: int, concurrency: int) -> float:
    """Wall time / calls made, for up to ``calls`` calls by ``concurrency`` tasks (see MAX_SECONDS)."""
    remaining = calls
    made = 0
    deadline = time.perf_counter() + MAX_SECONDS

    async def worker() -> None:
        nonlocal remaining, made
        while remaining > 0 and time.perf_counter() < deadline:
            remaining -= 1
            await fn()
            made += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    CALLS_MADE[0] += made
    return (time.perf_counter() - start) / max(1, made)
