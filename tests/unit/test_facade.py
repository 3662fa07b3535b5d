"""Tests for k2connect_ext._facade: K2 and AsyncK2 against a fake K2 that records every request.

Every scenario runs through both facades (the ``runner`` fixture); only the thread and task stampede tests
are specific to one of them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import json
import pydoc
import threading
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from k2connect_client.api.oauth import get_token_info, introspect_access_token
from k2connect_client.api.v2 import v2_cancel_payment_link
from k2connect_client.models import IncomingPaymentResult, IntrospectResponse, TokenInfoResponse
from k2connect_client.types import Response

from k2connect_ext import _operations as ops
from k2connect_ext._docstrings import Docstring, entry_name
from k2connect_ext._exceptions import (
    K2AmbiguousOutcomeError,
    K2AuthError,
    K2InputError,
    K2PaymentFailedError,
    K2PollTimeoutError,
    K2UnexpectedResponseError,
)
from k2connect_ext._facade import K2, AsyncCreated, AsyncK2, Created, create_doc
from k2connect_ext._polling import PollSettings
from k2connect_ext._token_stores import AccessToken
from tests.client_runner import CLIENT_ID, SECRET
from tests.client_runner import Runner as ClientRunner
from tests.creates import CREATES as BUILDERS
from tests.fakes import PID, TOKEN, FakeK2, incoming_payment, reply

BASE = "https://sandbox.kopokopo.com"
STK = f"{BASE}/api/v2/incoming_payments/{PID}"
CB = "https://example.com/k2/result"
EAT = dt.timezone(dt.timedelta(hours=3))
STK_ARGS: dict[str, Any] = {
    "phone_number": "0712345678",
    "amount": 100,
    "till_number": "K000000",
    "callback_url": CB,
}


class Runner(ClientRunner):
    """The shared runner (tests/client_runner.py), plus what a create returns in its mode."""

    def k2(self, server: FakeK2, **kwargs: Any) -> Any:
        """The facade, untyped: these tests use either one through the same code."""
        return super().k2(server, **kwargs)

    @property
    def handle_type(self) -> type[Any]:
        """What a create returns in this mode."""
        return Created if self.mode == "sync" else AsyncCreated


@pytest.fixture(params=["sync", "async"])
def runner(request: pytest.FixtureRequest) -> Runner:
    """The same scenario through K2 and through AsyncK2."""
    return Runner(request.param)


# ---------------------------------------------------------------------------------- creates
CREATES: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "subscribe_webhook",
        {
            "event_type": "buygoods_transaction_received",
            "url": "https://e.com/h",
            "scope": "till",
            "scope_reference": "514459",
        },
        "/api/v2/webhook_subscriptions",
        "webhook_subscription",
    ),
    (
        "send_sms_notification",
        {"webhook_event_reference": "evt-1", "message": "Thank you", "callback_url": CB},
        "/api/v1/transaction_sms_notifications",
        "transaction_sms_notification",
    ),
    ("stk_push", STK_ARGS, "/api/v2/incoming_payments", "incoming_payment"),
    ("stk_push", {**STK_ARGS, "version": "v1"}, "/api/v1/incoming_payments", "incoming_payment"),
    (
        "add_recipient",
        {"recipient_type": "till", "till_number": "1", "till_name": "T"},
        "/api/v1/pay_recipients",
        "recipient",
    ),
    (
        "add_recipient",
        {
            "recipient_type": "paybill",
            "paybill_number": "888",
            "paybill_name": "Power",
            "paybill_account_number": "a",
            "version": "v2",
        },
        "/api/v2/external_recipients",
        "recipient",
    ),
    (
        "create_payment",
        {
            "destination_type": "till",
            "destination_reference": "r-1",
            "amount": 5,
            "description": "d",
            "callback_url": CB,
        },
        "/api/v1/payments",
        "payment",
    ),
    (
        "add_merchant_wallet",
        {"first_name": "J", "last_name": "D", "phone_number": "0712345678"},
        "/api/v1/merchant_wallets",
        "merchant_account",
    ),
    (
        "add_merchant_bank_account",
        {"account_name": "A", "account_number": "1", "bank_branch_ref": "b", "version": "v2"},
        "/api/v2/merchant_bank_accounts",
        "merchant_account",
    ),
    ("settle_funds", {"callback_url": CB}, "/api/v1/settlement_transfers", "settlement_transfer"),
    (
        "poll_transactions",
        {
            "from_time": dt.datetime(2021, 4, 12, tzinfo=EAT),
            "to_time": dt.datetime(2021, 4, 13, tzinfo=EAT),
            "callback_url": CB,
        },
        "/api/v2/polling",
        "polling",
    ),
    (
        "send_money",
        {"callback_url": CB, "destinations": [ops.till_destination("514459", 10, "Stock")]},
        "/api/v2/send_money",
        "send_money",
    ),
    (
        "reverse_transaction",
        {"transaction_reference": "QKL1", "reason": "Duplicate", "callback_url": CB},
        "/api/v2/reversals",
        "reversal",
    ),
    (
        "create_payment_link",
        {"till_number": "514459", "amount": 1000, "callback_url": CB},
        "/api/v2/payment_links",
        "payment_link",
    ),
]


@pytest.mark.parametrize(
    ("method", "kwargs", "path", "kind"), CREATES, ids=[f"{c[0]}-{c[2].split('/')[2]}" for c in CREATES]
)
async def test_every_create_posts_its_body_and_returns_a_handle(
    runner: Runner, method: str, kwargs: dict[str, Any], path: str, kind: str
) -> None:
    """Each create POSTs the builder's body with a bearer and returns a handle read from the Location."""
    server = FakeK2()
    k2 = runner.k2(server)
    handle = await runner.run(getattr(k2, method), **kwargs)
    assert isinstance(handle, runner.handle_type)
    assert (handle.location, handle.id, handle.kind) == (f"{BASE}{path}/{PID}", PID, kind)
    (post,) = server.api_requests()
    assert (post.method, post.url.path) == ("POST", path)
    assert post.headers["Authorization"] == f"{'Bearer'} {TOKEN}-1"
    assert post.headers["Content-Type"] == "application/json"
    assert json.loads(post.content) == getattr(ops, method)(**kwargs).body.to_dict()
    assert PID in repr(handle)


