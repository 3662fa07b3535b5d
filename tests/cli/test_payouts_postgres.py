"""``k2connect payouts run`` and ``intents list`` with the ledger in PostgreSQL (the real server)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from k2connect_sandbox.testing import RunningSandbox

from .conftest import CALLBACK, Invoke, assert_clean
from .test_payouts import _csv, _posts


def test_postgres_ledger_run_twice_sends_once(
    k2: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path, postgres_url: str
) -> None:
    """With ``--ledger postgresql://...`` a run, then the same run again, sends each row once, and
    ``intents list`` reads the rows back from the same ledger."""
    prefix = f"pg-{uuid.uuid4().hex}"
    rows = "".join(f"{prefix}-{n},07123456{n:02d},10,Wages\n" for n in range(3))
    path = _csv(tmp_path, "key,phone_number,amount,description\n" + rows)
    args = ("payouts", "run", path, "--callback-url", CALLBACK, "--ledger", postgres_url)
    assert_clean(k2(*args), 0, k2_sandbox)
    assert_clean(k2(*args), 0, k2_sandbox)
    assert _posts(k2_sandbox) == 3
    listed = k2("--json", "intents", "list", "--ledger", postgres_url, "--limit", "100000")
    assert_clean(listed, 0, k2_sandbox)
    keys = [intent["key"] for intent in json.loads(listed.stdout)["intents"]]
    assert [key for key in keys if key.startswith(prefix)] == [f"{prefix}-{n}" for n in range(3)]
