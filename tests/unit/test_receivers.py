"""Tests for k2connect_ext.webhooks._receivers: what K2 is answered, and that no event is ever lost or
doubled."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import time
from typing import Any

import pytest

from k2connect_ext._exceptions import K2ConfigError
from k2connect_ext.webhooks._dedup import Claim, ClaimState, MemoryDeduplicator
from k2connect_ext.webhooks._events import EventKind, K2Event
from k2connect_ext.webhooks._receivers import AsyncWebhookReceiver, ReceiverResponse, WebhookReceiver
from k2connect_ext.webhooks._signatures import SIGNATURE_HEADER, compute_signature
from tests.fakes import FakeClock

KEY = "receiver-test-api-key"
EVENT_ID = "c0ffee00-0000-4000-8000-000000000001"
BODY = json.dumps(
    {
        "topic": "customer_created",
        "id": EVENT_ID,
        "created_at": "2026-03-01T12:00:00+03:00",
        "event": {"type": "Customer Created", "resource": {"phone_number": "+254700000009"}},
    }
).encode()
UNKNOWN_BODY = b'{"topic":"something_new","id":"n-1"}'


def signed(body: bytes = BODY, key: str = KEY) -> dict[str, str]:
    """Headers carrying a valid signature of ``body``."""
    return {SIGNATURE_HEADER: compute_signature(body, key), "Content-Type": "application/json"}


def answer(response: ReceiverResponse) -> tuple[int, dict[str, Any]]:
    """The status and decoded JSON body of a receiver response."""
    assert response.content_type == "application/json"
    return response.status, json.loads(response.body)


class Recorder:
    """A handler that records events and fails the first ``failures`` calls."""

    def __init__(self, failures: int = 0) -> None:
        self.events: list[K2Event] = []
        self.failures = failures

    def __call__(self, event: K2Event) -> None:
        self.events.append(event)
        if len(self.events) <= self.failures:
            raise RuntimeError("handler failed")


class AsyncRecorder(Recorder):
    """The async twin of Recorder."""

    async def __call__(self, event: K2Event) -> None:  # type: ignore[override]
        await asyncio.sleep(0)
        super().__call__(event)


class BrokenDedup(MemoryDeduplicator):
    """A deduplicator whose claim, release or complete raises, as a database that went away would."""

    def __init__(
        self, *, claim: bool = False, release: bool = False, complete: bool = False, clock: Any = None
    ) -> None:
        super().__init__() if clock is None else super().__init__(clock=clock)
        self.fail_claim, self.fail_release, self.fail_complete = claim, release, complete

    def claim(self, event_id: str) -> Claim:
        if self.fail_claim:
            raise OSError("database is gone")
        return super().claim(event_id)

    def release(self, claim: Claim) -> bool:
        if self.fail_release:
            raise OSError("database is gone")
        return super().release(claim)

    def complete(self, claim: Claim) -> bool:
        if self.fail_complete:
            raise OSError("database is gone")
        return super().complete(claim)


class SyncOnlyDedup:
    """A blocking-only deduplicator (no aclaim), as a user might write."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self.inner = MemoryDeduplicator(clock=clock)

    def claim(self, event_id: str) -> Claim:
        return self.inner.claim(event_id)

    def complete(self, claim: Claim) -> bool:
        return self.inner.complete(claim)

    def release(self, claim: Claim) -> bool:
        return self.inner.release(claim)

    def contains(self, event_id: str) -> bool:
        return self.inner.contains(event_id)


# ------------------------------------------------------------------------------------------ sync


def test_accepted_event_reaches_handler() -> None:
    """A correctly signed body is parsed and handed over as a K2Event, answered 200 accepted."""
    handler = Recorder()
    response = WebhookReceiver(KEY, handler).handle(BODY, signed())
    assert answer(response) == (200, {"status": "accepted"})
    [event] = handler.events
    assert event.kind is EventKind.WEBHOOK and event.id == EVENT_ID


@pytest.mark.parametrize(
    "headers",
    [{}, {SIGNATURE_HEADER: "0" * 64}, {SIGNATURE_HEADER: "zz"}, signed(key="another-key")],
    ids=["missing", "wrong", "malformed", "other-key"],
)
def test_bad_signature_is_401_and_never_handled(headers: dict[str, str]) -> None:
    """A missing or wrong signature is 401, and the handler never sees the body."""
    handler = Recorder()
    assert answer(WebhookReceiver(KEY, handler).handle(BODY, headers)) == (
        401,
        {"status": "rejected", "error": "invalid signature"},
    )
    assert handler.events == []


