"""The FastAPI example shop behind 4 uvicorn workers, de-duplicating through a real PostgreSQL or Redis.

The sandbox is subscribed five times to ``buygoods_transaction_received`` at the shop, so each payment's
webhook is delivered five times at once (same event id, five concurrent POSTs), and the sandbox redelivers
every delivery that is not answered 2xx, as K2 does. The copies that arrive while one of them is being
handled are answered 503 (retry later), never 200 before the event is processed. The shop's handler fails
the first attempt of one event in five (``flaky_shop.py``). In the end every event the sandbox emitted
(``/sandbox/events``) must have been processed exactly once, none twice, none lost, and be marked done in
the store (no claim left in flight).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Final

import httpx
import psycopg
import pytest
import redis

from k2connect_ext import K2
from k2connect_sandbox.server import RunningSandbox
from tests.multi.conftest import ARTIFACTS, REPO
from tests.servers import free_port

WORKERS = 4
EVENTS = 40
COPIES = 5
TOPIC: Final = "buygoods_transaction_received"
DEADLINE = 90.0


def _serve_shop(
    sandbox: RunningSandbox, dedup_url: str, redis_url: str, tmp_path: Path
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "K2_BASE_URL": sandbox.base_url,
        "K2_CLIENT_ID": sandbox.client_id,
        "K2_CLIENT_SECRET": sandbox.client_secret,
        "K2_API_KEY": sandbox.api_key,
        "PUBLIC_URL": url,
        "DATABASE": str(tmp_path / "shop.sqlite3"),
        "DEDUP_URL": dedup_url,
        "TOKEN_STORE_URL": redis_url,
        "FLAKY_DIR": str(tmp_path),
    }
    args = [sys.executable, "-m", "uvicorn", "tests.multi.flaky_shop:create", "--factory"]
    args += ["--workers", str(WORKERS), "--host", "127.0.0.1", "--port", str(port)]
    args += ["--log-level", "warning", "--no-access-log"]
    log = (tmp_path / "uvicorn.log").open("wb")
    proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + DEADLINE
    while True:
        try:
            if httpx.get(f"{url}/events", timeout=2).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError((tmp_path / "uvicorn.log").read_text(errors="replace")[-3000:])
        time.sleep(0.1)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # the master stops its workers
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _settled(sandbox: RunningSandbox, event_ids: set[str]) -> list[dict[str, object]]:
    """Wait until every (event, subscription) delivery ended 2xx; return every attempt."""
    deadline = time.monotonic() + DEADLINE
    while True:
        attempts = sandbox.deliveries(kind="webhook")
        delivered = {(a["event_id"], a["subscription_id"]) for a in attempts if a["delivered"]}
        if len(delivered) == len(event_ids) * COPIES:
            return attempts
        # An attempt that failed in transit (status None) is retried by the sandbox, like any non-2xx.
        if time.monotonic() > deadline:
            failed = [a for a in attempts if not a["delivered"]][-3:]
            raise AssertionError(f"{len(delivered)} of {len(event_ids) * COPIES} deliveries done; {failed}")
        time.sleep(0.2)


def _claims_in_store(kind: str, url: str) -> Counter[str]:
    """How many claims the store holds, by state: "done", or "in flight"."""
    if kind == "postgres":
        with psycopg.connect(url) as conn:
            rows = conn.execute("SELECT lease_owner IS NULL FROM k2_webhook_events").fetchall()
            return Counter("done" if done else "in flight" for (done,) in rows)
    with redis.Redis.from_url(url) as client:
        return Counter(
            "done" if client.get(key) == b"done" else "in flight"
            for key in client.scan_iter(match="k2connect:event:*")
        )


@pytest.mark.parametrize("kind", ["postgres", "redis"])
def test_every_event_is_processed_exactly_once_by_four_workers(
    kind: str, request: pytest.FixtureRequest, sandbox: RunningSandbox, redis_url: str, tmp_path: Path
) -> None:
    dedup_url = request.getfixturevalue("postgres_url") if kind == "postgres" else redis_url
    started = time.monotonic()
    proc, shop = _serve_shop(sandbox, dedup_url, redis_url, tmp_path)
    serving = time.monotonic()
    try:
        with K2(sandbox.client_id, sandbox.client_secret, base_url=sandbox.base_url) as k2:
            for _ in range(COPIES):
                k2.subscribe_webhook(TOPIC, f"{shop}/k2/webhooks", scope="company")
        for n in range(EVENTS):
            response = sandbox.control(
                "POST", f"/sandbox/simulate/{TOPIC}", json={"till_number": "000000", "amount": str(10 + n)}
            )
            assert response.status_code == 200, response.text
        emitted = {
            e["id"] for e in sandbox.control("GET", "/sandbox/events").json()["events"] if e["topic"] == TOPIC
        }
        attempts = _settled(sandbox, emitted)
        settled = time.monotonic()
    finally:
        _stop(proc)
    stopped = time.monotonic()

    processed = Counter(line.split()[1] for line in (tmp_path / "processed.log").read_text().splitlines())
    workers = {line.split()[0] for line in (tmp_path / "processed.log").read_text().splitlines()}
    injected = len(list(tmp_path.glob("attempted-*")))
    with sqlite3.connect(tmp_path / "shop.sqlite3") as db:
        rows = db.execute("SELECT count(*) FROM events WHERE topic = ?", (TOPIC,)).fetchone()[0]
    statuses = Counter(str(a["status_code"]) for a in attempts)
    counts = {
        "store": kind,
        "workers": WORKERS,
        "events_emitted": len(emitted),
        "deliveries": len(attempts),
        "answers": dict(statuses),
        "first_attempts_failed": sum(1 for _ in tmp_path.glob("attempted-*")),
        "processed": sum(processed.values()),
        "processed_more_than_once": sum(1 for n in processed.values() if n > 1),
        "lost": len(emitted - set(processed)),
        "event_rows": rows,
        "claims_in_store": dict(_claims_in_store(kind, dedup_url)),
        "worker_processes_that_processed": len(workers),
        "seconds": {  # for the record only: nothing is asserted on time
            "start_4_workers": round(serving - started, 1),
            "deliver_all": round(settled - serving, 1),
            "stop": round(stopped - settled, 1),
        },
    }
    (ARTIFACTS / "multi").mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "multi" / f"webhooks-{kind}.json").write_text(json.dumps(counts, indent=2) + "\n")
    print(f"\nwebhooks ({kind}): {counts}")

    assert len(emitted) == EVENTS
    assert injected > 0 and statuses["500"] >= injected  # the failures happened, and were answered 500
    assert set(processed) == emitted  # none lost
    assert max(processed.values()) == 1  # none twice
    assert rows == EVENTS
    assert counts["claims_in_store"] == {"done": EVENTS}
