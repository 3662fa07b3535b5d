"""``k2connect send-money``: pay out to M-PESA numbers, tills, paybills, bank or own accounts (v2)."""

from __future__ import annotations

from typing import BinaryIO

import click

from k2connect_ext import Destination, mobile_wallet_destination

from ..flows import create
from ..options import callback_url_option, json_option, metadata_option, parse_metadata, wait_options
from ..state import CliState, pass_state
from .destinations import read_destinations

__all__ = ["send_money"]


def _option_destination(
    phone: str | None, amount: str | None, description: str | None, network: str
) -> list[Destination]:
    given = {"--to-phone": phone, "--amount": amount, "--description": description}
    if not any(given.values()):
        return []
    missing = [name for name, value in given.items() if not value]
    if missing:
        raise click.UsageError(f"a mobile wallet destination also needs {', '.join(missing)}")
    assert phone is not None and amount is not None and description is not None
    return [mobile_wallet_destination(phone, amount, description, network=network)]


@click.command("send-money")
@callback_url_option("Where K2 POSTs the result.")
@click.option("--to-phone", help="M-PESA number of one mobile wallet destination.")
@click.option("--amount", help="Amount for that destination.")
@click.option("--description", help="Description for that destination.")
@click.option("--network", default="Safaricom", show_default=True, help="Network of that destination.")
@click.option(
    "--destinations-json",
    type=click.File("rb"),
    metavar="FILE|-",
    help='JSON list of destinations in K2\'s form ([{"type": "till", "till_number": ..., "amount": ..., '
    '"description": ...}, ...]); "-" reads stdin. Added after the --to-phone one.',
)
@click.option(
    "--sweep",
    is_flag=True,
    help="With no destination: settle the whole balance to your own default accounts.",
)
@click.option("--source-identifier", help="Source account of the funds (default: your main account).")
@click.option("--currency", default="KES", show_default=True, help="Currency of the amounts.")
@metadata_option
@wait_options
@json_option
@pass_state
def send_money(
    state: CliState,
    callback_url: str,
    to_phone: str | None,
    amount: str | None,
    description: str | None,
    network: str,
    destinations_json: BinaryIO | None,
    sweep: bool,
    source_identifier: str | None,
    currency: str,
    metadata: tuple[str, ...],
    wait: bool,
    timeout: float,
) -> None:
    """Send money to one or more destinations; print its Location (or, with --wait, its outcome)."""
    destinations = _option_destination(to_phone, amount, description, network)
    if destinations_json is not None:
        destinations += read_destinations(destinations_json)
    if not destinations and not sweep:
        raise click.UsageError(
            "no destination: give --to-phone/--amount/--description, --destinations-json, "
            "or --sweep to settle to your own accounts"
        )
    if destinations and sweep:
        raise click.UsageError("--sweep takes no destinations")
    fields = parse_metadata(metadata)
    create(
        state,
        lambda k2: k2.send_money(
            callback_url=callback_url,
            destinations=destinations,
            source_identifier=source_identifier,
            currency=currency,
            metadata=fields,
        ),
        wait=wait,
        timeout=timeout,
    )
