"""Lazy public names (PEP 562) for the package ``__init__`` modules.

A public name is imported from its private module on first use, so ``import k2connect_ext`` costs little
more than ``import httpx``, and a program that only verifies webhooks never loads the HTTP client. Each
name's ``__module__`` is rewritten to the public package on the way out, so reprs, tracebacks and docs
show ``k2connect_ext.K2`` rather than the private module that happens to define it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["expose", "lazy_exports"]


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
