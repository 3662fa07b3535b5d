"""Money arriving and leaving outside the API: the events a real merchant account would see.

Used by the control API (``/sandbox/simulate/...``, ``/sandbox/payment_links/{id}/pay``) and by the
lifecycle (a processed reversal fires a ``*_reversed`` webhook, a processed settlement transfer fires
``settlement_transfer_completed``). Every function records the ledger entry first and then publishes,
so a receiver that polls as soon as the webhook lands finds the transaction.
"""

from __future__ import annotations

from typing import Any

from k2connect_sandbox.clock import Clock, iso_ms
from k2connect_sandbox.ledger import Ledger
from k2connect_sandbox.webhooks import (
    PublishedEvent,
    WebhookPublisher,
    b2b_resource,
    buygoods_resource,
    card_resource,
    m2m_resource,
)
from k2connect_sandbox.wire import JsonDict, money, mpesa_code, new_id

__all__ = ["Simulator"]

_SETTLEMENT_FIELDS = {
    "Bank Account": ("account_name", "account_number", "bank_branch_ref", "settlement_method"),
    "Mobile Wallet": ("first_name", "last_name", "phone_number", "network"),
}


class Simulator:
    def __init__(self, ledger: Ledger, publisher: WebhookPublisher, clock: Clock) -> None:
        self._ledger = ledger
        self._publisher = publisher
        self._clock = clock

    def till_payment(
        self,
        *,
        till_number: str,
        amount: Any,
        phone: str,
        first_name: str | None,
        middle_name: str | None,
        last_name: str | None,
        base_url: str,
    ) -> tuple[JsonDict, list[PublishedEvent]]:
        """A customer pays a till: ledger entry, ``buygoods_transaction_received``, and
        ``customer_created`` the first time the phone is seen."""
        tx = self._ledger.record_buygoods(
            till_number=till_number,
            amount=amount,
            phone=phone,
            first_name=first_name,
            middle_name=middle_name,
            last_name=last_name,
            when=self._clock.now(),
        )
        events = [
            self._publisher.publish(
                "buygoods_transaction_received",
                buygoods_resource(tx),
                base_url,
                resource_id=tx["id"],
                till=till_number,
                transaction=tx,
            )
        ]
        if self._ledger.is_new_customer(phone):
            customer = {
                "last_name": last_name,
                "first_name": first_name,
                "middle_name": middle_name,
                "phone_number": phone,
            }
            events.append(
                self._publisher.publish(
                    "customer_created", customer, base_url, resource_id=new_id(), till=till_number
                )
            )
        return tx, events

    def b2b_payment(
        self, *, till_number: str, amount: Any, sending_till: str, base_url: str
    ) -> tuple[JsonDict, list[PublishedEvent]]:
        tx = self._ledger.record_b2b(
            till_number=till_number, amount=amount, sending_till=sending_till, when=self._clock.now()
        )
        event = self._publisher.publish(
            "b2b_transaction_received",
            b2b_resource(tx),
            base_url,
            resource_id=tx["id"],
            till=till_number,
            transaction=tx,
        )
        return tx, [event]

    def m2m_payment(
        self, *, amount: Any, sending_merchant: str, base_url: str
    ) -> tuple[JsonDict, list[PublishedEvent]]:
        tx = self._ledger.record_m2m(amount=amount, sending_merchant=sending_merchant, when=self._clock.now())
        event = self._publisher.publish(
            "m2m_transaction_received", m2m_resource(tx), base_url, resource_id=tx["id"]
        )
        return tx, [event]

    def card_payment(
        self, *, till_number: str, amount: Any, card_last4: str, base_url: str
    ) -> tuple[JsonDict, list[PublishedEvent]]:
        """A customer pays a till by card: ledger entry and ``card_transaction_received``."""
        tx = self._ledger.record_card(
            till_number=till_number, amount=amount, card_last4=card_last4, when=self._clock.now()
        )
        event = self._publisher.publish(
            "card_transaction_received", card_resource(tx), base_url, resource_id=tx["id"], till=till_number
        )
        return tx, [event]

    def card_undone(self, tx: JsonDict, base_url: str) -> list[PublishedEvent]:
        """Announce a card transaction that has just been marked Voided or Reversed."""
        topic = "card_transaction_voided" if tx.get("status") == "Voided" else "card_transaction_reversed"
        return [
            self._publisher.publish(
                topic, card_resource(tx), base_url, resource_id=tx["id"], till=str(tx["till_number"])
            )
        ]

    def reversed(self, tx: JsonDict, base_url: str) -> list[PublishedEvent]:
        """Announce a ledger transaction that has just been marked Reversed."""
        if tx.get("kind") == "buygoods":
            topic, resource = "buygoods_transaction_reversed", buygoods_resource(tx)
        elif tx.get("kind") == "b2b":
            topic, resource = "b2b_transaction_reversed", b2b_resource(tx)
        else:
            return []
        return [
            self._publisher.publish(
                topic, resource, base_url, resource_id=tx["id"], till=str(tx["till_number"])
            )
        ]

    def settlement_completed(self, *, amount: Any, destination: JsonDict, base_url: str) -> PublishedEvent:
        """``destination``: ``{"id", "kind": merchant_wallet|merchant_bank_account, **account fields}``."""
        display = "Mobile Wallet" if destination["kind"] == "merchant_wallet" else "Bank Account"
        account: JsonDict = {"reference": destination["id"]}
        account |= {name: destination.get(name) for name in _SETTLEMENT_FIELDS[display]}
        if display == "Bank Account":
            # Samples name the method settlement_method; Ruby 4.x reads transfer_method: send both (spec).
            account["transfer_method"] = account.get("settlement_method")
        now = self._clock.now()
        transfer_id = new_id()
        resource = {
            "id": transfer_id,
            "amount": money(amount),
            "status": "Transferred",
            "currency": "KES",
            "destination": {"type": display, "resource": account},
            "disbursements": [
                {
                    "amount": money(amount),
                    "status": "Transferred",
                    "origination_time": iso_ms(now),
                    "transaction_reference": mpesa_code("L") if display == "Mobile Wallet" else None,
                }
            ],
            "origination_time": iso_ms(now),
        }
        return self._publisher.publish(
            "settlement_transfer_completed", resource, base_url, resource_id=transfer_id
        )
