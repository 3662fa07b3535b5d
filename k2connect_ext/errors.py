"""Every error k2connect raises, in one tree.

Users catch ``K2Error`` for anything from this SDK, or a narrower class for one failure::

    K2Error
    ├── K2ConfigError                 bad or missing configuration (credentials, base URL)
    ├── K2ValidationInputError        a request rejected before it was sent (phone, currency, ...)
    ├── K2ConnectionError             no answer, and nothing was processed or it is safe to ask again
    │   └── K2TimeoutError            ... because a timeout fired (the call's deadline included)
    ├── K2AmbiguousOutcomeError       a POST may have reached K2 and no definite answer came: it MAY
    │                                 have moved money. Never retry it blindly: reconcile first.
    ├── K2APIError                    K2 answered with an error status; carries the parsed body
    │   ├── K2AuthError               401 / 403, or the token endpoint refused the credentials
    │   ├── K2ValidationError         400 / 422
    │   ├── K2NotFoundError           404
    │   ├── K2RateLimitError          429; ``retry_after`` in seconds when K2 sent one
    │   ├── K2ServerError             5xx
    │   └── K2UnexpectedResponseError a status or body the spec does not describe
    ├── K2PollError                   following a Location did not reach a good end
    │   ├── K2PollTimeout             the deadline passed; the last resource seen is attached
    │   └── K2PaymentFailed           the resource reached a failed terminal state; attached
    ├── K2WebhookError                an incoming webhook or callback was refused
    │   ├── WebhookSignatureError     missing / malformed / wrong signature, or no key (also ValueError)
    │   └── WebhookPayloadError       malformed JSON or a body that breaks its schema (also ValueError)
    └── K2StoreUnavailableError       a shared store failed (k2connect_ext.store_errors): answer 500

No exception ever carries a secret, token or signature in its message or attributes: messages are built
from status codes, K2's own error text and request metadata (method, URL without query) only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "K2APIError",
    "K2AmbiguousOutcomeError",
    "K2AuthError",
    "K2ConfigError",
    "K2ConnectionError",
    "K2Error",
    "K2NotFoundError",
    "K2PaymentFailed",
    "K2PollError",
    "K2PollTimeout",
    "K2RateLimitError",
    "K2ServerError",
    "K2TimeoutError",
    "K2UnexpectedResponseError",
    "K2ValidationError",
    "K2ValidationInputError",
    "K2WebhookError",
    "WebhookPayloadError",
    "WebhookSignatureError",
]


class K2Error(Exception):
    """Base class of every error raised by k2connect."""


class K2ConfigError(K2Error):
    """The SDK is configured wrongly: missing credentials, an insecure base URL, and so on."""


class K2ValidationInputError(K2Error, ValueError):
    """A request was refused locally, before anything was sent (bad phone number, currency, ...).

    ``field`` names the offending input, so forms can show the error beside it.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class K2ConnectionError(K2Error):
    """No HTTP answer was received: DNS, refused connection, reset, TLS failure..."""

    def __init__(self, message: str, *, method: str | None = None, url: str | None = None) -> None:
        super().__init__(message)
        self.method = method
        self.url = url


class K2TimeoutError(K2ConnectionError):
    """A connect, read, write or pool timeout fired before an answer arrived."""


class K2AmbiguousOutcomeError(K2Error):
    """A POST that may move money may have reached K2, and no definite answer came back.

    Raised for: an error while reading the answer (cut or stalled body), a timeout or reset after the
    request was sent, any 5xx, a redirect, and a 2xx the operation does not document (a create's 201
    without its ``Location`` included). K2 has no idempotency keys, so the request is never repeated
    automatically. It is deliberately *not* a :class:`K2ConnectionError`: ``except K2ConnectionError:
    retry`` must never catch it.

    Attributes:
        operation: the operation's name (``"stk_push"``, ``"v1_create_payment"``) or ``"POST /path"``.
        status_code: the status K2 answered with, when one arrived (a 503, a 201 without Location...).
        method, url: the request, URL without query.
        request_body: the JSON body sent, credentials removed: the metadata and references to look for.
        callback_url: where K2 will still post the result, if it processed the request.
        location: the resource's ``Location`` when K2 sent one: GET it to learn the outcome.
        hint: one line on how to find out what happened.
    """

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        status_code: int | None = None,
        method: str | None = None,
        url: str | None = None,
        request_body: Mapping[str, Any] | None = None,
        callback_url: str | None = None,
        location: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.operation = operation
        self.status_code = status_code
        self.method = method
        self.url = url
        self.request_body = dict(request_body) if request_body is not None else None
        self.callback_url = callback_url
        self.location = location
        self.hint = hint


class K2APIError(K2Error):
    """K2 answered with an error status.

    ``error_code`` / ``error_message`` come from K2's ``{error_code, error_message}`` body
    (or ``{error, error_description}`` for OAuth endpoints); ``body`` is the parsed JSON (or None).
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        error_code: int | str | None = None,
        error_message: str | None = None,
        body: Any = None,
        method: str | None = None,
        url: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.error_code = error_code
        self.error_message = error_message
        self.body = body
        self.method = method
        self.url = url
        # Only non-sensitive response headers are kept (the response never carries our token).
        self.headers = dict(headers) if headers is not None else {}


class K2AuthError(K2APIError):
    """401 / 403: bad credentials, or an invalid, expired or revoked token."""


class K2ValidationError(K2APIError):
    """400 / 422: K2 rejected the request body."""


class K2NotFoundError(K2APIError):
    """404: no such resource."""


class K2RateLimitError(K2APIError):
    """429: too many requests. ``retry_after`` is K2's hint in seconds, when it gave one."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class K2ServerError(K2APIError):
    """5xx: K2 failed. ``retry_after`` is set when a 503 carried a hint."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class K2UnexpectedResponseError(K2APIError):
    """K2 answered with a status or a body the spec does not describe (e.g. a 201 without Location)."""


class K2PollError(K2Error):
    """Following a Location did not end well. ``resource`` is the last parsed resource seen."""

    def __init__(self, message: str, *, location: str, resource: Any = None) -> None:
        super().__init__(message)
        self.location = location
        self.resource = resource


class K2PollTimeout(K2PollError):
    """The overall deadline passed before the resource reached a terminal state."""

    def __init__(
        self, message: str, *, location: str, resource: Any = None, last_status: str | None = None
    ) -> None:
        super().__init__(message, location=location, resource=resource)
        self.last_status = last_status


class K2PaymentFailed(K2PollError):
    """The resource reached a failed terminal state. ``status`` and ``reason`` say why."""

    def __init__(
        self,
        message: str,
        *,
        location: str,
        resource: Any = None,
        status: str | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(message, location=location, resource=resource)
        self.status = status
        self.reason = reason


class K2WebhookError(K2Error):
    """An incoming webhook or callback was refused."""


class WebhookSignatureError(K2WebhookError, ValueError):
    """The signature is missing, malformed or wrong, or no key was configured (fail closed).

    The message never contains the received or expected signature, nor the key.
    """


class WebhookPayloadError(K2WebhookError, ValueError):
    """The body is not JSON, or breaks the schema of its kind. ``field`` names the culprit."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
