"""One K2 token for many processes through a real Redis: single flight, a holder killed mid-fetch, Redis down.

Every worker is a separate Python process (``tests/multi/token_worker.py``), as on separate machines; the
sandbox counts the token requests.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis

from k2connect_ext import K2
from k2connect_ext._redis_token_store import RedisTokenStore
from k2connect_sandbox.server import RunningSandbox
from tests.multi.conftest import ARTIFACTS, REPO, tokens_issued
from tests.servers import RedisServer

PROCESSES = 4
THREADS = 50
DEADLINE = 60.0


def _worker(
    mode: str, redis_url: str, sandbox: RunningSandbox | None, ready: Path, go: Path | None, **kw: object
) -> subprocess.Popen[str]:
    args = [
        sys.executable,
        "-m",
        "tests.multi.token_worker",
        mode,
        "--redis",
        redis_url,
        "--ready",
        str(ready),
    ]
    if sandbox is not None:
        args += ["--base-url", sandbox.base_url, "--client-id", sandbox.client_id]
        args += ["--client-secret", sandbox.client_secret]
    if go is not None:
        args += ["--go", str(go)]
    for name, value in kw.items():
        args += [f"--{name.replace('_', '-')}", str(value)]
    return subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_files(paths: list[Path], procs: list[subprocess.Popen[str]]) -> None:
    deadline = time.monotonic() + DEADLINE
    while not all(p.exists() for p in paths):
        for proc in procs:
            if proc.poll() is not None:
                raise AssertionError(f"a worker exited early: {proc.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError("workers did not get ready")
        time.sleep(0.02)


def _run_calls(
    redis_url: str, sandbox: RunningSandbox, tmp_path: Path
) -> list[tuple[dict[str, object], str]]:
    go = tmp_path / "go"
    readies = [tmp_path / f"ready-{n}" for n in range(PROCESSES)]
    procs = [_worker("calls", redis_url, sandbox, ready, go, threads=THREADS) for ready in readies]
    try:
        _wait_for_files(readies, procs)
        go.touch()  # all 4 x 50 threads start together
        outputs = [proc.communicate(timeout=DEADLINE) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    return [(json.loads(out), err) for out, err in outputs]


def _record(name: str, counts: dict[str, object]) -> None:
    (ARTIFACTS / "multi").mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "multi" / f"{name}.json").write_text(json.dumps(counts, indent=2) + "\n")
    print(f"\n{name}: {counts}")


def test_four_processes_of_fifty_threads_make_one_token_request(
    redis_url: str, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    results = _run_calls(redis_url, sandbox, tmp_path)
    calls_ok = sum(int(r["ok"]) for r, _ in results)  # type: ignore[call-overload]
    tokens = {t for r, _ in results for t in r["tokens"]}  # type: ignore[attr-defined]
    issued = tokens_issued(sandbox)
    _record(
        "tokens-4x50",
        {
            "processes": PROCESSES,
            "threads_each": THREADS,
            "calls_ok": calls_ok,
            "token_requests": issued,
            "distinct_tokens_used": len(tokens),
        },
    )
    assert [r["errors"] for r, _ in results] == [[]] * PROCESSES
    assert calls_ok == PROCESSES * THREADS
    assert issued == 1
    assert len(tokens) == 1


def test_a_lock_holder_killed_mid_fetch_is_replaced_after_the_lock_ttl(
    redis_url: str, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """The holder takes the lock, starts fetching and is killed (SIGKILL: no finally, no release). The next
    worker takes the lock once its TTL has run out (a real acquisition, fence 2) and gets a token."""
    fetching = tmp_path / "fetching"
    holder = _worker("hang", redis_url, None, fetching, None, lock_ttl=2)
    try:
        _wait_for_files([fetching], [holder])
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    client = redis.Redis.from_url(redis_url)
    assert client.exists("k2connect:{token}:lock") == 1  # the dead holder's lock is still there
    store = RedisTokenStore.from_url(redis_url, lock_ttl=5, lock_wait=60)
    with K2(sandbox.client_id, sandbox.client_secret, base_url=sandbox.base_url, token_store=store) as k2:
        k2.token_info()
    assert tokens_issued(sandbox) == 1
    assert int(client.get("k2connect:{token}:fence") or 0) == 2  # the survivor took the lock: fence 2
    assert int(client.hget("k2connect:{token}", "fence") or 0) == 2  # and saved under it
    assert client.exists("k2connect:{token}:lock") == 0


def test_with_redis_stopped_every_call_still_succeeds(
    redis_server: RedisServer, redis_url: str, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """Redis is down for the whole run: each process falls back to its own token, with one warning."""
    redis_server.stop()
    try:
        results = _run_calls(redis_url, sandbox, tmp_path)
    finally:
        redis_server.start()
    calls_ok = sum(int(r["ok"]) for r, _ in results)  # type: ignore[call-overload]
    issued = tokens_issued(sandbox)
    _record(
        "tokens-redis-down",
        {"processes": PROCESSES, "threads_each": THREADS, "calls_ok": calls_ok, "token_requests": issued},
    )
    assert calls_ok == PROCESSES * THREADS
    assert issued == PROCESSES  # one per process: shared within a process, not across
    for _, err in results:
        assert err.count("Redis is unavailable") == 1, err
