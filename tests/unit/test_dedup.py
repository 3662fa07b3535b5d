"""Tests for k2connect_ext.webhooks._dedup: claiming webhook event ids exactly once."""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from k2connect_ext._exceptions import K2ConfigError, K2StoreUnavailableError
from k2connect_ext.webhooks._dedup import (
    AsyncDeduplicator,
    Claim,
    ClaimState,
    Deduplicator,
    MemoryDeduplicator,
    SQLiteDeduplicator,
)
from tests.fakes import FakeClock

Store = MemoryDeduplicator | SQLiteDeduplicator


@dataclass
class Api:
    """The claim/complete/contains calls of one store, through its sync or its async methods."""

    claim: Callable[[str], Awaitable[Claim]]
    complete: Callable[[Claim], Awaitable[bool]]
    contains: Callable[[str], Awaitable[bool]]


def _api(store: Store, mode: str) -> Api:
    """Wrap ``store`` so one async test body exercises either its sync or its async twin methods."""
    if mode == "async":
        return Api(store.aclaim, store.acomplete, store.acontains)

    async def claim(event_id: str) -> Claim:
        return store.claim(event_id)

    async def complete(claim: Claim) -> bool:
        return store.complete(claim)

    async def contains(event_id: str) -> bool:
        return store.contains(event_id)

    return Api(claim, complete, contains)


StoreFactory = Callable[..., Store]


