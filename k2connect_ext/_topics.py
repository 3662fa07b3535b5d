"""The webhook event types K2 delivers, in one place: what may be subscribed to, where, and in which form.

The spec's ``WebhookV1EventType`` and ``WebhookV2EventType`` (generated Literals, with their value sets) say
what each API version can subscribe to; ``EventType`` is their union, and every set here is derived from
those values. ``WebhookTopic`` (an enum, for reading events) lists the same values; a test keeps it equal to
the generated ones. What the spec cannot say is written here: which events are about the company as a whole
and which may come in Safaricom's Daraja format.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final, TypeAlias

from k2connect_client.models.webhook_v1_event_type import WEBHOOK_V1_EVENT_TYPE_VALUES, WebhookV1EventType
from k2connect_client.models.webhook_v2_event_type import WEBHOOK_V2_EVENT_TYPE_VALUES, WebhookV2EventType

__all__ = [
    "COMPANY_SCOPE_EVENTS",
    "DARAJA_EVENTS",
    "EVENT_TYPES_BY_VERSION",
    "TILL_SCOPE_EVENTS",
    "WEBHOOK_EVENT_TYPES",
    "EventType",
    "WebhookTopic",
]

EventType: TypeAlias = WebhookV1EventType | WebhookV2EventType
"""Every event type a subscription may name, on either API version (the spec's two enums)."""


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


# What each API version can subscribe to: v1 has m2m but no card events nor b2b reversals; v2 has no m2m.
EVENT_TYPES_BY_VERSION: Final[Mapping[str, frozenset[EventType]]] = {
    "v1": frozenset(WEBHOOK_V1_EVENT_TYPE_VALUES),
    "v2": frozenset(WEBHOOK_V2_EVENT_TYPE_VALUES),
}
WEBHOOK_EVENT_TYPES: Final[frozenset[EventType]] = EVENT_TYPES_BY_VERSION["v1"] | EVENT_TYPES_BY_VERSION["v2"]
# Events about the company as a whole; every other one is about a till and may be scoped to it.
COMPANY_SCOPE_EVENTS: Final[frozenset[EventType]] = frozenset(
    {"settlement_transfer_completed", "customer_created", "m2m_transaction_received"}
)
TILL_SCOPE_EVENTS: Final[frozenset[EventType]] = WEBHOOK_EVENT_TYPES - COMPANY_SCOPE_EVENTS
# Only these two can be delivered in Safaricom's Daraja format (Ruby and Python SDK validators).
DARAJA_EVENTS: Final[frozenset[EventType]] = frozenset(
    {"buygoods_transaction_received", "b2b_transaction_received"}
)
