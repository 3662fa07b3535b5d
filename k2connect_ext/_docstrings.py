"""Google-style docstrings read into sections and written back, for the docstrings made at import time.

Some public methods are made from others: each create method of ``K2`` and ``AsyncK2`` from its builder in
``_operations``, each intent method from the same builder, and the constructors' options from
``K2Options``. Their docstrings are the builder's (or ``K2Options``') with a section replaced or extended,
so a parameter is described once, where it is defined, and ``help()`` shows the whole of it.

Only what those docstrings use is read: the text before the first section, then sections (``Args:``,
``Returns:``, ``Raises:``, ...) whose entries start at the section's indentation, continuation lines
deeper, as the Google style writes them.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Sequence
from typing import Final

import attrs

__all__ = ["Docstring", "entry_name"]

# The order sections are written in when one is added.
ORDER: Final = ("Args", "Other Parameters", "Returns", "Raises", "Attributes", "Examples")
_HEADER = re.compile(
    r"^(Args|Arguments|Other Parameters|Returns|Raises|Attributes|Examples|Example|Note):\s*$"
)


@attrs.frozen
class Docstring:
    """A docstring as its text (summary and description) and its sections, each a tuple of entries.

    An entry is its first line, then its continuation lines indented by four spaces.
    """

    text: str
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def parse(cls, docstring: str | None) -> Docstring:
        """Read a docstring (indented as written in a class or function, or already clean).

        Args:
            docstring: the docstring, or None for an object without one.

        Returns:
            Its text and its sections, in the order written.
        """
        lines = inspect.cleandoc(docstring or "").splitlines()
        headers = [
            (index, match.group(1)) for index, line in enumerate(lines) if (match := _HEADER.match(line))
        ]
        bounds = [index for index, _ in headers] + [len(lines)]
        text = "\n".join(lines[: bounds[0]]).strip()
        sections = tuple(
            (title, _entries(lines[start + 1 : end]))
            for (start, title), end in zip(headers, bounds[1:], strict=True)
        )
        return cls(text, sections)

    def entries(self, title: str) -> tuple[str, ...]:
        """The entries of a section (empty if the docstring has none).

        Args:
            title: the section's title, e.g. ``"Args"``.

        Returns:
            Each entry, in the order written.
        """
        return next((entries for name, entries in self.sections if name == title), ())

    def with_section(self, title: str, entries: Sequence[str]) -> Docstring:
        """This docstring with one section replaced, or added in its place in ``ORDER``.

        Args:
            title: the section's title, e.g. ``"Returns"``.
            entries: its entries; none removes the section.

        Returns:
            The new docstring (this one is unchanged).
        """
        kept = [(name, items) for name, items in self.sections if name != title]
        if entries:
            rank = ORDER.index(title)
            at = next((i for i, (name, _) in enumerate(kept) if ORDER.index(name) > rank), len(kept))
            kept.insert(at, (title, tuple(entries)))
        return attrs.evolve(self, sections=tuple(kept))

    def render(self) -> str:
        """The docstring as text: what ``__doc__`` holds.

        Returns:
            The text, then each section under its title with its entries indented.
        """
        parts = [self.text] if self.text else []
        for title, entries in self.sections:
            body = "\n".join(
                textwrap.indent(entry, "    ", lambda line: bool(line.strip())) for entry in entries
            )
            parts.append(f"{title}:\n{body}")
        return "\n\n".join(parts) + "\n"


def entry_name(entry: str) -> str:
    """The name an entry documents: ``"amount"`` for ``"amount: the sum to pay..."``.

    Args:
        entry: one entry of a section.

    Returns:
        What comes before its first colon, stripped.
    """
    return entry.split(":", 1)[0].strip()


def _entries(body: list[str]) -> tuple[str, ...]:
    """A section's lines as entries: a line at the section's indentation starts one."""
    dedented = textwrap.dedent("\n".join(body)).strip("\n").splitlines()
    entries: list[list[str]] = []
    for line in dedented:
        if not entries or (line and not line[0].isspace()):
            entries.append([line])
        else:
            entries[-1].append(line)
    return tuple("\n".join(entry).rstrip() for entry in entries)
