"""Retries that can never send a payment twice, inside the deadline of the call.

K2 documents no idempotency keys, so a POST that reached K2 must never be repeated automatically: it may
have moved money. The transports therefore sort each failure by what it proves:

* ``ConnectError``, ``ConnectTimeout``, ``PoolTimeout``: the request never left, so any request is retried.
* any other transport error (read/write errors and timeouts, protocol errors), *including one while the
  answer's body is read*: retried for GET, HEAD, OPTIONS and the OAuth endpoints; any other request may have
  reached K2, so it is never retried and ``K2AmbiguousOutcomeError`` is raised, carrying what is needed to
  reconcile.
* a status in ``retry_statuses`` (429, 502, 503, 504): retried, honouring ``Retry-After``, for the same
  repeatable requests; any other request gets the response back as it is, for the client to judge.

The whole body is read here, not by the caller, so that a cut or stalled body is judged by the same rules
as any other failure. Bodies larger than ``max_response_bytes`` are not read past that size.

Each try is logged as one line of ``k2connect.http`` (see :mod:`k2connect_ext._logging`), whichever backend
sent it.

Retries wait with capped exponential backoff and jitter, and stop at ``max_attempts``, when the next wait
would pass ``max_elapsed``, or when it would pass the deadline of the call (:mod:`k2connect_ext._call`);
then the last response is returned or the last error re-raised. A ``Retry-After`` longer than
``max_retry_after`` is not waited for: the response is returned at once, and the client raises
``K2RateLimitError`` or ``K2ServerError`` carrying ``retry_after`` so the caller can schedule the retry.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import Literal

import attrs
import httpx

from k2connect_ext import _call, _logging
from k2connect_ext._constants import (
    DEFAULT_BASE_DELAY,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_DELAY,
    DEFAULT_MAX_ELAPSED,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRY_AFTER,
    DEFAULT_RETRY_STATUSES,
    RETRY_AFTER_HEADER,
)
from k2connect_ext._exceptions import K2AmbiguousOutcomeError, K2ConfigError
from k2connect_ext._money_safety import created_location, is_repeatable
from k2connect_ext._translate import (
    ResponseTooLarge,
    ambiguous_outcome_error,
    detached,
    parse_retry_after,
    safe_url,
)

__all__ = ["AsyncRetryingTransport", "RetryPolicy", "RetryingTransport", "parse_retry_after"]

logger = logging.getLogger("k2connect.retry")

# The request provably never left this machine: no connection was made, or none was free.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Worth another try for a request that is safe to repeat. LocalProtocolError (we built a bad request) and
# UnsupportedProtocol (a bad URL) would only fail again, and so would a body over the size limit.
_TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError)
_TIMEOUT_KEYS = ("connect", "read", "write", "pool")
# How long past the deadline the asyncio backstop fires; the socket-level limits fire first.
_BACKSTOP_SECONDS = 0.2


def _statuses(value: Iterable[int]) -> frozenset[int]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise K2ConfigError(
            f"RetryPolicy.retry_statuses must be a collection of HTTP statuses, not {value!r}"
        )
    return frozenset(value)


# Bad settings are K2ConfigError, as every other client option's: one exception to catch for a bad
# configuration, and a message naming the setting (attrs' own validators raise bare ValueError/TypeError).
def _whole(minimum: int) -> Callable[[object, attrs.Attribute[int], int], None]:
    def check(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise K2ConfigError(
                f"RetryPolicy.{attribute.name} must be a whole number of at least {minimum}, not {value!r}"
            )

    return check


def _seconds(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    # NaN compares as neither too small nor too large: it is refused by name.
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value) or value < 0:
        raise K2ConfigError(
            f"RetryPolicy.{attribute.name} must be a number of seconds, 0 or more, not {value!r}"
        )


def _http_statuses(
    instance: object, attribute: attrs.Attribute[frozenset[int]], value: frozenset[int]
) -> None:
    bad = sorted(
        repr(status)
        for status in value
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599
    )
    if bad:
        raise K2ConfigError(
            f"RetryPolicy.{attribute.name} must hold HTTP statuses (100 to 599), not {', '.join(bad)}"
        )


def _jitter(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in ("full", "equal"):
        raise K2ConfigError(f"RetryPolicy.{attribute.name} must be 'full' or 'equal', not {value!r}")


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """When and how long to wait before trying again. Every source of time and chance is injectable.

    Give one to a client as ``retry=RetryPolicy(...)``. It governs reads and token requests only: a POST
    that may move money is never retried.

    Attributes:
        max_attempts: total tries, the first included.
        base_delay: the first backoff, in seconds; it doubles on each retry, up to ``max_delay``.
        max_delay: the longest backoff, in seconds.
        max_elapsed: no wait that would end more than this many seconds after the first try.
        retry_statuses: statuses retried for requests that are safe to repeat.
        max_retry_after: the longest ``Retry-After`` that is waited for.
        max_response_bytes: the largest answer body read; a larger one is an error, not a memory spike.
        jitter: ``"full"`` waits a random time up to the backoff; ``"equal"`` waits at least half of it.
        sleep: how a blocking client waits (``time.sleep``).
        async_sleep: how an asyncio client waits (``asyncio.sleep``).
        random: a float in [0, 1) for jitter.
        clock: monotonic seconds, for ``max_elapsed``.

    Raises:
        K2ConfigError: a value of the wrong type or below its minimum (``max_attempts`` and
            ``max_response_bytes`` whole numbers of at least 1, the durations numbers of at least 0), a
            ``retry_statuses`` entry that is not an HTTP status, or a ``jitter`` other than ``"full"`` or
            ``"equal"``. The message names the setting.
    """

    max_attempts: int = attrs.field(default=DEFAULT_MAX_ATTEMPTS, validator=_whole(1))
    base_delay: float = attrs.field(default=DEFAULT_BASE_DELAY, validator=_seconds)
    max_delay: float = attrs.field(default=DEFAULT_MAX_DELAY, validator=_seconds)
    max_elapsed: float = attrs.field(default=DEFAULT_MAX_ELAPSED, validator=_seconds)
    retry_statuses: frozenset[int] = attrs.field(
        default=DEFAULT_RETRY_STATUSES, converter=_statuses, validator=_http_statuses
    )
    max_retry_after: float = attrs.field(default=DEFAULT_MAX_RETRY_AFTER, validator=_seconds)
    max_response_bytes: int = attrs.field(default=DEFAULT_MAX_RESPONSE_BYTES, validator=_whole(1))
    jitter: Literal["full", "equal"] = attrs.field(default="full", validator=_jitter)
    sleep: Callable[[float], None] = attrs.field(default=time.sleep, eq=False, repr=False)
    async_sleep: Callable[[float], Awaitable[None]] = attrs.field(default=asyncio.sleep, eq=False, repr=False)
    random: Callable[[], float] = attrs.field(default=random.random, eq=False, repr=False)
    clock: Callable[[], float] = attrs.field(default=time.monotonic, eq=False, repr=False)

    def backoff(self, retry: int) -> float:
        """The wait before a retry, jitter included.

        Args:
            retry: which retry it is: 1 for the first.

        Returns:
            Seconds to wait: at most ``min(max_delay, base_delay * 2 ** (retry - 1))``, spread by ``jitter``.
        """
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
        self.repeatable = is_repeatable(request)
        self.tries = 1
        self.this_try = 1
        self.try_started: float | None = None  # for the log line; None when no one would see it
        self.started = policy.clock()
        # What httpx's client asked for; each try gets these, cut down to the time the call has left.
        self.timeouts = dict(request.extensions.get("timeout") or {})

    def before_try(self) -> None:
        """Bound this try's timeouts by the call's deadline; past it, fail as "never sent"."""
        self.this_try = self.tries
        self.try_started = _logging.try_started()
        _call.record_request(self.request, may_move_money=not self.repeatable)
        left = _call.remaining()
        if left is None:
            return
        if left <= 0:
            raise httpx.PoolTimeout(
                "the call's deadline passed before the request was sent", request=self.request
            )
        capped = {}
        for key in _TIMEOUT_KEYS:
            value = self.timeouts.get(key)
            capped[key] = left if value is None else min(value, left)
        self.request.extensions["timeout"] = capped

    def after_error(
        self, exc: httpx.TransportError, status_code: int | None = None, location: str | None = None
    ) -> float | K2AmbiguousOutcomeError | None:
        """The wait before the next try; ``None`` to re-raise ``exc``; or the ambiguous outcome to raise
        instead, when a request that may move money may have been sent."""
        never_sent = status_code is None and isinstance(exc, _NEVER_SENT)
        if isinstance(exc, httpx.UnsupportedProtocol):  # rejected before any connection: nothing was sent
            return None
        if not self.repeatable and not never_sent:
            reason = f"{type(exc).__name__} while {'reading the answer' if status_code else 'waiting for it'}"
            return ambiguous_outcome_error(
                self.request, reason=reason, status_code=status_code, location=location
            )
        if isinstance(exc, ResponseTooLarge) or not (never_sent or isinstance(exc, _TRANSIENT)):
            return None
        return self._next_wait(None, type(exc).__name__)

    def after_response(self, response: httpx.Response) -> float | None:
        _call.record_status(response.status_code, of_money_request=not self.repeatable)
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
        left = _call.remaining()
        if left is not None and wait >= left:  # the retry could not finish in time: stop now
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

    def log_try(
        self,
        decision: float | K2AmbiguousOutcomeError | None,
        status: int | None,
        error: BaseException | None = None,
        location: str | None = None,
    ) -> None:
        """Log this try (``k2connect.http``): what came back, how long it took, and what happens next."""
        if self.try_started is None:  # logging is off: nothing to format
            return
        _logging.log_try(
            self.request,
            self.try_started,
            status=status,
            error=error,
            attempt=self.this_try,
            max_attempts=self.policy.max_attempts,
            retry_in=None if decision is None or isinstance(decision, K2AmbiguousOutcomeError) else decision,
            may_have_reached_k2=isinstance(decision, K2AmbiguousOutcomeError),
            location=location,
        )

    def check_length(self, response: httpx.Response) -> None:
        """Refuse, before reading it, a body whose declared length is over the limit."""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.policy.max_response_bytes:
            raise ResponseTooLarge(self.policy.max_response_bytes, request=self.request)

    def guard(self, stream: Iterator[bytes]) -> Iterator[bytes]:
        """Pass body chunks through, enforcing the size limit and the call's deadline between chunks."""
        seen = 0
        for chunk in stream:
            seen += len(chunk)
            self._check_chunk(seen)
            yield chunk

    async def aguard(self, stream: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        """The asyncio twin of :meth:`guard`."""
        seen = 0
        async for chunk in stream:
            seen += len(chunk)
            self._check_chunk(seen)
            yield chunk

    def _check_chunk(self, seen: int) -> None:
        if seen > self.policy.max_response_bytes:
            raise ResponseTooLarge(self.policy.max_response_bytes, request=self.request)
        left = _call.remaining()
        if left is not None and left <= 0:
            raise httpx.ReadTimeout(
                "the call's deadline passed while the answer was read", request=self.request
            )


class _GuardedStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, attempts: _Attempts) -> None:
        self._inner = inner
        self._attempts = attempts

    def __iter__(self) -> Iterator[bytes]:
        return self._attempts.guard(iter(self._inner))

    def close(self) -> None:
        self._inner.close()


