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
    """The sandbox's own main; a missing "sandbox" extra is a configuration error. Any other ImportError
    is a bug, and is reported as one (exit 70) rather than as a missing extra."""
    missing = CliError(ExitCode.CONFIG, f"configuration: {missing_extra_message(SANDBOX)}")
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
            ExitCode.CONFIG, f"configuration: cannot listen on {host}:{port}: {exc.strerror or exc}"
        ) from None


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
@click.option("--tls", is_flag=True, help="Serve HTTPS with a throwaway CA (its path is printed).")
@click.option(
    "--client-id", default=_SANDBOX_DEFAULTS[0], show_default=True, help="Sandbox's OAuth client id."
)
@click.option(
    "--client-secret", default=_SANDBOX_DEFAULTS[1], show_default=True, help="Sandbox's OAuth client secret."
)
@click.option(
    "--api-key", default=_SANDBOX_DEFAULTS[2], show_default=True, help="Sandbox's webhook HMAC key."
)
@click.option("--log-level", default="info", show_default=True, help="uvicorn log level.")
def serve(
    host: str,
    port: int,
    callback_delay: float,
    token_ttl: int,
    db: str | None,
    tls: bool,
    client_id: str,
    client_secret: str,
    api_key: str,
    log_level: str,
) -> None:
    """Run the sandbox in the foreground until Ctrl-C; it prints its URL and (fake) credentials.

    Its credentials are its own and printed on purpose: they are not the global options nor the K2_*
    variables, which may hold real ones.
    """
    sandbox_main = _load_sandbox()
    if not (client_id and client_secret and api_key):
        raise click.UsageError("--client-id, --client-secret and --api-key must not be empty")
    if port:
        _check_bindable(host, port)
    argv = [
        "--host", host, "--port", str(port), "--callback-delay", str(callback_delay),
        "--token-ttl", str(token_ttl), "--client-id", client_id, "--client-secret", client_secret,
        "--api-key", api_key, "--log-level", log_level,
    ]  # fmt: skip
    if db:
        argv += ["--db", db]
    if tls:
        argv.append("--tls")
    code = sandbox_main(argv)
    if code:
        raise click.exceptions.Exit(ExitCode.CONFIG)


sandbox.add_command(simulate)
