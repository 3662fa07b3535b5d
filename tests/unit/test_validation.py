"""Tests for k2connect_ext._validation: every rule, and the field each rejection names."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from k2connect_client.models.amount_currency import AMOUNT_CURRENCY_VALUES
from k2connect_client.models.bank_account_recipient_settlement_method import (
    BANK_ACCOUNT_RECIPIENT_SETTLEMENT_METHOD_VALUES,
)
from k2connect_client.models.webhook_v1_event_type import WEBHOOK_V1_EVENT_TYPE_VALUES
from k2connect_client.models.webhook_v2_event_type import WEBHOOK_V2_EVENT_TYPE_VALUES

from k2connect_ext._exceptions import K2Error, K2InputError
from k2connect_ext._topics import COMPANY_SCOPE_EVENTS, DARAJA_EVENTS, TILL_SCOPE_EVENTS, WEBHOOK_EVENT_TYPES
from k2connect_ext._validation import (
    either,
    is_one_of,
    validate_amount,
    validate_currency,
    validate_email,
    validate_metadata,
    validate_name,
    validate_network,
    validate_phone,
    validate_required,
    validate_settlement_method,
    validate_subscription,
    validate_text,
    validate_url,
    validate_v1_event_type,
    validate_v2_event_type,
)


def rejected(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> K2InputError:
    """Call ``fn`` expecting a K2InputError, and return it for field checks."""
    with pytest.raises(K2InputError) as info:
        fn(*args, **kwargs)
    return info.value


# ---------------------------------------------------------------------------------- phone
@pytest.mark.parametrize(
    "raw",
    [
        "0712345678",
        "254712345678",
        "+254712345678",
        "00254712345678",
        "0712 345 678",
        "0712-345-678",
        "+254 712-345-678",
        "(0712) 345678",
        " 0712345678 ",
    ],
)
def test_phone_forms_normalise_to_plus_254(raw: str) -> None:
    """Every written form of a Safaricom 07xx number becomes +2547XXXXXXXX."""
    assert validate_phone(raw) == "+254712345678"


@pytest.mark.parametrize("raw", ["0112345678", "254112345678", "+254112345678", "00254112345678"])
def test_phone_new_01_series_is_accepted(raw: str) -> None:
    """The newer 01xx series is a valid Kenyan mobile number in every form."""
    assert validate_phone(raw) == "+254112345678"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0712345678", "254712345678"), ("+254112345678", "254112345678"), ("00254712345678", "254712345678")],
)
def test_phone_without_plus_is_the_send_money_form(raw: str, expected: str) -> None:
    """plus=False gives 2547XXXXXXXX, the form send-money destinations are matched against."""
    assert validate_phone(raw, plus=False) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "0812345678",  # not a mobile prefix
        "071234567",  # one digit short
        "07123456789",  # one digit long
        "07l2345678",  # a letter l for a one
        "07123456ab",
        "+255712345678",  # Tanzania
        "254812345678",
        "712345678",  # no leading 0 or country code
        "07\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668",  # Arabic-Indic digits: \d matches them, K2 not
        "+",
        "phone",
    ],
)
def test_phone_rejects_non_kenyan_mobile_numbers(raw: str) -> None:
    """Anything but a Kenyan 07xx/01xx mobile number is refused, naming the field."""
    assert rejected(validate_phone, raw).field == "phone_number"


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_phone_missing_is_required(raw: Any) -> None:
    """None or a blank phone is reported as required (a number: see test_clear_errors)."""
    error = rejected(validate_phone, raw)
    assert error.field == "phone_number"
    assert "required" in str(error)


def test_phone_error_names_the_callers_field() -> None:
    """A custom field name is carried on the error, for forms that name the input differently."""
    assert rejected(validate_phone, "123", "subscriber.phone").field == "subscriber.phone"


@given(st.from_regex(r"\A0[17][0-9]{8}\Z"))
def test_phone_every_local_number_round_trips(local: str) -> None:
    """Any 07/01 local number normalises to +254 plus its last nine digits, both ways round."""
    normalised = validate_phone(local)
    assert normalised == "+254" + local[1:]
    assert validate_phone(normalised) == normalised
    assert validate_phone(normalised, plus=False) == normalised[1:]


# ---------------------------------------------------------------------------------- currency
@pytest.mark.parametrize("raw", ["KES", "kes", " Kes "])
def test_currency_kes_in_any_case(raw: str) -> None:
    """KES is accepted in any case and always returned upper-case."""
    assert validate_currency(raw) == "KES"


@pytest.mark.parametrize("raw", ["USD", "", "KSH", None, 404])
def test_currency_other_than_kes_is_refused(raw: Any) -> None:
    """K2 moves shillings only: every other value is refused on the currency field."""
    assert rejected(validate_currency, raw).field == "currency"


# ---------------------------------------------------------------------------------- amount
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (100, Decimal("100")),
        ("100", Decimal("100")),
        (" 10.5 ", Decimal("10.5")),
        ("10.50", Decimal("10.50")),
        (Decimal("0.01"), Decimal("0.01")),
        (0.1, Decimal("0.1")),  # floats go through str(), so 0.1 is exactly one tenth
        (2.25, Decimal("2.25")),
        ("1e3", Decimal("1000")),
    ],
)
def test_amount_accepts_positive_numbers_with_cents(raw: Any, expected: Decimal) -> None:
    """Ints, numeric strings, Decimals and clean floats become exact Decimals."""
    amount = validate_amount(raw)
    assert isinstance(amount, Decimal)
    assert amount == expected


def test_amount_float_noise_is_refused_not_rounded() -> None:
    """0.1 + 0.2 is 0.30000000000000004: refused rather than silently rounded, since it is money."""
    error = rejected(validate_amount, 0.1 + 0.2)
    assert error.field == "amount"
    assert "decimal places" in str(error)


@pytest.mark.parametrize("raw", [0, -1, "-0.01", "0.00", Decimal("-5"), -0.0])
def test_amount_zero_or_negative_is_refused(raw: Any) -> None:
    """An amount must be greater than zero."""
    error = rejected(validate_amount, raw)
    assert error.field == "amount"
    assert "greater than zero" in str(error)


@pytest.mark.parametrize("raw", ["1.005", Decimal("0.001"), 1.234, "1e-7"])
def test_amount_more_than_two_decimals_is_refused(raw: Any) -> None:
    """Shillings have cents only: a third decimal place is refused."""
    assert "decimal places" in str(rejected(validate_amount, raw))


@pytest.mark.parametrize(
    "raw", [float("nan"), "NaN", Decimal("NaN"), Decimal("sNaN"), float("inf"), "-Infinity", Decimal("Inf")]
)
def test_amount_nan_and_infinity_are_refused(raw: Any) -> None:
    """Non-finite values are never amounts."""
    assert rejected(validate_amount, raw).field == "amount"


@pytest.mark.parametrize("raw", ["ten", "", "1,000", None, [100], b"100"])
def test_amount_that_is_not_a_number_is_refused(raw: Any) -> None:
    """Text that does not parse as a number is refused with a clear message."""
    error = rejected(validate_amount, raw)
    assert error.field == "amount"
    assert "not a number" in str(error)


@pytest.mark.parametrize("raw", [True, False])
def test_amount_booleans_are_refused(raw: bool) -> None:
    """True is an int in Python but never an amount of money."""
    assert "boolean" in str(rejected(validate_amount, raw))


@pytest.mark.parametrize("raw", ["1e30", 10**30, Decimal("9" * 40)])
def test_amount_too_large_is_a_validation_error_not_a_decimal_crash(raw: Any) -> None:
    """Amounts beyond Decimal's precision are a K2InputError, not decimal.InvalidOperation."""
    assert rejected(validate_amount, raw).field == "amount"


