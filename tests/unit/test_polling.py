"""Tests for polling, outcomes and locations: wait_for and async_wait_for run the same scenarios."""

from __future__ import annotations

import math
from http import HTTPStatus
from typing import Any

import attrs
import httpx
import pytest
from k2connect_client.models import IncomingPaymentResult, PaymentLinkResult, WebhookSubscription
from k2connect_client.registry import LOCATIONS
from k2connect_client.types import Response

from k2connect_ext import _locations
from k2connect_ext._client import async_connect, connect
from k2connect_ext._exceptions import (
    K2AmbiguousOutcomeError,
    K2AuthError,
    K2ConfigError,
    K2InputError,
    K2NotFoundError,
    K2PaymentFailedError,
    K2PollError,
    K2PollTimeoutError,
    K2ServerError,
    K2UnexpectedResponseError,
    K2ValidationError,
)
from k2connect_ext._locations import location_from_headers, parse_location
from k2connect_ext._outcomes import Outcome, State, outcome_of
from k2connect_ext._polling import PollSettings, async_wait_for, wait_for
from k2connect_ext._retry import RetryPolicy
from tests.fakes import PID, TOKEN, FakeClock, FakeK2, Reply, error, incoming_payment, ok, raises

BASE = "https://sandbox.kopokopo.com"
STK = f"{BASE}/api/v2/incoming_payments/{PID}"
LINK = f"{BASE}/api/v2/payment_links/{PID}"


# ---------------------------------------------------------------------------------- payloads
def payment_link(inner: str, key: str = "payment_link_status") -> dict[str, Any]:
    """A payment link: the outer status says it exists, the inner one whether it was paid."""
    return {
        "data": {
            "id": PID,
            "type": "payment_link",
            "attributes": {
                "status": "Processed",
                "till_number": "123456",
                "amount": 1000,
                "currency": "KES",
                "payment_link": {key: inner, "link": "https://example.test/links/x"},
                "errors": None,
            },
        }
    }


# ---------------------------------------------------------------------------------- the fake K2
def k2_reading(*script: Reply) -> FakeK2:
    """A K2 whose resource reads are answered by ``script`` in order, the last reply repeating."""
    return FakeK2(*script, default=script[-1])


NO_RETRY = RetryPolicy(max_attempts=1)


class Poller:
    """Runs wait_for (sync) or async_wait_for (async) against a FakeK2, with a fake clock and sleep."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.clock = FakeClock()

    async def wait(
        self, server: FakeK2, location: str = STK, *, raise_on_failure: bool = True, **settings: Any
    ) -> Any:
        """Wait for ``location`` through a client on ``server``; settings default to 1 s growing 1.5x."""
        poll = PollSettings(clock=self.clock, **settings)
        transport = httpx.MockTransport(server)
        if self.mode == "sync":
            client = connect("client-id", "client-secret", transport=transport, retry=NO_RETRY)
            return wait_for(
                client, location, settings=poll, sleep=self.clock.sleep, raise_on_failure=raise_on_failure
            )
        aclient = async_connect("client-id", "client-secret", transport=transport, retry=NO_RETRY)
        return await async_wait_for(
            aclient, location, settings=poll, sleep=self.clock.asleep, raise_on_failure=raise_on_failure
        )


@pytest.fixture(params=["sync", "async"])
def poller(request: pytest.FixtureRequest) -> Poller:
    """The same scenario, once through wait_for and once through async_wait_for."""
    return Poller(request.param)


# ---------------------------------------------------------------------------------- outcomes of a wait
async def test_incoming_payment_pending_then_success(poller: Poller) -> None:
    """Pending reads are polled through; Success returns the parsed resource."""
    server = k2_reading(
        ok(incoming_payment("Pending")), ok(incoming_payment("Pending")), ok(incoming_payment("Success"))
    )
    result = await poller.wait(server)
    assert isinstance(result, IncomingPaymentResult)
    assert result.data.attributes.status == "Success"
    assert len(server.api_requests()) == 3
    assert poller.clock.sleeps == [1.0, 1.5]


async def test_reads_go_to_the_configured_host_with_a_bearer(poller: Poller) -> None:
    """The resource is read by id through the configured base URL, never the Location's host."""
    server = k2_reading(ok(incoming_payment("Success")))
    await poller.wait(server, f"https://elsewhere.example/api/v2/incoming_payments/{PID}")
    (read,) = server.api_requests()
    assert str(read.url) == STK
    assert read.method == "GET"
    assert read.headers["Authorization"] == f"Bearer {TOKEN}-1"


