"""Every speed figure, each beside its floor measured in the same run; writes BENCHMARKS.md.

    python bench/run_all.py [--quick] [--out BENCHMARKS.md] [--png bench/benchmarks.png] [--skip-bulk]

The driver: it starts the stub, runs every group of figures in turn and writes the page. Each job lives in
a module of its own:

* ``timing.py``: the timers (interleaved rounds, medians, per-call and concurrent rates) and the counts of
  a full or a ``--quick`` run; ``stub_process.py``: the stub server's process and what the clients send it;
  ``rows.py``: the rows a run collects and their Markdown tables;
* the groups of figures: ``figures_overhead.py`` (sync ``K2`` and the generated client vs raw httpx),
  ``figures_concurrency.py`` (``AsyncK2`` at 50 concurrent on each backend, loopback and 30 ms RTT),
  ``figures_webhooks.py``, ``figures_imports.py``, ``figures_pool.py`` (httpx pool settings),
  ``figures_layers.py`` (the async stack layer by layer), ``bench_connection_reuse.py`` and
  ``figures_bulk.py`` (1,000 STK pushes against the sandbox), ``figures_intents.py`` (1,000 payouts through
  intents vs plain ``send_money``, against the sandbox);
* ``page.py``: BENCHMARKS.md and its chart (``png_chart.py``).

Servers (all on loopback, started and stopped here):

* ``stub_server.py``: a minimal raw-asyncio K2 stub with fixed answers (plain HTTP, TLS with a trustme
  certificate, and ``latency_proxy.py`` adding 15 ms each way in front of the TLS port: a 30 ms RTT);
* the sandbox (``python -m k2connect_sandbox``), for the bulk run, which needs real STK pushes.

Method: every figure is measured in rounds, the floor and ours interleaved within each round (so a noisy
neighbour hits both alike), and the median round is reported with the ratio ours / floor (lower is
better; for rates, floor / ours). ``--quick`` runs every measurement once with tiny counts, so a test can
keep this script from rotting; its numbers mean nothing. Timings are never asserted.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections.abc import Callable, Sequence

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from bench_connection_reuse import reuse_rows  # noqa: E402
from figures_bulk import bulk_rows  # noqa: E402
from figures_concurrency import async_rows  # noqa: E402
from figures_imports import import_rows  # noqa: E402
from figures_intents import intents_rows  # noqa: E402
from figures_layers import layer_rows  # noqa: E402
from figures_overhead import sync_rows  # noqa: E402
from figures_pool import pool_rows  # noqa: E402
from figures_webhooks import webhook_rows  # noqa: E402
from page import write_page  # noqa: E402
from rows import Report  # noqa: E402
from stub_process import Stub  # noqa: E402
from timing import FULL, QUICK  # noqa: E402


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="every measurement once, tiny counts")
    parser.add_argument("--out", default=os.path.join(ROOT, "BENCHMARKS.md"))
    parser.add_argument("--png", default=None, help="default: bench/benchmarks.png, or beside --out")
    parser.add_argument("--skip-bulk", action="store_true")
    args = parser.parse_args(argv)
    counts = QUICK if args.quick else FULL
    default_out = os.path.abspath(args.out) == os.path.join(ROOT, "BENCHMARKS.md")
    png = args.png or (
        os.path.join(HERE, "benchmarks.png")
        if default_out
        else os.path.join(os.path.dirname(os.path.abspath(args.out)), "benchmarks.png")
    )
    started = time.perf_counter()
    report = Report()
    stub = Stub()
    # Every client in this process trusts the stub's trustme CA (httpx and ssl read SSL_CERT_FILE).
    os.environ["SSL_CERT_FILE"] = stub.ca
    try:
        steps: list[tuple[str, Callable[[], object]]] = [
            ("sync", lambda: sync_rows(stub, counts, report)),
            ("async", lambda: async_rows(stub, counts, report)),
            ("webhooks", lambda: webhook_rows(counts, report)),
            ("imports", lambda: import_rows(counts, report)),
            ("httpx pool settings", lambda: pool_rows(stub, counts, report)),
            ("async layers", lambda: layer_rows(stub, counts, report)),
            (
                "connection reuse",
                lambda: report.reuse_rows.extend(reuse_rows(stub, counts.rounds, counts.sync_calls)),
            ),
        ]
        if not args.skip_bulk:
            steps.append(("bulk", lambda: bulk_rows(counts, report)))
            steps.append(("intents", lambda: intents_rows(counts, report)))
        for name, step in steps:
            gc.collect()  # what an earlier step left behind must not be collected on this step's time
            t0 = time.perf_counter()
            step()
            print(f"[bench] {name}: {time.perf_counter() - t0:.1f} s", flush=True)
        stats = stub.stats()
        report.notes.append(
            f"stub server: {stats['requests']:,} requests, {stats['token_requests']} token requests, "
            f"{stats['connections']:,} connections opened, peak {stats['peak_connections']} open at once"
        )
    finally:
        stub.stop()
    write_page(report, args.out, png, counts, args.quick, time.perf_counter() - started)
    with open(args.out) as handle:
        print(handle.read())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