@pytest.mark.parametrize(("raw", "expected"), [(Decimal("1.100"), "1.10"), ("5.000", "5.00"), ("7.0", "7.0")])
def test_amount_trailing_zeros_fit_the_two_decimal_wire_pattern(raw: Any, expected: str) -> None:
    """1.100 is 1.10: it is accepted and never written with more than 2 decimals (K2's amount pattern)."""
    assert format(validate_amount(raw), "f") == expected


def test_amount_error_names_the_callers_field() -> None:
    """validate_amount reports the field it was given."""
    assert rejected(validate_amount, -1, "destinations[0].amount").field == "destinations[0].amount"


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000000000"), places=2))
def test_amount_any_two_decimal_value_is_kept_exactly(value: Decimal) -> None:
    """Every positive 2-decimal amount is returned unchanged, whatever form it is given in."""
    assert validate_amount(value) == value
    assert validate_amount(str(value)) == value


# ---------------------------------------------------------------------------------- settlement, network
@pytest.mark.parametrize(("raw", "expected"), [("EFT", "EFT"), ("rts", "RTS"), (" eft ", "EFT")])
def test_settlement_method_eft_or_rts_in_any_case(raw: str, expected: str) -> None:
    """EFT and RTS are the two settlement methods, any case."""
    assert validate_settlement_method(raw) == expected


