"""Options and parameter types shared by several commands."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from k2connect_ext import parse_location

from .state import CliState

__all__ = [
    "CALLBACK_URL_ENVVAR",
    "callback_url_option",
    "json_option",
    "location_argument",
    "metadata_option",
    "parse_metadata",
    "timeout_option",
    "wait_options",
]

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_WAIT_TIMEOUT = 120.0
CALLBACK_URL_ENVVAR = "K2_CALLBACK_URL"


def _set_json(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(CliState).json = True


def json_option(command: F) -> F:
    """``--json`` on a sub-command too (``k2connect token --json`` = ``k2connect --json token``)."""
    return click.option(
        "--json",
        "json_output",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_set_json,
        help="Print one JSON object on stdout instead of lines.",
    )(command)


def parse_metadata(items: Sequence[str]) -> dict[str, str] | None:
    """``["order=1234", "note=a=b"]`` -> ``{"order": "1234", "note": "a=b"}``; ``None`` when empty."""
    found: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected KEY=VALUE, got {item!r}", param_hint="'--metadata'")
        found[key.strip()] = value
    return found or None


def metadata_option(command: F) -> F:
    """Repeatable ``--metadata KEY=VALUE`` (K2 returns it in the result: use it to reconcile)."""
    return click.option(
        "--metadata",
        "metadata",
        multiple=True,
        metavar="KEY=VALUE",
        help="Metadata sent with the request and returned in its result; repeat for several.",
    )(command)


def callback_url_option(help_text: str) -> Callable[[F], F]:
    """``--callback-url`` (``K2_CALLBACK_URL``), required: the same option and variable on every command
    whose request names where K2 POSTs its result."""
    return click.option(
        "--callback-url", envvar=CALLBACK_URL_ENVVAR, show_envvar=True, required=True, help=help_text
    )


def timeout_option(command: F) -> F:
    """``--timeout SECONDS``: how long a wait may last."""
    return click.option(
        "--timeout",
        type=click.FloatRange(min=0),
        default=DEFAULT_WAIT_TIMEOUT,
        show_default=True,
        help="Seconds to wait for a final status before giving up (exit 7).",
    )(command)


def wait_options(command: F) -> F:
    """``--wait`` and ``--timeout`` for commands that create a resource with an asynchronous outcome."""
    command = timeout_option(command)
    return click.option(
        "--wait",
        is_flag=True,
        help="Poll the resource until it is final; exit 1 if it failed, 7 on timeout.",
    )(command)


def _check_location(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        return parse_location(value).location
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


def location_argument(command: F) -> F:
    """LOCATION: a K2 resource Location (absolute URL or /api/... path), checked before anything is sent."""
    return click.argument("location", callback=_check_location)(command)
