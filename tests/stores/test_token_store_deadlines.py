"""Issue 17, item 7: a call's ``timeout`` bounds its wait on a shared token store.

Against the real components: a second process holding the file lock, another worker holding the Redis lock,
and a real Redis that does not answer (``CLIENT PAUSE``). The call ends at its deadline with
``K2TimeoutError`` (nothing was sent), and the store is left usable: payments go on. Sync and async alike.
The elapsed-time checks are hang guards only (10x the timeout), not speed assertions.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from k2connect_ext import _call
from k2connect_ext._exceptions import K2TimeoutError
from k2connect_ext._facade import K2, AsyncK2
from k2connect_ext._redis_token_store import RedisTokenStore
from k2connect_ext._token_stores import AccessToken, FileTokenStore, TokenStore
from tests.fakes import TOKEN, FakeK2
from tests.servers import free_port

BASE = "https://sandbox.kopokopo.com"
CLIENT_ID = "client-id-store-deadline"
SECRET = "client-secret-store-deadline-never-leak"
STK_ARGS: dict[str, Any] = {
    "phone_number": "0712345678",
    "amount": 100,
    "till_number": "K000000",
    "callback_url": "https://example.com/k2/result",
}
TIMEOUT = 0.3
HANG_GUARD = 10 * TIMEOUT
HOLD = 8.0  # the other holder lets go after this at most (so a test of the unfixed code ends too)
PAUSE_MS = 4000  # how long Redis does not answer: longer than HANG_GUARD
WAIT = 10.0
LOCK_KEY = "k2connect:{token}:lock"
FENCE_KEY = "k2connect:{token}:fence"


def token(value: str) -> AccessToken:
    now = time.time()
    return AccessToken(value=value, expires_at=now + 3600, obtained_at=now)


async def stk_push(mode: str, server: FakeK2, store: TokenStore, timeout: float = TIMEOUT) -> None:
    """One ``stk_push`` through K2 or AsyncK2 with ``timeout``, on a MockTransport."""
    options: dict[str, Any] = {
        "base_url": BASE,
        "transport": httpx.MockTransport(server),
        "timeout": timeout,
        "token_store": store,
        "environ": {},
    }
    if mode == "sync":
        with K2(CLIENT_ID, SECRET, **options) as k2:
            k2.stk_push(**STK_ARGS)
        return
    async with AsyncK2(CLIENT_ID, SECRET, **options) as ak2:
        await ak2.stk_push(**STK_ARGS)


async def times_out(mode: str, server: FakeK2, store: TokenStore) -> None:
    """The call raises K2TimeoutError (about the token) well before the hang guard, having sent nothing."""
    started = time.monotonic()
    with pytest.raises(K2TimeoutError) as caught:
        await stk_push(mode, server, store)
    assert time.monotonic() - started < HANG_GUARD
    assert "the deadline passed while waiting for the K2 access token" in str(caught.value)
    assert server.seen == []  # neither a token request nor the payment left


def eventually(condition: Callable[[], bool]) -> bool:
    """Poll ``condition`` for at most WAIT seconds (a hang guard, not a timing)."""
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


modes = pytest.mark.parametrize("mode", ["sync", "async"])


# --- FileTokenStore: the lock held by another process ----------------------------------------------------

HOLDER = textwrap.dedent(
    """
    import fcntl, os, select, sys
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    print("locked", flush=True)
    select.select([sys.stdin], [], [], float(sys.argv[2]))  # until the test closes stdin, or HOLD s
    """
)


@pytest.fixture
def file_lock_held_elsewhere(tmp_path: Path) -> Iterator[Path]:
    """A token file whose lock another process holds (for at most HOLD s); yields the token file's path."""
    path = tmp_path / "token.json"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path) + ".lock", str(HOLD)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"locked\n"
        yield path
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        try:
            holder.wait(WAIT)
        except subprocess.TimeoutExpired:  # pragma: no cover - only if the holder hangs
            holder.kill()
            holder.wait(WAIT)


@modes
async def test_a_file_lock_held_by_another_process_ends_the_call_at_its_deadline(
    mode: str, file_lock_held_elsewhere: Path
) -> None:
    """Before: 3.9 s with ``timeout=1``, and no bound at all (a blocking ``flock``)."""
    await times_out(mode, FakeK2(), FileTokenStore(file_lock_held_elsewhere))


