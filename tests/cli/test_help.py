"""``--help`` everywhere: the exit-code table in ``k2connect --help`` only, a pointer to it in every other
command's help, and the installed console script."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from k2connect_cli import cli
from k2connect_cli.exit_codes import EXIT_CODES_POINTER, MEANINGS, ExitCode

from .conftest import Invoke


def _paths(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The path of ``command`` and of every command and group under it."""
    yield path
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _paths(sub, (*path, name))


COMMANDS = [list(path) for path in _paths(cli)][1:]
# A row of the table: indented, a code, at least one space, its meaning.
_ROW = re.compile(r"^ +(\d+) +\S", re.MULTILINE)


def _flat(text: str) -> str:
    """``text`` with every run of whitespace made one space (the table wraps its long rows)."""
    return " ".join(text.split())


def test_console_script_help() -> None:
    """The installed ``k2connect`` script prints help listing every command and the exit-code table."""
    script = Path(sys.executable).with_name("k2connect")
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    for word in ("stk-push", "send-money", "status", "wait", "subscribe", "webhook", "sandbox", "token"):
        assert word in done.stdout
    assert "Exit codes:" in done.stdout
    assert re.search(r"^ +6 +ambiguous outcome", done.stdout, re.MULTILINE), done.stdout


def test_the_table_is_in_the_top_level_help_once(run: Invoke) -> None:
    """``k2connect --help`` has every code with its meaning from ``MEANINGS``, each once, in order."""
    result = run(["--help"])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Exit codes:") == 1
    assert EXIT_CODES_POINTER not in result.stdout
    table = result.stdout.split("Exit codes:\n", 1)[1].split("\n\n", 1)[0]
    codes = [int(code) for code in _ROW.findall(table)]
    assert codes == [int(code) for code in ExitCode]
    for code in ExitCode:
        assert _flat(f"{int(code)} {MEANINGS[code]}") in _flat(result.stdout)


def test_every_code_has_a_meaning() -> None:
    """The table is complete: no code without words, no words without a code."""
    assert set(MEANINGS) == set(ExitCode)
    assert all(meaning.strip() for meaning in MEANINGS.values())


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_help(run: Invoke, path: list[str]) -> None:
    """``--help`` works on every command and group, and says in one line where the exit codes are."""
    result = run([*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout
    assert (
        result.stdout.count(EXIT_CODES_POINTER)
        + result.stdout.count("Other exit codes: see k2connect --help")
        == 1
    )
    for code in ExitCode:
        assert _flat(f"{int(code)} {MEANINGS[code]}") not in _flat(result.stdout), code


def test_payouts_run_keeps_its_own_codes(run: Invoke) -> None:
    """``payouts run`` explains what its codes mean for a run, then points to the table for the rest."""
    result = run(["payouts", "run", "--help"])
    assert "Exit codes of a run:" in result.stdout
    assert result.stdout.rstrip().endswith("Other exit codes: see k2connect --help.")


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