@pytest.mark.parametrize("raw", ["ACH", "", None, 1])
def test_settlement_method_other_values_are_refused(raw: Any) -> None:
    """Anything else is refused on the settlement_method field."""
    assert rejected(validate_settlement_method, raw).field == "settlement_method"


@pytest.mark.parametrize("raw", ["Safaricom", "SAFARICOM", " safaricom "])
def test_network_safaricom_is_spelled_as_k2_spells_it(raw: str) -> None:
    """Safaricom in any case is sent as 'Safaricom'."""
    assert validate_network(raw) == "Safaricom"


@pytest.mark.parametrize("raw", ["Airtel", "", None])
def test_network_other_than_safaricom_is_refused(raw: Any) -> None:
    """K2 pays to Safaricom only."""
    assert rejected(validate_network, raw).field == "network"


# ---------------------------------------------------------------------------------- metadata
def test_metadata_none_means_absent() -> None:
    """No metadata is returned as None (the field is then left out of the request)."""
    assert validate_metadata(None) is None


def test_metadata_up_to_five_scalar_pairs_is_copied() -> None:
    """Five pairs of string keys and scalar values are accepted, as a new dict."""
    given_ = {"a": "x", "b": 1, "c": 2.5, "d": True, "e": None}
    checked = validate_metadata(given_)
    assert checked == given_
    assert checked is not given_


def test_metadata_six_pairs_is_refused() -> None:
    """K2 accepts at most 5 pairs; 6 is refused, naming the count."""
    error = rejected(validate_metadata, {f"k{i}": i for i in range(6)})
    assert error.field == "metadata"
    assert "6 pairs" in str(error)


@pytest.mark.parametrize("bad", [{"": "x"}, {1: "x"}, {None: "x"}])
def test_metadata_keys_must_be_non_empty_strings(bad: dict[Any, Any]) -> None:
    """Empty or non-string keys are refused."""
    assert "keys" in str(rejected(validate_metadata, bad))


@pytest.mark.parametrize("value", [{"nested": 1}, [1, 2], ("t",), {1}, b"bytes"])
def test_metadata_nested_values_are_refused(value: Any) -> None:
    """Values must be scalars: K2 echoes flat pairs only."""
    error = rejected(validate_metadata, {"key": value})
    assert error.field == "metadata.key"
    assert "metadata.key" in str(error)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_metadata_non_finite_numbers_are_refused(value: float) -> None:
    """NaN and infinities cannot be written as JSON, so they are refused before sending."""
    assert rejected(validate_metadata, {"score": value}).field == "metadata.score"


@pytest.mark.parametrize("bad", [[("a", 1)], "a=1", 5])
def test_metadata_must_be_a_mapping(bad: Any) -> None:
    """A list of pairs or a string is not metadata."""
    assert "mapping" in str(rejected(validate_metadata, bad))


def test_metadata_huge_integer_is_refused_locally_naming_the_key() -> None:
    """10**5000 used to pass, then fail while the body was built (reported as a K2 answer)."""
    error = rejected(validate_metadata, {"n": 10**5000})
    assert error.field == "metadata.n"


@pytest.mark.parametrize("value", [2**53 + 1, -(2**53) - 1, 1e300, -1e16])
def test_metadata_numbers_beyond_2_53_are_refused(value: float) -> None:
    """Numbers JavaScript cannot read back exactly are refused, ints and floats alike."""
    assert rejected(validate_metadata, {"n": value}).field == "metadata.n"


