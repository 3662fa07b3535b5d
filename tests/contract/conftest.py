"""Report what the in-process contract suite exercised (operations, cases, checks)."""

from __future__ import annotations

import pytest

from .stats import STATS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = STATS.lines()
    if lines:
        terminalreporter.section("schemathesis contract (in-process)")
        for line in lines:
            terminalreporter.write_line(line)
