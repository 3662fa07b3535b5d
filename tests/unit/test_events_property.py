"""Property tests for k2connect_ext.webhooks._events: bodies drawn from the spec's own webhook and callback
schemas.

schemathesis ignores top-level ``webhooks`` and ``components/pathItems`` (tooling.md §3), so both are promoted
to synthetic paths and their request bodies are drawn with schemathesis' generator, which understands the
spec's 3.1 ``const``, type arrays and formats.
"""

from __future__ import annotations

import copy
import json
import os
from typing import Any

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from k2connect_client.models import DarajaTransactionWebhook

from k2connect_ext._exceptions import WebhookPayloadError
from k2connect_ext.webhooks._events import EventKind, K2Event, parse_event
from tests.fixtures import SPEC_PATH

SPEC: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))

# data.type is a plain string in the spec (K2 spells "reversal" two ways), so a drawn body carries a random
# one; the test writes the type K2 sends for that callback, so each body exercises its own model.
CALLBACK_TYPES = {
    "IncomingPaymentResult": "incoming_payment",
    "PaymentResult": "payment",
    "SettlementTransferResult": "settlement_transfer",
    "PollingResult": "polling",
    "TransactionSmsNotificationResult": "transaction_sms_notification",
    "SendMoneyResult": "send_money",
    "ReversalResult": "reversal",
    "PaymentLinkResult": "payment_link",
}
# Drawing a body costs ~15 ms (schemathesis' generator dominates), and 18 schemas share a ~20 s budget for
# the whole events/receivers suite: 30 each by default, more on demand (K2_PROPERTY_EXAMPLES=200).
EXAMPLES = settings(
    max_examples=int(os.environ.get("K2_PROPERTY_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def _promoted(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with only synthetic paths: one per webhook and one per callback path item."""
    spec = copy.deepcopy(spec)
    paths = {f"/__webhooks/{name}": item for name, item in spec.pop("webhooks").items()}
    paths.update({f"/__callbacks/{name}": item for name, item in spec["components"]["pathItems"].items()})
    spec["paths"] = paths
    return spec


PROMOTED = schemathesis.openapi.from_dict(_promoted(SPEC))
# Only bodies matter here; fixing the (pattern-constrained) signature header saves drawing it every time.
FIXED_HEADERS = {"X-KopoKopo-Signature": "0" * 64}


def _schema_name(ref_holder: dict[str, Any]) -> str:
    return str(ref_holder["$ref"]).rsplit("/", 1)[-1]


def _webhook_models(name: str) -> set[str]:
    """The component schema names a webhook body may be (one, or a oneOf with the Daraja format)."""
    schema = SPEC["webhooks"][name]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return {_schema_name(item) for item in schema.get("oneOf", [schema])}


def _assert_round_trips(event: K2Event, body: dict[str, Any]) -> None:
    assert event.to_dict() == body
    assert parse_event(event.to_dict()) == event
    assert parse_event(json.dumps(body).encode()) == event
    model_dict = event.model.to_dict()
    assert type(event.model).from_dict(model_dict).to_dict() == model_dict
    assert event.amount is None or event.amount.is_finite()


@pytest.mark.parametrize("name", sorted(SPEC["webhooks"]))
def test_every_schema_valid_webhook_parses_to_its_model(name: str) -> None:
    """A body drawn from a webhook's schema parses to that schema's model and round-trips."""
    expected = _webhook_models(name)

    @given(PROMOTED[f"/__webhooks/{name}"]["POST"].as_strategy(headers=FIXED_HEADERS))
    @EXAMPLES
    def check(case: Any) -> None:
        body = case.body
        event = parse_event(body)
        assert type(event.model).__name__ in expected
        if isinstance(event.model, DarajaTransactionWebhook):
            assert event.kind is EventKind.DARAJA and event.id == body["TransID"]
        else:
            assert event.kind is EventKind.WEBHOOK and event.topic == name and event.id == body["id"]
        _assert_round_trips(event, body)

    check()


@pytest.mark.parametrize("name", sorted(SPEC["components"]["pathItems"]))
def test_every_schema_valid_callback_parses_to_its_model(name: str) -> None:
    """A body drawn from a callback's schema (with K2's data.type) parses to that model and round-trips."""

    @given(PROMOTED[f"/__callbacks/{name}"]["POST"].as_strategy(headers=FIXED_HEADERS))
    @EXAMPLES
    def check(case: Any) -> None:
        body = case.body
        body["data"]["type"] = CALLBACK_TYPES[name]
        event = parse_event(body)
        assert type(event.model).__name__ == name
        assert event.kind is EventKind.RESULT
        assert event.id == body["data"]["id"] and event.status == body["data"]["attributes"]["status"]
        _assert_round_trips(event, body)

    check()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def _parse_or_payload_error(body: bytes | str | dict[str, Any]) -> K2Event | None:
    """parse_event's result, or None when it raised WebhookPayloadError (anything else fails the test)."""
    try:
        return parse_event(body)
    except WebhookPayloadError:
        return None


@given(st.binary(max_size=300))
@settings(max_examples=300, deadline=None)
def test_random_bytes_never_crash(body: bytes) -> None:
    """Arbitrary bytes either parse or raise WebhookPayloadError, never anything else."""
    _parse_or_payload_error(body)


@given(JSON)
@settings(max_examples=200, deadline=None)
def test_random_json_never_crashes(value: Any) -> None:
    """Arbitrary JSON values either parse (and round-trip) or raise WebhookPayloadError."""
    event = _parse_or_payload_error(json.dumps(value).encode())
    if event is not None:
        assert event.to_dict() == value


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key/index path inside a JSON value."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, child in node.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found += _paths(child, (*prefix, index))
    return found


@pytest.mark.parametrize("name", ["settlement_transfer_completed"])  # the most deeply nested webhook
def test_mutated_webhooks_never_crash(name: str) -> None:
    """A schema-valid webhook with one value replaced by random JSON parses or raises WebhookPayloadError."""

    @given(PROMOTED[f"/__webhooks/{name}"]["POST"].as_strategy(headers=FIXED_HEADERS), st.data())
    @EXAMPLES
    def check(case: Any, data: st.DataObject) -> None:
        body = copy.deepcopy(case.body)
        path = data.draw(st.sampled_from(_paths(body)))
        parent = body
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = data.draw(JSON)
        event = _parse_or_payload_error(body)
        if event is not None:
            assert event.to_dict() == body

    check()


@pytest.mark.parametrize("name", ["IncomingPaymentResult", "SendMoneyResult"])
def test_mutated_callbacks_never_crash(name: str) -> None:
    """A schema-valid callback with one value replaced by random JSON parses or raises WebhookPayloadError."""

    @given(PROMOTED[f"/__callbacks/{name}"]["POST"].as_strategy(headers=FIXED_HEADERS), st.data())
    @EXAMPLES
    def check(case: Any, data: st.DataObject) -> None:
        # A copy: hypothesis replays a case while shrinking, and a body mutated in place would draw
        # differently the second time (FlakyStrategyDefinition).
        body = copy.deepcopy(case.body)
        assume(isinstance(body.get("data"), dict))
        body["data"]["type"] = CALLBACK_TYPES[name]
        path = data.draw(st.sampled_from(_paths(body)))
        parent = body
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = data.draw(JSON)
        event = _parse_or_payload_error(body)
        if event is not None:
            assert event.to_dict() == body

    check()
