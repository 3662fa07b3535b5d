"""Turn every failure of a command into its exit code and one ``error: ...`` line on stderr.

``ReportingGroup`` wraps the whole command tree, so the console script and ``CliRunner`` behave the same.
Click's own usage errors, ``--help`` and explicit exits pass through untouched.
"""

from __future__ import annotations

import os
from typing import Any

import click

from .exit_codes import ExitCode
from .failures import Failure, describe, redact
from .output import to_json
from .state import CliState

__all__ = ["ReportingGroup", "report"]

_CLICK_FLOW = (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort)
_MIN_SECRET_LENGTH = 4


def report(ctx: click.Context, failure: Failure) -> None:
    """Print ``failure`` (stderr line, and the JSON object on stdout with ``--json``) and exit."""
    state = ctx.find_object(CliState)
    secrets = {s for s in (state.secrets if state else set()) if len(s) >= _MIN_SECRET_LENGTH}
    click.echo(f"error: {redact(failure.message, secrets)}", err=True)
    if state is not None and state.json:
        document: dict[str, Any] = {
            "error": {"code": int(failure.code), "message": failure.message, **failure.details}
        }
        click.echo(redact(to_json(document), secrets))
    ctx.exit(int(failure.code))


class ReportingGroup(click.Group):
    """A click group that reports exceptions from any sub-command as exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except _CLICK_FLOW:
            raise
        except KeyboardInterrupt:
            click.echo("error: interrupted", err=True)
            ctx.exit(int(ExitCode.INTERRUPTED))
        except Exception as exc:
            failure = describe(exc)
            if (failure is None or failure.code is ExitCode.INTERNAL) and os.environ.get("K2CONNECT_DEBUG"):
                raise
            if failure is None:
                failure = Failure(
                    ExitCode.INTERNAL,
                    f"internal error ({type(exc).__name__}); set K2CONNECT_DEBUG=1 to see the traceback",
                )
            report(ctx, failure)
