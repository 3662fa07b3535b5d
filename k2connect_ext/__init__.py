"""k2connect_ext: the hand-written layer that makes the generated K2 Connect client a payments SDK.

Start with ``K2`` (or ``AsyncK2``); receive webhooks and callbacks with ``construct_event`` or a framework
adapter from ``k2connect_ext.adapters``. Frameworks are never imported here.

Only the errors are imported eagerly. Every other name is loaded from its module on first use (PEP 562), so
``import k2connect_ext`` costs little more than ``import httpx`` and a program that only verifies webhooks
never loads the HTTP client, the generated operations or the facade. Type checkers and IDEs see every name
through the ``TYPE_CHECKING`` block.
"""

import importlib
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from .client import K2Settings as K2Settings
    from .client import async_connect as async_connect
    from .client import connect as connect
    from .dedup import AsyncDeduplicator as AsyncDeduplicator
    from .dedup import Deduplicator as Deduplicator
    from .dedup import MemoryDeduplicator as MemoryDeduplicator
    from .dedup import SQLiteDeduplicator as SQLiteDeduplicator
    from .dedup_postgres import PostgresDeduplicator as PostgresDeduplicator
    from .dedup_redis import RedisDeduplicator as RedisDeduplicator
    from .events import EventKind as EventKind
    from .events import K2Event as K2Event
    from .events import ResultType as ResultType
    from .events import UnknownEvent as UnknownEvent
    from .events import WebhookTopic as WebhookTopic
    from .events import construct_event as construct_event
    from .events import parse_event as parse_event
    from .facade import K2 as K2
    from .facade import AsyncCreated as AsyncCreated
    from .facade import AsyncK2 as AsyncK2
    from .facade import Created as Created
    from .invoke import ainvoke as ainvoke
    from .invoke import invoke as invoke
    from .operations import bank_account_destination as bank_account_destination
    from .operations import merchant_bank_account_destination as merchant_bank_account_destination
    from .operations import merchant_wallet_destination as merchant_wallet_destination
    from .operations import mobile_wallet_destination as mobile_wallet_destination
    from .operations import paybill_destination as paybill_destination
    from .operations import till_destination as till_destination
    from .polling import PollSettings as PollSettings
    from .polling import async_wait_for as async_wait_for
    from .polling import wait_for as wait_for
    from .receivers import AsyncWebhookReceiver as AsyncWebhookReceiver
    from .receivers import ReceiverResponse as ReceiverResponse
    from .receivers import WebhookReceiver as WebhookReceiver
    from .redis_store import RedisTokenStore as RedisTokenStore
    from .retry import RetryPolicy as RetryPolicy
    from .signatures import SIGNATURE_HEADER as SIGNATURE_HEADER
    from .signatures import compute_signature as compute_signature
    from .signatures import verify_signature as verify_signature
    from .store_errors import K2StoreUnavailableError as K2StoreUnavailableError
    from .tokens import AccessToken as AccessToken
    from .tokens import FileTokenStore as FileTokenStore
    from .tokens import MemoryTokenStore as MemoryTokenStore
    from .tokens import TokenStore as TokenStore

# name -> the module that defines it, imported on first use
_LAZY: dict[str, str] = {
    "AccessToken": "tokens",
    "AsyncCreated": "facade",
    "AsyncDeduplicator": "dedup",
    "AsyncK2": "facade",
    "AsyncWebhookReceiver": "receivers",
    "Created": "facade",
    "Deduplicator": "dedup",
    "EventKind": "events",
    "FileTokenStore": "tokens",
    "K2": "facade",
    "K2Event": "events",
    "K2Settings": "client",
    "K2StoreUnavailableError": "store_errors",
    "MemoryDeduplicator": "dedup",
    "MemoryTokenStore": "tokens",
    "PollSettings": "polling",
    "PostgresDeduplicator": "dedup_postgres",
    "ReceiverResponse": "receivers",
    "RedisDeduplicator": "dedup_redis",
    "RedisTokenStore": "redis_store",
    "ResultType": "events",
    "RetryPolicy": "retry",
    "SIGNATURE_HEADER": "signatures",
    "SQLiteDeduplicator": "dedup",
    "TokenStore": "tokens",
    "UnknownEvent": "events",
    "WebhookReceiver": "receivers",
    "WebhookTopic": "events",
    "ainvoke": "invoke",
    "async_connect": "client",
    "async_wait_for": "polling",
    "bank_account_destination": "operations",
    "compute_signature": "signatures",
    "connect": "client",
    "construct_event": "events",
    "invoke": "invoke",
    "merchant_bank_account_destination": "operations",
    "merchant_wallet_destination": "operations",
    "mobile_wallet_destination": "operations",
    "parse_event": "events",
    "paybill_destination": "operations",
    "till_destination": "operations",
    "verify_signature": "signatures",
    "wait_for": "polling",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


# The shared stores (RedisTokenStore, RedisDeduplicator, PostgresDeduplicator) need optional packages (the
# [redis] and [postgres] extras): importable from here when installed, and left out of __all__ so that
# ``import *`` never needs them.
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
