"""What the pool's "never reuse a connection holding unread bytes" check costs (issue 17 item 6).

    python bench/bench_connection_reuse.py [--quick]

Sequential creates (``stk_push``) on one kept-alive connection, against ``bench/stub_server.py`` on
loopback (plain HTTP, and TLS behind the proxy adding 15 ms each way), through two transports that differ
only in that check:

* **shipped**: the transport ``K2`` and ``AsyncK2`` build (``_deadline_backend.install``): deadline-aware
  sockets, and a pool whose idle connections count as expired while h11 holds bytes nobody asked for;
* **without the check**: the same transport with httpcore's plain pool, as 0.2 shipped it (the async
  sockets' check of TLS records nobody read, in the deadline backend, stays on in both).

Figures per variant: creates per second (median of interleaved rounds) and connections opened per 1,000
creates (the reuse rate: 1 means every create after the first reused the connection). ``run_all.py``
(``make bench``) puts the same table in BENCHMARKS.md. Timings are never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import statistics
import time
from collections.abc import Callable

import httpcore
import httpx
from rows import table
from stub_process import CLIENT_ID, CLIENT_SECRET, STK_ARGS, Stub
from timing import MAX_SECONDS

from k2connect_ext import K2, AsyncK2
from k2connect_ext._constants import DEFAULT_LIMITS
from k2connect_ext._deadline_backend import install
from k2connect_ext._per_loop import PerLoopTransport

# The default pool, except that idle connections never expire: a client waits for the other variants'
# rounds between its own, and a connection it loses to that idle time is not what is measured here.
LIMITS = httpx.Limits(
    max_connections=DEFAULT_LIMITS.max_connections,
    max_keepalive_connections=DEFAULT_LIMITS.max_keepalive_connections,
    keepalive_expiry=None,
)


def _without_check(transport: httpx.HTTPTransport) -> httpx.HTTPTransport:
    transport._pool.__class__ = httpcore.ConnectionPool  # 0.2's pool: judges idle connections by the socket
    return transport


class _PerLoopWithoutCheck(PerLoopTransport):
    def _new_pool(self) -> httpx.AsyncHTTPTransport:
        pool = super()._new_pool()
        pool._pool.__class__ = httpcore.AsyncConnectionPool
        return pool


def _sync_client(origin: str, checked: bool) -> K2:
    transport = install(httpx.HTTPTransport(limits=LIMITS))
    if not checked:
        transport = _without_check(transport)
    return K2(CLIENT_ID, CLIENT_SECRET, base_url=origin, transport=transport, environ={})


def _async_client(origin: str, checked: bool) -> AsyncK2:
    cls = PerLoopTransport if checked else _PerLoopWithoutCheck
    return AsyncK2(CLIENT_ID, CLIENT_SECRET, base_url=origin, transport=cls(LIMITS), environ={})


class _Variant:
    """One client, measured in rounds: seconds per create, and connections the stub saw opened."""

    def __init__(self, stub: Stub, run: Callable[[], object]) -> None:
        self.stub = stub
        self.run = run
        self.per_call: list[float] = []
        self.calls = 0
        self.connections = 0

    def measure(self, calls: int) -> None:
        before = self.stub.stats()["connections"]
        start = time.perf_counter()
        made = 0
        while made < calls and (made < 3 or time.perf_counter() - start < MAX_SECONDS):
            self.run()
            made += 1
        self.per_call.append((time.perf_counter() - start) / made)
        self.calls += made
        self.connections += self.stub.stats()["connections"] - before - 1  # the stats call's own

    def row(self, what: str, link: str) -> list[str]:
        rate = 1 / statistics.median(self.per_call)
        return [what, link, f"{rate:,.0f} /s", f"{1000 * self.connections / self.calls:,.1f}"]


async def _create(k2: AsyncK2) -> object:
    return await k2.stk_push(**STK_ARGS)


def _run(runner: asyncio.Runner, k2: AsyncK2) -> object:
    return runner.run(_create(k2))


def reuse_rows(stub: Stub, rounds: int, calls: int) -> list[list[str]]:
    """The table rows: (client and transport, link, creates per second, connections per 1,000 creates)."""
    rows: list[list[str]] = []
    with asyncio.Runner() as runner:
        for origin, link in ((stub.origin, "loopback"), (stub.slow_origin, "30 ms RTT TLS")):
            sync = {checked: _sync_client(origin, checked) for checked in (True, False)}
            asyncs = {checked: _async_client(origin, checked) for checked in (True, False)}

            variants: dict[tuple[str, bool], _Variant] = {}
            for checked in (True, False):
                variants["K2", checked] = _Variant(
                    stub, functools.partial(sync[checked].stk_push, **STK_ARGS)
                )
                variants["AsyncK2", checked] = _Variant(
                    stub, functools.partial(_run, runner, asyncs[checked])
                )
            for variant in variants.values():
                variant.run()  # the token and the first connection, outside the figures
            for index in range(rounds):
                order = list(variants.values())
                shift = index % len(order)
                for variant in order[shift:] + order[:shift]:
                    variant.measure(calls)
            for (client, checked), variant in variants.items():
                label = f"`{client}` (httpx), {'shipped' if checked else 'without the check (0.2)'}"
                rows.append(variant.row(label, link))
            for k2 in sync.values():
                k2.close()
            for ak2 in asyncs.values():
                runner.run(ak2.aclose())
    return rows


HEADER = ["sequential creates, one kept-alive connection", "link", "creates/s", "connections per 1,000"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one round, a few calls: numbers mean nothing")
    args = parser.parse_args()
    stub = Stub()
    os.environ["SSL_CERT_FILE"] = stub.ca  # the stub's TLS port has a trustme certificate
    try:
        rows = reuse_rows(stub, 1 if args.quick else 7, 20 if args.quick else 300)
    finally:
        stub.stop()
    print(table(HEADER, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
