"""``k2connect_cli.progress``: the wait spinner and the batch progress line, on a terminal and elsewhere.

Terminal output is played on ``screen`` (what a person would see); other output is compared as text.
"""

from __future__ import annotations

import io
import re
from typing import TextIO

import pytest
from rich.console import Console

from k2connect_cli.console import make_console
from k2connect_cli.progress import BatchProgress, Progress, duration_text
from tests.fakes import FakeClock

from .screen import screen


class _Terminal(io.StringIO):
    """A stream that says it is a TTY."""

    def isatty(self) -> bool:
        return True


class _AsciiTerminal(io.TextIOWrapper):
    """A TTY whose encoding cannot write the spinner's braille frames."""

    def __init__(self) -> None:
        self.raw_bytes = io.BytesIO()
        super().__init__(self.raw_bytes, encoding="ascii")

    def isatty(self) -> bool:
        return True


def _terminal(stream: TextIO | None = None) -> Console:
    """A colour terminal 100 columns wide, whatever the machine running the tests is."""
    return Console(
        file=stream or _Terminal(), force_terminal=True, width=100, color_system="standard", record=True
    )


def _written(console: Console) -> str:
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue()


def _frames(written: str) -> set[str]:
    """The spinner frames drawn: the first character of each redrawn line, colours aside."""
    lines = (re.sub(r"\x1b\[\??[0-9;]*[a-zA-Z]", "", line) for line in written.split("\r\x1b[2K"))
    return {line[0] for line in lines if "waiting" in line}


# ------------------------------------------------------------------------------------------ the wait
def test_wait_spinner_on_a_terminal() -> None:
    """On a terminal the spinner redraws one line, counts reads, and is erased at the end."""
    console, fake = _terminal(), FakeClock(0.0)
    with Progress("incoming_payment abc", 30, console=console, clock=fake, sleep=fake.sleep) as progress:
        progress.sleep(1.0)
        progress.sleep(0.5)
        during = screen(_written(console))
    written = _written(console)
    assert written.count("\r\x1b[2K") >= 15  # redrawn at every tick
    (line,) = during.text
    assert line[0] in "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏" and line[1:] == " waiting for incoming_payment abc: 2 reads, 1.5/30 s"
    assert not during.cursor_visible
    after = screen(written)
    assert after.text == [] and after.on_clean_line
    assert fake.now == pytest.approx(1.5)


def test_wait_spinner_turns() -> None:
    """Successive redraws show successive frames (a stuck frame would look like a hang)."""
    console, fake = _terminal(), FakeClock(0.0)
    with Progress("x", 30, console=console, clock=fake, sleep=fake.sleep) as progress:
        progress.sleep(0.5)
    frames = _frames(_written(console))
    assert len(frames) >= 4


def test_wait_spinner_in_ascii_where_the_terminal_cannot_write_braille() -> None:
    """A terminal that is not UTF-8 gets the frames - \\ | / (braille would not encode)."""
    stream, fake = _AsciiTerminal(), FakeClock(0.0)
    with Progress("x", 30, console=_terminal(stream), clock=fake, sleep=fake.sleep) as progress:
        progress.sleep(0.5)
    stream.flush()
    frames = _frames(stream.raw_bytes.getvalue().decode("ascii"))
    assert frames <= set("-\\|/") and len(frames) >= 3


def test_wait_plain_line_otherwise() -> None:
    """Off a terminal one plain line is written and sleeping is plain sleeping."""
    stream, fake = io.StringIO(), FakeClock(0.0)
    with Progress(
        "send_money x", 120, console=make_console(stream), clock=fake, sleep=fake.sleep
    ) as progress:
        progress.sleep(2.0)
    assert stream.getvalue() == "waiting for send_money x (up to 120 s)...\n"
    assert fake.sleeps == [2.0] and progress.reads == 2


