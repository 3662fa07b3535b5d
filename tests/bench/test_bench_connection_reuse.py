"""bench/bench_connection_reuse.py, run once in quick mode so it cannot rot (issue 17 item 6's figure).

No timing is asserted: only that the script runs to the end and prints every row.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow]


def test_the_connection_reuse_bench_prints_every_row() -> None:
    """Both clients, with and without the check, on both links: eight rows of rates and reuse."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_connection_reuse.py"), "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [line for line in result.stdout.splitlines() if line.startswith("| `")]
    assert len(rows) == 8, result.stdout
    for client in ("`K2` (httpx)", "`AsyncK2` (httpx)"):
        for variant in ("shipped", "without the check (0.2)"):
            for link in ("loopback", "30 ms RTT TLS"):
                assert any(f"{client}, {variant} | {link} |" in row for row in rows), (client, variant, link)
    assert all(row.rstrip(" |").split("|")[-1].strip() != "nan" for row in rows)
