"""Issue 19, the proof: payout intents survive SIGKILL, and many workers share one batch.

A worker process (``tests/multi/intents_worker.py run``) sends ``crash/<n>`` payouts against the loopback
sandbox with an SQLite ledger file, while a separate receiver process (the Starlette adapter with ``ledger=``)
settles their callbacks. The test SIGKILLs the worker again and again: at chosen points (``K2_CRASH_AT``: just
recorded, just ``sending``, mid-POST while the sandbox holds its answer, answered but not stored) and after
random delays, with sandbox faults that process and then fail (``after_processing``: a 500, a cut
connection) mixed in, and restarts it each time (reconcile, then the same batch again). Every tenth round
the receiver is killed too, while settling a callback (just before or just after the intent's move). At the
end it reconciles until nothing moves, and the sandbox's own store of what it processed is the judge: no
payout processed twice, no intent lost, and an ``unresolved`` intent only where the sandbox never processed
the payout. (The receiver's deduplicator leases a claim for a second, its handler's longest run, so a
callback cut by a receiver kill is settled by a redelivery once a new receiver is up.)

``K2_CRASH_FULL=1`` runs the full size (1,000 payouts, 100 kills) for ``make reliability``.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from k2connect_ext import K2, Intent, IntentState, SQLiteLedger, open_ledger
from k2connect_ext._intent_tag import TAG_KEY
from k2connect_sandbox.server import RunningSandbox
from k2connect_sandbox.tables import SEND_MONEY
from tests.multi.intents_worker import CRASH_ENV, RECEIVER_PATH

pytestmark = pytest.mark.sandbox

S = IntentState
REPO = Path(__file__).resolve().parents[2]
FULL = os.environ.get("K2_CRASH_FULL") == "1"
PAYOUTS = 1000 if FULL else 100
KILLS = 100 if FULL else 50
HANG_GUARD = 120.0  # only so that a broken build fails instead of hanging; nothing is asserted on time
TERMINAL = {S.SUCCEEDED, S.FAILED, S.REFUSED}
SEND_MONEY_OP = "v2_create_send_money"


def start(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.multi.intents_worker", *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def ready_line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("ready"), (line, process.stderr.read() if process.stderr else "")
    return line


def worker_args(sandbox: RunningSandbox, ledger: str, callback_url: str, count: int) -> list[str]:
    config = sandbox.app.sandbox.config
    return [
        "run",
        "--ledger",
        ledger,
        "--base-url",
        sandbox.base_url,
        "--client-id",
        config.client_id,
        "--client-secret",
        config.client_secret,
        "--callback-url",
        callback_url,
        "--count",
        str(count),
    ]


class Receiver:
    """The shop's receiver, a separate process settling intents in ``ledger``, on one port across restarts."""

    def __init__(self, sandbox: RunningSandbox, ledger: str, tmp_path: Path) -> None:
        api_key = sandbox.app.sandbox.config.api_key
        self.args = ["receive", "--ledger", ledger, "--api-key", api_key, "--seen", str(tmp_path / "seen.db")]
        self.port = 0
        self.process: subprocess.Popen[str] | None = None
        self.kills: Counter[str] = Counter()
        self.armed: str | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{RECEIVER_PATH}"

    def start(self, crash_at: str | None = None) -> None:
        env = {} if crash_at is None else {CRASH_ENV: crash_at}
        self.process = start([*self.args, "--port", str(self.port)], env)
        self.port = int(ready_line(self.process).split()[1])

    def alive(self) -> None:
        """Restart the receiver if it killed itself (counted by where)."""
        if self.process is not None and self.process.poll() is not None:
            self.process.communicate()
            if self.armed is not None and self.process.returncode == -signal.SIGKILL:
                self.kills[self.armed] += 1
            self.armed = None
            self.start()

    def crash_next(self, point: str) -> None:
        """Replace the receiver by one that kills itself at ``point`` of its next callback."""
        self.stop()
        self.start(f"{point}:1")
        self.armed = point

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.communicate(timeout=HANG_GUARD)


@contextmanager
def receiving(sandbox: RunningSandbox, ledger: str, tmp_path: Path) -> Iterator[Receiver]:
    receiver = Receiver(sandbox, ledger, tmp_path)
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()


def arm(sandbox: RunningSandbox, **fault: Any) -> None:
    with httpx.Client(base_url=sandbox.base_url, trust_env=False) as control:
        response = control.post("/sandbox/faults", json={"operation_id": SEND_MONEY_OP, **fault})
        assert response.status_code in (200, 201), response.text


def processed(sandbox: RunningSandbox) -> list[dict[str, Any]]:
    """What the sandbox accepted: one record per payout it processed, with the request it received."""
    return sandbox.app.sandbox.store.values(SEND_MONEY)


def tag_of(record: dict[str, Any]) -> str:
    return str(record["request"]["metadata"][TAG_KEY])


def drained(sandbox: RunningSandbox) -> None:
    """Wait until the sandbox has no callback left to deliver (it retries one the receiver missed)."""
    deadline = time.monotonic() + HANG_GUARD
    while sandbox.app.sandbox.deliveries.pending():
        assert time.monotonic() < deadline, "callbacks were never delivered"
        time.sleep(0.05)


