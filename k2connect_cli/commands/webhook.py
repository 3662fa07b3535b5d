"""``k2connect webhook verify``: check a webhook's signature over its raw body, then parse it."""

from __future__ import annotations

from typing import BinaryIO

import click

from k2connect_ext.webhooks import construct_event

from ..exit_codes import ExitCode
from ..failures import CliError
from ..options import json_option
from ..output import Output
from ..state import CliState, pass_state

__all__ = ["webhook"]


@click.group("webhook")
def webhook() -> None:
    """Work with the webhooks and callbacks K2 sends."""


@webhook.command("verify")
# No envvar here: K2_API_KEY is the global --api-key's variable, already resolved (option first) into the
# state. Reading it again here would let the environment beat ``k2connect --api-key X webhook verify``.
@click.option("--api-key", help="Key of the HMAC (default: the global --api-key, or K2_API_KEY).")
@click.option("--signature", required=True, help="The X-KopoKopo-Signature header value.")
@click.option(
    "--body",
    type=click.File("rb"),
    default="-",
    metavar="FILE|-",
    help="File holding the raw body, byte for byte (default: stdin).",
)
@json_option
@pass_state
def verify(state: CliState, api_key: str | None, signature: str, body: BinaryIO) -> None:
    """Verify a webhook read from stdin (raw bytes) and print what it reports.

    Exit 0 when the signature matches and the body parses; exit 1 when it does not.
    """
    key = api_key or state.api_key
    state.remember_secret(key)
    state.remember_secret(signature)
    if not key:
        raise CliError(ExitCode.CONFIG, "configuration: no API key: give --api-key or set K2_API_KEY")
    event = construct_event(body.read(), signature, key)
    fields = {
        "valid": True,
        "kind": event.kind.value,
        "topic": event.topic,
        "id": event.id,
        "resource_id": event.resource_id,
        "status": event.status,
        "amount": event.amount,
        "currency": event.currency,
        "reference": event.reference,
        "created_at": event.created_at,
    }
    Output(state.json).record(fields)
