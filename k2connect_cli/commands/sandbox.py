"""``k2connect sandbox``: run a local K2 sandbox (``serve``) and drive one (``simulate``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import click

from .._entry import SANDBOX, missing_extra_message
from ..exit_codes import ExitCode
from ..failures import CliError
from .simulate import simulate

__all__ = ["sandbox"]

_SANDBOX_DEFAULTS = ("sandbox-client-id", "sandbox-client-secret", "sandbox-api-key")


@click.group("sandbox")
def sandbox() -> None:
    """A local, stateful K2 Connect sandbox (needs: pip install 'k2connect-sdk[sandbox]')."""


def _load_sandbox() -> Callable[[Sequence[str]], int]:
    """The sandbox's own main. A missing "sandbox" extra is the one line and exit 2, as the
    ``k2connect-sandbox`` script says it; any other ImportError is a bug, reported as one (exit 70)."""
    missing = CliError(ExitCode.USAGE, missing_extra_message(SANDBOX))
    if SANDBOX.missing():
        raise missing
    try:
        from k2connect_sandbox.__main__ import main
    except ImportError as exc:
        if not SANDBOX.provides(exc.name):
            raise
        raise missing from None
    return main


def _check_bindable(host: str, port: int) -> None:
    # The sandbox reports bind errors in its own words; check first so ours is the one clear line.
    from k2connect_sandbox.server import bind_socket

    try:
        bind_socket(host, port).close()
    except OSError as exc:
        raise CliError(
            ExitCode.USAGE,
            f"cannot listen on {host}:{port}: {exc.strerror or exc}; pass --port 0 for a free one "
            "or stop the other server",
        ) from None


# The sandbox's log levels (k2connect_sandbox.console.LEVELS, which needs the sandbox extra to import;
# a test keeps the two equal).
LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


@sandbox.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port (0 picks a free one).",
)
@click.option(
    "--callback-delay",
    type=click.FloatRange(min=0),
    default=0.5,
    show_default=True,
    help="Seconds before pending resources resolve.",
)
@click.option(
    "--token-ttl", type=click.IntRange(min=1), default=3600, show_default=True, help="Token lifetime (s)."
)
@click.option("--db", type=click.Path(dir_okay=False), help="Persist state in this SQLite file.")
@click.option("--base-url", help="scheme://host[:port] for Location headers (default: from each request).")
@click.option("--tls", is_flag=True, help="Serve HTTPS with a throwaway CA (its path is printed).")
@click.option(
    "--delivery-ca",
    type=click.Path(dir_okay=False),
    help="Extra CA (PEM) trusted when POSTing to https receivers.",
)
@click.option(
    "--no-deliver",
    is_flag=True,
    help="Record callbacks and webhooks without POSTing them.",
)
@click.option(
    "--allow-http", is_flag=True, help="Also POST callbacks/webhooks over plain http to non-loopback hosts."
)
@click.option(
    "--spec",
    type=click.Path(dir_okay=False),
    help="Serve this OpenAPI document (the client generated from it must be importable).",
)
@click.option(
    "--client-id", default=_SANDBOX_DEFAULTS[0], show_default=True, help="Sandbox's OAuth client id."
)
@click.option(
    "--client-secret", default=_SANDBOX_DEFAULTS[1], show_default=True, help="Sandbox's OAuth client secret."
)
@click.option(
    "--api-key", default=_SANDBOX_DEFAULTS[2], show_default=True, help="Sandbox's webhook HMAC key."
)
@click.option(
    "--log-level",
    type=click.Choice(LOG_LEVELS, case_sensitive=False),
    default="info",
    show_default=True,
    help="uvicorn's log level and the delivery lines' (warning: failed attempts only).",
)
@click.option("-q", "--quiet", is_flag=True, help="No line per callback/webhook delivery attempt on stderr.")
def serve(
    host: str,
    port: int,
    callback_delay: float,
    token_ttl: int,
    db: str | None,
    base_url: str | None,
    tls: bool,
    delivery_ca: str | None,
    no_deliver: bool,
    allow_http: bool,
    spec: str | None,
    client_id: str,
    client_secret: str,
    api_key: str,
    log_level: str,
    quiet: bool,
) -> None:
    """Run the sandbox in the foreground until Ctrl-C; it prints its URL and (fake) credentials.

    The same server, options and exit codes as the ``k2connect-sandbox`` script. Its credentials are its
    own and printed on purpose: they are not the global options nor the K2_* variables, which may hold
    real ones.
    """
    sandbox_main = _load_sandbox()
    if not (client_id and client_secret and api_key):
        raise click.UsageError("--client-id, --client-secret and --api-key must not be empty")
    if port:
        _check_bindable(host, port)
    argv = [
        "--host", host, "--port", str(port), "--callback-delay", str(callback_delay),
        "--token-ttl", str(token_ttl), "--client-id", client_id, "--client-secret", client_secret,
        "--api-key", api_key, "--log-level", log_level.lower(),
    ]  # fmt: skip
    for option, value in (("--db", db), ("--base-url", base_url), ("--delivery-ca", delivery_ca),
                          ("--spec", spec)):  # fmt: skip
        if value:
            argv += [option, value]
    for option, flag in (("--tls", tls), ("--no-deliver", no_deliver), ("--allow-http", allow_http),
                         ("--quiet", quiet)):  # fmt: skip
        if flag:
            argv.append(option)
    code = sandbox_main(argv)
    if code:  # the sandbox refused to start and said why in its own line (a bad spec, an unreadable CA)
        raise click.exceptions.Exit(code)


sandbox.add_command(simulate)
