"""Input fuzz: every create method of ``K2`` and ``AsyncK2``, called with random values of random types.

For each call exactly one of two things may happen:

* ``K2InputError`` naming a field, and nothing was sent to K2; or
* one request was sent, and its body is strict JSON (no NaN, encodable as UTF-8) that the spec's request
  schema for that path accepts (jsonschema against ``openapi/k2connect.yaml``).

Anything else (a ``TypeError`` from a builder, a body K2 would refuse for its type, a request sent and then
an error) fails. Each parameter gets a valid value most of the time and a random one otherwise, so accepted
bodies with one odd field are explored as well as refusals. ``K2_FUZZ_EXAMPLES`` sets the examples per test
(``make fuzz`` sets it high; 200 by default).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import json
import os
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

import httpx
import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k2connect_ext import _operations as ops
from k2connect_ext._exceptions import K2InputError
from k2connect_ext._facade import K2, AsyncK2
from k2connect_ext._outcomes import STATUSES, State, outcome_of, state_of
from k2connect_ext._topics import WEBHOOK_EVENT_TYPES
from tests.creates import CREATES
from tests.fakes import FakeK2

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "k2connect.yaml"
BASE = "https://sandbox.kopokopo.com"
OMIT = object()  # "leave this argument out"

FUZZ = settings(
    max_examples=int(os.environ.get("K2_FUZZ_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

DESTINATIONS = [
    "mobile_wallet_destination",
    "bank_account_destination",
    "till_destination",
    "paybill_destination",
    "merchant_wallet_destination",
    "merchant_bank_account_destination",
]


# ---------------------------------------------------------------------------------- the spec's schemas
@cache
def _spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC.read_text())
    return loaded


def _validator(pointer: str) -> jsonschema.Draft202012Validator:
    # The whole document is the root, so every "#/components/..." reference resolves; the other OpenAPI
    # keys are unknown keywords to JSON Schema and ignored.
    root = {**_spec(), "$ref": pointer}
    return jsonschema.Draft202012Validator(root)


@cache
def request_validator(path: str) -> jsonschema.Draft202012Validator:
    """The validator of the JSON request body of ``POST path``."""
    if "post" not in _spec()["paths"].get(path, {}):
        pytest.fail(f"the SDK posted to {path}, which the spec does not describe")
    escaped = path.replace("~", "~0").replace("/", "~1")
    return _validator(f"#/paths/{escaped}/post/requestBody/content/application~1json/schema")


@cache
def schema_validator(name: str) -> jsonschema.Draft202012Validator:
    return _validator(f"#/components/schemas/{name}")


def _no_constants(name: str) -> NoReturn:
    raise AssertionError(f"the body holds {name}, which is not JSON")


def assert_valid_body(request: httpx.Request) -> None:
    """Strict JSON, and valid for the spec's schema of the path it was posted to."""
    body = json.loads(request.content.decode("utf-8"), parse_constant=_no_constants)
    errors = sorted(request_validator(request.url.path).iter_errors(body), key=str)
    assert not errors, f"POST {request.url.path} body breaks the spec: {errors[0].message}\n{body}"


# ---------------------------------------------------------------------------------- a K2 that records
# tests.fakes.FakeK2 answers the token request, and every create 201 with a Location under its path.
def _k2(recorder: FakeK2) -> K2:
    return K2(
        "client-id", "client-secret", base_url=BASE, transport=httpx.MockTransport(recorder), environ={}
    )


def _async_k2(recorder: FakeK2) -> AsyncK2:
    transport = httpx.MockTransport(recorder)
    return AsyncK2("client-id", "client-secret", base_url=BASE, transport=transport, environ={})


