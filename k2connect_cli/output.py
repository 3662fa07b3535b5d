"""Printing results: aligned ``key: value`` lines and small tables for people, one JSON object for scripts.

The lines and tables are laid out by rich (see ``console``): bold headings on a terminal, plain text
elsewhere, and the same columns either way. ``--json`` output never goes through rich.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Mapping, Sequence
from decimal import Decimal
from enum import Enum
from typing import Any

import click

from .console import make_console, print_trimmed

__all__ = ["Output", "to_json", "to_text"]


# C0 and C1 controls and DEL, except newline and tab (which a multi-line value uses).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return str(value)


def to_json(value: Any) -> str:
    """Compact, deterministic JSON; Decimals stay exact (as strings)."""
    return json.dumps(value, default=_default, ensure_ascii=False, separators=(",", ":"))


def to_text(value: Any) -> str:
    """One value as people read it, with no control character a terminal would act on.

    Values come from K2 (names, references, messages): an escape sequence in one must not move the cursor,
    recolour the screen or retitle the window, so control characters other than newline and tab are shown
    escaped (``\x1b``).
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return _printable(str(value.value))
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, Mapping | list | tuple):
        return to_json(value)
    return _printable(str(value))


def _printable(text: str) -> str:
    return _CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


class Output:
    """Where a command's result goes: stdout, as lines (default) or one JSON object (``--json``)."""

    def __init__(self, json_mode: bool) -> None:
        self.json_mode = json_mode

    def record(self, fields: Mapping[str, Any], *, document: Any = None) -> None:
        """Print ``fields`` as aligned lines, or ``document`` (default: ``fields``) as JSON."""
        if self.json_mode:
            click.echo(to_json(fields if document is None else document))
            return
        shown = {key: value for key, value in fields.items() if value is not None and value != ""}
        if not shown:
            return
        from rich.table import Table
        from rich.text import Text

        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for key, value in shown.items():
            grid.add_row(Text(f"{key}:", style="bold"), Text(to_text(value)))
        print_trimmed(make_console(sys.stdout), grid)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """A small left-aligned table after a blank line (people only; ``--json`` carries the data)."""
        if self.json_mode or not rows:
            return
        from rich.table import Table
        from rich.text import Text

        table = Table(box=None, pad_edge=False, padding=(0, 1), header_style="bold", show_edge=False)
        for header in headers:
            table.add_column(header, overflow="fold")
        for row in rows:
            table.add_row(*(Text(to_text(cell)) for cell in row))
        click.echo("")
        print_trimmed(make_console(sys.stdout), table)