class _AsyncGuardedStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, attempts: _Attempts) -> None:
        self._inner = inner
        self._attempts = attempts

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._attempts.aguard(self._inner.__aiter__())

    async def aclose(self) -> None:
        await self._inner.aclose()


def _read(response: httpx.Response, attempts: _Attempts) -> None:
    try:
        attempts.check_length(response)
        assert isinstance(response.stream, httpx.SyncByteStream)
        response.stream = _GuardedStream(response.stream, attempts)
        response.read()
    except BaseException:
        response.close()
        raise


async def _aread(response: httpx.Response, attempts: _Attempts) -> None:
    try:
        attempts.check_length(response)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _AsyncGuardedStream(response.stream, attempts)
        await response.aread()
    except BaseException:
        await response.aclose()
        raise


class RetryingTransport(httpx.BaseTransport):
    """Wraps a transport with the retry rules of :mod:`k2connect_ext._retry` (``httpx.Client``)."""

    def __init__(self, inner: httpx.BaseTransport, policy: RetryPolicy | None = None) -> None:
        self.inner = inner
        self.policy = policy if policy is not None else RetryPolicy()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and read its answer, retrying as the policy and the request's safety allow."""
        attempts = _Attempts(self.policy, request)
        while True:
            status: int | None = None
            location: str | None = None
            try:
                attempts.before_try()
                response = self.inner.handle_request(request)
                status, location = response.status_code, created_location(response)
                _read(response, attempts)
            except httpx.TransportError as exc:
                decision = attempts.after_error(exc, status, location)
                attempts.log_try(decision, status, exc)
                if decision is None:
                    raise
            else:
                decision = attempts.after_response(response)
                attempts.log_try(decision, status, location=location)
                if decision is None:
                    return response
                response.close()  # discarded: give its connection back to the pool
            # Raised here, outside the except block, so it does not chain the httpx exception.
            if isinstance(decision, K2AmbiguousOutcomeError):
                raise detached(decision)
            self.policy.sleep(decision)

    def close(self) -> None:
        """Close the wrapped transport."""
        self.inner.close()


