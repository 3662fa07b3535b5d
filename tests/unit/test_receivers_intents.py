"""Issue 19, item 5: a verified callback settles its payment intent before the user's handler runs.

Every case runs three ways, as users run them: the blocking ``WebhookReceiver`` with a ``Ledger``, and the
``AsyncWebhookReceiver`` with that blocking ledger (wrapped) or with an ``AsyncLedger``. The ledgers are real
SQLite files (and a real PostgreSQL server at the end); an outage is another connection holding the
file's write lock, or the server stopped.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from k2connect_ext import AsyncLedger, IntentState, Ledger, PostgresLedger
from k2connect_ext._intent_tag import TAG_KEY
from k2connect_ext.webhooks._dedup import MemoryDeduplicator
from k2connect_ext.webhooks._events import K2Event
from k2connect_ext.webhooks._receivers import AsyncWebhookReceiver, WebhookReceiver
from k2connect_ext.webhooks._signatures import SIGNATURE_HEADER, compute_signature
from tests.intent_callbacks import (
    CALLBACK,
    REFERENCE,
    WEBHOOK,
    WatchedLedger,
    encoded,
    sent,
    settlement_result,
    stk_result,
    stored,
    tagged_url,
    write_locked,
)
from tests.servers import PostgresServer

KEY = "receiver-intents-api-key"
MODES = ["sync", "async", "async-AsyncLedger"]


def signed(body: bytes, key: str = KEY) -> dict[str, str]:
    return {SIGNATURE_HEADER: compute_signature(body, key), "Content-Type": "application/json"}


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[WatchedLedger]:
    found = WatchedLedger(tmp_path / "ledger.db")
    yield found
    found.close()


# ------------------------------------------------------------------------------------------ receivers
class Shop:
    """The user's handler: notes each event and what the ledger said of its intent while it ran."""

    def __init__(self, ledger: Ledger, failures: int = 0) -> None:
        self.ledger = ledger
        self.failures = failures
        self.events: list[K2Event] = []
        self.states_seen: list[IntentState | None] = []

    def __call__(self, event: K2Event) -> None:
        self.events.append(event)
        stored = None if event.intent is None else self.ledger.get_by_id(event.intent.id)
        self.states_seen.append(None if stored is None else stored.state)
        if len(self.events) <= self.failures:
            raise RuntimeError("the shop's handler failed")


Post = Callable[..., Awaitable[tuple[int, dict[str, Any]]]]


def endpoint(mode: str, shop: Shop, ledger: Ledger, dedup: MemoryDeduplicator | None = None) -> Post:
    """``post(body, url=None)``: the body signed and handed to a receiver of ``mode``; its status and body."""
    if mode == "sync":
        receiver = WebhookReceiver(KEY, shop, deduplicator=dedup, ledger=ledger)

        async def post_sync(body: bytes, url: str | None = None) -> tuple[int, dict[str, Any]]:
            answer = receiver.handle(body, signed(body), url=url)
            return answer.status, json.loads(answer.body)

        return post_sync

    async def handler(event: K2Event) -> None:
        shop(event)

    given: Ledger | AsyncLedger = ledger if mode == "async" else AsyncLedger(ledger)
    areceiver = AsyncWebhookReceiver(KEY, handler, deduplicator=dedup, ledger=given)

    async def post_async(body: bytes, url: str | None = None) -> tuple[int, dict[str, Any]]:
        answer = await areceiver.handle(body, signed(body), url=url)
        return answer.status, json.loads(answer.body)

    return post_async


ACCEPTED = (200, {"status": "accepted"})


# ------------------------------------------------------------------------------------------ settling
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("start", [IntentState.SENT, IntentState.SENDING, IntentState.AMBIGUOUS])
async def test_a_tag_in_the_metadata_settles_the_intent_before_the_handler_runs(
    ledger: WatchedLedger, mode: str, start: IntentState
) -> None:
    """A signed STK result tagged in its metadata: the intent is ``succeeded`` with the M-PESA reference
    when the handler runs (a crash before the Location was stored, ``sending``, or an ``ambiguous`` one too),
    and the handler sees it as ``event.intent``."""
    intent = sent(ledger, state=start)
    shop = Shop(ledger)
    result = stk_result(intent.id)
    assert await endpoint(mode, shop, ledger)(encoded(result)) == ACCEPTED
    assert shop.states_seen == [IntentState.SUCCEEDED]
    [event] = shop.events
    assert event.intent is not None and event.intent.id == intent.id
    assert event.intent.state is IntentState.SUCCEEDED and event.intent.reference == REFERENCE
    assert event.intent.result == result
    assert stored(ledger, intent) == event.intent
    assert event == attrs.evolve(event, intent=None)  # the intent is no part of the event's equality


