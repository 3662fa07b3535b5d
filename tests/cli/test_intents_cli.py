"""``k2connect intents list/show/resolve/reconcile`` on a ledger filled by ``payouts run`` against the
sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from k2connect_cli.exit_codes import ExitCode
from k2connect_sandbox.testing import RunningSandbox

from .conftest import CALLBACK, Invoke, assert_clean, parse_lines
from .test_payouts import GOOD, _csv, _ledger, _posts

ONE = "key,phone_number,amount,description\nonly,0712345678,100,Wages\n"


def _pay(k2: Invoke, tmp_path: Path, text: str) -> int:
    path = _csv(tmp_path, text)
    result = k2("payouts", "run", path, "--callback-url", CALLBACK, "--ledger", _ledger(tmp_path))
    return result.exit_code


def _ambiguous(k2: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path) -> None:
    """One payout K2 processed and answered 500 to, made unresolved by a reconcile with no horizon."""
    fault = {"operation_id": "v2_create_send_money", "kind": "status_500", "after_processing": True}
    assert k2_sandbox.control("POST", "/sandbox/faults", fault).status_code == 201
    assert _pay(k2, tmp_path, ONE) == ExitCode.AMBIGUOUS


def test_list_shows_a_table(k2: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path) -> None:
    """``intents list`` shows key, state, operation, amount, reference and update time of each intent."""
    assert _pay(k2, tmp_path, GOOD) == 0
    result = k2("intents", "list", "--ledger", _ledger(tmp_path))
    assert_clean(result, 0, k2_sandbox)
    assert parse_lines(result.stdout)["intents"] == "3"
    header = next(line for line in result.stdout.splitlines() if line.startswith("key"))
    assert header.split() == ["key", "state", "operation", "amount", "reference", "updated"]
    row = next(line for line in result.stdout.splitlines() if line.startswith("pay-2 "))
    assert "send_money" in row
    assert "200.50" in row


def test_list_by_state_json(k2: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path) -> None:
    """``--state`` filters (repeatable); ``--json`` gives every intent's document."""
    assert _pay(k2, tmp_path, GOOD) == 0
    result = k2("--json", "intents", "list", "--ledger", _ledger(tmp_path), "--state", "refused")
    assert_clean(result, 0, k2_sandbox)
    assert json.loads(result.stdout) == {"intents": []}
    result = k2(
        "--json", "intents", "list", "--ledger", _ledger(tmp_path), "--state", "sent", "--state", "succeeded"
    )
    keys = [intent["key"] for intent in json.loads(result.stdout)["intents"]]
    assert keys == ["pay-1", "pay-2", "pay-3"]


def test_show(k2: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path) -> None:
    """``intents show KEY`` prints what is recorded: state, amount, Location, request."""
    assert _pay(k2, tmp_path, GOOD) == 0
    result = k2("intents", "show", "pay-1", "--ledger", _ledger(tmp_path))
    assert_clean(result, 0, k2_sandbox)
    lines = parse_lines(result.stdout)
    assert lines["key"] == "pay-1"
    assert lines["operation"] == "send_money"
    assert lines["amount"] == "100"
    assert lines["location"].startswith(k2_sandbox.base_url)
    assert lines["state"] in ("sent", "succeeded")


def test_show_says_the_reason_once(k2: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path) -> None:
    """An ambiguous intent's last error is shown once, not again as its reason (the JSON keeps both)."""
    _ambiguous(k2, k2_sandbox, tmp_path)
    result = k2("intents", "show", "only", "--ledger", _ledger(tmp_path))
    assert_clean(result, 0, k2_sandbox)
    assert "last_error" in parse_lines(result.stdout)
    assert result.stdout.count("K2AmbiguousOutcomeError") == 1
    shown = json.loads(k2("--json", "intents", "show", "only", "--ledger", _ledger(tmp_path)).stdout)
    assert shown["reason"] == shown["last_error"]


def test_show_unknown_key_exit_2(k2: Invoke, tmp_path: Path) -> None:
    """A key with no intent is a usage error naming it."""
    result = k2("intents", "show", "nope", "--ledger", _ledger(tmp_path))
    assert_clean(result, 2)
    assert "no intent is recorded under the key 'nope'" in result.stderr


