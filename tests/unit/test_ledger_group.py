"""Group commit of ledger writes (``_ledger_writes``, ``_ledger_group``, ``SQLiteLedger.write_together*``).

Writes waiting at one moment share one transaction, each keeping its own answer: a new record, the same
key again, a different request under a recorded key, a move, a refused move and a bad argument side by
side. A store failure fails every write of its group, each with its own copy of the error. On an event
loop, an SQLite group is committed on the loop unless that would wait for a lock (this process's other
threads, another process's write lock, a connection not yet opened): then a worker thread does it. The
same behaviour on PostgreSQL is in tests/stores/test_ledger_stores.py.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from k2connect_ext import (
    AsyncLedger,
    Intent,
    IntentState,
    K2InputError,
    K2IntentConflictError,
    K2StoreUnavailableError,
    SQLiteLedger,
)
from k2connect_ext._ledger_writes import LedgerWrite, MoveWrite, Outcome, RecordWrite

S = IntentState
REQUEST: dict[str, Any] = {"phone_number": "+254712345678", "amount": "100.00"}
OTHER: dict[str, Any] = {"phone_number": "+254712345678", "amount": "200.00"}
LOCATION = "https://sandbox.kopokopo.com/api/v2/send_money/6e2d2b8c-6a2f-4b8e-9b1c-000000000001"

HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("COMMIT")
"""


class CountingLedger(SQLiteLedger):
    """An SQLite ledger that counts its group commits, on the loop (``now``) and in threads."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.groups: list[tuple[str, int]] = []

    def write_together(self, writes: Sequence[LedgerWrite]) -> list[Outcome]:
        self.groups.append(("thread", len(writes)))
        return super().write_together(writes)

    def write_together_now(self, writes: Sequence[LedgerWrite]) -> list[Outcome] | None:
        done = super().write_together_now(writes)
        if done is not None:
            self.groups.append(("loop", len(writes)))
        return done


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[CountingLedger]:
    opened = CountingLedger(tmp_path / "ledger.db")
    yield opened
    opened.close()


# ------------------------------------------------------------------------------- one group, many answers
def test_each_write_of_a_group_keeps_its_own_answer(ledger: CountingLedger) -> None:
    sent, _ = ledger.record("sent", "send_money", REQUEST)
    ledger.transition(sent.id, S.SENDING, expect=S.RECORDED)
    recorded, _ = ledger.record("recorded", "send_money", REQUEST)
    outcomes = ledger.write_together(
        [
            RecordWrite("new", "send_money", REQUEST),
            RecordWrite("new", "send_money", REQUEST),  # the same key again, in the same group
            RecordWrite("recorded", "send_money", OTHER),  # a different request under a recorded key
            MoveWrite(sent.id, S.SENT, S.SENDING, location=LOCATION),
            MoveWrite(recorded.id, S.SENT, S.SENDING),  # not sending: refused
            RecordWrite("", "send_money", REQUEST),  # a bad key: refused before the transaction
        ]
    )
    first, again, different, moved, refused, bad = outcomes
    assert isinstance(first, tuple) and first[1] is True and first[0].state is S.RECORDED
    assert again == (first[0], False)
    assert isinstance(different, K2InputError) and different.field == "key"
    assert isinstance(moved, Intent) and moved.state is S.SENT and moved.location == LOCATION
    assert isinstance(refused, K2IntentConflictError)
    assert isinstance(bad, K2InputError) and bad.field == "key"
    # Committed: read back by another ledger on the same file.
    with SQLiteLedger(ledger._path) as reader:
        assert reader.get("new") == first[0]
        assert reader.get("sent") == moved
        assert reader.get("recorded") == recorded


def test_a_group_the_store_cannot_write_writes_nothing(ledger: CountingLedger) -> None:
    ledger.record("before", "send_money", REQUEST)
    assert ledger._conn is not None
    ledger._conn.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON k2connect_intents "
        "WHEN NEW.key = 'poison' BEGIN SELECT RAISE(ABORT, 'disk says no'); END"
    )
    writes: list[LedgerWrite] = [RecordWrite("fine", "send_money", REQUEST)]
    writes.append(RecordWrite("poison", "send_money", REQUEST))
    with pytest.raises(K2StoreUnavailableError, match="disk says no"):
        ledger.write_together(writes)
    assert ledger.get("fine") is None  # rolled back with the rest of its group
    with pytest.raises(K2StoreUnavailableError, match="disk says no"):
        ledger.write_together_now(writes)  # the same on the loop's path
    assert ledger.get("fine") is None and not ledger._lock.locked()


# ------------------------------------------------------------------------------- committing on the loop
def test_a_group_is_committed_now_only_when_nothing_is_waited_for(ledger: CountingLedger) -> None:
    writes: list[LedgerWrite] = [RecordWrite("now", "send_money", REQUEST)]
    with ledger._lock:  # another thread of this process is using the ledger
        assert ledger.write_together_now(writes) is None
    ledger.close()  # not open yet: opening may wait for a migration
    assert ledger.write_together_now(writes) is None
    assert ledger.get("now") is None  # (and get opened it again)
    done = ledger.write_together_now(writes)
    assert done is not None and ledger.get("now") == done[0][0]  # type: ignore[index]


def test_another_process_holding_the_write_lock_sends_the_group_to_a_thread(ledger: CountingLedger) -> None:
    locker = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(ledger._path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert locker.stdout is not None and locker.stdout.readline() == "locked\n"
        assert ledger.write_together_now([RecordWrite("held", "send_money", REQUEST)]) is None
        # The connection's busy timeout is back to the ledger's own after the try that did not wait.
        assert ledger._conn is not None
        assert ledger._conn.execute("PRAGMA busy_timeout").fetchone() == (5000,)
    finally:
        assert locker.stdin is not None
        locker.stdin.write("\n")
        locker.stdin.close()
        assert locker.wait(timeout=30) == 0
    assert ledger.get("held") is None


class FailingBegin:
    """A connection whose ``BEGIN IMMEDIATE`` fails for a reason other than a lock."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, statement: str, *args: Any) -> Any:
        if statement == "BEGIN IMMEDIATE":
            raise sqlite3.OperationalError("disk I/O error")
        return self.conn.execute(statement, *args)


