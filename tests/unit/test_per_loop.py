"""``PerLoop``: one resource per event loop, for loops one after another or at once in threads.

Real event loops, each running in a thread of its own where the case needs one; the resources are plain
records of where they were made, closed and released, so each case can say on which loop what happened.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest

from k2connect_ext._per_loop import PerLoop

T = TypeVar("T")
HANG_GUARD = 30.0


class Resource:
    def __init__(self) -> None:
        self.made_on = asyncio.get_running_loop()
        self.closed_on: asyncio.AbstractEventLoop | None = None
        self.released_on: asyncio.AbstractEventLoop | None = None


async def close(resource: Resource) -> None:
    resource.closed_on = asyncio.get_running_loop()


async def release(resource: Resource) -> None:
    resource.released_on = asyncio.get_running_loop()


def per_loop() -> PerLoop[Resource]:
    return PerLoop(Resource, close, release)


class LoopThread:
    """An event loop running in a thread of its own."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(HANG_GUARD)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(HANG_GUARD)
        self.loop.close()


@pytest.fixture
def other() -> Iterator[LoopThread]:
    thread = LoopThread()
    yield thread
    thread.close()


def test_a_loop_gets_one_resource_made_on_it() -> None:
    resources = per_loop()

    async def twice() -> tuple[Resource, Resource]:
        return await resources.get(), await resources.get()

    first, second = asyncio.run(twice())
    assert first is second and len(resources) == 1


def test_loops_running_at_once_in_threads_each_get_their_own(other: LoopThread) -> None:
    resources = per_loop()

    async def here() -> Resource:
        mine = await resources.get()
        theirs = await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(resources.get(), other.loop))
        assert theirs is not mine and theirs.made_on is other.loop
        assert mine.made_on is asyncio.get_running_loop()
        return mine

    asyncio.run(here())
    assert len(resources) == 2


def test_a_closed_loops_resource_is_released_when_a_new_loop_arrives() -> None:
    """Dropped from the map (it holds its loop, which would never be collected) and released on the
    new loop, never closed through the dead one."""
    resources = per_loop()
    old = asyncio.run(resources.get())

    async def new() -> asyncio.AbstractEventLoop:
        await resources.get()
        return asyncio.get_running_loop()

    new_loop = asyncio.run(new())
    assert (old.closed_on, old.released_on) == (None, new_loop)
    assert len(resources) == 1


def test_closing_closes_each_resource_on_its_own_loop_or_releases_it(other: LoopThread) -> None:
    """This loop's on this loop; a loop running in another thread's on that loop; a closed loop's is
    released; an idle (alive, not running) loop's close is scheduled there and runs when it runs again."""
    resources = per_loop()
    running = other.run(resources.get())
    idle_loop, ended_loop = asyncio.new_event_loop(), asyncio.new_event_loop()
    try:
        idle = idle_loop.run_until_complete(resources.get())
        ended = ended_loop.run_until_complete(resources.get())

        async def close_all() -> tuple[Resource, asyncio.AbstractEventLoop]:
            mine = await resources.get()
            ended_loop.close()  # after the last new loop arrived: still held when closing starts
            await resources.aclose()
            return mine, asyncio.get_running_loop()

        mine, closing_loop = asyncio.run(close_all())
        assert mine.closed_on is closing_loop
        assert running.closed_on is other.loop
        assert (ended.closed_on, ended.released_on) == (None, closing_loop)
        assert idle.closed_on is None
        idle_loop.run_until_complete(asyncio.sleep(0))
        assert idle.closed_on is idle_loop
    finally:
        idle_loop.close()
        ended_loop.close()
    assert len(resources) == 0


def test_a_closed_owner_makes_nothing_new() -> None:
    resources = per_loop()

    async def close_then_get() -> None:
        await resources.aclose()
        await resources.get()

    with pytest.raises(RuntimeError, match="closed"):
        asyncio.run(close_then_get())


def test_released_resources_are_dropped_by_default() -> None:
    """Without a release function, a dead loop's resource is only let go of (nothing awaited on it)."""
    resources: PerLoop[Resource] = PerLoop(Resource, close)
    old = asyncio.run(resources.get())
    asyncio.run(resources.aclose())
    assert (old.closed_on, old.released_on) == (None, None)
