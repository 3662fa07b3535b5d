"""Retries that can never send a payment twice.

K2 documents no idempotency keys, so a POST that reached K2 must never be repeated automatically: it may
have moved money. The transports therefore sort each failure by what it proves:

* ``ConnectError``, ``ConnectTimeout``, ``PoolTimeout``: the request never left, so any request is retried.
* any other transport error (read/write errors and timeouts, protocol errors): retried for GET, HEAD,
  OPTIONS and ``POST /oauth/token``; any other request may have reached K2, so it is never retried and
  ``K2AmbiguousOutcomeError`` is raised, carrying what is needed to reconcile.
* a status in ``retry_statuses`` (429, 502, 503, 504): retried, honouring ``Retry-After``, for the same
  repeatable requests; any other request gets the response back as it is.

Retries wait with capped exponential backoff and jitter, and stop at ``max_attempts`` or when the next
wait would pass ``max_elapsed``; then the last response is returned or the last error re-raised. A
``Retry-After`` longer than ``max_retry_after`` is not waited for: the response is returned at once, and
the caller's :func:`~k2connect_ext.error_mapping.raise_for_status` raises ``K2RateLimitError`` or
``K2ServerError`` carrying ``retry_after`` so it can schedule the retry itself.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Literal

import attrs
import httpx

from k2connect_ext._constants import (
    DEFAULT_BASE_DELAY,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_DELAY,
    DEFAULT_MAX_ELAPSED,
    DEFAULT_MAX_RETRY_AFTER,
    DEFAULT_RETRY_STATUSES,
    IDEMPOTENT_METHODS,
    RETRY_AFTER_HEADER,
    TOKEN_PATH,
)
from k2connect_ext.error_mapping import ambiguous_outcome_error, parse_retry_after, safe_url

__all__ = ["AsyncRetryingTransport", "RetryPolicy", "RetryingTransport", "parse_retry_after"]

logger = logging.getLogger("k2connect.retry")

# The request provably never left this machine: no connection was made, or none was free.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Worth another try for a request that is safe to repeat. LocalProtocolError (we built a bad request) and
# UnsupportedProtocol (a bad URL) would only fail again.
_TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError)


def _statuses(value: Iterable[int]) -> frozenset[int]:
    return frozenset(value)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """When and how long to wait before trying again. Every source of time and chance is injectable.

    Attributes:
        max_attempts: total tries, the first included.
        base_delay: the first backoff; it doubles on each retry, up to ``max_delay``.
        max_elapsed: no wait that would end more than this many seconds after the first try.
        retry_statuses: statuses retried for requests that are safe to repeat.
        max_retry_after: the longest ``Retry-After`` that is waited for.
        jitter: ``"full"`` waits a random time up to the backoff; ``"equal"`` waits at least half of it.
        sleep, async_sleep: how to wait (``time.sleep`` / ``asyncio.sleep``).
        random: a float in [0, 1) for jitter.
        clock: monotonic seconds, for ``max_elapsed``.
    """

    max_attempts: int = attrs.field(default=DEFAULT_MAX_ATTEMPTS, validator=attrs.validators.ge(1))
    base_delay: float = attrs.field(default=DEFAULT_BASE_DELAY, validator=attrs.validators.ge(0))
    max_delay: float = attrs.field(default=DEFAULT_MAX_DELAY, validator=attrs.validators.ge(0))
    max_elapsed: float = attrs.field(default=DEFAULT_MAX_ELAPSED, validator=attrs.validators.ge(0))
    retry_statuses: frozenset[int] = attrs.field(default=DEFAULT_RETRY_STATUSES, converter=_statuses)
    max_retry_after: float = attrs.field(default=DEFAULT_MAX_RETRY_AFTER, validator=attrs.validators.ge(0))
    jitter: Literal["full", "equal"] = attrs.field(
        default="full", validator=attrs.validators.in_(("full", "equal"))
    )
    sleep: Callable[[float], None] = attrs.field(default=time.sleep, eq=False, repr=False)
    async_sleep: Callable[[float], Awaitable[None]] = attrs.field(default=asyncio.sleep, eq=False, repr=False)
    random: Callable[[], float] = attrs.field(default=random.random, eq=False, repr=False)
    clock: Callable[[], float] = attrs.field(default=time.monotonic, eq=False, repr=False)

    def backoff(self, retry: int) -> float:
        """The wait before retry number ``retry`` (1 for the first retry), jitter included."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (retry - 1))
        if self.jitter == "full":
            return ceiling * self.random()
        return ceiling / 2 + ceiling / 2 * self.random()


