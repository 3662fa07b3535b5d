"""Mistakes a developer makes in the first hour each get a K2Error that says what to do, never another
library's exception or a message about something else: a closed client, a number where a string belongs, a
plain-http callback that K2 cannot post to, and credentials meant for another environment.

Each scenario runs through the sync and the async client alike (``runner``).
"""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from k2connect_client.api.v2 import v2_get_incoming_payment

import k2connect_sandbox.config as sandbox_config
from k2connect_ext import (
    K2,
    AsyncK2,
    K2AuthError,
    K2ConfigError,
    K2InputError,
    K2ValidationError,
    _settings,
    _token_fetch,
    _validation,
)
from k2connect_ext import _operations as ops
from k2connect_ext._constants import PRODUCTION_BASE_URL, SANDBOX_BASE_URL
from k2connect_ext._facade import AsyncCreated, Created
from k2connect_ext._intent import IntentState
from k2connect_ext._loopback import is_loopback_host
from k2connect_ext._polling import async_wait_for, wait_for
from k2connect_ext._validation import (
    validate_currency,
    validate_network,
    validate_phone,
    validate_settlement_method,
    validate_url,
)
from tests.client_runner import LOCATION, SECRET, STK_ARGS, Runner
from tests.fakes import PID, FakeK2, Reply, reply


@pytest.fixture(params=["sync", "async"])
def runner(request: pytest.FixtureRequest) -> Runner:
    """The same scenario through K2 / connect() and through AsyncK2 / async_connect()."""
    return Runner(request.param)


# ---------------------------------------------------------------------------------- a closed client
async def close(client: K2 | AsyncK2) -> None:
    if isinstance(client, K2):
        client.close()
    else:
        await client.aclose()


def assert_says_closed(error: K2ConfigError) -> None:
    """The message names the mistake and both ways out, and the error carries nothing of httpx's."""
    text = str(error)
    assert "closed" in text
    assert "new" in text and "lifetime" in text
    assert error.__cause__ is None and error.__context__ is None


FacadeCall = Callable[[Any], Any]
FACADE_CALLS: dict[str, FacadeCall] = {
    "stk_push": lambda k2: k2.stk_push(**STK_ARGS),
    "get": lambda k2: k2.get(LOCATION),
    "wait_for": lambda k2: k2.wait_for(LOCATION),
    "token_info": lambda k2: k2.token_info(),
    "token": lambda k2: k2.token(),
    "cancel_payment_link": lambda k2: k2.cancel_payment_link(PID),
}


@pytest.mark.parametrize("call", FACADE_CALLS.values(), ids=FACADE_CALLS.keys())
async def test_an_operation_on_a_closed_client_is_a_config_error(runner: Runner, call: FacadeCall) -> None:
    """After close() / aclose(), every operation raises K2ConfigError (not httpx's RuntimeError), sends
    nothing, and says to make a new client or keep one open."""
    server = FakeK2()
    k2 = runner.k2(server)
    await close(k2)
    with pytest.raises(K2ConfigError) as caught:
        await runner.run(call, k2)
    assert_says_closed(caught.value)
    assert server.seen == []


async def test_an_operation_after_the_with_block_is_a_config_error(runner: Runner) -> None:
    """Leaving ``with`` / ``async with`` closes the client: a later call gets the same K2ConfigError."""
    server = FakeK2()
    k2 = runner.k2(server)
    if isinstance(k2, K2):
        with k2:
            k2.stk_push(**STK_ARGS)
    else:
        async with k2:
            await k2.stk_push(**STK_ARGS)
    sent = len(server.seen)
    with pytest.raises(K2ConfigError) as caught:
        await runner.run(k2.stk_push, **STK_ARGS)
    assert_says_closed(caught.value)
    assert len(server.seen) == sent


async def test_waiting_on_a_created_handle_of_a_closed_client_is_a_config_error(runner: Runner) -> None:
    """A handle outliving its client: wait() raises K2ConfigError at once, not a poll timeout after
    retrying a 'transient' error until the deadline."""
    server = FakeK2()
    k2 = runner.k2(server)
    created: Created[Any] | AsyncCreated[Any] = await runner.run(k2.stk_push, **STK_ARGS)
    await close(k2)
    with pytest.raises(K2ConfigError) as caught:
        await runner.run(created.wait)
    assert_says_closed(caught.value)
    assert runner.clock.sleeps == []


