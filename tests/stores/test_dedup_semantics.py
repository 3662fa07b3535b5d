"""One suite for every deduplicator (memory, SQLite, Redis, PostgreSQL; sync and async): the same states
and the same answers (issue 17).

* A claim is NEW for one delivery, with an owner token; IN_FLIGHT for every other copy while it runs; DONE
  once completed. Only a done event is acknowledged as a duplicate.
* An in-flight claim lapses after its lease, so an event whose claim could not be released (the store was
  down) is processed on a later redelivery.
* ``complete`` and ``release`` are owner-checked: a first run that outlived its lease neither deletes nor
  completes the claim a later copy took over.

Redis and PostgreSQL are the session's real servers (tests/servers.py). Time is the deduplicator's own:
memory and SQLite take a fake clock, Redis expires keys itself and PostgreSQL reads ``now()``, so "every
running lease lapses" is, for each store, what the passing of time does to it (see ``Store.lapse``); one
test also waits for a short lease to lapse on its own.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest
import redis

from k2connect_ext._exceptions import K2ConfigError, K2InputError
from k2connect_ext.webhooks import SIGNATURE_HEADER, K2Event, WebhookReceiver, compute_signature
from k2connect_ext.webhooks._dedup import Claim, ClaimState, MemoryDeduplicator, SQLiteDeduplicator
from k2connect_ext.webhooks._dedup_postgres import PostgresDeduplicator
from k2connect_ext.webhooks._dedup_redis import RedisDeduplicator
from k2connect_ext.webhooks._receivers import AsyncWebhookReceiver
from tests.fakes import FakeClock

KINDS = ["memory", "sqlite", "redis", "postgres"]
LONG_AFTER = 24 * 3600.0  # past any lease

Dedup = MemoryDeduplicator | SQLiteDeduplicator | RedisDeduplicator | PostgresDeduplicator
Closable = TypeVar("Closable", SQLiteDeduplicator, RedisDeduplicator, PostgresDeduplicator)


@dataclass
class Store:
    """How to make one kind of deduplicator, and how to let time pass for it."""

    kind: str
    make: Callable[..., Dedup]  # on the test's clock: memory and SQLite on the fake one
    lapse: Callable[[], None]  # every running lease lapses, as the passing of time would have it
    make_real: Callable[..., Dedup]  # on the store's real clock


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path, fake_clock: FakeClock) -> Iterator[Store]:
    opened: list[SQLiteDeduplicator | RedisDeduplicator | PostgresDeduplicator] = []

    def remember(dedup: Closable) -> Closable:
        opened.append(dedup)
        return dedup

    def lapse_clock() -> None:
        fake_clock.now += LONG_AFTER

    kind = str(request.param)
    if kind == "memory":
        yield Store(
            kind,
            lambda **settings: MemoryDeduplicator(clock=fake_clock, **settings),
            lapse_clock,
            lambda **settings: MemoryDeduplicator(**settings),
        )
    elif kind == "sqlite":
        yield Store(
            kind,
            lambda **settings: remember(
                SQLiteDeduplicator(tmp_path / "fake.db", clock=fake_clock, **settings)
            ),
            lapse_clock,
            lambda **settings: remember(SQLiteDeduplicator(tmp_path / "real.db", **settings)),
        )
    elif kind == "redis":
        url = request.getfixturevalue("redis_url")

        def lapse_redis() -> None:
            with redis.Redis.from_url(url) as client:
                for key in client.scan_iter(match=b"k2connect:event:*"):
                    if (client.get(key) or b"").startswith(b"lease:"):
                        client.delete(key)  # what PX does to a lease that runs out

        def make_redis(**settings: Any) -> Dedup:
            return remember(RedisDeduplicator.from_url(url, **settings))

        yield Store(kind, make_redis, lapse_redis, make_redis)
    else:
        url = request.getfixturevalue("postgres_url")

        def lapse_postgres() -> None:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(
                    "UPDATE k2_webhook_events SET lease_until = now() - interval '1 second' "
                    "WHERE lease_owner IS NOT NULL"
                )

        def make_postgres(**settings: Any) -> Dedup:
            return remember(PostgresDeduplicator(url, **settings))

        yield Store(kind, make_postgres, lapse_postgres, make_postgres)
    for dedup in opened:
        dedup.close()


@dataclass
class Api:
    """The four calls of one deduplicator, through its sync methods or its async twins."""

    claim: Callable[[str], Awaitable[Claim]]
    complete: Callable[[Claim], Awaitable[bool]]
    release: Callable[[Claim], Awaitable[bool]]
    contains: Callable[[str], Awaitable[bool]]


def _api(dedup: Dedup, mode: str) -> Api:
    if mode == "async":
        return Api(dedup.aclaim, dedup.acomplete, dedup.arelease, dedup.acontains)

    async def claim(event_id: str) -> Claim:
        return dedup.claim(event_id)

    async def complete(claim: Claim) -> bool:
        return dedup.complete(claim)

    async def release(claim: Claim) -> bool:
        return dedup.release(claim)

    async def contains(event_id: str) -> bool:
        return dedup.contains(event_id)

    return Api(claim, complete, release, contains)


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# ------------------------------------------------------------------------------------------ states


async def test_new_then_in_flight_then_done(store: Store, mode: str) -> None:
    """One delivery wins the claim (with an owner token); copies meanwhile find it in flight; once
    completed, copies find it done."""
    api = _api(store.make(), mode)
    first = await api.claim("evt-1")
    assert first.state is ClaimState.NEW and first and first.owner
    assert "owner" not in repr(first)  # the token is not shown
    copy = await api.claim("evt-1")
    assert (copy.state, copy.owner, bool(copy)) == (ClaimState.IN_FLIGHT, None, False)
    assert await api.contains("evt-1")
    assert await api.complete(first) is True
    assert (await api.claim("evt-1")).state is ClaimState.DONE
    assert await api.contains("evt-1")


async def test_ids_are_independent(store: Store, mode: str) -> None:
    api = _api(store.make(), mode)
    assert (await api.claim("evt-1")).state is ClaimState.NEW
    assert (await api.claim("evt-2")).state is ClaimState.NEW
    assert not await api.contains("evt-3")


async def test_a_released_claim_is_free_for_the_redelivery(store: Store, mode: str) -> None:
    """The handler failed: release frees the id, and the redelivery wins it afresh."""
    api = _api(store.make(), mode)
    first = await api.claim("evt-1")
    assert await api.release(first) is True
    assert not await api.contains("evt-1")
    again = await api.claim("evt-1")
    assert again.state is ClaimState.NEW and again.owner != first.owner
    assert await api.release(first) is False  # the old claim is gone: nothing of it left to release


async def test_a_duplicate_has_nothing_to_complete_or_release(store: Store, mode: str) -> None:
    """Only the claim's winner can complete or release it; a copy's Claim does nothing."""
    api = _api(store.make(), mode)
    first = await api.claim("evt-1")
    copy = await api.claim("evt-1")
    assert await api.release(copy) is False
    assert await api.complete(copy) is False
    assert (await api.claim("evt-1")).state is ClaimState.IN_FLIGHT
    assert await api.complete(first) is True
    done = await api.claim("evt-1")
    assert await api.release(done) is False
    assert (await api.claim("evt-1")).state is ClaimState.DONE


# ------------------------------------------------------------------------------------ leases, owners


async def test_an_in_flight_claim_lapses_after_its_lease(store: Store, mode: str) -> None:
    """A claim nobody completed or released (its worker died, or the store was down when it tried) does
    not stand for the retention: after its lease the event is free and the next copy is processed."""
    api = _api(store.make(), mode)
    await api.claim("evt-1")
    store.lapse()
    assert not await api.contains("evt-1")
    assert (await api.claim("evt-1")).state is ClaimState.NEW


async def test_a_done_event_stays_done_past_the_lease(store: Store, mode: str) -> None:
    api = _api(store.make(), mode)
    assert await api.complete(await api.claim("evt-1"))
    store.lapse()
    assert await api.contains("evt-1")
    assert (await api.claim("evt-1")).state is ClaimState.DONE


async def test_a_late_first_run_cannot_release_or_complete_the_claim_taken_over(
    store: Store, mode: str
) -> None:
    """The first run outlived its lease and a redelivery took the event over: whatever the first run does
    then (fail and release, or finish and complete) leaves the second run's claim alone."""
    api = _api(store.make(), mode)
    first = await api.claim("evt-1")
    store.lapse()
    second = await api.claim("evt-1")
    assert second.state is ClaimState.NEW and second.owner != first.owner
    assert await api.release(first) is False
    assert (await api.claim("evt-1")).state is ClaimState.IN_FLIGHT
    assert await api.complete(first) is False
    assert (await api.claim("evt-1")).state is ClaimState.IN_FLIGHT  # not marked done by the first run
    assert await api.complete(second) is True
    assert (await api.claim("evt-1")).state is ClaimState.DONE


