"""Tests for k2connect_ext.webhooks._events: dispatching K2 bodies to typed events, and refusing malformed
ones."""

from __future__ import annotations

import base64
import copy
import json
import os
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from k2connect_client.models import (
    BuygoodsTransactionReceivedWebhook,
    DarajaTransactionWebhook,
    ReversalResult,
)

from k2connect_ext._exceptions import WebhookPayloadError, WebhookSignatureError
from k2connect_ext.webhooks._events import (
    EventKind,
    K2Event,
    ResultType,
    UnknownEvent,
    WebhookTopic,
    construct_event,
    parse_event,
)
from k2connect_ext.webhooks._signatures import compute_signature
from tests.fixtures import (
    FIXTURES_DIR,
    SPEC_PATH,
    absent_params,
    fixture_params,
    fixtures_present,
    load,
    missing_fixtures,
    payload_files,
    schema_for,
    signature_files,
)

EAT = timezone(timedelta(hours=3))
EVENT_SCHEMAS = {
    "BuygoodsTransactionReceivedWebhook",
    "BuygoodsTransactionReversedWebhook",
    "B2BTransactionReceivedWebhook",
    "B2BTransactionReversedWebhook",
    "M2MTransactionReceivedWebhook",
    "SettlementTransferCompletedWebhook",
    "CustomerCreatedWebhook",
    "DarajaTransactionWebhook",
    "IncomingPaymentResult",
    "PaymentResult",
    "SettlementTransferResult",
    "PollingResult",
    "TransactionSmsNotificationResult",
    "SendMoneyResult",
    "ReversalResult",
    "PaymentLinkResult",
}
EVENT_FIXTURES = [path for path in payload_files() if schema_for(path) in EVENT_SCHEMAS]
OTHER_FIXTURES = [path for path in payload_files() if schema_for(path) not in EVENT_SCHEMAS]

# Synthetic bodies (not copies of the shared fixtures), so these tests run on a user's clone too.
BUYGOODS: dict[str, Any] = {
    "topic": "buygoods_transaction_received",
    "id": "e1e1e1e1-0000-4000-8000-000000000001",
    "created_at": "2026-03-01T12:00:00+03:00",
    "event": {
        "type": "Buygoods Transaction",
        "resource": {
            "id": "tx-1",
            "amount": "250.50",
            "status": "Received",
            "currency": "KES",
            "reference": "ABC123XYZ9",
            "till_number": "000000",
            "sender_phone_number": "+254700000001",
            "sender_first_name": "Test",
            "sender_middle_name": None,
            "sender_last_name": "Payer",
        },
    },
    "_links": {"self": "https://example.test/webhook_events/e1", "resource": "https://example.test/ft/tx-1"},
}
STK_RESULT: dict[str, Any] = {
    "data": {
        "id": "stk-1",
        "type": "incoming_payment",
        "attributes": {
            "initiation_time": "2026-03-01T12:00:00.500+03:00",
            "status": "Success",
            "event": {
                "type": "Incoming Payment Request",
                "resource": {"amount": 10, "currency": "KES", "sender_phone_number": "+254700000002"},
                "errors": None,
            },
            "metadata": None,
        },
    }
}
DARAJA: dict[str, Any] = {
    "TransactionType": "Buygoods",
    "TransID": "QWE123RTY4",
    "TransTime": "20260301120005",
    "TransAmount": 75.25,
    "BusinessShortCode": "000000",
    "MSISDN": "254700000003",
}


def _body(value: dict[str, Any]) -> bytes:
    """Compact JSON bytes of a synthetic body."""
    return json.dumps(value).encode()


