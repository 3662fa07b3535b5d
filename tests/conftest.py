"""Fixtures shared by every test folder: the real Redis and PostgreSQL servers (see tests/servers.py), and
a fresh FakeClock (tests/fakes.py also has FakeK2, a tiny K2 for httpx.MockTransport).

One server of each kind per session, started only when a test asks for it, and shared by the store tests
and the many-process tests. A test may stop a server to see what happens when it is down; the per-test
fixtures start it again.

Tests that need a fake with a script or a start time of their own build it from tests.fakes directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes import FakeClock
from tests.servers import PostgresServer, RedisServer


@pytest.fixture
def fake_clock() -> FakeClock:
    """A clock at 1000.0 s that moves only by its own sleeps (``sleep``, ``asleep``) or by setting ``now``."""
    return FakeClock()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(Path(tmp_path_factory.mktemp("redis")))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's Redis, running and empty."""
    import redis

    if redis_server.process is None:
        redis_server.start()
    with redis.Redis.from_url(redis_server.url) as client:
        client.flushall()
    return redis_server.url


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """The session's PostgreSQL, running, without the deduplicator's table."""
    import psycopg

    if postgres_server.process is None:
        postgres_server.start()
    with psycopg.connect(postgres_server.url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS k2_webhook_events")
    return postgres_server.url