# ---------------------------------------------------------------------------------- random values
surrogate_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=12)
# Built by map: hypothesis' repr of a strategy holding 10**5000 would fail (too many digits to print).
huge_ints = st.sampled_from([(10, 5000), (2, 53), (-2, 63), (2, 64), (10, 30)]).map(
    lambda pair: pair[0] ** pair[1] + (1 if pair == (2, 53) else 0)
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    huge_ints,
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    surrogate_text,
    st.binary(max_size=8),
    st.datetimes(timezones=st.none() | st.just(dt.UTC)),
)
anything = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner)
        | st.dictionaries(st.one_of(st.text(max_size=6), st.integers()), inner, max_size=3)
        | st.frozensets(st.integers(), max_size=2)
    ),
    max_leaves=6,
)
# Text a form could hold: no controls or surrogates, not blank. Odd text comes from the other branches.
text = st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=24).filter(str.strip)
odd_text = st.sampled_from(["", "  ", "line\nbreak", "tab\t", "nul\x00", "\ud800", "x" * 5000])
amounts = st.one_of(
    st.integers(min_value=1, max_value=10**12),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e9"), places=2),
    st.floats(min_value=0.01, max_value=1e9),
    st.sampled_from(["100", "100.50", "1e3", " 7 ", "1_000", "\u0661\u0662"]),
)
odd_amounts = st.one_of(
    st.integers(max_value=0),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["0.001", "-1", "NaN", "Infinity", "1e999999", "", "ten"]),
)
metadata_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**54), max_value=2**54),
    huge_ints,
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    surrogate_text,
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
metadata = st.dictionaries(st.one_of(st.text(max_size=12), st.integers()), metadata_values, max_size=6)
aware_times = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(dt.UTC)
)

# Per parameter name: (values the SDK should accept, values it should refuse). A parameter not named here
# takes ``text`` / ``odd_text``. ``parameter`` adds the random branch (any type at all) to every one.
POOLS: dict[str, tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]] = {
    "phone_number": (
        st.sampled_from(["0712345678", "+254712345678", "254112345678", "0712 345-678"]),
        st.sampled_from(["0812345678", "07123", "+1 555 0100", "071234567\u0668"]),
    ),
    "amount": (amounts, odd_amounts),
    "currency": (st.sampled_from(["KES", "kes", " KES "]), st.sampled_from(["USD", "", "KSH"])),
    "callback_url": (
        st.sampled_from(
            ["https://example.com/k2/cb", "http://localhost:8000/cb", "https://[::1]:8443/x?y=1"]
        ),
        st.sampled_from(["ftp://x", "", "https://a b", "example.com/cb", "https://\u00e9.com/"]),
    ),
    "url": (
        st.sampled_from(["https://example.com/hooks", "http://127.0.0.1:9000/h"]),
        st.sampled_from(["ftp://x", "", "https://a b"]),
    ),
    "till_number": (st.sampled_from(["K000000", "514459", " 514459 "]), odd_text),
    "email": (
        st.sampled_from(["jane@example.com", "j.d+k2@x.co.ke", ""]),
        st.sampled_from(["not-an-email", "a@b", "a b@c.d"]),
    ),
    "metadata": (st.none(), metadata),
    "version": (st.sampled_from(["v1", "v2"]), st.sampled_from(["v3", "V1", ""])),
    "payment_channel": (st.sampled_from(["M-PESA STK Push", "M-PESA"]), odd_text),
    "event_type": (
        st.sampled_from(sorted(WEBHOOK_EVENT_TYPES)),
        st.sampled_from(["transaction_received", ""]),
    ),
    "scope": (st.sampled_from(["till", "company", "TILL"]), st.sampled_from(["other", ""])),
    "scope_reference": (st.sampled_from(["514459", None, ""]), odd_text),
    "enable_daraja_payload": (st.booleans(), st.sampled_from([0, 1, "true"])),
    "recipient_type": (
        st.sampled_from(["mobile_wallet", "bank_account", "till", "paybill"]),
        st.sampled_from(["kopo_kopo_merchant", ""]),
    ),
    "settlement_method": (st.sampled_from(["EFT", "RTS", "rts", None]), st.sampled_from(["ACH", ""])),
    "network": (st.sampled_from(["Safaricom", "SAFARICOM"]), st.sampled_from(["Airtel", ""])),
    "destination_type": (
        st.sampled_from(
            [
                "mobile_wallet",
                "bank_account",
                "till",
                "paybill",
                "merchant_wallet",
                "merchant_bank_account",
                None,
            ]
        ),
        st.sampled_from(["kopo_kopo", ""]),
    ),
    "tags": (st.lists(text, max_size=3) | st.none(), st.lists(odd_text, min_size=1, max_size=2)),
    "from_time": (aware_times, st.datetimes()),
    "to_time": (aware_times, st.datetimes()),
    "favourite": (st.booleans() | st.none(), st.sampled_from([0, "yes"])),
}