def _with(base: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of ``base`` with the dotted ``path`` set to ``value`` (or removed, for ``...``)."""
    body = copy.deepcopy(base)
    *parents, last = path.split(".")
    node = body
    for key in parents:
        node = node[key]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return body


# ------------------------------------------------------------------------------------- real fixtures


@pytest.mark.parametrize("path", fixture_params(EVENT_FIXTURES))
def test_fixture_parses_to_its_model(path: Path) -> None:
    """Every non-legacy webhook and result fixture parses to the model its schema names."""
    event = parse_event(path.read_bytes())
    assert type(event.model).__name__ == schema_for(path)
    assert event.kind is not EventKind.UNKNOWN
    assert event.id and event.topic


@pytest.mark.parametrize("path", fixture_params(EVENT_FIXTURES + OTHER_FIXTURES))
def test_fixture_to_dict_equals_input(path: Path) -> None:
    """to_dict() gives back exactly the decoded body, whatever its kind."""
    assert parse_event(path.read_bytes()).to_dict() == load(path)


@pytest.mark.parametrize("path", fixture_params(OTHER_FIXTURES))
def test_non_event_fixture_is_unknown_and_kept(path: Path) -> None:
    """Token and error bodies are no event: they come back as UnknownEvent with their data."""
    event = parse_event(path.read_bytes())
    assert event.kind is EventKind.UNKNOWN
    assert isinstance(event.model, UnknownEvent) and event.model.data == load(path)


def _fixture(name: str) -> K2Event:
    """Parse one named fixture, skipping when the shared folder is absent."""
    if not fixtures_present():
        missing_fixtures()
    return parse_event((FIXTURES_DIR / name).read_bytes())


def test_buygoods_fixture_convenience_values() -> None:
    """The buy-goods webhook exposes its id, time, amount, phone and M-PESA code."""
    event = _fixture("webhook_buygoods_transaction_received.json")
    assert event.kind is EventKind.WEBHOOK
    assert event.topic is WebhookTopic.BUYGOODS_TRANSACTION_RECEIVED
    assert event.id == "2133dbfb-24b9-40fc-ae57-2d7559785760"
    assert event.created_at == datetime(2020, 10, 22, 10, 43, 20, tzinfo=EAT)
    assert event.resource_id == "458712f-gr76y-24b9-40fc-ae57-2d35785760"
    assert event.amount == Decimal("100.0") and str(event.amount) == "100.0"
    assert (event.currency, event.phone, event.status) == ("KES", "+254999999999", "Received")
    assert event.reference == "OJM6Q1W84K"
    assert not event.is_success and not event.is_failure  # webhooks report facts, not outcomes


def test_customer_created_fixture_takes_resource_id_from_links() -> None:
    """customer_created has no resource id: the customer id comes from _links.resource."""
    event = _fixture("webhook_customer_created.json")
    assert event.resource_id == "8248a689-490e-4196-930a-db5fcbe58f6c"
    assert event.phone == "+254999999999" and event.amount is None


def test_stk_results_fixture_outcomes() -> None:
    """A successful STK result is a success with the payment's facts; a failed one is a failure."""
    success = _fixture("result_incoming_payment_success.json")
    assert success.kind is EventKind.RESULT and success.topic is ResultType.INCOMING_PAYMENT
    assert success.is_success and not success.is_failure
    assert (success.amount, success.phone, success.reference) == (
        Decimal("100.0"),
        "+254999999999",
        "OJJ1MPU40Z",
    )
    assert success.created_at == datetime(2020, 10, 19, 9, 24, 48, 622000, tzinfo=EAT)
    failed = _fixture("result_incoming_payment_failed.json")
    assert failed.is_failure and not failed.is_success
    assert failed.amount is None and failed.reference is None


def test_payment_link_fixture_numeric_amount_and_phone() -> None:
    """A JSON-number amount becomes an exact Decimal and a numeric phone a string."""
    event = _fixture("result_payment_link_paid.json")
    assert event.amount == Decimal("3101") and event.phone == "254716230902"
    assert event.reference == "DAVSTK1777482274"


def test_daraja_fixture_convenience_values() -> None:
    """A Daraja body is keyed by TransID, its TransTime read as Nairobi time."""
    event = _fixture("webhook_daraja_paybill_python.json")
    assert event.kind is EventKind.DARAJA and event.topic == "daraja:Pay Bill"
    assert (event.id, event.reference, event.amount) == ("LGR219G3EY", "LGR219G3EY", Decimal("10.00"))
    assert event.created_at == datetime(2017, 7, 27, 10, 42, 47, tzinfo=EAT)
    assert event.phone == "254901234567"


# --------------------------------------------------------------------------------- signature vectors


def _vectors() -> list[Any]:
    """One param per (signature vector, known key)."""
    if not fixtures_present():
        return absent_params(4)
    params = []
    for path in signature_files():
        vector = json.loads(path.read_text(encoding="utf-8"))
        body = base64.b64decode(vector["body_base64"], validate=True)  # the exact signed bytes
        for index, known in enumerate(vector["known_signatures"]):
            params.append(
                pytest.param(
                    body, known["key"], known["signature"], vector["fixture"], id=f"{path.stem}-{index}"
                )
            )
    return params


@pytest.mark.parametrize(("body", "key", "signature", "fixture"), _vectors())
def test_construct_event_with_signature_vectors(
    body: bytes, key: str, signature: str, fixture: str | None
) -> None:
    """Each known signature verifies over its exact bytes and the body parses like its fixture."""
    if fixture is None:  # the Ruby vector signs the JSON string "hello": verified, then refused
        with pytest.raises(WebhookPayloadError, match="must be a JSON object, got string"):
            construct_event(body, signature, key)
        return
    event = construct_event(body, signature, key)
    assert event.to_dict() == load(FIXTURES_DIR / fixture)
    assert event.kind is not EventKind.UNKNOWN
    with pytest.raises(WebhookSignatureError):
        construct_event(body, signature, key + "x")
    with pytest.raises(WebhookSignatureError):
        construct_event(body + b" ", signature, key)


def test_construct_event_checks_signature_before_parsing() -> None:
    """A malformed body with a bad signature is a signature error: unsigned bytes are never parsed."""
    with pytest.raises(WebhookSignatureError):
        construct_event(b"not json", "0" * 64, "key")
    with pytest.raises(WebhookSignatureError):
        construct_event(b"{}", None, "key")
    body = _body(BUYGOODS)
    assert construct_event(body, compute_signature(body, "new"), ["old", "new"]).id == BUYGOODS["id"]


# ------------------------------------------------------------------------------- synthetic payloads


def test_synthetic_webhook_convenience_values() -> None:
    """A synthetic buy-goods webhook parses with exact Decimal amount and typed model."""
    event = parse_event(_body(BUYGOODS))
    assert isinstance(event.model, BuygoodsTransactionReceivedWebhook)
    assert event.model.event.resource.reference == "ABC123XYZ9"
    assert event.amount == Decimal("250.50") and event.phone == "+254700000001"
    assert event.dedup_key == f"webhook:{BUYGOODS['id']}"


def test_input_types_are_equivalent() -> None:
    """bytes, bytearray, memoryview, str and a mapping give equal events; the mapping is not altered."""
    original = copy.deepcopy(BUYGOODS)
    events = [
        parse_event(_body(BUYGOODS)),
        parse_event(bytearray(_body(BUYGOODS))),
        parse_event(memoryview(_body(BUYGOODS))),
        parse_event(json.dumps(BUYGOODS)),
        parse_event(BUYGOODS),
    ]
    assert all(event == events[0] for event in events)
    assert original == BUYGOODS


def test_to_dict_is_a_copy() -> None:
    """Changing what to_dict() returned does not change the event."""
    event = parse_event(BUYGOODS)
    copied = event.to_dict()
    copied["event"]["resource"]["amount"] = "0"
    assert event.to_dict() == BUYGOODS and event.model.to_dict()["event"]["resource"]["amount"] == "250.50"


def test_float_amount_is_exact() -> None:
    """A float amount keeps its decimal digits (no binary rounding error)."""
    event = parse_event(_with(BUYGOODS, "event.resource.amount", 0.1))
    assert event.amount == Decimal("0.1")


@pytest.mark.parametrize(
    "amount", ["abc", "", "NaN", "-Infinity", ...], ids=["text", "empty", "nan", "inf", "absent"]
)
def test_unusable_amount_is_none(amount: Any) -> None:
    """An amount that is no finite number (or none at all) gives amount None, not an error or a NaN."""
    assert parse_event(_with(BUYGOODS, "event.resource.amount", amount)).amount is None


def test_created_at_naive_or_odd() -> None:
    """A naive timestamp is Nairobi time; one that is no timestamp gives created_at None."""
    assert parse_event(_with(BUYGOODS, "created_at", "2026-03-01 12:00:00")).created_at == datetime(
        2026, 3, 1, 12, tzinfo=EAT
    )
    assert parse_event(_with(BUYGOODS, "created_at", "yesterday")).created_at is None


def test_stk_result_convenience_values() -> None:
    """An STK result takes its time from initiation_time and its facts from event.resource."""
    event = parse_event(STK_RESULT)
    assert event.kind is EventKind.RESULT and event.topic == "incoming_payment"
    assert (event.id, event.resource_id, event.status) == ("stk-1", "stk-1", "Success")
    assert event.created_at == datetime(2026, 3, 1, 12, 0, 0, 500000, tzinfo=EAT)
    assert (event.amount, event.currency, event.phone) == (Decimal("10"), "KES", "+254700000002")
    assert event.is_success and event.dedup_key == "result:incoming_payment:stk-1:Success"


@pytest.mark.parametrize(
    ("status", "success", "failure"),
    [
        ("Processed", True, False),
        ("Failed", False, True),
        ("Pending", False, False),
        ("Scheduled", False, False),
    ],
)
def test_result_outcome_hints(status: str, success: bool, failure: bool) -> None:
    """is_success/is_failure follow the documented statuses; anything else is neither."""
    event = parse_event(_with(STK_RESULT, "data.attributes.status", status))
    assert (event.is_success, event.is_failure) == (success, failure)


def test_result_dedup_key_changes_with_status() -> None:
    """A later status of the same request is a different key, so it is never dropped as a duplicate."""
    pending = parse_event(_with(STK_RESULT, "data.attributes.status", "Pending"))
    assert pending.dedup_key != parse_event(STK_RESULT).dedup_key


def test_reversals_spelling_is_folded() -> None:
    """data.type "reversals" (some GET bodies) is the reversal topic and model."""
    body = {"data": {"id": "r-1", "type": "reversals", "attributes": {"status": "Received"}}}
    event = parse_event(body)
    assert event.topic is ResultType.REVERSAL and isinstance(event.model, ReversalResult)
    assert event.to_dict() == body


@pytest.mark.parametrize(
    ("batches", "reference", "phone"),
    [
        (
            [{"disbursements": [{"transaction_reference": "M1", "phone_number": "254700000004"}]}],
            "M1",
            "254700000004",
        ),
        ([{"disbursements": [{"transaction_reference": "M1"}, {"transaction_reference": "M2"}]}], None, None),
        (None, None, None),
    ],
)
def test_send_money_reference_from_single_disbursement(
    batches: Any, reference: str | None, phone: str | None
) -> None:
    """With one disbursement its M-PESA code and phone are reported; with several, none is."""
    body = {
        "data": {
            "id": "sm-1",
            "type": "send_money",
            "attributes": {"status": "Processed", "currency": "KES", "transfer_batches": batches},
        }
    }
    event = parse_event(body)
    assert (event.reference, event.phone, event.currency, event.amount) == (reference, phone, "KES", None)


@pytest.mark.parametrize(
    ("result_type", "attributes", "expected"),
    [
        ("payment", {"amount": {"value": 780, "currency": "KES"}}, (Decimal("780"), "KES", None)),
        ("settlement_transfer", {"amount": {"value": None, "currency": "KES"}}, (None, "KES", None)),
        (
            "reversal",
            {"reversal_bulk_payment": {"amount": "201.0", "transaction_reference": "R1"}},
            (Decimal("201.0"), None, "R1"),
        ),
        (
            "polling",
            {"transactions": [{"type": "Buygoods Transaction", "resource": {"amount": "1"}}]},
            (None, None, None),
        ),
        ("transaction_sms_notification", {"message": "hi"}, (None, None, None)),
    ],
)
def test_result_amounts_by_type(
    result_type: str, attributes: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    """Each result type reads amount, currency and reference from where K2 puts them."""
    body = {"data": {"id": "x-1", "type": result_type, "attributes": {"status": "Processed", **attributes}}}
    event = parse_event(body)
    assert (event.amount, event.currency, event.reference) == expected
    assert event.topic == result_type


@pytest.mark.parametrize("spelling", ["ThirdPartyTransID", "ThirdPartyTransId"])
def test_daraja_accepts_both_third_party_spellings(spelling: str) -> None:
    """Both spellings of the Daraja third-party id parse and are kept on the model."""
    event = parse_event({**DARAJA, spelling: "TP1"})
    assert isinstance(event.model, DarajaTransactionWebhook)
    assert getattr(event.model, spelling) == "TP1"
    assert event.amount == Decimal("75.25") and event.dedup_key == "daraja:QWE123RTY4"
    assert event.created_at == datetime(2026, 3, 1, 12, 0, 5, tzinfo=EAT)


def test_daraja_odd_trans_time_is_none() -> None:
    """A TransTime that is not YYYYMMDDHHMMSS gives created_at None, not an error."""
    assert parse_event({**DARAJA, "TransTime": "20261399250000"}).created_at is None
    assert parse_event({**DARAJA, "TransTime": "2026"}).created_at is None


def test_repr_hides_customer_data() -> None:
    """repr() names kind, topic and id only, never phone numbers or names."""
    text = repr(parse_event(BUYGOODS))
    assert BUYGOODS["id"] in text and "+254700000001" not in text and "Payer" not in text


# ----------------------------------------------------------------------------------- unknown bodies


@pytest.mark.parametrize(
    ("body", "expected_id", "expected_topic"),
    [
        ({**BUYGOODS, "topic": "loyalty_points_awarded"}, BUYGOODS["id"], "loyalty_points_awarded"),
        ({"data": {"id": "d-1", "type": "refund", "attributes": {}}}, "d-1", "refund"),
        ({"hello": "world"}, None, None),
        ({"topic": 7, "id": 8}, None, None),
        ({"data": "x"}, None, None),
        ({}, None, None),
    ],
)
def test_unknown_kinds_keep_their_data(
    body: dict[str, Any], expected_id: str | None, expected_topic: str | None
) -> None:
    """An unknown topic, an unknown data.type or any other object is an unknown event, never an error."""
    event = parse_event(_body(body))
    assert event.kind is EventKind.UNKNOWN and isinstance(event.model, UnknownEvent)
    assert event.raw == body and event.model.to_dict() == body and event.to_dict() == body
    assert UnknownEvent.from_dict(body) == event.model
    assert (event.id, event.topic, event.dedup_key) == (expected_id, expected_topic, None)
    assert not event.is_success and not event.is_failure


def test_blank_id_has_no_dedup_key() -> None:
    """A blank event id gives no dedup key (it would make every such event a duplicate)."""
    assert parse_event(_with(BUYGOODS, "id", " ")).dedup_key is None


def test_deep_unknown_body_copies_without_recursion() -> None:
    """A body nested deeper than copy.deepcopy could handle still round-trips through to_dict()."""
    depth = 600
    body = b'{"a":' * depth + b"1" + b"}" * depth
    event = parse_event(body)
    assert event.kind is EventKind.UNKNOWN
    assert json.dumps(event.to_dict()).encode().replace(b" ", b"") == body


# ------------------------------------------------------------------------------------ failure modes


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"", "not valid JSON"),
        (b'{"a": NaN}', "not valid JSON"),
        (b"[" * 100_000, "not valid JSON"),
        (b'{"amount": ' + b"9" * 5000 + b"}", "not valid JSON"),
        (b'{"topic": "\xff"}', "not valid UTF-8"),
        (b"\xef\xbb\xbf{}", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object, got array"),
        (b'"hello"', "must be a JSON object, got string"),
        (b"null", "must be a JSON object, got null"),
    ],
    ids=[
        "invalid-json",
        "empty",
        "nan",
        "too-deep",
        "huge-int",
        "invalid-utf8",
        "bom",
        "list",
        "string",
        "null",
    ],
)
def test_undecodable_bodies_are_payload_errors(body: bytes, message: str) -> None:
    """Bytes that are no UTF-8 JSON object raise WebhookPayloadError, not a JSON or Unicode error."""
    with pytest.raises(WebhookPayloadError, match=message) as caught:
        parse_event(body)
    assert caught.value.__cause__ is None  # no chained exception quoting the body


