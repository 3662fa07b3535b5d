"""A finished result's facts one attribute away: ``result.reference``, ``.amount``, ``.currency``, ``.phone``,
``.status`` and ``.state``, on the generated result models.

The spec's ``x-k2connect-fields`` says where each fact lives; the model template turns it into properties
reading through ``k2connect_ext._result_fields``. These tests check every property on every K2 sample of its
result type (the expected values read off the samples by hand), on bodies that lack each step of the way, on
bodies with fields nobody knows yet, against the :class:`K2Event` of the same body, and the generator's
checks of the extension itself.
"""

from __future__ import annotations

import copy
import importlib.util
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple, assert_type

import pytest
import yaml
from k2connect_client import registry
from k2connect_client.models import (
    IncomingPaymentResult,
    PaymentLinkResult,
    PaymentResult,
    ReversalResult,
    SendMoneyResult,
    SettlementTransferResult,
)

from k2connect_ext import State
from k2connect_ext._outcomes import outcome_of
from k2connect_ext._result_fields import amount_at, phone_at, text_at, value_at
from k2connect_ext.webhooks import parse_event
from tests.fixtures import fixture_params, load, payload_files, schema_for

ROOT = Path(__file__).resolve().parents[2]
SPEC: dict[str, Any] = yaml.safe_load((ROOT / "openapi" / "k2connect.yaml").read_text(encoding="utf-8"))

ResultModel = (
    IncomingPaymentResult
    | PaymentResult
    | SettlementTransferResult
    | SendMoneyResult
    | ReversalResult
    | PaymentLinkResult
)
MODELS: dict[str, type[ResultModel]] = {
    "incoming_payment": IncomingPaymentResult,
    "payment": PaymentResult,
    "settlement_transfer": SettlementTransferResult,
    "send_money": SendMoneyResult,
    "reversal": ReversalResult,
    "payment_link": PaymentLinkResult,
}
KIND_OF_SCHEMA = {model.__name__: kind for kind, model in MODELS.items()}


class Facts(NamedTuple):
    reference: str | None
    amount: Decimal | None
    currency: str | None
    phone: str | None
    status: str | None
    state: State


def facts_of(result: ResultModel) -> Facts:
    return Facts(result.reference, result.amount, result.currency, result.phone, result.status, result.state)


# Read off each sample by hand (../shared/k2-fixtures): where the M-PESA code, amount and phone sit differs
# per result type and API version (v1 PAY and settlement: attributes.amount; v2 send money: the disbursement).
EXPECTED: dict[str, Facts] = {
    "get_incoming_payment_pending.json": Facts(None, None, None, None, "Pending", State.PENDING),
    "get_incoming_payment_success.json": Facts(
        "OJJ1MPU40Z", Decimal("1.0"), "KES", "+254999999999", "Success", State.SUCCEEDED
    ),
    "result_incoming_payment_failed.json": Facts(None, None, None, None, "Failed", State.FAILED),
    "result_incoming_payment_success.json": Facts(
        "OJJ1MPU40Z", Decimal("100.0"), "KES", "+254999999999", "Success", State.SUCCEEDED
    ),
    "result_payment_processed_v1.json": Facts(
        "LBA10034460", Decimal(780), "KES", None, "Processed", State.SUCCEEDED
    ),
    # A blind transfer (amount.value null) paid out in three disbursements: no one reference or amount.
    "result_settlement_transfer_processed_v1.json": Facts(
        None, None, "KES", None, "Processed", State.SUCCEEDED
    ),
    "result_send_money_processed.json": Facts(
        "DAVSM1757311336", Decimal("1000.0"), "KES", "254700000000", "Processed", State.SUCCEEDED
    ),
    # Two recipients, two M-PESA codes: none speaks for the whole payout.
    "get_send_money_processed.json": Facts(None, None, "KES", None, "Processed", State.SUCCEEDED),
    "get_send_money_scheduled.json": Facts(None, None, "KES", None, "Scheduled", State.PENDING),
    "result_reversal_processed.json": Facts(
        "DAVREV1777481249", Decimal("201.0"), None, None, "Processed", State.SUCCEEDED
    ),
    "get_reversal_processed_ruby.json": Facts(
        "REV9J1Q26D", Decimal("3981.0"), None, None, "Processed", State.SUCCEEDED
    ),
    "get_reversal_received.json": Facts(None, None, None, None, "Received", State.PENDING),
    # The link's own status decides its state; its phone number is a JSON number in this sample.
    "result_payment_link_paid.json": Facts(
        "DAVSTK1777482274", Decimal(3101), "KES", "254716230902", "Processed", State.SUCCEEDED
    ),
    "get_payment_link_active_node.json": Facts(None, Decimal(1000), "KES", None, "Processed", State.PENDING),
    "get_payment_link_active_ruby.json": Facts(None, Decimal(1000), "KES", None, "Processed", State.PENDING),
}