def _destination(name: str) -> st.SearchStrategy[Any]:
    return st.builds(lambda kwargs: _built(getattr(ops, name), kwargs), arguments(getattr(ops, name)))


def _built(builder: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
    try:
        return builder(**kwargs)
    except K2InputError:
        return None


def parameter(name: str, required: bool) -> st.SearchStrategy[Any]:
    """Mostly a valid value, sometimes a wrong one, now and then anything; optional ones may be omitted."""
    if name == "destinations":
        one = st.one_of(*[_destination(d) for d in DESTINATIONS]).filter(lambda d: d is not None)
        good: st.SearchStrategy[Any] = st.lists(one, max_size=3)
        bad: st.SearchStrategy[Any] = st.sampled_from([{"type": "till"}, "till", [None], [{}]])
    else:
        good, bad = POOLS.get(name, (text, odd_text))
    if not required:
        good = good | st.just(OMIT)
    # One draw in twenty is of the wrong value, one of any type: with a dozen parameters, a fair share of the
    # calls is accepted and sent, so the body check is exercised as much as the refusals.
    # (sampled_from, not integers(0, 19): hypothesis draws small integers far more often than 1 in 20.)
    branch = {"good": good, "bad": bad, "any": anything}
    return st.sampled_from(["good"] * 18 + ["bad", "any"]).flatmap(branch.__getitem__)


def arguments(builder: Callable[..., Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Random keyword arguments for every parameter of ``builder``; optional ones may be left out."""
    fields = {
        name: parameter(name, p.default is inspect.Parameter.empty)
        for name, p in inspect.signature(builder).parameters.items()
    }
    return st.fixed_dictionaries(fields).map(lambda d: {k: v for k, v in d.items() if v is not OMIT})


# ---------------------------------------------------------------------------------- the properties
def check(outcome: object, recorder: FakeK2) -> None:
    """Refused before sending, naming a field; or one request sent, with a body the spec accepts."""
    if isinstance(outcome, K2InputError):
        assert isinstance(outcome.field, str) and outcome.field, f"no field named: {outcome}"
        assert recorder.api_requests() == [], "a refused input was sent anyway"
        return
    if isinstance(outcome, BaseException):
        raise AssertionError(f"{type(outcome).__name__} escaped: {outcome}") from outcome
    assert len(recorder.api_requests()) == 1, [r.url.path for r in recorder.api_requests()]
    assert_valid_body(recorder.api_requests()[0])


@cache
def shared_k2() -> tuple[K2, FakeK2]:
    """One sync client for all examples: one per example would measure the client, not the inputs."""
    recorder = FakeK2()
    return _k2(recorder), recorder


# The strategies depend on the parameter, so each test draws them from ``st.data()``: @given sits on the test
# itself, where ``--hypothesis-show-statistics`` (and so ``make fuzz``'s case count) sees it.
@pytest.mark.parametrize("method", CREATES)
@FUZZ
@given(data=st.data())
def test_sync_create_refuses_or_sends_a_valid_body(method: str, data: st.DataObject) -> None:
    """K2.<create>(random arguments): only K2InputError, or a body valid for the spec."""
    kwargs = data.draw(arguments(getattr(ops, method)), label="kwargs")
    k2, recorder = shared_k2()
    recorder.seen.clear()
    try:
        outcome: object = getattr(k2, method)(**kwargs)
    except Exception as exc:  # the property is which exceptions escape
        outcome = exc
    check(outcome, recorder)


@pytest.mark.parametrize("method", CREATES)
@FUZZ
@given(data=st.data())
def test_async_create_refuses_or_sends_a_valid_body(method: str, data: st.DataObject) -> None:
    """AsyncK2.<create>(random arguments): the same property as the sync facade."""
    kwargs = data.draw(arguments(getattr(ops, method)), label="kwargs")

    async def call(recorder: FakeK2) -> object:
        async with _async_k2(recorder) as k2:
            try:
                result: object = await getattr(k2, method)(**kwargs)
            except Exception as exc:
                result = exc
            return result

    recorder = FakeK2()
    check(asyncio.run(call(recorder)), recorder)


@pytest.mark.parametrize("name", DESTINATIONS)
@FUZZ
@given(data=st.data())
def test_destination_builder_refuses_or_builds_a_valid_destination(name: str, data: st.DataObject) -> None:
    """The send-money destination helpers: K2InputError, or a destination the spec accepts."""
    builder = getattr(ops, name)
    schema = "".join(part.title() for part in name.split("_"))  # MobileWalletDestination, ...
    kwargs = data.draw(arguments(builder), label="kwargs")
    try:
        destination = builder(**kwargs)
    except K2InputError as exc:
        assert exc.field
        return
    body = json.loads(json.dumps(destination.to_dict(), allow_nan=False))
    errors = list(schema_validator(schema).iter_errors(body))
    assert not errors, f"{schema} breaks the spec: {errors[0].message}\n{body}"


def test_the_fuzz_reaches_both_outcomes() -> None:
    """The strategies are not so wild that nothing is ever sent (which would make the body check vacuous)."""
    recorder = FakeK2()
    k2 = _k2(recorder)
    seen = {"sent": 0, "refused": 0}

    @settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(kwargs=arguments(ops.stk_push))
    def run(kwargs: dict[str, Any]) -> None:
        recorder.seen.clear()
        try:
            k2.stk_push(**kwargs)
        except K2InputError:
            seen["refused"] += 1
            return
        seen["sent"] += 1
        assert_valid_body(recorder.api_requests()[0])

    run()
    assert seen["sent"] > 0 and seen["refused"] > 0, seen


# ---------------------------------------------------------------------------------- public helpers
def _validators() -> list[tuple[str, Callable[..., Any]]]:
    from k2connect_ext import _validation as validation

    return [(name, getattr(validation, name)) for name in validation.__all__ if name.startswith("validate_")]


@pytest.mark.parametrize(("name", "validator"), _validators(), ids=[n for n, _ in _validators()])
@FUZZ
@given(data=st.data())
def test_validators_raise_only_input_errors(
    name: str, validator: Callable[..., Any], data: st.DataObject
) -> None:
    """Each public validate_* given anything at all: a value, or K2InputError naming a field."""
    positional = [
        p
        for p in inspect.signature(validator).parameters.values()
        if p.default is inspect.Parameter.empty and p.kind is not inspect.Parameter.KEYWORD_ONLY
    ]
    # ``field`` is the caller's own label for the message, not user input: it stays a name.
    args = [
        data.draw(st.just("the_field") if p.name == "field" else anything, label=p.name) for p in positional
    ]
    try:
        validator(*args)
    except K2InputError as exc:
        assert exc.field


@FUZZ
@given(kind=st.sampled_from([*STATUSES, "webhook_subscription"]) | anything, body=anything, status=anything)
def test_outcome_helpers_never_raise(kind: Any, body: Any, status: Any) -> None:
    """outcome_of / state_of on any input: an outcome (unknown input is pending), never an exception."""
    assert state_of(kind, status) in set(State)
    assert outcome_of(kind, body if isinstance(body, dict) else {"data": {"attributes": body}}).state in set(
        State
    )
