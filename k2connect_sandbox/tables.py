"""The store's tables, and the table each resource GET of the operation registry reads.

A resource lives in the table named after the collection of its Location, as the generated operation
registry lists them (``registry.LOCATIONS``: (version, collection) -> the GET that reads it), so a GET
the spec gains is read from its own table with no edit here (``READERS``). The one exception is
``SHARED``: collections that name one resource under two names, so that it is one table. A recipient is
created and read under ``pay_recipients`` (v1, and v2 before 2026) and ``external_recipients`` (v2), and a
payment finds it whichever collection made it. (A kind stored under two collections, the merchant
account's ``merchant_wallets`` and ``merchant_bank_accounts``, needs nothing: each collection is a table.)

The constants below name the tables the hand-written handlers and lifecycle work on. Each is checked at
import to be a table some GET of the registry reads, so a collection renamed in the spec fails here at
once rather than leaving resources that their GET cannot find.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final

from k2connect_client.registry import LOCATIONS

__all__ = [
    "INCOMING_PAYMENTS",
    "MERCHANT_BANK_ACCOUNTS",
    "MERCHANT_WALLETS",
    "PAYMENTS",
    "PAYMENT_LINKS",
    "POLLING",
    "READERS",
    "RECIPIENTS",
    "REVERSALS",
    "SEND_MONEY",
    "SETTLEMENT_TRANSFERS",
    "SHARED",
    "SMS_NOTIFICATIONS",
    "WEBHOOK_SUBSCRIPTIONS",
    "Reader",
    "check_tables",
    "table_for",
]

RECIPIENTS = "recipients"
SHARED: Final[Mapping[str, str]] = MappingProxyType(
    {"pay_recipients": RECIPIENTS, "external_recipients": RECIPIENTS}
)
"""Collection -> its table, where it is not the collection's own name."""


def table_for(collection: str) -> str:
    """The table of the resources whose Locations are in ``collection``."""
    return SHARED.get(collection, collection)


Reader = tuple[str, str]
"""(table, collection) of one resource GET."""

READERS: Final[Mapping[str, Reader]] = MappingProxyType(
    {getter.name: (table_for(collection), collection) for (_, collection), getter in LOCATIONS.items()}
)
"""Every resource GET of the registry (by operationId) -> the table it reads and its collection."""

WEBHOOK_SUBSCRIPTIONS = "webhook_subscriptions"
MERCHANT_WALLETS = "merchant_wallets"
MERCHANT_BANK_ACCOUNTS = "merchant_bank_accounts"
INCOMING_PAYMENTS = "incoming_payments"
PAYMENTS = "payments"
SETTLEMENT_TRANSFERS = "settlement_transfers"
POLLING = "polling"
SMS_NOTIFICATIONS = "transaction_sms_notifications"
SEND_MONEY = "send_money"
REVERSALS = "reversals"
PAYMENT_LINKS = "payment_links"


def check_tables(named: Iterable[str], readers: Mapping[str, Reader]) -> None:
    """Raise RuntimeError naming each table in ``named`` that no GET of ``readers`` reads."""
    read = {table for table, _ in readers.values()}
    unread = sorted(set(named) - read)
    if unread:
        raise RuntimeError(
            f"the sandbox stores resources in tables no GET of the operation registry reads: "
            f"{', '.join(unread)} (a collection renamed in the spec? update k2connect_sandbox/tables.py)"
        )


check_tables(
    (
        WEBHOOK_SUBSCRIPTIONS,
        RECIPIENTS,
        MERCHANT_WALLETS,
        MERCHANT_BANK_ACCOUNTS,
        INCOMING_PAYMENTS,
        PAYMENTS,
        SETTLEMENT_TRANSFERS,
        POLLING,
        SMS_NOTIFICATIONS,
        SEND_MONEY,
        REVERSALS,
        PAYMENT_LINKS,
    ),
    READERS,
)