async def test_failed_payment_raises_with_reason_and_resource(poller: Poller) -> None:
    """Failed raises K2PaymentFailedError with event.errors as the reason and the resource attached."""
    server = k2_reading(
        ok(incoming_payment("Pending")),
        ok(incoming_payment("Failed", "The initiator information is invalid.")),
    )
    with pytest.raises(K2PaymentFailedError) as info:
        await poller.wait(server)
    error = info.value
    assert error.status == "Failed"
    assert error.reason == "The initiator information is invalid."
    assert error.location == STK
    assert isinstance(error.resource, IncomingPaymentResult)
    assert error.resource.data.attributes.status == "Failed"
    assert "The initiator information is invalid." in str(error)
    assert isinstance(error, K2PollError)


async def test_failed_payment_returned_when_not_raising(poller: Poller) -> None:
    """raise_on_failure=False returns the failed resource instead of raising."""
    server = k2_reading(ok(incoming_payment("Failed", "Request cancelled by user")))
    result = await poller.wait(server, raise_on_failure=False)
    assert isinstance(result, IncomingPaymentResult)
    assert result.data.attributes.status == "Failed"
    assert poller.clock.sleeps == []


async def test_payment_link_active_then_paid(poller: Poller) -> None:
    """A link is pending while Active (GET spelling) and succeeds when Paid (callback spelling)."""
    server = k2_reading(
        ok(payment_link("Active")), ok(payment_link("active")), ok(payment_link("Paid", key="status"))
    )
    result = await poller.wait(server, LINK)
    assert isinstance(result, PaymentLinkResult)
    assert len(server.api_requests()) == 3
    assert server.api_requests()[0].url.path == f"/api/v2/payment_links/{PID}"


async def test_unknown_status_keeps_polling(poller: Poller) -> None:
    """A status K2 has not documented counts as pending, never as an end."""
    server = k2_reading(
        ok(incoming_payment("Queued")), ok(incoming_payment("Awaiting PIN")), ok(incoming_payment("Success"))
    )
    await poller.wait(server)
    assert len(server.api_requests()) == 3


async def test_static_resource_is_done_after_one_read(poller: Poller) -> None:
    """A webhook subscription has no lifecycle: one read is the outcome."""
    subscription = {"data": {"id": PID, "type": "webhook_subscription", "attributes": {"status": "Active"}}}
    server = k2_reading(ok(subscription))
    result = await poller.wait(server, f"{BASE}/api/v1/webhook_subscriptions/{PID}")
    assert isinstance(result, WebhookSubscription)
    assert server.api_requests()[0].url.path == f"/api/v1/webhook_subscriptions/{PID}"


async def test_deadline_raises_poll_timeout_with_last_status(poller: Poller) -> None:
    """At the deadline K2PollTimeoutError carries the last status and resource."""
    server = k2_reading(ok(incoming_payment("Pending")))
    with pytest.raises(K2PollTimeoutError) as info:
        await poller.wait(server, timeout=5.0, interval=1.0, backoff=2.0)
    error = info.value
    assert error.last_status == "Pending"
    assert isinstance(error.resource, IncomingPaymentResult)
    assert error.location == STK
    assert "Pending" in str(error)
    assert poller.clock.sleeps == [1.0, 2.0, 2.0]  # the last sleep is cut short at the deadline
    assert sum(poller.clock.sleeps) == 5.0


async def test_never_sleeps_past_the_deadline(poller: Poller) -> None:
    """Whatever the backoff, the total sleep never passes the overall timeout."""
    server = k2_reading(ok(incoming_payment("Pending")))
    with pytest.raises(K2PollTimeoutError):
        await poller.wait(server, timeout=3.5, interval=1.0, backoff=3.0, max_interval=100.0)
    assert poller.clock.sleeps == [1.0, 2.5]
    assert sum(poller.clock.sleeps) <= 3.5


