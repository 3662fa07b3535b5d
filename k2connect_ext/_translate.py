"""Turn K2's error answers and httpx's transport failures into this SDK's exceptions (``_exceptions``).

Messages are built from the status, K2's own error text and the request's method and URL without its
query string. Request headers (``Authorization``) and request bodies never go into a message, and any
``client_secret`` / ``token`` keys are removed from the bodies attached to an exception.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Iterable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx
from k2connect_client.registry import operation_for

from k2connect_ext import _call
from k2connect_ext._constants import (
    RETRY_AFTER_HEADER,
)
from k2connect_ext._exceptions import (
    K2AmbiguousOutcomeError,
    K2APIError,
    K2AuthError,
    K2ConnectionError,
    K2NotFoundError,
    K2RateLimitError,
    K2ServerError,
    K2TimeoutError,
    K2ValidationError,
)

__all__ = [
    "ResponseTooLarge",
    "ambiguous_outcome_error",
    "detached",
    "parse_retry_after",
    "raise_for_status",
    "redact_secrets",
    "redact_text",
    "safe_url",
    "translate_transport_error",
]

E = TypeVar("E", bound=BaseException)

# Keys whose values are credentials wherever they appear in a body (OAuth revoke/introspect bodies carry
# both the client secret and the token).
_SECRET_KEYS = frozenset({"client_secret", "token", "access_token", "refresh_token"})
# Response headers never hold our token, but a cookie is a credential of its own.
# A signature header is a MAC over K2's body: nothing to keep, and a secret-derived value.
_DROPPED_RESPONSE_HEADERS = frozenset(
    {"set-cookie", "authorization", "proxy-authorization", "x-kopokopo-signature"}
)
# K2's messages are one sentence; a proxy's error page is not, and does not belong in an exception text.
_MAX_MESSAGE_CHARS = 300
_DELTA_SECONDS = re.compile(r"\d+(?:\.\d+)?")


class ResponseTooLarge(httpx.RemoteProtocolError):
    """The answer's body is larger than the client reads (``RetryPolicy.max_response_bytes``)."""

    def __init__(self, limit: int, *, request: httpx.Request) -> None:
        super().__init__(f"the answer's body is larger than {limit} bytes", request=request)


