"""``k2connect token``: fetch an access token; show its type and expiry (the token only on request)."""

from __future__ import annotations

import datetime as dt
import time

import click

from ..options import json_option
from ..output import Output
from ..state import CliState, open_k2, pass_state

__all__ = ["mask", "token"]

_SHOWN_TAIL = 4


def mask(value: str) -> str:
    """``********abcd``: enough to tell two tokens apart, useless to anyone who reads it."""
    if len(value) < 4 * _SHOWN_TAIL:
        return "********"
    return "********" + value[-_SHOWN_TAIL:]


@click.command("token")
@click.option("--show-token", is_flag=True, help="Print the full access token (it is a secret).")
@json_option
@pass_state
def token(state: CliState, show_token: bool) -> None:
    """Get an access token with the client credentials; show its type and expiry.

    The token is masked unless --show-token is given.
    """
    with open_k2(state) as k2:
        access = k2.token()
    state.remember_secret(access.value)
    expires_at = dt.datetime.fromtimestamp(access.expires_at, dt.UTC).replace(microsecond=0)
    fields = {
        "token_type": access.token_type,
        "expires_at": expires_at.isoformat().replace("+00:00", "Z"),
        "expires_in": max(0, round(access.expires_at - time.time())),
        "token": access.value if show_token else mask(access.value),
        "base_url": k2.settings.base_url,
    }
    Output(state.json).record(fields)
