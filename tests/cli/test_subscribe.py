"""``k2connect subscribe``."""

from __future__ import annotations

import json

from k2connect_sandbox.testing import RunningSandbox

from .conftest import Invoke, assert_clean, parse_lines

SUBSCRIBE = (
    "subscribe",
    "--event-type",
    "buygoods_transaction_received",
    "--url",
    "https://example.com/k2/wh",
)


def test_subscribe_human(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """A till-scoped subscription prints its Location; reading it back shows it Active."""
    result = k2(*SUBSCRIBE, "--scope", "till", "--scope-reference", "000000")
    assert_clean(result, 0, k2_sandbox)
    lines = parse_lines(result.stdout)
    assert lines["kind"] == "webhook_subscription"
    shown = parse_lines(k2("status", lines["location"]).stdout)
    assert shown["status"] == "Active"
    assert shown["scope_reference"] == "000000"
    assert shown["webhook_uri"] == "https://example.com/k2/wh"


def test_subscribe_json_daraja(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """``--daraja --json`` subscribes with the Daraja payload and prints one object."""
    result = k2("--json", *SUBSCRIBE, "--scope", "till", "--scope-reference", "000000", "--daraja")
    assert_clean(result, 0, k2_sandbox)
    document = json.loads(result.stdout)
    read = json.loads(k2("--json", "status", document["location"]).stdout)
    assert read["resource"]["data"]["attributes"]["enable_daraja_payload"] is True


def test_subscribe_till_scope_without_reference_exit_2(k2: Invoke) -> None:
    """A till scope without the till is refused before sending."""
    result = k2(*SUBSCRIBE, "--scope", "till")
    assert result.exit_code == 2
    assert "scope_reference" in result.stderr


def test_subscribe_unknown_event_type_exit_2(k2: Invoke) -> None:
    """An event type K2 does not have is click's usage error."""
    result = k2("subscribe", "--event-type", "nonsense", "--url", "https://example.com/wh")
    assert result.exit_code == 2
    assert "Invalid value for '--event-type'" in result.stderr


def test_an_event_the_version_does_not_offer_is_refused_before_sending(k2: Invoke) -> None:
    """m2m is a v1 event: with --api-version v2 the SDK refuses it (exit 2, naming the field)."""
    result = k2("subscribe", "--event-type", "m2m_transaction_received", "--url", "https://example.com/k2")
    assert result.exit_code == 2, result.stderr
    assert "event_type" in result.stderr