async def test_a_generated_operation_on_a_closed_client_is_a_config_error(runner: Runner) -> None:
    """The generated client behind the facade (``k2.client``) and one from connect() / async_connect(),
    called directly and through wait_for / async_wait_for, refuse with the same K2ConfigError."""
    server = FakeK2()
    k2 = runner.k2(server)
    bare = runner.connect(server)
    await close(k2)
    http = runner.http(bare)
    if isinstance(http, httpx.Client):
        http.close()
    else:
        await http.aclose()
    for client in (k2.client, bare):
        with pytest.raises(K2ConfigError) as caught:
            await runner.op(v2_get_incoming_payment, PID, client=client)
        assert_says_closed(caught.value)
        with pytest.raises(K2ConfigError) as caught:
            if runner.mode == "sync":
                wait_for(client, LOCATION, sleep=runner.clock.sleep)
            else:
                await async_wait_for(client, LOCATION, sleep=runner.clock.asleep)
        assert_says_closed(caught.value)
    assert server.seen == []
    assert runner.clock.sleeps == []


async def test_an_intent_sent_through_a_closed_client_stays_recorded(runner: Runner, tmp_path: Path) -> None:
    """The intent is recorded, nothing leaves, and it stays ``recorded`` for a later send."""
    server = FakeK2()
    k2 = runner.k2(server, ledger=tmp_path / "payouts.db")
    await close(k2)
    with pytest.raises(K2ConfigError) as caught:
        await runner.run(k2.intents.stk_push, key="order-1", **STK_ARGS)
    assert_says_closed(caught.value)
    assert server.seen == []
    reopened = runner.k2(server, ledger=tmp_path / "payouts.db")
    intent = await runner.run(reopened.intents.get, "order-1")
    assert intent is not None and intent.state is IntentState.RECORDED
    await close(reopened)


# ---------------------------------------------------------------------------------- a number for a string
PHONE_BUILDERS: dict[str, Callable[[Any], object]] = {
    "stk_push": lambda phone: ops.stk_push(**{**STK_ARGS, "phone_number": phone}),
    "add_recipient": lambda phone: ops.add_recipient(
        "mobile_wallet", first_name="Jane", last_name="Doe", phone_number=phone
    ),
    "add_merchant_wallet": lambda phone: ops.add_merchant_wallet(
        first_name="Jane", last_name="Doe", phone_number=phone
    ),
    "mobile_wallet_destination": lambda phone: ops.mobile_wallet_destination(phone, 100, "salary"),
}
NUMBERS = [712345678, 254712345678, 712345678.0, Decimal("712345678")]


@pytest.mark.parametrize("number", NUMBERS, ids=lambda number: type(number).__name__)
@pytest.mark.parametrize("build", PHONE_BUILDERS.values(), ids=PHONE_BUILDERS.keys())
def test_a_phone_number_given_as_a_number_says_it_must_be_a_string(
    build: Callable[[Any], object], number: object
) -> None:
    """Every phone field says a string is needed and why, rather than that the number is missing."""
    with pytest.raises(K2InputError) as caught:
        build(number)
    assert caught.value.field == "phone_number"
    assert str(caught.value) == (
        f'phone_number must be a string, like "+254712345678" (not {type(number).__name__}: a leading 0 or + '
        "cannot be kept in a number)"
    )


async def test_the_facade_refuses_a_number_for_a_phone_before_sending(runner: Runner) -> None:
    """K2 / AsyncK2's stk_push gives the same message, and nothing is sent."""
    server = FakeK2()
    with pytest.raises(K2InputError) as caught:
        await runner.run(runner.k2(server).stk_push, **{**STK_ARGS, "phone_number": 712345678})
    assert caught.value.field == "phone_number"
    assert "must be a string" in str(caught.value) and "required" not in str(caught.value)
    assert server.seen == []


@pytest.mark.parametrize("build", PHONE_BUILDERS.values(), ids=PHONE_BUILDERS.keys())
def test_a_missing_phone_number_is_required_and_shows_the_form(build: Callable[[Any], object]) -> None:
    """None is 'required', with an example of what to give."""
    with pytest.raises(K2InputError) as caught:
        build(None)
    assert caught.value.field == "phone_number"
    assert str(caught.value) == 'phone_number is required: a string, like "+254712345678"'