@pytest.mark.parametrize("value", [2**53, -(2**53), 9.0e15, 0.5, -0.0])
def test_metadata_numbers_within_2_53_are_accepted(value: float) -> None:
    """The bound is inclusive: 2^53 itself is still exact in a double."""
    assert validate_metadata({"n": value}) == {"n": value}


def test_metadata_decimal_is_refused_with_a_way_out() -> None:
    """A Decimal is not guessed at (string or number?); the message says what to pass instead."""
    error = rejected(validate_metadata, {"price": Decimal("1.10")})
    assert error.field == "metadata.price"
    assert "str(value)" in str(error)


@pytest.mark.parametrize("text", ["\ud800", "a\udfffb"])
def test_metadata_lone_surrogate_in_a_value_is_refused(text: str) -> None:
    """A lone surrogate cannot be encoded as UTF-8: the body could not even be built."""
    assert rejected(validate_metadata, {"note": text}).field == "metadata.note"


@pytest.mark.parametrize("key", ["\ud800", "a\x00b", "tab\there"])
def test_metadata_bad_characters_in_a_key_are_refused(key: str) -> None:
    """Keys carry no surrogates and no control characters."""
    assert rejected(validate_metadata, {key: "x"}).field == "metadata"


def test_metadata_control_character_in_a_value_is_refused() -> None:
    """NUL and other controls in a value are refused; line breaks are free text and pass."""
    assert rejected(validate_metadata, {"note": "a\x00b"}).field == "metadata.note"
    assert validate_metadata({"note": "line 1\nline 2"}) == {"note": "line 1\nline 2"}


def test_metadata_long_key_and_long_value_are_refused() -> None:
    """Each key and each string value has a bound."""
    assert rejected(validate_metadata, {"k" * 101: "x"}).field == "metadata"
    assert rejected(validate_metadata, {"note": "x" * 1001}).field == "metadata.note"
    assert validate_metadata({"k" * 100: "x" * 1000}) is not None


def test_metadata_total_size_is_bounded() -> None:
    """Five values within their own bound can still exceed 8 KiB as UTF-8 JSON: refused as a whole."""
    wide = {f"k{i}": "\u20ac" * 1000 for i in range(5)}  # 3 bytes per character, 15 kB
    error = rejected(validate_metadata, wide)
    assert error.field == "metadata"
    assert "8192 bytes" in str(error)


def test_metadata_int_subclass_is_sent_as_a_plain_number() -> None:
    """An IntEnum member is accepted and sent as its number."""
    import enum

    class Level(enum.IntEnum):
        GOLD = 3

    checked = validate_metadata({"level": Level.GOLD})
    assert checked == {"level": 3}
    assert checked is not None and type(checked["level"]) is int


# ---------------------------------------------------------------------------------- URL
@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/k2/result",
        "http://localhost:8000/cb",
        "https://example.com/cb?order=1&x=%20y",
        "https://[::1]:8443/cb",
        "https://example.com/~user/a-b_c.d;p=1",
    ],
)
def test_url_absolute_http_or_https_is_accepted(url: str) -> None:
    """Absolute http(s) URLs are accepted unchanged."""
    assert validate_url(url) == url


def test_url_is_stripped() -> None:
    """Surrounding whitespace is removed."""
    assert validate_url("  https://example.com/cb \n") == "https://example.com/cb"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/cb",
        "/relative/cb",
        "example.com/cb",
        "https://",
        "javascript:alert(1)",
        "",
        None,
        42,
        "https://example.com/a b",  # a space is not allowed in a URI
        "https://example.com/cb\nX-Injected: 1",
        "https://example.com/<script>",
        "https://exämple.com/cb",  # an IRI, not a URI: K2's format: uri refuses it
        "https://[::1/cb",  # urlsplit raises ValueError on a malformed IPv6 host
    ],
)
def test_url_not_absolute_http_uri_is_refused(url: Any) -> None:
    """Relative URLs, other schemes and strings that are not URIs are refused on the given field."""
    assert rejected(validate_url, url).field == "callback_url"
    assert rejected(validate_url, url, "url").field == "url"


# ---------------------------------------------------------------------------------- required
def test_required_strips_and_refuses_blank() -> None:
    """validate_required strips text and refuses None, blanks and non-strings."""
    assert validate_required("  K000000 ", "till_number") == "K000000"
    for bad in (None, "", "  ", 5):
        assert rejected(validate_required, bad, "till_number").field == "till_number"