async def test_a_run_that_outlived_its_lease_unchallenged_still_marks_the_event_done(
    store: Store, mode: str
) -> None:
    """No redelivery came while the lease was over: the run that finished marks the event done."""
    api = _api(store.make(), mode)
    first = await api.claim("evt-1")
    store.lapse()
    assert await api.complete(first) is True
    assert (await api.claim("evt-1")).state is ClaimState.DONE


def test_a_short_lease_lapses_on_its_own(store: Store) -> None:
    """With the store's real clock (Redis's PX, PostgreSQL's now(), the machine's for the others), an
    unfinished claim becomes free again once its lease has run out."""
    dedup = store.make_real(lease_seconds=0.2)
    assert dedup.claim("evt-1").state is ClaimState.NEW
    deadline = time.monotonic() + 30  # a hang guard only: nothing is asserted on time
    while (found := dedup.claim("evt-1")).state is ClaimState.IN_FLIGHT and time.monotonic() < deadline:
        time.sleep(0.05)
    assert found.state is ClaimState.NEW


def test_concurrent_claims_of_one_id_have_one_winner(store: Store) -> None:
    dedup = store.make()
    barrier = threading.Barrier(8)
    states: list[ClaimState] = []

    def claim() -> None:
        barrier.wait()
        states.append(dedup.claim("raced-id").state)

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Counter(states) == {ClaimState.NEW: 1, ClaimState.IN_FLIGHT: 7}


