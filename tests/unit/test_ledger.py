"""The SQLite ledger's own faults, ``open_ledger`` and the ``AsyncLedger`` wrapper (``_ledger``).

A ledger that cannot be opened or written is a K2StoreUnavailableError naming the file, so that a caller
sends nothing: another process holding the write lock (a bounded wait, then the error; reads go on, and
once the lock is gone writes do), a read-only file or folder, a corrupt file, a folder in the file's place.
The behaviour every ledger shares is tested on real SQLite and PostgreSQL in
tests/stores/test_ledger_stores.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from k2connect_ext import (
    AsyncLedger,
    IntentState,
    K2ConfigError,
    K2StoreUnavailableError,
    Ledger,
    PostgresLedger,
    SQLiteLedger,
    open_ledger,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
REQUEST: dict[str, Any] = {"phone_number": "+254712345678", "amount": "100.00"}

# Holds the file's write lock (BEGIN IMMEDIATE) from another process until it reads a line.
HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("COMMIT")
"""

# Opens the ledger, reads, then tries to record; prints what happened as JSON.
TRY_TO_RECORD = """
import json, sys
from k2connect_ext import K2StoreUnavailableError, SQLiteLedger
seen = {}
try:
    ledger = SQLiteLedger(sys.argv[1])
    found = ledger.get("before")
    seen["read"] = None if found is None else found.state.value
    ledger.record("during", "send_money", {})
    seen["recorded"] = True
except K2StoreUnavailableError as exc:
    seen["error"] = str(exc)
print(json.dumps(seen))
"""


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "ledger.db"


