"""Show that work is going on, on stderr: a live line on a terminal, plain lines otherwise (logs, pipes, CI).

``Progress`` shows one wait: ``Progress.sleep`` is handed to the SDK as its poll sleep, so a spinner turns
while the SDK waits between reads and the reads are counted; the SDK keeps every polling decision.
``BatchProgress`` shows a batch of items: a bar, the count of items in each state, and an estimate of the
time left.

Both draw through a rich console (default: ``console.make_console()`` on stderr, never stdout). On a
terminal the line is redrawn in place; when the work ends, or Ctrl-C stops it, the spinner is erased and
the batch line stays, and either way the cursor is back, visible, at the start of a clean line. Anywhere
else nothing is redrawn: the wait writes one line, the batch one line per update.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType, TracebackType
from typing import TYPE_CHECKING, Self

from .console import make_console

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.live import Live
    from rich.spinner import Spinner
    from rich.text import Text

__all__ = ["STATE_STYLES", "BatchProgress", "Progress", "duration_text"]

_TICK = 0.1
_BAR_WIDTH = 30

STATE_STYLES: Mapping[str, str] = MappingProxyType(
    {
        "ok": "green",
        "success": "green",
        "failed": "red",
        "error": "red",
        "ambiguous": "yellow",
        "pending": "yellow",
        "skipped": "dim",
    }
)
"""Colours of the usual state names in ``BatchProgress``'s counts (terminals only, not under NO_COLOR)."""