@pytest.mark.parametrize("bad", ["K00\x00", "K00\ud800", "K00\n1"])
def test_required_refuses_controls_and_lone_surrogates(bad: str) -> None:
    """Identifiers carry no control characters and nothing UTF-8 cannot encode."""
    assert rejected(validate_required, bad, "till_number").field == "till_number"


def test_required_multiline_keeps_line_breaks_but_not_nul() -> None:
    """Free text (an SMS message, a reason) may span lines; NUL is still refused."""
    assert validate_required("Thanks!\nSee you", "message", multiline=True) == "Thanks!\nSee you"
    assert rejected(validate_required, "a\x00", "message", multiline=True).field == "message"


@pytest.mark.parametrize("bad", [123, 1.5, True, ["Jane"], b"Jane", None, "", "  ", "Ja\x07ne", "\ud800"])
def test_name_must_be_a_non_blank_string(bad: Any) -> None:
    """first_name=123 used to be sent as a JSON number; now every non-string is refused."""
    assert rejected(validate_name, bad, "first_name").field == "first_name"


def test_name_is_stripped_and_bounded() -> None:
    """Names are stripped; 200 characters is the bound."""
    assert validate_name("  Jane ", "first_name") == "Jane"
    assert validate_name("N" * 200, "first_name") == "N" * 200
    assert rejected(validate_name, "N" * 201, "first_name").field == "first_name"


def test_optional_text_treats_none_and_blank_as_absent() -> None:
    """Optional text: None and blanks are "not given"; a non-string is still refused."""
    assert validate_text(None, "note", required=False) is None
    assert validate_text("  ", "note", required=False) is None
    assert rejected(validate_text, 7, "note", required=False).field == "note"


@pytest.mark.parametrize(
    "good", ["jane@example.com", "j.doe+k2@mail.example.co.ke", "o'brien@example.org", "x@xn--80ak6aa92e.com"]
)
def test_email_with_a_plausible_syntax_is_accepted(good: str) -> None:
    """Ordinary addresses, tags and IDN domains pass, stripped."""
    assert validate_email(f" {good} ") == good


@pytest.mark.parametrize(
    "bad",
    [
        "not-an-email",
        "@example.com",
        "jane@",
        "jane@localhost",
        "jane@@example.com",
        "ja ne@example.com",
        "jane@exa mple.com",
        "jane@example..com",
        "jane@.example.com",
        "jane@example.com.",
        "jane@exam\x00ple.com",
        "<jane@example.com>",
        "jane@example.com\ud800",
        "x" * 65 + "@example.com",
        42,
    ],
)
def test_email_with_a_bad_syntax_is_refused(bad: Any) -> None:
    """One @, a non-empty local part, a dotted domain, no spaces, controls or brackets."""
    assert rejected(validate_email, bad).field == "email"


def test_email_is_optional_unless_required() -> None:
    """None and blank are "not given"; required=True refuses them."""
    assert validate_email(None) is None
    assert validate_email("") is None
    assert rejected(validate_email, None, required=True).field == "email"


@pytest.mark.parametrize("bad", [object(), [100], {"value": 1}, b"100", bytearray(b"1")])
def test_amount_of_a_non_numeric_type_is_refused(bad: Any) -> None:
    """Only numbers and numeric strings are amounts; str() of anything else is not looked at."""
    assert rejected(validate_amount, bad).field == "amount"


# ---------------------------------------------------------------------------------- subscriptions
def test_event_type_sets_are_consistent() -> None:
    """Till and company events partition the known events, and Daraja events are till events."""
    assert TILL_SCOPE_EVENTS.isdisjoint(COMPANY_SCOPE_EVENTS)
    assert TILL_SCOPE_EVENTS | COMPANY_SCOPE_EVENTS == WEBHOOK_EVENT_TYPES
    assert DARAJA_EVENTS <= TILL_SCOPE_EVENTS


@pytest.mark.parametrize("event", sorted(TILL_SCOPE_EVENTS))
def test_till_event_with_till_scope_needs_the_till(event: str) -> None:
    """A till-scoped event with scope till and a till number is accepted, the reference stripped."""
    assert validate_subscription(event, "till", " 514459 ") == ("till", "514459")


