"""bench/figures_intents.py in quick mode, so it cannot rot: it runs to the end and reports its rows (plain
``send_money`` beside intents on SQLite and on the session's PostgreSQL), or says why the PostgreSQL row was
skipped. No timing is asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.sandbox, pytest.mark.slow]

QUICK_GROUP = """
import json, sys
sys.path.insert(0, "bench")
from figures_intents import intents_rows
from rows import Report
from timing import QUICK
report = Report()
intents_rows(QUICK, report)
rows = [[r.what, r.ours, r.floor, r.ratio, r.target] for r in report.rows]
print(json.dumps({"rows": rows, "notes": report.notes}))
"""


def quick_group(postgres: str) -> dict[str, Any]:
    env = {**os.environ, "K2_BENCH_POSTGRES_URL": postgres}
    done = subprocess.run(
        [sys.executable, "-c", QUICK_GROUP], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_intents_group_reports_sqlite_and_postgres(postgres_url: str) -> None:
    found = quick_group(postgres_url)
    whats = [row[0] for row in found["rows"]]
    assert len(whats) == 2 and "SQLite ledger" in str(whats[0]) and "PostgreSQL ledger" in str(whats[1])
    assert found["rows"][0][4] == "≤ 1.30x" and found["notes"] == []


def test_intents_group_skips_postgres_cleanly_without_one() -> None:
    found = quick_group("none")
    [row] = found["rows"]
    assert str(row[0]).endswith("SQLite ledger (vs plain `send_money`)")
    assert found["notes"] == ["intents with a PostgreSQL ledger: skipped, K2_BENCH_POSTGRES_URL=none"]