def _result_samples() -> list[Path]:
    return [path for path in payload_files() if schema_for(path) in KIND_OF_SCHEMA]


def _parse(path: Path) -> ResultModel:
    return MODELS[KIND_OF_SCHEMA[schema_for(path)]].from_dict(load(path))


# ------------------------------------------------------------------------------------------ the samples


def test_the_models_with_facts_are_those_the_spec_names() -> None:
    assert set(registry.RESULT_FIELDS) == set(MODELS)
    for kind, model in MODELS.items():
        assert registry.RESOURCES[kind].model is model


@pytest.mark.parametrize("path", fixture_params(_result_samples()))
def test_every_fact_of_every_sample(path: Path) -> None:
    assert facts_of(_parse(path)) == EXPECTED[path.name]


def test_every_sample_of_a_result_type_is_checked() -> None:
    samples = _result_samples()
    if not samples:
        pytest.skip("no K2 sample payloads (see tests/fixtures.py)")
    assert {path.name for path in samples} == set(EXPECTED)


@pytest.mark.parametrize("path", fixture_params(_result_samples()))
def test_amounts_are_exact_decimals(path: Path) -> None:
    amount = _parse(path).amount
    assert amount is None or (type(amount) is Decimal and amount.is_finite())


@pytest.mark.parametrize("path", fixture_params(_result_samples()))
def test_a_result_reads_like_the_event_of_its_callback(path: Path) -> None:
    """``K2Event`` (what a receiver gets for the same body) reports the same facts, and the same outcome."""
    result, event = _parse(path), parse_event(load(path))
    facts = facts_of(result)
    assert (event.reference, event.amount, event.currency, event.phone, event.status) == facts[:5]
    assert event.is_success is (result.state is State.SUCCEEDED)
    assert event.is_failure is (result.state is State.FAILED)


def test_a_send_money_event_reports_the_amount_its_result_does() -> None:
    body = _send_money([_disbursement("QAB12CD34E", "1500.0", "254700000001")])
    assert parse_event(body).amount == SendMoneyResult.from_dict(body).amount == Decimal("1500.0")


@pytest.mark.parametrize("kind", list(MODELS))
@pytest.mark.parametrize("status", ["Pending", "Success", "Processed", "Paid", "Failed", "Something new"])
def test_state_is_what_outcome_of_says_for_its_kind(kind: str, status: str) -> None:
    """Each model asks ``outcome_of`` about its own kind (``Processed`` succeeds a payout, not a link)."""
    body = _minimal(kind, status)
    assert MODELS[kind].from_dict(body).state is outcome_of(kind, body).state


# ----------------------------------------------------------------------------------- missing and odd values


def _minimal(kind: str, status: str) -> dict[str, Any]:
    attributes: dict[str, Any] = {"status": status}
    if kind == "payment_link":
        attributes["payment_link"] = {"status": status}
    return {"data": {"id": "r-1", "type": kind, "attributes": attributes}}


@pytest.mark.parametrize("kind", list(MODELS))
def test_a_body_with_nothing_but_a_status_has_no_other_facts(kind: str) -> None:
    result = MODELS[kind].from_dict(_minimal(kind, "Pending"))
    assert facts_of(result) == Facts(None, None, None, None, "Pending", State.PENDING)


def _stk(resource: Any, status: str = "Success", **event: Any) -> dict[str, Any]:
    return {
        "data": {
            "id": "stk-1",
            "type": "incoming_payment",
            "attributes": {
                "status": status,
                "event": {"type": "Incoming Payment Request", "resource": resource},
            },
        },
        **event,
    }


def _paid(**changes: Any) -> dict[str, Any]:
    resource = {
        "reference": "QAB12CD34E",
        "amount": "250.00",
        "currency": "KES",
        "sender_phone_number": "+254712345678",
    }
    return {**resource, **changes}


