"""``k2connect sandbox simulate ...`` against the test sandbox, and ``k2connect sandbox serve``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from k2connect_ext import K2
from k2connect_sandbox.testing import RunningSandbox

from .conftest import CALLBACK, Invoke, assert_clean, parse_lines
from .test_token import _closed_port


def _table(stdout: str) -> list[list[str]]:
    """The rows of the table printed after the record (header first)."""
    return [line.split() for line in stdout.split("\n\n", 1)[1].splitlines() if line.strip()]


def test_simulate_buygoods_human(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """A till payment prints the transaction as lines and the webhook events as a table."""
    result = k2("sandbox", "simulate", "buygoods", "--till", "000000", "--amount", "10", "--phone",
                "254712345678", "--first-name", "Jane")  # fmt: skip
    assert_clean(result, 0, k2_sandbox)
    lines = parse_lines(result.stdout)
    assert lines["amount"] == "10.0"
    assert lines["till_number"] == "000000"
    assert lines["events"] == "2"
    table = _table(result.stdout)
    assert table[0] == ["TOPIC", "EVENT", "ID", "SUBSCRIPTIONS"]
    assert {row[0] for row in table[1:]} == {"buygoods_transaction_received", "customer_created"}


def test_simulate_buygoods_json(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """``--json`` prints the control API's answer as one object; the ledger has the transaction."""
    result = k2("--json", "sandbox", "simulate", "buygoods", "--till", "000000", "--amount", "12.5")
    assert_clean(result, 0, k2_sandbox)
    document = json.loads(result.stdout)
    assert document["transaction"]["amount"] == "12.5"
    ledger = k2_sandbox.control("GET", "/sandbox/ledger").json()
    assert [t["reference"] for t in ledger["transactions"]] == [document["transaction"]["reference"]]


