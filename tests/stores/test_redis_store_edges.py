"""RedisTokenStore and RedisDeduplicator: settings refused at construction, and the store while Redis is
marked down (within ``retry_after`` of a failure) or dies while the fetch lock is held.

Only the last test needs a running redis-server; the others talk to a port where nothing listens.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Any

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from k2connect_ext._exceptions import K2ConfigError
from k2connect_ext._redis_token_store import RedisTokenStore
from k2connect_ext._token_stores import AccessToken
from k2connect_ext.webhooks._dedup_redis import RedisDeduplicator
from tests.servers import RedisServer, free_port

LOGGER = "k2connect.tokens.redis"


def token(value: str) -> AccessToken:
    now = time.time()
    return AccessToken(value=value, expires_at=now + 3600, obtained_at=now)


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