# ------------------------------------------------------------------------------------------- inputs


@pytest.mark.parametrize("bad", ["", "   ", None, 42, "evt-\ud800"], ids=repr)
async def test_an_unusable_event_id_is_refused(store: Store, mode: str, bad: Any) -> None:
    api = _api(store.make(), mode)
    for call in (api.claim, api.contains):
        with pytest.raises(K2InputError, match="event_id"):
            await call(bad)
    forged = Claim(bad, ClaimState.NEW, "owner")
    for settle in (api.complete, api.release):
        with pytest.raises(K2InputError, match="event_id"):
            await settle(forged)


async def test_only_a_claim_can_be_completed_or_released(store: Store, mode: str) -> None:
    """complete and release take the Claim that claim() returned; an event id alone is refused."""
    api = _api(store.make(), mode)
    for settle in (api.complete, api.release):
        with pytest.raises(K2InputError, match="Claim"):
            await settle("evt-1")  # type: ignore[arg-type]


@pytest.mark.parametrize("lease", [0, -1, math.nan, math.inf, "60", True], ids=repr)
def test_a_lease_that_is_not_a_positive_finite_number_is_a_config_error(store: Store, lease: Any) -> None:
    """Like the other settings, refused at start-up: a lease that never lapses would bring back the lost
    events this exists to prevent."""
    with pytest.raises(K2ConfigError, match="lease_seconds"):
        store.make(lease_seconds=lease)


def test_the_lease_is_shown_in_the_repr(store: Store) -> None:
    assert "lease_seconds=90" in repr(store.make(lease_seconds=90))


# ------------------------------------------------------------------------------ what K2 is answered

KEY = "semantics-test-key"
BODY = json.dumps(
    {
        "topic": "customer_created",
        "id": "5e3a0000-0000-4000-8000-000000000001",
        "created_at": "2026-03-01T12:00:00+03:00",
        "event": {"type": "Customer Created", "resource": {"phone_number": "+254700000009"}},
    }
).encode()
HEADERS = {SIGNATURE_HEADER: compute_signature(BODY, KEY)}
DEDUP_KEY = "webhook:5e3a0000-0000-4000-8000-000000000001"


async def test_every_store_gives_the_same_answers(store: Store, mode: str) -> None:
    """In flight elsewhere: 503 with Retry-After. Lapsed: processed, 200. Done: 200 duplicate."""
    dedup = store.make()
    seen: list[K2Event] = []

    async def answer() -> tuple[int, str, dict[str, str]]:
        if mode == "async":
            got = await AsyncWebhookReceiver(KEY, seen.append, deduplicator=dedup).handle(BODY, HEADERS)
        else:
            got = WebhookReceiver(KEY, seen.append, deduplicator=dedup).handle(BODY, HEADERS)
        return got.status, json.loads(got.body)["status"], dict(got.headers)

    dedup.claim(DEDUP_KEY)  # another worker's delivery of the event is being handled
    status, outcome, headers = await answer()
    assert (status, outcome) == (503, "in_progress") and headers["Retry-After"].isdigit()
    assert seen == []
    store.lapse()  # ... and that worker died
    assert (await answer())[:2] == (200, "accepted")
    assert (await answer())[:2] == (200, "duplicate")
    assert len(seen) == 1
