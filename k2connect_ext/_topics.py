"""The webhook event types K2 delivers, in one place: what may be subscribed to, where, and in which form.

``WebhookTopic`` (an enum, for reading events) and ``EventType`` (a ``Literal``, for typing the
``event_type`` parameter) list the same ten values; a test keeps them equal, and every other set here is
derived from the enum.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final, Literal

__all__ = [
    "COMPANY_SCOPE_EVENTS",
    "DARAJA_EVENTS",
    "EVENT_TYPES_BY_VERSION",
    "TILL_SCOPE_EVENTS",
    "WEBHOOK_EVENT_TYPES",
    "EventType",
    "WebhookTopic",
]


class WebhookTopic(StrEnum):
    """The ``topic`` of every K2-format webhook the spec describes."""

    BUYGOODS_TRANSACTION_RECEIVED = "buygoods_transaction_received"
    BUYGOODS_TRANSACTION_REVERSED = "buygoods_transaction_reversed"
    B2B_TRANSACTION_RECEIVED = "b2b_transaction_received"
    B2B_TRANSACTION_REVERSED = "b2b_transaction_reversed"
    M2M_TRANSACTION_RECEIVED = "m2m_transaction_received"
    SETTLEMENT_TRANSFER_COMPLETED = "settlement_transfer_completed"
    CUSTOMER_CREATED = "customer_created"
    CARD_TRANSACTION_RECEIVED = "card_transaction_received"
    CARD_TRANSACTION_VOIDED = "card_transaction_voided"
    CARD_TRANSACTION_REVERSED = "card_transaction_reversed"


EventType = Literal[
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
]

WEBHOOK_EVENT_TYPES: Final = frozenset(topic.value for topic in WebhookTopic)
# Events about the company as a whole; every other one is about a till and may be scoped to it.
COMPANY_SCOPE_EVENTS: Final = frozenset(
    {
        WebhookTopic.SETTLEMENT_TRANSFER_COMPLETED.value,
        WebhookTopic.CUSTOMER_CREATED.value,
        WebhookTopic.M2M_TRANSACTION_RECEIVED.value,
    }
)
TILL_SCOPE_EVENTS: Final = WEBHOOK_EVENT_TYPES - COMPANY_SCOPE_EVENTS
# What each API version can subscribe to (the spec's WebhookV1EventType / WebhookV2EventType, from the
# official SDKs of each generation): v1 has m2m but no card events nor b2b reversals; v2 has no m2m.
_CARD_EVENTS: Final = frozenset(topic.value for topic in WebhookTopic if topic.value.startswith("card_"))
EVENT_TYPES_BY_VERSION: Final[Mapping[str, frozenset[str]]] = {
    "v1": WEBHOOK_EVENT_TYPES - _CARD_EVENTS - {WebhookTopic.B2B_TRANSACTION_REVERSED.value},
    "v2": WEBHOOK_EVENT_TYPES - {WebhookTopic.M2M_TRANSACTION_RECEIVED.value},
}
# Only these two can be delivered in Safaricom's Daraja format (Ruby and Python SDK validators).
DARAJA_EVENTS: Final = frozenset(
    {WebhookTopic.BUYGOODS_TRANSACTION_RECEIVED.value, WebhookTopic.B2B_TRANSACTION_RECEIVED.value}
)
