"""Receiving K2's webhooks and callbacks: verify, parse, deduplicate, answer.

``construct_event(body, signature, api_key)`` is the one call most apps need: it checks the
``X-KopoKopo-Signature`` HMAC over the raw body bytes and returns a typed :class:`K2Event`.
``WebhookReceiver`` / ``AsyncWebhookReceiver`` add deduplication and the HTTP answer, and the framework
adapters (``k2connect_ext.webhooks.adapters.starlette``, ``.flask``, ``.django``) wire a receiver into a
route. ``K2.construct_event`` does the same with the client's own API key.

Nothing here needs the HTTP client: names load on first use, and no framework is imported.
"""

from typing import TYPE_CHECKING

from k2connect_ext._exceptions import K2StoreUnavailableError as K2StoreUnavailableError
from k2connect_ext._exceptions import K2WebhookError as K2WebhookError
from k2connect_ext._exceptions import WebhookPayloadError as WebhookPayloadError
from k2connect_ext._exceptions import WebhookSignatureError as WebhookSignatureError
from k2connect_ext._lazy import declared_exports, lazy_exports

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

# Every public name is written once, as one of the imports above; __all__ and the lazy map are read from
# those lines (see k2connect_ext._lazy.declared_exports).
__all__, _LAZY = declared_exports(__file__)
__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
