"""The many-machines recipe's scripts (examples/many_machines) against the real servers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import psycopg

from k2connect_ext._redis_token_store import RedisTokenStore
from k2connect_ext._token_stores import AccessToken
from k2connect_ext.webhooks._dedup_postgres import PostgresDeduplicator
from tests.multi.conftest import REPO
from tests.servers import free_port


def _run(module: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", f"examples.many_machines.{module}"],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_watch_reports_the_shared_token_and_the_claimed_events(redis_url: str, postgres_url: str) -> None:
    store = RedisTokenStore.from_url(redis_url)
    with store.lock():
        now = time.time()
        store.save(AccessToken(value="watched-token", expires_at=now + 600, obtained_at=now))
    with PostgresDeduplicator(postgres_url) as dedup:
        dedup.claim("a")
        dedup.claim("b")
    done = _run("watch", TOKEN_STORE_URL=redis_url, DEDUP_URL=postgres_url)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert 0 < report["token"]["ttl_seconds"] <= 600
    assert report["token"]["fetches"] == 1 and report["token"]["lock_held"] is False
    assert report["events"]["claimed"] == 2 and report["events"]["store"] == "postgres"
    assert "watched-token" not in done.stdout


def test_watch_fails_without_quoting_the_password_when_a_store_is_down() -> None:
    done = _run("watch", DEDUP_URL=f"postgresql://k2:s3cret-pw@127.0.0.1:{free_port()}/shop")
    assert done.returncode == 1
    assert json.loads(done.stdout)["events"] == {"error": "OperationalError"}
    assert "s3cret" not in done.stdout + done.stderr


def test_purge_events_deletes_ids_older_than_the_retention(postgres_url: str) -> None:
    with PostgresDeduplicator(postgres_url) as dedup:
        dedup.claim("old")
        dedup.claim("new")
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE k2_webhook_events SET claimed_at = now() - interval '2 days' WHERE event_id = 'old'"
        )
    done = _run("purge_events", DEDUP_URL=postgres_url, EVENT_RETENTION_SECONDS="86400")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("purged 1 ")
    with PostgresDeduplicator(postgres_url) as dedup:
        assert dedup.contains("new") and not dedup.contains("old")
