"""``k2connect_cli.console`` and the lines and tables ``Output`` draws with it: a terminal gets bold headings,
anything else plain text that scripts can split, whatever the environment says."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import pytest

from k2connect_cli.console import PLAIN_WIDTH, is_terminal, make_console
from k2connect_cli.output import Output

from .screen import screen


class _Terminal(io.StringIO):
    """A stream that says it is a TTY."""

    def isatty(self) -> bool:
        return True


_SGR = re.compile(r"\x1b\[[0-9;]*m")
_UUID = "c9f1a2b3-0000-4d5e-8f90-123456789abc"


def _show(monkeypatch: pytest.MonkeyPatch, stdout: io.StringIO) -> str:
    """A record and a table printed on ``stdout``, as ``k2connect sandbox simulate`` prints them."""
    monkeypatch.setattr(sys, "stdout", stdout)
    output = Output(False)
    output.record({"id": _UUID, "amount": "10.0", "till_number": "000000"})
    output.table(("TOPIC", "EVENT ID", "SUBSCRIPTIONS"), [("buygoods_transaction_received", _UUID, 1)])
    return stdout.getvalue()


_PLAIN = (
    f"id:          {_UUID}\n"
    "amount:      10.0\n"
    "till_number: 000000\n"
    "\n"
    "TOPIC                          EVENT ID                              SUBSCRIPTIONS\n"
    f"buygoods_transaction_received  {_UUID}  1\n"
)


@pytest.mark.parametrize(
    "environment",
    [{}, {"FORCE_COLOR": "1"}, {"TTY_COMPATIBLE": "1"}, {"COLUMNS": "20"}],
    ids=["plain", "FORCE_COLOR", "TTY_COMPATIBLE", "COLUMNS"],
)
def test_pipe_gets_plain_unwrapped_text(monkeypatch: pytest.MonkeyPatch, environment: dict[str, str]) -> None:
    """A pipe gets no control code and no wrapping, even when the environment asks for colour or a width."""
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert _show(monkeypatch, io.StringIO()) == _PLAIN


def test_dumb_terminal_gets_plain_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """TERM=dumb (and TERM=unknown) on a TTY is treated as no terminal."""
    for term in ("dumb", "unknown"):
        monkeypatch.setenv("TERM", term)
        assert not is_terminal(_Terminal())
        assert _show(monkeypatch, _Terminal()) == _PLAIN


def test_terminal_gets_bold_headings_and_the_same_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal gets bold keys and headers; the text, the columns and the line ends are the pipe's."""
    monkeypatch.setenv("TERM", "xterm-256color")
    written = _show(monkeypatch, _Terminal())
    assert "\x1b[1mTOPIC" in written and "\x1b[1mid:" in written
    assert _SGR.sub("", written) == _PLAIN
    assert screen(written).text == _PLAIN.rstrip("\n").split("\n")


def test_terminal_does_not_fold_ids_or_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a narrow terminal a long value stays on one line: the terminal wraps it, and it copies whole."""
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("COLUMNS", "40")
    assert make_console(_Terminal()).width == 40
    url = "https://sandbox.kopokopo.com/api/v1/incoming_payments/" + _UUID
    stdout = _Terminal()
    monkeypatch.setattr(sys, "stdout", stdout)
    Output(False).record({"location": url, "id": _UUID})
    assert _SGR.sub("", stdout.getvalue()) == f"location: {url}\nid:       {_UUID}\n"


def test_values_are_printed_as_they_are(monkeypatch: pytest.MonkeyPatch) -> None:
    """Values are text, never rich markup or emoji codes (a name could hold either)."""
    monkeypatch.setenv("TERM", "xterm")
    for stdout in (io.StringIO(), _Terminal()):
        monkeypatch.setattr(sys, "stdout", stdout)
        Output(False).record({"first_name": "[bold red]Jane[/] :smile:"})
        assert _SGR.sub("", stdout.getvalue()) == "first_name: [bold red]Jane[/] :smile:\n"


def test_empty_record_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    """A record whose values are all empty prints nothing at all (not an empty line)."""
    Output(False).record({"status": None, "reason": ""})
    assert capsys.readouterr().out == ""


def test_plain_console_is_wide_and_quiet() -> None:
    """The plain console never wraps, and has no colour system, markup or highlighting."""
    console = make_console(io.StringIO())
    assert console.width == PLAIN_WIDTH
    assert console.color_system is None and not console.is_terminal and not console.is_interactive
    console.print("[b]1[/b] http://x 2.5")
    assert isinstance(console.file, io.StringIO)
    assert console.file.getvalue() == "[b]1[/b] http://x 2.5\n"


def test_cli_import_does_not_load_rich() -> None:
    """``k2connect --help`` stays light: the CLI imports rich only when it draws (httpx's own optional
    command line, which loads rich eagerly when it can, is kept out so only the CLI's imports count)."""
    code = (
        "import sys; sys.modules['httpx._main'] = None\n"
        "import k2connect_cli, k2connect_cli.progress, k2connect_cli.output, k2connect_cli.console\n"
        "print(sorted(name for name in sys.modules if name == 'rich' or name.startswith('rich.')))"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("K2")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "[]", result.stdout


def test_multi_line_value_stays_in_its_column(capsys: pytest.CaptureFixture[str]) -> None:
    """A value over several lines continues under itself; no line ends in spaces, not even a blank one."""
    Output(False).record({"note": "first\n\nthird", "id": "1"})
    assert capsys.readouterr().out == "note: first\n\n      third\nid:   1\n"