class AsyncRetryingTransport(httpx.AsyncBaseTransport):
    """The asyncio twin of :class:`RetryingTransport` (``httpx.AsyncClient``)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, policy: RetryPolicy | None = None) -> None:
        self.inner = inner
        self.policy = policy if policy is not None else RetryPolicy()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and read its answer, retrying as the policy and the request's safety allow."""
        attempts = _Attempts(self.policy, request)
        while True:
            status: int | None = None
            location: str | None = None
            try:
                attempts.before_try()
                left = _call.remaining()
                # A backstop past the precise limits (capped timeouts, the deadline-aware sockets): a
                # transport that cannot cap each socket wait still ends within the call's deadline.
                async with asyncio.timeout(None if left is None else left + _BACKSTOP_SECONDS):
                    response = await self.inner.handle_async_request(request)
                    status, location = response.status_code, created_location(response)
                    await _aread(response, attempts)
            except TimeoutError:
                exc = httpx.ReadTimeout("the call's deadline passed", request=request)
                decision = attempts.after_error(exc, status, location)
                attempts.log_try(decision, status, exc)
                if decision is None:
                    raise exc from None
            except httpx.TransportError as exc:
                decision = attempts.after_error(exc, status, location)
                attempts.log_try(decision, status, exc)
                if decision is None:
                    raise
            else:
                decision = attempts.after_response(response)
                attempts.log_try(decision, status, location=location)
                if decision is None:
                    return response
                await response.aclose()
            if isinstance(decision, K2AmbiguousOutcomeError):
                raise detached(decision)
            await self.policy.async_sleep(decision)

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self.inner.aclose()
