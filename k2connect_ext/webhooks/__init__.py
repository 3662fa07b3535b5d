"""Receiving K2's webhooks and callbacks: verify, parse, deduplicate, answer.

``construct_event(body, signature, api_key)`` is the one call most apps need: it checks the
``X-KopoKopo-Signature`` HMAC over the raw body bytes and returns a typed :class:`K2Event`.
``WebhookReceiver`` / ``AsyncWebhookReceiver`` add deduplication and the HTTP answer, and the framework
adapters (``k2connect_ext.webhooks.adapters.starlette``, ``.flask``, ``.django``) wire a receiver into a
route. ``K2.construct_event`` does the same with the client's own API key.

Nothing here needs the HTTP client: names load on first use, and no framework is imported.
"""

from typing import TYPE_CHECKING

from k2connect_ext._exceptions import (
    K2StoreUnavailableError,
    K2WebhookError,
    WebhookPayloadError,
    WebhookSignatureError,
)
from k2connect_ext._lazy import lazy_exports

if TYPE_CHECKING:
    from k2connect_ext._topics import EventType as EventType
    from k2connect_ext.webhooks._dedup import AsyncDeduplicator as AsyncDeduplicator
    from k2connect_ext.webhooks._dedup import Claim as Claim
    from k2connect_ext.webhooks._dedup import ClaimState as ClaimState
    from k2connect_ext.webhooks._dedup import Deduplicator as Deduplicator
    from k2connect_ext.webhooks._dedup import MemoryDeduplicator as MemoryDeduplicator
    from k2connect_ext.webhooks._dedup import SQLiteDeduplicator as SQLiteDeduplicator
    from k2connect_ext.webhooks._dedup_postgres import PostgresDeduplicator as PostgresDeduplicator
    from k2connect_ext.webhooks._dedup_redis import RedisDeduplicator as RedisDeduplicator
    from k2connect_ext.webhooks._events import EventKind as EventKind
    from k2connect_ext.webhooks._events import K2Event as K2Event
    from k2connect_ext.webhooks._events import ResultType as ResultType
    from k2connect_ext.webhooks._events import UnknownEvent as UnknownEvent
    from k2connect_ext.webhooks._events import WebhookTopic as WebhookTopic
    from k2connect_ext.webhooks._events import construct_event as construct_event
    from k2connect_ext.webhooks._events import parse_event as parse_event
    from k2connect_ext.webhooks._receivers import AsyncWebhookReceiver as AsyncWebhookReceiver
    from k2connect_ext.webhooks._receivers import ReceiverResponse as ReceiverResponse
    from k2connect_ext.webhooks._receivers import WebhookReceiver as WebhookReceiver
    from k2connect_ext.webhooks._signatures import SIGNATURE_HEADER as SIGNATURE_HEADER
    from k2connect_ext.webhooks._signatures import compute_signature as compute_signature
    from k2connect_ext.webhooks._signatures import verify_signature as verify_signature

__all__ = [
    "SIGNATURE_HEADER",
    "AsyncDeduplicator",
    "AsyncWebhookReceiver",
    "Claim",
    "ClaimState",
    "Deduplicator",
    "EventKind",
    "EventType",
    "K2Event",
    "K2StoreUnavailableError",
    "K2WebhookError",
    "MemoryDeduplicator",
    "PostgresDeduplicator",
    "ReceiverResponse",
    "RedisDeduplicator",
    "ResultType",
    "SQLiteDeduplicator",
    "UnknownEvent",
    "WebhookPayloadError",
    "WebhookReceiver",
    "WebhookSignatureError",
    "WebhookTopic",
    "compute_signature",
    "construct_event",
    "parse_event",
    "verify_signature",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    globals(),
    {
        "AsyncDeduplicator": "k2connect_ext.webhooks._dedup",
        "AsyncWebhookReceiver": "k2connect_ext.webhooks._receivers",
        "Claim": "k2connect_ext.webhooks._dedup",
        "ClaimState": "k2connect_ext.webhooks._dedup",
        "Deduplicator": "k2connect_ext.webhooks._dedup",
        "EventKind": "k2connect_ext.webhooks._events",
        "EventType": "k2connect_ext._topics",
        "K2Event": "k2connect_ext.webhooks._events",
        "MemoryDeduplicator": "k2connect_ext.webhooks._dedup",
        "PostgresDeduplicator": "k2connect_ext.webhooks._dedup_postgres",
        "ReceiverResponse": "k2connect_ext.webhooks._receivers",
        "RedisDeduplicator": "k2connect_ext.webhooks._dedup_redis",
        "ResultType": "k2connect_ext.webhooks._events",
        "SIGNATURE_HEADER": "k2connect_ext.webhooks._signatures",
        "SQLiteDeduplicator": "k2connect_ext.webhooks._dedup",
        "UnknownEvent": "k2connect_ext.webhooks._events",
        "WebhookReceiver": "k2connect_ext.webhooks._receivers",
        "WebhookTopic": "k2connect_ext.webhooks._events",
        "compute_signature": "k2connect_ext.webhooks._signatures",
        "construct_event": "k2connect_ext.webhooks._events",
        "parse_event": "k2connect_ext.webhooks._events",
        "verify_signature": "k2connect_ext.webhooks._signatures",
    },
)
