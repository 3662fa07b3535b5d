"""Every error k2connect raises, in one tree (the README draws the same one).

Catch ``K2Error`` for anything from this SDK, or a narrower class for one failure::

    K2Error
    ├── K2ConfigError                 bad or missing configuration (credentials, base URL, timeouts)
    ├── K2InputError                  refused locally, before anything was sent (also ValueError)
    ├── K2ConnectionError             no answer, and nothing was processed or it is safe to ask again
    │   └── K2TimeoutError            ... because a timeout fired (the call's deadline included)
    ├── K2AmbiguousOutcomeError       a POST may have reached K2 and no definite answer came: it MAY
    │                                 have moved money. Never retry it blindly: reconcile first.
    ├── K2UnexpectedResponseError     K2 answered, but not as the spec describes (status or body);
    │                                 carries the real status. Nothing here moved money.
    ├── K2APIError                    K2 answered with an error status; carries the parsed body
    │   ├── K2AuthError               401 / 403, or the token endpoint refused the credentials
    │   ├── K2ValidationError         400 / 422: K2 refused the request body
    │   ├── K2NotFoundError           404
    │   ├── K2RateLimitError          429; ``retry_after`` in seconds when K2 sent one
    │   └── K2ServerError             5xx (of a request that moves no money)
    ├── K2PollError                   following a Location did not reach a good end
    │   ├── K2PollTimeoutError        the deadline passed; the last resource seen is attached
    │   └── K2PaymentFailedError      the resource reached a failed terminal state; attached
    ├── K2WebhookError                an incoming webhook or callback was refused
    │   ├── WebhookSignatureError     missing / malformed / wrong signature, or no key (also ValueError)
    │   └── WebhookPayloadError       malformed JSON or a body that breaks its schema (also ValueError)
    ├── K2StoreUnavailableError       a shared store (Redis, PostgreSQL, SQLite) failed: answer 500
    └── K2IntentConflictError         a payment intent is not in the state a move needs: nothing changed

No exception ever carries a secret, token or signature in its message or attributes: messages are built
from status codes, K2's own error text and request metadata (method, URL without query) only. None is
chained (``__cause__``/``__context__``) to the httpx or parser exception it replaces.
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
    "K2InputError",
    "K2IntentConflictError",
    "K2NotFoundError",
    "K2PaymentFailedError",
    "K2PollError",
    "K2PollTimeoutError",
    "K2RateLimitError",
    "K2ServerError",
    "K2StoreUnavailableError",
    "K2TimeoutError",
    "K2UnexpectedResponseError",
    "K2ValidationError",
    "K2WebhookError",
    "WebhookPayloadError",
    "WebhookSignatureError",
]


class K2Error(Exception):
    """Base class of every error raised by k2connect.

    Every one pickles (any protocol) and copies whole: class, message and attributes. Process pools and
    task queues (``ProcessPoolExecutor``, multiprocessing, Celery, RQ) pickle the exception a job raised;
    a refusal must come back as itself, not break the pool.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        # BaseException's own __reduce__ rebuilds with ``type(self)(*self.args)``, which cannot pass the
        # keyword-only arguments of the subclasses. Create the instance with __new__ (it sets ``args``)
        # without running __init__, then restore the attributes from __dict__ (notes included; they are
        # already free of secrets, and nothing else is added).
        cls = type(self)
        return (cls.__new__, (cls, *self.args), self.__dict__)


class K2ConfigError(K2Error):
    """The SDK is configured wrongly: missing credentials, an insecure base URL, and so on."""


class K2InputError(K2Error, ValueError):
    """A request was refused locally, before anything was sent (bad phone number, currency, ...).

    Also a ``ValueError``. ``field`` names the offending input, so forms can show the error beside it.

    Args:
        message: what is wrong, naming the input.

    Attributes:
        field: the argument at fault (``"phone_number"``, ``"metadata.order"``, ``"destinations[2]"``), or
            None when no one argument is.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class K2ConnectionError(K2Error):
    """No HTTP answer was received: DNS, refused connection, reset, TLS failure...

    For a request that may move money, raised only when nothing was sent (otherwise it is a
    :class:`K2AmbiguousOutcomeError`), so calling again is safe.

    Args:
        message: what went wrong, in one line (never a secret).

    Attributes:
        method: the request's method, when known.
        url: the request's URL without its query, when known.
    """

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

    Args:
        message: what went wrong, in one line (never a secret).

    Attributes:
        operation: the operation's name (``"stk_push"``, ``"v1_create_payment"``) or ``"POST /path"``.
        status_code: the status K2 answered with, when one arrived (a 503, a 201 without Location...).
        method: the request's method.
        url: the request's URL, without its query.
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


class K2UnexpectedResponseError(K2Error):
    """K2 answered, but with a status or a body the spec does not describe.

    Not a :class:`K2APIError`: the answer is not one of K2's error statuses, and ``except K2APIError``
    handlers (which read ``error_code``) must not meet it. Raised only where nothing can have moved money:
    an odd answer to a request that may move money is a :class:`K2AmbiguousOutcomeError` instead.

    Args:
        message: what went wrong, in one line (never a secret).

    Attributes:
        status_code: the status K2 really answered with, or ``None`` when none was read.
        method: the request's method, when known.
        url: the request's URL without its query, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.method = method
        self.url = url


