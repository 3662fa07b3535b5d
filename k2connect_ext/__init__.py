"""k2connect_ext: the hand-written layer that makes the generated K2 Connect client a payments SDK.

Start with ``K2`` (or ``AsyncK2``); receive webhooks and callbacks with ``construct_event`` or a framework
adapter from ``k2connect_ext.adapters``. Frameworks are never imported here.
"""

from typing import TYPE_CHECKING

from .client import K2Settings, async_connect, connect
from .dedup import AsyncDeduplicator, Deduplicator, MemoryDeduplicator, SQLiteDeduplicator
from .errors import (
    K2AmbiguousOutcomeError,
    K2APIError,
    K2AuthError,
    K2ConfigError,
    K2ConnectionError,
    K2Error,
    K2NotFoundError,
    K2PaymentFailed,
    K2PollError,
    K2PollTimeout,
    K2RateLimitError,
    K2ServerError,
    K2TimeoutError,
    K2UnexpectedResponseError,
    K2ValidationError,
    K2ValidationInputError,
    K2WebhookError,
    WebhookPayloadError,
    WebhookSignatureError,
)
from .events import EventKind, K2Event, ResultType, UnknownEvent, WebhookTopic, construct_event, parse_event
from .facade import K2, AsyncCreated, AsyncK2, Created
from .invoke import ainvoke, invoke
from .operations import (
    bank_account_destination,
    merchant_bank_account_destination,
    merchant_wallet_destination,
    mobile_wallet_destination,
    paybill_destination,
    till_destination,
)
from .polling import PollSettings, async_wait_for, wait_for
from .receivers import AsyncWebhookReceiver, ReceiverResponse, WebhookReceiver
from .retry import RetryPolicy
from .signatures import SIGNATURE_HEADER, compute_signature, verify_signature
from .store_errors import K2StoreUnavailableError
from .tokens import AccessToken, FileTokenStore, MemoryTokenStore, TokenStore

__all__ = [
    "K2",
    "SIGNATURE_HEADER",
    "AccessToken",
    "AsyncCreated",
    "AsyncDeduplicator",
    "AsyncK2",
    "AsyncWebhookReceiver",
    "Created",
    "Deduplicator",
    "EventKind",
    "FileTokenStore",
    "K2APIError",
    "K2AmbiguousOutcomeError",
    "K2AuthError",
    "K2ConfigError",
    "K2ConnectionError",
    "K2Error",
    "K2Event",
    "K2NotFoundError",
    "K2PaymentFailed",
    "K2PollError",
    "K2PollTimeout",
    "K2RateLimitError",
    "K2ServerError",
    "K2Settings",
    "K2StoreUnavailableError",
    "K2TimeoutError",
    "K2UnexpectedResponseError",
    "K2ValidationError",
    "K2ValidationInputError",
    "K2WebhookError",
    "MemoryDeduplicator",
    "MemoryTokenStore",
    "PollSettings",
    "ReceiverResponse",
    "ResultType",
    "RetryPolicy",
    "SQLiteDeduplicator",
    "TokenStore",
    "UnknownEvent",
    "WebhookPayloadError",
    "WebhookReceiver",
    "WebhookSignatureError",
    "WebhookTopic",
    "ainvoke",
    "async_connect",
    "async_wait_for",
    "bank_account_destination",
    "compute_signature",
    "connect",
    "construct_event",
    "invoke",
    "merchant_bank_account_destination",
    "merchant_wallet_destination",
    "mobile_wallet_destination",
    "parse_event",
    "paybill_destination",
    "till_destination",
    "verify_signature",
    "wait_for",
]


# The shared stores need optional packages (the [redis] and [postgres] extras), so they are imported on
# first use: ``from k2connect_ext import RedisTokenStore`` works when the extra is installed, and
# ``import k2connect_ext`` never needs it. They are left out of __all__ so ``import *`` stays lean too.
if TYPE_CHECKING:  # type checkers see the real classes
    from .dedup_postgres import PostgresDeduplicator as PostgresDeduplicator
    from .dedup_redis import RedisDeduplicator as RedisDeduplicator
    from .redis_store import RedisTokenStore as RedisTokenStore

_LAZY = {
    "RedisTokenStore": "redis_store",
    "RedisDeduplicator": "dedup_redis",
    "PostgresDeduplicator": "dedup_postgres",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