def redact_text(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of each secret (credentials, tokens) in ``text``."""
    for secret in secrets:
        if secret and len(secret) >= 4 and secret in text:
            text = text.replace(secret, "[redacted]")
    return text


def _redact_values(value: Any, secrets: tuple[str, ...]) -> Any:
    if not secrets:
        return value
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, Mapping):
        return {k: _redact_values(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_values(v, secrets) for v in value]
    return value


def detached(error: E) -> E:
    """``error`` cut from the exceptions it was raised while handling and from the frames it came through.

    ``raise ... from None`` only hides the context in tracebacks: ``__context__`` still holds the httpx
    exception (whose ``request`` carries the ``Authorization`` header) or the parser's (whose text is the
    token response). Raised outside any ``except`` block after this, the error carries neither.
    """
    error.__cause__ = None
    error.__context__ = None
    error.__suppress_context__ = False
    # Raised again, an error keeps the frames it already passed through; theirs are this SDK's internals,
    # whose locals hold what reporters must not print (the secrets it was scrubbed against, a token
    # request's body). Its report starts where it is raised next.
    return error.with_traceback(None)


def safe_url(url: httpx.URL) -> str:
    """Return ``url`` without query, fragment or user info: the parts that may carry secrets or PII."""
    return str(url.copy_with(query=None, fragment=None, username=None, password=None))


def redact_secrets(value: Any) -> Any:
    """Return a copy of a parsed JSON value with every credential key removed, at any depth."""
    if isinstance(value, Mapping):
        return {k: redact_secrets(v) for k, v in value.items() if str(k).lower() not in _SECRET_KEYS}
    if isinstance(value, list):
        return [redact_secrets(v) for v in value]
    return value


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Read a ``Retry-After`` header: delta-seconds or an HTTP date. ``None`` when absent or unreadable.

    Args:
        value: the header value.
        now: wall-clock epoch seconds, to turn a date into a delay (defaults to ``time.time()``).

    Returns:
        The delay in seconds, never negative (a date in the past means "now").
    """
    if value is None:
        return None
    value = value.strip()
    if _DELTA_SECONDS.fullmatch(value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are always GMT; a naive result is a non-standard header
        return None
    delay = when.timestamp() - (time.time() if now is None else now)
    return max(0.0, delay) if math.isfinite(delay) else None


def raise_for_status(response: httpx.Response, *, secrets: Iterable[str] = ()) -> None:
    """Raise the :class:`K2APIError` subclass that matches an error response; do nothing below 400.

    The body must have been read already (httpx does so unless ``stream=True``); an unread body is
    treated as empty rather than read here, because this function cannot know if it is sync or async.

    Raises:
        K2ValidationError: 400 or 422.
        K2AuthError: 401 or 403.
        K2NotFoundError: 404.
        K2RateLimitError: 429, with ``retry_after`` when K2 sent one.
        K2ServerError: 5xx, with ``retry_after`` when K2 sent one.
        K2APIError: any other status of 400 or more.
    """
    status = response.status_code
    if status < 400:
        return
    hidden = tuple(secrets)
    body = _redact_values(_json_body(response), hidden)
    error_code, error_message = _error_fields(body)
    method, url = _request_label(response)
    detail = error_message if error_message is not None else error_code
    text = f"K2 answered {status} {response.reason_phrase}".rstrip()
    if detail is not None:
        text += f": {_shorten(str(detail))}"
    if method is not None:
        text += f" ({method} {url})"
    text = redact_text(text, hidden)
    kwargs: dict[str, Any] = {
        "status_code": status,
        "error_code": error_code,
        "error_message": error_message,
        "body": body,
        "method": method,
        "url": url,
        "headers": {
            k: redact_text(v, hidden)
            for k, v in response.headers.items()
            if k.lower() not in _DROPPED_RESPONSE_HEADERS
        },
    }
    if status == 429 or status >= 500:
        retry_after = parse_retry_after(response.headers.get(RETRY_AFTER_HEADER))
        if status == 429:
            raise K2RateLimitError(text, retry_after=retry_after, **kwargs)
        raise K2ServerError(text, retry_after=retry_after, **kwargs)
    error_class: type[K2APIError]
    match status:
        case 400 | 422:
            error_class = K2ValidationError
        case 401 | 403:
            error_class = K2AuthError
        case 404:
            error_class = K2NotFoundError
        case _:
            error_class = K2APIError
    raise error_class(text, **kwargs)


def translate_transport_error(
    exc: httpx.TransportError, request: httpx.Request | None = None
) -> K2ConnectionError:
    """Wrap an httpx transport failure; use as ``raise translate_transport_error(exc, request) from exc``.

    Returns:
        :class:`K2TimeoutError` for any timeout, else :class:`K2ConnectionError`.
    """
    method, url = _describe(request if request is not None else _request_of(exc))
    where = f" ({method} {url})" if method is not None else ""
    if isinstance(exc, httpx.TimeoutException):
        return K2TimeoutError(f"Timed out talking to K2: {_exc_text(exc)}{where}", method=method, url=url)
    return K2ConnectionError(f"Could not reach K2: {_exc_text(exc)}{where}", method=method, url=url)


def ambiguous_outcome_error(
    request: httpx.Request,
    *,
    reason: str,
    status_code: int | None = None,
    location: str | None = None,
    secrets: Iterable[str] = (),
) -> K2AmbiguousOutcomeError:
    """Describe a request that may have moved money but got no definite answer.

    The error carries what the caller needs to reconcile: the operation, the status if one came, the
    method, the URL without its query, the JSON body that was sent (credential keys and known secrets
    removed), its ``_links.callback_url``, the ``Location`` when K2 sent one, and a one-line hint.
    """
    method, url = _describe(request)
    hidden = tuple(secrets)
    body = _redact_values(_json_request_body(request), hidden)
    links = body.get("_links") if isinstance(body, dict) else None
    callback = links.get("callback_url") if isinstance(links, dict) else None
    callback_url = _without_userinfo(callback) if isinstance(callback, str) else None
    if isinstance(links, dict) and callback_url is not None:  # the body's copy too
        body["_links"] = {**links, "callback_url": callback_url}
    call = _call.current()
    operation = (call.operation if call is not None else None) or f"{method} {request.url.path}"
    hint = reconcile_hint(request.url.path, callback_url, location)
    status = f" (status {status_code})" if status_code is not None else ""
    return K2AmbiguousOutcomeError(
        redact_text(
            f"{operation}: {method} {url} may have reached K2, but no definite answer came back{status}: "
            f"{reason}. It was not retried because it may have moved money. {hint}",
            hidden,
        ),
        operation=operation,
        status_code=status_code,
        method=method,
        url=url,
        request_body=body if isinstance(body, dict) else None,
        callback_url=callback_url,
        location=location,
        hint=hint,
    )


def _without_userinfo(url: str) -> str:
    """``url`` without its ``user:password@``: a hand-built request may carry one (the facade refuses it)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "[an unparseable URL]"
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def reconcile_hint(path: str, callback_url: str | None, location: str | None) -> str:
    """One line on how to learn whether an ambiguous request happened."""
    if location:
        return f"GET {location} to see its state before sending it again."
    ways = []
    if callback_url:
        ways.append(f"its result will still be posted to {callback_url} if K2 processed it")
    operation = operation_for("POST", path)
    if operation is not None and operation.found_by_polling:  # the spec's x-k2connect-found-by-polling
        ways.append("poll_transactions over the last minutes finds the incoming payment")
    ways.append("check the merchant dashboard")
    return "To find out: " + "; ".join(ways) + ". Do not send it again before you know."


def _json_body(response: httpx.Response) -> Any:
    try:
        content = response.content
    except httpx.ResponseNotRead:
        return None
    if not content:
        return None
    try:
        return redact_secrets(json.loads(content))
    except (ValueError, UnicodeDecodeError):  # an HTML page from a proxy, plain text, ...
        return None


def _error_fields(body: Any) -> tuple[int | str | None, str | None]:
    """Read ``{error_code, error_message}`` (API) or ``{error, error_description}`` (OAuth)."""
    if not isinstance(body, dict):
        return None, None
    code = body.get("error_code", body.get("error"))
    message = body.get("error_message", body.get("error_description"))
    if isinstance(code, bool) or not isinstance(code, int | str):
        code = None
    return code, message if isinstance(message, str) else None


def _json_request_body(request: httpx.Request) -> dict[str, Any] | None:
    try:
        parsed = json.loads(request.content) if request.content else None
    except (httpx.RequestNotRead, ValueError, UnicodeDecodeError):
        return None
    return redact_secrets(parsed) if isinstance(parsed, dict) else None


def _request_label(response: httpx.Response) -> tuple[str | None, str | None]:
    try:
        request = response.request
    except RuntimeError:  # a Response built by hand, without a request
        return None, None
    return _describe(request)


def _request_of(exc: httpx.TransportError) -> httpx.Request | None:
    try:
        return exc.request
    except RuntimeError:  # raised by hand (tests, mocks) without a request
        return None


def _describe(request: httpx.Request | None) -> tuple[str | None, str | None]:
    if request is None:
        return None, None
    return request.method, safe_url(request.url)


def _exc_text(exc: Exception) -> str:
    # httpx's messages are socket-level ("[Errno 111] Connection refused"); they never hold headers.
    detail = str(exc)
    name = type(exc).__name__
    return f"{name}: {_shorten(detail)}" if detail else name


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_MESSAGE_CHARS else text[: _MAX_MESSAGE_CHARS - 1] + "…"