@pytest.mark.parametrize("method", sorted({c[0] for c in CREATES}))
def test_sync_and_async_methods_share_name_and_doc(method: str) -> None:
    """Both facades expose every builder under its name, with its docstring's text and arguments."""
    builder = Docstring.parse(getattr(ops, method).__doc__)
    for cls in (K2, AsyncK2):
        doc = Docstring.parse(getattr(cls, method).__doc__)
        assert getattr(cls, method).__name__ == method
        assert (doc.text, doc.entries("Args")) == (builder.text, builder.entries("Args"))
    assert inspect.iscoroutinefunction(getattr(AsyncK2, method))


@pytest.mark.parametrize("method", sorted({c[0] for c in CREATES}))
@pytest.mark.parametrize(("facade", "handle"), [(K2, "Created"), (AsyncK2, "AsyncCreated")])
def test_each_create_says_what_it_returns_and_raises(facade: type, handle: str, method: str) -> None:
    """The method returns a handle, not the builder's request, and raises what sending can on top of the
    builder's own refusals (the money-safety one among them)."""
    builder = Docstring.parse(getattr(ops, method).__doc__)
    doc = Docstring.parse(getattr(facade, method).__doc__)
    model = str(inspect.signature(getattr(ops, method)).return_annotation)[len("Prepared[") : -1]
    (returns,) = doc.entries("Returns")
    assert f"``{handle}[{model}]``" in returns and "wait()" in returns
    raised = [entry_name(entry) for entry in doc.entries("Raises")]
    assert raised[: len(builder.entries("Raises"))] == [entry_name(e) for e in builder.entries("Raises")]
    for error in ("K2InputError", "K2AuthError", "K2ConnectionError", "K2AmbiguousOutcomeError"):
        assert error in raised