@pytest.mark.parametrize(
    ("base", "path", "value", "field"),
    [
        (BUYGOODS, "event", ..., "event"),
        (BUYGOODS, "event.resource", ..., "event.resource"),
        (BUYGOODS, "event.resource", ["a", "b"], "event.resource"),
        (BUYGOODS, "event.resource", "ab", "event.resource"),
        (BUYGOODS, "event.type", ..., "event.type"),
        (BUYGOODS, "id", 12, "id"),
        (BUYGOODS, "id", ..., "id"),
        (BUYGOODS, "created_at", None, "created_at"),
        (BUYGOODS, "_links", [], "_links"),
        (BUYGOODS, "event.resource.amount", [1], "event.resource.amount"),
        (BUYGOODS, "event.resource.amount", True, "event.resource.amount"),
        (BUYGOODS, "event.resource.sender_phone_number", 254700000001, "event.resource.sender_phone_number"),
        (STK_RESULT, "data.attributes", ..., "data.attributes"),
        (STK_RESULT, "data.attributes.status", ..., "data.attributes.status"),
        (STK_RESULT, "data.attributes.status", 1, "data.attributes.status"),
        (STK_RESULT, "data.id", None, "data.id"),
        (STK_RESULT, "data.attributes.event", "paid", "data.attributes.event"),
        (STK_RESULT, "data.attributes.event.resource", [], "data.attributes.event.resource"),
        (STK_RESULT, "data.attributes.metadata", "x", "data.attributes.metadata"),
        (DARAJA, "TransID", ..., "TransID"),
        (DARAJA, "TransAmount", None, "TransAmount"),
        (DARAJA, "TransactionType", 5, "TransactionType"),
        (DARAJA, "MSISDN", 254700000003, "MSISDN"),
    ],
)
def test_schema_breaks_name_the_field(base: dict[str, Any], path: str, value: Any, field: str) -> None:
    """A known body that breaks its schema raises WebhookPayloadError naming the field."""
    with pytest.raises(WebhookPayloadError) as caught:
        parse_event(_body(_with(base, path, value)))
    assert caught.value.field == field
    assert field in str(caught.value)


