"""RedisDeduplicator and PostgresDeduplicator against real servers: what is particular to each (retention,
the PostgreSQL table and its migration, Redis clients), and what happens when the store is down, stalls or
goes away while a handler runs. The states every deduplicator shares are in test_dedup_semantics.py."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis

from k2connect_ext._exceptions import K2ConfigError, K2InputError, K2StoreUnavailableError
from k2connect_ext.webhooks import SIGNATURE_HEADER, K2Event, WebhookReceiver, compute_signature
from k2connect_ext.webhooks._dedup import Claim, ClaimState, SQLiteDeduplicator, event_id_problem
from k2connect_ext.webhooks._dedup_postgres import PostgresDeduplicator
from k2connect_ext.webhooks._dedup_redis import RedisDeduplicator
from tests.fakes import FakeClock
from tests.servers import PostgresServer, RedisServer, free_port, until_it_answers

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


ODD_IDS = ["", "   ", "evt-\ud800", "evt\x00x", "\U0001f600" * 1000, "é" * 5000, "plain-id"]


@pytest.mark.parametrize("event_id", ODD_IDS, ids=lambda i: repr(i)[:24])
def test_the_store_follows_the_common_id_rule(dedup: Dedup, event_id: str) -> None:
    """k2connect_ext.webhooks._dedup.check_event_id is the one rule: an id it refuses raises its error here
    too, and every id it accepts is stored, however long, NUL included (a refusal would be a 500 for ever)."""
    if event_id_problem(event_id) is not None:
        with pytest.raises(K2InputError, match="event_id"):
            dedup.claim(event_id)
    else:
        claim = dedup.claim(event_id)
        assert claim.state is ClaimState.NEW
        assert dedup.claim(event_id).state is ClaimState.IN_FLIGHT
        assert dedup.complete(claim)
        assert dedup.claim(event_id).state is ClaimState.DONE
        assert dedup.contains(event_id)


def test_long_ids_that_differ_only_at_the_end_are_distinct(dedup: Dedup) -> None:
    stem = "\U0001f600" * 2000
    assert dedup.claim(stem + "a").state is ClaimState.NEW
    assert dedup.claim(stem + "b").state is ClaimState.NEW


def test_redis_holds_a_claim_for_the_lease_and_a_done_id_for_the_retention(redis_url: str) -> None:
    dedup = RedisDeduplicator.from_url(redis_url, retention_seconds=90, lease_seconds=20)
    key = b"k2connect:event:" + EVENT_ID.encode()
    claim = dedup.claim(EVENT_ID)
    with redis.Redis.from_url(redis_url) as client:
        assert 0 < client.pttl(key) <= 20_000
        assert dedup.complete(claim)
        assert 20_000 < client.pttl(key) <= 90_000
        assert client.get(key) == b"done"
    dedup.close()


def test_redis_ids_claimed_before_leases_count_as_done(redis_url: str) -> None:
    """Keys written by the version before leases hold "1": they are done, not in flight."""
    with redis.Redis.from_url(redis_url) as client:
        client.set(b"k2connect:event:" + EVENT_ID.encode(), b"1", px=60_000)
    dedup = RedisDeduplicator.from_url(redis_url)
    assert dedup.claim(EVENT_ID).state is ClaimState.DONE
    dedup.close()


def test_redis_a_client_that_decodes_responses_works_the_same(redis_url: str) -> None:
    """A client made with decode_responses=True answers str: states are read the same."""
    dedup = RedisDeduplicator.from_url(redis_url, decode_responses=True)
    claim = dedup.claim(EVENT_ID)
    assert dedup.claim(EVENT_ID).state is ClaimState.IN_FLIGHT
    assert dedup.complete(claim)
    assert dedup.claim(EVENT_ID).state is ClaimState.DONE
    assert dedup.release(claim) is False
    dedup.close()


def _age(url: str, seconds: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "UPDATE k2_webhook_events SET claimed_at = now() - make_interval(secs => %s)", (seconds,)
        )


def test_postgres_ids_older_than_the_retention_expire_and_are_purged(postgres_url: str) -> None:
    dedup = PostgresDeduplicator(postgres_url, retention_seconds=60)
    assert dedup.complete(dedup.claim("old")) and dedup.complete(dedup.claim("older"))
    _age(postgres_url, 120)
    assert dedup.complete(dedup.claim("recent"))
    assert not dedup.contains("old")
    assert dedup.claim("old").state is ClaimState.NEW  # expired: taken over
    _age(postgres_url, 120)
    dedup.claim("recent-again")
    assert dedup.purge_expired() == 3  # old, older, recent (all aged); recent-again stays
    assert dedup.contains("recent-again")
    dedup.close()


def test_a_postgres_table_from_before_leases_is_migrated(postgres_url: str) -> None:
    """A table made by the version without leases keeps working: it gains the two lease columns on first
    use (without losing a row), and the ids it holds count as done."""
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE k2_webhook_events (event_id BYTEA PRIMARY KEY, claimed_at TIMESTAMPTZ NOT NULL)"
        )
        conn.execute("INSERT INTO k2_webhook_events VALUES ('seen-before', now())")
    with PostgresDeduplicator(postgres_url) as dedup:
        assert dedup.claim("seen-before").state is ClaimState.DONE
        claim = dedup.claim("new-one")
        assert claim.state is ClaimState.NEW and dedup.complete(claim)
    with psycopg.connect(postgres_url) as conn:
        columns = conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'k2_webhook_events' "
            "ORDER BY ordinal_position"
        ).fetchall()
        assert [c for (c,) in columns] == ["event_id", "claimed_at", "lease_owner", "lease_until"]
        assert conn.execute("SELECT count(*) FROM k2_webhook_events").fetchone() == (2,)


def test_workers_starting_together_create_the_table_once(postgres_url: str) -> None:
    """Four workers' first claims at the same moment: CREATE TABLE IF NOT EXISTS must not race."""
    stores = [PostgresDeduplicator(postgres_url) for _ in range(4)]
    barrier = threading.Barrier(4)
    results: list[object] = []

    def first_claim(store: PostgresDeduplicator, n: int) -> None:
        barrier.wait()
        try:
            results.append(bool(store.claim(f"first-{n}")))
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
    won = Claim(EVENT_ID, ClaimState.NEW, "an-owner")
    calls: list[Callable[[], object]] = [
        lambda: dedup.claim(EVENT_ID),
        lambda: dedup.complete(won),
        lambda: dedup.release(won),
        lambda: dedup.contains(EVENT_ID),
    ]
    for call in calls:
        with pytest.raises(K2StoreUnavailableError) as caught:
            call()
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
        pool, _ = dedup._connection_pool()
        pool.wait(timeout=30)
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
    [
        {"retention_seconds": 0},
        {"pool_size": 0},
        {"timeout_seconds": 0},
        {"timeout_seconds": math.inf},
        {"table": "a.b.c"},
        {"table": ""},
    ],
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
        assert dedup.complete(dedup.claim("in-schema"))
        assert dedup.claim("in-schema").state is ClaimState.DONE
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT count(*) FROM shop.k2_events").fetchone() == (1,)


