"""What a terminal would show after some output: the CLI's redrawn lines read as a person sees them.

It understands only what a live line needs (carriage return, newline, cursor up, erase line, cursor
show/hide, colours and bold) and fails the test on any other escape sequence, so a change in what is
written cannot be read wrongly.
"""

from __future__ import annotations

import re

import attrs

__all__ = ["Screen", "screen"]

_CSI = re.compile(r"\x1b\[(\??)([0-9;]*)([A-Za-z])")


@attrs.frozen
class Screen:
    """The text left on the screen, where the cursor is, and whether it is shown."""

    lines: list[str]
    row: int
    column: int
    cursor_visible: bool

    @property
    def text(self) -> list[str]:
        """The screen's lines without trailing spaces or trailing empty lines."""
        lines = [line.rstrip() for line in self.lines]
        while lines and not lines[-1]:
            lines.pop()
        return lines

    @property
    def on_clean_line(self) -> bool:
        """The cursor is shown, at the start of an empty line: what comes next starts a line of its own."""
        return self.cursor_visible and self.column == 0 and not self.lines[self.row].strip()


def screen(output: str) -> Screen:
    """Play ``output`` on an empty terminal (lines as long as they come, never wrapped)."""
    lines, row, column, visible = [""], 0, 0, True
    index = 0
    while index < len(output):
        match = _CSI.match(output, index)
        if match:
            private, params, final = match.groups()
            if final == "m":
                pass  # colours and bold change nothing on the screen's text
            elif private and params == "25" and final in "hl":
                visible = final == "h"
            elif not private and params == "2" and final == "K":
                lines[row] = ""
            elif not private and final == "A":
                row = max(row - int(params or "1"), 0)
            else:
                raise AssertionError(f"unexpected escape sequence {match.group()!r}")
            index = match.end()
            continue
        char = output[index]
        index += 1
        if char == "\r":
            column = 0
        elif char == "\n":
            row, column = row + 1, 0
            lines.extend([""] * (row + 1 - len(lines)))
        else:
            assert char.isprintable(), f"unexpected control character {char!r}"
            line = lines[row].ljust(column)
            lines[row] = line[:column] + char + line[column + 1 :]
            column += 1
    return Screen(lines, row, column, visible)
