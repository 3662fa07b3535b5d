"""An option given on the command line wins over its environment variable, everywhere.

Each test sets the variable to one value and the option to another, and shows (against the sandbox, which
records what it received) that the command used the option's value; and that the variable alone is still
read, so the test is not passing because the variable is ignored altogether.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from k2connect_cli import cli
from k2connect_cli.exit_codes import ExitCode
from k2connect_ext import open_ledger
from k2connect_ext.webhooks import compute_signature
from k2connect_sandbox.testing import RunningSandbox

from .conftest import CALLBACK, Invoke, assert_clean, credentials
from .test_token import _closed_port
from .test_webhook import _webhook

FLAG_KEY = "flag-api-key-0001"
ENV_KEY = "env-api-key-0002"
ONE = "key,phone_number,amount,description\n{key},0712345678,100,Wages\n"


def _without(args: list[str], option: str) -> list[str]:
    """``args`` (option, value pairs) without ``option`` and its value."""
    at = args.index(option)
    return args[:at] + args[at + 2 :]


def _sandbox_env(sandbox: RunningSandbox) -> dict[str, str]:
    return {
        "K2_BASE_URL": sandbox.base_url,
        "K2_CLIENT_ID": sandbox.client_id,
        "K2_CLIENT_SECRET": sandbox.client_secret,
        "K2_API_KEY": sandbox.api_key,
    }


def test_the_global_options_read_from_the_environment_are_these() -> None:
    """Every global option that has a variable is one this module tests (a new one needs its test here)."""
    envvars = {param.name: param.envvar for param in cli.params if getattr(param, "envvar", None)}
    assert envvars == {
        "base_url": "K2_BASE_URL",
        "client_id": "K2_CLIENT_ID",
        "client_secret": "K2_CLIENT_SECRET",
        "api_key": "K2_API_KEY",
    }


# ---------------------------------------------------------------- --base-url


def test_base_url_flag_beats_k2_base_url(run: Invoke, k2_sandbox: RunningSandbox) -> None:
    """K2_BASE_URL names a port nothing listens on, --base-url the sandbox: the token comes from the
    sandbox; the other way round the command cannot reach K2."""
    dead = f"http://127.0.0.1:{_closed_port()}"
    env = {**_sandbox_env(k2_sandbox), "K2_BASE_URL": dead}
    result = run(["--json", "--base-url", k2_sandbox.base_url, "token"], env=env)
    assert_clean(result, 0, k2_sandbox)
    assert json.loads(result.stdout)["base_url"] == k2_sandbox.base_url

    env = _sandbox_env(k2_sandbox)
    result = run(["--retries", "0", "--base-url", dead, "token"], env=env)
    assert_clean(result, int(ExitCode.UNAVAILABLE), k2_sandbox)
    assert run(["token"], env=env).exit_code == 0  # the variable alone is read


def test_base_url_flag_beats_k2_base_url_for_simulate(run: Invoke, k2_sandbox: RunningSandbox) -> None:
    """``sandbox simulate`` posts to the control API at --base-url, not at K2_BASE_URL."""
    dead = f"http://127.0.0.1:{_closed_port()}"
    args = ["sandbox", "simulate", "m2m", "--amount", "10"]
    result = run(["--base-url", k2_sandbox.base_url, *args], env={"K2_BASE_URL": dead})
    assert_clean(result, 0)
    result = run(["--base-url", dead, *args], env={"K2_BASE_URL": k2_sandbox.base_url})
    assert_clean(result, int(ExitCode.UNAVAILABLE))


# ---------------------------------------------------------------- --client-id, --client-secret


@pytest.mark.parametrize("option", ["--client-id", "--client-secret"])
def test_credential_flag_beats_its_variable(option: str, run: Invoke, k2_sandbox: RunningSandbox) -> None:
    """The right credential in the option and a wrong one in the variable gets a token; the wrong one in
    the option and the right one in the variable is refused (401, exit 4)."""
    variable = "K2_" + option.removeprefix("--").replace("-", "_").upper()
    right = credentials(k2_sandbox)[credentials(k2_sandbox).index(option) + 1]
    wrong = "wrong-" + right
    others = _without(credentials(k2_sandbox), option)

    result = run([*others, option, right, "token"], env={variable: wrong})
    assert_clean(result, 0, k2_sandbox)

    result = run([*others, option, wrong, "token"], env={variable: right})
    assert_clean(result, int(ExitCode.API), k2_sandbox)
    assert "401" in result.stderr
    assert run([*others, "token"], env={variable: right}).exit_code == 0  # the variable alone is read


# ---------------------------------------------------------------- --api-key


def _verify(run: Invoke, body: bytes, key: str, *args: str, env: dict[str, str]) -> int:
    signature = compute_signature(body, key)
    return run([*args, "webhook", "verify", "--signature", signature], input=body, env=env).exit_code


def test_api_key_flag_beats_k2_api_key(run: Invoke, k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """``k2connect --api-key X webhook verify`` checks with X: a body signed with X verifies, one signed
    with K2_API_KEY's key does not."""
    body = _webhook(k2, k2_sandbox)["body"].encode()
    env = {"K2_API_KEY": ENV_KEY}
    assert _verify(run, body, FLAG_KEY, "--api-key", FLAG_KEY, env=env) == ExitCode.OK
    assert _verify(run, body, ENV_KEY, "--api-key", FLAG_KEY, env=env) == ExitCode.FAILED
    assert _verify(run, body, ENV_KEY, env=env) == ExitCode.OK  # the variable alone is read
    assert _verify(run, body, FLAG_KEY, env=env) == ExitCode.FAILED


