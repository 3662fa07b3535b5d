"""The rich consoles the CLI writes through, with the rules that keep its output script-friendly.

A stream is a *terminal* only when it is a TTY and ``TERM`` is not ``dumb`` or ``unknown``. A terminal gets
colours (unless ``NO_COLOR`` is set), redrawn lines and its own width. Anything else (a pipe, a file, a log,
CI) gets plain text: no colour, no control code, no spinner frame, and no width of its own, so a line is
never wrapped or cut whatever ``COLUMNS`` says; ``FORCE_COLOR`` and ``TTY_COMPATIBLE`` do not make a pipe a
terminal. rich is imported when a console is made, not when the CLI starts.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.segment import Segment

__all__ = ["PLAIN_WIDTH", "is_terminal", "make_console", "print_trimmed"]

PLAIN_WIDTH = 1_000_000
"""The width given to a console that is not a terminal: wide enough that nothing is ever wrapped."""

_DUMB_TERMS = frozenset({"dumb", "unknown"})


def is_terminal(stream: TextIO) -> bool:
    """Whether ``stream`` is a terminal that understands colours and cursor movement."""
    return stream.isatty() and os.environ.get("TERM", "").strip().lower() not in _DUMB_TERMS


def make_console(stream: TextIO | None = None, *, terminal: bool | None = None) -> Console:
    """A console writing to ``stream`` (default: stderr, where progress goes), as the module says.

    ``terminal`` overrides the detection (tests). Markup, emoji codes and highlighting are off: values from
    K2 or the user are printed as they are.
    """
    from rich.console import Console

    stream = sys.stderr if stream is None else stream
    terminal = is_terminal(stream) if terminal is None else terminal
    return Console(
        file=stream,
        force_terminal=terminal,
        force_interactive=terminal,
        color_system="auto" if terminal else None,
        width=None if terminal else PLAIN_WIDTH,
        markup=False,
        emoji=False,
        highlight=False,
    )


def _trimmed(line: list[Segment]) -> Iterable[Segment]:
    """``line`` without trailing spaces (a table pads its last column; a line ends where its text does)."""
    from rich.segment import Segment

    segments = list(line)
    while segments and not segments[-1].text.rstrip():
        segments.pop()
    if segments:
        last = segments.pop()
        segments.append(Segment(last.text.rstrip(), last.style, last.control))
    return segments


def print_trimmed(console: Console, renderable: RenderableType) -> None:
    """Print ``renderable`` at its natural width, with no trailing space on any line.

    Nothing is wrapped or cut, even on a narrow terminal (which wraps a long line itself, as it did before
    rich): an id or a URL folded over two lines could not be copied whole.
    """
    from rich.segment import Segment, Segments

    out: list[Segment] = []
    options = console.options.update_width(PLAIN_WIDTH)
    for line in console.render_lines(renderable, options, pad=False):
        out.extend(_trimmed(line))
        out.append(Segment.line())
    console.print(Segments(out), end="", crop=False)