async def test_201_without_location_is_ambiguous(runner: Runner) -> None:
    """A 201 without Location: K2 created something we cannot follow, so the outcome is ambiguous."""
    server = FakeK2(reply(201))
    with pytest.raises(K2AmbiguousOutcomeError, match="without the Location") as info:
        await runner.run(runner.k2(server).stk_push, **STK_ARGS)
    assert info.value.status_code == 201
    assert info.value.operation == "stk_push"
    assert info.value.location is None


@pytest.mark.parametrize(
    "location",
    [f"{BASE}/api/v2/gizmos/{PID}", f"{BASE}/dashboard", "not a url", f"{BASE}/api/v2/incoming_payments/"],
)
async def test_location_naming_no_resource_is_ambiguous(runner: Runner, location: str) -> None:
    """A Location that names no known resource: created, but unfollowable. Ambiguous, carrying it."""
    server = FakeK2(reply(201, headers={"Location": location}))
    with pytest.raises(K2AmbiguousOutcomeError, match="names no resource") as info:
        await runner.run(runner.k2(server).stk_push, **STK_ARGS)
    assert info.value.location == location
    assert location in str(info.value)
    assert info.value.__cause__ is None and info.value.__context__ is None


# ---------------------------------------------------------------------------------- handles
async def test_handle_fetch_reads_once(runner: Runner) -> None:
    """fetch() reads the resource once, whatever its state, through the configured host."""
    server = FakeK2(
        reply(201, headers={"Location": f"https://api.kopokopo.com/api/v2/incoming_payments/{PID}"}),
        reply(200, incoming_payment("Pending")),
    )
    handle = await runner.run(runner.k2(server).stk_push, **STK_ARGS)
    result = await runner.run(handle.fetch)
    assert isinstance(result, IncomingPaymentResult)
    assert result.data.attributes.status == "Pending"
    read = server.api_requests()[-1]
    assert (read.method, str(read.url)) == ("GET", STK)


async def test_handle_wait_polls_to_success(runner: Runner) -> None:
    """wait() polls with the facade's fake sleep until the outcome."""
    server = FakeK2(
        reply(201, headers={"Location": STK}),
        reply(200, incoming_payment("Pending")),
        reply(200, incoming_payment("Success")),
    )
    handle = await runner.run(runner.k2(server).stk_push, **STK_ARGS)
    result = await runner.run(handle.wait)
    assert result.data.attributes.status == "Success"
    assert runner.clock.sleeps == [1.0]


async def test_handle_wait_failure_and_no_raise(runner: Runner) -> None:
    """A failed payment raises K2PaymentFailedError, or is returned with raise_on_failure=False."""
    failed = reply(200, incoming_payment("Failed", "Request cancelled by user"))
    server = FakeK2(failed, failed)
    k2 = runner.k2(server)
    handle: Any = (
        AsyncCreated(STK, PID, "incoming_payment", k2=k2)
        if runner.mode == "async"
        else Created(STK, PID, "incoming_payment", k2=k2)
    )
    with pytest.raises(K2PaymentFailedError, match="Request cancelled by user"):
        await runner.run(handle.wait)
    assert (await runner.run(handle.wait, raise_on_failure=False)).data.attributes.status == "Failed"


async def test_handle_wait_timeout_overrides_the_facade_default(runner: Runner) -> None:
    """wait(timeout=...) replaces the facade's poll timeout for that wait only."""
    server = FakeK2(*[reply(200, incoming_payment("Pending"))] * 10)
    k2 = runner.k2(server)
    with pytest.raises(K2PollTimeoutError) as info:
        await runner.run(k2.wait_for, STK, timeout=2.0)
    assert info.value.last_status == "Pending"
    assert sum(runner.clock.sleeps) == 2.0
    assert k2.poll.timeout == PollSettings().timeout


async def test_get_reads_once(runner: Runner) -> None:
    """get(location) reads the resource once."""
    server = FakeK2()
    result = await runner.run(runner.k2(server).get, STK)
    assert result.data.attributes.status == "Success"
    assert [r.method for r in server.api_requests()] == ["GET"]


