"""The intent ledger on real stores: one suite run on SQLite (a file) and PostgreSQL (the session's server),
each through the blocking ledger and through its async twin (``AsyncLedger``).

Shared: record, read and list; one intent per key; every move of the state machine's table, allowed or
refused; the compare-and-set under contention (threads and spawned processes racing ``recorded -> sending``:
exactly one wins); schema migrations from a database made by hand at version 0 or 1, and a newer one
refused. PostgreSQL alone: stopped and started again (K2StoreUnavailableError, then everything still there),
a statement held by a lock (cut at the bound), a pool the application owns, its settings. SQLite's own
faults (locked, read-only, corrupt, a directory) are in tests/unit/test_ledger.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import psycopg_pool
import pytest

from k2connect_ext import (
    AsyncLedger,
    Intent,
    IntentState,
    K2ConfigError,
    K2InputError,
    K2IntentConflictError,
    K2StoreUnavailableError,
    Ledger,
    PostgresLedger,
    SQLiteLedger,
)
from k2connect_ext._intent import TRANSITIONS
from k2connect_ext._ledger_schema import MIGRATIONS, SCHEMA_VERSION
from k2connect_ext._ledger_writes import MoveWrite, RecordWrite, WritesTogether
from tests.fakes import FakeClock
from tests.servers import PostgresServer, free_port, until_it_answers

S = IntentState
RACERS = 4
REQUEST: dict[str, Any] = {
    "destinations": [{"phone_number": "+254712345678", "amount": {"currency": "KES", "value": "100.00"}}],
    "callback_url": "https://example.com/k2/payout",
}
LOCATION = "https://sandbox.kopokopo.com/api/v2/send_money/6e2d2b8c-6a2f-4b8e-9b1c-000000000001"


# ---------------------------------------------------------------------------------------------- stores
def _open(kind: str, target: str, **options: Any) -> Ledger:
    """A new ledger on the store (also what spawned processes call)."""
    if kind == "sqlite":
        return SQLiteLedger(target, **options)
    return PostgresLedger(target, **options)


class Store:
    """One real store: new ledgers on it, and plain SQL on it, beside the ledger."""

    def __init__(self, kind: str, target: str, clock: FakeClock) -> None:
        self.kind, self.target, self.clock = kind, target, clock

    def open(self, **options: Any) -> Ledger:
        return _open(self.kind, self.target, **{"clock": self.clock, **options})

    def sql(self, statement: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one statement (``?`` placeholders) on a connection of its own; the rows it returns."""
        if self.kind == "sqlite":
            with contextlib.closing(sqlite3.connect(self.target, isolation_level=None)) as conn:
                return conn.execute(statement, params).fetchall()
        with psycopg.connect(self.target, autocommit=True) as pg:
            cursor = pg.execute(statement.replace("?", "%s"), params)
            return cursor.fetchall() if cursor.description else []

    def has_index(self, name: str) -> bool:
        if self.kind == "sqlite":
            return bool(self.sql("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)))
        return self.sql("SELECT to_regclass(?) IS NOT NULL", (name,)) == [(True,)]

    def version(self) -> int:
        [(value,)] = self.sql("SELECT value FROM k2connect_ledger_meta WHERE name = 'schema_version'")
        return int(value)


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path, fake_clock: FakeClock) -> Store:
    if request.param == "sqlite":
        return Store("sqlite", str(tmp_path / "ledger.db"), fake_clock)
    return Store("postgres", _fresh(request.getfixturevalue("postgres_url")), fake_clock)


def _fresh(url: str) -> str:
    """``url``, its database without the ledger's tables (nor the tests' own)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS k2connect_intents, k2connect_ledger_meta, shop_orders")
    return url


class Twin:
    """A ledger called the blocking way, or through AsyncLedger (each call awaited on a loop of its own)."""

    def __init__(self, ledger: Ledger, mode: str) -> None:
        self.sync, self.mode = ledger, mode
        self.twin = AsyncLedger(ledger)

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if self.mode == "sync":
            return getattr(self.sync, name)(*args, **kwargs)
        return asyncio.run(getattr(self.twin, name)(*args, **kwargs))

    def record(self, key: str, operation: str = "send_money", request: Any = None) -> tuple[Intent, bool]:
        result: tuple[Intent, bool] = self._call(
            "record", key, operation, REQUEST if request is None else request
        )
        return result

    def get(self, key: str) -> Intent | None:
        found: Intent | None = self._call("get", key)
        return found

    def get_by_id(self, intent_id: str) -> Intent | None:
        found: Intent | None = self._call("get_by_id", intent_id)
        return found

    def list(self, states: Any = None, **kwargs: Any) -> list[Intent]:
        found: list[Intent] = self._call("list", states, **kwargs)
        return found

    def transition(self, intent_id: str, to: IntentState, **kwargs: Any) -> Intent:
        moved: Intent = self._call("transition", intent_id, to, **kwargs)
        return moved

    def close(self) -> None:
        if self.mode == "sync":
            self.sync.close()
        else:
            asyncio.run(self.twin.aclose())


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture
def ledger(store: Store, mode: str) -> Iterator[Twin]:
    twin = Twin(store.open(), mode)
    yield twin
    twin.close()


def _path_to(target: IntentState) -> list[IntentState]:
    """The shortest run of moves from ``recorded`` to ``target``, read from the table."""
    paths: dict[IntentState, list[IntentState]] = {S.RECORDED: []}
    queue = [S.RECORDED]
    for state in queue:
        for following in sorted(TRANSITIONS[state]):
            if following not in paths:
                paths[following] = [*paths[state], following]
                queue.append(following)
    return paths[target]


def _drive(ledger: Twin, key: str, target: IntentState) -> Intent:
    intent, _ = ledger.record(key)
    for state in _path_to(target):
        intent = ledger.transition(intent.id, state, expect=intent.state)
    assert intent.state is target
    return intent


# ------------------------------------------------------------------------------------ record and read
def test_record_then_read_it_back_by_key_and_by_id(ledger: Twin, fake_clock: FakeClock) -> None:
    intent, created = ledger.record("payroll-2026-12/emp-17")
    assert created
    assert (intent.key, intent.operation, intent.state, intent.attempts) == (
        "payroll-2026-12/emp-17",
        "send_money",
        S.RECORDED,
        0,
    )
    assert intent.request == REQUEST and (intent.created_at, intent.updated_at) == (fake_clock.now,) * 2
    assert ledger.get("payroll-2026-12/emp-17") == intent
    assert ledger.get_by_id(intent.id) == intent
    assert ledger.get("payroll-2026-12/emp-18") is None
    assert ledger.get_by_id("f" * 32) is None


def test_the_same_key_and_request_is_the_same_intent(ledger: Twin, fake_clock: FakeClock) -> None:
    """Recorded again (keys in another order, a tuple for a list), later: the same intent, created False."""
    first, _ = ledger.record("k-1", request={"b": [1, 2], "a": "x"})
    fake_clock.now += 60
    again, created = ledger.record("k-1", request={"a": "x", "b": (1, 2)})
    assert (again, created) == (first, False)
    assert ledger.list() == [first]


@pytest.mark.parametrize(
    ("operation", "request_"),
    [("send_money", {**REQUEST, "callback_url": "https://example.com/other"}), ("stk_push", REQUEST)],
    ids=["other-request", "other-operation"],
)
def test_the_same_key_for_another_request_is_refused(ledger: Twin, operation: str, request_: Any) -> None:
    first, _ = ledger.record("k-1")
    with pytest.raises(K2InputError, match="already used for a different request") as caught:
        ledger.record("k-1", operation, request_)
    assert caught.value.field == "key"
    assert ledger.list() == [first]


def test_a_stored_intent_is_read_back_whole_by_a_new_ledger(store: Store, ledger: Twin) -> None:
    """Nothing lives only in the process: a fresh ledger on the store reads every field as written."""
    intent = _drive(ledger, "k-1", S.SENT)
    settled = ledger.transition(
        intent.id,
        S.SUCCEEDED,
        expect=S.SENT,
        result={"status": "Success", "n": [1.5, None]},
        reference="QKL1",
    )
    other = store.open()
    try:
        assert other.get("k-1") == settled
        assert other.list() == [settled]
    finally:
        other.close()


# ------------------------------------------------------------------------------------- the state machine
@pytest.mark.parametrize("old", list(IntentState), ids=lambda state: state.value)
def test_every_move_from_a_state_is_allowed_exactly_as_the_table_says(ledger: Twin, old: IntentState) -> None:
    """From ``old`` (reached through allowed moves), each of the 8 targets: moved when the table allows it,
    else K2IntentConflictError and the stored intent unchanged."""
    for new in IntentState:
        before = _drive(ledger, f"{old.value}->{new.value}", old)
        if new in TRANSITIONS[old]:
            assert ledger.transition(before.id, new, expect=old).state is new
        else:
            with pytest.raises(K2IntentConflictError):
                ledger.transition(before.id, new, expect=old)
            assert ledger.get_by_id(before.id) == before


def test_a_move_from_a_state_the_intent_is_no_longer_in_changes_nothing(
    ledger: Twin, fake_clock: FakeClock
) -> None:
    """The compare-and-set: another process moved it first, so this move fails, naming what it found."""
    intent, _ = ledger.record("k-1")
    sending = ledger.transition(intent.id, S.SENDING, expect=S.RECORDED)
    fake_clock.now += 5
    with pytest.raises(K2IntentConflictError) as caught:
        ledger.transition(intent.id, S.SENDING, expect=S.RECORDED)
    error = caught.value
    assert (error.intent_id, error.key, error.state, error.to) == (intent.id, "k-1", "sending", "sending")
    assert "another process or thread moved it first" in str(error)
    assert ledger.get_by_id(intent.id) == sending  # attempts and updated_at untouched


def test_a_move_writes_its_fields_and_counts_each_attempt(ledger: Twin, fake_clock: FakeClock) -> None:
    intent, _ = ledger.record("k-1")
    fake_clock.now += 1
    sending = ledger.transition(intent.id, S.SENDING, expect=S.RECORDED)
    assert (sending.attempts, sending.updated_at, sending.created_at) == (1, 1001.0, 1000.0)
    ambiguous = ledger.transition(
        intent.id, S.AMBIGUOUS, expect=S.SENDING, last_error="ReadTimeout after the request was sent"
    )
    unresolved = ledger.transition(intent.id, S.UNRESOLVED, expect=S.AMBIGUOUS)
    assert unresolved.last_error == ambiguous.last_error == "ReadTimeout after the request was sent"
    again = ledger.transition(intent.id, S.RECORDED, expect=S.UNRESOLVED, note="ops: K2 has no trace of it")
    assert (again.note, again.attempts) == ("ops: K2 has no trace of it", 1)
    assert ledger.transition(intent.id, S.SENDING, expect=S.RECORDED).attempts == 2
    sent = ledger.transition(intent.id, S.SENT, expect=S.SENDING, location=LOCATION)
    done = ledger.transition(
        intent.id,
        S.SUCCEEDED,
        expect=[S.SENT, S.AMBIGUOUS],
        result={"status": "Transferred"},
        reference="QKL1X2",
    )
    assert (done.location, done.result, done.reference) == (LOCATION, {"status": "Transferred"}, "QKL1X2")
    assert done.is_terminal and not sent.is_terminal
    assert (done.note, done.last_error, done.attempts) == (again.note, again.last_error, 2)


def test_an_unknown_intent_id_is_an_input_error(ledger: Twin) -> None:
    with pytest.raises(K2InputError) as caught:
        ledger.transition("a" * 32, S.SENDING, expect=S.RECORDED)
    assert caught.value.field == "intent_id"


def test_list_oldest_first_by_state_with_a_limit_and_pages(ledger: Twin, fake_clock: FakeClock) -> None:
    made = []
    for n in range(5):
        fake_clock.now += 1
        made.append(ledger.record(f"k-{n}")[0])
    made[1] = ledger.transition(made[1].id, S.SENDING, expect=S.RECORDED)
    made[3] = ledger.transition(made[3].id, S.SENDING, expect=S.RECORDED)
    assert ledger.list() == made
    assert ledger.list(S.SENDING) == [made[1], made[3]]
    assert ledger.list([S.RECORDED, S.SENT]) == [made[0], made[2], made[4]]
    assert ledger.list(limit=2) == made[:2]
    assert ledger.list(limit=2, after=made[1]) == made[2:4]
    assert ledger.list(S.RECORDED, after=made[2]) == [made[4]]
    assert ledger.list(S.FAILED) == []


def test_intents_recorded_in_the_same_instant_list_in_a_stable_order(ledger: Twin) -> None:
    """Same ``created_at``: ordered by id, so paging with ``after`` neither skips nor repeats one."""
    made = sorted((ledger.record(f"k-{n}")[0] for n in range(6)), key=lambda intent: intent.id)
    pages, after = [], None
    while page := ledger.list(limit=4, after=after):
        pages += page
        after = page[-1]
    assert pages == made


# ----------------------------------------------------------------------------------- under contention
def _race(attempt: Callable[[int], object]) -> list[object]:
    """``attempt(n)`` in RACERS threads released together; what each returned or raised."""
    barrier = threading.Barrier(RACERS)
    outcomes: list[object] = [None] * RACERS

    def run(n: int) -> None:
        barrier.wait(timeout=60)
        try:
            outcomes[n] = attempt(n)
        except Exception as exc:  # collected, so the assertion shows it
            outcomes[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return outcomes


def test_threads_racing_recorded_to_sending_one_wins(store: Store, mode: str) -> None:
    """Each thread with a ledger (connections) of its own: exactly one moves it, the others are refused."""
    setup = store.open()
    intent, _ = setup.record("k-race", "send_money", REQUEST)
    racers = [Twin(store.open(), mode) for _ in range(RACERS)]
    outcomes = _race(lambda n: racers[n].transition(intent.id, S.SENDING, expect=S.RECORDED))
    won = [o for o in outcomes if isinstance(o, Intent)]
    assert len(won) == 1, outcomes
    assert all(isinstance(o, K2IntentConflictError) for o in outcomes if o not in won), outcomes
    assert setup.get("k-race") == won[0] and won[0].attempts == 1
    for racer in racers:
        racer.close()
    setup.close()


def test_threads_recording_one_key_together_make_one_intent(store: Store, mode: str) -> None:
    racers = [Twin(store.open(), mode) for _ in range(RACERS)]
    outcomes = _race(lambda n: racers[n].record("k-once"))
    recorded = [outcome for outcome in outcomes if isinstance(outcome, tuple)]
    assert sorted(created for _, created in recorded) == [False] * (RACERS - 1) + [True], outcomes
    assert len({intent for intent, _ in recorded}) == 1
    for racer in racers:
        racer.close()


def race_in_process(kind: str, target: str, mode: str, intent_id: str, barrier: Any, results: Any) -> None:
    """One spawned process's try at ``recorded -> sending`` (module level, so spawn can import it)."""
    twin = Twin(_open(kind, target), mode)
    try:
        barrier.wait(timeout=60)
        try:
            twin.transition(intent_id, S.SENDING, expect=S.RECORDED)
            results.put("won")
        except K2IntentConflictError as exc:
            results.put(f"conflict: {exc.state}")
        except Exception as exc:  # reported, so the assertion shows it
            results.put(f"{type(exc).__name__}: {exc}")
    finally:
        twin.close()


def test_processes_racing_recorded_to_sending_one_wins(store: Store, mode: str) -> None:
    """Spawned processes (nothing shared but the store) released together: exactly one sends."""
    setup = store.open()
    intent, _ = setup.record("k-race", "send_money", REQUEST)
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(RACERS), context.Queue()
    processes = [
        context.Process(
            target=race_in_process, args=(store.kind, store.target, mode, intent.id, barrier, results)
        )
        for _ in range(RACERS)
    ]
    for process in processes:
        process.start()
    outcomes = sorted(results.get(timeout=120) for _ in processes)
    for process in processes:
        process.join(60)
    assert outcomes == ["conflict: sending"] * (RACERS - 1) + ["won"]
    stored = setup.get("k-race")
    assert stored is not None and (stored.state, stored.attempts) == (S.SENDING, 1)
    setup.close()


# ------------------------------------------------------------------------------------------ migrations
V1_ROW = (
    "0123456789abcdef0123456789abcdef",
    "made-by-v1",
    "send_money",
    '{"amount":"10.00"}',
    "f" * 64,
    "sent",
    LOCATION,
    None,
    None,
    1,
    10.0,
    11.0,
    None,
    None,
)


def test_a_ledger_at_schema_version_1_is_migrated_keeping_its_intents(store: Store) -> None:
    """A database made by hand as version 1 wrote it (no state index): opened, it gains the index, its
    version becomes the current one, and its intents read back and move on."""
    store.sql("CREATE TABLE k2connect_ledger_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
    store.sql("INSERT INTO k2connect_ledger_meta VALUES ('schema_version', 1)")
    for statement in MIGRATIONS[0]:
        store.sql(statement)
    store.sql(f"INSERT INTO k2connect_intents VALUES ({', '.join('?' * 14)})", V1_ROW)
    assert not store.has_index("k2connect_intents_state")
    ledger = store.open()
    old = ledger.get("made-by-v1")
    assert old is not None and (old.state, old.request, old.location) == (
        S.SENT,
        {"amount": "10.00"},
        LOCATION,
    )
    assert ledger.transition(old.id, S.SUCCEEDED, expect=S.SENT).state is S.SUCCEEDED
    assert store.has_index("k2connect_intents_state")
    assert store.version() == SCHEMA_VERSION == 2
    ledger.close()


@pytest.mark.parametrize("start", ["other-tables", "empty-meta"])
def test_a_ledger_at_schema_version_0_is_created(store: Store, start: str) -> None:
    """A database holding the application's own tables (or a meta table with no version in it) gains the
    ledger's tables, and the application's are left alone."""
    store.sql("CREATE TABLE shop_orders (id INTEGER PRIMARY KEY, total TEXT)")
    store.sql("INSERT INTO shop_orders VALUES (1, '250.00')")
    if start == "empty-meta":
        store.sql("CREATE TABLE k2connect_ledger_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
    ledger = store.open()
    assert ledger.record("k-1", "send_money", REQUEST)[1]
    assert store.version() == SCHEMA_VERSION
    assert store.sql("SELECT id, total FROM shop_orders") == [(1, "250.00")]
    ledger.close()


def test_a_ledger_of_a_newer_schema_is_refused_and_left_alone(store: Store) -> None:
    """A database a newer k2connect migrated: this code refuses it (a store it cannot use), writes nothing."""
    store.sql("CREATE TABLE k2connect_ledger_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
    store.sql("INSERT INTO k2connect_ledger_meta VALUES ('schema_version', ?)", (SCHEMA_VERSION + 1,))
    with pytest.raises(K2StoreUnavailableError, match=f"schema version {SCHEMA_VERSION + 1}, newer"):
        ledger = store.open()
        ledger.get("k-1")
    assert store.version() == SCHEMA_VERSION + 1
    if store.kind == "sqlite":
        assert store.sql("SELECT name FROM sqlite_master WHERE name = 'k2connect_intents'") == []
    else:
        assert store.sql("SELECT to_regclass('k2connect_intents') IS NULL") == [(True,)]


def test_ledgers_opened_together_create_the_schema_once(store: Store) -> None:
    def first_use(n: int) -> bool:
        ledger = store.open()
        try:
            return ledger.record(f"first-{n}", "send_money", REQUEST)[1]
        finally:
            ledger.close()

    assert _race(first_use) == [True] * RACERS
    assert store.version() == SCHEMA_VERSION


# --------------------------------------------------------------------------------- PostgreSQL outages
def test_postgres_stopped_then_started_loses_nothing(
    postgres_server: PostgresServer, postgres_url: str, mode: str
) -> None:
    """While PostgreSQL is down every call is K2StoreUnavailableError (so nothing is sent); once it is back
    the same ledger works again and every intent recorded before is there, as it was."""
    _fresh(postgres_url)
    ledger = Twin(PostgresLedger(postgres_url, timeout_seconds=1), mode)
    before = ledger.transition(ledger.record("before")[0].id, S.SENDING, expect=S.RECORDED)
    postgres_server.stop()
    try:
        calls: list[Callable[[], object]] = [
            lambda: ledger.record("during"),
            lambda: ledger.get("before"),
            lambda: ledger.get_by_id(before.id),
            lambda: ledger.list(),
            lambda: ledger.transition(before.id, S.SENT, expect=S.SENDING, location=LOCATION),
        ]
        for call in calls:
            with pytest.raises(K2StoreUnavailableError, match="PostgreSQL ledger"):
                call()
    finally:
        postgres_server.start()
    assert until_it_answers(lambda: ledger.get("before")) == before
    assert ledger.get("during") is None
    assert ledger.record("after")[1]
    assert ledger.transition(before.id, S.SENT, expect=S.SENDING, location=LOCATION).location == LOCATION
    ledger.close()


def test_a_postgres_statement_held_by_a_lock_is_cut_at_the_bound(postgres_url: str) -> None:
    """A move waiting on a lock another session holds is given up after about timeout_seconds (the
    watchdog), as K2StoreUnavailableError; once the lock is gone, the move is made."""
    _fresh(postgres_url)
    ledger = PostgresLedger(postgres_url, timeout_seconds=1)
    intent, _ = ledger.record("k-locked", "send_money", REQUEST)
    with psycopg.connect(postgres_url) as locker:
        locker.execute("LOCK TABLE k2connect_intents IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(K2StoreUnavailableError, match="no answer within 1 s"):
            ledger.transition(intent.id, S.SENDING, expect=S.RECORDED)
        locker.rollback()
    stored = until_it_answers(lambda: ledger.get("k-locked"))
    assert stored is not None and stored.state is S.RECORDED  # the cut move was not applied
    assert ledger.transition(intent.id, S.SENDING, expect=S.RECORDED).attempts == 1
    ledger.close()


def test_an_unreachable_postgres_is_store_unavailable_without_the_password() -> None:
    ledger = PostgresLedger(f"postgresql://k2:s3cret-pw@127.0.0.1:{free_port()}/shop", timeout_seconds=0.5)
    with pytest.raises(K2StoreUnavailableError) as caught:
        ledger.record("k-1", "send_money", REQUEST)
    assert "s3cret" not in str(caught.value) and "s3cret" not in repr(ledger)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    ledger.close()


# ---------------------------------------------------------------------------------- PostgreSQL options
def test_a_pool_the_application_owns_is_used_and_left_open(postgres_url: str) -> None:
    """Its connections are not in autocommit: each call is still committed; closing the ledger leaves the
    pool to its owner."""
    _fresh(postgres_url)
    with psycopg_pool.ConnectionPool(postgres_url, min_size=1, max_size=2, open=True) as pool:
        ledger = PostgresLedger(pool, timeout_seconds=5)
        intent, _ = ledger.record("k-pool", "send_money", REQUEST)
        ledger.transition(intent.id, S.SENDING, expect=S.RECORDED)
        ledger.close()
        assert not pool.closed
        with pool.connection() as conn:
            assert conn.execute("SELECT state FROM k2connect_intents").fetchall() == [("sending",)]


@pytest.mark.parametrize(
    "options",
    [
        {"pool_size": 0},
        {"pool_size": True},
        {"timeout_seconds": 0},
        {"timeout_seconds": float("inf")},
        {"timeout_seconds": "5"},
    ],
    ids=str,
)
def test_postgres_settings_out_of_range_are_config_errors(options: dict[str, Any]) -> None:
    with pytest.raises(K2ConfigError):
        PostgresLedger("postgresql://localhost/x", **options)


def test_postgres_needs_a_connection_string_or_a_pool() -> None:
    not_a_target: Any = {"host": "db"}
    with pytest.raises(K2ConfigError, match="not dict"):
        PostgresLedger(not_a_target)
    with pytest.raises(K2ConfigError) as caught:
        PostgresLedger("host=db password=s3cret-pw 'unterminated")
    assert "s3cret" not in str(caught.value)


def test_without_the_driver_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(K2ConfigError, match=r"k2connect-sdk\[postgres\]"):
        PostgresLedger("postgresql://localhost/x")


def test_the_postgres_ledger_is_a_ledger_and_closes_before_first_use() -> None:
    ledger = PostgresLedger("postgresql://localhost/x")
    assert isinstance(ledger, Ledger)
    assert repr(ledger) == "PostgresLedger(pool_size=4, timeout_seconds=5)"
    with ledger:
        pass  # never used: nothing to close, and closing twice is harmless
    ledger.close()


# ------------------------------------------------------------------------------------------ group commit
def test_a_group_of_writes_commits_together_each_with_its_own_answer(store: Store) -> None:
    """``write_together`` (what AsyncLedger hands the writes waiting at once): one transaction, each write
    its own compare-and-set and its own answer; committed for every other connection to see."""
    ledger = store.open()
    assert isinstance(ledger, WritesTogether)
    sending, _ = ledger.record("sending", "send_money", REQUEST)
    ledger.transition(sending.id, IntentState.SENDING, expect=IntentState.RECORDED)
    other = {**REQUEST, "callback_url": "https://example.com/k2/other"}
    first, again, different, moved, refused, bad = ledger.write_together(
        [
            RecordWrite("new", "send_money", REQUEST),
            RecordWrite("new", "send_money", REQUEST),
            RecordWrite("sending", "send_money", other),
            MoveWrite(sending.id, IntentState.SENT, IntentState.SENDING, location=LOCATION),
            MoveWrite(sending.id, IntentState.SENT, IntentState.SENDING),  # moved just before, in the group
            MoveWrite("not-an-id", IntentState.SENT, IntentState.SENDING),
        ]
    )
    assert isinstance(first, tuple) and first[1] and again == (first[0], False)
    assert isinstance(different, K2InputError) and different.field == "key"
    assert isinstance(moved, Intent) and moved.state is IntentState.SENT and moved.location == LOCATION
    assert isinstance(refused, K2IntentConflictError)
    assert isinstance(bad, K2InputError)
    assert store.sql("SELECT key, state FROM k2connect_intents ORDER BY key") == [
        ("new", "recorded"),
        ("sending", "sent"),
    ]
    ledger.close()


def test_async_writes_waiting_together_all_land(store: Store) -> None:
    """Many async writes at once, grouped: every one recorded and moved once, none lost or doubled."""
    ledger = store.open()

    async def main() -> list[Intent]:
        twin = AsyncLedger(ledger)
        recorded = await asyncio.gather(*(twin.record(f"k-{n}", "send_money", REQUEST) for n in range(30)))
        return await asyncio.gather(
            *(twin.transition(i.id, IntentState.SENDING, expect=IntentState.RECORDED) for i, _ in recorded)
        )

    moved = asyncio.run(main())
    assert sorted(i.key for i in moved) == sorted(f"k-{n}" for n in range(30))
    assert store.sql("SELECT state, attempts, count(*) FROM k2connect_intents GROUP BY state, attempts") == [
        ("sending", 1, 30)
    ]
    ledger.close()


def test_list_since_leaves_out_intents_recorded_before(ledger: Twin, fake_clock: FakeClock) -> None:
    ledger.record("early")
    fake_clock.now += 100
    late, _ = ledger.record("late")
    assert [i.key for i in ledger.list(since=late.created_at)] == ["late"]
    assert [i.key for i in ledger.list(IntentState.RECORDED, since=late.created_at - 101)] == [
        "early",
        "late",
    ]
