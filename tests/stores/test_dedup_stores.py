"""RedisDeduplicator and PostgresDeduplicator against real servers: the SQLiteDeduplicator semantics
(claim before the handler, release when it fails), retention, and what happens when the store is down."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import redis

from k2connect_ext._exceptions import K2ConfigError, K2InputError, K2StoreUnavailableError
from k2connect_ext.webhooks import SIGNATURE_HEADER, K2Event, WebhookReceiver, compute_signature
from k2connect_ext.webhooks._dedup import event_id_problem
from k2connect_ext.webhooks._dedup_postgres import PostgresDeduplicator
from k2connect_ext.webhooks._dedup_redis import RedisDeduplicator
from tests.servers import PostgresServer, RedisServer, free_port

KEY = "dedup-store-test-key"
EVENT_ID = "c0ffee00-0000-4000-8000-0000000000aa"
BODY = json.dumps(
    {
        "topic": "customer_created",
        "id": EVENT_ID,
        "created_at": "2026-03-01T12:00:00+03:00",
        "event": {"type": "Customer Created", "resource": {"phone_number": "+254700000009"}},
    }
).encode()
HEADERS = {SIGNATURE_HEADER: compute_signature(BODY, KEY), "Content-Type": "application/json"}

Dedup = RedisDeduplicator | PostgresDeduplicator


@pytest.fixture(params=["redis", "postgres"])
def dedup(request: pytest.FixtureRequest) -> Iterator[Dedup]:
    store: Dedup
    if request.param == "redis":
        store = RedisDeduplicator.from_url(request.getfixturevalue("redis_url"), retention_seconds=3600)
    else:
        store = PostgresDeduplicator(request.getfixturevalue("postgres_url"), retention_seconds=3600)
    yield store
    store.close()


def test_an_id_is_claimed_once_until_released(dedup: Dedup) -> None:
    assert dedup.claim(EVENT_ID) is True
    assert dedup.claim(EVENT_ID) is False
    assert dedup.contains(EVENT_ID)
    dedup.release(EVENT_ID)
    assert not dedup.contains(EVENT_ID)
    assert dedup.claim(EVENT_ID) is True


def test_concurrent_claims_of_one_id_have_one_winner(dedup: Dedup) -> None:
    barrier = threading.Barrier(16)
    wins: list[bool] = []

    def claim() -> None:
        barrier.wait()
        wins.append(dedup.claim("raced-id"))

    threads = [threading.Thread(target=claim) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == [False] * 15 + [True]


ODD_IDS = ["", "   ", "evt-\ud800", "evt\x00x", "\U0001f600" * 1000, "é" * 5000, "plain-id"]


@pytest.mark.parametrize("event_id", ODD_IDS, ids=lambda i: repr(i)[:24])
def test_the_store_follows_the_common_id_rule(dedup: Dedup, event_id: str) -> None:
    """k2connect_ext.webhooks._dedup.check_event_id is the one rule: an id it refuses raises its error here
    too, and every id it accepts is stored, however long, NUL included (a refusal would be a 500 for ever)."""
    if event_id_problem(event_id) is not None:
        with pytest.raises(K2InputError, match="event_id"):
            dedup.claim(event_id)
    else:
        assert dedup.claim(event_id) is True
        assert dedup.claim(event_id) is False
        assert dedup.contains(event_id)


def test_long_ids_that_differ_only_at_the_end_are_distinct(dedup: Dedup) -> None:
    stem = "\U0001f600" * 2000
    assert dedup.claim(stem + "a") is True
    assert dedup.claim(stem + "b") is True


async def test_the_async_twins(dedup: Dedup) -> None:
    assert await dedup.aclaim("async-id") is True
    assert await dedup.aclaim("async-id") is False
    assert await dedup.acontains("async-id")
    await dedup.arelease("async-id")
    assert await dedup.aclaim("async-id") is True


def test_redis_forgets_ids_after_the_retention(redis_url: str) -> None:
    RedisDeduplicator.from_url(redis_url, retention_seconds=90).claim(EVENT_ID)
    ttl_ms = redis.Redis.from_url(redis_url).pttl(b"k2connect:event:" + EVENT_ID.encode())
    assert 0 < ttl_ms <= 90_000


def _age(url: str, seconds: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "UPDATE k2_webhook_events SET claimed_at = now() - make_interval(secs => %s)", (seconds,)
        )


def test_postgres_claims_older_than_the_retention_expire_and_are_purged(postgres_url: str) -> None:
    dedup = PostgresDeduplicator(postgres_url, retention_seconds=60)
    assert dedup.claim("old") and dedup.claim("older")
    _age(postgres_url, 120)
    assert dedup.claim("recent")
    assert not dedup.contains("old")
    assert dedup.claim("old") is True  # expired: taken over
    _age(postgres_url, 120)
    dedup.claim("recent-again")
    assert dedup.purge_expired() == 3  # old, older, recent (all aged); recent-again stays
    assert dedup.contains("recent-again")
    dedup.close()


def test_workers_starting_together_create_the_table_once(postgres_url: str) -> None:
    """Four workers' first claims at the same moment: CREATE TABLE IF NOT EXISTS must not race."""
    stores = [PostgresDeduplicator(postgres_url) for _ in range(4)]
    barrier = threading.Barrier(4)
    results: list[object] = []

    def first_claim(store: PostgresDeduplicator, n: int) -> None:
        barrier.wait()
        try:
            results.append(store.claim(f"first-{n}"))
        except Exception as exc:  # collected, so the assertion shows it
            results.append(exc)

    threads = [threading.Thread(target=first_claim, args=(s, n)) for n, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 4
    for s in stores:
        s.close()


def _unreachable(kind: str) -> Dedup:
    port = free_port()
    if kind == "redis":
        return RedisDeduplicator.from_url(f"redis://:s3cret-pw@127.0.0.1:{port}/0")
    return PostgresDeduplicator(f"postgresql://k2:s3cret-pw@127.0.0.1:{port}/shop", timeout_seconds=0.5)


@pytest.mark.parametrize("kind", ["redis", "postgres"])
def test_a_store_that_is_down_raises_a_clear_error_without_secrets(kind: str) -> None:
    dedup = _unreachable(kind)
    for call in (dedup.claim, dedup.release, dedup.contains):
        with pytest.raises(K2StoreUnavailableError) as caught:
            call(EVENT_ID)
        assert "s3cret" not in str(caught.value)
        assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert "s3cret" not in repr(dedup)
    dedup.close()


class Handler:
    def __init__(self) -> None:
        self.seen: list[str | None] = []

    def __call__(self, event: K2Event) -> None:
        self.seen.append(event.id)


def _answer(receiver: WebhookReceiver) -> tuple[int, Any]:
    response = receiver.handle(BODY, HEADERS)
    return response.status, json.loads(response.body)


@pytest.mark.parametrize("kind", ["redis", "postgres"])
def test_while_the_store_is_down_the_receiver_answers_500_and_marks_nothing_seen(
    kind: str, request: pytest.FixtureRequest
) -> None:
    """The store goes down: 500 (K2 redelivers), the handler is not run; back up, the redelivery is
    processed exactly once."""
    server: RedisServer | PostgresServer
    dedup: Dedup
    if kind == "redis":
        url = request.getfixturevalue("redis_url")
        server = request.getfixturevalue("redis_server")
        dedup = RedisDeduplicator.from_url(url)
    else:
        url = request.getfixturevalue("postgres_url")
        server = request.getfixturevalue("postgres_server")
        dedup = PostgresDeduplicator(url, timeout_seconds=1)
    handler = Handler()
    receiver = WebhookReceiver(KEY, handler, deduplicator=dedup)
    dedup.claim("warm-up")  # the pool/connection exists before the outage, as in a running app
    server.stop()
    try:
        assert _answer(receiver)[0] == 500
        assert handler.seen == []
    finally:
        server.start()
    if isinstance(dedup, PostgresDeduplicator):
        # psycopg_pool reconnects on its own backoff (1 s, 2 s, 4 s... after a failure), not on demand:
        # let it, as K2's later redelivery would, rather than race it with the 1 s timeout (which lost
        # when the machine was loaded and PostgreSQL slow to start).
        dedup._connection_pool().wait(timeout=30)
    assert _answer(receiver) == (200, {"status": "accepted"})
    assert _answer(receiver) == (200, {"status": "duplicate"})
    assert handler.seen == [EVENT_ID]
    dedup.close()


def test_a_malformed_connection_string_is_a_config_error_without_the_password() -> None:
    with pytest.raises(K2ConfigError) as caught:
        PostgresDeduplicator("host=db password=s3cret-pw 'unterminated")
    assert "s3cret" not in str(caught.value)


@pytest.mark.parametrize(("module", "build"), [("psycopg", "postgres"), ("redis", "redis")])
def test_without_the_driver_the_error_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, module: str, build: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(K2ConfigError, match=rf"k2connect-sdk\[{build}\]"):
        if build == "postgres":
            PostgresDeduplicator("postgresql://localhost/x")
        else:
            RedisDeduplicator(object())


def test_both_stores_satisfy_the_receiver_protocols(dedup: Dedup) -> None:
    """The receivers accept a deduplicator by these protocols: a missing method would make them refuse it."""
    from k2connect_ext.webhooks import AsyncDeduplicator, AsyncWebhookReceiver, Deduplicator

    assert isinstance(dedup, Deduplicator) and isinstance(dedup, AsyncDeduplicator)
    WebhookReceiver(KEY, Handler(), deduplicator=dedup)
    AsyncWebhookReceiver(KEY, Handler(), deduplicator=dedup)


@pytest.mark.parametrize(
    "settings",
    [{"retention_seconds": 0}, {"pool_size": 0}, {"timeout_seconds": 0}, {"table": "a.b.c"}, {"table": ""}],
)
def test_postgres_settings_out_of_range_are_config_errors(settings: dict[str, Any]) -> None:
    with pytest.raises(K2ConfigError):
        PostgresDeduplicator("postgresql://localhost/x", **settings)


async def test_postgres_purge_twins_and_their_input_check(postgres_url: str) -> None:
    with PostgresDeduplicator(postgres_url, retention_seconds=60) as dedup:
        await dedup.aclaim("kept")
        assert await dedup.apurge_expired() == 0
        assert await dedup.apurge_older_than(0) == 1
        with pytest.raises(K2InputError):
            dedup.purge_older_than(-1)


def test_a_postgres_table_in_a_schema(postgres_url: str) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS shop CASCADE")
        conn.execute("CREATE SCHEMA shop")
    with PostgresDeduplicator(postgres_url, table="shop.k2_events") as dedup:
        assert dedup.claim("in-schema") is True
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT count(*) FROM shop.k2_events").fetchone() == (1,)