# ---------------------------------------------------------------------------------- tokens
async def test_token_is_fetched_once_and_cached(runner: Runner) -> None:
    """token() returns the cached AccessToken; the second call sends nothing."""
    server = FakeK2()
    k2 = runner.k2(server)
    first = await runner.run(k2.token)
    second = await runner.run(k2.token)
    assert isinstance(first, AccessToken)
    assert first is second
    assert first.value == f"{TOKEN}-1"
    assert len(server.seen) == 1


async def test_revoke_token_then_a_new_token_is_fetched(runner: Runner) -> None:
    """revoke_token() revokes the current token with the credentials; the next call fetches a new one."""
    server = FakeK2()
    k2 = runner.k2(server)
    await runner.run(k2.revoke_token)
    (revoke,) = server.by_path("/oauth/revoke")
    assert revoke.method == "POST"
    assert "Authorization" not in revoke.headers
    assert parse_qs(revoke.content.decode()) == {
        "client_id": [CLIENT_ID],
        "client_secret": [SECRET],
        "token": [f"{TOKEN}-1"],
    }
    assert (await runner.run(k2.token)).value == f"{TOKEN}-2"
    await runner.run(k2.stk_push, **STK_ARGS)
    assert server.api_requests()[-1].headers["Authorization"] == f"Bearer {TOKEN}-2"


async def test_revoke_another_token_keeps_the_current_one(runner: Runner) -> None:
    """Revoking a token other than the current one leaves the cache alone."""
    server = FakeK2()
    k2 = runner.k2(server)
    await runner.run(k2.revoke_token, "some-old-token")
    assert parse_qs(server.by_path("/oauth/revoke")[0].content.decode())["token"] == ["some-old-token"]
    assert (await runner.run(k2.token)).value == f"{TOKEN}-1"
    assert server.issued == 1


async def test_introspect_token(runner: Runner) -> None:
    """introspect_token() asks about the current token (or the one given) with the credentials, no bearer."""
    server = FakeK2()
    k2 = runner.k2(server)
    state = await runner.run(k2.introspect_token)
    assert isinstance(state, IntrospectResponse)
    assert state.active is True
    await runner.run(k2.introspect_token, "other-token")
    first, second = server.by_path("/oauth/introspect")
    assert parse_qs(first.content.decode())["token"] == [f"{TOKEN}-1"]
    assert parse_qs(second.content.decode())["token"] == ["other-token"]
    assert parse_qs(second.content.decode())["client_secret"] == [SECRET]
    assert "Authorization" not in first.headers


async def test_token_info_uses_the_bearer(runner: Runner) -> None:
    """token_info() is a GET of /oauth/token/info with the bearer token."""
    server = FakeK2()
    info = await runner.run(runner.k2(server).token_info)
    assert isinstance(info, TokenInfoResponse)
    assert info.expires_in == 2776
    (request,) = server.by_path("/oauth/token/info")
    assert (request.method, request.headers["Authorization"]) == ("GET", f"Bearer {TOKEN}-1")


@pytest.mark.parametrize(
    ("module", "method", "args"),
    [
        (introspect_access_token, "introspect_token", ()),
        (get_token_info, "token_info", ()),
        (v2_cancel_payment_link, "cancel_payment_link", (PID,)),
    ],
)
async def test_answers_without_a_model_are_unexpected(
    runner: Runner, monkeypatch: pytest.MonkeyPatch, module: Any, method: str, args: tuple[str, ...]
) -> None:
    """If the generated call returns no model, the method raises with the real status, never returns None."""

    def empty(*args: Any, **kwargs: Any) -> Response[Any]:
        return Response(status_code=HTTPStatus.OK, content=b"", headers={}, parsed=None)

    async def async_empty(*args: Any, **kwargs: Any) -> Response[Any]:
        return empty()

    monkeypatch.setattr(module, "sync_detailed", empty)
    monkeypatch.setattr(module, "asyncio_detailed", async_empty)
    with pytest.raises(K2UnexpectedResponseError) as info:
        await runner.run(getattr(runner.k2(FakeK2()), method), *args)
    assert info.value.status_code == HTTPStatus.OK


