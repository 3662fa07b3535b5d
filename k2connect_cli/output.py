"""Printing results: aligned ``key: value`` lines and small tables for people, one JSON object for scripts."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from enum import Enum
from typing import Any

import click

__all__ = ["Output", "to_json", "to_text"]


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
    """One value as people read it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, Mapping | list | tuple):
        return to_json(value)
    return str(value)


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
        width = max((len(key) for key in shown), default=0) + 1
        for key, value in shown.items():
            click.echo(f"{key + ':':<{width}} {to_text(value)}")

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """A small left-aligned table (people only; JSON output carries the data in its document)."""
        if self.json_mode or not rows:
            return
        cells = [list(headers), *([to_text(cell) for cell in row] for row in rows)]
        widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
        click.echo("")
        for row in cells:
            click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
