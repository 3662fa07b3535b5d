"""``k2connect stk-push`` and ``k2connect send-money`` against the sandbox: output, waits, failures."""

from __future__ import annotations

import json
from pathlib import Path

from k2connect_ext._locations import parse_location
from k2connect_sandbox.testing import RunningSandbox

from .conftest import CALLBACK, Invoke, assert_clean, parse_lines

STK = ("stk-push", "--till", "K000000", "--amount", "100", "--callback-url", CALLBACK)
GOOD_PHONE = "0712345678"
FAILING_PHONE = "0712340001"  # the sandbox fails STK pushes from numbers ending 0001 (outcomes.py)


def _arm_fault(sandbox: RunningSandbox, operation: str, kind: str, **extra: object) -> None:
    response = sandbox.control("POST", "/sandbox/faults", {"operation_id": operation, "kind": kind, **extra})
    assert response.status_code == 201, response.text


def test_stk_push_human(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """Without --wait the Location, id and kind are printed as aligned lines."""
    result = k2(*STK, "--phone", GOOD_PHONE, "--metadata", "order=1234")
    assert_clean(result, 0, k2_sandbox)
    lines = parse_lines(result.stdout)
    ref = parse_location(lines["location"])
    assert ref.kind == "incoming_payment" == lines["kind"]
    assert ref.id == lines["id"]
    assert lines["location"].startswith(k2_sandbox.base_url + "/api/v2/incoming_payments/")


def test_stk_push_json(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """``--json`` prints exactly one JSON object with location, id and kind."""
    result = k2("--json", *STK, "--phone", GOOD_PHONE)
    assert_clean(result, 0, k2_sandbox)
    document = json.loads(result.stdout)
    assert set(document) == {"location", "id", "kind"}
    assert document["kind"] == "incoming_payment"


def test_stk_push_wait_success_human(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """``--wait`` prints the final outcome: status Success and the M-PESA reference."""
    result = k2(*STK, "--phone", GOOD_PHONE, "--wait", "--timeout", "10")
    assert_clean(result, 0, k2_sandbox)
    lines = parse_lines(result.stdout)
    assert lines["status"] == "Success"
    assert lines["state"] == "succeeded"
    assert lines["reference"]
    assert lines["amount"] == "100.0"
    assert "waiting for incoming_payment" in result.stderr


def test_stk_push_wait_success_json(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """``--wait --json`` prints one object with the state and the full resource, metadata included."""
    result = k2("--json", *STK, "--phone", GOOD_PHONE, "--metadata", "order=1234", "--wait")
    assert_clean(result, 0, k2_sandbox)
    document = json.loads(result.stdout)
    assert document["state"] == "succeeded"
    assert document["status"] == "Success"
    assert document["resource"]["data"]["attributes"]["metadata"] == {"order": "1234"}


def test_stk_push_failing_phone_wait_exit_1(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """A push the customer's phone rejects (test number ...0001) exits 1 with K2's reason."""
    result = k2(*STK, "--phone", FAILING_PHONE, "--wait")
    assert_clean(result, 1, k2_sandbox)
    assert "The initiator information is invalid." in result.stderr
    assert "location: " in result.stderr


def test_stk_push_failing_phone_wait_json(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """In JSON mode the failure is one object carrying status, reason, location and resource."""
    result = k2("--json", *STK, "--phone", FAILING_PHONE, "--wait")
    assert_clean(result, 1, k2_sandbox)
    error = json.loads(result.stdout)["error"]
    assert error["code"] == 1
    assert error["status"] == "Failed"
    assert error["reason"] == "The initiator information is invalid."
    assert parse_location(error["location"]).kind == "incoming_payment"
    assert error["resource"]["data"]["attributes"]["status"] == "Failed"


def test_stk_push_failing_phone_without_wait_exits_0(k2: Invoke) -> None:
    """Without --wait only the request is judged: it was accepted, so exit 0."""
    assert k2(*STK, "--phone", FAILING_PHONE).exit_code == 0


def test_stk_push_invalid_phone_exit_2(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """A phone the SDK refuses locally is a usage error naming the field; nothing is sent."""
    result = k2(*STK, "--phone", "07123")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: invalid input: ") and "phone_number" in result.stderr
    assert k2_sandbox.app.sandbox.store.count("tokens") == 0


def test_stk_push_missing_option_exit_2(k2: Invoke) -> None:
    """A missing required option is click's usage error, exit 2."""
    result = k2("stk-push", "--amount", "100", "--till", "K000000", "--callback-url", CALLBACK)
    assert result.exit_code == 2
    assert "Missing option '--phone'" in result.stderr
    assert "Traceback" not in result.output


def test_stk_push_bad_metadata_exit_2(k2: Invoke) -> None:
    """``--metadata`` without ``=`` is a usage error."""
    result = k2(*STK, "--phone", GOOD_PHONE, "--metadata", "order")
    assert result.exit_code == 2
    assert "KEY=VALUE" in result.stderr


def test_stk_push_dropped_connection_exit_6(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """A POST answered by a dropped connection is ambiguous: exit 6 with how to reconcile."""
    _arm_fault(k2_sandbox, "v2_create_incoming_payment", "drop")
    result = k2(*STK, "--phone", GOOD_PHONE, "--metadata", "order=1234")
    assert_clean(result, 6, k2_sandbox)
    assert "MAY have moved money" in result.stderr
    assert CALLBACK in result.stderr
    assert "order" in result.stderr


def test_stk_push_dropped_connection_json(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """The ambiguous-outcome JSON carries the request body and callback URL to reconcile with."""
    _arm_fault(k2_sandbox, "v2_create_incoming_payment", "drop", after_processing=True)
    result = k2("--json", *STK, "--phone", GOOD_PHONE, "--metadata", "order=1234")
    assert_clean(result, 6, k2_sandbox)
    error = json.loads(result.stdout)["error"]
    assert error["code"] == 6
    assert error["callback_url"] == CALLBACK
    assert error["request_body"]["metadata"] == {"order": "1234"}


def test_stk_push_server_error_exit_6(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """K2 answering 500 to the create says nothing about whether money moved: ambiguous, exit 6."""
    _arm_fault(k2_sandbox, "v2_create_incoming_payment", "status_500")
    result = k2(*STK, "--phone", GOOD_PHONE)
    assert_clean(result, 6, k2_sandbox)
    assert "500" in result.stderr
    assert "poll_transactions" in result.stderr


def test_stk_push_no_location_exit_6(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """A 201 without a Location was probably created but cannot be followed: exit 6."""
    _arm_fault(k2_sandbox, "v2_create_incoming_payment", "no_location")
    result = k2(*STK, "--phone", GOOD_PHONE)
    assert_clean(result, 6, k2_sandbox)
    assert "Location" in result.stderr


def test_send_money_one_destination_wait(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """One mobile wallet destination from options, waited for: Processed, with its M-PESA reference."""
    result = k2("send-money", "--callback-url", CALLBACK, "--to-phone", GOOD_PHONE, "--amount", "250",
                "--description", "Refund", "--wait")  # fmt: skip
    assert_clean(result, 0, k2_sandbox)
    lines = parse_lines(result.stdout)
    assert lines["kind"] == "send_money"
    assert lines["status"] == "Processed"
    assert lines["destinations"] == "1"
    assert lines["reference"]


def test_send_money_destinations_json_stdin(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """``--destinations-json -`` reads a list of any destination types from stdin."""
    destinations = [
        {"type": "till", "till_number": "000000", "amount": 50, "description": "Supplies"},
        {"type": "paybill", "paybill_number": "888880", "paybill_account_number": "ACC1", "amount": "20",
         "description": "Rent"},
    ]  # fmt: skip
    result = k2("--json", "send-money", "--callback-url", CALLBACK, "--destinations-json", "-", "--wait",
                input=json.dumps(destinations))  # fmt: skip
    assert_clean(result, 0, k2_sandbox)
    document = json.loads(result.stdout)
    sent = document["resource"]["data"]["attributes"]["destinations"]
    assert [item["type"] for item in sent] == ["till", "paybill"]
    assert document["state"] == "succeeded"


def test_send_money_options_and_file_combined(k2: Invoke, tmp_path: Path) -> None:
    """The option destination comes first, then those of the file."""
    path = tmp_path / "destinations.json"
    path.write_text(json.dumps([{"type": "till", "till_number": "000000", "amount": 5, "description": "x"}]))
    result = k2("--json", "send-money", "--callback-url", CALLBACK, "--to-phone", GOOD_PHONE, "--amount", "1",
                "--description", "y", "--destinations-json", str(path), "--wait")  # fmt: skip
    assert result.exit_code == 0, result.output
    sent = json.loads(result.stdout)["resource"]["data"]["attributes"]["destinations"]
    assert [item["type"] for item in sent] == ["mobile_wallet", "till"]


def test_send_money_bad_destination_type_exit_2(k2: Invoke) -> None:
    """An unknown destination type in the JSON is refused before sending, exit 2."""
    result = k2("send-money", "--callback-url", CALLBACK, "--destinations-json", "-",
                input='[{"type": "crypto", "amount": 1}]')  # fmt: skip
    assert result.exit_code == 2
    assert "destinations[0].type" in result.stderr


def test_send_money_destination_missing_field_exit_2(k2: Invoke) -> None:
    """A destination missing a field names it."""
    result = k2("send-money", "--callback-url", CALLBACK, "--destinations-json", "-",
                input='[{"type": "till", "till_number": "000000", "amount": 1}]')  # fmt: skip
    assert result.exit_code == 2
    assert "description" in result.stderr


def test_send_money_destinations_not_json_exit_2(k2: Invoke) -> None:
    """A destinations file that is not JSON is a usage error."""
    result = k2("send-money", "--callback-url", CALLBACK, "--destinations-json", "-", input="nope")
    assert result.exit_code == 2
    assert "not valid JSON" in result.stderr


def test_send_money_partial_destination_exit_2(k2: Invoke) -> None:
    """``--to-phone`` without amount and description is a usage error naming what is missing."""
    result = k2("send-money", "--callback-url", CALLBACK, "--to-phone", GOOD_PHONE)
    assert result.exit_code == 2
    assert "--amount" in result.stderr and "--description" in result.stderr


def test_send_money_without_destination_exit_2(k2: Invoke) -> None:
    """No destination at all needs an explicit --sweep."""
    result = k2("send-money", "--callback-url", CALLBACK)
    assert result.exit_code == 2
    assert "--sweep" in result.stderr


def test_send_money_sweep(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """``--sweep`` sends money with no destination (to the merchant's own accounts)."""
    result = k2("send-money", "--callback-url", CALLBACK, "--sweep", "--wait")
    assert_clean(result, 0, k2_sandbox)
    assert parse_lines(result.stdout)["kind"] == "send_money"