def test_a_store_failure_while_trying_now_is_the_store_error(ledger: CountingLedger) -> None:
    real = ledger._conn
    assert real is not None
    ledger._conn = FailingBegin(real)  # type: ignore[assignment]
    try:
        with pytest.raises(K2StoreUnavailableError, match="disk I/O error"):
            ledger.write_together_now([RecordWrite("io", "send_money", REQUEST)])
    finally:
        ledger._conn = real
    assert not ledger._lock.locked()


# ------------------------------------------------------------------------------------------- on a loop
async def test_writes_waiting_together_share_a_commit(ledger: CountingLedger) -> None:
    twin = AsyncLedger(ledger)
    recorded = await asyncio.gather(*(twin.record(f"k-{n}", "send_money", REQUEST) for n in range(40)))
    assert all(created for _, created in recorded)
    moved = await asyncio.gather(
        *(twin.transition(intent.id, S.SENDING, expect=S.RECORDED) for intent, _ in recorded)
    )
    assert {intent.state for intent in moved} == {S.SENDING}
    assert sum(size for _, size in ledger.groups) == 80
    assert len(ledger.groups) < 80 / 4  # many writes per commit
    assert {where for where, _ in ledger.groups} == {"loop"}  # nothing held a lock: all on the loop


async def test_a_refusal_is_raised_to_its_own_caller_only(ledger: CountingLedger) -> None:
    twin = AsyncLedger(ledger)
    intent, _ = await twin.record("k", "send_money", REQUEST)
    results = await asyncio.gather(
        twin.transition(intent.id, S.SENDING, expect=S.RECORDED),
        twin.transition(intent.id, S.SENDING, expect=S.RECORDED),  # the loser of the race
        twin.record("k", "send_money", OTHER),
        twin.record("k2", "send_money", REQUEST),
        return_exceptions=True,
    )
    won, lost, different, fine = results
    assert isinstance(won, Intent) and won.state is S.SENDING and won.attempts == 1
    assert isinstance(lost, K2IntentConflictError)
    assert isinstance(different, K2InputError) and different.field == "key"
    assert isinstance(fine, tuple) and fine[1] is True


