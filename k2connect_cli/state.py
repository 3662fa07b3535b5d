"""What the global options decide, shared by every command through ``click.Context.obj``."""

from __future__ import annotations

import time
from collections.abc import Callable

import attrs
import click
import httpx

from k2connect_ext import K2, K2ConfigError, RetryPolicy

__all__ = ["CliState", "open_k2", "pass_state"]


@attrs.define
class CliState:
    """Connection settings and output mode. Credentials never appear in ``repr``."""

    base_url: str | None = None
    client_id: str | None = attrs.field(default=None, repr=False)
    client_secret: str | None = attrs.field(default=None, repr=False)
    api_key: str | None = attrs.field(default=None, repr=False)
    json: bool = False
    retries: int = 3
    http_timeout: float = 30.0
    # Values that must never be printed (credentials, tokens, signatures seen during this run).
    secrets: set[str] = attrs.field(factory=set, repr=False)

    def remember_secret(self, value: str | None) -> None:
        """Have ``value`` masked out of any error message printed by this run."""
        if value:
            self.secrets.add(value)


pass_state = click.make_pass_decorator(CliState, ensure=True)


def open_k2(
    state: CliState, *, sleep: Callable[[float], None] | None = None, ledger: str | None = None
) -> K2:
    """A ``K2`` facade from the global options only (the SDK's own environment lookup is bypassed);
    ``ledger`` (a URL) gives it ``k2.intents``."""
    missing = [
        name
        for name, value in (
            ("--client-id (K2_CLIENT_ID)", state.client_id),
            ("--client-secret (K2_CLIENT_SECRET)", state.client_secret),
        )
        if not value
    ]
    if missing:
        raise K2ConfigError("missing credentials: " + ", ".join(missing))
    return K2(
        state.client_id,
        state.client_secret,
        base_url=state.base_url,
        api_key=state.api_key,
        timeout=httpx.Timeout(state.http_timeout, connect=min(state.http_timeout, 5.0)),
        retry=RetryPolicy(max_attempts=state.retries + 1),
        sleep=time.sleep if sleep is None else sleep,
        environ={},
        ledger=ledger,
    )
