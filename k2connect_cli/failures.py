"""From an exception to an exit code and one line of explanation (no traceback, no secret)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, Final, Generic, TypeVar

import attrs

from k2connect_ext import (
    K2AmbiguousOutcomeError,
    K2APIError,
    K2AuthError,
    K2ConfigError,
    K2ConnectionError,
    K2Error,
    K2InputError,
    K2IntentConflictError,
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

from .exit_codes import ExitCode

__all__ = ["ERROR_TABLE", "CliError", "ErrorRow", "Failure", "describe", "redact"]


class CliError(Exception):
    """A failure found by the CLI itself (not by the SDK), with its exit code."""

    def __init__(self, code: ExitCode, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.details = details


@attrs.frozen
class Failure:
    """What to tell the user: the exit code, one line, and details for ``--json``."""

    code: ExitCode
    message: str
    details: dict[str, Any] = attrs.field(factory=dict)


def _resource_dict(resource: Any) -> Any:
    return resource.to_dict() if hasattr(resource, "to_dict") else resource


Explanation = tuple[str, dict[str, Any]]
"""The ``error: ...`` line, and the details ``--json`` adds to it."""

E = TypeVar("E", bound=K2Error)


@attrs.frozen
class ErrorRow(Generic[E]):
    """How the CLI reports one SDK error class: its exit code, and how to explain it."""

    error: type[E]
    code: ExitCode
    explain: Callable[[E], Explanation]


def _internal(exc: K2Error) -> Explanation:
    return f"internal error ({type(exc).__name__}: {exc}); set K2CONNECT_DEBUG=1 to see the traceback", {}


def _config(exc: K2ConfigError) -> Explanation:
    return f"configuration: {exc}", {}


def _input(exc: K2InputError) -> Explanation:
    field = f" (field: {exc.field})" if exc.field else ""
    return f"invalid input: {exc}{field}", {"field": exc.field}


def _connection(exc: K2ConnectionError) -> Explanation:
    return str(exc), {"url": exc.url}


def _ambiguous(exc: K2AmbiguousOutcomeError) -> Explanation:
    metadata = (exc.request_body or {}).get("metadata")
    lookup = f" Look for it by the metadata you sent ({', '.join(sorted(metadata))})." if metadata else ""
    details = {
        "operation": exc.operation,
        "status_code": exc.status_code,
        "request_body": exc.request_body,
        "callback_url": exc.callback_url,
        "location": exc.location,
        "url": exc.url,
        "hint": exc.hint,
    }
    return f"ambiguous outcome, it MAY have moved money: {exc}{lookup}", details


def _unexpected(exc: K2UnexpectedResponseError) -> Explanation:
    return str(exc), {"status_code": exc.status_code, "url": exc.url}


def _api(exc: K2APIError) -> Explanation:
    return str(exc), {"status_code": exc.status_code, "error_code": exc.error_code}


def _rate_limited(exc: K2RateLimitError) -> Explanation:
    message, details = _api(exc)
    if exc.retry_after is None:
        return message, details
    return f"{message} (retry after {exc.retry_after:g} s)", {**details, "retry_after": exc.retry_after}


def _poll(exc: K2PollError) -> Explanation:
    return f"{exc} (location: {exc.location})", {
        "location": exc.location,
        "resource": _resource_dict(exc.resource),
    }


def _payment_failed(exc: K2PaymentFailedError) -> Explanation:
    message, details = _poll(exc)
    return message, {**details, "status": exc.status, "reason": exc.reason}


def _poll_timeout(exc: K2PollTimeoutError) -> Explanation:
    _, details = _poll(exc)
    message = f"{exc}; to keep waiting run: k2connect wait {exc.location}"
    return message, {**details, "last_status": exc.last_status}


def _webhook(exc: K2WebhookError) -> Explanation:
    return f"invalid webhook: {exc}", {}


def _store(exc: K2StoreUnavailableError) -> Explanation:
    return f"store unavailable: {exc}", {}


def _intent_conflict(exc: K2IntentConflictError) -> Explanation:
    details = {"intent_id": exc.intent_id, "key": exc.key, "state": exc.state, "to": exc.to}
    return f"intent conflict: {exc}", details


def _table(*rows: ErrorRow[Any]) -> Mapping[type[K2Error], ErrorRow[Any]]:
    table = {row.error: row for row in rows}
    assert len(table) == len(rows), "one row per error class"
    return MappingProxyType(table)


ERROR_TABLE: Final = _table(
    # Every public error class has its own row, and an error takes the row of its most specific class.
    # The package docstring (k2connect_cli/__init__.py) documents each class's code; the tests hold the
    # table to it, and fail when a public error class has no row here.
    ErrorRow(K2Error, ExitCode.INTERNAL, _internal),  # an SDK error the CLI cannot place: a bug
    ErrorRow(K2ConfigError, ExitCode.CONFIG, _config),
    ErrorRow(K2InputError, ExitCode.USAGE, _input),
    ErrorRow(K2ConnectionError, ExitCode.UNAVAILABLE, _connection),
    ErrorRow(K2TimeoutError, ExitCode.UNAVAILABLE, _connection),
    ErrorRow(K2AmbiguousOutcomeError, ExitCode.AMBIGUOUS, _ambiguous),
    # K2 answered a read oddly (a request that may move money gets K2AmbiguousOutcomeError instead).
    ErrorRow(K2UnexpectedResponseError, ExitCode.UNAVAILABLE, _unexpected),
    ErrorRow(K2APIError, ExitCode.API, _api),  # another 4xx (405, 409...): K2 refused the request
    ErrorRow(K2AuthError, ExitCode.API, _api),
    ErrorRow(K2ValidationError, ExitCode.API, _api),
    ErrorRow(K2NotFoundError, ExitCode.API, _api),
    ErrorRow(K2RateLimitError, ExitCode.API, _rate_limited),
    ErrorRow(K2ServerError, ExitCode.UNAVAILABLE, _api),
    ErrorRow(K2PollError, ExitCode.UNAVAILABLE, _poll),
    ErrorRow(K2PollTimeoutError, ExitCode.POLL_TIMEOUT, _poll_timeout),
    ErrorRow(K2PaymentFailedError, ExitCode.FAILED, _payment_failed),
    ErrorRow(K2WebhookError, ExitCode.FAILED, _webhook),
    ErrorRow(WebhookSignatureError, ExitCode.FAILED, _webhook),
    ErrorRow(WebhookPayloadError, ExitCode.FAILED, _webhook),
    ErrorRow(K2StoreUnavailableError, ExitCode.UNAVAILABLE, _store),
    # A move of a payment intent its state refuses (another process moved it first, or a person resolving
    # a settled intent): refused locally, nothing sent or changed, like an input the SDK refuses.
    ErrorRow(K2IntentConflictError, ExitCode.USAGE, _intent_conflict),
)
"""SDK error class -> how the CLI reports it."""


def describe(exc: BaseException) -> Failure | None:
    """The failure an exception stands for, or ``None`` if it is not one we expect (a bug)."""
    if isinstance(exc, CliError):
        return Failure(exc.code, str(exc), dict(exc.details))
    if not isinstance(exc, K2Error):
        return None
    # K2Error has a row, so every SDK error finds one; the most specific class comes first in the MRO.
    row = next(ERROR_TABLE[kind] for kind in type(exc).__mro__ if kind in ERROR_TABLE)
    message, details = row.explain(exc)
    return Failure(row.code, message, details)


def redact(text: str, secrets: Iterable[str]) -> str:
    """Mask every secret in ``text`` (longest first, so one secret inside another is fully hidden)."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text