# ---------------------------------------------------------------------------------- payment links
@pytest.mark.parametrize(
    "target", [PID, f"{BASE}/api/v2/payment_links/{PID}", f"/api/v2/payment_links/{PID}/"]
)
async def test_cancel_payment_link_by_id_or_location(runner: Runner, target: str) -> None:
    """A link is cancelled by its id or its Location; K2's message is returned."""
    server = FakeK2()
    message = await runner.run(runner.k2(server).cancel_payment_link, target)
    assert message == "Payment link cancelled."
    (cancel,) = server.api_requests()
    assert (cancel.method, cancel.url.path) == ("POST", f"/api/v2/payment_links/{PID}/cancel")
    assert cancel.headers["Authorization"] == f"Bearer {TOKEN}-1"


@pytest.mark.parametrize("target", ["", "a/b", STK, f"{BASE}/api/v2/reversals/{PID}"])
async def test_cancel_payment_link_refuses_other_targets(runner: Runner, target: str) -> None:
    """An empty id, a path, or the Location of another kind of resource is refused before sending."""
    server = FakeK2()
    with pytest.raises(K2InputError) as info:
        await runner.run(runner.k2(server).cancel_payment_link, target)
    assert info.value.field == "id"
    assert server.seen == []


# ---------------------------------------------------------------------------------- validation first
INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("stk_push", {**STK_ARGS, "phone_number": "0812345678"}, "phone_number"),
    ("stk_push", {**STK_ARGS, "amount": 0}, "amount"),
    ("stk_push", {**STK_ARGS, "metadata": {"score": float("nan")}}, "metadata.score"),
    (
        "subscribe_webhook",
        {"event_type": "customer_created", "url": CB, "scope": "till", "scope_reference": "1"},
        "scope",
    ),
    (
        "send_sms_notification",
        {"webhook_event_reference": "", "message": "m", "callback_url": CB},
        "webhook_event_reference",
    ),
    ("add_recipient", {"recipient_type": "crypto"}, "type"),
    (
        "create_payment",
        {
            "destination_type": "till",
            "destination_reference": "r",
            "amount": 1,
            "description": "d",
            "callback_url": "ftp://x",
        },
        "callback_url",
    ),
    ("add_merchant_wallet", {"first_name": "J", "last_name": "D", "phone_number": "07"}, "phone_number"),
    (
        "add_merchant_bank_account",
        {"account_name": "A", "account_number": "1", "bank_branch_ref": "b", "settlement_method": "ACH"},
        "settlement_method",
    ),
    ("settle_funds", {"callback_url": CB, "destination_type": "merchant_wallet"}, "destination_reference"),
    (
        "poll_transactions",
        {"from_time": dt.datetime(2021, 4, 12), "to_time": dt.datetime(2021, 4, 13), "callback_url": CB},
        "from_time",
    ),
    (
        "send_money",
        {"callback_url": CB, "destinations": [{"type": "till", "till_number": "1"}]},
        "destinations[0]",
    ),
    ("reverse_transaction", {"transaction_reference": "Q", "reason": " ", "callback_url": CB}, "reason"),
    (
        "create_payment_link",
        {"till_number": "1", "amount": 1, "callback_url": CB, "currency": "USD"},
        "currency",
    ),
]


@pytest.mark.parametrize(("method", "kwargs", "field"), INVALID, ids=[f"{i[0]}-{i[2]}" for i in INVALID])
async def test_validation_errors_are_raised_before_any_request(
    runner: Runner, method: str, kwargs: dict[str, Any], field: str
) -> None:
    """A rejected input raises K2InputError and sends nothing at all, not even a token request."""
    server = FakeK2()
    with pytest.raises(K2InputError) as info:
        await runner.run(getattr(runner.k2(server), method), **kwargs)
    assert info.value.field == field
    assert server.seen == []


async def test_bad_location_is_refused_before_any_request(runner: Runner) -> None:
    """get() and wait_for() refuse a Location naming no resource without sending anything."""
    server = FakeK2()
    k2 = runner.k2(server)
    for call in (k2.get, k2.wait_for):
        with pytest.raises(ValueError):
            await runner.run(call, f"{BASE}/api/v2/gizmos/{PID}")
    assert server.seen == []


