"""The webhook event types K2 delivers, in one place: what may be subscribed to, where, and in which form.

The spec's ``WebhookV1EventType`` and ``WebhookV2EventType`` (generated Literals, with their value sets) say
what each API version can subscribe to; ``EventType`` is their union, and every set here is derived from
those values. ``WebhookTopic`` (an enum, for reading events) is the registry's, generated from the spec's
webhooks, as is which topics may come in Safaricom's Daraja format. What the spec cannot say is written
here: which events are about the company as a whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, TypeAlias

from k2connect_client.models.webhook_v1_event_type import WEBHOOK_V1_EVENT_TYPE_VALUES, WebhookV1EventType
from k2connect_client.models.webhook_v2_event_type import WEBHOOK_V2_EVENT_TYPE_VALUES, WebhookV2EventType
from k2connect_client.registry import DARAJA_TOPICS, WebhookTopic

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
# The topics K2 may deliver in Safaricom's Daraja format: those whose body the spec allows in both forms.
DARAJA_EVENTS: Final[frozenset[str]] = frozenset(DARAJA_TOPICS)
