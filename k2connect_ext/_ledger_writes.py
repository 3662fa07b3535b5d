"""Ledger writes that can share one transaction: a group commit.

Every write of a ledger (``record``, ``transition``) is durable before it returns, so each costs the store
one synchronous commit (an fsync on SQLite). Intents sent side by side, as a batch or an async server sends
them, would queue behind each other's fsync. A ledger that can run several writes in one transaction
(:class:`WritesTogether`) lets the caller hand it all the writes waiting at that moment: one commit for
all of them, and each write still its own compare-and-set, applied one after another under the store's
write lock, so the state machine's guarantees do not change.

A write is split in three steps so that one write's refusal never spoils the others of its group:

- *prepare* (pure Python, before the transaction): checks the arguments; a bad one is that write's error;
- *apply* (inside the transaction): runs the statements and returns a *finish* step;
- *finish* (after the commit): the write's result, or its refusal (a conflict, a different request under
  a recorded key), which wrote nothing.

A store failure (a locked or full file, a database that is down) fails the whole group: nothing of it was
committed, and every write in it raises the same :class:`~k2connect_ext.K2StoreUnavailableError`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias, TypeVar, cast, runtime_checkable

from k2connect_ext._exceptions import K2Error
from k2connect_ext._intent import Intent, IntentState, States

__all__ = [
    "Finish",
    "LedgerWrite",
    "MoveWrite",
    "Outcome",
    "RecordWrite",
    "Work",
    "WritesTogether",
    "WritesTogetherNow",
    "finish_all",
]

C = TypeVar("C")  # a store's connection
T = TypeVar("T")

Finish: TypeAlias = Callable[[], T]
"""A write's last step, after the commit: its result, or its refusal raised."""


Work: TypeAlias = Callable[[C], Finish[T]]
"""A prepared write: applied inside a transaction on a connection ``C``, it returns its :data:`Finish`."""


@dataclass(frozen=True, slots=True)
class RecordWrite:
    """``Ledger.record(key, operation, request)``, as one write of a group."""

    key: str
    operation: str
    request: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class MoveWrite:
    """``Ledger.transition(intent_id, to, expect=..., ...)``, as one write of a group."""

    intent_id: str
    to: IntentState
    expect: States
    location: str | None = None
    result: Mapping[str, Any] | None = None
    reference: str | None = None
    last_error: str | None = None
    note: str | None = None


LedgerWrite: TypeAlias = RecordWrite | MoveWrite
Outcome: TypeAlias = tuple[Intent, bool] | Intent | K2Error
"""What one write of a group gave: ``record``'s pair, ``transition``'s intent, or the error it raised."""


@runtime_checkable
class WritesTogether(Protocol):
    """A ledger that can commit several writes at once (both of k2connect's ledgers can)."""

    def write_together(self, writes: Sequence[LedgerWrite]) -> list[Outcome]:
        """Apply ``writes`` in order in one transaction; one outcome per write, in the same order.

        Raises K2StoreUnavailableError when the store fails: then none of them was written.
        """
        ...


@runtime_checkable
class WritesTogetherNow(WritesTogether, Protocol):
    """A ledger that can also try a group commit without waiting for any lock (SQLite: a local file,
    whose commit is one fsync), so an event loop can run it itself instead of handing it to a thread."""

    def write_together_now(self, writes: Sequence[LedgerWrite]) -> list[Outcome] | None:
        """``write_together``, or None (nothing written) when that would wait for a lock."""
        ...


def finish_all(
    writes: Sequence[LedgerWrite],
    prepare: Callable[[LedgerWrite], Work[C, Outcome]],
    apply_all: Callable[[Sequence[Work[C, Outcome]]], Sequence[Finish[Outcome]]],
) -> list[Outcome]:
    """The group commit every ledger shares: prepare each write (a bad one is its own error), apply the
    rest in one transaction (``apply_all``), then finish each (its result or its refusal)."""
    outcomes: list[Outcome | None] = [None] * len(writes)
    works: list[tuple[int, Work[C, Outcome]]] = []
    for index, write in enumerate(writes):
        try:
            works.append((index, prepare(write)))
        except K2Error as exc:
            outcomes[index] = exc
    finishes = apply_all([work for _, work in works])
    for (index, _), finish in zip(works, finishes, strict=True):
        try:
            outcomes[index] = finish()
        except K2Error as exc:
            outcomes[index] = exc
    return cast(list[Outcome], outcomes)  # every index was set: by its error or by its finish


def shared_failure(exc: Exception) -> Exception:
    """A copy of one group's failure for each of its writes, so their tracebacks do not pile up on one."""
    return copy.copy(exc)
