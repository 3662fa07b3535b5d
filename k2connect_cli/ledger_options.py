"""The ``--ledger`` option of the commands that use payment intents, and the client that records them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

__all__ = ["DEFAULT_LEDGER", "LEDGER_ENVVAR", "ledger_option"]

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_LEDGER = "sqlite:///k2connect-intents.db"
"""The ledger of the intent commands when neither ``--ledger`` nor ``K2_LEDGER`` names one: a file in the
current directory."""
LEDGER_ENVVAR = "K2_LEDGER"


def ledger_option(command: F) -> F:
    """``--ledger URL`` (``K2_LEDGER``; default a SQLite file in the current directory)."""
    return click.option(
        "--ledger",
        envvar=LEDGER_ENVVAR,
        show_envvar=True,
        default=DEFAULT_LEDGER,
        show_default=True,
        metavar="URL",
        help="Where payment intents are recorded: sqlite:///path.db or postgresql://...",
    )(command)