def test_outside_a_call_a_held_file_lock_is_waited_for_lock_wait_then_skipped(
    file_lock_held_elsewhere: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Without a call's deadline the wait still ends (``lock_wait``): the holder is skipped with a warning,
    as the Redis store does, instead of stopping every payment while a process hangs on the lock."""
    caplog.set_level(logging.WARNING, "k2connect")
    store = FileTokenStore(file_lock_held_elsewhere, lock_wait=TIMEOUT)
    started = time.monotonic()
    with store.lock():
        store.save(token("fetched-without-the-lock"))
    assert time.monotonic() - started < HANG_GUARD
    assert [r.getMessage() for r in caplog.records if "without it" in r.getMessage()] != []
    assert len(caplog.records) == 1
    assert (found := FileTokenStore(file_lock_held_elsewhere).load()) is not None
    assert found.value == "fetched-without-the-lock"


# --- RedisTokenStore: the lock held by another worker, Redis not answering ----------------------------------


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    with redis.Redis.from_url(redis_url, socket_timeout=WAIT + PAUSE_MS / 1000) as c:
        yield c


@pytest.fixture
def paused(client: redis.Redis) -> Iterator[Callable[[], None]]:
    """``paused()`` makes Redis answer no command for PAUSE_MS; the test waits for it to answer again."""
    command: Callable[..., Any] = client.execute_command  # redis-py leaves it unannotated
    yield lambda: command("CLIENT", "PAUSE", PAUSE_MS, "ALL")
    client.ping()  # blocks until the pause is over


@modes
async def test_a_redis_lock_held_by_another_worker_ends_the_call_at_its_deadline(
    mode: str, redis_url: str
) -> None:
    """Before: ``stk_push`` with ``timeout=2`` took 5.0 s (the wait was bounded by ``lock_wait`` only)."""
    other_worker = RedisTokenStore.from_url(redis_url)
    with other_worker.lock():
        await times_out(mode, FakeK2(), RedisTokenStore.from_url(redis_url, lock_wait=HOLD))


@modes
async def test_a_redis_that_does_not_answer_ends_the_call_at_its_deadline_and_payments_go_on(
    mode: str, redis_url: str, paused: Callable[[], None], caplog: pytest.LogCaptureFixture
) -> None:
    """Before: 6.4 s with ``timeout=2`` and Redis slow to answer (each command waited its socket timeout,
    then once more). Now each command gets the time the call has left; one that does not answer counts as
    a Redis outage, so the next call does not wait on Redis: it fetches a token of its own and pays."""
    caplog.set_level(logging.INFO, "k2connect")
    store = RedisTokenStore.from_url(redis_url, socket_timeout=WAIT)
    assert store.load() is None  # connected before the pause
    server = FakeK2()
    paused()
    await times_out(mode, server, store)
    await stk_push(mode, server, store, timeout=WAIT)  # Redis still paused: it is not asked
    assert [r.url.path for r in server.seen] == ["/oauth/token", "/api/v2/incoming_payments"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "Redis is unavailable" in warnings[0]
    assert TOKEN not in caplog.text


@modes
async def test_inside_a_call_a_redis_that_refuses_connections_is_an_outage_and_payments_go_on(
    mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A command run within the call's time that fails (nothing listens) is a Redis outage, as outside a
    call: one warning, the token kept in the process, the payment made."""
    caplog.set_level(logging.WARNING, "k2connect")
    store = RedisTokenStore.from_url(f"redis://127.0.0.1:{free_port()}/0")
    server = FakeK2()
    await stk_push(mode, server, store, timeout=WAIT)
    await stk_push(mode, server, store, timeout=WAIT)
    assert [r.url.path for r in server.seen].count("/oauth/token") == 1
    assert len(caplog.records) == 1 and "Redis is unavailable" in caplog.records[0].getMessage()


def test_a_redis_lock_taken_after_its_call_gave_up_is_given_back(
    redis_url: str, client: redis.Redis, paused: Callable[[], None]
) -> None:
    """The lock request reaches Redis but is answered only after the call's deadline: the call goes on
    without it, and once Redis answers, the lock it took is released at once (not held for ``lock_ttl``,
    which would make every other worker wait)."""
    store = RedisTokenStore.from_url(redis_url, socket_timeout=WAIT)
    assert store.load() is None
    paused()
    started = time.monotonic()
    with _call.scope("stk_push", timeout=TIMEOUT), store.lock():
        pass
    assert time.monotonic() - started < HANG_GUARD
    assert eventually(lambda: client.get(FENCE_KEY) == b"1")  # the acquisition did land, late
    assert eventually(lambda: client.exists(LOCK_KEY) == 0)


def test_a_redis_lock_release_cut_by_the_deadline_still_lands(
    redis_url: str, client: redis.Redis, paused: Callable[[], None]
) -> None:
    """Leaving the lock when Redis does not answer does not hold the call past its deadline; the release
    finishes on its own once Redis answers."""
    store = RedisTokenStore.from_url(redis_url, socket_timeout=WAIT)
    with _call.scope("stk_push", timeout=TIMEOUT + 1.0):
        with store.lock():
            assert client.exists(LOCK_KEY) == 1
            paused()
            started = time.monotonic()
        assert time.monotonic() - started < HANG_GUARD
    assert eventually(lambda: client.exists(LOCK_KEY) == 0)


def test_a_redis_save_cut_by_the_deadline_keeps_the_token_and_still_lands(
    redis_url: str, client: redis.Redis, paused: Callable[[], None]
) -> None:
    """A token fetched just before the deadline is not lost when Redis is slow to store it: this process
    keeps it, and the save finishes on its own once Redis answers."""
    store = RedisTokenStore.from_url(redis_url, socket_timeout=WAIT)
    assert store.load() is None
    paused()
    started = time.monotonic()
    with _call.scope("stk_push", timeout=TIMEOUT):
        store.save(token("saved-late"))
    assert time.monotonic() - started < HANG_GUARD
    assert (kept := store._fallback.load()) is not None and kept.value == "saved-late"
    assert eventually(lambda: bool(client.hexists("k2connect:{token}", "token")))
    assert (found := RedisTokenStore.from_url(redis_url).load()) is not None and found.value == "saved-late"