@pytest.mark.parametrize("body", [b"{oops", b"[]", b'{"topic":"customer_created","id":"x"}'])
def test_malformed_body_is_400(body: bytes) -> None:
    """A signed body that is not a valid event is 400 with the reason, never handled."""
    handler = Recorder()
    status, payload = answer(WebhookReceiver(KEY, handler).handle(body, signed(body)))
    assert status == 400 and payload["status"] == "rejected" and payload["error"]
    assert handler.events == []


def test_duplicate_is_acknowledged_once() -> None:
    """The second delivery of an event id is 200 duplicate and the handler runs once."""
    handler = Recorder()
    receiver = WebhookReceiver(KEY, handler, deduplicator=MemoryDeduplicator())
    assert answer(receiver.handle(BODY, signed()))[1] == {"status": "accepted"}
    assert answer(receiver.handle(BODY, signed())) == (200, {"status": "duplicate"})
    assert len(handler.events) == 1


def test_handler_failure_is_500_and_redelivery_is_processed(caplog: pytest.LogCaptureFixture) -> None:
    """A failing handler gives 500, its claim is released, and K2's redelivery is handled."""
    handler, dedup = Recorder(failures=1), MemoryDeduplicator()
    receiver = WebhookReceiver(KEY, handler, deduplicator=dedup)
    status, payload = answer(receiver.handle(BODY, signed()))
    assert status == 500 and "handler failed" not in payload["error"]  # no internals leak to the caller
    assert not dedup.contains(f"webhook:{EVENT_ID}")
    assert answer(receiver.handle(BODY, signed()))[1] == {"status": "accepted"}
    assert len(handler.events) == 2
    assert "handler failed" in caplog.text  # ...but the traceback is logged


def test_without_deduplicator_every_delivery_is_handled() -> None:
    """With no deduplicator each delivery reaches the handler."""
    handler = Recorder()
    receiver = WebhookReceiver(KEY, handler)
    receiver.handle(BODY, signed())
    receiver.handle(BODY, signed())
    assert len(handler.events) == 2


def test_unknown_events_are_handled_but_never_deduplicated() -> None:
    """An unknown body reaches the handler every time: it has no id that is safe to deduplicate on."""
    handler, dedup = Recorder(), MemoryDeduplicator()
    receiver = WebhookReceiver(KEY, handler, deduplicator=dedup)
    for _ in range(2):
        assert answer(receiver.handle(UNKNOWN_BODY, signed(UNKNOWN_BODY)))[1] == {"status": "accepted"}
    assert [event.kind for event in handler.events] == [EventKind.UNKNOWN, EventKind.UNKNOWN]
    assert len(dedup) == 0


def test_deduplicator_failure_is_500_and_not_handled() -> None:
    """If the deduplicator cannot claim, the event is not handled and K2 is asked to retry."""
    handler = Recorder()
    receiver = WebhookReceiver(KEY, handler, deduplicator=BrokenDedup(claim=True))
    assert answer(receiver.handle(BODY, signed()))[0] == 500
    assert handler.events == []


def test_base_exception_releases_claim_and_propagates() -> None:
    """KeyboardInterrupt in the handler still gives the event back before propagating."""
    dedup = MemoryDeduplicator()

    def interrupted(event: K2Event) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        WebhookReceiver(KEY, interrupted, deduplicator=dedup).handle(BODY, signed())
    assert not dedup.contains(f"webhook:{EVENT_ID}")


class Awaitable:
    """An awaitable that is not a coroutine."""

    def __await__(self) -> Any:
        yield None


async def _work() -> None:
    return None


@pytest.mark.parametrize("make", [_work, Awaitable], ids=["coroutine", "awaitable"])
def test_handler_returning_an_awaitable_is_a_failure(make: Any) -> None:
    """A sync receiver whose handler returns an awaitable answers 500 instead of losing the event."""
    dedup = MemoryDeduplicator()
    receiver = WebhookReceiver(KEY, lambda event: make(), deduplicator=dedup)
    assert answer(receiver.handle(BODY, signed()))[0] == 500
    assert len(dedup) == 0


def test_handler_failure_without_deduplicator_is_500() -> None:
    """Without a deduplicator a failing handler is still answered 500, so K2 redelivers."""
    assert answer(WebhookReceiver(KEY, Recorder(failures=1)).handle(BODY, signed()))[0] == 500