def duration_text(seconds: float) -> str:
    """``m:ss``, or ``h:mm:ss`` from an hour on; rounded up to the second (an estimate says 0:00 only
    when nothing is left)."""
    minutes, secs = divmod(math.ceil(max(seconds, 0.0)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _live(console: Console, renderable: RenderableType, *, transient: bool) -> Live:
    """A live line redrawn only when told (no refresh thread), which leaves stdout and stderr alone."""
    from rich.live import Live

    live = Live(
        renderable,
        console=console,
        auto_refresh=False,
        transient=transient,
        redirect_stdout=False,
        redirect_stderr=False,
    )
    live.start(refresh=True)
    return live


class Progress:
    """Progress of one wait for ``label``, which gives up after ``timeout`` seconds."""

    def __init__(
        self,
        label: str,
        timeout: float,
        *,
        console: Console | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.console = make_console() if console is None else console
        self.label = label
        self.timeout = timeout
        self.live = self.console.is_interactive
        self._clock = clock
        self._sleep = sleep
        self._started = clock()
        self._line: tuple[Live, Spinner] | None = None  # on a terminal, while shown
        self.reads = 1  # the SDK reads once before its first sleep

    def __enter__(self) -> Self:
        from rich.spinner import Spinner
        from rich.text import Text

        self._started = self._clock()
        if self.live:
            spinner = Spinner("dots" if self.console.encoding.startswith("utf") else "line", style="cyan")
            self._line = (_live(self.console, self._frame(spinner), transient=True), spinner)
        else:
            waiting = f"waiting for {self.label} (up to {self.timeout:g} s)..."
            self.console.print(Text(waiting), soft_wrap=True)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._line is not None:
            self._line[0].stop()  # erases the spinner before the result or the error is printed
            self._line = None

    def sleep(self, seconds: float) -> None:
        """Sleep like ``time.sleep``, turning the spinner meanwhile; the SDK reads again afterwards."""
        if self._line is None:
            self._sleep(seconds)
        else:
            deadline = self._clock() + seconds
            while (left := deadline - self._clock()) > 0:
                self._sleep(min(_TICK, left))
                self._line[0].update(self._frame(self._line[1]), refresh=True)
        self.reads += 1

    def _frame(self, spinner: Spinner) -> RenderableType:
        """The spinner's frame for now, then the label, reads and seconds waited."""
        from rich.text import Text

        elapsed = self._clock() - self._started
        spinner.update(
            text=Text(
                f"waiting for {self.label}: {self.reads} read{'s' if self.reads != 1 else ''}, "
                f"{elapsed:.1f}/{self.timeout:g} s"
            )
        )
        return spinner.render(elapsed)


class BatchProgress:
    """Progress of a batch of ``total`` items, each of which ends in a state (``ok``, ``failed``...)::

        with BatchProgress(len(rows), label="payouts", states=("ok", "failed", "ambiguous")) as progress:
            for row in rows:
                progress.advance(pay(row))

    The line reads ``payouts: 7/10 (ok 5, failed 1, ambiguous 1), ETA 0:03``. ``states`` are always
    shown, in that order, zero or not; any other state appears once it is seen. The estimate is the time
    taken so far per item, times the items left; once every item is done it says how long the batch took.
    On a terminal the line is redrawn with a bar on each ``advance``; elsewhere each ``advance`` writes a
    line, at most one per ``plain_interval`` seconds (the last one always). ``refresh()`` redraws the
    terminal line between items, so the estimate moves while one takes long. Nothing blocks but the write:
    call it from one thread, or from the tasks of one event loop, alike.
    """

    def __init__(
        self,
        total: int,
        *,
        label: str = "items",
        states: Sequence[str] = (),
        styles: Mapping[str, str] = STATE_STYLES,
        console: Console | None = None,
        clock: Callable[[], float] = time.monotonic,
        plain_interval: float = 0.0,
    ) -> None:
        if total < 0:
            raise ValueError(f"total must be 0 or more, not {total}")
        self.console = make_console() if console is None else console
        self.total = total
        self.label = label
        self.styles = styles
        self.live = self.console.is_interactive
        self.plain_interval = plain_interval
        self._clock = clock
        self._started = clock()
        self._finished: float | None = None
        self._counts: dict[str, int] = dict.fromkeys(states, 0)
        self._line: Live | None = None
        self._last_plain: tuple[float, str] | None = None

    @property
    def done(self) -> int:
        """Items done so far, whatever their state."""
        return sum(self._counts.values())

    @property
    def counts(self) -> Mapping[str, int]:
        """Items done so far per state, in display order (a read-only copy)."""
        return MappingProxyType(dict(self._counts))

    def elapsed(self) -> float:
        """Seconds since the batch started, or that it took once every item is done."""
        end = self._clock() if self._finished is None else self._finished
        return end - self._started

    def eta(self) -> float | None:
        """Seconds left, estimated; ``None`` before the first item is done and once the last one is."""
        done = self.done
        if done == 0 or done >= self.total:
            return None
        return self.elapsed() / done * (self.total - done)

    def summary(self) -> Text:
        """``7/10 (ok 5, failed 1), ETA 0:03``, each state in its colour."""
        from rich.text import Text

        text = Text(f"{self.done}/{self.total}")
        if self._counts:
            text.append(" (")
            for index, (state, count) in enumerate(self._counts.items()):
                text.append(", " if index else "")
                text.append(f"{state} {count}", style=self.styles.get(state, ""))
            text.append(")")
        eta = self.eta()
        if self.done >= self.total:
            text.append(f", took {duration_text(self.elapsed())}")
        elif eta is None:
            text.append(", ETA -:--")
        else:
            text.append(f", ETA {duration_text(eta)}")
        return text

    def __enter__(self) -> Self:
        self._started = self._clock()
        self._finished = self._started if self.total == 0 else None
        if self.live:
            self._line = _live(self.console, self._render(), transient=False)
        else:
            self._plain(force=True)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._line is not None:
            self._line.update(self._render())
            self._line.stop()  # the last counts stay, on their own line
            self._line = None
        else:
            self._plain(force=True)

    def advance(self, state: str, count: int = 1) -> None:
        """Count ``count`` more items done in ``state`` and show it."""
        if count < 1:
            raise ValueError(f"count must be 1 or more, not {count}")
        self._counts[state] = self._counts.get(state, 0) + count
        if self._finished is None and self.done >= self.total:
            self._finished = self._clock()
        if self._line is None:
            self._plain(force=self.done >= self.total)
        self.refresh()

    def refresh(self) -> None:
        """Redraw the terminal line, so its estimate moves while an item takes long (no-op elsewhere)."""
        if self._line is not None:
            self._line.update(self._render(), refresh=True)

    def _render(self) -> RenderableType:
        from rich.progress_bar import ProgressBar
        from rich.table import Table
        from rich.text import Text

        line = Table.grid(padding=(0, 1))
        line.add_column(no_wrap=True)
        line.add_column(max_width=_BAR_WIDTH)  # the bar takes what the text leaves, up to its width
        line.add_column(no_wrap=True)
        line.add_row(
            Text(self.label, style="bold"),
            ProgressBar(total=max(self.total, 1), completed=min(self.done, self.total)),
            self.summary(),
        )
        return line

    def _plain(self, *, force: bool) -> None:
        """One line for logs: always when ``force``, else when ``plain_interval`` has passed; never twice
        the same line in a row."""
        from rich.text import Text

        now, text = self._clock(), self.summary().plain
        last = self._last_plain
        if last is not None and (last[1] == text or not (force or now - last[0] >= self.plain_interval)):
            return
        self._last_plain = (now, text)
        self.console.print(Text(f"{self.label}: {text}"), soft_wrap=True)