def test_array_items_are_named_by_index() -> None:
    """A broken array item is named with its index."""
    body = {
        "data": {
            "id": "p-1",
            "type": "payment",
            "attributes": {"status": "Processed", "transfer_batches": [{"disbursements": [{}, "oops"]}]},
        }
    }
    with pytest.raises(WebhookPayloadError) as caught:
        parse_event(body)
    assert caught.value.field == "data.attributes.transfer_batches[0].disbursements[1]"


SETTLEMENT: dict[str, Any] = {
    "topic": "settlement_transfer_completed",
    "id": "s-1",
    "created_at": "2026-03-01T12:00:00+03:00",
    "event": {
        "type": "Settlement Transfer",
        "resource": {"id": "b-1", "amount": "10", "destination": {"type": "Bank Account", "resource": {}}},
    },
}


def test_settlement_known_destination_must_have_a_resource() -> None:
    """A Bank Account destination without its resource is refused, not passed off as an unknown type."""
    assert parse_event(SETTLEMENT).kind is EventKind.WEBHOOK
    with pytest.raises(WebhookPayloadError) as caught:
        parse_event(_with(SETTLEMENT, "event.resource.destination.resource", ...))
    assert caught.value.field == "event.resource.destination.resource"
    other = _with(SETTLEMENT, "event.resource.destination", {"type": "Crypto Wallet", "resource": "w-1"})
    assert parse_event(other).to_dict() == other