# ---------------------------------------------------------------------------------- 401s
async def test_401_renews_the_token_once_and_replays(runner: Runner) -> None:
    """A 401 invalidates the token, fetches a new one and replays the same POST once."""
    server = FakeK2(reply(401, {"error_code": 401, "error_message": "ExpiredAccessToken"}))
    handle = await runner.run(runner.k2(server).stk_push, **STK_ARGS)
    assert handle.id == PID
    posts = server.by_path("/api/v2/incoming_payments")
    assert [p.headers["Authorization"] for p in posts] == [f"Bearer {TOKEN}-1", f"Bearer {TOKEN}-2"]
    assert posts[0].content == posts[1].content
    assert len(server.by_path("/oauth/token")) == 2


async def test_second_401_raises_auth_error(runner: Runner) -> None:
    """When the renewed token is refused too, K2AuthError is raised; nothing is sent a third time."""
    refused = reply(401, {"error_code": 401, "error_message": "InvalidAccessToken"})
    server = FakeK2(refused, refused, refused)
    with pytest.raises(K2AuthError, match="InvalidAccessToken"):
        await runner.run(runner.k2(server).stk_push, **STK_ARGS)
    assert len(server.by_path("/api/v2/incoming_payments")) == 2
    assert len(server.by_path("/oauth/token")) == 2


# ---------------------------------------------------------------------------------- lifecycle
def test_sync_context_manager_closes_the_client() -> None:
    """Leaving ``with K2()`` closes its connection pool."""
    with Runner("sync").k2(FakeK2()) as k2:
        assert repr(k2) == f"K2(base_url={BASE!r})"
    assert k2.client.get_httpx_client().is_closed


async def test_async_context_manager_closes_the_client() -> None:
    """Leaving ``async with AsyncK2()`` closes its connection pool."""
    async with Runner("async").k2(FakeK2()) as k2:
        assert repr(k2) == f"AsyncK2(base_url={BASE!r})"
    assert k2.client.get_async_httpx_client().is_closed


def test_facade_reads_credentials_from_environ() -> None:
    """K2 takes its settings from an environ mapping like connect() does."""
    environ = {
        "K2_CLIENT_ID": "env-id",
        "K2_CLIENT_SECRET": "env-secret",
        "K2_BASE_URL": "http://127.0.0.1:9",
    }
    k2 = K2(environ=environ, transport=httpx.MockTransport(FakeK2()))
    assert (k2.settings.client_id, k2.settings.base_url) == ("env-id", "http://127.0.0.1:9")
    assert str(k2.client.get_httpx_client().base_url) == "http://127.0.0.1:9"


# ---------------------------------------------------------------------------------- stampedes
class Gate:
    """Counts callers of a token manager's get() and opens when all are inside, with no token cached yet.

    The fake token endpoint waits for the gate, so every caller is queued behind the one fetch in flight:
    the worst case for a stampede, reached without sleeping.
    """

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.count = 0
        self.open = threading.Event()
        self._lock = threading.Lock()

    def enter(self) -> None:
        """Count one caller; open when the last one arrives."""
        with self._lock:
            self.count += 1
            if self.count == self.expected:
                self.open.set()


def test_100_threads_share_one_token_request() -> None:
    """100 threads calling stk_push at once, with no token cached, cause exactly one token request."""
    threads_count = 100
    server = FakeK2()
    gate = Gate(threads_count)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            assert gate.open.wait(timeout=10), "not every thread reached the token manager"
        return server(request)

    k2 = Runner("sync").k2(server, transport=httpx.MockTransport(handler))
    manager = k2.client.get_httpx_client().auth.token_manager
    original_get = manager.get

    def counting_get() -> AccessToken:
        gate.enter()
        token: AccessToken = original_get()
        return token

    manager.get = counting_get
    start = threading.Barrier(threads_count)
    results: list[Any] = []
    failures: list[BaseException] = []

    def worker() -> None:
        start.wait(timeout=10)
        try:
            results.append(k2.stk_push(**STK_ARGS))
        except BaseException as exc:  # reported below, not lost in the thread
            failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert len(results) == threads_count
    assert gate.count == threads_count
    assert len(server.by_path("/oauth/token")) == 1
    posts = server.by_path("/api/v2/incoming_payments")
    assert len(posts) == threads_count
    assert {p.headers["Authorization"] for p in posts} == {f"Bearer {TOKEN}-1"}


