"""RedisTokenStore against a real redis-server: sharing, compare-and-delete, the lock, fencing, outages."""

from __future__ import annotations

import asyncio
import logging
import math
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from k2connect_ext._exceptions import K2ConfigError
from k2connect_ext._redis_token_store import RedisTokenStore
from k2connect_ext._token_manager import AsyncTokenManager, TokenManager
from k2connect_ext._token_stores import AccessToken
from k2connect_ext.webhooks._dedup_redis import RedisDeduplicator
from tests.servers import RedisServer, free_port

LOGGER = "k2connect.tokens.redis"


def token(value: str, lifetime: float = 3600.0) -> AccessToken:
    now = time.time()
    return AccessToken(value=value, expires_at=now + lifetime, obtained_at=now)


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    with redis.Redis.from_url(redis_url) as c:
        yield c


def warnings_from_store(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]


def test_a_saved_token_is_seen_by_another_machine(redis_url: str) -> None:
    """Two stores with their own clients (two machines) share the token."""
    RedisTokenStore.from_url(redis_url).save(token("shared-1"))
    loaded = RedisTokenStore.from_url(redis_url).load()
    assert loaded is not None and loaded.value == "shared-1"


def test_the_token_expires_in_redis_with_its_lifetime(redis_url: str, client: redis.Redis) -> None:
    RedisTokenStore.from_url(redis_url).save(token("short", lifetime=120))
    ttl_ms = client.pttl("k2connect:{token}")
    assert 0 < ttl_ms <= 120_000


def test_clear_deletes_only_the_expected_token(redis_url: str) -> None:
    """A 401 with an old token must not wipe the fresh one another worker just saved."""
    store = RedisTokenStore.from_url(redis_url)
    store.save(token("fresh"))
    store.clear(expected=token("old"))
    assert (found := store.load()) is not None and found.value == "fresh"
    store.clear(expected=token("fresh"))
    assert store.load() is None


def test_a_corrupt_entry_reads_as_no_token(redis_url: str, client: redis.Redis) -> None:
    client.hset("k2connect:{token}", "token", b"\xff not json")
    assert RedisTokenStore.from_url(redis_url).load() is None


def test_the_lock_is_held_across_machines(redis_url: str, caplog: pytest.LogCaptureFixture) -> None:
    """While one machine holds the lock, another cannot take it; after its wait it fetches without it."""
    holder = RedisTokenStore.from_url(redis_url)
    other = RedisTokenStore.from_url(redis_url, lock_wait=0.2)
    with holder.lock():
        caplog.set_level(logging.WARNING, LOGGER)
        with other.lock():
            assert other._fence is None  # did not get the Redis lock
    assert any("without it" in m for m in warnings_from_store(caplog))
    with other.lock():  # released: now it does
        assert other._fence is not None