async def test_a_busy_ledger_is_written_from_a_worker_thread(ledger: CountingLedger) -> None:
    twin = AsyncLedger(ledger)
    await twin.record("first", "send_money", REQUEST)
    ledger._lock.acquire()
    loop = asyncio.get_running_loop()
    loop.call_later(0.2, ledger._lock.release)
    intent, created = await twin.record("second", "send_money", REQUEST)
    assert created and ledger.get("second") == intent
    assert ledger.groups[-1] == ("thread", 1)


class DownLedger(CountingLedger):
    """The store fails every group."""

    def write_together_now(self, writes: Sequence[LedgerWrite]) -> list[Outcome] | None:
        return None

    def write_together(self, writes: Sequence[LedgerWrite]) -> list[Outcome]:
        raise K2StoreUnavailableError("SQLite ledger: write failed (disk full)")


async def test_a_store_failure_reaches_every_write_of_the_group(tmp_path: Path) -> None:
    twin = AsyncLedger(DownLedger(tmp_path / "down.db"))
    results = await asyncio.gather(
        *(twin.record(f"k-{n}", "send_money", REQUEST) for n in range(5)), return_exceptions=True
    )
    assert all(isinstance(r, K2StoreUnavailableError) for r in results)
    assert len({id(r) for r in results}) == 5  # each its own copy: tracebacks do not pile up on one


class SlowLedger(CountingLedger):
    """Every group waits for ``go`` in its worker thread."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.go = threading.Event()
        self.entered = threading.Event()

    def write_together_now(self, writes: Sequence[LedgerWrite]) -> list[Outcome] | None:
        return None

    def write_together(self, writes: Sequence[LedgerWrite]) -> list[Outcome]:
        self.entered.set()
        self.go.wait(30)
        return super().write_together(writes)


async def test_a_cancelled_caller_does_not_take_its_write_back(tmp_path: Path) -> None:
    slow = SlowLedger(tmp_path / "slow.db")
    twin = AsyncLedger(slow)
    task = asyncio.create_task(twin.record("cancelled", "send_money", REQUEST))
    await asyncio.to_thread(slow.entered.wait, 30)
    task.cancel()
    slow.go.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    while slow.get("cancelled") is None:  # the commit stands; the flush ends in its thread
        await asyncio.sleep(0.01)
    assert (await twin.record("after", "send_money", REQUEST))[1]


def test_writes_queued_when_their_loop_ends_are_cancelled(tmp_path: Path) -> None:
    slow = SlowLedger(tmp_path / "slow.db")
    twin = AsyncLedger(slow)
    seen: list[BaseException] = []

    async def main() -> None:
        first = asyncio.create_task(twin.record("a", "send_money", REQUEST))
        await asyncio.to_thread(slow.entered.wait, 30)
        second = asyncio.create_task(twin.record("b", "send_money", REQUEST))
        await asyncio.sleep(0)
        flusher = next(t for t in asyncio.all_tasks() if t not in (first, second, asyncio.current_task()))
        flusher.cancel()
        for task in (first, second):
            try:
                await task
            except BaseException as exc:
                seen.append(exc)
        slow.go.set()

    asyncio.run(main())
    assert [type(exc) for exc in seen] == [asyncio.CancelledError, asyncio.CancelledError]


def test_loops_in_two_threads_share_one_ledger(ledger: CountingLedger) -> None:
    twin = AsyncLedger(ledger)
    errors: list[BaseException] = []

    def run(prefix: str) -> None:
        async def main() -> None:
            await asyncio.gather(*(twin.record(f"{prefix}-{n}", "send_money", REQUEST) for n in range(30)))

        try:
            asyncio.run(main())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(ledger.list(limit=100)) == 60
