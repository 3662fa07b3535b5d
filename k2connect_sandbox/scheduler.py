"""Background work of the sandbox: delayed resolutions and callback/webhook deliveries.

Tasks run on whichever event loop is serving requests (uvicorn's, or the test's loop when the app is
driven in-process through ``httpx.ASGITransport``). Strong references are kept so tasks are not
garbage-collected mid-flight. ``reset()`` bumps a generation number instead of cancelling across
threads: every task checks it after each wait and quietly stops if the state it was working on has
been reset.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any

__all__ = ["Scheduler"]

log = logging.getLogger("k2connect_sandbox")


class Scheduler:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._lock = threading.Lock()
        self._generation = 0
        self._closers: list[Callable[[], Coroutine[Any, Any, None]]] = []

    @property
    def generation(self) -> int:
        with self._lock:
            return self._generation

    def bump(self) -> None:
        """Invalidate all running work (called on reset)."""
        with self._lock:
            self._generation += 1

    def spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        """Run ``work`` in the background on the running loop."""
        task = asyncio.get_running_loop().create_task(work, name=f"k2sandbox:{name}")
        with self._lock:
            self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        with self._lock:
            self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())

    def pending(self) -> int:
        with self._lock:
            return len(self._tasks)

    def on_close(self, closer: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Have ``aclose`` also await ``closer()`` (on the same loop), once that loop's tasks are done."""
        self._closers.append(closer)

    async def aclose(self) -> None:
        """Cancel the tasks of the running loop and wait for them (server shutdown, test teardown); then
        run the closers, which free what those tasks used on this loop (e.g. pooled delivery clients)."""
        loop = asyncio.get_running_loop()
        with self._lock:
            mine = [task for task in self._tasks if task.get_loop() is loop]
        for task in mine:
            task.cancel()
        if mine:
            await asyncio.gather(*mine, return_exceptions=True)
        for closer in self._closers:
            await closer()
