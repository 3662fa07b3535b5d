"""A framework-neutral webhook receiver: raw bytes and headers in, a status and body out.

One place decides what K2 is answered, so every framework adapter behaves the same:

===========================  ======  =======================================================================
outcome                      status  why
===========================  ======  =======================================================================
body over the size limit     413     ``max_body_bytes`` (1 MiB by default); adapters answer it from
                                     ``Content-Length`` before reading, or stop reading at the limit
bad or missing signature     401     not from K2 (or the wrong API key): never parsed, never handled
malformed body               400     signed by K2 but unusable (including an id no deduplicator can
                                     store); logged so it can be looked into
accepted                     200     the handler returned; the event is marked done
duplicate                    200     already done: acknowledged so K2 stops redelivering, not handled
in progress                  503     another delivery of the event is being handled right now; with
                                     ``Retry-After``, so K2 comes back once that run has finished
deduplicator failed          500     the store did not answer: nothing was run, nothing marked
intent ledger failed         500     settling the callback's intent failed: the handler did not run, the
                                     claim is released, so K2's redelivery settles it once the store is back
handler failed               500     the claim is released first, so K2's redelivery is processed
===========================  ======  =======================================================================

The deduplicator is claimed *before* the handler runs (see ``_dedup``), and only a handler that returned
marks the event done. A copy that arrives while the first is still running (K2 redelivers when the first
delivery times out) is not acknowledged: the first run may still fail, and its 500 would then reach nobody,
since K2 stopped waiting for it. If the claim can be neither released nor marked done (the store went away
meanwhile), it lapses after the deduplicator's lease and a later redelivery is processed: nothing is marked
as seen that was not processed. Events of an unknown kind carry no safe id, so they always reach the
handler (which may ignore them) and are acknowledged.

With a ``ledger=`` (the payment intents' ledger, see :class:`~k2connect_ext.SQLiteLedger`), a verified
result that carries an intent's tag (in its ``metadata``, or in the query string of the URL it was posted
to: ``handle(..., url=)``) settles that intent (``succeeded`` / ``failed``, the M-PESA reference kept) before
the handler runs, and the handler gets it as ``event.intent``. Only after the signature is verified, the
body parsed and the deduplicator's claim taken: an unsigned body never reaches the ledger, and a copy of an
event another delivery is handling does not settle twice. A tag this ledger does not know (another
system's, a ledger that was reset) is logged once and the handler still runs, with ``event.intent`` None.
A transaction polling result settles the STK push intents its payments match one to one
(``Intents.settle_from_polling``). Webhooks, and other results without a tag, never touch the ledger.

Nothing here logs the signature, the API key or the body: logs get the event kind, topic and id only (and
an intent's id, which is no secret).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import logging
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable
from typing import Any, Final

import attrs

from k2connect_ext._exceptions import K2ConfigError, WebhookPayloadError, WebhookSignatureError
from k2connect_ext._intent import Intent
from k2connect_ext._intent_poll import asettle_from_polling, settle_from_polling
from k2connect_ext._intent_settle import asettle, settle
from k2connect_ext._intent_tag import intent_id_of
from k2connect_ext._ledger import AsyncLedger, Ledger
from k2connect_ext._logging import configure_from_environment
from k2connect_ext._sealed import sealed
from k2connect_ext.webhooks._body_limit import (
    DEFAULT_MAX_BODY_BYTES,
    aread_limited,
    checked_limit,
    declared_length,
    read_limited,
)
from k2connect_ext.webhooks._dedup import AsyncDeduplicator, Claim, ClaimState, Deduplicator
from k2connect_ext.webhooks._events import EventKind, K2Event, parse_event
from k2connect_ext.webhooks._signatures import (
    ApiKeys,
    HeaderItems,
    RawBody,
    WebhookKeys,
    verify_request_headers,
    webhook_keys,
)

__all__ = [
    "AsyncHandler",
    "AsyncWebhookReceiver",
    "Handler",
    "ReceiverResponse",
    "WebhookReceiver",
]

logger = logging.getLogger("k2connect.webhooks")

Handler = Callable[[K2Event], object]
AsyncHandler = Callable[[K2Event], Awaitable[object] | object]


@attrs.frozen
class ReceiverResponse:
    """What to answer K2: an HTTP status, a small JSON body, and any extra headers (``Retry-After``).

    The receivers' answers: 200 (accepted, or a duplicate), 400 (a malformed body), 401 (a bad signature),
    413 (too large), 500 (the handler, the ledger or the deduplicator failed: K2 delivers again), 503 (another
    delivery of the event is being processed: retry later).

    Attributes:
        status: the HTTP status.
        body: the JSON body, e.g. ``{"status":"accepted"}``.
        content_type: its media type.
        headers: extra headers, as (name, value) pairs (``Retry-After`` with a 503).
    """

    status: int
    body: bytes
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()


def _answer(
    http_status: int, outcome: str, error: str | None = None, headers: tuple[tuple[str, str], ...] = ()
) -> ReceiverResponse:
    fields = {"status": outcome} if error is None else {"status": outcome, "error": error}
    return ReceiverResponse(http_status, json.dumps(fields, separators=(",", ":")).encode(), headers=headers)


ACCEPTED: Final = _answer(200, "accepted")
DUPLICATE: Final = _answer(200, "duplicate")
# Another delivery of the event holds its claim and its handler is still running. 503 rather than 409:
# K2 documents no retry policy, and a 4xx may read as "do not retry" to it, while every at-least-once sender
# retries a 503, the status that says "temporarily unable, come back" (Retry-After: when). Never 200: the
# run in progress may yet fail, and K2 must then still have a copy of the event to send.
RETRY_AFTER_SECONDS: Final = 5
IN_PROGRESS: Final = _answer(
    503,
    "in_progress",
    "the event is being processed; retry later",
    (("Retry-After", str(RETRY_AFTER_SECONDS)),),
)
# The 401 body does not say which check failed: whoever sent it is not K2 and gets no help probing.
UNAUTHORIZED: Final = _answer(401, "rejected", "invalid signature")
# No exception text in a 500: it may quote internals of the user's handler.
FAILED: Final = _answer(500, "error", "the event could not be processed; it will be retried")


def configured_keys(api_key: ApiKeys) -> WebhookKeys:
    """The key(s) to verify with, checked once at start-up rather than failing every request.

    An unset environment variable shows up here as "" or None, and would otherwise only surface as a
    stream of 401s; at start-up it is a configuration error.
    """
    try:
        return webhook_keys(api_key)
    except WebhookSignatureError as exc:
        error = K2ConfigError(f"webhook receiver: {exc}")
    raise error  # outside the except block: nothing chained


class _ReceiverBase:
    def __init__(self, api_key: ApiKeys, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        # A process that only receives (no client made) honours K2CONNECT_LOG as well.
        configure_from_environment()
        self._keys = configured_keys(api_key)
        self._max_body = checked_limit(max_body_bytes)
        self._too_large = _answer(413, "rejected", f"the body is larger than {self._max_body} bytes")

    @property
    def max_body_bytes(self) -> int:
        """Bodies larger than this are answered 413 without being verified or parsed."""
        return self._max_body

    def read_body(self, headers: HeaderItems, chunks: Iterable[RawBody]) -> bytes | ReceiverResponse:
        """The body, read from ``chunks`` (lazily: a stream's reads) up to the limit, or the 413 answer.

        For adapters: a ``Content-Length`` over the limit is refused before the first chunk is read; a
        body that turns out longer (chunked, or a lying ``Content-Length``) is refused as soon as it passes
        the limit, with the rest left unread.

        Args:
            headers: the request's headers (for ``Content-Length``).
            chunks: the body's pieces, as the framework streams them.

        Returns:
            The whole body, for :meth:`handle`; or the 413 answer to send instead.
        """
        if self._declared_too_large(headers):
            return self._too_large
        body = read_limited(chunks, self._max_body)
        return self._refused_too_large() if body is None else body

    async def aread_body(
        self, headers: HeaderItems, chunks: AsyncIterable[RawBody]
    ) -> bytes | ReceiverResponse:
        """The asyncio twin of :meth:`read_body` (``request.stream()`` in Starlette).

        Args:
            headers: the request's headers (for ``Content-Length``).
            chunks: the body's pieces, as the framework streams them.

        Returns:
            The whole body, for :meth:`handle`; or the 413 answer to send instead.
        """
        if self._declared_too_large(headers):
            return self._too_large
        body = await aread_limited(chunks, self._max_body)
        return self._refused_too_large() if body is None else body

    def _declared_too_large(self, headers: HeaderItems) -> bool:
        declared = declared_length(headers)
        if declared is not None and declared > self._max_body:
            logger.warning("K2 webhook refused (413): Content-Length %d over the limit", declared)
            return True
        return False

    def _refused_too_large(self) -> ReceiverResponse:
        logger.warning("K2 webhook refused (413): body over the limit of %d bytes", self._max_body)
        return self._too_large

    def _authenticate(self, body: RawBody, headers: HeaderItems) -> K2Event | ReceiverResponse:
        """Check the size, verify, then parse; an answer instead of an event when any fails."""
        size = body.nbytes if isinstance(body, memoryview) else len(body) if isinstance(body, RawBody) else 0
        if size > self._max_body:
            return self._refused_too_large()
        try:
            verify_request_headers(body, headers, self._keys)
        except WebhookSignatureError as exc:
            # The message names the failure only; it never contains the signature or the key.
            logger.warning("K2 webhook refused (401): %s", exc)
            return UNAUTHORIZED
        try:
            event = parse_event(body)
        except WebhookPayloadError as exc:
            logger.warning("K2 webhook refused (400): %s", exc)
            return _answer(400, "rejected", str(exc))
        logger.debug("K2 %s received: topic=%s id=%s", event.kind.value, event.topic, event.id)
        return event

    @staticmethod
    def _tag_of(event: K2Event, url: str | None) -> str | None:
        """The intent id a verified result carries (metadata, or the query of ``url``); None for the rest."""
        if event.kind is not EventKind.RESULT:
            return None
        return intent_id_of(event.raw, url)

    @staticmethod
    def _with_intent(event: K2Event, intent_id: str, intent: Intent | None) -> K2Event:
        """``event`` carrying its settled intent; an id the ledger does not know is logged, and left out."""
        if intent is None:
            logger.warning(
                "K2 %s %s: carries intent %s, which the ledger does not know (another system's tag, or a "
                "ledger that was reset); handled without it",
                event.topic,
                event.id,
                intent_id,
            )
            return event
        logger.debug("K2 %s %s: intent %s is %s", event.topic, event.id, intent.id, intent.state.value)
        return attrs.evolve(event, intent=intent)

    @staticmethod
    def _taken(event: K2Event, claim: Claim) -> ReceiverResponse:
        """The answer to a copy whose claim someone else holds: in progress (retry later) or done."""
        if claim.state is ClaimState.IN_FLIGHT:
            logger.info("K2 %s %s: being processed by another delivery; answering 503", event.topic, event.id)
            return IN_PROGRESS
        logger.info("K2 %s %s: duplicate, acknowledged", event.topic, event.id)
        return DUPLICATE


class WebhookReceiver(_ReceiverBase):
    """Verify, parse, deduplicate and hand each K2 webhook or callback to ``handler`` (blocking).

    Args:
        api_key: the K2 application's API key, or several during a key rotation.
        handler: called with each new :class:`K2Event`. Return normally to acknowledge; raise to have K2
            redeliver. Must be a plain function: an async handler needs :class:`AsyncWebhookReceiver`.
        deduplicator: remembers which event ids are in flight and which are done
            (:class:`~k2connect_ext.webhooks.MemoryDeduplicator`, or a shared one such as
            :class:`~k2connect_ext.webhooks.SQLiteDeduplicator` when several workers receive). Without one,
            every delivery reaches the handler, which must then be idempotent itself.
        ledger: the payment intents' :class:`~k2connect_ext.Ledger`: a verified result tagged with one
            of its intents settles that intent before the handler runs, which sees it as ``event.intent``
            (see the module docstring). A ledger that fails meanwhile is answered 500, so K2 redelivers.
        max_body_bytes: bodies larger than this are answered 413 unverified (default 1 MiB).

    Raises:
        K2ConfigError: empty API key, or a ``max_body_bytes`` that is not a positive int.
        TypeError: an async handler, a deduplicator that is not a :class:`Deduplicator`, or a ledger that
            is not a blocking :class:`~k2connect_ext.Ledger`.
    """

    @sealed  # a refused key must not stay in the frames a reporter prints
    def __init__(
        self,
        api_key: ApiKeys,
        handler: Handler,
        *,
        deduplicator: Deduplicator | None = None,
        ledger: Ledger | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        super().__init__(api_key, max_body_bytes)
        if _is_async_callable(handler):
            # Called without an await, it would return a coroutine that never runs: the event would be
            # acknowledged and lost.
            raise TypeError("handler is async: use AsyncWebhookReceiver (or a sync handler)")
        if deduplicator is not None and not isinstance(deduplicator, Deduplicator):
            raise TypeError(
                f"deduplicator must have claim/complete/release/contains, got {type(deduplicator).__name__}"
            )
        if ledger is not None and not isinstance(ledger, Ledger):
            raise TypeError(
                f"ledger must be a blocking Ledger (such as SQLiteLedger), got {type(ledger).__name__}"
            )
        self._handler = handler
        self._dedup = deduplicator
        self._ledger = ledger

    def handle(self, body: RawBody, headers: HeaderItems, *, url: str | None = None) -> ReceiverResponse:
        """Process one request: verify, parse, deduplicate, settle its intent, run the handler.

        Never raises for what K2 or a sender did: every outcome is an answer to send back.

        Args:
            body: the request's raw body, the exact bytes received.
            headers: the request's headers (the signature is read from them).
            url: the URL the request was posted to (the adapters pass it): its query string may carry a
                payment intent's tag (settlement transfers, whose results carry no metadata).

        Returns:
            What to answer: 200 accepted or duplicate, 400, 401, 413, 500 (the handler, ledger or
                deduplicator failed; nothing is marked done, so K2's next delivery is processed) or 503
                (another delivery of it is running).
        """
        outcome = self._authenticate(body, headers)
        # Verified: the signature is not needed again, and a handler's error logged below would carry this
        # frame's locals (Sentry, rich) with it.
        del headers
        if isinstance(outcome, ReceiverResponse):
            return outcome
        event = outcome
        claim = None
        if self._dedup is not None and event.dedup_key is not None:
            try:
                claim = self._dedup.claim(event.dedup_key)
            except Exception:
                logger.exception("K2 %s %s: deduplicator failed; answering 500", event.topic, event.id)
                return FAILED
            if claim.state is not ClaimState.NEW:
                return self._taken(event, claim)
        failing = _LEDGER
        try:
            event = self._settled(event, url)
            failing = _HANDLER
            result = self._handler(event)
            if inspect.isawaitable(result):
                if inspect.iscoroutine(result):
                    result.close()  # no "never awaited" warning on top of the real error
                raise TypeError("handler returned an awaitable: use AsyncWebhookReceiver")
        except Exception:
            logger.exception(
                "K2 %s %s: %s failed; answering 500 so K2 redelivers", event.topic, event.id, failing
            )
            self._release(claim)
            return FAILED
        except BaseException:  # KeyboardInterrupt, SystemExit: still give the event back before leaving
            self._release(claim)
            raise
        if claim is not None:
            self._complete(claim)
        return ACCEPTED

    def _settled(self, event: K2Event, url: str | None) -> K2Event:
        """``event`` with its intent settled from it, if it is a result tagged with one (and a ledger)."""
        if self._ledger is None:
            return event
        if str(event.topic) == POLLING:  # the till's payments: they may settle STK pushes lost in flight
            settle_from_polling(self._ledger, event.raw)
            return event
        intent_id = self._tag_of(event, url)
        if intent_id is None:
            return event
        intent = self._ledger.get_by_id(intent_id)
        if intent is not None:
            intent = settle(self._ledger, intent, event.raw)
        return self._with_intent(event, intent_id, intent)

    def _release(self, claim: Claim | None) -> None:
        if self._dedup is None or claim is None:
            return
        try:
            self._dedup.release(claim)
        except Exception:
            _release_failed(claim)

    def _complete(self, claim: Claim) -> None:
        assert self._dedup is not None  # there is a claim, so there is a deduplicator
        try:
            completed = self._dedup.complete(claim)
        except Exception:
            _complete_failed(claim)
            return
        if not completed:
            _completed_late(claim)


class AsyncWebhookReceiver(_ReceiverBase):
    """The async twin of :class:`WebhookReceiver`, for ASGI frameworks.

    ``handler`` may be async (awaited) or sync (called on the event loop, so keep it quick; the Starlette
    adapter moves sync handlers to a worker thread). ``deduplicator`` may be an
    :class:`~k2connect_ext.webhooks.AsyncDeduplicator` or a blocking one, which then runs in a worker thread.
    ``ledger`` may be an :class:`~k2connect_ext.AsyncLedger` or a blocking :class:`~k2connect_ext.Ledger`,
    which is then wrapped in one (its calls run in worker threads).

    Args:
        api_key: the K2 application's API key, or several during a key rotation.
        handler: called with each new :class:`K2Event`, and awaited if it returns an awaitable. Return
            normally to acknowledge; raise to have K2 redeliver.
        deduplicator: remembers which event ids are in flight and which are done (an async or a blocking
            one); without one, every delivery reaches the handler.
        ledger: the payment intents' ledger: a verified result tagged with one of its intents settles that
            intent before the handler runs, which sees it as ``event.intent``.
        max_body_bytes: bodies larger than this are answered 413 unverified (default 1 MiB).

    Raises:
        K2ConfigError: empty API key, or a ``max_body_bytes`` that is not a positive int.
        TypeError: a deduplicator or a ledger of neither kind.
    """

    @sealed  # a refused key must not stay in the frames a reporter prints
    def __init__(
        self,
        api_key: ApiKeys,
        handler: AsyncHandler,
        *,
        deduplicator: AsyncDeduplicator | Deduplicator | None = None,
        ledger: Ledger | AsyncLedger | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        super().__init__(api_key, max_body_bytes)
        if deduplicator is not None and not isinstance(deduplicator, AsyncDeduplicator | Deduplicator):
            raise TypeError(
                "deduplicator needs aclaim/acomplete/arelease/acontains or claim/complete/release/contains, "
                f"got {type(deduplicator).__name__}"
            )
        if ledger is not None and not isinstance(ledger, Ledger | AsyncLedger):
            raise TypeError(f"ledger must be a Ledger or an AsyncLedger, got {type(ledger).__name__}")
        self._handler = handler
        self._dedup = deduplicator
        self._ledger = AsyncLedger(ledger) if isinstance(ledger, Ledger) else ledger

    async def handle(
        self, body: RawBody, headers: HeaderItems, *, url: str | None = None
    ) -> ReceiverResponse:
        """Process one request: verify, parse, deduplicate, settle its intent, run the handler.

        Never raises for what K2 or a sender did: every outcome is an answer to send back.

        Args:
            body: the request's raw body, the exact bytes received.
            headers: the request's headers (the signature is read from them).
            url: the URL the request was posted to (the adapters pass it): its query string may carry a
                payment intent's tag (settlement transfers, whose results carry no metadata).

        Returns:
            What to answer: 200 accepted or duplicate, 400, 401, 413, 500 (the handler, ledger or
                deduplicator failed; nothing is marked done, so K2's next delivery is processed) or 503
                (another delivery of it is running).
        """
        outcome = self._authenticate(body, headers)
        # Verified: the signature is not needed again, and a handler's error logged below would carry this
        # frame's locals (Sentry, rich) with it.
        del headers
        if isinstance(outcome, ReceiverResponse):
            return outcome
        event = outcome
        claim = None
        if self._dedup is not None and event.dedup_key is not None:
            try:
                claim = await self._claim(self._dedup, event.dedup_key)
            except Exception:
                logger.exception("K2 %s %s: deduplicator failed; answering 500", event.topic, event.id)
                return FAILED
            if claim.state is not ClaimState.NEW:
                return self._taken(event, claim)
        failing = _LEDGER
        try:
            event = await self._settled(event, url)
            failing = _HANDLER
            result = self._handler(event)
            if inspect.isawaitable(result):
                await result
        except Exception:
            logger.exception(
                "K2 %s %s: %s failed; answering 500 so K2 redelivers", event.topic, event.id, failing
            )
            await self._release(claim)
            return FAILED
        except BaseException:  # cancelled (client gone, shutdown): give the event back before leaving
            await asyncio.shield(self._release(claim))
            raise
        if claim is not None:
            # Shielded: a cancellation now (the client went away) must not leave a processed event unmarked.
            await asyncio.shield(self._complete(claim))
        return ACCEPTED

    async def _settled(self, event: K2Event, url: str | None) -> K2Event:
        """Async twin of :meth:`WebhookReceiver._settled`."""
        if self._ledger is None:
            return event
        if str(event.topic) == POLLING:
            await asettle_from_polling(self._ledger, event.raw)
            return event
        intent_id = self._tag_of(event, url)
        if intent_id is None:
            return event
        intent = await self._ledger.get_by_id(intent_id)
        if intent is not None:
            intent = await asettle(self._ledger, intent, event.raw)
        return self._with_intent(event, intent_id, intent)

    @staticmethod
    async def _claim(dedup: AsyncDeduplicator | Deduplicator, key: str) -> Claim:
        if isinstance(dedup, AsyncDeduplicator):
            return await dedup.aclaim(key)
        return await asyncio.to_thread(dedup.claim, key)

    async def _release(self, claim: Claim | None) -> None:
        dedup = self._dedup
        if dedup is None or claim is None:
            return
        try:
            if isinstance(dedup, AsyncDeduplicator):
                await dedup.arelease(claim)
            else:
                await asyncio.to_thread(dedup.release, claim)
        except Exception:
            _release_failed(claim)

    async def _complete(self, claim: Claim) -> None:
        dedup = self._dedup
        assert dedup is not None  # there is a claim, so there is a deduplicator
        try:
            if isinstance(dedup, AsyncDeduplicator):
                completed = await dedup.acomplete(claim)
            else:
                completed = await asyncio.to_thread(dedup.complete, claim)
        except Exception:
            _complete_failed(claim)
            return
        if not completed:
            _completed_late(claim)


# What failed, for the log line of a 500: settling the event's intent (the store), or the user's handler.
_LEDGER: Final = "the intent ledger"
POLLING: Final = "polling"  # the result type of transaction polling
_HANDLER: Final = "handler"


def _release_failed(claim: Claim) -> None:
    # The claim stays in flight until its lease lapses; K2's redeliveries meanwhile are told to retry
    # later, and the first one after that is processed. Nothing is lost, but it is worth knowing.
    logger.exception(
        "K2 event %s: could not release its claim (the store did not answer); a redelivery is processed "
        "once the claim's lease lapses",
        claim.event_id,
    )


def _complete_failed(claim: Claim) -> None:
    # The event was processed and is acknowledged: K2 will not redeliver it. Its claim lapses after the
    # lease, after which a replay of the same request would be processed again.
    logger.exception(
        "K2 event %s: processed, but could not be marked done (the store did not answer); its claim lapses "
        "after the lease",
        claim.event_id,
    )


def _completed_late(claim: Claim) -> None:
    logger.warning(
        "K2 event %s: the handler outlasted the claim's lease and another delivery took the event over, so "
        "it may have been processed twice: raise the deduplicator's lease_seconds above your slowest handler",
        claim.event_id,
    )


def _is_async_callable(obj: Any) -> bool:
    """Whether calling ``obj`` returns a coroutine: async functions, partials of them, async ``__call__``."""
    while isinstance(obj, functools.partial):
        obj = obj.func
    # type(obj).__call__ covers instances of a class with ``async def __call__``.
    return inspect.iscoroutinefunction(obj) or inspect.iscoroutinefunction(type(obj).__call__)