async def test_1000_tasks_share_one_token_request() -> None:
    """1,000 asyncio tasks calling AsyncK2.stk_push at once, with no token cached, cause one token request."""
    tasks_count = 1000
    server = FakeK2()
    gate = Gate(tasks_count)
    all_in = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            await asyncio.wait_for(all_in.wait(), timeout=10)
        return server(request)

    k2 = Runner("async").k2(server, transport=httpx.MockTransport(handler))
    manager = k2.client.get_async_httpx_client().auth.async_token_manager
    original_get: Callable[[], Awaitable[AccessToken]] = manager.get

    async def counting_get() -> AccessToken:
        gate.enter()
        if gate.open.is_set():
            all_in.set()
        return await original_get()

    manager.get = counting_get
    handles = await asyncio.gather(*(k2.stk_push(**STK_ARGS) for _ in range(tasks_count)))
    assert len(handles) == tasks_count
    assert all(h.id == PID for h in handles)
    assert len(server.by_path("/oauth/token")) == 1
    posts = server.by_path("/api/v2/incoming_payments")
    assert len(posts) == tasks_count
    assert {p.headers["Authorization"] for p in posts} == {f"Bearer {TOKEN}-1"}


@pytest.mark.parametrize("bad", ["garbage", "", "x", "https://sandbox.kopokopo.com/dashboard", "http://[::1"])
async def test_a_bad_location_is_an_input_error_and_nothing_is_sent(runner: Runner, bad: str) -> None:
    """``get`` and ``wait_for`` refuse a non-Location with K2InputError, not a bare ValueError."""
    server = FakeK2()
    k2 = runner.k2(server)
    for method in (k2.get, k2.wait_for):
        with pytest.raises(K2InputError) as info:
            await runner.run(method, bad)
        assert info.value.field == "location"
    assert server.api_requests() == []


# ----------------------------------------------------------------------------------------------------
# ``help(K2.stk_push)`` and IDEs see each create method's real parameters, not ``(*args, **kwargs)``.


def test_the_creates_are_found() -> None:
    """The list the tests below run over is the twelve creates, so they cannot pass by running over none."""
    assert len(BUILDERS) == 12
    assert "stk_push" in BUILDERS


@pytest.mark.parametrize("name", BUILDERS)
@pytest.mark.parametrize(("facade", "handle"), [(K2, "Created"), (AsyncK2, "AsyncCreated")])
def test_each_create_shows_its_builders_parameters(facade: type, handle: str, name: str) -> None:
    """The method's signature is ``self`` plus the builder's parameters, returning the typed handle."""
    method = getattr(facade, name)
    builder = getattr(ops, name)
    signature = inspect.signature(method)
    parameters = list(signature.parameters.values())
    assert parameters[0].name == "self"
    assert parameters[1:] == list(inspect.signature(builder).parameters.values())
    returned = str(inspect.signature(builder).return_annotation).replace("Prepared", handle)
    assert signature.return_annotation == returned
    assert method.__name__ == name
    assert method.__qualname__ == f"{facade.__name__}.{name}"
    assert method.__doc__ == create_doc(builder, handle)


def test_help_shows_the_parameters() -> None:
    """pydoc renders the real parameters (what ``help()`` prints)."""
    text = pydoc.render_doc(K2.stk_push, renderer=pydoc.TextDoc())
    assert "phone_number" in text
    assert "till_number" in text
    assert "*args" not in text


def test_bound_methods_drop_self() -> None:
    """On an instance the signature starts at the first real parameter, as for any method."""
    parameters = inspect.signature(K2("id", "secret", environ={}).stk_push).parameters
    assert next(iter(parameters)) == "phone_number"