class Holder:
    """Another process holding the file's write lock until ``release``."""

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None and self.process.stdout.readline() == "locked\n"

    def release(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.write("\n")
            self.process.stdin.flush()
            assert self.process.wait(timeout=30) == 0


@pytest.fixture
def holder(path: Path) -> Iterator[Holder]:
    with SQLiteLedger(path) as ledger:
        ledger.record("before", "send_money", REQUEST)
    locker = Holder(path)
    yield locker
    locker.release()


def test_a_file_another_process_writes_to_is_waited_for_then_unavailable(path: Path, holder: Holder) -> None:
    """Writes wait the busy timeout, then fail with the file named and nothing recorded; reads go on (WAL).
    Once the other process commits, the same ledger records, and nothing was lost."""
    ledger = open_ledger(path, timeout_seconds=0.1)
    before = ledger.get("before")
    assert before is not None
    with pytest.raises(K2StoreUnavailableError, match=rf"{path.name}'?: record failed .*locked"):
        ledger.record("during", "send_money", REQUEST)
    with pytest.raises(K2StoreUnavailableError, match="transition failed"):
        ledger.transition(before.id, IntentState.SENDING, expect=IntentState.RECORDED)
    assert ledger.get("before") == before
    holder.release()
    assert ledger.record("during", "send_money", REQUEST)[1]
    assert [intent.key for intent in ledger.list()] == ["before", "during"]
    ledger.close()


def test_a_new_file_another_process_holds_cannot_be_opened(path: Path) -> None:
    """The schema cannot be written while another process holds the file: the ledger is not made."""
    locker = Holder(path)
    try:
        with pytest.raises(K2StoreUnavailableError, match="open failed"):
            SQLiteLedger(path, busy_timeout_seconds=0.1)
    finally:
        locker.release()
    with SQLiteLedger(path) as ledger:
        assert ledger.list() == []


def _without_write_override() -> list[str]:
    """The prefix that runs a child without root's power to write read-only files (when we are root)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv (util-linux): a read-only file stays writable")
    return [setpriv, "--bounding-set", "-dac_override"]


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_ledger_is_read_but_never_written(path: Path, what: str) -> None:
    """Read-only (the file, or the folder that holds it): what is there is read, and a record is refused
    as unavailable, naming the file, with nothing written."""
    with SQLiteLedger(path) as ledger:
        ledger.record("before", "send_money", REQUEST)
    target = path if what == "file" else path.parent
    mode = target.stat().st_mode
    target.chmod(0o444 if what == "file" else 0o555)
    try:
        done = subprocess.run(
            [*_without_write_override(), sys.executable, "-c", TRY_TO_RECORD, str(path)],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            check=True,
        )
    finally:
        target.chmod(mode)
    seen = json.loads(done.stdout)
    assert "recorded" not in seen, seen
    assert str(path) in seen["error"] and "readonly" in seen["error"]
    with SQLiteLedger(path) as ledger:
        assert ledger.get("during") is None
        assert [intent.key for intent in ledger.list()] == ["before"]


def test_a_corrupt_file_is_unavailable(path: Path) -> None:
    path.write_bytes(b"this is not an SQLite database, whatever its name says\n" * 100)
    with pytest.raises(K2StoreUnavailableError, match=rf"{path.name}'?: open failed \(DatabaseError"):
        SQLiteLedger(path)
    assert path.read_bytes().startswith(b"this is not")


def test_a_folder_in_the_files_place_is_unavailable(path: Path) -> None:
    path.mkdir()
    with pytest.raises(K2StoreUnavailableError, match="unable to open database file"):
        SQLiteLedger(path)


@pytest.mark.parametrize("where", ["", ":memory:"])
def test_a_ledger_that_would_not_be_durable_is_refused(where: str) -> None:
    with pytest.raises(K2ConfigError, match="not be durable"):
        SQLiteLedger(where)


@pytest.mark.parametrize("seconds", [0, -1, float("inf"), float("nan"), True, "5"])
def test_the_busy_timeout_must_be_positive_and_finite(path: Path, seconds: Any) -> None:
    with pytest.raises(K2ConfigError, match="busy_timeout_seconds"):
        SQLiteLedger(path, busy_timeout_seconds=seconds)


def test_the_sqlite_ledger_closes_and_reopens(path: Path) -> None:
    with SQLiteLedger(path) as ledger:
        assert isinstance(ledger, Ledger) and repr(ledger) == f"SQLiteLedger(path={str(path)!r})"
        intent, _ = ledger.record("k-1", "send_money", REQUEST)
        ledger.close()
        ledger.close()  # twice: harmless
        assert ledger.get("k-1") == intent  # a call after close reopens


# ------------------------------------------------------------------------------------------ open_ledger
def test_open_ledger_takes_sqlite_urls_and_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``sqlite:///relative`` and ``sqlite:////absolute`` as SQLAlchemy spells them, or a bare path."""
    monkeypatch.chdir(tmp_path)
    ledgers = [
        open_ledger("sqlite:///relative.db"),
        open_ledger(f"sqlite:///{tmp_path / 'absolute.db'}"),
        open_ledger(str(tmp_path / "bare.db")),
        open_ledger(tmp_path / "pathlike.db"),
    ]
    for ledger in ledgers:
        assert isinstance(ledger, SQLiteLedger)
        ledger.close()
    assert sorted(p.name for p in tmp_path.glob("*.db")) == [
        "absolute.db",
        "bare.db",
        "pathlike.db",
        "relative.db",
    ]


@pytest.mark.parametrize("url", ["postgresql://k2@db.internal/payroll", "postgres://k2@db.internal/payroll"])
def test_open_ledger_takes_postgres_urls(url: str) -> None:
    ledger = open_ledger(url, timeout_seconds=2)
    assert isinstance(ledger, PostgresLedger) and "timeout_seconds=2" in repr(ledger)
    ledger.close()


@pytest.mark.parametrize(
    "url",
    ["sqlite://", "sqlite:///", "sqlite://host/ledger.db", "mysql://k2:s3cret-pw@db/payroll", "redis://db/0"],
)
def test_open_ledger_refuses_other_urls_without_their_password(url: str) -> None:
    with pytest.raises(K2ConfigError, match="sqlite:///path or postgresql://") as caught:
        open_ledger(url)
    assert "s3cret" not in str(caught.value)


def test_an_sqlite_url_naming_no_file_says_memory_is_not_durable() -> None:
    with pytest.raises(K2ConfigError, match="in-memory ledger would not be durable"):
        open_ledger("sqlite://")


# ----------------------------------------------------------------------------------------- AsyncLedger
async def test_the_async_twin_runs_the_ledger_it_wraps(path: Path) -> None:
    ledger = SQLiteLedger(path)
    async with AsyncLedger(ledger) as twin:
        assert twin.ledger is ledger and repr(twin) == f"AsyncLedger({ledger!r})"
        intent, created = await twin.record("k-1", "send_money", REQUEST)
        assert created and ledger.get("k-1") == intent


def test_the_async_twin_needs_a_ledger() -> None:
    not_a_ledger: Any = object()
    with pytest.raises(K2ConfigError, match="needs a Ledger, not object"):
        AsyncLedger(not_a_ledger)
