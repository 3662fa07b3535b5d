"""The bench scripts, run once in quick mode so they cannot rot. No timing is asserted: only that each
script runs to the end and reports every figure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
pytestmark = [pytest.mark.sandbox, pytest.mark.slow]

ROWS = (
    "sync `K2.get(location)`",
    "sync `K2.stk_push`",
    "generated `sync_detailed` GET",
    "`AsyncK2.get` x50 concurrent, httpx (default)",
    '`AsyncK2.get` x50 concurrent, http_backend="aiohttp"',
    "over a 30 ms RTT TLS link",
    "`construct_event` + reading id, topic, amount, phone, status",
    "the lazy model's cost",
    "`import k2connect_ext` vs `import httpx`",
    "`from k2connect_ext import K2, AsyncK2` vs `import httpx`",
    "`AsyncK2`, httpx (default)",
    "httpx default (100 / keep-alive 20 / 5 s)",
)


def run(*args: str, timeout: float = 300) -> str:
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_run_all_quick_writes_the_page_and_its_chart(tmp_path: Path) -> None:
    """run_all.py --quick measures every row, writes the Markdown page and a PNG it links to."""
    out = tmp_path / "BENCHMARKS.md"
    run(str(BENCH / "run_all.py"), "--quick", "--out", str(out), timeout=600)
    page = out.read_text()
    for row in ROWS:
        assert row in page, row
    assert "QUICK MODE" in page
    assert "](./benchmarks.png)" in page
    png = (tmp_path / "benchmarks.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png.endswith(b"IEND\xaeB`\x82")
    assert "| nan" not in page.lower()


def test_webhook_bench_runs() -> None:
    """bench_webhooks.py prints both rates and their ratio."""
    out = run(str(BENCH / "bench_webhooks.py"), "--seconds", "0.05")
    assert "ratio floor/ours" in out


def test_sandbox_bench_runs() -> None:
    """bench_sandbox.py drives the sandbox and prints its throughput."""
    out = run(str(BENCH / "bench_sandbox.py"), "--seconds", "0.5", "--concurrency", "4")
    assert "throughput" in out and "p99 latency" in out