@pytest.fixture(params=["memory", "sqlite"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """A factory for either store kind, taking ttl_seconds/clock; SQLite stores are closed afterwards."""
    opened: list[SQLiteDeduplicator] = []

    def factory(**kwargs: Any) -> Store:
        if request.param == "memory":
            return MemoryDeduplicator(**kwargs)
        store = SQLiteDeduplicator(tmp_path / "events.db", **kwargs)
        opened.append(store)
        return store

    yield factory
    for store in opened:
        store.close()


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    """Whether a test drives the sync methods or their async twins."""
    return str(request.param)


# --- behaviour shared by both stores, through both the sync and the async API ---------------------
# (The states, leases and owner checks every deduplicator shares are tested for all four, against real
# Redis and PostgreSQL, in tests/stores/test_dedup_semantics.py.)


async def test_ttl_expiry_with_fake_clock(make_store: StoreFactory, mode: str, fake_clock: FakeClock) -> None:
    """A done id expires exactly ttl_seconds after it was completed, then the id can be claimed again."""
    clock = fake_clock
    api = _api(make_store(ttl_seconds=10, clock=clock), mode)
    assert await api.complete(await api.claim("evt-1"))
    clock.now += 5
    assert await api.complete(await api.claim("evt-2"))
    clock.now += 4.9
    assert (await api.claim("evt-1")).state is ClaimState.DONE
    assert await api.contains("evt-1") is True
    clock.now += 0.1  # evt-1 is now exactly 10 s old; evt-2 only 5 s
    assert await api.contains("evt-1") is False
    assert await api.contains("evt-2") is True
    assert (await api.claim("evt-1")).state is ClaimState.NEW
    assert (await api.claim("evt-1")).state is ClaimState.IN_FLIGHT


async def test_concurrent_claims_of_same_ids_win_once(make_store: StoreFactory, mode: str) -> None:
    """Many concurrent tasks claiming the same ids: each id is won exactly once."""
    api = _api(make_store(), mode)
    ids = [f"evt-{i}" for i in range(50)]

    async def claimer(seed: int) -> list[str]:
        order = random.Random(seed).sample(ids, len(ids))
        return [event_id for event_id in order if await api.claim(event_id)]

    results = await asyncio.gather(*(claimer(seed) for seed in range(4)))
    assert Counter(event_id for won in results for event_id in won) == Counter(ids)


def test_stores_implement_both_protocols(make_store: StoreFactory) -> None:
    """Both stores satisfy the Deduplicator and AsyncDeduplicator protocols."""
    store = make_store()
    assert isinstance(store, Deduplicator)
    assert isinstance(store, AsyncDeduplicator)


@pytest.mark.parametrize("ttl", [0, -1])
def test_non_positive_ttl_rejected(make_store: StoreFactory, ttl: float) -> None:
    """A zero or negative TTL is a configuration error."""
    with pytest.raises(K2ConfigError, match="ttl_seconds"):
        make_store(ttl_seconds=ttl)


# --- MemoryDeduplicator ---------------------------------------------------------------------------


def test_memory_bounded_evicts_oldest() -> None:
    """Beyond max_entries the oldest claim is forgotten first."""
    store = MemoryDeduplicator(max_entries=3)
    for event_id in ("a", "b", "c", "d"):
        assert store.claim(event_id).state is ClaimState.NEW
    assert len(store) == 3
    assert not store.contains("a")
    assert all(store.contains(event_id) for event_id in ("b", "c", "d"))
    assert store.claim("a").state is ClaimState.NEW  # evicted, so claimable again; this evicts "b"
    assert not store.contains("b")
    assert store.claim("c").state is ClaimState.IN_FLIGHT


def test_memory_reclaim_after_release_counts_as_newest() -> None:
    """An id claimed again after release moves to the back of the eviction queue."""
    store = MemoryDeduplicator(max_entries=2)
    first = store.claim("a")
    store.claim("b")
    store.release(first)
    store.claim("a")
    store.claim("c")  # evicts "b", the oldest live claim
    assert store.contains("a")
    assert not store.contains("b")


def test_memory_completing_counts_as_newest() -> None:
    """Completing an id moves it to the back of the eviction queue: the oldest entry goes first."""
    store = MemoryDeduplicator(max_entries=2)
    first = store.claim("a")
    store.claim("b")
    assert store.complete(first)
    store.claim("c")  # evicts "b", now the oldest
    assert store.claim("a").state is ClaimState.DONE
    assert not store.contains("b")


def test_memory_ttl_expiry_frees_space(fake_clock: FakeClock) -> None:
    """Expired ids are dropped from the store, not only hidden."""
    clock = fake_clock
    store = MemoryDeduplicator(ttl_seconds=1, clock=clock)
    store.complete(store.claim("a"))
    store.claim("b")
    clock.now += 1
    assert len(store) == 0


def test_memory_rejects_non_positive_max_entries() -> None:
    """max_entries below 1 is a configuration error."""
    with pytest.raises(K2ConfigError, match="max_entries"):
        MemoryDeduplicator(max_entries=0)


def test_memory_thread_safe() -> None:
    """Eight threads claiming the same 300 ids in different orders: each id won exactly once."""
    store = MemoryDeduplicator()
    ids = [f"evt-{i}" for i in range(300)]
    barrier = threading.Barrier(8)

    def claimer(seed: int) -> list[str]:
        order = random.Random(seed).sample(ids, len(ids))
        barrier.wait(timeout=10)
        return [event_id for event_id in order if store.claim(event_id)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(claimer, range(8)))
    assert Counter(event_id for won in results for event_id in won) == Counter(ids)


def test_memory_repr_is_informative() -> None:
    """The repr shows the configuration."""
    assert repr(MemoryDeduplicator(max_entries=5, ttl_seconds=2)) == (
        "MemoryDeduplicator(max_entries=5, ttl_seconds=2, lease_seconds=60)"
    )


# --- SQLiteDeduplicator ---------------------------------------------------------------------------


def test_sqlite_schema_and_wal(tmp_path: Path) -> None:
    """The table k2_webhook_events(event_id TEXT PRIMARY KEY, claimed_at REAL, lease_owner TEXT,
    lease_until REAL) exists in WAL mode; a done row has no lease."""
    path = tmp_path / "events.db"
    with SQLiteDeduplicator(path, clock=lambda: 123.5, lease_seconds=30) as store:
        claim = store.claim("evt-1")
        store.claim("evt-2")
        store.complete(claim)
    conn = sqlite3.connect(path)
    try:
        columns = {row[1]: (row[2], row[5]) for row in conn.execute("PRAGMA table_info(k2_webhook_events)")}
        assert columns == {
            "event_id": ("TEXT", 1),
            "claimed_at": ("REAL", 0),
            "lease_owner": ("TEXT", 0),
            "lease_until": ("REAL", 0),
        }
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        rows = conn.execute(
            "SELECT event_id, claimed_at, lease_owner IS NULL, lease_until FROM k2_webhook_events"
        )
        assert sorted(rows) == [("evt-1", 123.5, 1, None), ("evt-2", 123.5, 0, 153.5)]
    finally:
        conn.close()


def test_sqlite_file_from_before_leases_gains_them(tmp_path: Path) -> None:
    """A file written by a version without leases keeps working: the lease columns are added, and the ids
    it holds count as done (duplicates, not to be processed again)."""
    path = tmp_path / "events.db"
    old = sqlite3.connect(path, isolation_level=None)
    old.execute("CREATE TABLE k2_webhook_events (event_id TEXT PRIMARY KEY, claimed_at REAL NOT NULL)")
    old.execute("INSERT INTO k2_webhook_events VALUES ('seen-before', 100.0)")
    old.close()
    with SQLiteDeduplicator(path, clock=lambda: 200.0) as store:
        assert store.claim("seen-before").state is ClaimState.DONE
        assert store.claim("new-one").state is ClaimState.NEW
    with SQLiteDeduplicator(path) as again:  # a second opening finds the columns there
        assert again.contains("seen-before")


def test_sqlite_foreign_table_is_a_config_error_and_changes_nothing(tmp_path: Path) -> None:
    """A k2_webhook_events table that is not ours fails at construction, its schema rolled back untouched."""
    path = tmp_path / "events.db"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("CREATE TABLE k2_webhook_events (something_else TEXT)")
    other.close()
    with pytest.raises(K2ConfigError, match="claimed_at"):
        SQLiteDeduplicator(path)
    other = sqlite3.connect(path)
    try:
        assert [row[1] for row in other.execute("PRAGMA table_info(k2_webhook_events)")] == ["something_else"]
    finally:
        other.close()


def test_sqlite_claims_survive_reopen(tmp_path: Path) -> None:
    """Claims persist in the file: a new instance (a restarted worker) sees them."""
    path = tmp_path / "events.db"
    with SQLiteDeduplicator(str(path)) as first:
        assert first.complete(first.claim("evt-1"))
    with SQLiteDeduplicator(path) as second:
        assert second.claim("evt-1").state is ClaimState.DONE
        assert second.contains("evt-1")


def test_sqlite_close_then_reuse_reopens(tmp_path: Path) -> None:
    """close() is idempotent and a later call transparently reopens the connection."""
    store = SQLiteDeduplicator(tmp_path / "events.db")
    store.claim("evt-1")
    store.close()
    store.close()
    assert store.claim("evt-1").state is ClaimState.IN_FLIGHT
    store.close()


def test_sqlite_connection_inherited_through_fork_is_replaced(tmp_path: Path) -> None:
    """A connection opened by another process id (as after fork) is not reused, nor closed."""
    store = SQLiteDeduplicator(tmp_path / "events.db")
    inherited = store._conn
    assert inherited is not None
    store._conn_pid = -1  # pretend this connection belongs to the parent of a fork
    assert store.claim("evt-1").state is ClaimState.NEW
    assert store._conn is not inherited
    inherited.execute("SELECT 1")  # untouched: still open
    store._conn_pid = -1
    store.close()  # leaves the "parent's" connection alone
    inherited.execute("SELECT 1")
    inherited.close()


async def test_sqlite_purge_older_than(tmp_path: Path, mode: str, fake_clock: FakeClock) -> None:
    """purge_older_than deletes only claims older than the cutoff and says how many."""
    clock = fake_clock
    with SQLiteDeduplicator(tmp_path / "events.db", clock=clock) as store:
        purge = store.apurge_older_than if mode == "async" else _awaitable(store.purge_older_than)
        store.claim("old-1")
        store.claim("old-2")
        clock.now += 100
        store.claim("new")
        clock.now += 10
        assert await purge(50) == 2
        assert not store.contains("old-1")
        assert store.contains("new")
        assert await purge(50) == 0


def _awaitable(func: Callable[[float], int]) -> Callable[[float], Awaitable[int]]:
    """Wrap a sync function so it can be awaited like its async twin."""

    async def call(arg: float) -> int:
        return func(arg)

    return call


def test_sqlite_purge_rejects_negative(tmp_path: Path) -> None:
    """A negative purge age is refused."""
    with SQLiteDeduplicator(tmp_path / "events.db") as store, pytest.raises(ValueError, match="negative"):
        store.purge_older_than(-1)


@pytest.mark.parametrize("path", ["", ":memory:"])
def test_sqlite_rejects_in_memory_paths(path: str) -> None:
    """In-memory SQLite would not be shared between connections, so it is refused."""
    with pytest.raises(K2ConfigError, match="file path"):
        SQLiteDeduplicator(path)


def test_sqlite_bad_path_fails_fast(tmp_path: Path) -> None:
    """An unusable path fails in the constructor, not on the first webhook, as a K2 configuration error."""
    with pytest.raises(K2ConfigError, match="missing-dir") as caught:
        SQLiteDeduplicator(tmp_path / "missing-dir" / "events.db")
    assert isinstance(caught.value.__cause__, sqlite3.OperationalError)


def test_sqlite_schema_failure_closes_connection(tmp_path: Path) -> None:
    """A file that is not a database fails in the constructor (and leaks no connection)."""
    path = tmp_path / "not-a-db"
    path.write_bytes(b"this is not an sqlite database" * 100)
    with pytest.raises(K2ConfigError) as caught:
        SQLiteDeduplicator(path)
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)


def test_sqlite_failure_after_start_is_store_unavailable(tmp_path: Path) -> None:
    """A database locked past the busy timeout is K2StoreUnavailableError (a 500 answer), not sqlite3."""
    path = tmp_path / "events.db"
    with SQLiteDeduplicator(path, busy_timeout_seconds=0.01) as store:
        held = store.claim("evt-held")
        holder = sqlite3.connect(path, isolation_level=None)
        try:
            holder.execute("BEGIN EXCLUSIVE")
            with pytest.raises(K2StoreUnavailableError, match="claim"):
                store.claim("evt-locked")
            for settle in (store.complete, store.release):
                with pytest.raises(K2StoreUnavailableError, match=settle.__name__):
                    settle(held)
            assert store.contains("evt-held")  # WAL: readers go on while another process writes
        finally:
            holder.close()
        assert store.claim("evt-locked").state is ClaimState.NEW
        assert store.release(held)


def test_sqlite_repr_shows_path_only(tmp_path: Path) -> None:
    """The repr names the file and TTL."""
    with SQLiteDeduplicator(tmp_path / "e.db", ttl_seconds=60) as store:
        assert repr(store) == (
            f"SQLiteDeduplicator(path={str(tmp_path / 'e.db')!r}, ttl_seconds=60, lease_seconds=60)"
        )


@pytest.mark.parametrize("shared", [True, False], ids=["one-instance", "instance-per-thread"])
def test_sqlite_concurrent_threads(tmp_path: Path, shared: bool) -> None:
    """Eight threads (sharing one instance, or one connection each) win each of 200 ids exactly once."""
    path = tmp_path / "events.db"
    ids = [f"evt-{i}" for i in range(200)]
    common = SQLiteDeduplicator(path)
    stores = [common if shared else SQLiteDeduplicator(path) for _ in range(8)]
    barrier = threading.Barrier(8)

    def claimer(index: int) -> list[str]:
        order = random.Random(index).sample(ids, len(ids))
        barrier.wait(timeout=10)
        return [event_id for event_id in order if stores[index].claim(event_id)]

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(claimer, range(8)))
    finally:
        for store in {id(s): s for s in [common, *stores]}.values():
            store.close()
    assert Counter(event_id for won in results for event_id in won) == Counter(ids)