def test_verify_own_api_key_beats_the_global_one_and_the_variable(
    run: Invoke, k2: Invoke, k2_sandbox: RunningSandbox
) -> None:
    """``webhook verify --api-key`` is the most specific: it wins over the global option and K2_API_KEY."""
    body = _webhook(k2, k2_sandbox)["body"].encode()
    env = {"K2_API_KEY": ENV_KEY}
    own = "verify-api-key-0003"
    signature = compute_signature(body, own)
    args = ["--api-key", FLAG_KEY, "webhook", "verify", "--api-key", own, "--signature", signature]
    assert_clean(run(args, input=body, env=env), 0)
    signature = compute_signature(body, FLAG_KEY)
    args = ["--api-key", FLAG_KEY, "webhook", "verify", "--api-key", own, "--signature", signature]
    assert_clean(run(args, input=body, env=env), int(ExitCode.FAILED))


def test_verify_help_names_the_variable_once(run: Invoke) -> None:
    """The verify option's help says where its default comes from (the global option, then K2_API_KEY)."""
    result = run(["webhook", "verify", "--help"])
    assert "--api-key" in result.stdout
    assert "K2_API_KEY" in result.stdout


# ---------------------------------------------------------------- global options without a variable


def _token_faults(sandbox: RunningSandbox, **fault: Any) -> None:
    response = sandbox.control("POST", "/sandbox/faults", {"operation_id": "request_access_token", **fault})
    assert response.status_code == 201, response.text


def test_retries_flag_is_used(run: Invoke, k2_sandbox: RunningSandbox) -> None:
    """Two token requests answered 503: --retries 2 gets through on the third try, --retries 1 gives up."""
    _token_faults(k2_sandbox, kind="status_503", count=2, retry_after=0)
    assert_clean(run([*credentials(k2_sandbox), "--retries", "2", "token"]), 0, k2_sandbox)
    _token_faults(k2_sandbox, kind="status_503", count=2, retry_after=0)
    result = run([*credentials(k2_sandbox), "--retries", "1", "token"])
    assert_clean(result, int(ExitCode.UNAVAILABLE), k2_sandbox)
    assert "503" in result.stderr


def test_http_timeout_flag_is_used(run: Invoke, k2_sandbox: RunningSandbox) -> None:
    """A token answer 3 s late: --http-timeout 0.5 gives up well before it; 10 waits for it."""
    _token_faults(k2_sandbox, kind="slow", delay=3.0)
    started = time.monotonic()
    result = run([*credentials(k2_sandbox), "--retries", "0", "--http-timeout", "0.5", "token"])
    assert_clean(result, int(ExitCode.UNAVAILABLE), k2_sandbox)
    assert time.monotonic() - started < 2.5
    _token_faults(k2_sandbox, kind="slow", delay=1.0)
    assert_clean(run([*credentials(k2_sandbox), "--http-timeout", "10", "token"]), 0, k2_sandbox)