# ---------------------------------------------------- issue 17: the store stops answering mid-handler

HANG_GUARD = 20.0  # only so that a hang fails the test instead of the run; nothing is asserted on time


def _processes_of(pid: int) -> list[int]:
    """``pid`` and its children (a PostgreSQL postmaster's backends), read from /proc."""
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:  # the process ended meanwhile
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry))
    return [pid, *children]


@contextlib.contextmanager
def _stalled(process: subprocess.Popen[bytes] | None) -> Iterator[None]:
    """The server stops answering, without closing anything: SIGSTOP to it (and its children), always
    resumed with SIGCONT afterwards. The kernel still accepts and acknowledges on its sockets."""
    assert process is not None
    pids = _processes_of(process.pid)
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)


class _Outage:
    """A deduplicator on a real store, and how to take that store away and give it back with its data."""

    def __init__(self, dedup: Any, stop: Callable[[], None], start: Callable[[], None]) -> None:
        self.dedup, self.stop, self.start = dedup, stop, start


@contextlib.contextmanager
def _outage(kind: str, request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock) -> Iterator[_Outage]:
    if kind == "sqlite":
        # Another process holds the file's write lock past the busy timeout.
        path = tmp_path / "events.db"
        holder = sqlite3.connect(path, isolation_level=None)
        dedup: Any = SQLiteDeduplicator(path, clock=clock, busy_timeout_seconds=0.05)

        def lock() -> None:
            holder.execute("BEGIN EXCLUSIVE")

        def unlock() -> None:
            holder.execute("COMMIT")

        try:
            yield _Outage(dedup, lock, unlock)
        finally:
            holder.close()
            dedup.close()
    elif kind == "redis":
        # Redis goes down with its data saved, and comes back with it. (A stalled Redis would not do: the
        # release queued in its socket would run when it resumes.)
        server: RedisServer = request.getfixturevalue("redis_server")
        dedup = RedisDeduplicator.from_url(request.getfixturevalue("redis_url"))

        def stop() -> None:
            with redis.Redis.from_url(server.url) as client:
                client.save()
            server.stop()

        try:
            yield _Outage(dedup, stop, server.start)
        finally:
            if server.process is None:
                server.start()
            (server.workdir / "dump.rdb").unlink(missing_ok=True)
            dedup.close()
    else:
        # PostgreSQL shuts down (its data is on disk) and starts again.
        pg: PostgresServer = request.getfixturevalue("postgres_server")
        dedup = PostgresDeduplicator(request.getfixturevalue("postgres_url"), timeout_seconds=1)
        try:
            yield _Outage(dedup, pg.stop, pg.start)
        finally:
            if pg.process is None:
                pg.start()
            dedup.close()