@pytest.mark.parametrize("reference", [None, "", "   "])
def test_till_event_with_till_scope_without_reference_is_refused(reference: str | None) -> None:
    """Scope till without a till number is refused on scope_reference."""
    error = rejected(validate_subscription, "buygoods_transaction_received", "till", reference)
    assert error.field == "scope_reference"


def test_till_event_with_company_scope_is_accepted_without_reference() -> None:
    """A till event may also be subscribed company-wide (all tills), with no reference."""
    assert validate_subscription("buygoods_transaction_received", "Company", "") == ("company", None)


@pytest.mark.parametrize("event", sorted(COMPANY_SCOPE_EVENTS))
def test_company_event_with_till_scope_is_refused(event: str) -> None:
    """Company events cannot be till-scoped."""
    assert rejected(validate_subscription, event, "till", "514459").field == "scope"


@pytest.mark.parametrize("event", sorted(COMPANY_SCOPE_EVENTS))
def test_company_event_with_company_scope_and_no_reference(event: str) -> None:
    """Company events with scope company and no reference are accepted."""
    assert validate_subscription(event, "company", None) == ("company", None)


def test_company_scope_with_a_reference_is_refused() -> None:
    """A reference with scope company is refused (K2 would ignore or reject it)."""
    error = rejected(validate_subscription, "customer_created", "company", "514459")
    assert error.field == "scope_reference"


@pytest.mark.parametrize("event", ["transaction_received", "", "BUYGOODS_TRANSACTION_RECEIVED", None])
def test_unknown_event_type_is_refused(event: Any) -> None:
    """Only the known event types can be subscribed, and the message lists them."""
    error = rejected(validate_subscription, event, "company", None)
    assert error.field == "event_type"
    assert "customer_created" in str(error)


@pytest.mark.parametrize("scope", ["planet", "", None, "tills"])
def test_unknown_scope_is_refused(scope: Any) -> None:
    """Scope is till or company."""
    assert rejected(validate_subscription, "customer_created", scope, None).field == "scope"


@pytest.mark.parametrize("event", sorted(DARAJA_EVENTS))
def test_daraja_payload_for_buygoods_and_b2b_received(event: str) -> None:
    """The Daraja format is allowed for buy-goods and B2B received events."""
    assert validate_subscription(event, "till", "1", enable_daraja_payload=True) == ("till", "1")


@pytest.mark.parametrize("event", sorted(WEBHOOK_EVENT_TYPES - DARAJA_EVENTS))
def test_daraja_payload_for_any_other_event_is_refused(event: str) -> None:
    """Any other event with enable_daraja_payload is refused on that field."""
    scope, reference = ("till", "1") if event in TILL_SCOPE_EVENTS else ("company", None)
    error = rejected(validate_subscription, event, scope, reference, enable_daraja_payload=True)
    assert error.field == "enable_daraja_payload"


def test_validation_errors_are_k2_errors_and_value_errors() -> None:
    """Callers may catch K2Error or ValueError."""
    error = rejected(validate_currency, "USD")
    assert isinstance(error, K2Error)
    assert isinstance(error, ValueError)


@pytest.mark.parametrize("bad", [["buygoods_transaction_received"], {"a": 1}, None, 5])
def test_subscription_event_type_of_a_wrong_type_is_refused(bad: Any) -> None:
    """An unhashable event_type used to escape as TypeError; every wrong type is an input error."""
    assert rejected(validate_subscription, bad, "company", None).field == "event_type"


@pytest.mark.parametrize("bad", [514459, ["514459"]])
def test_subscription_scope_reference_must_be_text(bad: Any) -> None:
    """A till number given as an int is refused, not silently dropped."""
    error = rejected(validate_subscription, "buygoods_transaction_received", "till", bad)
    assert error.field == "scope_reference"


@pytest.mark.parametrize("bad", [1, "yes", None])
def test_subscription_daraja_flag_must_be_a_boolean(bad: Any) -> None:
    """A truthy non-boolean would be sent as such and break the schema."""
    error = rejected(
        validate_subscription, "buygoods_transaction_received", "till", "1", enable_daraja_payload=bad
    )
    assert error.field == "enable_daraja_payload"