async def test_backoff_grows_and_is_capped(poller: Poller) -> None:
    """Each wait grows by the backoff factor up to max_interval."""
    server = k2_reading(*[ok(incoming_payment("Pending"))] * 7, ok(incoming_payment("Success")))
    await poller.wait(server, timeout=1000.0, interval=1.0, backoff=2.0, max_interval=5.0)
    assert poller.clock.sleeps == [1.0, 2.0, 4.0, 5.0, 5.0, 5.0, 5.0]


@pytest.mark.parametrize("bad", [0.0, -1.0, math.inf, math.nan])
async def test_zero_negative_or_non_finite_timeout_is_refused(poller: Poller, bad: float) -> None:
    """A wait that could never end, or never start, is a configuration error; nothing is read."""
    server = k2_reading(ok(incoming_payment("Pending")))
    with pytest.raises(K2ConfigError):
        await poller.wait(server, timeout=bad)
    assert server.api_requests() == []


# ---------------------------------------------------------------------------------- errors while reading
@pytest.mark.parametrize(
    "transient",
    [
        error(503),
        error(502),
        error(500),
        error(429),
        raises(httpx.ConnectError("connection refused")),
        raises(httpx.ReadTimeout("read timed out")),
        raises(httpx.RemoteProtocolError("server disconnected")),
    ],
    ids=["503", "502", "500", "429", "connect-error", "read-timeout", "protocol-error"],
)
async def test_transient_read_errors_keep_polling(poller: Poller, transient: Reply) -> None:
    """5xx, 429 and transport failures only delay the next read."""
    server = k2_reading(transient, transient, ok(incoming_payment("Success")))
    result = await poller.wait(server)
    assert result.data.attributes.status == "Success"
    assert len(server.api_requests()) == 3
    assert poller.clock.sleeps == [1.0, 1.5]


@pytest.mark.parametrize("code", [429, 503])
async def test_retry_after_is_honoured(poller: Poller, code: int) -> None:
    """A Retry-After longer than the current interval sets the next wait."""
    server = k2_reading(error(code, {"Retry-After": "7"}), ok(incoming_payment("Success")))
    await poller.wait(server, interval=1.0, max_interval=5.0)
    assert poller.clock.sleeps == [7.0]


async def test_short_retry_after_does_not_shorten_the_interval(poller: Poller) -> None:
    """A hint shorter than the backoff is not a reason to poll faster."""
    server = k2_reading(error(429, {"Retry-After": "1"}), ok(incoming_payment("Success")))
    await poller.wait(server, interval=4.0)
    assert poller.clock.sleeps == [4.0]


async def test_retry_after_is_cut_at_the_deadline(poller: Poller) -> None:
    """Even a Retry-After hint is not slept past the deadline."""
    server = k2_reading(error(503, {"Retry-After": "50"}))
    with pytest.raises(K2PollTimeoutError) as info:
        await poller.wait(server, timeout=10.0)
    assert poller.clock.sleeps == [10.0]
    assert info.value.last_status is None
    assert "unread" in str(info.value)
    assert isinstance(info.value.__cause__, K2ServerError)  # why the last read failed


@pytest.mark.parametrize(
    ("reply", "error"),
    [(error(404), K2NotFoundError), (error(400), K2ValidationError), (error(403), K2AuthError)],
    ids=["404", "400", "403"],
)
async def test_client_errors_end_the_wait_at_once(
    poller: Poller, reply: Reply, error: type[Exception]
) -> None:
    """A 4xx will not heal by waiting: it is raised after one read, without sleeping."""
    server = k2_reading(reply, ok(incoming_payment("Success")))
    with pytest.raises(error):
        await poller.wait(server)
    assert len(server.api_requests()) == 1
    assert poller.clock.sleeps == []


async def test_401_renews_once_then_ends_the_wait(poller: Poller) -> None:
    """A 401 renews the token and replays once; a second 401 ends the wait with K2AuthError."""
    server = k2_reading(error(401))
    with pytest.raises(K2AuthError):
        await poller.wait(server)
    assert len(server.api_requests()) == 2
    assert len(server.token_requests()) == 2
    assert [r.headers["Authorization"] for r in server.api_requests()] == [
        f"Bearer {TOKEN}-1",
        f"Bearer {TOKEN}-2",
    ]
    assert poller.clock.sleeps == []