def test_json_flag_is_used(run: Invoke, k2_sandbox: RunningSandbox) -> None:
    """--json (before or after the command) prints one JSON object; without it, lines."""
    env = _sandbox_env(k2_sandbox)
    for args in (["--json", "token"], ["token", "--json"]):
        result = run(args, env=env)
        assert_clean(result, 0, k2_sandbox)
        assert json.loads(result.stdout)["token_type"]
    assert run(["token"], env=env).stdout.startswith("token_type:")


# ---------------------------------------------------------------- --ledger (K2_LEDGER)


def _ledgers(tmp_path: Path) -> tuple[str, str]:
    """(flag ledger, env ledger) URLs, in two directories."""
    for name in ("flag", "env"):
        (tmp_path / name).mkdir()
    return f"sqlite:///{tmp_path / 'flag' / 'ledger.db'}", f"sqlite:///{tmp_path / 'env' / 'ledger.db'}"


def _states(url: str) -> dict[str, str]:
    ledger = open_ledger(url)
    try:
        return {intent.key: intent.state.value for intent in ledger.list(None, limit=100)}
    finally:
        ledger.close()


def _keys(url: str) -> list[str]:
    return list(_states(url))


def _pay(
    run: Invoke, sandbox: RunningSandbox, tmp_path: Path, key: str, *args: str, env: dict[str, str]
) -> int:
    path = tmp_path / f"{key}.csv"
    path.write_text(ONE.format(key=key), encoding="utf-8")
    # No retries: a fixture below makes K2 fail the reads of outcomes, and a payout is sent once anyway.
    command = [
        *credentials(sandbox),
        "--retries",
        "0",
        "payouts",
        "run",
        str(path),
        "--callback-url",
        CALLBACK,
    ]
    command += args
    return run(command, env=env).exit_code


