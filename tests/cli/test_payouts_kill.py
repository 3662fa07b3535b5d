"""``k2connect payouts run`` SIGKILLed mid-batch, then run again: no payout is processed twice by the
sandbox, and every row ends with an intent."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from k2connect_ext import IntentState, open_ledger
from k2connect_sandbox.testing import RunningSandbox

from .conftest import CALLBACK, Invoke, assert_clean
from .test_payouts import _csv, _ledger, _posts

ROWS = 8
TAG = "k2connect_intent"


def _processed_per_intent(sandbox: RunningSandbox) -> Counter[str]:
    """How many times the sandbox processed a send-money of each intent (by the tag in its metadata)."""
    return Counter(
        str((record["request"].get("metadata") or {}).get(TAG))
        for record in sandbox.app.sandbox.store.values("send_money")
    )


def test_killed_run_then_rerun_sends_nothing_twice(
    k2: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """A run SIGKILLed after a few payouts, then the same command again: every row has an intent, each
    sent or succeeded one was processed exactly once, and one caught in flight stays unsettled."""
    rows = "".join(f"kill-{n},07123456{n:02d},10,Wages\n" for n in range(ROWS))
    path = _csv(tmp_path, "key,phone_number,amount,description\n" + rows)
    fault = {"operation_id": "v2_create_send_money", "kind": "slow", "delay": 0.2, "count": 100}
    assert k2_sandbox.control("POST", "/sandbox/faults", fault).status_code == 201
    env = {
        **os.environ,
        "K2_BASE_URL": k2_sandbox.base_url,
        "K2_CLIENT_ID": k2_sandbox.client_id,
        "K2_CLIENT_SECRET": k2_sandbox.client_secret,
        "K2_LEDGER": _ledger(tmp_path),
        "K2_CALLBACK_URL": CALLBACK,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "k2connect_cli", "payouts", "run", path, "--concurrency", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while _posts(k2_sandbox) < 3 and worker.poll() is None:
            time.sleep(0.01)
    finally:
        worker.kill()
        worker.wait()
    assert worker.returncode == -9, "the run ended before it could be killed"
    assert k2_sandbox.control("DELETE", "/sandbox/faults").status_code in (200, 204)

    again = k2("payouts", "run", path, "--callback-url", CALLBACK, "--ledger", _ledger(tmp_path))
    # 0, or 6 when the kill caught a payout in flight: it stays unsettled, never resent
    assert again.exit_code in (0, 6), (again.stdout, again.stderr)
    assert_clean(again, again.exit_code, k2_sandbox)

    processed = _processed_per_intent(k2_sandbox)
    assert "None" not in processed, processed
    assert max(processed.values()) == 1, processed
    store = open_ledger(_ledger(tmp_path))
    try:
        intents = {intent.key: intent for intent in store.list(None)}
    finally:
        store.close()
    assert len(intents) == ROWS
    for intent in intents.values():
        if intent.state in (IntentState.SENT, IntentState.SUCCEEDED):
            assert processed[intent.id] == 1, intent
        else:
            assert intent.state is IntentState.SENDING, intent
            assert again.exit_code == 6
