"""``k2connect webhook verify`` on webhooks and callbacks the sandbox really sent."""

from __future__ import annotations

import json
from typing import Any

from k2connect_ext.webhooks import compute_signature
from k2connect_sandbox.testing import RunningSandbox

from .conftest import Invoke, assert_clean, parse_lines

# Nothing listens there: the sandbox records each attempt (body and signature) and gives up quietly.
DEAD_RECEIVER = "http://127.0.0.1:9/k2"


def _webhook(k2: Invoke, sandbox: RunningSandbox) -> dict[str, Any]:
    """A buygoods_transaction_received delivery attempt: the exact body and signature sent."""
    subscribed = k2("subscribe", "--event-type", "buygoods_transaction_received", "--url", DEAD_RECEIVER,
                    "--scope", "till", "--scope-reference", "000000")  # fmt: skip
    assert subscribed.exit_code == 0, subscribed.output
    simulated = k2("sandbox", "simulate", "buygoods", "--till", "000000", "--amount", "75.50")
    assert simulated.exit_code == 0, simulated.output
    return sandbox.wait_for_deliveries(bool, kind="webhook", topic="buygoods_transaction_received")[0]


def test_verify_good_signature_human(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """A genuine webhook exits 0 and prints its kind, topic, id and amount."""
    sent = _webhook(k2, k2_sandbox)
    result = k2("webhook", "verify", "--signature", sent["signature"], input=sent["body"].encode())
    assert_clean(result, 0, k2_sandbox)
    lines = parse_lines(result.stdout)
    assert lines["kind"] == "webhook"
    assert lines["topic"] == "buygoods_transaction_received"
    assert lines["id"] == sent["event_id"]
    assert lines["amount"] == "75.5"
    assert sent["signature"] not in result.output


def test_verify_good_signature_json(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """``--json`` prints one object; the amount stays an exact decimal string."""
    sent = _webhook(k2, k2_sandbox)
    result = k2("--json", "webhook", "verify", "--signature", sent["signature"], input=sent["body"].encode())
    assert_clean(result, 0, k2_sandbox)
    document = json.loads(result.stdout)
    assert document["valid"] is True
    assert document["topic"] == "buygoods_transaction_received"
    assert document["currency"] == "KES"
    assert document["amount"] == "75.5"


def test_verify_callback_result(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """A callback result (STK push) verifies too and reports its status."""
    pushed = k2("stk-push", "--phone", "0712345678", "--amount", "10", "--till", "K000000",
                "--callback-url", DEAD_RECEIVER, "--wait")  # fmt: skip
    assert pushed.exit_code == 0, pushed.output
    sent = k2_sandbox.wait_for_deliveries(bool, kind="callback")[0]
    result = k2("--json", "webhook", "verify", "--signature", sent["signature"], input=sent["body"].encode())
    assert_clean(result, 0, k2_sandbox)
    document = json.loads(result.stdout)
    assert (document["kind"], document["topic"], document["status"]) == (
        "result",
        "incoming_payment",
        "Success",
    )


def test_verify_bad_signature_exit_1(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """A signature made with another key exits 1 with one line that does not quote it."""
    sent = _webhook(k2, k2_sandbox)
    forged = compute_signature(sent["body"].encode(), "someone-elses-key")
    result = k2("webhook", "verify", "--signature", forged, input=sent["body"].encode())
    assert_clean(result, 1, k2_sandbox)
    assert result.stderr.startswith("error: invalid webhook: ")
    assert forged not in result.output
    assert result.stdout == ""


def test_verify_altered_body_exit_1(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """One changed byte of the body fails verification; neither signature is printed."""
    sent = _webhook(k2, k2_sandbox)
    body = sent["body"].replace("75.5", "95.5").encode()
    result = k2("--json", "webhook", "verify", "--signature", sent["signature"], input=body)
    assert_clean(result, 1, k2_sandbox)
    assert json.loads(result.stdout)["error"]["code"] == 1
    assert sent["signature"] not in result.output
    assert compute_signature(body, k2_sandbox.api_key) not in result.output


def test_verify_malformed_signature_exit_1(k2: Invoke) -> None:
    """A header that is not 64 hex characters is invalid, exit 1."""
    result = k2("webhook", "verify", "--signature", "abc", input=b"{}")
    assert result.exit_code == 1
    assert "malformed" in result.stderr


def test_verify_signed_garbage_exit_1(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """A correctly signed body that is not JSON is still invalid, exit 1."""
    body = b"\xff not json"
    result = k2("webhook", "verify", "--signature", compute_signature(body, k2_sandbox.api_key), input=body)
    assert_clean(result, 1, k2_sandbox)


def test_verify_api_key_option_overrides_global(run: Invoke, k2_sandbox: RunningSandbox) -> None:
    """``verify --api-key`` works without any global option."""
    body = b'{"data": {"id": "x", "type": "something_new", "attributes": {}}}'
    signature = compute_signature(body, "local-key-1234")
    result = run(["webhook", "verify", "--api-key", "local-key-1234", "--signature", signature], input=body)
    assert_clean(result, 0)
    assert parse_lines(result.stdout)["kind"] == "unknown"
    assert "local-key-1234" not in result.output


def test_verify_without_api_key_exit_3(run: Invoke) -> None:
    """No API key anywhere is a configuration error."""
    result = run(["webhook", "verify", "--signature", "0" * 64], input=b"{}")
    assert_clean(result, 3)
    assert "K2_API_KEY" in result.stderr


def test_verify_missing_signature_exit_2(k2: Invoke) -> None:
    """``--signature`` is required."""
    result = k2("webhook", "verify", input=b"{}")
    assert result.exit_code == 2
    assert "Missing option '--signature'" in result.stderr
