"""Single-flight token renewal: threads, tasks, processes, freshness on a fake clock, invalidation."""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import os
import threading
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from k2connect_ext._token_manager import AsyncTokenManager, TokenManager
from k2connect_ext._token_stores import AccessToken, FileTokenStore, MemoryTokenStore, TokenStore
from tests.fakes import FakeClock

START = 1_700_000_000.0
WAIT = 10.0  # upper bound for any cross-thread wait; never reached when the code is right


class Fetcher:
    """Issues numbered tokens of a given lifetime, counting the calls (sync and async)."""

    def __init__(self, clock: Callable[[], float], lifetime: float = 3600.0) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.calls = 0
        self._lock = threading.Lock()

    def issue(self) -> AccessToken:
        with self._lock:
            self.calls += 1
            number = self.calls
        now = self.clock()
        return AccessToken(value=f"token-{number}", expires_at=now + self.lifetime, obtained_at=now)

    async def aissue(self) -> AccessToken:
        await asyncio.sleep(0)
        return self.issue()


Getter = Callable[[], Awaitable[AccessToken]]
Invalidator = Callable[[AccessToken], Awaitable[None]]


def build(
    mode: str, fetcher: Fetcher, clock: FakeClock, store: TokenStore | None = None
) -> tuple[Getter, Invalidator]:
    """A manager of the given mode, with get() and invalidate() both awaitable so tests read the same."""
    if mode == "sync":
        sync = TokenManager(fetcher.issue, store=store, clock=clock, skew=60)

        async def get() -> AccessToken:
            return sync.get()

        async def invalidate(token: AccessToken) -> None:
            sync.invalidate(token)

        return get, invalidate
    manager = AsyncTokenManager(fetcher.aissue, store=store, clock=clock, skew=60)
    return manager.get, manager.invalidate


modes = pytest.mark.parametrize("mode", ["sync", "async"])


# --- Single flight --------------------------------------------------------------------------------------


