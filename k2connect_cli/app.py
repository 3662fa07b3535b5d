"""The ``k2connect`` command group: global options, and every command registered under it."""

from __future__ import annotations

import click

from .commands.intents import intents
from .commands.payouts import payouts
from .commands.resources import status, wait
from .commands.sandbox import sandbox
from .commands.send_money import send_money
from .commands.stk_push import stk_push
from .commands.subscribe import subscribe
from .commands.token import token
from .commands.webhook import webhook
from .exit_codes import EXIT_CODES_EPILOG, EXIT_CODES_POINTER
from .reporting import ReportingGroup
from .state import CliState

__all__ = ["cli", "main"]

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 110}


class _Group(ReportingGroup):
    """The exit-code table is in ``k2connect --help`` only: every command and group under it that has no
    epilog of its own says where to find it, in one line."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        _add_epilog(cmd)
        super().add_command(cmd, name)


def _add_epilog(cmd: click.Command) -> None:
    if not cmd.epilog:
        cmd.epilog = EXIT_CODES_POINTER
    if isinstance(cmd, click.Group):
        for sub in cmd.commands.values():
            _add_epilog(sub)


@click.group(cls=_Group, context_settings=CONTEXT_SETTINGS, epilog=EXIT_CODES_EPILOG)
@click.option(
    "--base-url",
    envvar="K2_BASE_URL",
    show_envvar=True,
    help="K2 host (default: https://sandbox.kopokopo.com; plain http only for localhost).",
)
@click.option("--client-id", envvar="K2_CLIENT_ID", show_envvar=True, help="OAuth client id.")
@click.option(
    "--client-secret",
    envvar="K2_CLIENT_SECRET",
    show_envvar=True,
    help="OAuth client secret (prefer the env var).",
)
@click.option("--api-key", envvar="K2_API_KEY", show_envvar=True, help="API key (webhook signatures).")
@click.option("--json", "json_output", is_flag=True, help="Print one JSON object on stdout instead of lines.")
@click.option(
    "--retries",
    type=click.IntRange(0, 10),
    default=3,
    show_default=True,
    help="Retries of reads and token requests on transient failures (never of a payment request).",
)
@click.option(
    "--http-timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds to wait for each HTTP answer.",
)
@click.version_option(package_name="k2connect-sdk", prog_name="k2connect")
@click.pass_context
def cli(
    ctx: click.Context,
    base_url: str | None,
    client_id: str | None,
    client_secret: str | None,
    api_key: str | None,
    json_output: bool,
    retries: int,
    http_timeout: float,
) -> None:
    """k2connect: Kopo Kopo K2 Connect payments from the command line.

    Credentials come from the options or from K2_CLIENT_ID, K2_CLIENT_SECRET, K2_API_KEY and K2_BASE_URL
    (an option given wins over its variable).
    Output is aligned "key: value" lines for people; --json prints one JSON object for scripts.
    """
    state = ctx.ensure_object(CliState)
    state.base_url = base_url or None
    state.client_id = client_id or None
    state.client_secret = client_secret or None
    state.api_key = api_key or None
    state.json = state.json or json_output
    state.retries = retries
    state.http_timeout = http_timeout
    for secret in (client_secret, api_key):
        state.remember_secret(secret)


for command in (token, stk_push, send_money, status, wait, subscribe, webhook, sandbox, intents, payouts):
    cli.add_command(command)


def main() -> None:
    """Run ``k2connect`` with ``sys.argv``; exits with the codes listed in ``k2connect --help``.

    The console script reaches it through ``k2connect_cli._entry``, which first checks the "cli" extra.
    """
    cli.main(prog_name="k2connect")
