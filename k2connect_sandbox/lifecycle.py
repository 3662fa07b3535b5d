"""Pending resources and how they end: scheduling, resolution, and the callback it triggers.

A pending resource resolves exactly once, whichever comes first: the background task that waits
``callback_delay`` seconds, or a GET that finds it past its due time (by the configured clock). The
store lock makes the transition atomic; the one caller that performs it also sends the callback, so
the callback is POSTed even if nobody ever reads the resource, and never twice for one transition.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from k2connect_sandbox import resources
from k2connect_sandbox.accounts import MerchantAccounts
from k2connect_sandbox.clock import Clock, iso_ms, parse_time
from k2connect_sandbox.config import SandboxConfig
from k2connect_sandbox.delivery import DeliveryService, Notification, exc_text
from k2connect_sandbox.ledger import Ledger
from k2connect_sandbox.outcomes import stk_failure
from k2connect_sandbox.scheduler import Scheduler
from k2connect_sandbox.simulations import Simulator
from k2connect_sandbox.store import Store
from k2connect_sandbox.tables import (
    INCOMING_PAYMENTS,
    PAYMENT_LINKS,
    PAYMENTS,
    POLLING,
    RECIPIENTS,
    REVERSALS,
    SEND_MONEY,
    SETTLEMENT_TRANSFERS,
    SMS_NOTIFICATIONS,
)
from k2connect_sandbox.wire import JsonDict, decimal_of, new_id

__all__ = ["Lifecycle"]

log = logging.getLogger("k2connect_sandbox")

Effect = Callable[[], None]
Resolution = tuple[JsonDict, list[Effect]]


class Lifecycle:
    def __init__(
        self,
        config: SandboxConfig,
        clock: Clock,
        store: Store,
        ledger: Ledger,
        simulator: Simulator,
        deliveries: DeliveryService,
        scheduler: Scheduler,
        accounts: MerchantAccounts,
    ) -> None:
        self._accounts = accounts
        self._config = config
        self._clock = clock
        self._store = store
        self._ledger = ledger
        self._simulator = simulator
        self._deliveries = deliveries
        self._scheduler = scheduler
        self._resolvers: dict[str, Callable[[JsonDict], Resolution]] = {
            INCOMING_PAYMENTS: self._incoming_payment,
            PAYMENTS: self._payment,
            SETTLEMENT_TRANSFERS: self._settlement_transfer,
            POLLING: self._polling,
            SMS_NOTIFICATIONS: self._sms,
            SEND_MONEY: self._send_money,
            REVERSALS: self._reversal,
        }

    # ------------------------------------------------------------ creation and scheduling

    def create_pending(self, table: str, record: JsonDict) -> None:
        """Store a pending resource and schedule its resolution.

        ``record`` holds id, body, request, base, self and created.
        """
        due = self._clock.now() + timedelta(seconds=self._config.callback_delay)
        self._store.put(table, record["id"], {**record, "final": False, "due_at": due.timestamp()})
        self.schedule(table, record["id"])

    def schedule(self, table: str, resource_id: str) -> None:
        self._scheduler.spawn(
            self._later(table, resource_id, self._scheduler.generation), name=f"resolve:{table}"
        )

    async def _later(self, table: str, resource_id: str, generation: int) -> None:
        await asyncio.sleep(self._config.callback_delay)
        if self._scheduler.generation == generation:
            self.resolve(table, resource_id)

    def resume(self) -> None:
        """Reschedule resources left pending by a previous run (SQLite persistence), in whichever table:
        those of a create served generically too. Other records (events, the ledger) have no ``final``."""
        for table in self._store.tables():
            for record in self._store.values(table):
                if record.get("final") is False:
                    self.schedule(table, str(record["id"]))

    # ------------------------------------------------------------ reads

    def refresh(self, table: str, resource_id: str) -> None:
        """Bring a resource up to date before it is read: resolve it if due, expire a stale link."""
        if table == PAYMENT_LINKS:
            self._expire_link(resource_id)
            return
        record = self._store.get(table, resource_id)
        if (
            record is not None
            and not record.get("final")
            and self._clock.now().timestamp() >= record["due_at"]
        ):
            self.resolve(table, resource_id)

    def _expire_link(self, resource_id: str) -> None:
        now = self._clock.now()

        def expire(record: JsonDict) -> JsonDict | None:
            link = record["body"]["data"]["attributes"]["payment_link"]
            expires = parse_time(str(link.get("expires_at", "")))
            if str(link.get("payment_link_status")).lower() != "active" or expires is None or now <= expires:
                return None
            return {**record, "body": resources.payment_link_with_status(record["body"], "Expired")}

        self._store.update(PAYMENT_LINKS, resource_id, expire)

    # ------------------------------------------------------------ resolution

    def resolve(self, table: str, resource_id: str) -> None:
        """Move a pending resource to its final state and POST its callback (once).

        Runs in background tasks and inside GETs, so it never raises: a resolver that fails leaves the
        resource final in its pending state (a GET then shows it, rather than retrying into a 500 each
        time) and its lost callback is logged and recorded in ``/sandbox/deliveries``.
        """
        with self._store.transaction():
            record = self._store.get(table, resource_id)
            if record is None or record.get("final"):
                return
            try:
                body, effects = self._resolvers.get(table, self._from_outcome)(record)
            except Exception as exc:
                log.exception("resolving %s %s failed", table, resource_id)
                self._store.put(table, resource_id, {**record, "final": True})
                self._deliveries.record_failure(
                    self._callback(record, record["body"]),
                    f"not sent: the sandbox failed to resolve this {table} resource ({exc_text(exc)})",
                )
                return
            self._store.put(table, resource_id, {**record, "body": body, "final": True})
        self.notify(record, body)
        for effect in effects:
            try:
                effect()
            except Exception:  # a follow-up webhook; the resource and its callback are already done
                log.exception("follow-up of %s %s failed", table, resource_id)

    def notify(self, record: JsonDict, body: JsonDict) -> None:
        """POST ``body`` (the resource's GET body) to the resource's callback URL."""
        self._deliveries.send(self._callback(record, body))

    @staticmethod
    def _callback(record: JsonDict, body: JsonDict) -> Notification:
        return Notification(
            kind="callback",
            # A generic resource keeps the URL its create's callbacks expression named; the others all
            # take _links.callback_url.
            url=str(record.get("callback_url") or record["request"]["_links"]["callback_url"]),
            body=body,
            topic=str(body["data"]["type"]),
            resource_id=str(record["id"]),
        )

    @staticmethod
    def _created(record: JsonDict) -> datetime:
        return datetime.fromisoformat(str(record["created"]))

    def _from_outcome(self, record: JsonDict) -> Resolution:
        """A resource of a create served generically (see ``generic``): the outcome built at creation from
        the callback's example, its timestamps now except those the pending body already had."""
        return resources.stamped(record["outcome"], iso_ms(self._clock.now()), record["body"]), []

    def _incoming_payment(self, record: JsonDict) -> Resolution:
        request = record["request"]
        subscriber = request["subscriber"]
        failure = stk_failure(str(subscriber["phone_number"]), request["amount"]["value"])
        args = (record["id"], record["self"], request, self._created(record))
        if failure is not None:
            return resources.incoming_payment(*args, status="Failed", errors=failure), []
        tx = self._ledger.record_buygoods(
            till_number=str(request["till_number"]),
            amount=request["amount"]["value"],
            phone=str(subscriber["phone_number"]),
            first_name=subscriber.get("first_name"),
            middle_name=subscriber.get("middle_name"),
            last_name=subscriber.get("last_name"),
            when=self._clock.now(),
            source="stk",
        )
        body = resources.incoming_payment(*args, status="Success", resource=resources.stk_transaction(tx))
        return body, []

    def _payment(self, record: JsonDict) -> Resolution:
        request = record["request"]
        args = (record["id"], record["self"], request, self._created(record))
        found = self._store.get(RECIPIENTS, str(request["destination_reference"]))
        # The create's type (mobile_wallet...), the vocabulary of destination_type; the recipient's GET body
        # carries a display name instead.
        actual = found["request"]["type"] if found else None
        wanted, reference = request["destination_type"], request["destination_reference"]
        if actual != wanted:
            reason = (
                f"No {wanted} recipient with reference {reference}"
                if found is None
                else f"Recipient {reference} is a {actual}, not a {wanted}"
            )
            return resources.payment(*args, status="Failed", errors=reason), []
        self._ledger.record_outflow(request["amount"]["value"], record["id"])
        return resources.payment(*args, status="Processed", processed_at=self._clock.now()), []

    def _blind_amount(self, value: Any) -> Decimal:
        amount = decimal_of(value)
        return amount if amount is not None else self._ledger.balance()

    def _settlement_transfer(self, record: JsonDict) -> Resolution:
        request = record["request"]
        kind, reference = request.get("destination_type"), request.get("destination_reference")
        destination = (
            self._accounts.find(str(kind), str(reference)) if kind else None
        ) or self._accounts.default()
        amount = request.get("amount") if isinstance(request.get("amount"), dict) else None
        settled = self._blind_amount((amount or {}).get("value"))
        self._ledger.record_outflow(settled, record["id"])
        body = resources.settlement_transfer(
            record["id"],
            record["self"],
            request,
            self._created(record),
            status="Processed",
            destination=destination,
            settled=settled,
            processed_at=self._clock.now(),
        )
        base = str(record["base"])

        def announce() -> None:
            self._simulator.settlement_completed(amount=settled, destination=destination, base_url=base)

        return body, [announce]

    def _polling(self, record: JsonDict) -> Resolution:
        request = record["request"]
        start, end = parse_time(str(request["from_time"])), parse_time(str(request["to_time"]))
        till = request.get("scope_reference") if request["scope"] == "till" else None
        found = [] if start is None or end is None else self._ledger.buygoods_between(start, end, till)
        transactions = [resources.polled_transaction(tx) for tx in found]
        return resources.polling(
            record["id"], record["self"], request, status="Success", transactions=transactions
        ), []

    def _sms(self, record: JsonDict) -> Resolution:
        return resources.sms_notification(
            record["id"], record["self"], record["request"], status="Success"
        ), []

    def _send_money(self, record: JsonDict) -> Resolution:
        request = record["request"]
        now = self._clock.now()
        destinations = [d for d in request.get("destinations") or [] if isinstance(d, dict)]
        batches = []
        if destinations:
            for destination in destinations:
                own = str(destination.get("type")).startswith("merchant_")
                reference = str(destination["reference"]) if own else new_id()
                batches.append(
                    resources.batch([resources.send_money_disbursement(destination, reference, now)])
                )
        else:
            # Blind sweep: the whole balance to the default own account.
            account = self._accounts.default()
            sweep = {
                "type": account["kind"],
                "amount": self._ledger.balance(),
                "phone_number": account.get("phone_number"),
                "account_number": account.get("account_number"),
                "nickname": account.get("nickname"),
            }
            batches.append(
                resources.batch([resources.send_money_disbursement(sweep, str(account["id"]), now)])
            )
        total = sum((decimal_of(found["amount"]) or Decimal(0) for found in batches), Decimal(0))
        self._ledger.record_outflow(total, record["id"])
        body = resources.send_money(
            record["id"], record["self"], request, self._created(record), status="Processed", batches=batches
        )
        return body, []

    def _reversal(self, record: JsonDict) -> Resolution:
        request = record["request"]
        args = (record["id"], record["self"], request, self._created(record))
        reference = str(request["transaction_reference"])
        tx = self._ledger.by_reference(reference)
        if tx is None or tx.get("kind") not in ("buygoods", "b2b"):
            return resources.reversal(
                *args, status="Failed", errors=f"No reversible transaction with reference {reference}"
            ), []
        reversed_tx = self._ledger.mark_reversed(str(tx["id"]))
        if reversed_tx is None:
            return resources.reversal(
                *args, status="Failed", errors=f"Transaction {reference} is already reversed"
            ), []
        bulk = resources.reversal_bulk_payment(tx, self._clock.now())
        base = str(record["base"])

        def announce() -> None:
            self._simulator.reversed(reversed_tx, base)

        return resources.reversal(*args, status="Processed", bulk_payment=bulk), [announce]
