"""``--help`` everywhere, the exit-code epilog, and the installed console script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import Invoke

COMMANDS = [
    [],
    ["token"],
    ["stk-push"],
    ["send-money"],
    ["status"],
    ["wait"],
    ["subscribe"],
    ["webhook"],
    ["webhook", "verify"],
    ["sandbox"],
    ["sandbox", "serve"],
    ["sandbox", "simulate"],
    ["sandbox", "simulate", "buygoods"],
    ["sandbox", "simulate", "reversal"],
    ["sandbox", "simulate", "b2b"],
    ["sandbox", "simulate", "m2m"],
    ["sandbox", "simulate", "settlement"],
    ["sandbox", "simulate", "pay-link"],
    ["sandbox", "simulate", "card"],
]


def test_console_script_help() -> None:
    """The installed ``k2connect`` script prints help listing every command and the exit codes."""
    script = Path(sys.executable).with_name("k2connect")
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    for word in ("stk-push", "send-money", "status", "wait", "subscribe", "webhook", "sandbox", "token"):
        assert word in done.stdout
    assert "Exit codes:" in done.stdout
    assert "6  ambiguous outcome" in done.stdout


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "k2connect")
def test_every_command_has_help(run: Invoke, path: list[str]) -> None:
    """``--help`` works on every command and group and shows the exit codes."""
    result = run([*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout
    assert "Exit codes:" in result.stdout


def test_short_help_option(run: Invoke) -> None:
    """``-h`` is the same as ``--help``."""
    assert run(["stk-push", "-h"]).stdout == run(["stk-push", "--help"]).stdout


def test_version(run: Invoke) -> None:
    """``--version`` names the program and exits 0."""
    result = run(["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("k2connect, version ")


def test_unknown_command_is_a_usage_error(run: Invoke) -> None:
    """An unknown command exits 2 without a traceback."""
    result = run(["refund"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