@pytest.mark.parametrize("error", [ValueError("bad"), KeyError("topic"), TypeError("bad")])
def test_model_errors_become_payload_errors(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    """The model is built on first ``.model``; an error it raises then is WebhookPayloadError naming it."""
    calls = 0

    def broken(cls: type, src_dict: Any) -> Any:
        nonlocal calls
        calls += 1
        raise error

    monkeypatch.setattr(BuygoodsTransactionReceivedWebhook, "from_dict", classmethod(broken))
    event = parse_event(BUYGOODS)  # the checked fields are read without the model
    assert calls == 0
    assert event.id is not None and event.amount is not None
    with pytest.raises(
        WebhookPayloadError, match="does not match BuygoodsTransactionReceivedWebhook"
    ) as caught:
        _ = event.model
    assert caught.value.__cause__ is None and caught.value.__context__ is None


def test_the_model_is_built_once_and_kept() -> None:
    """``.model`` builds the generated model on first use and returns the same object after."""
    event = parse_event(BUYGOODS)
    assert event.model is event.model
    assert isinstance(event.model, BuygoodsTransactionReceivedWebhook)


def test_mapping_with_non_string_keys_is_refused() -> None:
    """A mapping that is not JSON data (non-string keys) raises WebhookPayloadError."""
    with pytest.raises(WebhookPayloadError, match="keys must be strings"):
        parse_event({1: "a"})  # type: ignore[dict-item]


def test_mapping_with_non_json_value_names_it() -> None:
    """A mapping holding a non-JSON value where a number belongs is refused, naming the field and type."""
    with pytest.raises(WebhookPayloadError, match="got Decimal") as caught:
        parse_event(_with(BUYGOODS, "event.resource.amount", Decimal("1.5")))
    assert caught.value.field == "event.resource.amount"


def test_cyclic_mapping_is_refused() -> None:
    """A self-referencing mapping raises WebhookPayloadError instead of looping forever."""
    body: dict[str, Any] = {}
    body["self"] = body
    with pytest.raises(WebhookPayloadError, match="nested too deeply"):
        parse_event(body)


def test_wrong_python_type_is_a_type_error() -> None:
    """Passing something that is no body at all is a programming error: TypeError."""
    with pytest.raises(TypeError):
        parse_event(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("batches", "field"),
    [
        ([{}, {"status": 5}], "data.attributes.transfer_batches[1].status"),
        (
            [{}, {"disbursements": [{}, {"status": 5}]}],
            "data.attributes.transfer_batches[1].disbursements[1].status",
        ),
    ],
    ids=["optional-field", "optional-array"],
)
def test_a_broken_item_is_found_past_items_that_leave_optional_parts_out(
    batches: list[dict[str, Any]], field: str
) -> None:
    """Optional fields or arrays missing from some items are fine; the item with the wrong type is named."""
    body = {
        "data": {
            "id": "p-1",
            "type": "payment",
            "attributes": {"status": "Processed", "transfer_batches": batches},
        }
    }
    with pytest.raises(WebhookPayloadError) as caught:
        parse_event(body)
    assert caught.value.field == field


# ----------------------------------------------------------------------------------------------------
# Property tests for k2connect_ext.webhooks._events: bodies drawn from the spec's own webhook and callback
# schemas.
#
# schemathesis ignores top-level ``webhooks`` and ``components/pathItems`` (tooling.md §3), so both are
# promoted to synthetic paths and their request bodies are drawn with schemathesis' generator, which
# understands the spec's 3.1 ``const``, type arrays and formats.


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