def test_wait_plain_on_a_dumb_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A TTY with TERM=dumb cannot redraw a line: it gets the plain line, no control code."""
    monkeypatch.setenv("TERM", "dumb")
    stream, fake = _Terminal(), FakeClock(0.0)
    with Progress(
        "send_money x", 120, console=make_console(stream), clock=fake, sleep=fake.sleep
    ) as progress:
        progress.sleep(2.0)
    assert stream.getvalue() == "waiting for send_money x (up to 120 s)...\n"


def test_wait_default_console_is_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    """Without a console, progress goes to stderr (results own stdout)."""
    fake = FakeClock(0.0)
    with Progress("x", 5, clock=fake, sleep=fake.sleep):
        pass
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "waiting for x (up to 5 s)...\n")


def test_wait_interrupted_leaves_a_clean_line() -> None:
    """Ctrl-C during a wait erases the spinner and shows the cursor: ``error: interrupted`` prints clean."""
    console, fake = _terminal(), FakeClock(0.0)
    with (
        pytest.raises(KeyboardInterrupt),
        Progress("x", 30, console=console, clock=fake, sleep=fake.sleep) as p,
    ):
        p.sleep(0.3)
        raise KeyboardInterrupt
    after = screen(_written(console))
    assert after.text == [] and after.on_clean_line


# ------------------------------------------------------------------------------------------ the batch
def test_batch_counts_per_state() -> None:
    """Declared states come first, in order, even at zero; others follow in the order they appear."""
    fake = FakeClock(0.0)
    progress = BatchProgress(6, states=("ok", "failed"), console=make_console(io.StringIO()), clock=fake)
    with progress:
        for state in ("ambiguous", "ok", "ok", "pending"):
            progress.advance(state)
        progress.advance("ok", 2)
    assert dict(progress.counts) == {"ok": 4, "failed": 0, "ambiguous": 1, "pending": 1}
    assert list(progress.counts) == ["ok", "failed", "ambiguous", "pending"]
    assert progress.done == 6


def test_batch_estimate() -> None:
    """The estimate is the time per item so far times the items left; at the end, the time it took."""
    fake = FakeClock(0.0)
    progress = BatchProgress(10, console=make_console(io.StringIO()), clock=fake)
    with progress:
        assert progress.eta() is None
        assert progress.summary().plain == "0/10, ETA -:--"
        fake.sleep(4.0)
        progress.advance("ok", 2)
        assert progress.eta() == pytest.approx(16.0)
        assert progress.summary().plain == "2/10 (ok 2), ETA 0:16"
        fake.sleep(36.0)
        progress.advance("ok", 8)
        fake.sleep(5.0)  # after the last item: the time taken stays what it was
        assert progress.eta() is None
        assert progress.summary().plain == "10/10 (ok 10), took 0:40"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.0, "0:00"), (-3.0, "0:00"), (0.2, "0:01"), (59.0, "0:59"), (61.5, "1:02"), (3725.0, "1:02:05")],
)
def test_duration_text(seconds: float, text: str) -> None:
    """Durations read m:ss, or h:mm:ss from an hour on, rounded up (never 'done' before it is)."""
    assert duration_text(seconds) == text


def test_batch_plain_lines_when_not_a_terminal() -> None:
    """Off a terminal: a line when the batch starts, one per update, no colour, no control code."""
    stream, fake = io.StringIO(), FakeClock(0.0)
    with BatchProgress(
        3, label="payouts", states=("ok", "failed"), console=make_console(stream), clock=fake
    ) as p:
        for state in ("ok", "failed", "ok"):
            fake.sleep(1.0)
            p.advance(state)
    assert stream.getvalue().splitlines() == [
        "payouts: 0/3 (ok 0, failed 0), ETA -:--",
        "payouts: 1/3 (ok 1, failed 0), ETA 0:02",
        "payouts: 2/3 (ok 1, failed 1), ETA 0:01",
        "payouts: 3/3 (ok 2, failed 1), took 0:03",
    ]


def test_batch_plain_lines_at_most_one_per_interval() -> None:
    """With ``plain_interval`` a log gets at most one line per interval, and always the last one."""
    stream, fake = io.StringIO(), FakeClock(0.0)
    with BatchProgress(5, console=make_console(stream), clock=fake, plain_interval=10.0) as progress:
        for _ in range(5):
            fake.sleep(3.0)
            progress.advance("ok")
    assert stream.getvalue().splitlines() == [
        "items: 0/5, ETA -:--",
        "items: 4/5 (ok 4), ETA 0:03",
        "items: 5/5 (ok 5), took 0:15",
    ]


def test_batch_plain_interrupted_writes_where_it_stopped() -> None:
    """A batch ended early (Ctrl-C, an error) writes its counts one last time, once."""
    stream, fake = io.StringIO(), FakeClock(0.0)
    with pytest.raises(KeyboardInterrupt), BatchProgress(4, console=make_console(stream), clock=fake) as p:
        fake.sleep(1.0)
        p.advance("ok")
        fake.sleep(1.0)
        raise KeyboardInterrupt
    assert stream.getvalue().splitlines()[-2:] == [
        "items: 1/4 (ok 1), ETA 0:03",
        "items: 1/4 (ok 1), ETA 0:06",
    ]


def test_empty_batch() -> None:
    """A batch of nothing says so once and is done."""
    stream = io.StringIO()
    with BatchProgress(0, console=make_console(stream), clock=FakeClock(0.0)):
        pass
    assert stream.getvalue() == "items: 0/0, took 0:00\n"


def test_batch_live_line_on_a_terminal() -> None:
    """On a terminal one line is redrawn: label, bar, counts in their colours, estimate; it stays."""
    console, fake = _terminal(), FakeClock(0.0)
    with BatchProgress(4, label="payouts", states=("ok", "failed"), console=console, clock=fake) as progress:
        fake.sleep(2.0)
        progress.advance("ok")
        during = screen(_written(console))
        fake.sleep(2.0)
        progress.advance("failed")
    assert during.text == ["payouts " + "━" * 7 + "╸" + "━" * 22 + " 1/4 (ok 1, failed 0), ETA 0:06"]
    assert not during.cursor_visible
    written = _written(console)
    assert "\x1b[32mok 1\x1b[0m" in written and "\x1b[31mfailed 1\x1b[0m" in written
    after = screen(written)
    assert after.text == ["payouts " + "━" * 15 + "╺" + "━" * 14 + " 2/4 (ok 1, failed 1), ETA 0:04"]
    assert after.on_clean_line


def test_batch_bar_shrinks_on_a_narrow_terminal() -> None:
    """The counts and the estimate are never wrapped: the bar gives way."""
    console = Console(file=_Terminal(), force_terminal=True, width=60, color_system=None)
    with BatchProgress(4, label="payouts", console=console, clock=FakeClock(0.0)) as progress:
        progress.advance("ok")
        progress.advance("ambiguous")
    (line,) = screen(_written(console)).text
    assert line.startswith("payouts ━") and line.endswith(" 2/4 (ok 1, ambiguous 1), ETA 0:00")
    assert len(line) <= 60


def test_batch_refresh_moves_the_estimate() -> None:
    """``refresh`` redraws the line between items; off a terminal it writes nothing."""
    console, fake = _terminal(), FakeClock(0.0)
    with BatchProgress(3, console=console, clock=fake) as progress:
        fake.sleep(1.0)
        progress.advance("ok")
        fake.sleep(9.0)
        progress.refresh()
        assert screen(_written(console)).text[0].endswith("1/3 (ok 1), ETA 0:20")
    stream = io.StringIO()
    with BatchProgress(3, console=make_console(stream), clock=fake) as progress:
        progress.refresh()
    assert stream.getvalue() == "items: 0/3, ETA -:--\n"


def test_batch_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_COLOR keeps the live line but drops its colours."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    stream = _Terminal()
    with BatchProgress(2, states=("ok", "failed"), console=make_console(stream), clock=FakeClock(0.0)) as p:
        p.advance("ok")
        p.advance("failed")
    written = stream.getvalue()
    assert "\x1b[?25l" in written  # still redrawn in place
    assert set(re.findall(r"\x1b\[([0-9;]*)m", written)) <= {"0", "1"}  # bold, and back to normal
    assert screen(written).text[-1].endswith("2/2 (ok 1, failed 1), took 0:00")


def test_batch_interrupted_leaves_counts_and_a_clean_line() -> None:
    """Ctrl-C mid-batch: the counts so far stay, then the cursor waits, shown, on a clean line."""
    console, fake = _terminal(), FakeClock(0.0)
    with (
        pytest.raises(KeyboardInterrupt),
        BatchProgress(5, label="payouts", console=console, clock=fake) as p,
    ):
        fake.sleep(1.0)
        p.advance("ok")
        raise KeyboardInterrupt
    after = screen(_written(console))
    assert len(after.text) == 1 and after.text[0].endswith("1/5 (ok 1), ETA 0:04")
    assert after.on_clean_line


def test_batch_default_console_is_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    """Without a console, the batch line goes to stderr."""
    with BatchProgress(1, clock=FakeClock(0.0)) as progress:
        progress.advance("ok")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == ["items: 0/1, ETA -:--", "items: 1/1 (ok 1), took 0:00"]


def test_batch_refuses_impossible_numbers() -> None:
    """A negative total or a count below one is a bug in the caller."""
    with pytest.raises(ValueError, match="total"):
        BatchProgress(-1, console=make_console(io.StringIO()))
    progress = BatchProgress(1, console=make_console(io.StringIO()))
    with pytest.raises(ValueError, match="count"):
        progress.advance("ok", 0)
