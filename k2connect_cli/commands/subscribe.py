"""``k2connect subscribe``: subscribe a URL to a webhook event type."""

from __future__ import annotations

import click

from ..flows import create
from ..options import json_option
from ..state import CliState, pass_state

__all__ = ["subscribe"]

EVENT_TYPES = (
    "buygoods_transaction_received",
    "buygoods_transaction_reversed",
    "b2b_transaction_received",
    "b2b_transaction_reversed",
    "m2m_transaction_received",
    "settlement_transfer_completed",
    "customer_created",
    "card_transaction_received",
    "card_transaction_voided",
    "card_transaction_reversed",
)


@click.command("subscribe")
@click.option("--event-type", required=True, type=click.Choice(EVENT_TYPES), help="Webhook event type.")
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
    event_type: str,
    url: str,
    scope: str,
    scope_reference: str | None,
    daraja: bool,
    api_version: str,
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