def test_reconcile_makes_an_old_ambiguous_intent_unresolved(
    k2: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """Past the horizon an ambiguous intent without a Location becomes unresolved, with its reason."""
    _ambiguous(k2, k2_sandbox, tmp_path)
    result = k2("intents", "reconcile", "--horizon", "0", "--ledger", _ledger(tmp_path))
    assert_clean(result, 0, k2_sandbox)
    assert parse_lines(result.stdout)["ambiguous -> unresolved"] == "1"
    shown = k2("--json", "intents", "show", "only", "--ledger", _ledger(tmp_path))
    document = json.loads(shown.stdout)
    assert document["state"] == "unresolved"
    assert "horizon" in document["reason"]
    assert _posts(k2_sandbox) == 1


def test_resolve_not_sent_allows_a_new_attempt(
    k2: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """``resolve --not-sent`` records the note and puts the intent back: the next run sends it."""
    _ambiguous(k2, k2_sandbox, tmp_path)
    assert k2("intents", "reconcile", "--horizon", "0", "--ledger", _ledger(tmp_path)).exit_code == 0
    result = k2(
        "intents", "resolve", "only", "--not-sent", "--note", "checked the K2 dashboard",
        "--ledger", _ledger(tmp_path),
    )  # fmt: skip
    assert_clean(result, 0, k2_sandbox)
    lines = parse_lines(result.stdout)
    assert lines["state"] == "recorded"
    assert "checked the K2 dashboard" in lines["note"]
    assert _pay(k2, tmp_path, ONE) == 0
    assert _posts(k2_sandbox) == 2


def test_resolve_sent_is_succeeded(k2: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path) -> None:
    """``resolve --sent`` settles it as succeeded; the next run sends nothing."""
    _ambiguous(k2, k2_sandbox, tmp_path)
    assert k2("intents", "reconcile", "--horizon", "0", "--ledger", _ledger(tmp_path)).exit_code == 0
    result = k2("intents", "resolve", "only", "--sent", "--note", "paid", "--ledger", _ledger(tmp_path))
    assert_clean(result, 0, k2_sandbox)
    assert parse_lines(result.stdout)["state"] == "succeeded"
    assert _pay(k2, tmp_path, ONE) == 0
    assert _posts(k2_sandbox) == 1


def test_resolve_a_settled_intent_is_refused(k2: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path) -> None:
    """Only an unresolved intent is resolved by a person: anything else is exit 2, nothing changed."""
    assert _pay(k2, tmp_path, ONE) == 0
    result = k2("intents", "resolve", "only", "--not-sent", "--note", "x", "--ledger", _ledger(tmp_path))
    assert_clean(result, 2, k2_sandbox)
    assert "only an unresolved intent" in result.stderr


def test_resolve_needs_a_decision(k2: Invoke, tmp_path: Path) -> None:
    """Without --sent or --not-sent, resolve is a usage error."""
    result = k2("intents", "resolve", "only", "--note", "x", "--ledger", _ledger(tmp_path))
    assert_clean(result, 2)
    assert "--sent or --not-sent" in result.stderr


def test_reconcile_reports_what_it_could_not_check(
    k2: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """A sent intent whose Location K2 cannot answer for now is left as it was, and reconcile exits 5
    with one error line; ``--json`` is then one error object naming it."""
    fault = {"operation_id": "v2_get_send_money", "kind": "status_503", "count": 100}
    assert k2_sandbox.control("POST", "/sandbox/faults", fault).status_code == 201
    assert _pay(k2, tmp_path, ONE) == 0  # sent: its outcome could not be read
    before = json.loads(k2("--json", "intents", "show", "only", "--ledger", _ledger(tmp_path)).stdout)
    result = k2("--retries", "0", "intents", "reconcile", "--ledger", _ledger(tmp_path))
    assert_clean(result, int(ExitCode.UNAVAILABLE), k2_sandbox)
    assert "could not be checked" in result.stderr
    result = k2("--retries", "0", "--json", "intents", "reconcile", "--ledger", _ledger(tmp_path))
    assert_clean(result, int(ExitCode.UNAVAILABLE), k2_sandbox)
    error = json.loads(result.stdout)["error"]
    assert [item["key"] for item in error["errors"]] == ["only"]
    after = json.loads(k2("--json", "intents", "show", "only", "--ledger", _ledger(tmp_path)).stdout)
    assert after["state"] == before["state"] == "sent"


def test_unreachable_postgres_ledger_is_one_line_without_its_password(tmp_path: Path) -> None:
    """A PostgreSQL ledger that cannot be reached is one error line (no connection pool warnings), exit 5,
    and the URL's password is not in it (a real process: pytest's log capture would hide the warnings)."""
    url = "postgresql://k2:s3cret-pass-word@127.0.0.1:9/ledger"
    env = {key: value for key, value in os.environ.items() if not key.startswith("K2")}
    result = subprocess.run(
        [sys.executable, "-m", "k2connect_cli", "intents", "list", "--ledger", url],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == ExitCode.UNAVAILABLE, result.stderr
    assert result.stderr.splitlines() == [
        line for line in result.stderr.splitlines() if line.startswith("error: ")
    ]
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "s3cret-pass-word" not in result.stdout + result.stderr


def test_ledger_url_that_is_no_url_exit_3(k2: Invoke) -> None:
    """A ``--ledger`` that is no URL at all is a configuration error, one line."""
    result = k2("intents", "list", "--ledger", "sqlite://[x")
    assert_clean(result, int(ExitCode.CONFIG))
    assert "a ledger URL is sqlite:///path or postgresql://" in result.stderr
