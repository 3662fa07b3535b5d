"""``k2connect subscribe``: subscribe a URL to a webhook event type."""

from __future__ import annotations

import click

from k2connect_ext import Scope, Version
from k2connect_ext.webhooks import EventType, WebhookTopic

from ..flows import create
from ..options import json_option
from ..state import CliState, pass_state

__all__ = ["subscribe"]

# One list, the SDK's (WebhookTopic). Each API version offers only some of them: v1 has no card events
# nor b2b reversals, v2 no m2m. The SDK refuses an event the chosen --api-version does not offer before
# anything is sent (exit 2, naming the field and the version's own list). click.Choice guarantees the
# Literal types of the parameters below.
EVENT_TYPES = tuple(sorted(topic.value for topic in WebhookTopic))
_HELP = "Webhook event type (v1: no card events nor b2b reversals; v2: no m2m)."


@click.command("subscribe")
@click.option("--event-type", required=True, type=click.Choice(EVENT_TYPES), help=_HELP)
@click.option("--url", required=True, help="HTTPS URL K2 POSTs the events to.")
@click.option(
    "--scope", type=click.Choice(["company", "till"]), default="company", show_default=True, help="Scope."
)
@click.option("--scope-reference", help="The till, for --scope till.")
@click.option("--daraja", is_flag=True, help="Receive Safaricom's Daraja payload (buy goods / B2B, v2 only).")
@click.option(
    "--api-version", type=click.Choice(["v1", "v2"]), default="v2", show_default=True, help="K2 API version."
)
@json_option
@pass_state
def subscribe(
    state: CliState,
    event_type: EventType,
    url: str,
    scope: Scope,
    scope_reference: str | None,
    daraja: bool,
    api_version: Version,
) -> None:
    """Create a webhook subscription; print its Location and id."""
    create(
        state,
        lambda k2: k2.subscribe_webhook(
            event_type,
            url,
            scope=scope,
            scope_reference=scope_reference,
            enable_daraja_payload=daraja,
            version=api_version,
        ),
    )
