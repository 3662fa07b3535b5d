"""The hand-written SDK type-checks under ``mypy --strict`` with no escape hatch: no ``type: ignore``, no
``cast(Any, ...)``."""

from __future__ import annotations

import pathlib

import k2connect_ext

PACKAGE = pathlib.Path(k2connect_ext.__file__).parent


def test_no_type_ignore_in_k2connect_ext() -> None:
    """A ``# type: ignore`` would hide exactly the drift (a renamed spec field) mypy is there to catch."""
    marker = "type: " + "ignore"  # split, so this file does not match itself if it ever moves there
    found = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if marker in line
    ]
    assert found == []


def test_no_cast_to_any_in_k2connect_ext() -> None:
    """A ``cast(Any, ...)`` hides the same drift a ``type: ignore`` would (a value the generated Literal no
    longer accepts): the validators return the generated types instead."""
    marker = "cast(" + "Any"
    found = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if marker in line
    ]
    assert found == []
