"""The merchant's ledger: every transaction received (STK push, till, B2B, M2M, card), plus a running
balance.

Polling reads buy-goods transactions from here, reversals look transactions up here by reference, and
blind transfers settle the balance computed here (reversed and voided transactions do not count).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal
from typing import Any

from k2connect_sandbox.clock import iso_s, parse_time
from k2connect_sandbox.store import Store
from k2connect_sandbox.wire import JsonDict, decimal_of, money, mpesa_code, new_id

__all__ = ["Ledger", "strip_k"]

_TABLE = "ledger"
# Statuses after which a transaction no longer counts and can be neither reversed nor voided again.
_UNDONE = ("Reversed", "Voided")
_OUTFLOWS = "outflows"
_CUSTOMERS = "customers"


def strip_k(till: str | None) -> str:
    """Till numbers compare without the ``K`` that marks online-payment (STK) tills."""
    text = (till or "").strip()
    return text[1:] if text[:1] in ("K", "k") else text


def hashed_phone(phone: str) -> str:
    return hashlib.sha256(phone.encode("utf-8")).hexdigest()


class Ledger:
    def __init__(self, store: Store, opening_balance: Decimal) -> None:
        self._store = store
        self._opening = opening_balance

    def _add(self, tx: JsonDict) -> JsonDict:
        self._store.put(_TABLE, tx["id"], tx)
        return tx

    def record_buygoods(
        self,
        *,
        till_number: str,
        amount: Any,
        phone: str,
        first_name: str | None,
        middle_name: str | None,
        last_name: str | None,
        when: datetime,
        system: str = "Lipa Na M-PESA",
        reference: str | None = None,
        source: str = "till",
    ) -> JsonDict:
        return self._add(
            {
                "id": new_id(),
                "kind": "buygoods",
                "source": source,
                "reference": reference or mpesa_code(),
                "amount": money(amount),
                "currency": "KES",
                "till_number": till_number,
                "sender_phone_number": phone,
                "hashed_sender_phone": hashed_phone(phone),
                "sender_first_name": first_name,
                "sender_middle_name": middle_name,
                "sender_last_name": last_name,
                "origination_time": iso_s(when),
                "system": system,
                "status": "Received",
            }
        )

    def record_b2b(self, *, till_number: str, amount: Any, sending_till: str, when: datetime) -> JsonDict:
        return self._add(
            {
                "id": new_id(),
                "kind": "b2b",
                "source": "b2b",
                "reference": mpesa_code(),
                "amount": money(amount),
                "currency": "KES",
                "till_number": till_number,
                "sending_till": sending_till,
                "origination_time": iso_s(when),
                "system": "Lipa Na Mpesa",
                "status": "Complete",
            }
        )

    def record_m2m(self, *, amount: Any, sending_merchant: str, when: datetime) -> JsonDict:
        return self._add(
            {
                "id": new_id(),
                "kind": "m2m",
                "source": "m2m",
                "reference": mpesa_code(),
                "amount": money(amount),
                "currency": "KES",
                "sending_merchant": sending_merchant,
                "origination_time": iso_s(when),
                "status": "Received",
            }
        )

    def record_card(self, *, till_number: str, amount: Any, card_last4: str, when: datetime) -> JsonDict:
        """A card payment at a till; the card number is kept masked, as card webhooks carry it."""
        return self._add(
            {
                "id": new_id(),
                "kind": "card",
                "source": "card",
                "reference": mpesa_code("C"),
                "amount": money(amount),
                "currency": "KES",
                "till_number": till_number,
                "customer_cc_number": "*" * 12 + card_last4,
                "origination_time": iso_s(when),
                "status": "Received",
            }
        )

    def by_reference(self, reference: str) -> JsonDict | None:
        return self._store.find(_TABLE, lambda tx: tx.get("reference") == reference)

    def mark_reversed(self, tx_id: str) -> JsonDict | None:
        """The transaction marked Reversed; None if it already was reversed or voided."""
        return self.mark(tx_id, "Reversed")

    def mark(self, tx_id: str, status: str) -> JsonDict | None:
        """The transaction with its new ``status`` (Reversed, Voided); None if it was already undone."""

        def change(tx: JsonDict) -> JsonDict | None:
            return None if tx.get("status") in _UNDONE else {**tx, "status": status}

        return self._store.update(_TABLE, tx_id, change)

    def buygoods_between(self, start: datetime, end: datetime, till: str | None) -> list[JsonDict]:
        """Buy-goods transactions (STK and till) with start <= origination_time <= end, oldest first."""
        found = []
        for tx in self._store.values(_TABLE):
            if tx.get("kind") != "buygoods":
                continue
            if till is not None and strip_k(tx.get("till_number")) != strip_k(till):
                continue
            when = parse_time(str(tx.get("origination_time", "")))
            if when is not None and start <= when <= end:
                found.append(tx)
        return found

    def transactions(self) -> list[JsonDict]:
        return self._store.values(_TABLE)

    def record_outflow(self, amount: Any, reference: str) -> None:
        self._store.put(_OUTFLOWS, reference, {"id": reference, "amount": money(amount)})

    def balance(self) -> Decimal:
        """Opening balance + received - reversed or voided - paid out (never negative)."""
        total = self._opening
        for tx in self._store.values(_TABLE):
            amount = decimal_of(tx.get("amount")) or Decimal(0)
            total += amount if tx.get("status") not in _UNDONE else 0
        for out in self._store.values(_OUTFLOWS):
            total -= decimal_of(out.get("amount")) or Decimal(0)
        return max(total, Decimal(0))

    def is_new_customer(self, phone: str) -> bool:
        """True the first time a phone is seen (and remembers it), for customer_created."""
        with self._store.transaction():
            if self._store.get(_CUSTOMERS, phone) is not None:
                return False
            self._store.put(_CUSTOMERS, phone, {"phone_number": phone})
            return True