def test_a_paid_stk_push() -> None:
    result = IncomingPaymentResult.from_dict(_stk(_paid()))
    assert facts_of(result) == Facts(
        "QAB12CD34E", Decimal("250.00"), "KES", "+254712345678", "Success", State.SUCCEEDED
    )


def test_a_failed_stk_push_has_no_reference() -> None:
    """K2 sends ``event.resource: null`` when the customer did not pay: None, never an exception."""
    result = IncomingPaymentResult.from_dict(_stk(None, status="Failed"))
    assert facts_of(result) == Facts(None, None, None, None, "Failed", State.FAILED)


def test_an_stk_push_without_an_event() -> None:
    body = _stk(None)
    del body["data"]["attributes"]["event"]
    assert facts_of(IncomingPaymentResult.from_dict(body))[:4] == (None, None, None, None)


@pytest.mark.parametrize("missing", ["reference", "amount", "currency", "sender_phone_number"])
def test_one_missing_field_leaves_the_others(missing: str) -> None:
    resource = _paid()
    del resource[missing]
    facts = facts_of(IncomingPaymentResult.from_dict(_stk(resource)))._asdict()
    absent = {"sender_phone_number": "phone"}.get(missing, missing)
    assert facts.pop(absent) is None
    assert None not in facts.values()


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("100", Decimal(100)),
        (" 100.50 ", Decimal("100.50")),
        (100, Decimal(100)),
        (0.1, Decimal("0.1")),
        ("a hundred", None),
        ("NaN", None),
        ("Infinity", None),
        (True, None),
        (None, None),
        ([], None),
    ],
)
def test_an_amount_is_an_exact_decimal_or_none(amount: Any, expected: Decimal | None) -> None:
    result = IncomingPaymentResult.from_dict(_stk(_paid(amount=amount)))
    assert result.amount == expected
    assert expected is None or type(result.amount) is Decimal


@pytest.mark.parametrize(("phone", "expected"), [(254712345678, "254712345678"), (True, None), (7.5, None)])
def test_a_phone_number_is_text_or_none(phone: Any, expected: str | None) -> None:
    assert IncomingPaymentResult.from_dict(_stk(_paid(sender_phone_number=phone))).phone == expected


@pytest.mark.parametrize("status", [5, None, ["Success"]])
def test_a_status_that_is_not_text_is_none_and_pending(status: Any) -> None:
    result = IncomingPaymentResult.from_dict(_stk(_paid(), status=status))
    assert (result.status, result.state) == (None, State.PENDING)
    assert result.reference == "QAB12CD34E"


def _disbursement(reference: str | None, amount: str, phone: str | None) -> dict[str, Any]:
    found: dict[str, Any] = {"amount": amount, "status": "Transferred", "transaction_reference": reference}
    if phone is not None:
        found["phone_number"] = phone
    return found


def _send_money(*batches: list[dict[str, Any]] | None, status: str = "Processed") -> dict[str, Any]:
    transfer_batches = None if batches == (None,) else [{"disbursements": batch} for batch in batches]
    attributes = {"status": status, "currency": "KES", "transfer_batches": transfer_batches}
    return {"data": {"id": "sm-1", "type": "send_money", "attributes": attributes}}


def test_a_payout_to_one_recipient() -> None:
    result = SendMoneyResult.from_dict(_send_money([_disbursement("QAB12CD34E", "1500.0", "254700000001")]))
    assert facts_of(result) == Facts(
        "QAB12CD34E", Decimal("1500.0"), "KES", "254700000001", "Processed", State.SUCCEEDED
    )


@pytest.mark.parametrize(
    "batches",
    [
        pytest.param((None,), id="no-batches-yet"),
        pytest.param(([],), id="a-batch-without-disbursements"),
        pytest.param((), id="no-batch"),
        pytest.param(
            ([_disbursement("A1", "1.0", "254700000001"), _disbursement("B2", "2.0", "254700000002")],),
            id="two-in-one-batch",
        ),
        pytest.param(
            ([_disbursement("A1", "1.0", "254700000001")], [_disbursement("B2", "2.0", "254700000002")]),
            id="one-in-each-of-two-batches",
        ),
    ],
)
def test_a_payout_without_exactly_one_disbursement_has_no_single_fact(
    batches: tuple[list[dict[str, Any]] | None, ...],
) -> None:
    result = SendMoneyResult.from_dict(_send_money(*batches))
    assert facts_of(result) == Facts(None, None, "KES", None, "Processed", State.SUCCEEDED)


