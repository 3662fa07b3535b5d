"""The error tree is drawn once, in ``_exceptions``, and copied into the README and the package docstring by
scripts/error_tree.py: each copy must be the real class hierarchy, so a reader never learns a tree the code
does not have."""

from __future__ import annotations

import pathlib

import pytest

import k2connect_ext
from k2connect_ext import _exceptions

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _drawing(text: str) -> dict[str, str | None]:
    """name -> parent name, read from the first box-drawn tree that starts at ``K2Error``."""
    start = text.index("K2Error\n")
    indent = start - (text.rfind("\n", 0, start) + 1)  # docstrings indent the drawing
    parents: dict[str, str | None] = {"K2Error": None}
    stack = ["K2Error"]
    for line in text[start:].splitlines()[1:]:
        line = line[indent:]
        if not line.startswith(("├", "└", "│")):
            break
        if "── " not in line:
            continue  # the continuation of the previous entry's description
        prefix = line[: line.index("── ") - 1]  # "│   " or "    " per level above
        depth = len(prefix) // 4 + 1
        name = line[line.index("── ") + 3 :].split()[0]
        del stack[depth:]
        parents[name] = stack[-1]
        stack.append(name)
    return parents


def _real() -> dict[str, str | None]:
    tree: dict[str, str | None] = {}
    for name in dir(_exceptions):
        value = getattr(_exceptions, name)
        if isinstance(value, type) and issubclass(value, k2connect_ext.K2Error):
            bases = [base for base in value.__bases__ if issubclass(base, k2connect_ext.K2Error)]
            tree[name] = bases[0].__name__ if bases else None
    return tree


@pytest.mark.parametrize(
    "source",
    [
        pytest.param((ROOT / "README.md").read_text(), id="README"),
        pytest.param(k2connect_ext.__doc__ or "", id="k2connect_ext"),
        pytest.param(_exceptions.__doc__ or "", id="_exceptions"),
    ],
)
def test_the_drawn_tree_is_the_real_one(source: str) -> None:
    """Every error class appears once, under its real parent; nothing else appears."""
    assert _drawing(source) == _real()


def test_the_copies_are_rendered_from_the_one_drawing() -> None:
    """README and the package docstring hold exactly the drawing in ``_exceptions``."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("error_tree", ROOT / "scripts" / "error_tree.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("error_tree", script)
    spec.loader.exec_module(script)
    assert script.main(["--check"]) == 0, "run scripts/error_tree.py"
    tree = script.drawing()
    assert tree in (ROOT / "README.md").read_text(encoding="utf-8")
    assert tree.replace("\n", "\n    ").strip() in (k2connect_ext.__doc__ or "")