@pytest.mark.parametrize(
    "reply",
    [
        ok({"data": "not an object"}),
        ok({"unexpected": True}),
        ok([1, 2, 3]),
        lambda request: httpx.Response(200, text="<html>maintenance</html>"),
        lambda request: httpx.Response(202, json=incoming_payment("Success")),
        lambda request: httpx.Response(302, headers={"Location": "https://evil.example/"}),
    ],
    ids=["data-string", "no-data", "list", "html", "202", "302"],
)
async def test_answer_outside_the_spec_raises_unexpected_response(poller: Poller, reply: Reply) -> None:
    """A body that breaks the schema, or a status the spec does not list, ends the wait at once."""
    server = k2_reading(reply, ok(incoming_payment("Success")))
    with pytest.raises(K2UnexpectedResponseError):
        await poller.wait(server)
    assert len(server.api_requests()) == 1


def _replace_getter(monkeypatch: pytest.MonkeyPatch, sync: Any, asyncio_: Any) -> None:
    """The registry's GET of v2 incoming payments, with these functions in place of the generated ones."""
    getter = attrs.evolve(LOCATIONS[("v2", "incoming_payments")], sync=sync, asyncio=asyncio_)
    patched = {**LOCATIONS, ("v2", "incoming_payments"): getter}
    monkeypatch.setattr(_locations, "LOCATIONS", patched)


