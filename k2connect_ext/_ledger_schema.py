"""The ledger's schema and rows, shared by every store (SQLite in ``_ledger``, PostgreSQL in
``_ledger_postgres``): the columns, the migrations in order (plain SQL both run), and the conversions
between an :class:`~k2connect_ext.Intent` and a row.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any, Final

from k2connect_ext._exceptions import K2ConfigError, K2StoreUnavailableError
from k2connect_ext._intent import Intent, IntentState

__all__ = [
    "COLUMNS",
    "DEFAULT_LIST_LIMIT",
    "META_TABLE",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "check_timeout",
    "intent_from_row",
    "row_of",
    "too_new",
]

DEFAULT_LIST_LIMIT = 1000

COLUMNS: Final = (
    "id, key, operation, request, fingerprint, state, location, result, reference, attempts, created_at, "
    "updated_at, last_error, note"
)
"""Every column of ``k2connect_intents``, in the order :func:`intent_from_row` reads them."""

# Each entry takes the schema one version further; entry n-1 makes version n. Plain SQL both SQLite and
# PostgreSQL run as written (DOUBLE PRECISION has REAL affinity in SQLite), so the two stores cannot drift.
# Request and result are their canonical JSON text (``_intent.canonical_json``), stored as written.
MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    (
        "CREATE TABLE IF NOT EXISTS k2connect_intents (id TEXT PRIMARY KEY, key TEXT NOT NULL, "
        "operation TEXT NOT NULL, request TEXT NOT NULL, fingerprint TEXT NOT NULL, state TEXT NOT NULL, "
        "location TEXT, result TEXT, reference TEXT, attempts INTEGER NOT NULL, "
        "created_at DOUBLE PRECISION NOT NULL, updated_at DOUBLE PRECISION NOT NULL, last_error TEXT, "
        "note TEXT)",
        "CREATE UNIQUE INDEX IF NOT EXISTS k2connect_intents_key ON k2connect_intents (key)",
    ),
    # Listing by state (reconciliation's question: what is recorded, sent, ambiguous?) reads an index.
    ("CREATE INDEX IF NOT EXISTS k2connect_intents_state ON k2connect_intents (state, created_at, id)",),
)
SCHEMA_VERSION: Final = len(MIGRATIONS)
"""The schema version this code writes and reads."""

META_TABLE = (
    "CREATE TABLE IF NOT EXISTS k2connect_ledger_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)"
)


# ------------------------------------------------------------------------------ shared by every ledger
def row_of(intent: Intent, request_json: str) -> tuple[object, ...]:
    """The row to INSERT for a new intent, in :data:`COLUMNS` order."""
    return (
        intent.id,
        intent.key,
        intent.operation,
        request_json,
        intent.fingerprint,
        intent.state.value,
        intent.location,
        None,
        intent.reference,
        intent.attempts,
        intent.created_at,
        intent.updated_at,
        intent.last_error,
        intent.note,
    )


def intent_from_row(row: Sequence[Any]) -> Intent:
    """An :class:`Intent` from a row read in :data:`COLUMNS` order."""
    return Intent(
        id=row[0],
        key=row[1],
        operation=row[2],
        request=json.loads(row[3]),
        fingerprint=row[4],
        state=IntentState(row[5]),
        location=row[6],
        result=None if row[7] is None else json.loads(row[7]),
        reference=row[8],
        attempts=int(row[9]),
        created_at=float(row[10]),
        updated_at=float(row[11]),
        last_error=row[12],
        note=row[13],
    )


def check_timeout(seconds: float, name: str) -> float:
    """A positive, finite number of seconds, or K2ConfigError."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 < seconds < math.inf:
        raise K2ConfigError(f"{name} must be a positive, finite number of seconds")
    return float(seconds)


def too_new(found: int, store: str) -> K2StoreUnavailableError:
    """The refusal of a ledger whose schema version ``found`` is newer than this code knows."""
    return K2StoreUnavailableError(
        f"{store} has schema version {found}, newer than this k2connect knows ({SCHEMA_VERSION}): "
        "upgrade k2connect-sdk to use it; nothing was written"
    )


# ---------------------------------------------------------------------------------------- protocols