class K2APIError(K2Error):
    """K2 answered with an error status; a subclass names which (401/403, 400/422, 404, 429, 5xx).

    For a request that may move money, an error status is raised only when it is definite (a 4xx: K2
    refused it and did nothing); a 5xx there is a :class:`K2AmbiguousOutcomeError`.

    Args:
        message: what went wrong, in one line (never a secret).

    Attributes:
        status_code: the HTTP status K2 answered with.
        error_code: ``error_code`` from K2's ``{error_code, error_message}`` body (``error`` for the OAuth
            endpoints), or None.
        error_message: K2's own explanation (``error_message``, or ``error_description``), or None.
        body: the parsed JSON body, or None.
        method: the request's method, when known.
        url: the request's URL without its query, when known.
        headers: the response's non-sensitive headers.
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
    """429: too many requests; K2 did nothing. ``retry_after`` is K2's hint in seconds, when it gave one.

    Args:
        message: what went wrong, in one line (never a secret).
        **kwargs: the attributes of :class:`K2APIError` (``status_code`` and the others).

    Attributes:
        retry_after: seconds to wait before trying again, from K2's ``Retry-After``, or None.
    """

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class K2ServerError(K2APIError):
    """5xx to a request that moves no money (a read, a token request): K2 failed.

    Args:
        message: what went wrong, in one line (never a secret).
        **kwargs: the attributes of :class:`K2APIError` (``status_code`` and the others).

    Attributes:
        retry_after: seconds to wait before trying again, when a 503 carried a ``Retry-After``, or None.
    """

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class K2PollError(K2Error):
    """Following a Location did not end well.

    Args:
        message: what went wrong, in one line (never a secret).

    Attributes:
        location: the Location that was followed.
        resource: the last resource read (its model), or None if none was read.
    """

    def __init__(self, message: str, *, location: str, resource: Any = None) -> None:
        super().__init__(message)
        self.location = location
        self.resource = resource


class K2PollTimeoutError(K2PollError):
    """The overall deadline passed before the resource reached a terminal state.

    Nothing was cancelled: the resource may still finish. Wait again, or let its callback tell you.

    Args:
        message: what went wrong, in one line (never a secret).

    Attributes:
        location: the Location that was followed.
        resource: the last resource read (its model), or None if none was read.
        last_status: the last status K2 reported, or None.
    """

    def __init__(
        self, message: str, *, location: str, resource: Any = None, last_status: str | None = None
    ) -> None:
        super().__init__(message, location=location, resource=resource)
        self.last_status = last_status


class K2PaymentFailedError(K2PollError):
    """The resource reached a failed terminal state (a declined STK push, a failed transfer...).

    Args:
        message: what went wrong, in one line (never a secret).

    Attributes:
        location: the Location that was followed.
        resource: the failed resource (its model).
        status: K2's status (``"Failed"``...).
        reason: why, from K2's errors, or a line naming the status.
    """

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
    """The body is not JSON, or breaks the schema of its kind. Answer 400.

    Args:
        message: what went wrong, in one line (never a secret).

    Attributes:
        field: the part of the body at fault (``"data.attributes.status"``...), or None.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class K2StoreUnavailableError(K2Error):
    """A shared store (Redis, PostgreSQL) did not answer, or answered with an error.

    Raised by the deduplicators: a webhook receiver then answers 500, nothing is marked as seen, and K2's
    redelivery is processed once the store is back. Raised by the intent ledgers (SQLite included) when the
    ledger cannot be opened, read or written: the caller then sends nothing, since money never moves without
    a durable record. The message names the store and the failure, never a password or a connection string.
    """


class K2IntentConflictError(K2Error):
    """A payment intent is not in a state that allows the move asked for; nothing was sent or changed.

    Raised by the intent ledgers when a move's compare-and-set finds the intent in another state than the
    caller expected (another process or thread moved it first: only one of two senders ever wins
    ``recorded -> sending``), and for a move the intents' state machine never allows (``succeeded ->
    sending``).

    Args:
        message: what went wrong, in one line (never a secret).

    Attributes:
        intent_id: the intent's id, when one is concerned.
        key: the intent's idempotency key, when known.
        state: the state the intent was found in (or the state a refused move started from).
        to: the state asked for.
    """

    def __init__(
        self,
        message: str,
        *,
        intent_id: str | None = None,
        key: str | None = None,
        state: str | None = None,
        to: str | None = None,
    ) -> None:
        super().__init__(message)
        self.intent_id = intent_id
        self.key = key
        self.state = state
        self.to = to
