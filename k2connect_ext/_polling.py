"""Follow a ``Location`` until the resource reaches a terminal state: ``wait_for`` and ``async_wait_for``.

The loop GETs the resource with capped exponential backoff until it succeeds, fails, or an overall deadline
passes. Reads are safe to repeat, so transient trouble (connection errors, 429, 5xx) only delays the next
read; a 4xx (bad token, unknown id) ends the wait at once. The clock and the sleep are injectable, so tests
never sleep. Both twins share ``_Waiter`` so they cannot drift apart.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable

import attrs
from k2connect_client import AuthenticatedClient

from k2connect_ext import _call
from k2connect_ext._exceptions import (
    K2ConfigError,
    K2ConnectionError,
    K2PaymentFailedError,
    K2PollTimeoutError,
    K2RateLimitError,
    K2ServerError,
)
from k2connect_ext._locations import LocationRef, Resource, aread, parse_location, read
from k2connect_ext._outcomes import Outcome, State, outcome_of
from k2connect_ext._settings import positive_finite

__all__ = ["PollSettings", "async_wait_for", "wait_for"]

logger = logging.getLogger("k2connect.polling")


def _finite_positive(_instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not positive_finite(value):
        raise K2ConfigError(f"{attribute.name} must be a finite number of seconds above 0, got {value!r}")


def _at_least_one(_instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 1:
        raise K2ConfigError(f"{attribute.name} must be a finite number of at least 1, got {value!r}")


@attrs.frozen
class PollSettings:
    """How ``wait()`` waits: the first interval, its growth and cap, and the overall deadline.

    ``timeout`` bounds the whole wait, each read included: the wait returns or raises by then, whatever
    the server does. Non-finite, zero or negative values are refused with ``K2ConfigError``. Give one to
    ``K2(poll=PollSettings(timeout=300))``; ``wait(timeout=...)`` overrides the timeout for one wait.

    Attributes:
        timeout: the most seconds a wait takes, every read included (120 by default).
        interval: seconds before the second read (1 by default).
        max_interval: the longest pause between reads (10 by default).
        backoff: how much each pause grows, at least 1 (1.5 by default); a ``Retry-After`` K2 sends
            lengthens the next one.
        clock: monotonic seconds (``time.monotonic``); injectable in tests.
    """

    timeout: float = attrs.field(default=120.0, validator=_finite_positive)
    interval: float = attrs.field(default=1.0, validator=_finite_positive)
    max_interval: float = attrs.field(default=10.0, validator=_finite_positive)
    backoff: float = attrs.field(default=1.5, validator=_at_least_one)
    clock: Callable[[], float] = time.monotonic


@attrs.define
class _Waiter:
    """The decisions of one wait, free of I/O."""

    ref: LocationRef
    settings: PollSettings
    raise_on_failure: bool
    deadline: float = 0.0
    delay: float = 0.0
    last: Resource | None = None
    last_status: str | None = None
    last_error: Exception | None = None
    reads: int = 0

    def start(self) -> None:
        self.deadline = self.settings.clock() + self.settings.timeout
        self.delay = self.settings.interval
        logger.debug(
            "Following the Location of %s %s for up to %g s",
            self.ref.kind,
            self.ref.id,
            self.settings.timeout,
        )

    def on_resource(self, model: Resource) -> bool:
        """Record a read; True when the wait is over (success returns, failure raises)."""
        self.last, self.last_error = model, None
        self.reads += 1
        outcome: Outcome = outcome_of(self.ref.kind, model.to_dict())
        self.last_status = outcome.status
        logger.debug("%s %s is %s (read %d)", self.ref.kind, self.ref.id, outcome.status, self.reads)
        if outcome.state is State.FAILED and self.raise_on_failure:
            raise K2PaymentFailedError(
                f"{self.ref.kind} {self.ref.id} ended {outcome.status}: {outcome.reason}",
                location=self.ref.location,
                resource=model,
                status=outcome.status,
                reason=outcome.reason,
            )
        return outcome.terminal

    def on_error(self, error: Exception) -> None:
        """A transient read error (see ``_read_errors``) delays the next read, honouring Retry-After."""
        self.last_error = error
        self.reads += 1
        logger.debug(
            "%s %s: read %d failed (%s)", self.ref.kind, self.ref.id, self.reads, type(error).__name__
        )
        hint = getattr(error, "retry_after", None)
        if isinstance(hint, int | float) and hint > self.delay:
            self.delay = float(hint)

    def next_sleep(self) -> float:
        """Seconds to sleep before the next read; ``K2PollTimeoutError`` if the deadline would pass."""
        remaining = self.deadline - self.settings.clock()
        if remaining <= 0:
            raise K2PollTimeoutError(
                f"{self.ref.kind} {self.ref.id} still {self.last_status or 'unread'} after "
                f"{self.settings.timeout:g} s",
                location=self.ref.location,
                resource=self.last,
                last_status=self.last_status,
            ) from self.last_error
        sleep = min(self.delay, remaining)
        self.delay = min(self.delay * self.settings.backoff, self.settings.max_interval)
        logger.debug("%s %s: next read in %.3g s", self.ref.kind, self.ref.id, sleep)
        return sleep


def _read_errors() -> tuple[type[Exception], ...]:
    return (K2ConnectionError, K2ServerError, K2RateLimitError)


def wait_for(
    client: AuthenticatedClient,
    location: str,
    *,
    settings: PollSettings | None = None,
    sleep: Callable[[float], None] = time.sleep,
    raise_on_failure: bool = True,
) -> Resource:
    """Read ``location`` through a generated client until K2 reports it finished (``K2.wait_for`` without K2).

    Reads are spaced with capped exponential backoff; a connection error, 429 or 5xx only delays the next
    read, and any other error status ends the wait at once.

    Args:
        client: a client from :func:`~k2connect_ext.connect`.
        location: the ``Location`` K2 answered a create with (absolute or relative).
        settings: how to wait; ``PollSettings()`` (up to 120 s) if None.
        sleep: how to sleep between reads (``time.sleep``); injectable in tests.
        raise_on_failure: raise ``K2PaymentFailedError`` for a failed resource (default); False returns it.

    Returns:
        The finished resource's model (an ``IncomingPaymentResult`` for an STK push).

    Raises:
        K2InputError: ``location`` is no K2 resource Location this SDK can read.
        K2PaymentFailedError: it failed; the resource, its ``status`` and ``reason`` are attached.
        K2PollTimeoutError: it was not finished within ``settings.timeout``; the last resource is attached.
        K2APIError: K2 refused a read with a status that waiting cannot cure (401, 403, 404).
        K2UnexpectedResponseError: K2 answered with a body that is not the resource.
    """
    ref = parse_location(location)
    waiter = _Waiter(ref, settings or PollSettings(), raise_on_failure)
    waiter.start()
    # Every read shares the wait's deadline, so a slow or hung read cannot outlast it.
    with _call.scope(f"wait_for {ref.kind}", timeout=waiter.settings.timeout):
        while True:
            try:
                resource = read(client, ref)
                if waiter.on_resource(resource):
                    return resource
            except _read_errors() as error:
                waiter.on_error(error)
            sleep(waiter.next_sleep())


async def async_wait_for(
    client: AuthenticatedClient,
    location: str,
    *,
    settings: PollSettings | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    raise_on_failure: bool = True,
) -> Resource:
    """The asyncio twin of :func:`wait_for`, for a client from :func:`~k2connect_ext.async_connect`.

    Args:
        client: a client from :func:`~k2connect_ext.async_connect`.
        location: the ``Location`` K2 answered a create with (absolute or relative).
        settings: how to wait; ``PollSettings()`` (up to 120 s) if None.
        sleep: how to sleep between reads (``asyncio.sleep``); injectable in tests.
        raise_on_failure: raise ``K2PaymentFailedError`` for a failed resource (default); False returns it.

    Returns:
        The finished resource's model.

    Raises:
        K2InputError: ``location`` is no K2 resource Location this SDK can read.
        K2PaymentFailedError: it failed; the resource, its ``status`` and ``reason`` are attached.
        K2PollTimeoutError: it was not finished within ``settings.timeout``; the last resource is attached.
        K2APIError: K2 refused a read with a status that waiting cannot cure (401, 403, 404).
        K2UnexpectedResponseError: K2 answered with a body that is not the resource.
    """
    ref = parse_location(location)
    waiter = _Waiter(ref, settings or PollSettings(), raise_on_failure)
    waiter.start()
    with _call.scope(f"wait_for {ref.kind}", timeout=waiter.settings.timeout):
        while True:
            try:
                resource = await aread(client, ref)
                if waiter.on_resource(resource):
                    return resource
            except _read_errors() as error:
                waiter.on_error(error)
            await sleep(waiter.next_sleep())