def test_a_disbursement_not_paid_yet_has_an_amount_but_no_reference() -> None:
    result = SendMoneyResult.from_dict(_send_money([_disbursement(None, "1500.0", None)], status="Scheduled"))
    assert facts_of(result) == Facts(None, Decimal("1500.0"), "KES", None, "Scheduled", State.PENDING)


def test_a_pay_payment_reads_its_amount_from_the_request_and_its_reference_from_the_disbursement() -> None:
    body = {
        "data": {
            "id": "p-1",
            "type": "payment",
            "attributes": {
                "status": "Processed",
                "amount": {"currency": "KES", "value": "780.00"},
                "transfer_batches": [{"disbursements": [_disbursement("LBA10034460", "780.0", None)]}],
            },
        }
    }
    result = PaymentResult.from_dict(body)
    assert facts_of(result) == Facts(
        "LBA10034460", Decimal("780.00"), "KES", None, "Processed", State.SUCCEEDED
    )


def test_a_blind_settlement_transfer_has_no_amount() -> None:
    attributes = {
        "status": "Scheduled",
        "amount": {"currency": "KES", "value": None},
        "transfer_batches": None,
    }
    body = {"data": {"id": "s-1", "type": "settlement_transfer", "attributes": attributes}}
    result = SettlementTransferResult.from_dict(body)
    assert facts_of(result) == Facts(None, None, "KES", None, "Scheduled", State.PENDING)


def test_a_reversal_before_its_bulk_payment() -> None:
    attributes = {"status": "Received", "transaction_reference": "Q9W28ZX1D0", "reversal_bulk_payment": None}
    result = ReversalResult.from_dict({"data": {"id": "rv-1", "type": "reversal", "attributes": attributes}})
    # transaction_reference is the reversed payment's code, not the reversal's own: no reference yet.
    assert facts_of(result) == Facts(None, None, None, None, "Received", State.PENDING)


def test_a_payment_link_not_paid_yet() -> None:
    link = {"payment_link_status": "Active", "link": "https://example.test/links/1"}
    attributes = {"status": "Processed", "amount": "1000", "currency": "KES", "payment_link": link}
    result = PaymentLinkResult.from_dict(
        {"data": {"id": "pl-1", "type": "payment_link", "attributes": attributes}}
    )
    assert facts_of(result) == Facts(None, Decimal(1000), "KES", None, "Processed", State.PENDING)


def test_fields_nobody_knows_yet_still_parse_and_change_nothing() -> None:
    body = _stk(_paid(loyalty_points=12), receipt_url="https://example.test/r/1")
    body["data"]["region"] = "KE"
    body["data"]["attributes"]["channel"] = {"name": "USSD"}
    body["data"]["attributes"]["event"]["source"] = "app"
    result = IncomingPaymentResult.from_dict(copy.deepcopy(body))
    assert facts_of(result) == Facts(
        "QAB12CD34E", Decimal("250.00"), "KES", "+254712345678", "Success", State.SUCCEEDED
    )
    assert result.to_dict() == body


def test_the_facts_are_read_only() -> None:
    result = IncomingPaymentResult.from_dict(_stk(_paid()))
    with pytest.raises(AttributeError):
        result.reference = "forged"  # type: ignore[misc]


def test_the_facts_follow_the_model_when_it_changes() -> None:
    result = IncomingPaymentResult.from_dict(_stk(None, status="Pending"))
    assert result.state is State.PENDING
    result.data.attributes.status = "Success"
    assert (result.status, result.state) == ("Success", State.SUCCEEDED)


def test_the_types_users_see() -> None:
    """``mypy --strict`` checks these (``make typecheck``): each fact has the type K2Event gives it."""
    result = IncomingPaymentResult.from_dict(_stk(_paid()))
    assert_type(result.reference, str | None)
    assert_type(result.amount, Decimal | None)
    assert_type(result.currency, str | None)
    assert_type(result.phone, str | None)
    assert_type(result.status, str | None)
    assert_type(result.state, State)
    event = parse_event(_stk(_paid()))
    assert_type(event.reference, str | None)
    assert_type(event.amount, Decimal | None)
    assert (type(result.reference), type(result.amount)) == (type(event.reference), type(event.amount))


# ------------------------------------------------------------------------------------------- the readers


