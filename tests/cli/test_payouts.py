"""``k2connect payouts run``: a CSV of payouts, each row an intent sent once, against the sandbox."""

from __future__ import annotations

import csv
import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from click.testing import Result

from k2connect_cli.commands.payouts import payout_exit_code
from k2connect_cli.exit_codes import ExitCode
from k2connect_ext import IntentState, open_ledger
from k2connect_sandbox.testing import RunningSandbox

from .conftest import CALLBACK, Invoke, assert_clean, credentials, parse_lines

EXAMPLE = Path(__file__).parents[2] / "examples" / "payouts.csv"
GOOD = """key,phone_number,amount,description
pay-1,0712345678,100,Wages
pay-2,0712345679,200.50,Wages
pay-3,+254712345670,300,Wages
"""


def _posts(sandbox: RunningSandbox) -> int:
    """How many send-money requests the sandbox processed."""
    return len(sandbox.app.sandbox.store.values("send_money"))


def _csv(tmp_path: Path, text: str, name: str = "payouts.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _ledger(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}"


def _run(k2: Invoke, tmp_path: Path, csv_path: str, *extra: str) -> tuple[Result, Path]:
    report = tmp_path / "report.csv"
    result = k2(
        "payouts", "run", csv_path, "--callback-url", CALLBACK, "--ledger", _ledger(tmp_path),
        "--report", str(report), *extra,
    )  # fmt: skip
    return result, report


def _report(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def test_every_bad_row_reported_with_its_line_nothing_sent(
    k2: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """A bad phone, a bad amount, a duplicate key, an unknown type and a missing column: every one is
    reported with its line, exit 2, and nothing is sent or recorded."""
    text = """key,type,phone_number,amount,description
ok-1,,0712345678,100,Wages
bad-phone,,07123,100,Wages
bad-amount,,0712345678,lots,Wages
ok-1,,0712345678,100,Wages again
bad-type,cheque,0712345678,100,Wages
no-till,till,,100,Supplies
"""
    result, report = _run(k2, tmp_path, _csv(tmp_path, text))
    assert_clean(result, 2, k2_sandbox)
    stderr = result.stderr
    assert "line 3 (key 'bad-phone'): phone_number is not a Kenyan mobile number" in stderr
    assert "line 4 (key 'bad-amount'): amount is not a number" in stderr
    assert "line 5 (key 'ok-1'): the key is also on line 2" in stderr
    assert "line 6 (key 'bad-type'): type must be one of mobile_wallet" in stderr
    assert "line 7 (key 'no-till'): a till row needs till_number (no such column)" in stderr
    assert "error: 5 bad row(s)" in stderr
    assert _posts(k2_sandbox) == 0
    assert not report.exists()
    assert not (tmp_path / "ledger.db").exists()


def test_run_then_run_again_sends_nothing_twice(
    k2: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """Every row is sent once and exits 0; the same command again sends nothing and reports the same rows."""
    path = _csv(tmp_path, GOOD)
    first, _ = _run(k2, tmp_path, path)
    assert_clean(first, 0, k2_sandbox)
    assert _posts(k2_sandbox) == 3
    assert "payouts: 3/3" in first.stderr
    assert "from_earlier_runs" not in parse_lines(first.stdout)
    again, _ = _run(k2, tmp_path, path)
    assert_clean(again, 0, k2_sandbox)
    assert _posts(k2_sandbox) == 3
    assert parse_lines(again.stdout)["rows"] == "3"
    assert parse_lines(again.stdout)["from_earlier_runs"] == "3"  # carried over, not sent again


def test_a_grown_file_sends_only_its_new_rows(k2: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path) -> None:
    """Rows added to the file after a run are sent; the earlier run's rows are counted as carried over."""
    header_and_first_row = "\n".join(GOOD.splitlines()[:2]) + "\n"
    first, _ = _run(k2, tmp_path, _csv(tmp_path, header_and_first_row))
    assert_clean(first, 0, k2_sandbox)
    assert _posts(k2_sandbox) == 1
    again, _ = _run(k2, tmp_path, _csv(tmp_path, GOOD), "--json")
    assert_clean(again, 0, k2_sandbox)
    assert _posts(k2_sandbox) == 3
    assert json.loads(again.stdout)["from_earlier_runs"] == 1


def test_report_has_every_row(k2: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path) -> None:
    """``--report`` has key, state, amount, reference and reason for every row, in file order."""
    result, report = _run(k2, tmp_path, _csv(tmp_path, GOOD))
    assert_clean(result, 0, k2_sandbox)
    lines = _report(report)
    assert [line["key"] for line in lines] == ["pay-1", "pay-2", "pay-3"]
    assert [line["amount"] for line in lines] == ["100", "200.50", "300"]
    assert {line["state"] for line in lines} <= {"sent", "succeeded"}
    assert list(lines[0]) == ["key", "state", "amount", "reference", "reason"]


def test_json_summary(k2: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path) -> None:
    """``--json`` prints one object: counts per state and every row."""
    result, _ = _run(k2, tmp_path, _csv(tmp_path, GOOD), "--json")
    assert_clean(result, 0, k2_sandbox)
    document = json.loads(result.stdout)
    assert sum(document["counts"].values()) == 3
    assert [row["key"] for row in document["rows"]] == ["pay-1", "pay-2", "pay-3"]
    assert document["stopped"] is False


def test_sample_csv_validates_and_runs(k2: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path) -> None:
    """examples/payouts.csv (every destination kind) is valid and runs: one send-money per row."""
    result, report = _run(k2, tmp_path, str(EXAMPLE), "--concurrency", "2")
    assert_clean(result, 0, k2_sandbox)
    assert _posts(k2_sandbox) == 5
    assert len(_report(report)) == 5


def test_ledger_from_environment(run: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path) -> None:
    """``K2_LEDGER`` names the ledger when ``--ledger`` does not."""
    ledger = tmp_path / "from-env.db"
    args = [*credentials(k2_sandbox), "payouts", "run", _csv(tmp_path, GOOD), "--callback-url", CALLBACK]
    result = run(args, env={"K2_LEDGER": f"sqlite:///{ledger}"})
    assert_clean(result, 0, k2_sandbox)
    store = open_ledger(f"sqlite:///{ledger}")
    try:
        assert len(store.list(None)) == 3
    finally:
        store.close()


def test_ambiguous_payout_exits_6_and_is_not_resent(
    k2: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """A payout K2 processed but answered 500 to is ambiguous: exit 6; the next run does not resend it."""
    fault = {"operation_id": "v2_create_send_money", "kind": "status_500", "after_processing": True}
    assert k2_sandbox.control("POST", "/sandbox/faults", fault).status_code == 201
    path = _csv(tmp_path, "key,phone_number,amount,description\nonly,0712345678,100,Wages\n")
    result, report = _run(k2, tmp_path, path)
    assert_clean(result, int(ExitCode.AMBIGUOUS), k2_sandbox)
    assert "ambiguous" in result.stderr
    assert _report(report)[0]["state"] == "ambiguous"
    again, _ = _run(k2, tmp_path, path)
    assert_clean(again, int(ExitCode.AMBIGUOUS), k2_sandbox)
    assert _posts(k2_sandbox) == 1


def test_ctrl_c_stops_writes_report_and_resumes(
    k2: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """Ctrl-C starts no new row, still writes the report and exits 130; the next run sends the rest, each
    row once."""
    rows = "".join(f"row-{n},07123456{n:02d},10,Wages\n" for n in range(6))
    path = _csv(tmp_path, "key,phone_number,amount,description\n" + rows)
    fault = {"operation_id": "v2_create_send_money", "kind": "slow", "delay": 0.3, "count": 6}
    assert k2_sandbox.control("POST", "/sandbox/faults", fault).status_code == 201

    def interrupt() -> None:
        while _posts(k2_sandbox) == 0:
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGINT)

    helper = threading.Thread(target=interrupt)
    helper.start()
    result, report = _run(k2, tmp_path, path, "--concurrency", "1")
    helper.join()
    assert_clean(result, int(ExitCode.INTERRUPTED), k2_sandbox)
    sent_first = _posts(k2_sandbox)
    assert sent_first < 6
    states = [line["state"] for line in _report(report)]
    assert "not started" in states
    assert len(states) == 6
    assert k2_sandbox.control("DELETE", "/sandbox/faults").status_code in (200, 204)
    again, _ = _run(k2, tmp_path, path)
    assert_clean(again, 0, k2_sandbox)
    assert _posts(k2_sandbox) == 6


def test_exit_code_of_a_run() -> None:
    """Stopped beats ambiguous beats failed beats not sent; every row sent or succeeded is 0."""
    s = IntentState
    assert payout_exit_code([s.SENT, s.SUCCEEDED], stopped=False) is ExitCode.OK
    assert payout_exit_code([s.SENT, s.AMBIGUOUS], stopped=True) is ExitCode.INTERRUPTED
    assert payout_exit_code([s.FAILED, s.UNRESOLVED], stopped=False) is ExitCode.AMBIGUOUS
    assert payout_exit_code([s.REFUSED, s.RECORDED], stopped=False) is ExitCode.FAILED
    assert payout_exit_code([s.SENT, s.RECORDED], stopped=False) is ExitCode.UNAVAILABLE
    assert payout_exit_code([s.SENT, None], stopped=False) is ExitCode.UNAVAILABLE


def test_row_shape_errors_reported_at_once(k2: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path) -> None:
    """An empty key, more cells than columns and a favourite that is not true/false are each reported with
    their line; a row that is fine (favourite=yes) is not."""
    text = """key,phone_number,amount,description,favourite
fine,0712345678,100,Wages,yes
,0712345678,100,Wages,
extra,0712345678,100,Wages,no,surprise
odd,0712345678,100,Wages,maybe
"""
    result, _ = _run(k2, tmp_path, _csv(tmp_path, text))
    assert_clean(result, 2, k2_sandbox)
    assert "line 3: key is empty" in result.stderr
    assert "line 4 (key 'extra'): more cells than the header has columns" in result.stderr
    assert "line 5 (key 'odd'): favourite must be true or false" in result.stderr
    assert "line 2" not in result.stderr
    assert "error: 3 bad row(s)" in result.stderr
    assert _posts(k2_sandbox) == 0


def test_no_key_column(k2: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path) -> None:
    """A header without a key column is refused on line 1: a payout needs its idempotency key."""
    result, _ = _run(k2, tmp_path, _csv(tmp_path, "phone_number,amount,description\n0712345678,1,x\n"))
    assert_clean(result, 2, k2_sandbox)
    assert "line 1: the header row has no 'key' column" in result.stderr
    assert _posts(k2_sandbox) == 0


def test_key_the_ledger_refuses_nothing_recorded(
    k2: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """A key the intents refuse (too long) is reported with its line, and nothing is recorded or sent."""
    text = f"key,phone_number,amount,description\nok,0712345678,1,x\n{'k' * 300},0712345678,1,x\n"
    result, _ = _run(k2, tmp_path, _csv(tmp_path, text))
    assert_clean(result, 2, k2_sandbox)
    assert "line 3: key must be a non-blank str" in result.stderr
    assert _posts(k2_sandbox) == 0
    store = open_ledger(_ledger(tmp_path))
    try:
        assert store.list(None) == []
    finally:
        store.close()


def test_ledger_that_cannot_be_opened_sends_nothing(
    k2: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """A ledger that cannot be written is one error line, exit 5, and nothing is sent."""
    (tmp_path / "not-a-db").write_bytes(b"this is not an SQLite database, not at all" * 100)
    path = _csv(tmp_path, GOOD)
    args = ("--callback-url", CALLBACK, "--ledger", f"sqlite:///{tmp_path / 'not-a-db'}")
    result = k2("payouts", "run", path, *args)
    assert_clean(result, int(ExitCode.UNAVAILABLE), k2_sandbox)
    assert "store unavailable" in result.stderr
    assert _posts(k2_sandbox) == 0


def test_ambiguous_run_json_is_one_error_object(
    k2: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """With ``--json`` a run that exits non-zero prints one object: the error, with the counts and rows."""
    fault = {"operation_id": "v2_create_send_money", "kind": "status_500", "after_processing": True}
    assert k2_sandbox.control("POST", "/sandbox/faults", fault).status_code == 201
    result, _ = _run(k2, tmp_path, _csv(tmp_path, GOOD), "--json", "--concurrency", "1")
    assert_clean(result, int(ExitCode.AMBIGUOUS), k2_sandbox)
    error = json.loads(result.stdout)["error"]
    assert error["code"] == ExitCode.AMBIGUOUS
    assert error["counts"]["ambiguous"] == 1
    assert [row["key"] for row in error["rows"]] == ["pay-1", "pay-2", "pay-3"]


def test_run_outside_the_main_thread(run: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path) -> None:
    """Called from another thread (no signal handler can be set there), the run still works."""
    results: list[Result] = []
    args = [*credentials(k2_sandbox), "payouts", "run", _csv(tmp_path, GOOD), "--callback-url", CALLBACK]
    worker = threading.Thread(target=lambda: results.append(run([*args, "--ledger", _ledger(tmp_path)])))
    worker.start()
    worker.join()
    assert_clean(results[0], 0, k2_sandbox)
    assert _posts(k2_sandbox) == 3


def test_refused_payout_exits_1_with_its_reason(
    k2: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """A payout K2 refuses (404: no such own account) is refused, exit 1, and the report gives K2's reason;
    the other rows are paid."""
    text = "key,type,reference,phone_number,amount,description\nown,merchant_wallet,nope,,10,x\n"
    text += "wages,,,0712345678,10,x\n"
    result, report = _run(k2, tmp_path, _csv(tmp_path, text))
    assert_clean(result, int(ExitCode.FAILED), k2_sandbox)
    lines = {line["key"]: line for line in _report(report)}
    assert lines["own"]["state"] == "refused"
    assert "not found" in lines["own"]["reason"]
    assert lines["wages"]["state"] in ("sent", "succeeded")


def test_help_lists_the_exit_codes_of_a_run(run: Invoke) -> None:
    """``payouts run --help`` says what each exit code of a run means."""
    result = run(["payouts", "run", "--help"])
    assert_clean(result, 0)
    for code in (ExitCode.OK, ExitCode.FAILED, ExitCode.AMBIGUOUS, ExitCode.INTERRUPTED):
        assert f"\n    {int(code):<3d} " in result.stdout


def test_default_ledger_in_current_directory_and_flag_beats_env(
    run: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --ledger or K2_LEDGER the ledger is k2connect-intents.db here; --ledger beats K2_LEDGER."""
    monkeypatch.chdir(tmp_path)
    base = [*credentials(k2_sandbox), "payouts", "run", _csv(tmp_path, GOOD), "--callback-url", CALLBACK]
    assert_clean(run(base), 0, k2_sandbox)
    assert (tmp_path / "k2connect-intents.db").exists()
    flagged = tmp_path / "flag.db"
    result = run([*base, "--ledger", f"sqlite:///{flagged}"], env={"K2_LEDGER": "sqlite:///env.db"})
    assert_clean(result, 0, k2_sandbox)
    assert flagged.exists()
    assert not (tmp_path / "env.db").exists()
    assert _posts(k2_sandbox) == 6  # another ledger knows none of the keys: its run sends them