@pytest.mark.parametrize("with_store", [False, True])
def test_100_threads_make_one_fetch(with_store: bool) -> None:
    """100 threads asking at once, with nothing cached, cause exactly one fetch and share its token."""
    fetcher = Fetcher(FakeClock(START))
    arrived = 0
    everyone_in = threading.Condition()

    def slow_fetch() -> AccessToken:
        # Hold the fetch until every thread has called get(), so they all queue behind it.
        with everyone_in:
            assert everyone_in.wait_for(lambda: arrived == 100, timeout=WAIT)
        return fetcher.issue()

    store = MemoryTokenStore() if with_store else None
    manager = TokenManager(slow_fetch, store=store, clock=fetcher.clock)
    barrier = threading.Barrier(100)
    results: list[AccessToken] = []

    def worker() -> None:
        nonlocal arrived
        barrier.wait(WAIT)
        with everyone_in:
            arrived += 1
            everyone_in.notify_all()
        results.append(manager.get())

    threads = [threading.Thread(target=worker) for _ in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert fetcher.calls == 1
    assert len(results) == 100
    assert {t.value for t in results} == {"token-1"}


@pytest.mark.parametrize("lifetime", [0.0, -5.0, 30.0])
def test_100_threads_share_one_fetch_whatever_expires_in_says(lifetime: float) -> None:
    """A token born stale (expires_in <= 0, or shorter than the renewal margin) still ends the queue.

    Before, each of 100 threads found the just-fetched token "not fresh" and fetched again in turn:
    100 serialized token requests. Callers that waited on the lock now take what was fetched meanwhile.
    """
    fetcher = Fetcher(FakeClock(START), lifetime=lifetime)
    arrived = 0
    everyone_in = threading.Condition()

    def slow_fetch() -> AccessToken:
        with everyone_in:
            everyone_in.wait_for(lambda: arrived == 100, timeout=WAIT)
        return fetcher.issue()

    manager = TokenManager(slow_fetch, clock=fetcher.clock, skew=60)
    barrier = threading.Barrier(100)

    def worker() -> None:
        nonlocal arrived
        barrier.wait(WAIT)
        with everyone_in:
            arrived += 1
            everyone_in.notify_all()
        manager.get()

    threads = [threading.Thread(target=worker) for _ in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert fetcher.calls <= 2


@pytest.mark.parametrize("lifetime", [0.0, -5.0])
async def test_1000_tasks_share_one_fetch_whatever_expires_in_says(lifetime: float) -> None:
    """The asyncio twin: stale-born tokens do not turn single flight into a queue of fetches."""
    fetcher = Fetcher(FakeClock(START), lifetime=lifetime)
    arrived = 0

    async def slow_fetch() -> AccessToken:
        for _ in range(100_000):
            if arrived == 1000:
                break
            await asyncio.sleep(0)
        return fetcher.issue()

    manager = AsyncTokenManager(slow_fetch, clock=fetcher.clock, skew=60)

    async def caller() -> AccessToken:
        nonlocal arrived
        arrived += 1
        return await manager.get()

    await asyncio.wait_for(asyncio.gather(*(caller() for _ in range(1000))), WAIT)
    assert fetcher.calls <= 2


def test_known_values_lists_recent_tokens_for_scrubbing() -> None:
    """Error messages are scrubbed of the tokens the manager handed out: it remembers the last few."""
    fetcher = Fetcher(FakeClock(START), lifetime=0.0)
    manager = TokenManager(fetcher.issue, clock=fetcher.clock, skew=60)
    for _ in range(6):
        manager.get()
    assert manager.known_values() == ("token-3", "token-4", "token-5", "token-6")


async def test_1000_tasks_make_one_fetch() -> None:
    """1,000 tasks asking at once, with nothing cached, cause exactly one fetch and share its token."""
    fetcher = Fetcher(FakeClock(START))
    arrived = 0

    async def slow_fetch() -> AccessToken:
        # Yield until every task has called get() and queued on the lock (bounded, in case of a bug).
        for _ in range(100_000):
            if arrived == 1000:
                break
            await asyncio.sleep(0)
        return fetcher.issue()

    manager = AsyncTokenManager(slow_fetch, clock=fetcher.clock)

    async def caller() -> AccessToken:
        nonlocal arrived
        arrived += 1
        return await manager.get()

    results = await asyncio.wait_for(asyncio.gather(*(caller() for _ in range(1000))), WAIT)
    assert arrived == 1000
    assert fetcher.calls == 1
    assert {t.value for t in results} == {"token-1"}


class CountingFileStore(FileTokenStore):
    """A FileTokenStore that counts the callers reaching lock(), across threads and processes.

    A fetch that waits for a second arrival proves the second caller found no token before the lock, so
    it can only avoid a second fetch by reading the store again once it holds the lock.
    """

    def __init__(self, path: str | Path, arrivals: Any) -> None:
        super().__init__(path)
        self.arrivals = arrivals

    def lock(self) -> AbstractContextManager[None]:
        with self.arrivals.get_lock():
            self.arrivals.value += 1
        return super().lock()


def wait_for_arrivals(arrivals: Any, count: int) -> None:
    """Block (briefly, boundedly) until ``count`` callers have reached the store lock."""
    for _ in range(int(WAIT * 1000)):
        if arrivals.value >= count:
            return
        threading.Event().wait(0.001)


async def test_async_store_shared_by_two_managers_on_one_loop(tmp_path: Path) -> None:
    """Two async managers on one loop, sharing a token file, make one fetch between them."""
    arrivals = multiprocessing.Value("i", 0)
    fetcher = Fetcher(FakeClock(START))

    async def slow_fetch() -> AccessToken:
        await asyncio.to_thread(wait_for_arrivals, arrivals, 2)
        return fetcher.issue()

    managers = [
        AsyncTokenManager(
            slow_fetch, store=CountingFileStore(tmp_path / "t.json", arrivals), clock=fetcher.clock
        )
        for _ in range(2)
    ]
    results = await asyncio.wait_for(asyncio.gather(*(m.get() for m in managers * 20)), WAIT)
    assert arrivals.value == 2
    assert fetcher.calls == 1
    assert {t.value for t in results} == {"token-1"}


def test_file_store_shared_by_two_managers_in_threads(tmp_path: Path) -> None:
    """Two sync managers in one process, sharing a token file, make one fetch between them."""
    arrivals = multiprocessing.Value("i", 0)
    fetcher = Fetcher(FakeClock(START))

    def slow_fetch() -> AccessToken:
        wait_for_arrivals(arrivals, 2)
        return fetcher.issue()

    managers = [
        TokenManager(slow_fetch, store=CountingFileStore(tmp_path / "t.json", arrivals), clock=fetcher.clock)
        for _ in range(2)
    ]
    barrier = threading.Barrier(20)
    results: list[AccessToken] = []

    def worker(manager: TokenManager) -> None:
        barrier.wait(WAIT)
        results.append(manager.get())

    threads = [threading.Thread(target=worker, args=(m,)) for m in managers * 10]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert arrivals.value == 2
    assert fetcher.calls == 1
    assert {t.value for t in results} == {"token-1"}


def _process_worker(store_path: str, fetch_log: str, arrivals: Any, result_path: str) -> None:
    """Runs in a spawned process: one TokenManager on the shared file, fetching only if it must."""

    def fetch() -> AccessToken:
        wait_for_arrivals(arrivals, 2)  # hold the file lock until the other process waits for it
        with open(fetch_log, "a") as log:
            log.write(f"{os.getpid()}\n")
        return AccessToken(value=f"token-{os.getpid()}", expires_at=START + 3600, obtained_at=START)

    manager = TokenManager(fetch, store=CountingFileStore(store_path, arrivals), clock=FakeClock(START))
    Path(result_path).write_text(manager.get().value)


def test_file_store_shared_by_two_processes(tmp_path: Path) -> None:
    """Two spawned processes sharing a FileTokenStore make one fetch and use the same token."""
    context = multiprocessing.get_context("spawn")
    arrivals = context.Value("i", 0)
    fetch_log = tmp_path / "fetches.log"
    processes = [
        context.Process(
            target=_process_worker,
            args=(str(tmp_path / "token.json"), str(fetch_log), arrivals, str(tmp_path / f"result-{i}")),
        )
        for i in range(2)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(30)
    for process in processes:
        if process.is_alive():  # pragma: no cover - only on failure
            process.kill()
    assert [p.exitcode for p in processes] == [0, 0]
    assert arrivals.value == 2
    assert len(fetch_log.read_text().splitlines()) == 1
    assert (tmp_path / "result-0").read_text() == (tmp_path / "result-1").read_text()


# --- Freshness on a fake clock --------------------------------------------------------------------------


@modes
async def test_renews_within_skew_of_expiry_not_before(mode: str) -> None:
    """The token is reused until 60 s before expiry, and renewed from then on."""
    clock = FakeClock(START)
    fetcher = Fetcher(clock)
    get, _ = build(mode, fetcher, clock)
    first = await get()
    clock.now = START + 3600 - 60 - 0.5
    assert await get() == first
    assert fetcher.calls == 1
    clock.now = START + 3600 - 60
    second = await get()
    assert second != first
    assert fetcher.calls == 2
    assert await get() == second


@modes
async def test_uses_a_fresh_token_from_the_store_without_fetching(mode: str) -> None:
    """A fresh token already in the store is used; a stale one is replaced."""
    clock = FakeClock(START)
    fetcher = Fetcher(clock)
    store = MemoryTokenStore()
    stored = AccessToken(value="from-store", expires_at=START + 100, obtained_at=START - 3500)
    store.save(stored)
    get, _ = build(mode, fetcher, clock, store)
    assert await get() == stored
    clock.now = START + 50
    assert (await get()).value == "token-1"
    assert store.load() is not None
    assert store.load().value == "token-1"  # type: ignore[union-attr]


@modes
async def test_fetch_errors_propagate_and_the_next_call_tries_again(mode: str) -> None:
    """A failed fetch caches nothing: the error reaches the caller and the next get() fetches."""
    clock = FakeClock(START)
    fetcher = Fetcher(clock)
    failures = iter([True, False])

    def flaky() -> AccessToken:
        if next(failures):
            raise RuntimeError("token endpoint down")
        return fetcher.issue()

    async def aflaky() -> AccessToken:
        return flaky()

    if mode == "sync":
        sync = TokenManager(flaky, clock=clock)

        async def get() -> AccessToken:
            return sync.get()

    else:
        get = AsyncTokenManager(aflaky, clock=clock).get
    with pytest.raises(RuntimeError):
        await get()
    assert (await get()).value == "token-1"


# --- Invalidation ---------------------------------------------------------------------------------------


@modes
async def test_invalidate_forgets_the_current_token(mode: str) -> None:
    """After invalidate(current), get() fetches a new token."""
    clock = FakeClock(START)
    fetcher = Fetcher(clock)
    get, invalidate = build(mode, fetcher, clock, MemoryTokenStore())
    first = await get()
    await invalidate(first)
    assert (await get()).value == "token-2"


@modes
async def test_invalidate_of_a_stale_token_keeps_the_fresh_one(mode: str) -> None:
    """A late 401 for an old token does not wipe the token another worker has just renewed."""
    clock = FakeClock(START)
    fetcher = Fetcher(clock)
    store = MemoryTokenStore()
    get_a, invalidate_a = build(mode, fetcher, clock, store)
    get_b, invalidate_b = build(mode, fetcher, clock, store)
    old = await get_a()
    assert await get_b() == old  # B reads A's token from the store
    await invalidate_a(old)
    new = await get_a()
    await invalidate_b(old)  # B's stale 401 arrives after A renewed
    await invalidate_a(old)  # a duplicate late 401 in A, whose cache already holds the new token
    assert store.load() == new
    assert await get_a() == new
    assert await get_b() == new
    assert fetcher.calls == 2


@modes
async def test_a_burst_of_401s_clears_the_store_once(mode: str) -> None:
    """Fifty invalidations of one token make one store.clear call, not fifty (no thread pile-up)."""

    class CountingStore(MemoryTokenStore):
        clears = 0

        def clear(self, expected: AccessToken | None = None) -> None:
            CountingStore.clears += 1
            super().clear(expected)

    clock = FakeClock(START)
    fetcher = Fetcher(clock)
    get, invalidate = build(mode, fetcher, clock, CountingStore())
    old = await get()
    await asyncio.gather(*(invalidate(old) for _ in range(50)))
    assert CountingStore.clears == 1
    assert (await get()).value == "token-2"


# --- Async details --------------------------------------------------------------------------------------


def test_async_manager_works_on_successive_event_loops() -> None:
    """Each event loop gets its own asyncio.Lock, so a manager survives asyncio.run() being called twice."""
    clock = FakeClock(START)
    fetcher = Fetcher(clock, lifetime=10)
    manager = AsyncTokenManager(fetcher.aissue, clock=clock)
    assert asyncio.run(manager.get()).value == "token-1"
    clock.now += 20
    assert asyncio.run(manager.get()).value == "token-2"


async def test_cancelled_wait_for_store_lock_releases_it_later() -> None:
    """A task cancelled while its thread waits for the store lock gives the lock back once it gets it."""
    store = MemoryTokenStore()
    clock = FakeClock(START)
    manager = AsyncTokenManager(Fetcher(clock).aissue, store=store, clock=clock)
    held = store.lock()
    held.__enter__()
    task = asyncio.create_task(manager.get())
    for _ in range(1000):  # let the task reach the thread that waits for the lock
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    held.__exit__(None, None, None)
    # The worker thread now gets the lock, and the done-callback hands it straight back.
    acquired = await asyncio.to_thread(store._fetch_lock.acquire, True, WAIT)
    assert acquired
    store._fetch_lock.release()


async def test_failed_wait_for_store_lock_is_not_released() -> None:
    """If taking the store lock fails, the task sees the error and nothing is released."""

    class BrokenLockStore(MemoryTokenStore):
        def lock(self) -> BrokenLock:
            return BrokenLock()

    class BrokenLock:
        exits = 0

        def __enter__(self) -> None:
            raise OSError("lock file unwritable")

        def __exit__(self, *args: object) -> None:  # pragma: no cover - must not run
            BrokenLock.exits += 1

    clock = FakeClock(START)
    manager = AsyncTokenManager(Fetcher(clock).aissue, store=BrokenLockStore(), clock=clock)
    with pytest.raises(OSError, match="unwritable"):
        await manager.get()
    assert BrokenLock.exits == 0


def test_release_callback_skips_failed_or_cancelled_waits() -> None:
    """The release callback only releases a lock its thread actually took."""
    from k2connect_ext._token_manager import _release_if_acquired

    released = itertools.count()

    class Lock:
        def __enter__(self) -> None:  # pragma: no cover - not called here
            return None

        def __exit__(self, *args: object) -> None:
            next(released)

    loop = asyncio.new_event_loop()
    try:
        cancelled: asyncio.Future[None] = loop.create_future()
        cancelled.cancel()
        failed: asyncio.Future[None] = loop.create_future()
        failed.set_exception(OSError())
        done: asyncio.Future[None] = loop.create_future()
        done.set_result(None)
        for future in (cancelled, failed, done):
            _release_if_acquired(Lock(), future)
    finally:
        loop.close()
    assert next(released) == 1


def test_manager_reprs_show_no_token() -> None:
    """Manager reprs name the store and skew only."""
    clock = FakeClock(START)
    sync = TokenManager(Fetcher(clock).issue, clock=clock)
    sync.get()
    assert repr(sync) == "TokenManager(store=None, skew=60.0)"
    assert "token-1" not in repr(AsyncTokenManager(Fetcher(clock).aissue, store=MemoryTokenStore()))
