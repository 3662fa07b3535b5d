"""``k2connect stk-push``: ask a customer's phone to approve a payment to a till (M-PESA STK push)."""

from __future__ import annotations

import click

from k2connect_ext import Version

from ..flows import create
from ..options import callback_url_option, json_option, metadata_option, parse_metadata, wait_options
from ..state import CliState, pass_state

__all__ = ["stk_push"]


@click.command("stk-push")
@click.option("--phone", required=True, help="Customer's M-PESA number: 07..., 01..., 2547... or +2547...")
@click.option("--amount", required=True, help="Amount, e.g. 100 or 100.50.")
@click.option("--till", required=True, help="Your online payments till (K-prefixed, e.g. K000000).")
@callback_url_option("Where K2 POSTs the result.")
@click.option("--currency", default="KES", show_default=True, help="Currency of the amount.")
@click.option("--first-name", help="Customer's first name.")
@click.option("--last-name", help="Customer's last name.")
@click.option("--email", help="Customer's email.")
@metadata_option
@click.option(
    "--api-version", type=click.Choice(["v1", "v2"]), default="v2", show_default=True, help="K2 API version."
)
@wait_options
@json_option
@pass_state
def stk_push(
    state: CliState,
    phone: str,
    amount: str,
    till: str,
    callback_url: str,
    currency: str,
    first_name: str | None,
    last_name: str | None,
    email: str | None,
    metadata: tuple[str, ...],
    api_version: Version,
    wait: bool,
    timeout: float,
) -> None:
    """Request an M-PESA STK push payment; print its Location (or, with --wait, its outcome)."""
    fields = parse_metadata(metadata)
    create(
        state,
        lambda k2: k2.stk_push(
            phone_number=phone,
            amount=amount,
            till_number=till,
            callback_url=callback_url,
            currency=currency,
            first_name=first_name,
            last_name=last_name,
            email=email,
            metadata=fields,
            version=api_version,
        ),
        wait=wait,
        timeout=timeout,
    )