def test_payouts_run_ledger_flag_beats_k2_ledger(
    run: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """``payouts run --ledger A`` with K2_LEDGER=B records in A only; K2_LEDGER alone records in B."""
    flag, env = _ledgers(tmp_path)
    assert _pay(run, k2_sandbox, tmp_path, "by-flag", "--ledger", flag, env={"K2_LEDGER": env}) == 0
    assert not (tmp_path / "env" / "ledger.db").exists()
    assert _keys(flag) == ["by-flag"]
    assert _pay(run, k2_sandbox, tmp_path, "by-env", env={"K2_LEDGER": env}) == 0
    assert _keys(env) == ["by-env"]
    assert _keys(flag) == ["by-flag"]


@pytest.fixture
def two_ledgers(run: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path) -> tuple[str, str]:
    """A flag ledger holding the intent "in-flag" and an env ledger holding "in-env", both sent and not
    yet read (K2 could not answer for their outcome, so a reconcile has something to do)."""
    flag, env = _ledgers(tmp_path)
    fault = {"operation_id": "v2_get_send_money", "kind": "status_503", "count": 100, "retry_after": 0}
    assert k2_sandbox.control("POST", "/sandbox/faults", fault).status_code == 201
    assert _pay(run, k2_sandbox, tmp_path, "in-flag", "--ledger", flag, env={}) == 0
    assert _pay(run, k2_sandbox, tmp_path, "in-env", "--ledger", env, env={}) == 0
    assert k2_sandbox.control("DELETE", "/sandbox/faults").status_code == 200
    return flag, env


def test_intents_list_ledger_flag_beats_k2_ledger(run: Invoke, two_ledgers: tuple[str, str]) -> None:
    flag, env = two_ledgers
    result = run(["--json", "intents", "list", "--ledger", flag], env={"K2_LEDGER": env})
    assert_clean(result, 0)
    assert [intent["key"] for intent in json.loads(result.stdout)["intents"]] == ["in-flag"]
    result = run(["--json", "intents", "list"], env={"K2_LEDGER": env})
    assert [intent["key"] for intent in json.loads(result.stdout)["intents"]] == ["in-env"]


def test_intents_show_ledger_flag_beats_k2_ledger(run: Invoke, two_ledgers: tuple[str, str]) -> None:
    flag, env = two_ledgers
    assert_clean(run(["intents", "show", "in-flag", "--ledger", flag], env={"K2_LEDGER": env}), 0)
    result = run(["intents", "show", "in-env", "--ledger", flag], env={"K2_LEDGER": env})
    assert_clean(result, int(ExitCode.USAGE))
    assert "no intent is recorded under the key 'in-env'" in result.stderr
    assert_clean(run(["intents", "show", "in-env"], env={"K2_LEDGER": env}), 0)


def test_intents_resolve_ledger_flag_beats_k2_ledger(
    run: Invoke, k2_sandbox: RunningSandbox, two_ledgers: tuple[str, str]
) -> None:
    """resolve finds the intent in the flag's ledger (and refuses it: it is settled, not unresolved)."""
    flag, env = two_ledgers
    args = [*credentials(k2_sandbox), "intents", "resolve", "--sent", "--note", "checked"]
    result = run([*args, "in-flag", "--ledger", flag], env={"K2_LEDGER": env})
    assert_clean(result, int(ExitCode.USAGE), k2_sandbox)
    assert "only an unresolved intent" in result.stderr
    result = run([*args, "in-env", "--ledger", flag], env={"K2_LEDGER": env})
    assert_clean(result, int(ExitCode.USAGE), k2_sandbox)
    assert "only an unresolved intent" not in result.stderr


def test_intents_reconcile_ledger_flag_beats_k2_ledger(
    run: Invoke, k2_sandbox: RunningSandbox, two_ledgers: tuple[str, str]
) -> None:
    """reconcile reads the sent intents of the flag's ledger (they succeed), not those of K2_LEDGER's."""
    flag, env = two_ledgers
    assert _states(flag) == {"in-flag": "sent"} and _states(env) == {"in-env": "sent"}
    args = [*credentials(k2_sandbox), "intents", "reconcile"]
    assert_clean(run([*args, "--ledger", flag], env={"K2_LEDGER": env}), 0, k2_sandbox)
    assert _states(flag) == {"in-flag": "succeeded"} and _states(env) == {"in-env": "sent"}
    assert_clean(run(args, env={"K2_LEDGER": env}), 0, k2_sandbox)
    assert _states(env) == {"in-env": "succeeded"}


# ---------------------------------------------------------------- --callback-url (K2_CALLBACK_URL)


def _callbacks(sandbox: RunningSandbox, table: str) -> list[str]:
    """The callback URL of every create the sandbox recorded in ``table``, as it was sent."""
    return [
        str(record["request"]["_links"]["callback_url"]) for record in sandbox.app.sandbox.store.values(table)
    ]


ENV_CALLBACK = "https://env.example.com/k2/result"

CALLBACK_COMMANDS = {
    "payouts run": "send_money",
    "send-money": "send_money",
    "stk-push": "incoming_payments",
}


def _callback_command(name: str, tmp_path: Path) -> list[str]:
    if name == "payouts run":
        path = tmp_path / f"payouts-{len(list(tmp_path.iterdir()))}.csv"
        path.write_text(ONE.format(key=path.stem), encoding="utf-8")
        return ["payouts", "run", str(path), "--ledger", f"sqlite:///{tmp_path / 'ledger.db'}"]
    if name == "send-money":
        return ["send-money", "--to-phone", "0712345678", "--amount", "10", "--description", "Wages"]
    return ["stk-push", "--phone", "0712345678", "--amount", "10", "--till", "K000000"]


@pytest.mark.parametrize("name", list(CALLBACK_COMMANDS))
def test_callback_url_flag_beats_k2_callback_url(
    name: str, run: Invoke, k2_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """Every command that takes --callback-url also reads K2_CALLBACK_URL, and the option wins."""
    env = {"K2_CALLBACK_URL": ENV_CALLBACK}
    command = [*credentials(k2_sandbox), *_callback_command(name, tmp_path)]
    assert_clean(run([*command, "--callback-url", CALLBACK], env=env), 0, k2_sandbox)
    assert _callbacks(k2_sandbox, CALLBACK_COMMANDS[name]) == [CALLBACK]
    command = [*credentials(k2_sandbox), *_callback_command(name, tmp_path)]
    assert_clean(run(command, env=env), 0, k2_sandbox)
    assert _callbacks(k2_sandbox, CALLBACK_COMMANDS[name]) == [CALLBACK, ENV_CALLBACK]


@pytest.mark.parametrize("name", list(CALLBACK_COMMANDS))
def test_callback_url_is_required_without_its_variable(name: str, run: Invoke, tmp_path: Path) -> None:
    """Neither the option nor the variable: a usage error naming both, nothing sent."""
    result = run(_callback_command(name, tmp_path))
    assert_clean(result, int(ExitCode.USAGE))
    assert "--callback-url" in result.stderr