@pytest.mark.parametrize("mode", MODES)
async def test_a_tag_in_the_url_query_settles_the_intent_before_the_handler_runs(
    ledger: WatchedLedger, mode: str
) -> None:
    """A settlement transfer result carries no metadata: the tag in the query of the URL it was posted to
    finds the intent, which is ``succeeded`` when the handler runs."""
    intent = sent(ledger, "settle_funds")
    shop = Shop(ledger)
    url = tagged_url(intent.id)
    assert await endpoint(mode, shop, ledger)(encoded(settlement_result()), url=url) == ACCEPTED
    assert shop.states_seen == [IntentState.SUCCEEDED]
    [event] = shop.events
    assert event.intent is not None and event.intent.state is IntentState.SUCCEEDED
    now = stored(ledger, intent)
    assert now.state is IntentState.SUCCEEDED and now.result == settlement_result()
    assert now.reference == event.reference


@pytest.mark.parametrize("mode", MODES)
async def test_a_failed_result_settles_the_intent_failed(ledger: WatchedLedger, mode: str) -> None:
    """A failed STK result: the intent is ``failed`` with K2's reason before the handler runs."""
    intent = sent(ledger)
    shop = Shop(ledger)
    assert await endpoint(mode, shop, ledger)(encoded(stk_result(intent.id, "Failed"))) == ACCEPTED
    assert shop.states_seen == [IntentState.FAILED]
    now = stored(ledger, intent)
    assert now.state is IntentState.FAILED and now.last_error == "Insufficient funds"
    assert shop.events[0].intent == now


@pytest.mark.parametrize("mode", MODES)
async def test_a_pending_result_leaves_the_intent_as_it_was(ledger: WatchedLedger, mode: str) -> None:
    """A result still pending settles nothing; the handler still sees which intent it was."""
    intent = sent(ledger)
    shop = Shop(ledger)
    assert await endpoint(mode, shop, ledger)(encoded(stk_result(intent.id, "Pending"))) == ACCEPTED
    assert shop.states_seen == [IntentState.SENT]
    assert shop.events[0].intent == intent == stored(ledger, intent)


# ------------------------------------------------------------------------------------------ untouched
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "headers",
    [{}, {SIGNATURE_HEADER: "0" * 64}, {SIGNATURE_HEADER: compute_signature(b"x", "another-key")}],
    ids=["missing", "wrong", "other-key"],
)
async def test_a_bad_signature_never_touches_the_ledger(
    ledger: WatchedLedger, mode: str, headers: dict[str, str]
) -> None:
    """An unsigned or badly signed tagged result is 401 and the ledger is neither read nor written."""
    intent = sent(ledger)
    ledger.calls.clear()
    body = encoded(stk_result(intent.id))
    url = f"{CALLBACK}?{TAG_KEY}={intent.id}"
    shop = Shop(ledger)
    if mode == "sync":
        answer = WebhookReceiver(KEY, shop, ledger=ledger).handle(body, headers, url=url)
    else:
        given: Ledger | AsyncLedger = ledger if mode == "async" else AsyncLedger(ledger)
        answer = await AsyncWebhookReceiver(KEY, shop, ledger=given).handle(body, headers, url=url)
    assert answer.status == 401
    assert ledger.calls == [] and shop.events == []
    assert stored(ledger, intent) == intent


@pytest.mark.parametrize("mode", MODES)
async def test_webhooks_and_untagged_results_never_touch_the_ledger(ledger: WatchedLedger, mode: str) -> None:
    """A webhook (even posted to a URL with a tag), a result without a tag, a tag that is no intent id:
    handled, with ``event.intent`` None, and the ledger never called."""
    shop = Shop(ledger)
    post = endpoint(mode, shop, ledger)
    tagged_url = f"{CALLBACK}?{TAG_KEY}={uuid.uuid4().hex}"
    assert await post(encoded(WEBHOOK), url=tagged_url) == ACCEPTED
    assert await post(encoded(stk_result(None))) == ACCEPTED
    assert await post(encoded(stk_result("not-an-intent-id"))) == ACCEPTED
    assert await post(encoded(settlement_result()), url=CALLBACK) == ACCEPTED
    assert ledger.calls == []
    assert [event.intent for event in shop.events] == [None] * 4


