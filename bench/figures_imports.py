"""Import time: ``import k2connect_ext`` and ``from k2connect_ext import K2, AsyncK2`` beside
``import httpx``, each in a fresh process, rounds interleaved."""

from __future__ import annotations

import os
import subprocess
import sys

from rows import Report, Row
from timing import Counts, interleave, ms

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def import_seconds(statement: str) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    return float(output.strip().splitlines()[-1])


def import_rows(counts: Counts, report: Report) -> None:
    result = interleave(
        counts.imports,
        {
            "ours": lambda: import_seconds("import k2connect_ext"),
            "facade": lambda: import_seconds("from k2connect_ext import K2, AsyncK2"),
            "httpx": lambda: import_seconds("import httpx"),
        },
    )
    ratio = result["ours"] / result["httpx"]
    report.rows.append(
        Row(
            "`import k2connect_ext` vs `import httpx` (fresh processes)",
            ms(result["ours"]),
            ms(result["httpx"]),
            ratio,
            "≤ 1.5x",
            1.5,
            "import k2connect_ext",
            ratio <= 1.5,
        )
    )
    # What an application does first; with lazy loading it is where the import cost shows up.
    report.rows.append(
        Row(
            "`from k2connect_ext import K2, AsyncK2` vs `import httpx` (fresh processes)",
            ms(result["facade"]),
            ms(result["httpx"]),
            result["facade"] / result["httpx"],
            "(reported)",
            None,
            "from k2connect_ext import K2",
        )
    )
