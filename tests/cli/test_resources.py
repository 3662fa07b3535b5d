"""``k2connect status`` (one read) and ``k2connect wait`` (poll to the end)."""

from __future__ import annotations

import json

from k2connect_ext import K2
from k2connect_sandbox.testing import RunningSandbox

from .conftest import CALLBACK, Invoke, assert_clean, parse_lines

STK = ("stk-push", "--till", "K000000", "--amount", "100", "--callback-url", CALLBACK)


def _push(k2: Invoke, phone: str = "0712345678") -> str:
    result = k2("--json", *STK, "--phone", phone)
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["location"])


def _payment_link(sandbox: RunningSandbox) -> str:
    """An unpaid payment link: it stays pending until someone pays it."""
    with K2(sandbox.client_id, sandbox.client_secret, base_url=sandbox.base_url) as client:
        return client.create_payment_link(till_number="K000000", amount=50, callback_url=CALLBACK).location


def test_status_human(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """One read prints location, kind, id, status and state as aligned lines."""
    location = _push(k2)
    result = k2("status", location)
    assert_clean(result, 0, k2_sandbox)
    lines = parse_lines(result.stdout)
    assert lines["location"] == location
    assert lines["kind"] == "incoming_payment"
    assert lines["status"] == "Success"
    assert lines["callback_url"] == CALLBACK
    assert result.stderr == ""


def test_status_json(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """``--json`` prints one object: location, id, kind, status, state and the resource."""
    location = _push(k2)
    result = k2("--json", "status", location)
    assert_clean(result, 0, k2_sandbox)
    document = json.loads(result.stdout)
    assert document["location"] == location
    assert document["state"] == "succeeded"
    assert document["resource"]["data"]["type"] == "incoming_payment"


def test_status_of_failed_payment_exits_0(k2: Invoke) -> None:
    """``status`` reports a failed payment but the read itself succeeded: exit 0."""
    result = k2("--json", "status", _push(k2, "0712340002"))
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["state"] == "failed"
    assert document["reason"] == "Request cancelled by user"


def test_status_relative_location(k2: Invoke) -> None:
    """A relative /api/... Location is read through --base-url."""
    location = _push(k2)
    path = location.split("://", 1)[1].split("/", 1)[1]
    result = k2("status", "/" + path)
    assert result.exit_code == 0, result.output
    assert parse_lines(result.stdout)["status"] == "Success"


def test_status_not_found_exit_4(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """An unknown resource is K2's 404: exit 4, and the JSON error carries the status code."""
    result = k2("--json", "status", "/api/v2/incoming_payments/no-such-id")
    assert_clean(result, 4, k2_sandbox)
    assert json.loads(result.stdout)["error"]["status_code"] == 404
    assert "404" in result.stderr


def test_status_not_a_location_exit_2(k2: Invoke) -> None:
    """Something that is not a K2 Location is a usage error."""
    result = k2("status", "https://example.com/whatever")
    assert result.exit_code == 2
    assert "not a K2 resource location" in result.stderr


def test_status_server_error_exit_5(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """K2 answering 500 to the read exits 5."""
    location = _push(k2)
    fault = {"operation_id": "v2_get_incoming_payment", "kind": "status_500"}
    assert k2_sandbox.control("POST", "/sandbox/faults", fault).status_code == 201
    result = k2("status", location)
    assert_clean(result, 5, k2_sandbox)


def test_wait_success_human(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """``wait`` prints the final resource; progress is one plain line on stderr (not a TTY)."""
    location = _push(k2)
    result = k2("wait", location, "--timeout", "10")
    assert_clean(result, 0, k2_sandbox)
    assert parse_lines(result.stdout)["state"] == "succeeded"
    assert result.stderr.startswith("waiting for incoming_payment ")
    assert result.stderr.count("\n") == 1
    assert "\r" not in result.stderr


def test_wait_success_json(k2: Invoke) -> None:
    """``wait --json`` prints one JSON object; stdout holds nothing else."""
    result = k2("wait", _push(k2), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["status"] == "Success"


def test_wait_failed_exit_1(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """Waiting on a payment that fails exits 1 with K2's reason."""
    result = k2("wait", _push(k2, "0712340004"))
    assert_clean(result, 1, k2_sandbox)
    assert "The balance is insufficient for the transaction." in result.stderr


def test_wait_timeout_exit_7(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """A resource still pending at the deadline exits 7 and says how to keep waiting."""
    location = _payment_link(k2_sandbox)
    result = k2("wait", location, "--timeout", "0.3")
    assert_clean(result, 7, k2_sandbox)
    assert f"k2connect wait {location}" in result.stderr


def test_wait_timeout_json(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """The poll-timeout JSON error carries the location and the last status seen."""
    location = _payment_link(k2_sandbox)
    result = k2("--json", "wait", location, "--timeout", "0.2")
    assert_clean(result, 7, k2_sandbox)
    error = json.loads(result.stdout)["error"]
    assert error["code"] == 7
    assert error["location"] == location
    assert error["last_status"] == "Active"
