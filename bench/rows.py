"""What a run has measured, as rows, and a Markdown table of rows.

Every group of figures adds to one ``Report``: ``rows`` holds the figures judged against a floor (the
page's main table and the chart), the other lists the rows of one section's table each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from timing import us


@dataclass
class Row:
    what: str
    ours: str
    floor: str
    ratio: float | None
    target: str
    chart_target: float | None = None
    chart_label: str = ""
    met: bool | None = None
    note: str = ""


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    pool_rows: list[list[str]] = field(default_factory=list)
    layer_rows: list[list[str]] = field(default_factory=list)
    reuse_rows: list[list[str]] = field(default_factory=list)
    bulk: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def add_ratio_row(report: Report, what: str, ours: float, floor: float, target: float, label: str) -> None:
    """A per-call time beside its floor, met when ours / floor is at most ``target``."""
    ratio = ours / floor
    report.rows.append(
        Row(what, us(ours), us(floor), ratio, f"≤ {target:.2f}x", target, label, ratio <= target)
    )


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)