def _lapse_leases(kind: str, outage: _Outage, request: pytest.FixtureRequest, clock: FakeClock) -> None:
    """Let every running lease lapse, as time passing would."""
    if kind == "sqlite":
        clock.now += 24 * 3600.0
    elif kind == "redis":
        with redis.Redis.from_url(request.getfixturevalue("redis_server").url) as client:
            for key in client.scan_iter(match=b"k2connect:event:*"):
                if client.get(key) != b"done":
                    client.delete(key)  # what PX does to a lease when it runs out
    else:
        with psycopg.connect(request.getfixturevalue("postgres_server").url, autocommit=True) as conn:
            conn.execute(
                "UPDATE k2_webhook_events SET lease_until = now() - interval '1 second' "
                "WHERE lease_owner IS NOT NULL"
            )


@pytest.mark.parametrize("kind", ["sqlite", "redis", "postgres"])
def test_a_store_outage_while_the_handler_fails_loses_no_event(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path, fake_clock: FakeClock
) -> None:
    """The store stops answering while the handler runs, and the handler fails, so the claim cannot be
    released. Once the store is back, K2's redelivery must not be acknowledged as a duplicate (the event
    was never processed): it is told to retry while the claim's lease runs, then processed once the lease
    has lapsed, exactly once."""
    seen: list[str | None] = []
    with _outage(kind, request, tmp_path, fake_clock) as outage:

        def handler(event: K2Event) -> None:
            if not seen:
                seen.append(None)
                outage.stop()
                raise RuntimeError("the handler fails while the store is away")
            seen.append(event.id)

        receiver = WebhookReceiver(KEY, handler, deduplicator=outage.dedup)
        assert _answer(receiver)[0] == 500
        outage.start()
        status, body = until_it_answers(lambda: _answer_or_raise(receiver))
        assert (status, body["status"]) == (503, "in_progress")  # not "duplicate": never processed
        _lapse_leases(kind, outage, request, fake_clock)
        assert _answer(receiver) == (200, {"status": "accepted"})
        assert _answer(receiver) == (200, {"status": "duplicate"})
    assert seen == [None, EVENT_ID]


def _answer_or_raise(receiver: WebhookReceiver) -> tuple[int, Any]:
    """The receiver's answer, or K2StoreUnavailableError when it is the 500 of a store still down."""
    status, body = _answer(receiver)
    if status == 500:
        raise K2StoreUnavailableError("still down")
    return status, body


# ------------------------------------------------------- issue 17: every PostgreSQL wait is bounded


def _in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, list[object]]:
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(call())
        except Exception as exc:  # collected, so the assertion shows it
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_stalled_postgres_is_store_unavailable_not_a_hang(
    postgres_server: PostgresServer, postgres_url: str, mode: str
) -> None:
    """PostgreSQL stops answering on an open connection (SIGSTOP): claim() raises K2StoreUnavailableError
    after about timeout_seconds, instead of waiting for ever; once it resumes, the store works again."""
    dedup = PostgresDeduplicator(postgres_url, timeout_seconds=1)
    dedup.claim("warm-up")  # the pool holds an open connection, as in a running app
    call = (
        (lambda: dedup.claim(EVENT_ID)) if mode == "sync" else (lambda: asyncio.run(dedup.aclaim(EVENT_ID)))
    )
    with _stalled(postgres_server.process):
        thread, outcome = _in_thread(call)
        thread.join(HANG_GUARD)
        finished = not thread.is_alive()
    thread.join(HANG_GUARD)  # (the unfixed claim goes on once PostgreSQL resumes)
    assert finished, "claim() was still waiting on a stalled PostgreSQL"
    [error] = outcome
    assert isinstance(error, K2StoreUnavailableError), error
    assert until_it_answers(lambda: dedup.contains("warm-up"))
    dedup.close()


def test_a_statement_waiting_inside_postgres_is_cut_at_the_bound(postgres_url: str) -> None:
    """A statement that PostgreSQL itself holds up (a lock another session keeps) is given up after about
    timeout_seconds, as K2StoreUnavailableError; the next call, once the lock is gone, works."""
    dedup = PostgresDeduplicator(postgres_url, timeout_seconds=1)
    dedup.claim("warm-up")
    with psycopg.connect(postgres_url) as locker:
        locker.execute("LOCK TABLE k2_webhook_events IN ACCESS EXCLUSIVE MODE")
        thread, outcome = _in_thread(lambda: dedup.claim(EVENT_ID))
        thread.join(HANG_GUARD)
        finished = not thread.is_alive()
        locker.rollback()
    thread.join(HANG_GUARD)
    assert finished, "claim() was still waiting on a lock inside PostgreSQL"
    [error] = outcome
    assert isinstance(error, K2StoreUnavailableError), error
    assert until_it_answers(lambda: dedup.contains("warm-up"))
    dedup.close()