@pytest.mark.parametrize(
    ("body", "path", "expected"),
    [
        ({"a": {"b": "x"}}, "a.b", "x"),
        ({"a": {"b": "x"}}, "a.c", None),
        ({"a": "text"}, "a.b", None),
        ({"a": None}, "a.b", None),
        ({"a": [{"b": "x"}]}, "a[].b", "x"),
        ({"a": [{"b": "x"}, {"b": "y"}]}, "a[].b", None),
        ({"a": [{"b": "x"}, "not an object"]}, "a[].b", "x"),
        ({"a": [{"b": [{"c": "x"}]}, {"b": []}]}, "a[].b[].c", "x"),
        ({"a": [{"b": [{"c": "x"}]}, {"b": [{"c": "y"}]}]}, "a[].b[].c", None),
        ({"a": {"b": "x"}}, "a[].b", None),
        ({"a": []}, "a[].b", None),
        ({"a": ["x"]}, "a[]", "x"),
    ],
)
def test_value_at(body: dict[str, Any], path: str, expected: object) -> None:
    assert value_at(body, path) == expected


def test_the_readers_convert_as_events_do() -> None:
    body = {"r": "QAB12CD34E", "a": "10.50", "p": 254712345678, "n": 7}
    assert (text_at(body, "r"), amount_at(body, "a"), phone_at(body, "p")) == (
        "QAB12CD34E",
        Decimal("10.50"),
        "254712345678",
    )
    assert (text_at(body, "n"), amount_at(body, "r"), phone_at(body, "missing")) == (None, None, None)


# ------------------------------------------------------------------------- the generator's checks of the spec


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "generate_registry", ROOT / "scripts" / "generate_registry.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("generate_registry", module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_the_registry_table_is_the_spec_extension() -> None:
    schemas = SPEC["components"]["schemas"]
    from_spec = {
        KIND_OF_SCHEMA[name]: schema["x-k2connect-fields"]
        for name, schema in schemas.items()
        if "x-k2connect-fields" in schema
    }
    assert {kind: dict(fields) for kind, fields in registry.RESULT_FIELDS.items()} == from_spec


def _with_fields(schema: str, **changes: Any) -> dict[str, Any]:
    spec = copy.deepcopy(SPEC)
    fields = spec["components"]["schemas"][schema].setdefault(
        "x-k2connect-fields", {fact: None for fact in ("reference", "amount", "currency", "phone", "status")}
    )
    for fact, path in changes.items():
        if path is _DROP:
            del fields[fact]
        else:
            fields[fact] = path
    return spec


_DROP = object()


@pytest.mark.parametrize(
    ("schema", "changes", "message"),
    [
        (
            "IncomingPaymentResult",
            {"phone": _DROP},
            "name exactly reference, amount, currency, phone, status",
        ),
        ("IncomingPaymentResult", {"receipt": "data.id"}, "name exactly"),
        ("IncomingPaymentResult", {"reference": "data.attributes.event.resource.receipt"}, "declares no"),
        ("IncomingPaymentResult", {"reference": "data.attributes[].status"}, "declares no"),
        ("SendMoneyResult", {"reference": "data.attributes.transfer_batches.disbursements"}, "declares no"),
        ("IncomingPaymentResult", {"reference": "data..status"}, "is not a path"),
        ("IncomingPaymentResult", {"reference": "Data.Attributes"}, "is not a path"),
        ("IncomingPaymentResult", {"reference": 5}, "is not a path"),
        ("Amount", {}, "only the model of a resource"),
    ],
)
def test_the_generator_refuses_a_wrong_extension(schema: str, changes: dict[str, Any], message: str) -> None:
    generator = _generator()
    with pytest.raises(generator.SpecError, match=message):
        generator.render(_with_fields(schema, **changes))


def test_the_generator_refuses_a_fact_that_would_shadow_a_property() -> None:
    generator = _generator()
    spec = copy.deepcopy(SPEC)
    spec["components"]["schemas"]["ReversalResult"]["properties"]["state"] = {"type": "string"}
    with pytest.raises(generator.SpecError, match=r"properties named as result facts: \['state'\]"):
        generator.render(spec)


def test_a_path_through_a_union_or_a_reference_is_declared() -> None:
    """``event.resource`` is a oneOf (resource or null) behind two $refs: the check follows both."""
    generator = _generator()
    kinds = generator.derive(SPEC)[1]
    spec = _with_fields("IncomingPaymentResult", reference="data.attributes.event.resource.sender_last_name")
    assert generator.result_fields(spec, kinds)["incoming_payment"]["reference"] == (
        "data.attributes.event.resource.sender_last_name"
    )