@pytest.mark.parametrize("value", [True, ["0712345678"]], ids=["bool", "list"])
def test_a_phone_number_of_another_type_says_it_must_be_a_string(value: object) -> None:
    """Not a number: no word about leading zeros, just the type wanted and the type given."""
    with pytest.raises(K2InputError) as caught:
        validate_phone(value)  # type: ignore[arg-type]
    assert str(caught.value) == (
        f'phone_number must be a string, like "+254712345678" (not {type(value).__name__})'
    )


CHOICE_FIELDS: dict[str, tuple[Callable[[Any], object], str]] = {
    "currency": (validate_currency, 'the string "KES"'),
    "settlement_method": (validate_settlement_method, 'the string "EFT" or "RTS"'),
    "network": (validate_network, 'the string "Safaricom"'),
    "callback_url": (
        validate_url,
        'a string: an https URL K2 can reach, like "https://example.com/k2/result"',
    ),
}


@pytest.mark.parametrize("value", [1, 2.5, None], ids=["int", "float", "None"])
@pytest.mark.parametrize("field", CHOICE_FIELDS)
def test_a_string_field_given_a_number_or_none_says_what_it_takes(field: str, value: object) -> None:
    """currency, settlement_method, network and URLs name the type wanted (or say they are required),
    instead of only listing the values a string may take."""
    validate, wanted = CHOICE_FIELDS[field]
    with pytest.raises(K2InputError) as caught:
        validate(value)
    assert caught.value.field == field
    if value is None:
        assert str(caught.value) == f"{field} is required: {wanted}"
    else:
        assert str(caught.value) == f"{field} must be {wanted} (not {type(value).__name__})"


# ---------------------------------------------------------------------------------- a plain-http callback
NOW = dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC)
CALLBACK_BUILDERS: dict[str, tuple[str, Callable[[str], object]]] = {
    "stk_push": ("callback_url", lambda url: ops.stk_push(**{**STK_ARGS, "callback_url": url})),
    "send_sms_notification": ("callback_url", lambda url: ops.send_sms_notification(PID, "Thanks", url)),
    "create_payment": (
        "callback_url",
        lambda url: ops.create_payment(
            destination_type="mobile_wallet",
            destination_reference=PID,
            amount=100,
            description="salary",
            callback_url=url,
        ),
    ),
    "settle_funds": ("callback_url", lambda url: ops.settle_funds(callback_url=url)),
    "poll_transactions": (
        "callback_url",
        lambda url: ops.poll_transactions(
            from_time=NOW - dt.timedelta(minutes=5), to_time=NOW, callback_url=url
        ),
    ),
    "send_money": ("callback_url", lambda url: ops.send_money(callback_url=url)),
    "reverse_transaction": (
        "callback_url",
        lambda url: ops.reverse_transaction(
            transaction_reference="QKL1234", reason="refund", callback_url=url
        ),
    ),
    "create_payment_link": (
        "callback_url",
        lambda url: ops.create_payment_link(till_number="K000000", amount=100, callback_url=url),
    ),
    "subscribe_webhook": ("url", lambda url: ops.subscribe_webhook("buygoods_transaction_received", url)),
    "subscribe_webhook v1": (
        "url",
        lambda url: ops.subscribe_webhook("buygoods_transaction_received", url, version="v1"),
    ),
}
NETWORK_HTTP_URLS = [
    "http://example.com/k2/result",
    "http://EXAMPLE.com:8080/k2/result",
    "HTTP://example.com/cb",
    "http://192.168.1.10:8000/cb",  # a private address: still not one K2 can reach
    "http://10.0.0.5/cb",
    "http://[2001:db8::1]/cb",
    "http://127.0.0.1.nip.io/cb",  # a name, resolved anywhere
    "http://app.localhost/cb",  # a name under localhost is looked up like any other (see _loopback)
    "http://0.0.0.0:8000/cb",
]
LOOPBACK_HTTP_URLS = [
    "http://localhost:8000/cb",
    "http://LOCALHOST/cb",
    "http://127.0.0.1:8000/cb",
    "http://127.8.9.10/cb",
    "http://[::1]:8000/cb",
]