@pytest.mark.parametrize(
    "handler",
    [AsyncRecorder(), functools.partial(AsyncRecorder())],
    ids=["async-callable", "partial"],
)
def test_sync_receiver_refuses_async_handler(handler: Any) -> None:
    """An async handler in the blocking receiver is refused at construction."""
    with pytest.raises(TypeError, match="AsyncWebhookReceiver"):
        WebhookReceiver(KEY, handler)


@pytest.mark.parametrize("api_key", ["", None, [], ["ok", ""], [1], b"bytes"], ids=str)
def test_empty_or_bad_key_fails_at_construction(api_key: Any) -> None:
    """An unset or malformed API key is a configuration error at start-up, not a stream of 401s."""
    with pytest.raises(K2ConfigError):
        WebhookReceiver(api_key, Recorder())
    with pytest.raises(K2ConfigError):
        AsyncWebhookReceiver(api_key, Recorder())


def test_key_rotation_accepts_either_key() -> None:
    """With two keys configured, bodies signed with either are accepted."""
    receiver = WebhookReceiver(["new-key", KEY], Recorder())
    assert answer(receiver.handle(BODY, signed(key="new-key")))[0] == 200
    assert answer(receiver.handle(BODY, signed()))[0] == 200


def test_bad_deduplicator_is_refused() -> None:
    """An object without claim/complete/release/contains is not accepted as a deduplicator."""
    with pytest.raises(TypeError):
        WebhookReceiver(KEY, Recorder(), deduplicator=object())  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        AsyncWebhookReceiver(KEY, Recorder(), deduplicator=object())  # type: ignore[arg-type]


def test_logs_never_contain_signature_or_key(caplog: pytest.LogCaptureFixture) -> None:
    """Whatever happens, neither the key nor any signature appears in the logs."""
    caplog.set_level(logging.DEBUG)
    receiver = WebhookReceiver(KEY, Recorder(failures=1), deduplicator=MemoryDeduplicator())
    wrong = compute_signature(BODY, "another-key")
    receiver.handle(BODY, {SIGNATURE_HEADER: wrong})
    receiver.handle(b"{", signed(b"{"))
    receiver.handle(BODY, signed())
    receiver.handle(BODY, signed())
    assert caplog.records
    for secret in (KEY, wrong, compute_signature(BODY, KEY), compute_signature(b"{", KEY)):
        assert secret not in caplog.text


# ----------------------------------------------------------------------------------------- async


async def test_async_receiver_flow() -> None:
    """The async receiver accepts, deduplicates, and releases on failure exactly like the sync one."""
    handler, dedup = AsyncRecorder(failures=1), MemoryDeduplicator()
    receiver = AsyncWebhookReceiver(KEY, handler, deduplicator=dedup)
    assert answer(await receiver.handle(BODY, {}))[0] == 401
    assert answer(await receiver.handle(b"[]", signed(b"[]")))[0] == 400
    assert answer(await receiver.handle(BODY, signed()))[0] == 500
    assert answer(await receiver.handle(BODY, signed()))[1] == {"status": "accepted"}
    assert answer(await receiver.handle(BODY, signed()))[1] == {"status": "duplicate"}
    assert len(handler.events) == 2


async def test_async_receiver_takes_sync_handler_and_blocking_dedup() -> None:
    """A sync handler is called, and a blocking-only deduplicator is used through a thread."""
    handler, dedup = Recorder(failures=1), SyncOnlyDedup()
    receiver = AsyncWebhookReceiver(KEY, handler, deduplicator=dedup)
    assert answer(await receiver.handle(BODY, signed()))[0] == 500
    assert not dedup.contains(f"webhook:{EVENT_ID}")
    assert answer(await receiver.handle(BODY, signed()))[0] == 200
    assert answer(await receiver.handle(BODY, signed()))[1] == {"status": "duplicate"}
    assert len(handler.events) == 2


async def test_async_deduplicator_failures() -> None:
    """A failing claim is 500 and unhandled; a failing release is 500 and logged."""
    handler = AsyncRecorder()
    assert (
        answer(
            await AsyncWebhookReceiver(KEY, handler, deduplicator=BrokenDedup(claim=True)).handle(
                BODY, signed()
            )
        )[0]
        == 500
    )
    assert handler.events == []
    receiver = AsyncWebhookReceiver(KEY, AsyncRecorder(failures=1), deduplicator=BrokenDedup(release=True))
    assert answer(await receiver.handle(BODY, signed()))[0] == 500


