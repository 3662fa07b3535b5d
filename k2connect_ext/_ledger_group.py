"""Group commit for async intents: the ledger writes waiting at one moment, committed together.

``AsyncK2.intents`` sends many intents side by side on one event loop. Each write of the ledger is
durable before it returns: one synchronous commit each would make the sends queue behind one fsync after
another. :class:`GroupCommit` keeps one queue per event loop instead: a write joins the queue, and while
one group is being committed the next one gathers; when it is done, everything that gathered goes in the
next transaction. A lone write is committed at once (nothing waits for company), and under load one
commit serves many writes. An SQLite group that waits for no lock is committed on the loop itself (see
``GroupCommit._now``); any other group in a worker thread.

Each write keeps its own answer (its intent, a conflict, its refusal); a store failure fails every write of
its group, none of which was committed (``_ledger_writes``). A caller cancelled while its write is queued
or being committed does not take the write back, as with a thread it had started: the write may still be
committed, which the ledger's state machine tolerates (a ``sending`` intent is never resent blindly).
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

from k2connect_ext._intent import Intent
from k2connect_ext._ledger_writes import (
    LedgerWrite,
    Outcome,
    WritesTogether,
    WritesTogetherNow,
    shared_failure,
)

__all__ = ["GroupCommit"]

_Answer: TypeAlias = Outcome | Exception  # a write's outcome, or its group's failure
_Waiting = list[tuple[LedgerWrite, "asyncio.Future[_Answer]"]]


@dataclass
class _Queue:
    """One event loop's writes waiting for the next commit, and the task committing them."""

    waiting: _Waiting = field(default_factory=list)
    flusher: asyncio.Task[None] | None = None


class GroupCommit:
    """Commits the writes of a :class:`~k2connect_ext._ledger_writes.WritesTogether` ledger in groups."""

    def __init__(self, ledger: WritesTogether) -> None:
        self._ledger = ledger
        self._lock = threading.Lock()  # loops in several threads may share one ledger
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue] = (
            weakref.WeakKeyDictionary()
        )

    async def write(self, write: LedgerWrite) -> tuple[Intent, bool] | Intent:
        """The write's result once it is committed; its refusal, or the group's store failure, raised."""
        loop = asyncio.get_running_loop()
        with self._lock:
            queue = self._queues.setdefault(loop, _Queue())
        future: asyncio.Future[_Answer] = loop.create_future()
        queue.waiting.append((write, future))
        if queue.flusher is None:
            queue.flusher = loop.create_task(self._flush(queue))
        outcome = await future
        if isinstance(outcome, BaseException):  # a refusal, or the group's store failure
            raise outcome
        return outcome

    def _now(self, writes: list[LedgerWrite]) -> list[Outcome] | None:
        """The group committed on the loop itself when the store can do it without waiting for a lock.

        Handing a commit to a worker thread costs more than the commit: the thread must win the GIL back
        from the busy loop after each statement and after the fsync (up to the interpreter's switch
        interval, 5 ms, each time), and every intent waits for three commits. An SQLite commit that
        waits for no lock is one fsync (a fraction of a millisecond on an SSD), cheaper on the loop; a
        busy ledger (another process writing) is left to a worker thread, which may wait.
        """
        if not isinstance(self._ledger, WritesTogetherNow):
            return None
        return self._ledger.write_together_now(writes)

    async def _flush(self, queue: _Queue) -> None:
        try:
            while queue.waiting:
                group, queue.waiting = queue.waiting, []
                writes = [write for write, _ in group]
                try:
                    outcomes: Sequence[_Answer] | None = self._now(writes)
                    if outcomes is None:
                        outcomes = await asyncio.to_thread(self._ledger.write_together, writes)
                except asyncio.CancelledError:  # the loop is ending: nobody will read these answers
                    for _, future in group + queue.waiting:
                        future.cancel()
                    queue.waiting = []
                    raise
                except Exception as exc:  # the store failed: nothing of this group was committed
                    outcomes = [shared_failure(exc) for _ in group]
                for (_, future), outcome in zip(group, outcomes, strict=True):
                    if not future.done():  # a cancelled caller: its write stands, unread
                        future.set_result(outcome)
        finally:
            queue.flusher = None