@pytest.mark.parametrize("url", NETWORK_HTTP_URLS)
@pytest.mark.parametrize("builder", CALLBACK_BUILDERS.values(), ids=CALLBACK_BUILDERS.keys())
def test_a_plain_http_callback_to_the_network_is_refused(
    builder: tuple[str, Callable[[str], object]], url: str
) -> None:
    """K2 posts only to https: a plain-http URL off the machine would never receive the result."""
    field, build = builder
    with pytest.raises(K2InputError) as caught:
        build(url)
    assert caught.value.field == field
    text = str(caught.value)
    assert f"{field} must be an https URL" in text
    assert "ngrok" in text and "cloudflared" in text and "sandbox" in text and "loopback" in text


@pytest.mark.parametrize("url", LOOPBACK_HTTP_URLS)
@pytest.mark.parametrize("builder", CALLBACK_BUILDERS.values(), ids=CALLBACK_BUILDERS.keys())
def test_a_plain_http_callback_to_loopback_is_accepted(
    builder: tuple[str, Callable[[str], object]], url: str
) -> None:
    """The local sandbox posts to this machine: plain http to loopback stays allowed, as for base_url."""
    _field, build = builder
    build(url)


def test_the_refusal_does_not_quote_the_url() -> None:
    """The message names the host but never the URL (its path or query may carry a shop's secret)."""
    with pytest.raises(K2InputError) as caught:
        validate_url("http://shop.example/cb?token=opaque-7f3a")
    assert "shop.example" in str(caught.value)
    assert "opaque-7f3a" not in str(caught.value)


async def test_the_facade_refuses_a_plain_http_callback_before_sending(runner: Runner) -> None:
    """Nothing is sent, no token is fetched."""
    server = FakeK2()
    with pytest.raises(K2InputError) as caught:
        await runner.run(runner.k2(server).stk_push, **{**STK_ARGS, "callback_url": "http://example.com/cb"})
    assert caught.value.field == "callback_url"
    assert server.seen == []


def test_callback_urls_and_base_urls_share_one_loopback_rule() -> None:
    """The SDK's two http rules (base_url and callbacks) ask the same function, so they never disagree."""
    assert vars(_validation)["is_loopback_host"] is vars(_settings)["is_loopback_host"] is is_loopback_host


# ---------------------------------------------------------------------------------- another env's credentials
INVALID_CLIENT = {"error": "invalid_client", "error_description": "Client authentication failed"}
REFUSALS = {"401": reply(401, INVALID_CLIENT), "400 invalid_client": reply(400, INVALID_CLIENT)}


async def refused_at(runner: Runner, base_url: str, refusal: Reply, **kwargs: Any) -> K2AuthError:
    """The K2AuthError of an STK push whose token request ``refusal`` answers, against ``base_url``."""
    server = FakeK2(token_replies=[refusal])
    k2 = runner.k2(server, base_url=base_url, **kwargs)
    with pytest.raises(K2AuthError) as caught:
        await runner.run(k2.stk_push, **STK_ARGS)
    assert server.api_requests() == []
    assert SECRET not in str(caught.value) and SECRET not in repr(vars(caught.value))
    assert caught.value.error_code == "invalid_client"
    await close(k2)
    return caught.value


@pytest.mark.parametrize("refusal", REFUSALS.values(), ids=REFUSALS.keys())
async def test_credentials_refused_by_kopo_kopos_sandbox_hint_at_production(
    runner: Runner, refusal: Reply
) -> None:
    """Against https://sandbox.kopokopo.com: maybe these are production credentials."""
    error = await refused_at(runner, SANDBOX_BASE_URL, refusal)
    text = str(error)
    assert "Client authentication failed" in text  # K2's own words stay
    assert f"at {SANDBOX_BASE_URL}" in text
    assert f"if these are production credentials, set K2_BASE_URL={PRODUCTION_BASE_URL}" in text


