"""``k2connect sandbox simulate ...``: make money move in a running sandbox, as customers and banks would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from k2connect_ext import parse_location

from ..options import json_option
from ..output import Output
from ..sandbox_control import control_post
from ..state import CliState, pass_state

__all__ = ["simulate"]

F = TypeVar("F", bound=Callable[..., Any])


def _names(command: F) -> F:
    command = click.option("--last-name", help="Payer's last name.")(command)
    return click.option("--first-name", help="Payer's first name.")(command)


def _run(state: CliState, path: str, body: dict[str, Any]) -> None:
    answer = control_post(state.base_url, path, body, timeout=state.http_timeout)
    transaction = answer.get("transaction") or {}
    link = ((answer.get("payment_link") or {}).get("data") or {}).get("attributes") or {}
    fields = {
        "transaction": transaction.get("id"),
        "reference": transaction.get("reference"),
        "amount": transaction.get("amount"),
        "currency": transaction.get("currency"),
        "till_number": transaction.get("till_number"),
        "status": transaction.get("status"),
        "payment_link": (link.get("payment_link") or {}).get("status"),
        "events": len(answer.get("events") or []),
    }
    output = Output(state.json)
    output.record(fields, document=answer)
    rows = [
        (event.get("topic"), event.get("id"), len(event.get("subscription_ids") or []))
        for event in answer.get("events") or []
    ]
    output.table(("TOPIC", "EVENT ID", "SUBSCRIPTIONS"), rows)


@click.group("simulate")
def simulate() -> None:
    """Simulate what happens outside the API, in the sandbox at --base-url (webhooks are sent)."""


@simulate.command("buygoods")
@click.option("--till", required=True, help="The till paid (without the K prefix), e.g. 000000.")
@click.option("--amount", required=True, help="Amount paid.")
@click.option("--phone", help="Payer's phone (default: the sandbox's +254700000000).")
@_names
@json_option
@pass_state
def buygoods(
    state: CliState, till: str, amount: str, phone: str | None, first_name: str | None, last_name: str | None
) -> None:
    """A customer pays a till (buygoods_transaction_received)."""
    body = {
        "till_number": till,
        "amount": amount,
        "phone": phone,
        "first_name": first_name,
        "last_name": last_name,
    }
    _run(state, "/sandbox/simulate/buygoods_transaction_received", body)


@simulate.command("reversal")
@click.option("--reference", required=True, help="M-PESA reference of the transaction to reverse.")
@click.option("--b2b", is_flag=True, help="Reverse a B2B transaction (default: a buy-goods one).")
@json_option
@pass_state
def reversal(state: CliState, reference: str, b2b: bool) -> None:
    """A received transaction is reversed (buygoods/b2b_transaction_reversed)."""
    kind = "b2b" if b2b else "buygoods"
    _run(state, f"/sandbox/simulate/{kind}_transaction_reversed", {"reference": reference})


@simulate.command("b2b")
@click.option("--till", required=True, help="The till paid (without the K prefix).")
@click.option("--amount", required=True, help="Amount paid.")
@click.option("--sending-till", help="The paying business's till (default: 000000).")
@json_option
@pass_state
def b2b(state: CliState, till: str, amount: str, sending_till: str | None) -> None:
    """Another business pays a till (b2b_transaction_received)."""
    body = {"till_number": till, "amount": amount, "sending_till": sending_till}
    _run(state, "/sandbox/simulate/b2b_transaction_received", body)


@simulate.command("m2m")
@click.option("--amount", required=True, help="Amount paid.")
@click.option("--sending-merchant", help='The paying merchant (default: "Sandbox Merchant").')
@json_option
@pass_state
def m2m(state: CliState, amount: str, sending_merchant: str | None) -> None:
    """Another Kopo Kopo merchant pays you (m2m_transaction_received)."""
    _run(
        state,
        "/sandbox/simulate/m2m_transaction_received",
        {"amount": amount, "sending_merchant": sending_merchant},
    )


@simulate.command("settlement")
@click.option("--amount", required=True, help="Amount settled.")
@click.option(
    "--destination-type",
    type=click.Choice(["bank_account", "mobile_wallet"]),
    default="bank_account",
    show_default=True,
    help="Kind of settlement account.",
)
@click.option("--destination-reference", help="Id of a merchant account created through the API.")
@json_option
@pass_state
def settlement(
    state: CliState, amount: str, destination_type: str, destination_reference: str | None
) -> None:
    """Funds reach a settlement account (settlement_transfer_completed)."""
    body = {
        "amount": amount,
        "destination_type": destination_type,
        "destination_reference": destination_reference,
    }
    _run(state, "/sandbox/simulate/settlement_transfer_completed", body)


@simulate.command("card")
@click.option("--till", help="The till paid (without the K prefix), for a new card payment.")
@click.option("--amount", help="Amount paid, for a new card payment.")
@click.option("--last4", help="Last four digits of the card (default: 1234).")
@click.option("--void", "void_reference", metavar="REFERENCE", help="Void this card transaction instead.")
@click.option(
    "--reverse", "reverse_reference", metavar="REFERENCE", help="Reverse this card transaction instead."
)
@json_option
@pass_state
def card(
    state: CliState,
    till: str | None,
    amount: str | None,
    last4: str | None,
    void_reference: str | None,
    reverse_reference: str | None,
) -> None:
    """A customer pays a till by card (card_transaction_received), or a card payment is voided or
    reversed (card_transaction_voided / card_transaction_reversed)."""
    if void_reference and reverse_reference:
        raise click.UsageError("give --void or --reverse, not both")
    for topic, reference in (("voided", void_reference), ("reversed", reverse_reference)):
        if reference:
            _run(state, f"/sandbox/simulate/card_transaction_{topic}", {"reference": reference})
            return
    if not till or not amount:
        raise click.UsageError(
            "a card payment needs --till and --amount (or give --void/--reverse REFERENCE)"
        )
    body = {"till_number": till, "amount": amount, "card_last4": last4}
    _run(state, "/sandbox/simulate/card_transaction_received", body)


def _link_id(value: str) -> str:
    try:
        return parse_location(value).id
    except ValueError:
        if not value.strip() or "/" in value:
            raise click.BadParameter("expected a payment link id or Location", param_hint="'LINK'") from None
        return value.strip()


@simulate.command("pay-link")
@click.argument("link")
@click.option("--phone", required=True, help="Payer's phone.")
@_names
@json_option
@pass_state
def pay_link(state: CliState, link: str, phone: str, first_name: str | None, last_name: str | None) -> None:
    """A customer pays the payment link LINK (its id or Location)."""
    body = {"phone": phone, "first_name": first_name, "last_name": last_name}
    _run(state, f"/sandbox/payment_links/{_link_id(link)}/pay", body)
