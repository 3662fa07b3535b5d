"""The merchant's own settlement accounts (merchant wallets and bank accounts) as transfer targets.

Targeted settlement transfers and send-money ``merchant_*`` destinations must name one of these;
blind transfers go to the first one, or to a built-in bank account when the merchant has none yet.
"""

from __future__ import annotations

import uuid

from k2connect_sandbox.store import Store
from k2connect_sandbox.tables import MERCHANT_BANK_ACCOUNTS, MERCHANT_WALLETS
from k2connect_sandbox.wire import JsonDict

__all__ = ["MerchantAccounts"]

_TABLES = {"merchant_wallet": MERCHANT_WALLETS, "merchant_bank_account": MERCHANT_BANK_ACCOUNTS}


class MerchantAccounts:
    def __init__(self, store: Store, client_id: str) -> None:
        self._store = store
        self._client_id = client_id

    def all(self) -> list[JsonDict]:
        """Every own account, wallets first, each as ``{"id", "kind", **its attributes}``."""
        accounts = []
        for kind, table in _TABLES.items():
            for record in self._store.values(table):
                accounts.append({**record["body"]["data"]["attributes"], "id": record["id"], "kind": kind})
        return accounts

    def find(self, kind: str, reference: str) -> JsonDict | None:
        """The account of ``kind`` (merchant_wallet / merchant_bank_account) with this id, if any."""
        table = _TABLES.get(kind)
        record = self._store.get(table, reference) if table else None
        if record is None:
            return None
        return {**record["body"]["data"]["attributes"], "id": record["id"], "kind": kind}

    def default(self) -> JsonDict:
        """Where blind transfers go: the first own account, else the sandbox's built-in bank account
        (with an id derived from the client id, so it is stable across restarts)."""
        accounts = self.all()
        if accounts:
            return accounts[0]
        return {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"k2connect-sandbox:{self._client_id}:settlement")),
            "kind": "merchant_bank_account",
            "account_name": "Sandbox Merchant Ltd",
            "account_number": "0000000000",
            "bank_branch_ref": "00000000-0000-4000-8000-000000000000",
            "settlement_method": "EFT",
        }
