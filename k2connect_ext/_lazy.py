"""Lazy public names (PEP 562) for the package ``__init__`` modules.

A public name is imported from its private module on first use, so ``import k2connect_ext`` costs little
more than ``import httpx``, and a program that only verifies webhooks never loads the HTTP client. Each
name's ``__module__`` is rewritten to the public package on the way out, so reprs, tracebacks and docs
show ``k2connect_ext.K2`` rather than the private module that happens to define it.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["declared_exports", "expose", "lazy_exports"]


def expose(public_module: str, values: Iterable[object]) -> None:
    """Give every class and function in ``values`` defined in this SDK the public module as its home."""
    for value in values:
        home = getattr(value, "__module__", None)
        if isinstance(home, str) and home.startswith("k2connect_ext.") and "._" in home:
            value.__module__ = public_module


def lazy_exports(
    public_module: str, namespace: dict[str, Any], names: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for a package that loads ``names`` (name -> module) on first use."""

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {public_module!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        expose(public_module, [value])
        namespace[name] = value  # later lookups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *names})

    return __getattr__, __dir__


def declared_exports(init_file: str) -> tuple[list[str], dict[str, str]]:
    """The public names a package ``__init__`` declares, each written there once, as an import.

    Names imported at the top level from a private module as themselves (``from k2connect_ext._exceptions
    import K2Error as K2Error``) are eager; names imported under ``if TYPE_CHECKING:`` as themselves (``from
    k2connect_ext._facade import K2 as K2``) are lazy: type checkers and IDEs read those imports, and this
    reads the same lines for ``__all__`` and for the lazy map, so no list repeats them.

    Returns:
        ``__all__`` (sorted as ruff sorts it: case-sensitive) and the lazy map (name -> module).
    """
    with open(init_file, encoding="utf-8") as source:
        tree = ast.parse(source.read(), init_file)
    eager: list[str] = []
    lazy: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and "._" in node.module:
            eager += [alias.name for alias in node.names if alias.asname == alias.name]
        elif isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom) and statement.module:
                    for alias in statement.names:
                        if alias.asname == alias.name:  # "X as X": a re-export
                            lazy[alias.name] = statement.module
    return sorted({*eager, *lazy}), lazy