def test_a_dead_holders_lock_expires_and_the_next_one_takes_it(
    redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The holder enters the lock and never leaves (it died); the lock TTL frees the others."""
    dead = RedisTokenStore.from_url(redis_url, lock_ttl=0.3)
    abandoned = dead.lock()  # kept referenced: a collected generator would run its finally and release
    abandoned.__enter__()  # never exited
    dead_fence = dead._fence
    caplog.set_level(logging.WARNING, LOGGER)
    survivor = RedisTokenStore.from_url(redis_url, lock_ttl=5, lock_wait=30)
    with survivor.lock():
        assert survivor._fence is not None and dead_fence is not None
        assert survivor._fence > dead_fence  # a real acquisition, not the "gave up waiting" path
    assert warnings_from_store(caplog) == []


def test_fencing_refuses_a_late_holders_older_token(
    redis_url: str, client: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    """A holder that stalled past its TTL comes back after a newer holder saved: its token is refused."""
    late = RedisTokenStore.from_url(redis_url, lock_ttl=0.2)
    newer = RedisTokenStore.from_url(redis_url)
    caplog.set_level(logging.INFO, LOGGER)
    with late.lock():
        while client.exists("k2connect:{token}:lock"):  # stall until the lock expires
            time.sleep(0.02)
        with newer.lock():
            newer.save(token("newer"))
        late.save(token("late"))
    assert (found := newer.load()) is not None and found.value == "newer"
    assert any("newer lock holder" in r.getMessage() for r in caplog.records)
    assert client.exists("k2connect:{token}:lock") == 0


def test_a_holder_still_current_may_save_over_an_older_token(redis_url: str) -> None:
    """The fence protects newer tokens only: the current holder replaces an older one."""
    store = RedisTokenStore.from_url(redis_url)
    with store.lock():
        store.save(token("first"))
    with store.lock():
        store.save(token("second"))
    assert (found := store.load()) is not None and found.value == "second"


def test_single_flight_between_two_machines_and_many_threads(redis_url: str) -> None:
    """Two managers (two machines) x 20 threads each: one token request in all."""
    calls: list[int] = []
    calls_lock = threading.Lock()

    def fetch() -> AccessToken:
        with calls_lock:
            calls.append(1)
        time.sleep(0.05)  # a real request takes a while: the others pile up on the lock meanwhile
        return token("only-one")

    managers = [TokenManager(fetch, store=RedisTokenStore.from_url(redis_url)) for _ in range(2)]
    barrier = threading.Barrier(40)
    got: list[str] = []

    def worker(manager: TokenManager) -> None:
        barrier.wait()
        got.append(manager.get().value)

    threads = [threading.Thread(target=worker, args=(managers[i % 2],)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert got == ["only-one"] * 40


async def test_the_async_manager_shares_the_token_through_redis(redis_url: str) -> None:
    """The async manager enters the lock in one worker thread and leaves it in another: that must work."""
    calls: list[int] = []

    async def fetch() -> AccessToken:
        calls.append(1)
        return token("async-one")

    store = RedisTokenStore.from_url(redis_url)
    managers = [AsyncTokenManager(fetch, store=store), AsyncTokenManager(fetch, store=store)]
    results = await asyncio.gather(*(managers[i % 2].get() for i in range(20)))
    assert {t.value for t in results} == {"async-one"}
    assert len(calls) == 1
    assert redis.Redis.from_url(redis_url).exists("k2connect:{token}:lock") == 0


def test_redis_down_gives_a_per_process_token_and_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing listens: payments go on with this process's own token, and the log says so once."""
    store = RedisTokenStore.from_url(f"redis://127.0.0.1:{free_port()}/0", retry_after=0)
    calls: list[int] = []

    def fetch() -> AccessToken:
        calls.append(1)
        return token("local")

    caplog.set_level(logging.INFO, LOGGER)
    first, second = TokenManager(fetch, store=store), TokenManager(fetch, store=store)
    assert first.get().value == "local"
    assert second.get().value == "local"  # the second manager got it from the per-process fallback
    first.invalidate(first.get())
    assert first.get().value == "local"
    assert len(calls) == 2
    assert len(warnings_from_store(caplog)) == 1


def test_redis_coming_back_is_used_again(
    redis_server: RedisServer, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = RedisTokenStore.from_url(redis_url, retry_after=0)
    caplog.set_level(logging.INFO, LOGGER)
    redis_server.stop()
    store.save(token("during-outage"))
    assert (found := store.load()) is not None and found.value == "during-outage"
    redis_server.start()
    assert store.load() is None  # Redis answers again, and it has no token
    store.save(token("after"))
    assert (found := RedisTokenStore.from_url(redis_url).load()) is not None and found.value == "after"
    assert len(warnings_from_store(caplog)) == 1
    assert any("answers again" in r.getMessage() for r in caplog.records)


def test_while_redis_is_down_it_is_not_asked_on_every_call(caplog: pytest.LogCaptureFixture) -> None:
    """After a failure the store waits retry_after before asking Redis again: no timeout per request."""
    now = [0.0]
    store = RedisTokenStore(
        redis.Redis(host="127.0.0.1", port=free_port(), retry=Retry(NoBackoff(), retries=0)),
        retry_after=5,
        clock=lambda: now[0],
    )
    asked: list[int] = []
    real_hget = store._client.hget

    def counting_hget(*args: Any) -> Any:
        asked.append(1)
        return real_hget(*args)

    store._client.hget = counting_hget
    store.load()
    store.load()
    assert len(asked) == 1
    now[0] = 6.0
    store.load()
    assert len(asked) == 2


def test_neither_repr_nor_the_warning_shows_the_password(caplog: pytest.LogCaptureFixture) -> None:
    store = RedisTokenStore.from_url(f"redis://user:s3cret-pw@127.0.0.1:{free_port()}/0")
    caplog.set_level(logging.WARNING, LOGGER)
    store.save(token("tok-secret-value"))
    assert "s3cret" not in repr(store)
    assert "s3cret" not in caplog.text and "tok-secret-value" not in caplog.text


def test_a_malformed_url_is_a_config_error_without_the_password() -> None:
    with pytest.raises(K2ConfigError) as caught:
        RedisTokenStore.from_url("http://user:s3cret-pw@host/0")
    assert "s3cret" not in str(caught.value)


def test_without_the_redis_package_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(K2ConfigError, match=r"k2connect-sdk\[redis\]"):
        RedisTokenStore(object())


def test_it_is_a_token_store(redis_url: str) -> None:
    from k2connect_ext import TokenStore

    assert isinstance(RedisTokenStore.from_url(redis_url), TokenStore)


def test_something_else_than_a_redis_client_is_a_config_error() -> None:
    with pytest.raises(K2ConfigError, match=r"redis\.Redis client"):
        RedisTokenStore("redis://127.0.0.1:6379/0")  # a URL belongs in from_url


# ----------------------------------------------------------------------------------------------------
# RedisTokenStore and RedisDeduplicator: settings refused at construction, and the store while Redis is
# marked down (within ``retry_after`` of a failure) or dies while the fetch lock is held.
#
# Only the last test needs a running redis-server; the others talk to a port where nothing listens.


class CountingRedis(redis.Redis):
    """A real client that records each command it sends (scripts arrive as EVALSHA)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.commands: list[str] = []

    def execute_command(self, *args: Any, **options: Any) -> Any:
        self.commands.append(str(args[0]))
        send: Callable[..., Any] = super().execute_command  # redis-py leaves it unannotated
        return send(*args, **options)


def dead_client() -> CountingRedis:
    """A client for a port where nothing listens, failing at once (no retries)."""
    return CountingRedis(host="127.0.0.1", port=free_port(), retry=Retry(NoBackoff(), 0))


def test_an_empty_token_key_is_a_config_error() -> None:
    """Every store shares one key; an empty one (an unset setting) is refused at start-up."""
    with pytest.raises(K2ConfigError, match="non-empty key"):
        RedisTokenStore(dead_client(), key="")


@pytest.mark.parametrize(
    "bad",
    [{"lock_ttl": 0}, {"lock_ttl": math.nan}, {"poll_interval": 0}, {"retry_after": -1}],
    ids=["lock_ttl=0", "lock_ttl=nan", "poll_interval=0", "retry_after<0"],
)
def test_lock_and_outage_settings_out_of_range_are_config_errors(bad: dict[str, Any]) -> None:
    """A lock that never expires, a busy poll or a negative outage window are refused at start-up."""
    with pytest.raises(K2ConfigError, match="must be positive"):
        RedisTokenStore(dead_client(), **bad)


@pytest.mark.parametrize("retention", [0, -1.0, math.nan])
def test_a_dedup_retention_that_is_not_positive_is_a_config_error(retention: float) -> None:
    """Redis must forget old ids by itself: a retention of zero, below or NaN is refused at start-up."""
    with pytest.raises(K2ConfigError, match="retention_seconds must be positive"):
        RedisDeduplicator(dead_client(), retention_seconds=retention)


def test_while_redis_is_marked_down_save_clear_and_lock_stay_in_this_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """After a failure, and until ``retry_after`` has passed, the store does not ask Redis at all: the
    token is saved, read and cleared in this process, and the lock is this process's only."""
    now = [0.0]
    client = dead_client()
    store = RedisTokenStore(client, retry_after=5, clock=lambda: now[0])
    caplog.set_level(logging.WARNING, LOGGER)
    assert store.load() is None  # Redis does not answer: marked down for 5 s
    store.save(token("local"))
    assert (found := store.load()) is not None and found.value == "local"
    with store.lock():
        pass
    store.clear(expected=token("local"))
    assert store.load() is None
    assert client.commands == ["HGET"]
    assert len([r for r in caplog.records if r.name == LOGGER]) == 1


def test_redis_dying_while_the_lock_is_held_lets_the_holder_carry_on(
    redis_server: RedisServer, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Redis goes away while this process holds the fetch lock: leaving the lock does not raise (the Redis
    lock expires by itself after ``lock_ttl``), the outage is logged once, and the next load is served from
    this process while Redis is down."""
    now = [0.0]
    client = redis.Redis.from_url(redis_url, socket_timeout=1, retry=Retry(NoBackoff(), 0))
    store = RedisTokenStore(client, retry_after=5, clock=lambda: now[0])
    caplog.set_level(logging.WARNING, LOGGER)
    try:
        with store.lock():
            redis_server.stop()
            store.save(token("fetched-during-the-outage"))
        assert (found := store.load()) is not None and found.value == "fetched-during-the-outage"
    finally:
        redis_server.start()
    warnings = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert len(warnings) == 1 and "unavailable" in warnings[0]