async def test_async_handler_failure_without_deduplicator_is_500() -> None:
    """Without a deduplicator a failing async handler is answered 500."""
    assert answer(await AsyncWebhookReceiver(KEY, AsyncRecorder(failures=1)).handle(BODY, signed()))[0] == 500


async def test_async_unknown_event_skips_dedup() -> None:
    """An unknown body reaches the async handler with no claim taken."""
    handler, dedup = AsyncRecorder(), MemoryDeduplicator()
    receiver = AsyncWebhookReceiver(KEY, handler, deduplicator=dedup)
    assert answer(await receiver.handle(UNKNOWN_BODY, signed(UNKNOWN_BODY)))[0] == 200
    assert len(handler.events) == 1 and len(dedup) == 0


async def test_cancelled_handler_releases_claim() -> None:
    """If the handling task is cancelled (client gone, shutdown), the claim is given back."""
    dedup = MemoryDeduplicator()
    started = asyncio.Event()

    async def slow(event: K2Event) -> None:
        started.set()
        await asyncio.sleep(60)

    task = asyncio.create_task(AsyncWebhookReceiver(KEY, slow, deduplicator=dedup).handle(BODY, signed()))
    await started.wait()
    assert dedup.contains(f"webhook:{EVENT_ID}")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not dedup.contains(f"webhook:{EVENT_ID}")


# ------------------------------------------- a copy that arrives while the first is running (issue 17)


def test_a_copy_arriving_while_the_first_runs_is_told_to_retry_later() -> None:
    """K2 redelivers when the first delivery times out: that copy must not be acknowledged while the first
    is still running, since the first may yet fail (its 500 then reaches nobody). It is answered 503 with
    Retry-After; once the first has failed, the next redelivery is processed: exactly one success."""
    dedup = MemoryDeduplicator()
    inner: list[ReceiverResponse] = []
    succeeded: list[K2Event] = []
    receiver: WebhookReceiver

    def handler(event: K2Event) -> None:
        if not inner:  # the first run: K2's redelivery comes in now, then this run fails
            inner.append(receiver.handle(BODY, signed()))
            raise RuntimeError("the first run fails after K2 gave up on it")
        succeeded.append(event)

    receiver = WebhookReceiver(KEY, handler, deduplicator=dedup)
    assert answer(receiver.handle(BODY, signed()))[0] == 500
    [retry] = inner
    assert answer(retry) == (
        503,
        {"status": "in_progress", "error": "the event is being processed; retry later"},
    )
    assert dict(retry.headers)["Retry-After"].isdigit()
    assert answer(receiver.handle(BODY, signed())) == (200, {"status": "accepted"})
    assert answer(receiver.handle(BODY, signed())) == (200, {"status": "duplicate"})
    assert [event.id for event in succeeded] == [EVENT_ID]


async def test_async_a_copy_arriving_while_the_first_runs_is_told_to_retry_later() -> None:
    """The async receiver, with the two copies really concurrent: 503 while the first runs, then after the
    first fails the redelivery is processed, exactly once."""
    dedup = MemoryDeduplicator()
    running, finish = asyncio.Event(), asyncio.Event()
    succeeded: list[K2Event] = []

    async def handler(event: K2Event) -> None:
        if not running.is_set():
            running.set()
            await finish.wait()
            raise RuntimeError("the first run fails after K2 gave up on it")
        succeeded.append(event)

    receiver = AsyncWebhookReceiver(KEY, handler, deduplicator=dedup)
    first = asyncio.create_task(receiver.handle(BODY, signed()))
    await running.wait()
    retry = await receiver.handle(BODY, signed())
    assert answer(retry)[0] == 503 and dict(retry.headers)["Retry-After"].isdigit()
    finish.set()
    assert answer(await first)[0] == 500
    assert answer(await receiver.handle(BODY, signed())) == (200, {"status": "accepted"})
    assert answer(await receiver.handle(BODY, signed())) == (200, {"status": "duplicate"})
    assert [event.id for event in succeeded] == [EVENT_ID]


# --------------------------------------- the store fails while the handler runs (issue 17): a lease lapses

LONG_AFTER = 24 * 3600.0  # past any lease: a claim nobody finished has lapsed by then


