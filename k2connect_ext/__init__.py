"""k2connect_ext: the hand-written layer that makes the generated K2 Connect client a payments SDK.

Start with ``K2`` (or ``AsyncK2``), or call the generated operations yourself through ``connect()`` /
``async_connect()``. Receive webhooks and callbacks with :mod:`k2connect_ext.webhooks`.

Everything public is listed in ``__all__`` (a test pins it); every other module is private (``_*.py``) and
may change without notice. Only the errors are imported eagerly: every other name is loaded on first use
(PEP 562, see ``_lazy``), so ``import k2connect_ext`` costs little more than ``import httpx``. Type
checkers and IDEs see every name through the ``TYPE_CHECKING`` block.

The errors, drawn once (see ``_exceptions`` for each one's attributes)::

    K2Error
    ├── K2ConfigError                 bad or missing configuration
    ├── K2InputError                  refused locally, before anything was sent (also ValueError)
    ├── K2ConnectionError             no answer; nothing was processed, or it is safe to ask again
    │   └── K2TimeoutError
    ├── K2AmbiguousOutcomeError       a POST may have moved money and no definite answer came: reconcile
    ├── K2UnexpectedResponseError     an answer the spec does not describe (carries the real status)
    ├── K2APIError                    an error status from K2
    │   ├── K2AuthError               401 / 403
    │   ├── K2ValidationError         400 / 422
    │   ├── K2NotFoundError           404
    │   ├── K2RateLimitError          429
    │   └── K2ServerError             5xx
    ├── K2PollError
    │   ├── K2PollTimeoutError
    │   └── K2PaymentFailedError
    ├── K2WebhookError
    │   ├── WebhookSignatureError
    │   └── WebhookPayloadError
    └── K2StoreUnavailableError
"""

from typing import TYPE_CHECKING

from k2connect_ext._exceptions import (
    K2AmbiguousOutcomeError,
    K2APIError,
    K2AuthError,
    K2ConfigError,
    K2ConnectionError,
    K2Error,
    K2InputError,
    K2NotFoundError,
    K2PaymentFailedError,
    K2PollError,
    K2PollTimeoutError,
    K2RateLimitError,
    K2ServerError,
    K2StoreUnavailableError,
    K2TimeoutError,
    K2UnexpectedResponseError,
    K2ValidationError,
    K2WebhookError,
    WebhookPayloadError,
    WebhookSignatureError,
)
from k2connect_ext._lazy import expose, lazy_exports

if TYPE_CHECKING:
    from k2connect_ext._client import K2Options as K2Options
    from k2connect_ext._client import K2Settings as K2Settings
    from k2connect_ext._client import async_connect as async_connect
    from k2connect_ext._client import connect as connect
    from k2connect_ext._facade import K2 as K2
    from k2connect_ext._facade import AsyncCreated as AsyncCreated
    from k2connect_ext._facade import AsyncK2 as AsyncK2
    from k2connect_ext._facade import Created as Created
    from k2connect_ext._invoke import ainvoke as ainvoke
    from k2connect_ext._invoke import invoke as invoke
    from k2connect_ext._locations import LocationRef as LocationRef
    from k2connect_ext._locations import Resource as Resource
    from k2connect_ext._locations import parse_location as parse_location
    from k2connect_ext._operations import Destination as Destination
    from k2connect_ext._operations import RecipientType as RecipientType
    from k2connect_ext._operations import Scope as Scope
    from k2connect_ext._operations import Version as Version
    from k2connect_ext._operations import bank_account_destination as bank_account_destination
    from k2connect_ext._operations import (
        merchant_bank_account_destination as merchant_bank_account_destination,
    )
    from k2connect_ext._operations import merchant_wallet_destination as merchant_wallet_destination
    from k2connect_ext._operations import mobile_wallet_destination as mobile_wallet_destination
    from k2connect_ext._operations import paybill_destination as paybill_destination
    from k2connect_ext._operations import till_destination as till_destination
    from k2connect_ext._outcomes import Outcome as Outcome
    from k2connect_ext._outcomes import State as State
    from k2connect_ext._outcomes import outcome_of as outcome_of
    from k2connect_ext._outcomes import state_of as state_of
    from k2connect_ext._polling import PollSettings as PollSettings
    from k2connect_ext._polling import async_wait_for as async_wait_for
    from k2connect_ext._polling import wait_for as wait_for
    from k2connect_ext._redis_token_store import RedisTokenStore as RedisTokenStore
    from k2connect_ext._retry import RetryPolicy as RetryPolicy
    from k2connect_ext._token_stores import AccessToken as AccessToken
    from k2connect_ext._token_stores import FileTokenStore as FileTokenStore
    from k2connect_ext._token_stores import MemoryTokenStore as MemoryTokenStore
    from k2connect_ext._token_stores import TokenStore as TokenStore

