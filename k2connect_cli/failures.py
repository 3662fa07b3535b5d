"""From an exception to an exit code and one line of explanation (no traceback, no secret)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from k2connect_ext import (
    K2AmbiguousOutcomeError,
    K2APIError,
    K2ConfigError,
    K2ConnectionError,
    K2InputError,
    K2PaymentFailedError,
    K2PollError,
    K2PollTimeoutError,
    K2RateLimitError,
    K2UnexpectedResponseError,
    K2WebhookError,
)

from .exit_codes import ExitCode

__all__ = ["CliError", "Failure", "describe", "redact"]


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


def _ambiguous(exc: K2AmbiguousOutcomeError) -> Failure:
    metadata = (exc.request_body or {}).get("metadata")
    lookup = f" Look for it by the metadata you sent ({', '.join(sorted(metadata))})." if metadata else ""
    message = f"ambiguous outcome, it MAY have moved money: {exc}{lookup}"
    return Failure(
        ExitCode.AMBIGUOUS,
        message,
        {
            "operation": exc.operation,
            "status_code": exc.status_code,
            "request_body": exc.request_body,
            "callback_url": exc.callback_url,
            "location": exc.location,
            "url": exc.url,
            "hint": exc.hint,
        },
    )


def _api(exc: K2APIError) -> Failure:
    details: dict[str, Any] = {"status_code": exc.status_code, "error_code": exc.error_code}
    if isinstance(exc, K2UnexpectedResponseError) and 200 <= exc.status_code < 300:
        # A create answered 2xx but unusably (e.g. no Location): it happened, its outcome is unknown.
        return Failure(ExitCode.AMBIGUOUS, f"{exc}", details)
    if isinstance(exc, K2RateLimitError) and exc.retry_after is not None:
        details["retry_after"] = exc.retry_after
        return Failure(ExitCode.API, f"{exc} (retry after {exc.retry_after:g} s)", details)
    code = ExitCode.API if 400 <= exc.status_code < 500 else ExitCode.UNAVAILABLE
    return Failure(code, str(exc), details)


def _poll(exc: K2PollError) -> Failure:
    details: dict[str, Any] = {"location": exc.location, "resource": _resource_dict(exc.resource)}
    if isinstance(exc, K2PaymentFailedError):
        details.update(status=exc.status, reason=exc.reason)
        return Failure(ExitCode.FAILED, f"{exc} (location: {exc.location})", details)
    if isinstance(exc, K2PollTimeoutError):
        details["last_status"] = exc.last_status
        return Failure(
            ExitCode.POLL_TIMEOUT,
            f"{exc}; to keep waiting run: k2connect wait {exc.location}",
            details,
        )
    return Failure(ExitCode.UNAVAILABLE, f"{exc} (location: {exc.location})", details)


def describe(exc: BaseException) -> Failure | None:
    """The failure an exception stands for, or ``None`` if it is not one we expect (a bug)."""
    if isinstance(exc, CliError):
        return Failure(exc.code, str(exc), dict(exc.details))
    if isinstance(exc, K2ConfigError):
        return Failure(ExitCode.CONFIG, f"configuration: {exc}")
    if isinstance(exc, K2InputError):
        field = f" (field: {exc.field})" if exc.field else ""
        return Failure(ExitCode.USAGE, f"invalid input: {exc}{field}", {"field": exc.field})
    if isinstance(exc, K2AmbiguousOutcomeError):
        return _ambiguous(exc)
    if isinstance(exc, K2ConnectionError):
        return Failure(ExitCode.UNAVAILABLE, str(exc), {"url": exc.url})
    if isinstance(exc, K2APIError):
        return _api(exc)
    if isinstance(exc, K2PollError):
        return _poll(exc)
    if isinstance(exc, K2WebhookError):
        return Failure(ExitCode.FAILED, f"invalid webhook: {exc}")
    return None


def redact(text: str, secrets: Iterable[str]) -> str:
    """Mask every secret in ``text`` (longest first, so one secret inside another is fully hidden)."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text
