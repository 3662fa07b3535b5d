"""Webhook events: their bodies (K2 format and Daraja format) and their fan-out to subscriptions.

An event is stored (so ``transaction_sms_notifications`` can check that a ``webhook_event_reference``
is the id of an event the sandbox really emitted) and then POSTed, signed, to every subscription whose
``event_type`` is the topic and whose scope covers it: company-scoped subscriptions get every event
of their type, till-scoped ones only events of that till (compared without the ``K`` prefix).
Subscriptions created with ``enable_daraja_payload`` get the flat Safaricom Daraja body instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from k2connect_client.registry import DARAJA_TOPICS  # the topics the spec lets K2 send in Daraja's form

from k2connect_sandbox.clock import Clock, iso_s
from k2connect_sandbox.delivery import DeliveryService, Notification
from k2connect_sandbox.ledger import strip_k
from k2connect_sandbox.store import Store
from k2connect_sandbox.tables import WEBHOOK_SUBSCRIPTIONS
from k2connect_sandbox.wire import JsonDict, new_id

__all__ = ["EVENT_DISPLAY_TYPES", "PublishedEvent", "WebhookPublisher", "card_resource"]

EVENTS_TABLE = "webhook_events"
SUBSCRIPTIONS_TABLE = WEBHOOK_SUBSCRIPTIONS

EVENT_DISPLAY_TYPES = {
    "buygoods_transaction_received": "Buygoods Transaction",
    "buygoods_transaction_reversed": "Buygoods Transaction",
    "b2b_transaction_received": "External Till to Till Transaction",
    "b2b_transaction_reversed": "External Till To Till Reversal Transaction",
    "m2m_transaction_received": "Merchant to Merchant Transaction",
    "settlement_transfer_completed": "Settlement Transfer",
    "customer_created": "Customer Created",
    # No K2 sample of a card event exists; named like the buy-goods pair (one type for every outcome).
    "card_transaction_received": "Card Transaction",
    "card_transaction_voided": "Card Transaction",
    "card_transaction_reversed": "Card Transaction",
}
# Where ``_links.resource`` points, per topic (paths on the host root, as in K2's samples).
_RESOURCE_PATHS = {
    "m2m_transaction_received": "payment_batches",
    "settlement_transfer_completed": "transfer_batch",
    "customer_created": "mobile_money_user",
}


@dataclass(frozen=True)
class PublishedEvent:
    id: str
    topic: str
    body: JsonDict
    subscription_ids: list[str] = field(default_factory=list)

    def summary(self) -> JsonDict:
        return {"id": self.id, "topic": self.topic, "subscription_ids": self.subscription_ids}


def buygoods_resource(tx: JsonDict) -> JsonDict:
    """A ledger buy-goods transaction as buy-goods webhooks carry it (till without the K prefix)."""
    return {
        "id": tx["id"],
        "amount": tx["amount"],
        "status": tx["status"],
        "system": tx["system"],
        "currency": tx["currency"],
        "reference": tx["reference"],
        "till_number": strip_k(tx["till_number"]),
        "sender_phone_number": tx["sender_phone_number"],
        "hashed_sender_phone": tx["hashed_sender_phone"],
        "origination_time": tx["origination_time"],
        "sender_last_name": tx["sender_last_name"],
        "sender_first_name": tx["sender_first_name"],
        "sender_middle_name": tx["sender_middle_name"],
    }


def b2b_resource(tx: JsonDict) -> JsonDict:
    return {
        "id": tx["id"],
        "amount": tx["amount"],
        "status": tx["status"],
        "system": tx["system"],
        "currency": tx["currency"],
        "reference": tx["reference"],
        "till_number": strip_k(tx["till_number"]),
        "sending_till": tx["sending_till"],
        "origination_time": tx["origination_time"],
    }


def m2m_resource(tx: JsonDict) -> JsonDict:
    return {
        "id": tx["id"],
        "amount": tx["amount"],
        "status": tx["status"],
        "currency": tx["currency"],
        "origination_time": tx["origination_time"],
        "sending_merchant": tx["sending_merchant"],
    }


def card_resource(tx: JsonDict) -> JsonDict:
    """A ledger card transaction as card webhooks carry it (fields of the Ruby SDK's card payloads);
    ``settled`` only in ``card_transaction_received`` (still unsettled then)."""
    resource: JsonDict = {
        "id": tx["id"],
        "reference": tx["reference"],
        "origination_time": tx["origination_time"],
        "amount": tx["amount"],
        "currency": tx["currency"],
        "status": tx["status"],
        "till_number": strip_k(tx["till_number"]),
        "customer_cc_number": tx["customer_cc_number"],
    }
    if tx["status"] == "Received":
        resource["settled"] = False
    return resource


def daraja_body(topic: str, tx: JsonDict) -> JsonDict:
    """The Safaricom Daraja C2B-style body for a buy-goods or B2B transaction."""
    when = datetime.fromisoformat(str(tx["origination_time"]))
    b2b = topic == "b2b_transaction_received"
    return {
        "TransactionType": "Organization To Organization Transfer" if b2b else "Buygoods",
        "TransID": tx["reference"],
        "TransTime": when.strftime("%Y%m%d%H%M%S"),
        "TransAmount": tx["amount"],
        "BusinessShortCode": strip_k(tx["till_number"]),
        "BillRefNumber": "",
        "InvoiceNumber": "",
        "OrgAccountBalance": "",
        "ThirdPartyTransID": "",
        "MSISDN": tx["sending_till"] if b2b else tx["sender_phone_number"],
        "FirstName": None if b2b else tx.get("sender_first_name"),
        "MiddleName": None if b2b else tx.get("sender_middle_name"),
        "LastName": None if b2b else tx.get("sender_last_name"),
    }


class WebhookPublisher:
    def __init__(self, store: Store, clock: Clock, deliveries: DeliveryService) -> None:
        self._store = store
        self._clock = clock
        self._deliveries = deliveries

    def publish(
        self,
        topic: str,
        resource: JsonDict,
        base_url: str,
        *,
        resource_id: str,
        till: str | None = None,
        transaction: JsonDict | None = None,
    ) -> PublishedEvent:
        """Store the event and deliver it to every matching subscription.

        ``till`` scopes the event (None: company-wide only); ``transaction`` is the ledger entry the
        Daraja body is built from, for the two topics that have one.
        """
        event_id = new_id()
        body: JsonDict = {
            "topic": topic,
            "id": event_id,
            "created_at": iso_s(self._clock.now()),
            "event": {"type": EVENT_DISPLAY_TYPES[topic], "resource": resource},
            "_links": {
                "self": f"{base_url}/webhook_events/{event_id}",
                "resource": f"{base_url}/{_RESOURCE_PATHS.get(topic, 'financial_transaction')}/{resource_id}",
            },
        }
        self._store.put(EVENTS_TABLE, event_id, {"id": event_id, "topic": topic, "till": till, "body": body})
        delivered_to: list[str] = []
        for subscription in self.subscriptions_for(topic, till):
            sub_id = str(subscription["id"])
            attributes = subscription["body"]["data"]["attributes"]
            daraja = bool(attributes.get("enable_daraja_payload")) and topic in DARAJA_TOPICS
            payload = daraja_body(topic, transaction) if daraja and transaction is not None else body
            self._deliveries.send(
                Notification(
                    kind="webhook",
                    url=str(attributes["webhook_uri"]),
                    body=payload,
                    topic=topic,
                    resource_id=resource_id,
                    event_id=event_id,
                    subscription_id=sub_id,
                )
            )
            delivered_to.append(sub_id)
        return PublishedEvent(event_id, topic, body, delivered_to)

    def subscriptions_for(self, topic: str, till: str | None) -> list[JsonDict]:
        matches = []
        for subscription in self._store.values(SUBSCRIPTIONS_TABLE):
            attributes = subscription["body"]["data"]["attributes"]
            if attributes.get("event_type") != topic:
                continue
            if attributes.get("scope") == "till" and (
                till is None or strip_k(attributes.get("scope_reference")) != strip_k(till)
            ):
                continue
            matches.append(subscription)
        return matches

    def event(self, event_id: str) -> JsonDict | None:
        return self._store.get(EVENTS_TABLE, event_id)

    def events(self) -> list[JsonDict]:
        return self._store.values(EVENTS_TABLE)
