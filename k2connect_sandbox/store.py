"""The sandbox's state: named tables of JSON records, thread-safe, optionally persisted to SQLite.

Records are plain JSON objects and are copied on the way in and out, so no caller can mutate stored
state behind the lock. The lock is re-entrant and exposed as ``transaction()`` for read-modify-write
sequences that span several tables (resolving a reversal touches the reversal and the ledger).
Persistence is write-through: every change is written before the call returns, so a killed sandbox
loses nothing it acknowledged.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from k2connect_sandbox.wire import JsonDict

__all__ = ["Store"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    tbl TEXT NOT NULL,
    key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (tbl, key)
)
"""


def _copy(record: JsonDict) -> JsonDict:
    # A JSON round trip both deep-copies and proves the record is JSON (what SQLite will hold).
    copied: JsonDict = json.loads(json.dumps(record))
    return copied


class Store:
    """Tables of records keyed by id, in insertion order."""

    def __init__(self, sqlite_path: str | None = None) -> None:
        self._lock = threading.RLock()
        self._tables: dict[str, dict[str, JsonDict]] = {}
        self._seq = 0
        self._db: sqlite3.Connection | None = None
        if sqlite_path is not None:
            # One connection shared by the server's threads; every use happens under self._lock.
            self._db = sqlite3.connect(sqlite_path, check_same_thread=False, isolation_level=None)
            self._db.execute(_SCHEMA)
            self._load()

    def _load(self) -> None:
        assert self._db is not None
        rows = self._db.execute("SELECT tbl, key, seq, data FROM records ORDER BY seq").fetchall()
        for tbl, key, seq, data in rows:
            self._tables.setdefault(tbl, {})[key] = json.loads(data)
            self._seq = max(self._seq, seq)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the store lock across several calls."""
        with self._lock:
            yield

    def get(self, table: str, key: str) -> JsonDict | None:
        with self._lock:
            found = self._tables.get(table, {}).get(key)
            return None if found is None else _copy(found)

    def put(self, table: str, key: str, record: JsonDict) -> None:
        with self._lock:
            rows = self._tables.setdefault(table, {})
            is_new = key not in rows
            rows[key] = _copy(record)
            if self._db is not None:
                if is_new:
                    self._seq += 1
                    self._db.execute(
                        "INSERT OR REPLACE INTO records (tbl, key, seq, data) VALUES (?, ?, ?, ?)",
                        (table, key, self._seq, json.dumps(record)),
                    )
                else:
                    self._db.execute(
                        "UPDATE records SET data = ? WHERE tbl = ? AND key = ?",
                        (json.dumps(record), table, key),
                    )

    def update(self, table: str, key: str, change: Callable[[JsonDict], JsonDict | None]) -> JsonDict | None:
        """Atomically replace a record with ``change(record)``; a None result leaves it as it was.

        Returns the stored new record, or None if there was no record or nothing changed.
        """
        with self._lock:
            current = self.get(table, key)
            if current is None:
                return None
            changed = change(current)
            if changed is None:
                return None
            self.put(table, key, changed)
            return _copy(changed)

    def values(self, table: str) -> list[JsonDict]:
        with self._lock:
            return [_copy(record) for record in self._tables.get(table, {}).values()]

    def tables(self) -> list[str]:
        """The names of the tables that hold records, in the order they were first written."""
        with self._lock:
            return [name for name, rows in self._tables.items() if rows]

    def find(self, table: str, predicate: Callable[[JsonDict], bool]) -> JsonDict | None:
        with self._lock:
            for record in self._tables.get(table, {}).values():
                if predicate(record):
                    return _copy(record)
            return None

    def clear(self) -> None:
        with self._lock:
            self._tables.clear()
            if self._db is not None:
                self._db.execute("DELETE FROM records")

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def count(self, table: str) -> int:
        with self._lock:
            return len(self._tables.get(table, {}))

    def dump(self) -> dict[str, Any]:
        """Every table (for debugging)."""
        with self._lock:
            return {name: [_copy(r) for r in rows.values()] for name, rows in self._tables.items()}
