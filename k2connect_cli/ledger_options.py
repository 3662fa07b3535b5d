"""The ``--ledger`` option of the commands that use payment intents."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import click

from .state import CliState

__all__ = ["DEFAULT_LEDGER", "LEDGER_ENVVAR", "ledger_option"]

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_LEDGER = "sqlite:///k2connect-intents.db"
"""The ledger of the intent commands when neither ``--ledger`` nor ``K2_LEDGER`` names one: a file in the
current directory."""
LEDGER_ENVVAR = "K2_LEDGER"


def _quiet_pool() -> None:
    """psycopg's pool logs each failed connection attempt; with no handler configured Python would print
    them on stderr, around the one ``error:`` line the failure gets (which says the same once)."""
    logger = logging.getLogger("psycopg")
    if not any(isinstance(handler, logging.NullHandler) for handler in logger.handlers):
        logger.addHandler(logging.NullHandler())


def _check_ledger(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """A password in a PostgreSQL URL is masked out of any error this run prints; the pool is quiet."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return value
    ctx.ensure_object(CliState).remember_secret(parts.password)
    if parts.scheme in ("postgresql", "postgres"):
        _quiet_pool()
    return value


def ledger_option(command: F) -> F:
    """``--ledger URL`` (``K2_LEDGER``; default a SQLite file in the current directory)."""
    return click.option(
        "--ledger",
        envvar=LEDGER_ENVVAR,
        show_envvar=True,
        default=DEFAULT_LEDGER,
        show_default=True,
        metavar="URL",
        callback=_check_ledger,
        help="Where payment intents are recorded: sqlite:///path.db or postgresql://...",
    )(command)