@pytest.mark.parametrize("refusal", REFUSALS.values(), ids=REFUSALS.keys())
async def test_credentials_refused_by_production_hint_at_the_sandbox(runner: Runner, refusal: Reply) -> None:
    """Against https://api.kopokopo.com: maybe these are sandbox credentials."""
    text = str(await refused_at(runner, PRODUCTION_BASE_URL, refusal))
    assert f"at {PRODUCTION_BASE_URL}" in text
    assert f"if these are sandbox credentials, set K2_BASE_URL={SANDBOX_BASE_URL}" in text


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"])
async def test_credentials_refused_by_the_local_sandbox_name_its_defaults(
    runner: Runner, base_url: str
) -> None:
    """Against the local sandbox: its default client id, as k2connect_sandbox defines it, and where to find
    its default secret (a secret is never printed, the sandbox's included)."""
    text = str(await refused_at(runner, base_url, REFUSALS["401"]))
    assert f"at {base_url}" in text
    assert f"the local sandbox's credentials are the client id {sandbox_config.DEFAULT_CLIENT_ID}" in text
    assert "k2connect-sandbox --help" in text
    assert sandbox_config.DEFAULT_CLIENT_SECRET not in text


async def test_the_local_sandboxs_defaults_given_and_refused_say_it_was_started_with_others(
    runner: Runner,
) -> None:
    """The sandbox's own defaults refused: it was started with other credentials, and the hint says so."""
    server = FakeK2(token_replies=[REFUSALS["401"]])
    k2 = (K2 if runner.mode == "sync" else AsyncK2)(
        sandbox_config.DEFAULT_CLIENT_ID,
        sandbox_config.DEFAULT_CLIENT_SECRET,
        transport=httpx.MockTransport(server),
        base_url="http://127.0.0.1:8000",
    )
    with pytest.raises(K2AuthError) as caught:
        await runner.run(k2.stk_push, **STK_ARGS)
    text = str(caught.value)
    assert sandbox_config.DEFAULT_CLIENT_SECRET not in text
    assert "started with other credentials" in text and "k2connect-sandbox --help" in text
    await close(k2)


def test_the_sdk_knows_the_local_sandboxs_defaults() -> None:
    """The SDK does not import the sandbox, so it keeps a copy of its defaults: the two must agree."""
    assert _token_fetch.LOCAL_SANDBOX_CLIENT_ID == sandbox_config.DEFAULT_CLIENT_ID
    assert _token_fetch.LOCAL_SANDBOX_CLIENT_SECRET == sandbox_config.DEFAULT_CLIENT_SECRET


async def test_credentials_refused_elsewhere_name_the_base_url_in_use(runner: Runner) -> None:
    """Another host (a proxy, a staging copy): the base URL in use and the variable that sets it."""
    text = str(await refused_at(runner, "https://k2.internal.example", REFUSALS["401"]))
    assert "https://k2.internal.example" in text and "K2_BASE_URL" in text


async def test_a_token_request_refused_for_another_reason_gets_no_hint(runner: Runner) -> None:
    """A 400 that is not about the credentials (unsupported_grant_type) stays a K2ValidationError."""
    refusal = reply(400, {"error": "unsupported_grant_type", "error_description": "nope"})
    server = FakeK2(token_replies=[refusal])
    with pytest.raises(K2ValidationError) as caught:
        await runner.run(runner.k2(server).stk_push, **STK_ARGS)
    assert "K2_BASE_URL" not in str(caught.value)


async def test_a_401_on_an_api_call_gets_no_credentials_hint(runner: Runner) -> None:
    """Only the token request's refusal is about the credentials; an API call's 401 is about its token."""
    refused = reply(401, {"error_code": 401, "error_message": "InvalidAccessToken"})
    server = FakeK2(refused, refused)
    with pytest.raises(K2AuthError) as caught:
        await runner.run(runner.k2(server).stk_push, **STK_ARGS)
    assert "K2_BASE_URL" not in str(caught.value)


async def test_a_hinted_refusal_keeps_every_attribute_and_pickles(runner: Runner) -> None:
    """The hinted error is a whole K2AuthError: K2's status, code, body and request, cut from any chain."""
    error = await refused_at(runner, SANDBOX_BASE_URL, REFUSALS["400 invalid_client"])
    assert type(error) is K2AuthError
    assert error.status_code == 400
    assert error.error_message == "Client authentication failed"
    assert error.body == INVALID_CLIENT
    assert (error.method, error.url) == ("POST", f"{SANDBOX_BASE_URL}/oauth/token")
    assert error.__cause__ is None and error.__context__ is None and error.__traceback__ is not None
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), str(copy), vars(copy)) == (K2AuthError, str(error), vars(error))