@pytest.mark.parametrize("mode", MODES)
async def test_an_intent_the_ledger_does_not_know_is_logged_and_the_handler_still_runs(
    ledger: WatchedLedger, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A tag of another system, or of a ledger that was reset: one log line, handled without an intent."""
    unknown = uuid.uuid4().hex
    shop = Shop(ledger)
    with caplog.at_level(logging.INFO, logger="k2connect.webhooks"):
        assert await endpoint(mode, shop, ledger)(encoded(stk_result(unknown))) == ACCEPTED
    assert [event.intent for event in shop.events] == [None]
    [line] = [record for record in caplog.records if unknown in record.getMessage()]
    assert line.levelno == logging.WARNING and "does not know" in line.getMessage()
    assert ledger.calls == ["get_by_id"]


# ------------------------------------------------------------------------------------------ failures
@pytest.mark.parametrize("mode", MODES)
async def test_a_ledger_outage_is_500_and_the_redelivery_settles_the_intent(
    ledger: WatchedLedger, mode: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The ledger cannot be written (another process holds its lock past the busy timeout): 500, the
    handler does not run, the event is not marked as seen, and K2's redelivery settles it once the store
    is back."""
    intent = sent(ledger)
    shop, dedup = Shop(ledger), MemoryDeduplicator()
    post = endpoint(mode, shop, ledger, dedup)
    result = stk_result(intent.id)
    body = encoded(result)
    with write_locked(tmp_path / "ledger.db"), caplog.at_level(logging.ERROR, logger="k2connect.webhooks"):
        status, answer = await post(body)
    assert status == 500 and answer["status"] == "error"
    assert "the intent ledger failed" in caplog.text
    assert shop.events == [] and stored(ledger, intent) == intent
    assert not dedup.contains(f"result:incoming_payment:{result['data']['id']}:Success")
    assert await post(body) == ACCEPTED
    assert shop.states_seen == [IntentState.SUCCEEDED]
    assert await post(body) == (200, {"status": "duplicate"})


@pytest.mark.parametrize("mode", MODES)
async def test_a_handler_failing_after_settling_is_500_and_the_redelivery_finds_it_settled(
    ledger: WatchedLedger, mode: str
) -> None:
    """The intent is settled, then the handler fails: 500, and the redelivery hands the same settled
    intent to the handler again (settling twice changes nothing)."""
    intent = sent(ledger)
    shop = Shop(ledger, failures=1)
    post = endpoint(mode, shop, ledger, MemoryDeduplicator())
    body = encoded(stk_result(intent.id))
    assert (await post(body))[0] == 500
    settled = stored(ledger, intent)
    assert settled.state is IntentState.SUCCEEDED
    assert await post(body) == ACCEPTED
    assert [event.intent for event in shop.events] == [settled, settled]
    assert stored(ledger, intent) == settled


# ------------------------------------------------------------------------------------------ construction
def test_the_blocking_receiver_needs_a_blocking_ledger(ledger: WatchedLedger) -> None:
    """An AsyncLedger (or anything else) is refused at construction, not at the first callback."""
    for wrong in (AsyncLedger(ledger), "sqlite:///ledger.db"):
        with pytest.raises(TypeError, match="blocking Ledger"):
            WebhookReceiver(KEY, Shop(ledger), ledger=wrong)  # type: ignore[arg-type]


def test_the_async_receiver_needs_a_ledger(ledger: WatchedLedger) -> None:
    with pytest.raises(TypeError, match="Ledger or an AsyncLedger"):
        AsyncWebhookReceiver(KEY, Shop(ledger), ledger=object())  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------ PostgreSQL
@pytest.mark.parametrize("mode", MODES)
async def test_a_postgres_ledger_settles_and_an_outage_is_500_until_it_is_back(
    postgres_server: PostgresServer, postgres_url: str, mode: str
) -> None:
    """The same on PostgreSQL (many machines): a stopped server is 500, nothing handled or marked, and the
    redelivery after it is back settles the intent before the handler runs."""
    ledger = PostgresLedger(postgres_url, timeout_seconds=2)
    try:
        intent = sent(ledger)
        shop, dedup = Shop(ledger), MemoryDeduplicator()
        post = endpoint(mode, shop, ledger, dedup)
        body = encoded(stk_result(intent.id))
        postgres_server.stop()
        try:
            assert (await post(body))[0] == 500
        finally:
            postgres_server.start()
        assert shop.events == [] and stored(ledger, intent) == intent
        assert await post(body) == ACCEPTED
        assert shop.states_seen == [IntentState.SUCCEEDED]
        assert stored(ledger, intent).reference == REFERENCE
    finally:
        ledger.close()