def test_simulate_reversal(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """Reversing a simulated payment by its M-PESA reference sends buygoods_transaction_reversed."""
    paid = json.loads(
        k2("--json", "sandbox", "simulate", "buygoods", "--till", "000000", "--amount", "5").stdout
    )
    result = k2("--json", "sandbox", "simulate", "reversal", "--reference", paid["transaction"]["reference"])
    assert_clean(result, 0, k2_sandbox)
    assert [e["topic"] for e in json.loads(result.stdout)["events"]] == ["buygoods_transaction_reversed"]


def test_simulate_reversal_twice_exit_4(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """Reversing the same transaction twice is refused by the sandbox (409): exit 4."""
    paid = json.loads(
        k2("--json", "sandbox", "simulate", "buygoods", "--till", "000000", "--amount", "5").stdout
    )
    reference = paid["transaction"]["reference"]
    assert k2("sandbox", "simulate", "reversal", "--reference", reference).exit_code == 0
    result = k2("sandbox", "simulate", "reversal", "--reference", reference)
    assert_clean(result, 4, k2_sandbox)
    assert "409" in result.stderr


def test_simulate_unknown_reversal_exit_4(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """An unknown reference is the sandbox's 404: exit 4 with its message."""
    result = k2("sandbox", "simulate", "reversal", "--reference", "NOPE", "--b2b")
    assert_clean(result, 4, k2_sandbox)
    assert "NOPE" in result.stderr


def test_simulate_b2b_m2m_settlement(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """B2B, M2M and settlement simulations each send their webhook topic."""
    cases = {
        "b2b_transaction_received": ("b2b", "--till", "000000", "--amount", "5", "--sending-till", "111111"),
        "m2m_transaction_received": ("m2m", "--amount", "3"),
        "settlement_transfer_completed": (
            "settlement",
            "--amount",
            "10",
            "--destination-type",
            "mobile_wallet",
        ),
    }
    for topic, args in cases.items():
        result = k2("--json", "sandbox", "simulate", *args)
        assert_clean(result, 0, k2_sandbox)
        assert [e["topic"] for e in json.loads(result.stdout)["events"]] == [topic]


def test_simulate_card_payment_void_and_reversal(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """``card`` pays a till by card, ``card --void``/``--reverse REFERENCE`` undo one: each sends its card
    webhook topic; undoing twice is the sandbox's 409 (exit 4); a payment without --till/--amount, or both
    --void and --reverse, is a usage error (exit 2)."""
    references = []
    for last4 in ("4242", None):
        extra = ("--last4", last4) if last4 else ()
        result = k2("--json", "sandbox", "simulate", "card", "--till", "000000", "--amount", "300", *extra)
        assert_clean(result, 0, k2_sandbox)
        document = json.loads(result.stdout)
        assert [e["topic"] for e in document["events"]] == ["card_transaction_received"]
        assert document["transaction"]["customer_cc_number"] == "************" + (last4 or "1234")
        references.append(document["transaction"]["reference"])
    for option, reference, topic in (
        ("--void", references[0], "card_transaction_voided"),
        ("--reverse", references[1], "card_transaction_reversed"),
    ):
        result = k2("--json", "sandbox", "simulate", "card", option, reference)
        assert_clean(result, 0, k2_sandbox)
        assert [e["topic"] for e in json.loads(result.stdout)["events"]] == [topic]
    again = k2("sandbox", "simulate", "card", "--reverse", references[0])
    assert_clean(again, 4, k2_sandbox)
    assert "409" in again.stderr
    for args in (("--till", "000000"), ("--void", "A", "--reverse", "B")):
        assert_clean(k2("sandbox", "simulate", "card", *args), 2)


def test_simulate_pay_link(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """Paying a payment link by its Location makes it Paid, which ``k2connect wait`` then sees."""
    with K2(k2_sandbox.client_id, k2_sandbox.client_secret, base_url=k2_sandbox.base_url) as client:
        location = client.create_payment_link(
            till_number="K000000", amount=50, callback_url=CALLBACK
        ).location
    result = k2("sandbox", "simulate", "pay-link", location, "--phone", "254712345678")
    assert_clean(result, 0, k2_sandbox)
    assert parse_lines(result.stdout)["payment_link"] == "Paid"
    waited = k2("--json", "wait", location, "--timeout", "5")
    assert json.loads(waited.stdout)["status"] == "Paid"


def test_simulate_pay_unknown_link_exit_4(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """Paying a link that does not exist exits 4."""
    result = k2("sandbox", "simulate", "pay-link", "no-such-link", "--phone", "254712345678")
    assert_clean(result, 4, k2_sandbox)


def test_simulate_bad_amount_exit_4(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """A body the control API rejects (400) exits 4 with its message."""
    result = k2("sandbox", "simulate", "buygoods", "--till", "000000", "--amount", "-3")
    assert_clean(result, 4, k2_sandbox)
    assert "400" in result.stderr


def test_simulate_without_base_url_exit_3(run: Invoke) -> None:
    """Simulations need --base-url: exit 3 saying how to start a sandbox."""
    result = run(["sandbox", "simulate", "m2m", "--amount", "3"])
    assert_clean(result, 3)
    assert "k2connect sandbox serve" in result.stderr


def test_simulate_unreachable_exit_5(run: Invoke) -> None:
    """No sandbox listening exits 5."""
    result = run(
        ["--base-url", f"http://127.0.0.1:{_closed_port()}", "sandbox", "simulate", "m2m", "--amount", "3"]
    )
    assert_clean(result, 5)


def test_simulate_missing_option_exit_2(k2: Invoke) -> None:
    """A simulation without its required option is a usage error."""
    result = k2("sandbox", "simulate", "buygoods", "--amount", "3")
    assert result.exit_code == 2
    assert "Missing option '--till'" in result.stderr


def test_serve_port_in_use_exit_2(run: Invoke, k2_sandbox: RunningSandbox) -> None:
    """Serving on a port already taken is one clear line and exit 2, as ``k2connect-sandbox`` does."""
    port = str(urlsplit(k2_sandbox.base_url).port)
    result = run(["sandbox", "serve", "--port", port])
    assert_clean(result, 2)
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


@pytest.fixture
def served() -> Iterator[dict[str, str]]:
    """``k2connect sandbox serve --port 0`` in a subprocess, with the key: value lines it printed."""
    script = Path(sys.executable).with_name("k2connect")
    process = subprocess.Popen(
        [str(script), "sandbox", "serve", "--port", "0", "--callback-delay", "0", "--log-level", "warning"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        printed: dict[str, str] = {}
        deadline = time.monotonic() + 20
        while "api_key" not in printed:
            line = process.stdout.readline()
            assert line and time.monotonic() < deadline, "the sandbox printed no credentials"
            key, _, value = line.partition(": ")
            if value:
                printed[key.strip()] = value.strip()
        yield printed
    finally:
        process.terminate()  # the one process this fixture started, by its handle
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_serve_foreground_sandbox(served: dict[str, str], run: Invoke) -> None:
    """The served sandbox answers the CLI itself with the credentials it printed."""
    args = ["--base-url", served["url"], "--client-id", served["client_id"], "--client-secret",
            served["client_secret"], "--retries", "5"]  # fmt: skip
    result = run([*args, "--json", "stk-push", "--phone", "0712345678", "--amount", "1", "--till", "K000000",
                  "--callback-url", CALLBACK, "--wait", "--timeout", "10"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "Success"


# Every option of the k2connect-sandbox script, with a value that differs from its default.
_EVERY_SCRIPT_OPTION = [
    "--host", "127.0.0.2", "--port", "0", "--client-id", "id-x", "--client-secret", "secret-x",
    "--api-key", "key-x", "--callback-delay", "0.25", "--token-ttl", "60", "--db", "state.db",
    "--base-url", "https://sandbox.example", "--tls", "--delivery-ca", "ca.pem", "--no-deliver",
    "--allow-http", "--spec", "other.yaml", "--log-level", "warning", "--quiet",
]  # fmt: skip


def test_serve_offers_every_option_of_the_sandbox_script() -> None:
    """``k2connect sandbox serve`` and ``k2connect-sandbox`` are one server: an option added to the script's
    parser and not to ``serve`` (or the reverse) fails here."""
    from k2connect_cli.commands.sandbox import serve
    from k2connect_sandbox.__main__ import _parser

    script = {opt for action in _parser()._actions for opt in action.option_strings} - {"-h", "--help"}
    ours = {opt for param in serve.params for opt in (*param.opts, *param.secondary_opts)}
    assert ours == script


@pytest.mark.parametrize("given", [_EVERY_SCRIPT_OPTION, []], ids=["every-option", "defaults"])
def test_serve_passes_its_options_through(
    given: list[str], run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What ``serve`` is given (every option, or none) reaches the sandbox's main exactly as the script
    would parse it: the same values, defaults included."""
    from k2connect_cli.commands import sandbox as command
    from k2connect_sandbox.__main__ import _parser

    received: list[list[str]] = []

    def sandbox_main(argv: list[str]) -> int:
        received.append(list(argv))
        return 0

    monkeypatch.setattr(command, "_load_sandbox", lambda: sandbox_main)
    monkeypatch.setattr(command, "_check_bindable", lambda host, port: None)  # 8765 may be in use here
    result = run(["sandbox", "serve", *given])
    assert_clean(result, 0)
    [argv] = received
    assert vars(_parser().parse_args(argv)) == vars(_parser().parse_args(given))


def test_serve_failing_sandbox_exits_2(run: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sandbox refusing to start (its one line already printed) is exit 2, as the script's own."""
    from k2connect_cli.commands import sandbox as command

    monkeypatch.setattr(command, "_load_sandbox", lambda: lambda argv: 2)
    result = run(["sandbox", "serve", "--port", "0"])
    assert result.exit_code == 2


def test_serve_log_levels_are_the_sandboxs() -> None:
    """``serve`` offers exactly the sandbox's log levels (it cannot import them without the extra)."""
    from k2connect_cli.commands.sandbox import LOG_LEVELS
    from k2connect_sandbox.console import LEVELS

    assert list(LOG_LEVELS) == list(LEVELS)