def test_event_types_per_version_match_the_spec() -> None:
    """The per-version lists are the spec's WebhookV1EventType / WebhookV2EventType enums."""
    from pathlib import Path

    import yaml

    from k2connect_ext._topics import EVENT_TYPES_BY_VERSION

    spec = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi" / "k2connect.yaml").read_text())
    schemas = spec["components"]["schemas"]
    assert EVENT_TYPES_BY_VERSION["v1"] == set(schemas["WebhookV1EventType"]["enum"])
    assert EVENT_TYPES_BY_VERSION["v2"] == set(schemas["WebhookV2EventType"]["enum"])
    assert EVENT_TYPES_BY_VERSION["v1"] | EVENT_TYPES_BY_VERSION["v2"] == WEBHOOK_EVENT_TYPES


# ---------------------------------------------------------------------------------- generated value sets
@pytest.mark.parametrize("value", [["KES"], {"KES": 1}, None, 5, b"KES"])
def test_membership_of_a_non_string_is_false_never_an_error(value: Any) -> None:
    """A list or dict is never hashed against a generated value set (that would raise TypeError)."""
    assert not is_one_of(value, AMOUNT_CURRENCY_VALUES)


def test_membership_is_exact() -> None:
    """Membership is the generated set's own: exact case, no stripping (validators normalise first)."""
    assert is_one_of("KES", AMOUNT_CURRENCY_VALUES)
    assert not is_one_of("kes", AMOUNT_CURRENCY_VALUES)
    assert not is_one_of(" KES", AMOUNT_CURRENCY_VALUES)


@pytest.mark.parametrize(
    ("values", "text"), [({"KES"}, "KES"), ({"RTS", "EFT"}, "EFT or RTS"), ({"c", "a", "b"}, "a, b or c")]
)
def test_either_lists_the_values_sorted(values: set[str], text: str) -> None:
    """Messages list a generated set's values in a stable order."""
    assert either(values) == text


def test_currency_and_settlement_method_accept_the_generated_values() -> None:
    """The accepted values are the spec's enums (generated), in any case, returned as the spec spells them."""
    for code in AMOUNT_CURRENCY_VALUES:
        assert validate_currency(code.lower()) == code
    for method in BANK_ACCOUNT_RECIPIENT_SETTLEMENT_METHOD_VALUES:
        assert validate_settlement_method(f" {method.lower()} ") == method


def test_event_type_of_one_version_names_the_version_and_its_events() -> None:
    """An event the version's enum lacks is refused on event_type, listing only that version's events."""
    v1 = rejected(validate_v1_event_type, "card_transaction_received")
    assert v1.field == "event_type"
    assert "on v1" in str(v1)
    assert "m2m_transaction_received" in str(v1)
    assert "card_transaction_voided" not in str(v1)
    v2 = rejected(validate_v2_event_type, "m2m_transaction_received")
    assert "on v2" in str(v2)
    assert "card_transaction_voided" in str(v2)


@pytest.mark.parametrize("value", sorted(WEBHOOK_V1_EVENT_TYPE_VALUES))
def test_every_v1_event_type_is_accepted_as_is(value: str) -> None:
    """Each value of the spec's WebhookV1EventType passes unchanged."""
    assert validate_v1_event_type(value) == value


@pytest.mark.parametrize("value", sorted(WEBHOOK_V2_EVENT_TYPE_VALUES))
def test_every_v2_event_type_is_accepted_as_is(value: str) -> None:
    """Each value of the spec's WebhookV2EventType passes unchanged."""
    assert validate_v2_event_type(value) == value


# ----------------------------------------------------------------------------------------------------
# Input checks on blank values: required means non-blank, not merely present.


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_blank_required_text_is_refused_as_missing(blank: str) -> None:
    """A required text that is only whitespace is "required", naming the field, not sent as empty."""
    with pytest.raises(K2InputError, match="note is required") as caught:
        validate_text(blank, "note", multiline=True)
    assert caught.value.field == "note"


def test_a_blank_required_email_is_refused_as_missing() -> None:
    """The same for an e-mail address that is required."""
    with pytest.raises(K2InputError, match="email is required"):
        validate_email("  ", required=True)