def _claim_in_process(path: str, ids: list[str], barrier: Any, results: Any) -> None:
    """Child-process body: claim ``ids`` in order and report the ones this process won."""
    with SQLiteDeduplicator(path) as store:
        barrier.wait(timeout=30)
        results.put([event_id for event_id in ids if store.claim(event_id)])


def test_sqlite_two_processes_claim_each_id_once(tmp_path: Path) -> None:
    """Two spawned processes x 200 claims over overlapping ids: each id is won exactly once overall."""
    path = str(tmp_path / "events.db")
    ids = [f"evt-{i}" for i in range(300)]
    # Both processes start on the shared ids 100..199 at the same moment, to maximise the race.
    orders = [ids[100:200] + ids[:100], ids[100:200] + ids[200:]]
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    processes = [
        ctx.Process(target=_claim_in_process, args=(path, order, barrier, results)) for order in orders
    ]
    started = time.monotonic()
    for process in processes:
        process.start()
    try:
        won = [results.get(timeout=30) for _ in processes]
        for process in processes:
            process.join(timeout=10)
            assert process.exitcode == 0
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
                process.join()
        results.close()
        results.join_thread()
    assert time.monotonic() - started < 30
    assert [len(order) for order in orders] == [200, 200]
    assert Counter(event_id for batch in won for event_id in batch) == Counter(ids)