__all__ = [
    "K2",
    "AccessToken",
    "AsyncCreated",
    "AsyncK2",
    "Created",
    "Destination",
    "FileTokenStore",
    "K2APIError",
    "K2AmbiguousOutcomeError",
    "K2AuthError",
    "K2ConfigError",
    "K2ConnectionError",
    "K2Error",
    "K2InputError",
    "K2NotFoundError",
    "K2Options",
    "K2PaymentFailedError",
    "K2PollError",
    "K2PollTimeoutError",
    "K2RateLimitError",
    "K2ServerError",
    "K2Settings",
    "K2StoreUnavailableError",
    "K2TimeoutError",
    "K2UnexpectedResponseError",
    "K2ValidationError",
    "K2WebhookError",
    "LocationRef",
    "MemoryTokenStore",
    "Outcome",
    "PollSettings",
    "RecipientType",
    "RedisTokenStore",
    "Resource",
    "RetryPolicy",
    "Scope",
    "State",
    "TokenStore",
    "Version",
    "WebhookPayloadError",
    "WebhookSignatureError",
    "ainvoke",
    "async_connect",
    "async_wait_for",
    "bank_account_destination",
    "connect",
    "invoke",
    "merchant_bank_account_destination",
    "merchant_wallet_destination",
    "mobile_wallet_destination",
    "outcome_of",
    "parse_location",
    "paybill_destination",
    "state_of",
    "till_destination",
    "wait_for",
]

expose(__name__, [value for name, value in list(globals().items()) if name in __all__])

# name -> the private module that defines it, imported on first use. RedisTokenStore needs the [redis]
# extra only when one is built, so `from k2connect_ext import *` works without it.
__getattr__, __dir__ = lazy_exports(
    __name__,
    globals(),
    {
        "AccessToken": "k2connect_ext._token_stores",
        "AsyncCreated": "k2connect_ext._facade",
        "AsyncK2": "k2connect_ext._facade",
        "Created": "k2connect_ext._facade",
        "Destination": "k2connect_ext._operations",
        "FileTokenStore": "k2connect_ext._token_stores",
        "K2": "k2connect_ext._facade",
        "K2Options": "k2connect_ext._client",
        "K2Settings": "k2connect_ext._client",
        "LocationRef": "k2connect_ext._locations",
        "MemoryTokenStore": "k2connect_ext._token_stores",
        "Outcome": "k2connect_ext._outcomes",
        "PollSettings": "k2connect_ext._polling",
        "RecipientType": "k2connect_ext._operations",
        "RedisTokenStore": "k2connect_ext._redis_token_store",
        "Resource": "k2connect_ext._locations",
        "RetryPolicy": "k2connect_ext._retry",
        "Scope": "k2connect_ext._operations",
        "State": "k2connect_ext._outcomes",
        "TokenStore": "k2connect_ext._token_stores",
        "Version": "k2connect_ext._operations",
        "ainvoke": "k2connect_ext._invoke",
        "async_connect": "k2connect_ext._client",
        "async_wait_for": "k2connect_ext._polling",
        "bank_account_destination": "k2connect_ext._operations",
        "outcome_of": "k2connect_ext._outcomes",
        "connect": "k2connect_ext._client",
        "invoke": "k2connect_ext._invoke",
        "merchant_bank_account_destination": "k2connect_ext._operations",
        "merchant_wallet_destination": "k2connect_ext._operations",
        "mobile_wallet_destination": "k2connect_ext._operations",
        "parse_location": "k2connect_ext._locations",
        "paybill_destination": "k2connect_ext._operations",
        "state_of": "k2connect_ext._outcomes",
        "till_destination": "k2connect_ext._operations",
        "wait_for": "k2connect_ext._polling",
    },
)
