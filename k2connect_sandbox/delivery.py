"""Signed, at-least-once delivery of callbacks and webhooks, with a log of every attempt.

Each notification is encoded once (compact UTF-8 JSON) and those exact bytes are both signed
(``X-KopoKopo-Signature`` = hex HMAC-SHA256 keyed with the API key) and sent, on every attempt. The
sandbox signs with its own ``hmac`` call (``sign``), never with the SDK's ``compute_signature``: it is the
oracle the SDK's verification is tested against, so a bug in the SDK must not be reproduced here. The
receiver must answer 2xx; anything else, or no answer, is retried with exponential backoff within
the configured bounds. HTTPS receivers are always verified: against the public CAs (certifi) plus
the CA file the user configured, never with verification off. Plain HTTP goes to loopback receivers
only unless explicitly allowed, because the real K2 only calls HTTPS URLs and a sandbox should not
leak signed payloads over the network in clear text by accident. Loopback is the SDK's own rule
(``k2connect_ext._loopback``): a literal loopback address or exactly ``localhost``, never a name under
it (``x.localhost`` goes through the resolver like any name).

Deliveries never starve the API: at most ``delivery_concurrency`` attempts are in flight at once (per
event loop), over one pooled ``httpx.AsyncClient`` per loop, and the rest wait their turn in a queue,
never dropped. A receiver that accepts and never answers therefore holds a bounded number of
connections (and file descriptors), however many notifications are waiting for it. Every notification
not yet finished is listed by ``pending()`` (queued, sending, or waiting to retry), so a backlog is
visible in ``/sandbox/deliveries`` rather than lost.

Every attempt also ends in an ``AttemptReport`` (what was tried, what came back, in words, and whether
and when it is retried), given to the listeners added with ``add_listener`` (the CLI's console lines)
and kept beside the log for the dashboard (``snapshot``). Nothing listens unless someone asks, so the
sandbox used in-process stays silent.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import logging
import ssl
import threading
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit

import certifi
import httpx

from k2connect_ext._loopback import is_loopback_host
from k2connect_sandbox.clock import Clock, iso_ms
from k2connect_sandbox.config import SandboxConfig
from k2connect_sandbox.failure_reasons import reason_for
from k2connect_sandbox.scheduler import Scheduler
from k2connect_sandbox.wire import JsonDict, dumps, new_id

__all__ = [
    "SIGNATURE_HEADER",
    "AttemptListener",
    "AttemptReport",
    "DeliveryService",
    "DeliverySnapshot",
    "Notification",
    "sign",
]

log = logging.getLogger("k2connect_sandbox")

SIGNATURE_HEADER = "X-KopoKopo-Signature"
_LOG_LIMIT = 10_000
_USER_AGENT = "k2connect-sandbox"


@dataclass(frozen=True)
class Notification:
    """One thing to POST: a callback result or a webhook event, for one receiver."""

    kind: str  # "callback" | "webhook"
    url: str
    body: Any
    topic: str  # resource type for callbacks, event topic for webhooks
    resource_id: str | None = None
    event_id: str | None = None
    subscription_id: str | None = None


PendingState = Literal["queued", "sending", "retrying"]


@dataclass(frozen=True)
class AttemptReport:
    """How one attempt ended, or why a notification was not sent at all.

    ``delivery`` is the same for every attempt of one notification. ``reason`` says in words why there
    was no 2xx (None when the receiver answered: its ``status`` says it). ``retry_in``: seconds until the
    next attempt, None when there is none (delivered, out of attempts, or not retryable).
    """

    notification: Notification
    delivery: int
    attempt: int
    max_attempts: int
    status: int | None
    reason: str | None
    retry_in: float | None
    at: datetime

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


AttemptListener = Callable[[AttemptReport], None]


@dataclass(frozen=True)
class DeliverySnapshot:
    """Every attempt still in the log (oldest first) and the state of each unfinished notification."""

    attempts: list[AttemptReport]
    pending: dict[int, PendingState]
    queued: list[tuple[int, Notification]]  # unfinished notifications with no attempt logged yet


@dataclass(frozen=True)
class _Logged:
    record: JsonDict
    report: AttemptReport


@dataclass
class _Pending:
    """A notification not finished yet: which attempt is next or running, and since when."""

    notification: Notification
    loop: asyncio.AbstractEventLoop
    id: str
    attempt: int
    state: PendingState
    since: str


@dataclass
class _Lane:
    """What the deliveries of one event loop share: their slots, and one pooled client per proxy setting.

    Both are tied to the loop they were made on, and the app may be driven from several loops (uvicorn's,
    and in tests each test's own), so each loop gets its own lane.
    """

    slots: asyncio.Semaphore
    clients: dict[bool, httpx.AsyncClient] = field(default_factory=dict)


class DeliveryService:
    def __init__(self, config: SandboxConfig, clock: Clock, scheduler: Scheduler) -> None:
        self._config = config
        self._clock = clock
        self._scheduler = scheduler
        self._log: deque[_Logged] = deque(maxlen=_LOG_LIMIT)
        self._listeners: list[AttemptListener] = []
        self._pending: dict[int, _Pending] = {}
        self._keys = itertools.count()
        self._lanes: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Lane] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        self._ssl: ssl.SSLContext | None = None
        scheduler.on_close(self.aclose)

    def _ssl_context(self) -> ssl.SSLContext:
        if self._ssl is None:
            context = ssl.create_default_context(cafile=certifi.where())
            if self._config.delivery_ca_file:
                context.load_verify_locations(cafile=self._config.delivery_ca_file)
            self._ssl = context
        return self._ssl

    def _lane(self) -> _Lane:
        loop = asyncio.get_running_loop()
        with self._lock:
            lane = self._lanes.get(loop)
            if lane is None:
                lane = self._lanes[loop] = _Lane(asyncio.Semaphore(self._config.delivery_concurrency))
            return lane

    def _client(self, lane: _Lane, trust_env: bool) -> httpx.AsyncClient:
        client = lane.clients.get(trust_env)
        if client is None:
            cap = self._config.delivery_concurrency
            client = lane.clients[trust_env] = httpx.AsyncClient(
                verify=self._ssl_context(),
                timeout=self._config.delivery_timeout,
                follow_redirects=False,
                trust_env=trust_env,
                limits=httpx.Limits(max_connections=cap, max_keepalive_connections=cap),
            )
        return client

    async def aclose(self) -> None:
        """Close the running loop's delivery clients and forget its unfinished notifications.

        Called by ``Scheduler.aclose`` (server shutdown, test teardown) once that loop's tasks are
        cancelled, so nothing is sending any more.
        """
        loop = asyncio.get_running_loop()
        with self._lock:
            lane = self._lanes.pop(loop, None)
            for key in [key for key, entry in self._pending.items() if entry.loop is loop]:
                del self._pending[key]
        if lane is not None:
            for client in lane.clients.values():
                await client.aclose()

    def add_listener(self, listener: AttemptListener) -> None:
        """Call ``listener`` with the report of every attempt (on the delivering loop: be brief)."""
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: AttemptListener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def send(self, notification: Notification) -> None:
        """Deliver in the background (requires a running event loop).

        Never raises: a notification that cannot even be encoded is logged and recorded as not sent,
        so the request or the resolution that produced it carries on and the loss is visible.
        """
        try:
            payload = dumps(notification.body)
        except Exception as exc:  # e.g. text that is not Unicode: there are no bytes to sign or send
            self.record_failure(notification, f"not sent: the body could not be encoded ({exc_text(exc)})")
            return
        signature = sign(payload, self._config.api_key)
        key = self._track(notification)
        self._scheduler.spawn(
            self._deliver_logged(key, notification, payload, signature, self._scheduler.generation),
            name=f"deliver:{notification.topic}",
        )

    def record_failure(self, notification: Notification, error: str) -> None:
        """Log and record a notification that could not be sent at all (one attempt, no status)."""
        log.error("%s %s to %s: %s", notification.kind, notification.topic, notification.url, error)
        # ASCII JSON for the record: it can hold what UTF-8 could not, escaped.
        try:
            body = json.dumps(notification.body, default=repr)
        except Exception as exc:
            body = f"(unencodable: {exc_text(exc)})"
        # The error names what failed inside the sandbox, never the URL: it is the reason as it is.
        self._append(notification, next(self._keys), body, None, _Outcome(None, error, error), 1, None)

    def log(self) -> list[JsonDict]:
        with self._lock:
            return [dict(entry.record) for entry in self._log]

    def snapshot(self) -> DeliverySnapshot:
        """Attempts and unfinished notifications, read together (for the dashboard)."""
        with self._lock:
            attempted = {entry.report.delivery for entry in self._log}
            return DeliverySnapshot(
                attempts=[entry.report for entry in self._log],
                pending={key: entry.state for key, entry in self._pending.items()},
                queued=[
                    (key, entry.notification)
                    for key, entry in sorted(self._pending.items())
                    if key not in attempted
                ],
            )

    def pending(self) -> list[JsonDict]:
        """Every notification not finished yet, oldest first: waiting for a slot, sending, or retrying."""
        with self._lock:
            entries = [self._pending[key] for key in sorted(self._pending)]
            return [
                {
                    "id": entry.id,
                    "kind": entry.notification.kind,
                    "topic": entry.notification.topic,
                    "url": entry.notification.url,
                    "resource_id": entry.notification.resource_id,
                    "event_id": entry.notification.event_id,
                    "subscription_id": entry.notification.subscription_id,
                    "attempt": entry.attempt,
                    "state": entry.state,
                    "since": entry.since,
                }
                for entry in entries
            ]

    def clear(self) -> None:
        with self._lock:
            self._log.clear()
            self._pending.clear()

    def _track(self, notification: Notification) -> int:
        entry = _Pending(
            notification, asyncio.get_running_loop(), new_id(), 1, "queued", iso_ms(self._clock.now())
        )
        with self._lock:
            key = next(self._keys)
            self._pending[key] = entry
        return key

    def _mark(self, key: int, attempt: int, state: PendingState) -> None:
        # Only an entry still listed: a reset forgets the old state's notifications, which then end quietly.
        now = iso_ms(self._clock.now())
        with self._lock:
            entry = self._pending.get(key)
            if entry is not None:
                entry.attempt, entry.state, entry.since = attempt, state, now

    def _untrack(self, key: int) -> None:
        with self._lock:
            self._pending.pop(key, None)

    def _record(
        self,
        key: int,
        notification: Notification,
        payload: bytes,
        signature: str,
        outcome: _Outcome,
        attempt: int,
        retry_in: float | None,
        *,
        max_attempts: int | None = None,
        announce: bool = True,
    ) -> None:
        self._append(
            notification,
            key,
            payload.decode("utf-8"),
            signature,
            outcome,
            attempt,
            retry_in,
            max_attempts=max_attempts,
            announce=announce,
        )

    def _append(
        self,
        notification: Notification,
        key: int,
        body: str,
        signature: str | None,
        outcome: _Outcome,
        attempt: int,
        retry_in: float | None,
        *,
        max_attempts: int | None = None,
        announce: bool = True,
    ) -> None:
        now = self._clock.now()
        status, error = outcome.status, outcome.error
        entry: JsonDict = {
            "id": new_id(),
            "kind": notification.kind,
            "topic": notification.topic,
            "url": notification.url,
            "resource_id": notification.resource_id,
            "event_id": notification.event_id,
            "subscription_id": notification.subscription_id,
            "attempt": attempt,
            "status_code": status,
            "error": error,
            "delivered": status is not None and 200 <= status < 300,
            "timestamp": iso_ms(now),
            "body": body,
        }
        if signature is not None:  # nothing was signed when there were no bytes to sign
            entry["signature"] = signature
        report = AttemptReport(
            notification=notification,
            delivery=key,
            attempt=attempt,
            # A notification that is not retried (refused, unencodable) gets this one attempt only.
            max_attempts=max_attempts if max_attempts is not None else attempt,
            status=status,
            reason=outcome.reason,
            retry_in=retry_in,
            at=now,
        )
        with self._lock:
            self._log.append(_Logged(entry, report))
            listeners = list(self._listeners) if announce else []
        for listener in listeners:
            try:
                listener(report)
            except Exception:  # a console that cannot print must not stop a delivery
                log.exception("a delivery listener failed")

    def _refusal(self, url: str) -> _Outcome | None:
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError for a malformed port
        except ValueError:
            return _Outcome(None, f"not a valid URL: {url!r}", "not a valid URL")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return _Outcome(None, f"not an http(s) URL: {url!r}", "not an http(s) URL")
        if (
            parts.scheme == "http"
            and not self._config.allow_plain_http
            and not is_loopback_host(parts.hostname)
        ):
            return _Outcome(
                None,
                "refused: plain http to a non-loopback host (use https, or allow_plain_http / --allow-http)",
                "refused: plain http to a non-loopback host (use https, or --allow-http)",
            )
        return None

    async def _deliver_logged(
        self, key: int, notification: Notification, payload: bytes, signature: str, generation: int
    ) -> None:
        """``_deliver``, with any unexpected failure logged and recorded rather than lost with the task."""
        try:
            await self._deliver(key, notification, payload, signature, generation)
        except Exception as exc:
            log.exception("delivery of %s %s failed", notification.kind, notification.topic)
            if self._scheduler.generation == generation:
                error = f"delivery failed inside the sandbox: {exc_text(exc)}"
                self._record(key, notification, payload, signature, _Outcome(None, error, error), 1, None)
        finally:
            self._untrack(key)

    async def _deliver(
        self, key: int, notification: Notification, payload: bytes, signature: str, generation: int
    ) -> None:
        config = self._config
        if not config.deliver:
            # Not an attempt, so nothing to announce: the CLI said "delivery: off" once at startup.
            disabled = "not sent: delivery disabled (deliver=False)"
            outcome = _Outcome(None, disabled, "not sent: delivery disabled")
            self._record(key, notification, payload, signature, outcome, 1, None, announce=False)
            return
        refusal = self._refusal(notification.url)
        if refusal is not None:
            self._record(key, notification, payload, signature, refusal, 1, None)
            return
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature,
            "User-Agent": _USER_AGENT,
        }
        lane = self._lane()
        client = self._client(lane, trust_env=not is_loopback_host(urlsplit(notification.url).hostname))
        loop = asyncio.get_running_loop()
        started: float | None = None  # the first attempt's start: time spent queued does not count
        backoff = config.delivery_initial_backoff
        for attempt in range(1, config.delivery_max_attempts + 1):
            self._mark(key, attempt, "queued")
            async with lane.slots:
                if self._scheduler.generation != generation:
                    return  # the sandbox was reset: this notification belongs to discarded state
                self._mark(key, attempt, "sending")
                if started is None:
                    started = loop.time()
                outcome = await self._attempt(client, notification.url, payload, headers)
            if self._scheduler.generation != generation:
                return
            delivered = outcome.status is not None and 200 <= outcome.status < 300
            elapsed = loop.time() - started
            last = (
                delivered
                or attempt == config.delivery_max_attempts
                or elapsed + backoff > config.delivery_max_elapsed
            )
            if not last:
                self._mark(key, attempt + 1, "retrying")  # before the report: a reader sees both agree
            self._record(
                key,
                notification,
                payload,
                signature,
                outcome,
                attempt,
                None if last else backoff,
                max_attempts=config.delivery_max_attempts,
            )
            if last:
                return
            await asyncio.sleep(backoff)
            backoff *= 2

    async def _attempt(
        self, client: httpx.AsyncClient, url: str, payload: bytes, headers: dict[str, str]
    ) -> _Outcome:
        timeout = self._config.delivery_timeout
        try:
            response = await client.post(url, content=payload, headers=headers)
            return _Outcome(response.status_code, None, None)
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            return _Outcome(None, error, reason_for(exc, timeout))
        except Exception as exc:  # InvalidURL and the like: record it, a delivery must never crash
            return _Outcome(None, exc_text(exc), reason_for(exc, timeout))


@dataclass(frozen=True)
class _Outcome:
    """An attempt's result: the receiver's status, or the record's error text and the reason in words."""

    status: int | None
    error: str | None
    reason: str | None


def sign(payload: bytes, api_key: str) -> str:
    """The ``X-KopoKopo-Signature`` of ``payload``: lowercase hex HMAC-SHA256 keyed with the API key."""
    return hmac.new(api_key.encode("utf-8"), payload, hashlib.sha256).hexdigest()


def exc_text(exc: BaseException) -> str:
    """``Type: message`` for a delivery record (the message cut short: it may quote the body)."""
    text = str(exc)
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__
