"""The entry points of the console scripts ``k2connect`` and ``k2connect-sandbox``.

``pip install k2connect-sdk`` installs both scripts, but their libraries come with the ``cli`` and
``sandbox`` extras. Without them the real commands would die in a ``ModuleNotFoundError`` traceback, so the
scripts start here instead: this module imports the standard library only, checks the extra's modules are
there, then imports and runs the real command. A missing one is a single line on stderr naming the extra to
install, and exit 2. Any other ``ImportError`` (a bug, a broken install of something else) is not hidden.

Both entry points live in this package because ``k2connect_sandbox`` imports Starlette as soon as the
package itself is imported: an entry point inside it could not run without the extra it is checking for.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

__all__ = ["CLI", "SANDBOX", "Extra", "load_main", "main", "missing_extra_message", "sandbox_main"]


@dataclass(frozen=True)
class Extra:
    """An optional dependency group of ``k2connect-sdk`` and the top-level modules of its libraries that
    the code imports."""

    name: str
    modules: frozenset[str]
    purpose: str

    def missing(self) -> bool:
        """Whether some module of this extra cannot be found (found is not imported: nothing is loaded)."""
        return any(_absent(name) for name in sorted(self.modules))

    def provides(self, module: str | None) -> bool:
        """Whether ``module`` (a dotted name, as ``ImportError.name`` gives it) is one of this extra's."""
        return module is not None and module.partition(".")[0] in self.modules


CLI = Extra("cli", frozenset({"click", "rich"}), "the command line")
SANDBOX = Extra(
    "sandbox", frozenset({"starlette", "uvicorn", "jsonschema", "yaml", "trustme"}), "the sandbox"
)


def missing_extra_message(extra: Extra) -> str:
    """``the command line needs the "cli" extra: pip install 'k2connect-sdk[cli]'``."""
    return f"{extra.purpose} needs the \"{extra.name}\" extra: pip install 'k2connect-sdk[{extra.name}]'"


def _absent(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except ValueError:  # in sys.modules without a spec: it is there
        return False


def _refuse(program: str, extra: Extra) -> NoReturn:
    print(f"{program}: {missing_extra_message(extra)}", file=sys.stderr)
    raise SystemExit(2)


def load_main(program: str, extra: Extra, module: str) -> Callable[..., Any]:
    """``module.main``, once every module of ``extra`` is found; if one is not, the one line and exit 2.

    Modules the command imports only when it needs them (rich) are checked here too, so their absence is
    the same line rather than a failure half-way through a command.
    """
    if extra.missing():
        _refuse(program, extra)
    try:
        found = importlib.import_module(module)
    except ImportError as exc:
        if not extra.provides(exc.name):
            raise
        _refuse(program, extra)  # there, but not importable (an old version, a broken install)
    real_main: Callable[..., Any] = found.main
    return real_main


def main() -> None:
    """``k2connect``."""
    load_main("k2connect", CLI, "k2connect_cli.app")()


def sandbox_main() -> None:
    """``k2connect-sandbox``."""
    sys.exit(load_main("k2connect-sandbox", SANDBOX, "k2connect_sandbox.__main__")())