def one_kill(sandbox: RunningSandbox, args: list[str], rng: random.Random, n: int) -> tuple[int, str]:
    """Start the worker once, kill it at a point or after a delay; its return code and how it was killed."""
    if n % 5 == 4:  # K2 processes the payout, then answers 500 or cuts the connection
        arm(sandbox, kind=rng.choice(["status_500", "drop"]), after_processing=True, count=1)
    how = ["recorded", "sending", "midpost", "answered", "random", "random"][n % 6]
    env: dict[str, str] = {}
    if how == "midpost":
        arm(sandbox, kind="slow", delay=0.5, after_processing=True, count=1)
    if how != "random":
        env[CRASH_ENV] = f"{how}:{rng.randint(1, 2)}"
    process = start(args, env)
    ready_line(process)
    if how == "random":
        time.sleep(rng.uniform(0.0, 0.06))
        process.send_signal(signal.SIGKILL)
    process.communicate(timeout=HANG_GUARD)
    return process.returncode, how


def test_payout_intents_survive_sigkill(sandbox: RunningSandbox, tmp_path: Path) -> None:
    ledger_url = f"sqlite:///{tmp_path}/payouts.db"
    with receiving(sandbox, ledger_url, tmp_path) as receiver:
        kills = crash_repeatedly(sandbox, ledger_url, receiver)
    judge(sandbox, tmp_path, kills + receiver.kills)


def crash_repeatedly(sandbox: RunningSandbox, ledger_url: str, receiver: Receiver) -> Counter[str]:
    """Kill the worker KILLS times (and the receiver now and then, while it settles a callback), then let
    the worker finish the batch and the callbacks arrive; the worker's kills."""
    args = [*worker_args(sandbox, ledger_url, receiver.url, PAYOUTS), "--pace", "0.05"]
    rng = random.Random(19)
    kills: Counter[str] = Counter()
    for n in range(KILLS * 3):
        if sum(kills.values()) >= KILLS:
            break
        receiver.alive()
        if n % 10 == 9:
            receiver.crash_next(rng.choice(["settling", "settled"]))
        code, how = one_kill(sandbox, args, rng, n)
        if code == -signal.SIGKILL:
            kills[how] += 1
    with httpx.Client(base_url=sandbox.base_url, trust_env=False) as control:
        control.delete("/sandbox/faults")
    receiver.alive()
    final = start(args)
    _, err = final.communicate(timeout=HANG_GUARD)
    assert final.returncode == 0, err
    drained(sandbox)
    receiver.alive()
    drained(sandbox)
    return kills


def judge(sandbox: RunningSandbox, tmp_path: Path, kills: Counter[str]) -> None:

    config = sandbox.app.sandbox.config
    ledger = SQLiteLedger(tmp_path / "payouts.db")
    with K2(config.client_id, config.client_secret, base_url=sandbox.base_url, ledger=ledger) as k2:
        for _ in range(10):  # until nothing moves: sending -> ambiguous -> unresolved past a 0 s horizon
            if not k2.intents.reconcile(horizon=0, sending_grace=0).moves:
                break
        intents = {i.key: i for i in list_all(ledger)}
    ledger.close()

    records = processed(sandbox)
    by_tag = Counter(tag_of(r) for r in records)
    duplicates = {tag: count for tag, count in by_tag.items() if count > 1}
    lost = [f"crash/{n}" for n in range(PAYOUTS) if f"crash/{n}" not in intents]
    unsettled = {k: i.state for k, i in intents.items() if i.state not in TERMINAL | {S.UNRESOLVED}}
    unresolved = [i for i in intents.values() if i.state is S.UNRESOLVED]
    processed_unresolved = [i for i in unresolved if i.id in by_tag]
    print(
        f"\ncrash test: {sum(kills.values())} kills {dict(kills)}, {PAYOUTS} payouts, "
        f"{len(records)} processed, duplicates {len(duplicates)}, lost {len(lost)}, "
        f"states {dict(Counter(i.state.value for i in intents.values()))}, unresolved {len(unresolved)} "
        f"({len(processed_unresolved)} processed by the sandbox)"
    )
    assert sum(kills[how] for how in kills if not how.startswith("settl")) >= KILLS
    assert kills["settling"] + kills["settled"] >= KILLS // 10
    assert duplicates == {}
    assert lost == [] and unsettled == {}
    assert all(i.last_error for i in unresolved)
    assert [i.key for i in processed_unresolved] == [], "unresolved, yet the sandbox processed it"
    succeeded = {i.id for i in intents.values() if i.state is S.SUCCEEDED}
    assert succeeded <= set(by_tag)


def list_all(ledger: SQLiteLedger) -> list[Intent]:
    found: list[Intent] = []
    while page := ledger.list(limit=500, after=found[-1] if found else None):
        found.extend(page)
    return found


def test_four_workers_share_one_postgres_ledger_and_batch(
    sandbox: RunningSandbox, postgres_url: str, tmp_path: Path
) -> None:
    """Four worker processes run the same rows at once on one PostgreSQL ledger (four machines, one CSV):
    the sandbox processes every row exactly once."""
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS k2connect_intents, k2connect_ledger_meta")
    count = 200 if FULL else 60
    with receiving(sandbox, postgres_url, tmp_path) as receiver:
        args = [
            *worker_args(sandbox, postgres_url, receiver.url, count),
            "--no-reconcile",
            "--concurrency",
            "3",
        ]
        workers = [start(args) for _ in range(4)]
        for worker in workers:
            _, err = worker.communicate(timeout=HANG_GUARD)
            assert worker.returncode == 0, err
    by_tag = Counter(tag_of(r) for r in processed(sandbox))
    ledger = open_ledger(postgres_url)
    try:
        intents = {i.key: i for i in ledger.list(limit=1000)}
    finally:
        ledger.close()
    assert sorted(intents) == sorted(f"crash/{n}" for n in range(count))
    assert set(by_tag.values()) == {1}
    assert set(by_tag) == {i.id for i in intents.values()}
    assert {i.state for i in intents.values()} <= {S.SENT, S.SUCCEEDED}