async def test_parsed_body_missing_raises_unexpected_response(
    poller: Poller, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the generated read returns no model, the wait ends with K2UnexpectedResponseError."""

    def no_model(*args: Any, **kwargs: Any) -> Response[Any]:
        return Response(status_code=HTTPStatus.OK, content=b"", headers={}, parsed=None)

    async def async_no_model(*args: Any, **kwargs: Any) -> Response[Any]:
        return no_model()

    _replace_getter(monkeypatch, no_model, async_no_model)
    with pytest.raises(K2UnexpectedResponseError, match="not a incoming_payment"):
        await poller.wait(k2_reading(ok(incoming_payment("Success"))))


async def test_ambiguous_read_error_ends_the_wait(poller: Poller, monkeypatch: pytest.MonkeyPatch) -> None:
    """A K2AmbiguousOutcomeError is a connection error but never waited out: it is raised at once."""
    ambiguous = K2AmbiguousOutcomeError("maybe sent", method="GET", url=STK)

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise ambiguous

    async def async_boom(*args: Any, **kwargs: Any) -> Any:
        raise ambiguous

    _replace_getter(monkeypatch, boom, async_boom)
    with pytest.raises(K2AmbiguousOutcomeError) as info:
        await poller.wait(k2_reading(ok(incoming_payment("Success"))))
    assert info.value is ambiguous
    assert poller.clock.sleeps == []


@pytest.mark.parametrize(
    "location", ["", "https://sandbox.kopokopo.com/api/v2/unknown_things/1", "/oauth/token"]
)
async def test_bad_location_is_refused_before_any_read(poller: Poller, location: str) -> None:
    """A Location naming no known resource raises ValueError without a request."""
    server = k2_reading(ok(incoming_payment("Success")))
    with pytest.raises(ValueError):
        await poller.wait(server, location)
    assert server.api_requests() == []
    assert len(server.token_requests()) == 0


def test_wait_for_default_settings_and_sleep() -> None:
    """Without settings or sleep the defaults apply (a terminal first read never sleeps)."""
    server = k2_reading(ok(incoming_payment("Success")))
    client = connect("id", "secret", transport=httpx.MockTransport(server), retry=NO_RETRY)
    assert wait_for(client, STK).data.attributes.status == "Success"


async def test_async_wait_for_default_settings_and_sleep() -> None:
    """The async twin with default settings and sleep."""
    server = k2_reading(ok(incoming_payment("Success")))
    client = async_connect("id", "secret", transport=httpx.MockTransport(server), retry=NO_RETRY)
    assert (await async_wait_for(client, STK)).data.attributes.status == "Success"


def test_poll_settings_defaults_are_finite() -> None:
    """The default wait has a finite deadline and a capped, growing interval."""
    settings = PollSettings()
    assert 0 < settings.interval <= settings.max_interval < settings.timeout < float("inf")
    assert settings.backoff > 1


# ---------------------------------------------------------------------------------- outcome_of
def resource(status: Any, **attributes: Any) -> dict[str, Any]:
    """A minimal resource body with a status and extra attributes."""
    return {"data": {"id": "x", "type": "t", "attributes": {"status": status, **attributes}}}


@pytest.mark.parametrize(
    ("kind", "ok_status"),
    [
        ("incoming_payment", "Success"),
        ("payment", "Processed"),
        ("settlement_transfer", "Transferred"),
        ("send_money", "Processed"),
        ("reversal", "Processed"),
        ("polling", "Success"),
        ("transaction_sms_notification", "Success"),
    ],
)
def test_classify_success_and_failure_per_kind(kind: str, ok_status: str) -> None:
    """Each kind succeeds on its own statuses, fails on the shared failure words, else is pending."""
    assert outcome_of(kind, resource(ok_status)) == Outcome(State.SUCCEEDED, ok_status)
    assert outcome_of(kind, resource(ok_status.upper())).state is State.SUCCEEDED
    assert outcome_of(kind, resource("Failed")).state is State.FAILED
    assert outcome_of(kind, resource("Scheduled")) == Outcome(State.PENDING, "Scheduled")


@pytest.mark.parametrize(
    "word", ["failed", "Rejected", "CANCELLED", "canceled", "declined", "expired", "error"]
)
def test_classify_failure_words(word: str) -> None:
    """Every failure word ends the wait as a failure, with a default reason naming the status."""
    outcome = outcome_of("send_money", resource(word))
    assert outcome.state is State.FAILED
    assert outcome.terminal
    assert outcome.reason == f"send_money ended {word}"


@pytest.mark.parametrize(
    ("errors", "reason"),
    [
        ("Insufficient balance", "Insufficient balance"),
        (["first", "second"], "first; second"),
        ({"code": 1}, "{'code': 1}"),
    ],
)
def test_classify_reason_from_errors(errors: Any, reason: str) -> None:
    """The attributes' errors become the reason, whatever their JSON shape."""
    assert outcome_of("reversal", resource("Failed", errors=errors)).reason == reason


def test_classify_incoming_payment_reason_prefers_event_errors() -> None:
    """For STK push the reason comes from event.errors."""
    body = incoming_payment("Failed", "The balance is insufficient for the transaction.")
    assert outcome_of("incoming_payment", body).reason == "The balance is insufficient for the transaction."


def test_classify_payment_link_uses_the_inner_status() -> None:
    """The outer Processed only says the link exists; the link's own status decides."""
    assert outcome_of("payment_link", payment_link("Active")) == Outcome(State.PENDING, "Active")
    assert outcome_of("payment_link", payment_link("Paid", key="status")) == Outcome(State.SUCCEEDED, "Paid")
    assert outcome_of("payment_link", payment_link("Expired")).state is State.FAILED
    assert outcome_of("payment_link", resource("Processed")) == Outcome(State.PENDING, "Processed")


@pytest.mark.parametrize("kind", ["webhook_subscription", "recipient", "merchant_account"])
def test_classify_static_kinds_succeed_at_once(kind: str) -> None:
    """Resources without a lifecycle are done when read."""
    assert outcome_of(kind, resource("Active")) == Outcome(State.SUCCEEDED, "Active")


@pytest.mark.parametrize(
    "body", [{}, {"data": None}, {"data": {"attributes": None}}, resource(5), resource(None)]
)
def test_classify_odd_bodies_are_pending(body: dict[str, Any]) -> None:
    """A body without a readable status is pending, never an error or a success."""
    outcome = outcome_of("incoming_payment", body)
    assert outcome.state is State.PENDING
    assert not outcome.terminal


# ---------------------------------------------------------------------------------- locations
@pytest.mark.parametrize(
    ("location", "kind", "getter"),
    [
        (STK, "incoming_payment", "v2.v2_get_incoming_payment"),
        (f"/api/v2/incoming_payments/{PID}", "incoming_payment", "v2.v2_get_incoming_payment"),
        (f"{STK}/", "incoming_payment", "v2.v2_get_incoming_payment"),
        (f"  {STK}?utm=1#frag ", "incoming_payment", "v2.v2_get_incoming_payment"),
        (
            f"http://localhost:3000/api/v1/incoming_payments/{PID}",
            "incoming_payment",
            "v1.v1_get_incoming_payment",
        ),
        (f"{BASE}/api/v1/pay_recipients/{PID}", "recipient", "v1.v1_get_pay_recipient"),
        (f"{BASE}/api/v2/external_recipients/{PID}", "recipient", "v2.v2_get_external_recipient"),
        (f"{BASE}/api/v2/pay_recipients/{PID}", "recipient", "v2.v2_get_pay_recipient"),
        (f"{BASE}/api/v1/payments/{PID}", "payment", "v1.v1_get_payment"),
        (f"{BASE}/api/v1/settlement_transfers/{PID}", "settlement_transfer", "v1.v1_get_settlement_transfer"),
        (f"{BASE}/api/v2/send_money/{PID}", "send_money", "v2.v2_get_send_money"),
        (f"{BASE}/api/v2/polling/{PID}", "polling", "v2.v2_get_polling"),
        (f"{BASE}/api/v2/reversals/{PID}", "reversal", "v2.v2_get_reversal"),
        (f"{BASE}/api/v2/payment_links/{PID}", "payment_link", "v2.v2_get_payment_link"),
        (f"{BASE}/api/v2/merchant_wallets/{PID}", "merchant_account", "v2.v2_get_merchant_wallet"),
        (
            f"{BASE}/api/v1/merchant_bank_accounts/{PID}",
            "merchant_account",
            "v1.v1_get_merchant_bank_account",
        ),
        (
            f"{BASE}/api/v1/transaction_sms_notifications/{PID}",
            "transaction_sms_notification",
            "v1.v1_get_transaction_sms_notification",
        ),
    ],
)
def test_parse_location(location: str, kind: str, getter: str) -> None:
    """Absolute, relative and trailing-slash Locations name the resource kind, id and GET operation."""
    ref = parse_location(location)
    assert ref.id == PID
    assert ref.kind == kind
    assert ref.operation == getter.split(".")[1]
    assert ref.getter.sync.__module__ == f"k2connect_client.api.{getter}"
    assert ref.getter.asyncio.__module__ == f"k2connect_client.api.{getter}"
    assert ref.location == location.strip()


def test_parse_location_unquotes_the_id() -> None:
    """A percent-encoded id is decoded (the generated GET quotes it again), then checked like any id."""
    assert parse_location("/api/v2/incoming_payments/a%2Db").id == "a-b"
    with pytest.raises(K2InputError):  # a space is no part of a K2 id (see test_resource_ids)
        parse_location("/api/v2/incoming_payments/a%20b")


@pytest.mark.parametrize(
    "location",
    [
        "",
        "   ",
        None,
        f"{BASE}/api/v2/unknown_things/{PID}",
        f"{BASE}/api/v2/payments/{PID}",  # PAY payments exist in v1 only
        f"{BASE}/api/v1/reversals/{PID}",
        f"{BASE}/api/v3/incoming_payments/{PID}",
        f"{BASE}/api/v2/incoming_payments",
        f"{BASE}/incoming_payments/{PID}",
        f"{BASE}/api/v2/payment_links/{PID}/cancel",
    ],
)
def test_parse_location_refuses_non_resources(location: Any) -> None:
    """Locations naming no readable K2 resource raise ValueError."""
    with pytest.raises(ValueError):
        parse_location(location)


def test_location_from_headers() -> None:
    """Location is read case-insensitively and stripped; a missing one is a 201 without Location."""
    assert location_from_headers(httpx.Headers({"location": f" {STK} "}), operation="op") == STK
    for headers in (httpx.Headers(), httpx.Headers({"Location": "  "}), object()):
        with pytest.raises(K2UnexpectedResponseError, match="no Location") as info:
            location_from_headers(headers, operation="v2_create_incoming_payment")
        assert info.value.status_code == 201
        assert "v2_create_incoming_payment" in str(info.value)


@pytest.mark.parametrize("backoff", [0.5, 0, -1, float("nan"), float("inf"), True])
def test_a_backoff_that_would_not_grow_is_refused(backoff: Any) -> None:
    """The backoff multiplies each interval: below 1 the waits would shrink to nothing, so it is refused."""
    with pytest.raises(K2ConfigError, match="backoff"):
        PollSettings(backoff=backoff)