def test_a_claim_the_store_could_not_release_lapses_and_the_redelivery_is_processed(
    fake_clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """The handler fails and the release fails too (the store went away): the claim is not left standing
    for the retention. The redelivery is told to retry while the claim's lease runs, and is processed once
    it has lapsed."""
    handler = Recorder(failures=1)
    dedup = BrokenDedup(release=True, clock=fake_clock)
    receiver = WebhookReceiver(KEY, handler, deduplicator=dedup)
    assert answer(receiver.handle(BODY, signed()))[0] == 500
    assert "DROPPED" not in caplog.text and "could not release" in caplog.text
    assert answer(receiver.handle(BODY, signed()))[0] == 503  # the lease still runs: retry later
    fake_clock.now += LONG_AFTER
    assert answer(receiver.handle(BODY, signed())) == (200, {"status": "accepted"})
    assert len(handler.events) == 2


async def test_async_a_claim_the_store_could_not_release_lapses(fake_clock: FakeClock) -> None:
    """The async twin: a release that fails leaves a claim that lapses, then the redelivery is processed."""
    handler = AsyncRecorder(failures=1)
    receiver = AsyncWebhookReceiver(KEY, handler, deduplicator=BrokenDedup(release=True, clock=fake_clock))
    assert answer(await receiver.handle(BODY, signed()))[0] == 500
    assert answer(await receiver.handle(BODY, signed()))[0] == 503
    fake_clock.now += LONG_AFTER
    assert answer(await receiver.handle(BODY, signed())) == (200, {"status": "accepted"})
    assert len(handler.events) == 2


def test_a_processed_event_that_cannot_be_marked_done_is_still_acknowledged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The handler returned but the store went away before the event was marked done: the event was
    processed, so it is acknowledged (a 500 would only have it processed again), and the failure is logged."""
    handler = Recorder()
    receiver = WebhookReceiver(KEY, handler, deduplicator=BrokenDedup(complete=True))
    assert answer(receiver.handle(BODY, signed())) == (200, {"status": "accepted"})
    assert "could not be marked done" in caplog.text
    assert len(handler.events) == 1


async def test_async_a_processed_event_that_cannot_be_marked_done_is_still_acknowledged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The async twin, through both an async and a blocking-only deduplicator."""
    for dedup in (BrokenDedup(complete=True), SyncOnlyDedup()):
        if isinstance(dedup, SyncOnlyDedup):
            dedup.inner = BrokenDedup(complete=True)
        receiver = AsyncWebhookReceiver(KEY, AsyncRecorder(), deduplicator=dedup)
        assert answer(await receiver.handle(BODY, signed())) == (200, {"status": "accepted"})
    assert caplog.text.count("could not be marked done") == 2


class SlowPast:
    """A handler that outlasts the claim's lease (the fake clock jumps), while a second copy of the event
    is claimed and processed meanwhile: the first can then no longer complete the claim."""

    def __init__(self, clock: FakeClock, again: Any) -> None:
        self.clock, self.again = clock, again
        self.runs = 0
        self.inner: list[Any] = []  # what the second copy got (its answer, or the coroutine giving it)

    def __call__(self, event: K2Event) -> Any:
        self.runs += 1
        if self.runs == 1:
            self.clock.now += LONG_AFTER  # the lease lapses while this run is still going
            self.inner.append(self.again())
            return self.inner[0]
        return None


def test_a_handler_that_outlasts_its_lease_is_warned_about(
    fake_clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """If the first run outlasts its lease, a redelivery takes the event over; the first run cannot mark
    the other's claim done, and the log says the event may have been processed twice."""
    dedup = MemoryDeduplicator(clock=fake_clock)
    receiver: WebhookReceiver
    handler = SlowPast(fake_clock, lambda: receiver.handle(BODY, signed()))
    receiver = WebhookReceiver(KEY, handler, deduplicator=dedup)
    assert answer(receiver.handle(BODY, signed()))[0] == 200
    assert [answer(inner) for inner in handler.inner] == [(200, {"status": "accepted"})]
    assert "may have been processed twice" in caplog.text
    assert answer(receiver.handle(BODY, signed())) == (200, {"status": "duplicate"})


async def test_async_a_handler_that_outlasts_its_lease_is_warned_about(
    fake_clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """The async twin: the late first run's complete is refused and warned about."""
    dedup = SyncOnlyDedup(clock=fake_clock)
    receiver: AsyncWebhookReceiver
    handler = SlowPast(fake_clock, lambda: receiver.handle(BODY, signed()))
    receiver = AsyncWebhookReceiver(KEY, handler, deduplicator=dedup)
    assert answer(await receiver.handle(BODY, signed()))[0] == 200
    assert "may have been processed twice" in caplog.text
    assert answer(await receiver.handle(BODY, signed())) == (200, {"status": "duplicate"})
    assert dedup.claim(f"webhook:{EVENT_ID}").state is ClaimState.DONE