class _Attempts:
    """The retry decisions for one request, shared by the sync and async transports.

    Each ``after_*`` method returns how long to wait before the next try, or ``None`` to stop.
    """

    def __init__(self, policy: RetryPolicy, request: httpx.Request) -> None:
        self.policy = policy
        self.request = request
        self.repeatable = request.method in IDEMPOTENT_METHODS or _is_token_request(request)
        self.tries = 1
        self.started = policy.clock()

    def after_error(self, exc: httpx.TransportError) -> float | None:
        """Raises ``K2AmbiguousOutcomeError`` when a non-repeatable request may have been sent."""
        never_sent = isinstance(exc, _NEVER_SENT)
        if isinstance(exc, httpx.UnsupportedProtocol):  # rejected before any connection: nothing was sent
            return None
        if not self.repeatable and not never_sent:
            raise ambiguous_outcome_error(exc, self.request) from exc
        if not (never_sent or isinstance(exc, _TRANSIENT)):
            return None
        return self._next_wait(None, type(exc).__name__)

    def after_response(self, response: httpx.Response) -> float | None:
        if not self.repeatable or response.status_code not in self.policy.retry_statuses:
            return None
        retry_after = parse_retry_after(response.headers.get(RETRY_AFTER_HEADER))
        if retry_after is not None and retry_after > self.policy.max_retry_after:
            return None
        return self._next_wait(retry_after, f"status {response.status_code}")

    def _next_wait(self, retry_after: float | None, reason: str) -> float | None:
        policy = self.policy
        if self.tries >= policy.max_attempts:
            return None
        wait = retry_after if retry_after is not None else policy.backoff(self.tries)
        if policy.clock() - self.started + wait > policy.max_elapsed:
            return None
        self.tries += 1
        logger.debug(
            "Retrying %s %s in %.2f s after %s (try %d of %d)",
            self.request.method,
            safe_url(self.request.url),
            wait,
            reason,
            self.tries,
            policy.max_attempts,
        )
        return wait


class RetryingTransport(httpx.BaseTransport):
    """Wraps a transport with the retry rules of :mod:`k2connect_ext.retry` (``httpx.Client``)."""

    def __init__(self, inner: httpx.BaseTransport, policy: RetryPolicy | None = None) -> None:
        self.inner = inner
        self.policy = policy if policy is not None else RetryPolicy()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``, retrying as the policy and the request's safety allow."""
        attempts = _Attempts(self.policy, request)
        while True:
            try:
                response = self.inner.handle_request(request)
            except httpx.TransportError as exc:
                wait = attempts.after_error(exc)
                if wait is None:
                    raise
            else:
                wait = attempts.after_response(response)
                if wait is None:
                    return response
                response.close()  # discarded: give its connection back to the pool
            self.policy.sleep(wait)

    def close(self) -> None:
        """Close the wrapped transport."""
        self.inner.close()


class AsyncRetryingTransport(httpx.AsyncBaseTransport):
    """The asyncio twin of :class:`RetryingTransport` (``httpx.AsyncClient``)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, policy: RetryPolicy | None = None) -> None:
        self.inner = inner
        self.policy = policy if policy is not None else RetryPolicy()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``, retrying as the policy and the request's safety allow."""
        attempts = _Attempts(self.policy, request)
        while True:
            try:
                response = await self.inner.handle_async_request(request)
            except httpx.TransportError as exc:
                wait = attempts.after_error(exc)
                if wait is None:
                    raise
            else:
                wait = attempts.after_response(response)
                if wait is None:
                    return response
                await response.aclose()
            await self.policy.async_sleep(wait)

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self.inner.aclose()


def _is_token_request(request: httpx.Request) -> bool:
    # Asking for a token twice only costs a token, so the token endpoint is retried like a GET.
    return request.method == "POST" and request.url.path.rstrip("/").endswith(TOKEN_PATH)
