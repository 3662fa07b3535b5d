"""Tests for k2connect_ext._client: settings, base URL rules, the wired httpx client, error mapping, secrets.

Every behaviour of the wired client runs twice, through the sync and the async client (``runner``).
"""

from __future__ import annotations

import inspect
import logging
import math
import traceback
from collections.abc import Callable, Iterator
from http import HTTPStatus
from importlib import metadata
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from k2connect_client import AuthenticatedClient
from k2connect_client.api.oauth import request_access_token
from k2connect_client.api.v2 import v2_create_incoming_payment, v2_get_incoming_payment
from k2connect_client.types import Response

from k2connect_ext import _operations as ops
from k2connect_ext._client import async_connect, connect
from k2connect_ext._constants import PRODUCTION_BASE_URL, SANDBOX_BASE_URL
from k2connect_ext._exceptions import (
    K2AmbiguousOutcomeError,
    K2APIError,
    K2AuthError,
    K2ConfigError,
    K2ConnectionError,
    K2Error,
    K2InputError,
    K2NotFoundError,
    K2RateLimitError,
    K2TimeoutError,
    K2UnexpectedResponseError,
    K2ValidationError,
)
from k2connect_ext._facade import K2, AsyncK2
from k2connect_ext._invoke import async_invoke, invoke
from k2connect_ext._polling import PollSettings
from k2connect_ext._retry import RetryPolicy
from k2connect_ext._settings import K2Settings, user_agent
from tests.fakes import PID, TOKEN, FakeClock, FakeK2, Reply, error, raises, reply

BASE = SANDBOX_BASE_URL
CLIENT_ID = "client-id-3f9a"
SECRET = "client-secret-5b1e-must-never-leak"
LOCATION = f"{BASE}/api/v2/incoming_payments/{PID}"
CB = "https://example.com/k2/result"
STK_ARGS: dict[str, Any] = {
    "phone_number": "0712345678",
    "amount": 100,
    "till_number": "K000000",
    "callback_url": CB,
}


class Runner:
    """Builds a K2 or an AsyncK2 (or a bare client) on a FakeK2, and calls either the same way."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.clock = FakeClock()
        self.retry = RetryPolicy(
            sleep=self.clock.sleep, async_sleep=self.clock.asleep, random=lambda: 0.0, clock=self.clock
        )

    def k2(self, server: FakeK2, **kwargs: Any) -> K2 | AsyncK2:
        """A facade of this runner's mode, with fake sleeps everywhere."""
        options: dict[str, Any] = {
            "transport": httpx.MockTransport(server),
            "retry": self.retry,
            "poll": PollSettings(clock=self.clock),
            "sleep": self.clock.sleep if self.mode == "sync" else self.clock.asleep,
            **kwargs,
        }
        cls = K2 if self.mode == "sync" else AsyncK2
        return cls(CLIENT_ID, SECRET, **options)

    def connect(self, server: FakeK2, **kwargs: Any) -> AuthenticatedClient:
        """A bare generated client of this runner's mode."""
        factory = connect if self.mode == "sync" else async_connect
        return factory(CLIENT_ID, SECRET, transport=httpx.MockTransport(server), retry=self.retry, **kwargs)

    def http(self, client: AuthenticatedClient) -> httpx.Client | httpx.AsyncClient:
        """The httpx client behind a generated client."""
        return client.get_httpx_client() if self.mode == "sync" else client.get_async_httpx_client()

    async def op(self, module: Any, *args: Any, client: AuthenticatedClient, **kwargs: Any) -> Any:
        """Call a generated operation's sync_detailed or asyncio_detailed."""
        if self.mode == "sync":
            return module.sync_detailed(*args, client=client, **kwargs)
        return await module.asyncio_detailed(*args, client=client, **kwargs)

    @staticmethod
    async def run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call a facade method, awaiting it if it is a coroutine."""
        result = fn(*args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result


@pytest.fixture(params=["sync", "async"])
def runner(request: pytest.FixtureRequest) -> Runner:
    """The same scenario through K2 / connect() and through AsyncK2 / async_connect()."""
    return Runner(request.param)


def stk_body() -> Any:
    """A valid STK push request body."""
    return ops.stk_push(**STK_ARGS).body


# ---------------------------------------------------------------------------------- settings
def test_settings_from_arguments() -> None:
    """Arguments give every setting; the base URL defaults to the sandbox."""
    settings = K2Settings.resolve(CLIENT_ID, SECRET, api_key="api-key", environ={})
    assert (settings.client_id, settings.client_secret, settings.api_key) == (CLIENT_ID, SECRET, "api-key")
    assert settings.base_url == SANDBOX_BASE_URL == "https://sandbox.kopokopo.com"


def test_settings_from_an_environ_mapping() -> None:
    """Every K2_* variable is read from the mapping given."""
    environ = {
        "K2_CLIENT_ID": "env-id",
        "K2_CLIENT_SECRET": "env-secret",
        "K2_API_KEY": "env-key",
        "K2_BASE_URL": PRODUCTION_BASE_URL + "/",
    }
    settings = K2Settings.resolve(environ=environ)
    assert settings == K2Settings("env-id", "env-secret", PRODUCTION_BASE_URL, "env-key")


def test_arguments_win_over_the_environment() -> None:
    """An argument overrides its environment variable."""
    environ = {
        "K2_CLIENT_ID": "env-id",
        "K2_CLIENT_SECRET": "env-secret",
        "K2_BASE_URL": "https://env.example",
    }
    settings = K2Settings.resolve("arg-id", base_url="https://arg.example", environ=environ)
    assert (settings.client_id, settings.client_secret, settings.base_url) == (
        "arg-id",
        "env-secret",
        "https://arg.example",
    )


def test_settings_from_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without an environ mapping, os.environ is read."""
    monkeypatch.setenv("K2_CLIENT_ID", "os-id")
    monkeypatch.setenv("K2_CLIENT_SECRET", "os-secret")
    monkeypatch.delenv("K2_BASE_URL", raising=False)
    monkeypatch.setenv("K2_API_KEY", "")
    settings = K2Settings.resolve()
    assert (settings.client_id, settings.client_secret, settings.api_key) == ("os-id", "os-secret", None)


@pytest.mark.parametrize(
    ("environ", "missing", "present"),
    [
        ({}, ["client_id (K2_CLIENT_ID)", "client_secret (K2_CLIENT_SECRET)"], []),
        ({"K2_CLIENT_ID": "x"}, ["client_secret (K2_CLIENT_SECRET)"], ["client_id"]),
        ({"K2_CLIENT_SECRET": "x", "K2_CLIENT_ID": ""}, ["client_id (K2_CLIENT_ID)"], ["client_secret"]),
    ],
)
def test_missing_credentials_name_what_is_missing(
    environ: dict[str, str], missing: list[str], present: list[str]
) -> None:
    """K2ConfigError names each missing credential and its variable, and only those."""
    for build in (K2Settings.resolve, connect, async_connect, K2, AsyncK2):
        with pytest.raises(K2ConfigError) as info:
            build(environ=environ)
        for name in missing:
            assert name in str(info.value)
        for name in present:
            assert name not in str(info.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://sandbox.kopokopo.com",
        "http://10.0.0.1:8000",
        "http://localhost.evil.example",
        "http://127.example.com",
        # *.localhost names are looked up through DNS like any other: the secret would travel in clear.
        "http://evil.localhost",
        "http://k2.localhost:8000",
        "ftp://sandbox.kopokopo.com",
        "sandbox.kopokopo.com",
        "https://",
        "https://sandbox.kopokopo.com/?x=1",
        "https://sandbox.kopokopo.com/#frag",
    ],
)
def test_insecure_or_malformed_base_url_is_refused(url: str) -> None:
    """Plain http off loopback, other schemes, no host, or a query/fragment are configuration errors."""
    with pytest.raises(K2ConfigError):
        K2Settings.resolve(CLIENT_ID, SECRET, base_url=url, environ={})


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://127.5.5.5", "http://127.5.5.5"),
        ("http://localhost:8000/", "http://localhost:8000"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        (" https://api.kopokopo.com/ ", "https://api.kopokopo.com"),
        ("https://k2.example/prefix/", "https://k2.example/prefix"),
    ],
)
def test_loopback_http_and_any_https_base_url_are_allowed(url: str, expected: str) -> None:
    """http is fine to loopback hosts; the base URL is stripped of spaces and a trailing slash."""
    assert K2Settings.resolve(CLIENT_ID, SECRET, base_url=url, environ={}).base_url == expected


def test_settings_repr_hides_credentials() -> None:
    """K2Settings' repr shows the base URL only."""
    text = repr(K2Settings.resolve(CLIENT_ID, SECRET, api_key="api-key-9", environ={}))
    assert SANDBOX_BASE_URL in text
    for secret in (CLIENT_ID, SECRET, "api-key-9"):
        assert secret not in text


# ---------------------------------------------------------------------------------- wiring
def test_user_agent_names_the_sdk_and_version() -> None:
    """The User-Agent is k2connect-sdk-python/<installed version>, distinct from Kopo Kopo's own SDK."""
    assert user_agent().startswith(f"k2connect-sdk-python/{metadata.version('k2connect-sdk')} ")
    assert "Kopokopo-Python-SDK" not in user_agent()


async def test_every_request_carries_the_user_agent(runner: Runner) -> None:
    """Token and API requests all send the SDK's User-Agent and Accept: application/json."""
    server = FakeK2()
    await runner.op(v2_create_incoming_payment, client=runner.connect(server), body=stk_body())
    assert len(server.seen) == 2
    for request in server.seen:
        assert request.headers["User-Agent"] == user_agent()
        assert request.headers["Accept"] == "application/json"


async def test_default_timeouts_are_finite(runner: Runner) -> None:
    """No default timeout is infinite: a hung socket must end."""
    timeout = runner.http(runner.connect(FakeK2())).timeout
    for value in (timeout.connect, timeout.read, timeout.write, timeout.pool):
        assert value is not None
        assert 0 < value < math.inf


async def test_timeout_can_be_set(runner: Runner) -> None:
    """A timeout argument replaces the defaults."""
    assert runner.http(runner.connect(FakeK2(), timeout=2.5)).timeout == httpx.Timeout(2.5)


async def test_redirects_are_not_followed(runner: Runner) -> None:
    """A redirect would carry the bearer token elsewhere: it is not followed."""
    server = FakeK2(reply(302, headers={"Location": "https://evil.example/steal"}))
    client = runner.connect(server)
    assert runner.http(client).follow_redirects is False
    k2 = runner.k2(server)
    with pytest.raises(K2UnexpectedResponseError):
        await runner.run(k2.get, LOCATION)
    assert all(r.url.host == "sandbox.kopokopo.com" for r in server.seen)
    assert len(server.api_requests()) == 1


async def test_redirect_on_a_direct_generated_call_is_a_k2_error(runner: Runner) -> None:
    """A generated op called directly on a connect() client turns a 3xx into K2UnexpectedResponseError."""
    server = FakeK2(reply(301, headers={"Location": "https://evil.example/steal"}))
    with pytest.raises(K2UnexpectedResponseError) as caught:
        await runner.op(v2_get_incoming_payment, PID, client=runner.connect(server))
    assert caught.value.status_code == 301
    assert "evil.example" not in str(caught.value)


async def test_token_is_fetched_form_encoded_without_bearer(runner: Runner) -> None:
    """The token comes from POST /oauth/token, form-encoded with grant_type, client_id and client_secret."""
    server = FakeK2()
    await runner.op(v2_get_incoming_payment, PID, client=runner.connect(server))
    (token_request,) = server.token_requests()
    assert token_request.method == "POST"
    assert str(token_request.url) == f"{BASE}/oauth/token"
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert "Authorization" not in token_request.headers
    assert parse_qs(token_request.content.decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": [CLIENT_ID],
        "client_secret": [SECRET],
    }


async def test_api_calls_carry_the_cached_bearer(runner: Runner) -> None:
    """API calls send Bearer <token>; the token is fetched once and reused."""
    server = FakeK2()
    client = runner.connect(server)
    await runner.op(v2_get_incoming_payment, PID, client=client)
    await runner.op(v2_create_incoming_payment, client=client, body=stk_body())
    assert len(server.token_requests()) == 1
    assert [r.headers["Authorization"] for r in server.api_requests()] == [f"Bearer {TOKEN}-1"] * 2


async def test_placeholder_token_is_never_sent(runner: Runner) -> None:
    """The generated client's placeholder token never leaves: not on API calls, not on OAuth calls."""
    server = FakeK2(error(401))
    k2 = runner.k2(server)
    await runner.run(k2.stk_push, **STK_ARGS)
    await runner.run(k2.get, LOCATION)
    await runner.run(k2.token_info)
    await runner.run(k2.introspect_token)
    await runner.run(k2.revoke_token)
    assert len(server.seen) > 5
    for request in server.seen:
        assert "unset" not in request.headers.get("Authorization", "").lower()
        if request.url.path in ("/oauth/token", "/oauth/revoke", "/oauth/introspect"):
            assert "Authorization" not in request.headers


# ---------------------------------------------------------------------------------- error statuses
STATUS_ERRORS = [
    (400, K2ValidationError),
    (422, K2ValidationError),
    (403, K2AuthError),
    (404, K2NotFoundError),
    (405, K2APIError),
    (429, K2RateLimitError),
]


@pytest.mark.parametrize(("status", "expected"), STATUS_ERRORS)
async def test_error_status_on_a_create_is_a_k2_error(
    runner: Runner, status: int, expected: type[K2APIError]
) -> None:
    """An error answer to a POST is raised as its K2APIError subclass, with K2's code and message."""
    server = FakeK2(error(status))
    k2 = runner.k2(server)
    with pytest.raises(expected) as info:
        await runner.run(k2.stk_push, **STK_ARGS)
    assert type(info.value) is expected
    assert info.value.status_code == status
    assert info.value.error_code == status
    assert info.value.error_message == f"K2 says {status}"
    assert info.value.method == "POST"
    assert info.value.url == f"{BASE}/api/v2/incoming_payments"
    assert len(server.api_requests()) == 1  # a POST is never retried


@pytest.mark.parametrize(("status", "expected"), STATUS_ERRORS)
async def test_error_status_on_a_read_is_a_k2_error(
    runner: Runner, status: int, expected: type[K2APIError]
) -> None:
    """The same mapping for reads through a bare connect() client (reads of 429/5xx are retried first)."""
    server = FakeK2(*[error(status)] * 4)
    with pytest.raises(expected) as info:
        await runner.op(v2_get_incoming_payment, PID, client=runner.connect(server))
    assert info.value.status_code == status


async def test_401_twice_is_an_auth_error(runner: Runner) -> None:
    """A 401 renews the token once; a second 401 raises K2AuthError."""
    server = FakeK2(error(401), error(401))
    with pytest.raises(K2AuthError) as info:
        await runner.run(runner.k2(server).stk_push, **STK_ARGS)
    assert info.value.status_code == 401
    assert len(server.token_requests()) == 2


async def test_rate_limit_carries_retry_after(runner: Runner) -> None:
    """A 429 exposes K2's Retry-After hint in seconds."""
    server = FakeK2(error(429, {"Retry-After": "120"}))
    with pytest.raises(K2RateLimitError) as info:
        await runner.run(runner.k2(server).get, LOCATION)
    assert info.value.retry_after == 120.0
    assert runner.clock.sleeps == []  # longer than the retry policy waits for: returned at once


async def test_retryable_read_statuses_are_retried_with_retry_after(runner: Runner) -> None:
    """A GET answered 503 with Retry-After is retried after that many seconds, then succeeds."""
    server = FakeK2(error(503, {"Retry-After": "2"}), error(503, {"Retry-After": "2"}))
    result = await runner.run(runner.k2(server).get, LOCATION)
    assert result.data.attributes.status == "Success"
    assert runner.clock.sleeps == [2.0, 2.0]
    assert len(server.api_requests()) == 3


async def test_token_endpoint_refusal_is_an_auth_error(runner: Runner) -> None:
    """Refused credentials at /oauth/token raise K2AuthError with K2's OAuth error."""
    refused = reply(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
    server = FakeK2(token_replies=[refused])
    with pytest.raises(K2AuthError) as info:
        await runner.run(runner.k2(server).stk_push, **STK_ARGS)
    assert info.value.error_code == "invalid_client"
    assert info.value.error_message == "Client authentication failed"
    assert server.api_requests() == []


# ---------------------------------------------------------------------------------- transport errors
@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (httpx.ConnectError("refused"), K2ConnectionError),
        (httpx.ConnectTimeout("connect timed out"), K2TimeoutError),
        (httpx.ReadTimeout("read timed out"), K2TimeoutError),
        (httpx.RemoteProtocolError("peer closed"), K2ConnectionError),
    ],
)
async def test_transport_errors_on_reads_are_connection_errors(
    runner: Runner, exc: Exception, expected: type[K2ConnectionError]
) -> None:
    """A read that never got an answer is retried, then raised as K2ConnectionError or K2TimeoutError."""
    server = FakeK2(*[raises(exc)] * 4)
    with pytest.raises(expected) as info:
        await runner.run(runner.k2(server).get, LOCATION)
    assert type(info.value) is expected
    assert info.value.method == "GET"
    assert info.value.url == LOCATION
    assert len(server.api_requests()) == 4  # the default four attempts, with fake sleeps


async def test_connect_error_on_a_post_is_retried_because_it_never_left(runner: Runner) -> None:
    """A POST whose connection failed was never sent, so retrying it cannot pay twice."""
    server = FakeK2(raises(httpx.ConnectError("refused")))
    created = await runner.run(runner.k2(server).stk_push, **STK_ARGS)
    assert created.id == PID
    assert len(server.api_requests()) == 2


async def test_post_read_timeout_is_ambiguous_and_sent_once(runner: Runner) -> None:
    """A POST that timed out waiting for its answer may have moved money: raised once, never retried."""
    server = FakeK2(raises(httpx.ReadTimeout("read timed out")))
    with pytest.raises(K2AmbiguousOutcomeError) as info:
        await runner.run(runner.k2(server).stk_push, **STK_ARGS)
    posts = [r for r in server.api_requests() if r.method == "POST"]
    assert len(posts) == 1
    error = info.value
    assert error.method == "POST"
    assert error.url == f"{BASE}/api/v2/incoming_payments"
    assert error.callback_url == CB
    assert error.request_body == stk_body().to_dict()
    # Not a connection error: ``except K2ConnectionError: retry`` must not catch it.
    assert not isinstance(error, K2ConnectionError)


# ---------------------------------------------------------------------------------- undocumented answers
@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_on_a_create_is_ambiguous_and_sent_once(runner: Runner, status: int) -> None:
    """K2 has no idempotency keys: a 5xx to a POST says nothing about whether money moved."""
    server = FakeK2(error(status))
    with pytest.raises(K2AmbiguousOutcomeError) as info:
        await runner.run(runner.k2(server).stk_push, **STK_ARGS)
    assert len(server.api_requests()) == 1
    error_ = info.value
    assert error_.status_code == status
    assert error_.operation == "stk_push"
    assert error_.callback_url == CB
    assert error_.hint is not None and "poll_transactions" in error_.hint


@pytest.mark.parametrize("status", [200, 202, 204])
async def test_undocumented_2xx_on_a_create_is_ambiguous(runner: Runner, status: int) -> None:
    """A 2xx other than the documented 201 may mean K2 acted: ambiguous, never the generator's error."""
    server = FakeK2(reply(status, {"accepted": True}) if status != 204 else lambda r: httpx.Response(204))
    with pytest.raises(K2AmbiguousOutcomeError) as info:
        await runner.run(runner.k2(server).stk_push, **STK_ARGS)
    assert info.value.status_code == status
    assert "stk_push" in str(info.value)
    assert len(server.api_requests()) == 1


@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_redirect_on_a_create_is_ambiguous_and_not_followed(runner: Runner, status: int) -> None:
    """A redirect to a POST is not followed (it would carry the token) and leaves the outcome unknown."""
    server = FakeK2(lambda r: httpx.Response(status, headers={"Location": "https://evil.example/x"}))
    with pytest.raises(K2AmbiguousOutcomeError) as info:
        await runner.run(runner.k2(server).stk_push, **STK_ARGS)
    assert info.value.status_code == status
    assert len(server.api_requests()) == 1


async def test_undocumented_2xx_on_a_read_is_unexpected_response(runner: Runner) -> None:
    """A 204 on a read is K2UnexpectedResponseError too."""
    server = FakeK2(lambda request: httpx.Response(204))
    with pytest.raises(K2UnexpectedResponseError) as info:
        await runner.run(runner.k2(server).get, LOCATION)
    assert info.value.status_code == 204


def _chain_text(error: BaseException) -> str:
    """Everything a logged traceback of ``error`` would show."""
    return "".join(traceback.format_exception(error))


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        (reply(202, {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600}), 202),
        (reply(200, {"access_token": TOKEN}), 200),  # token_type missing: breaks the schema
        (reply(200, ["not", "an", "object"]), 200),
    ],
    ids=["202", "schema", "list"],
)
async def test_odd_token_answer_is_unexpected_response_and_hides_the_body(
    runner: Runner, answer: Reply, status: int
) -> None:
    """An odd token answer is K2UnexpectedResponseError everywhere; no traceback quotes its body (a token)."""
    server = FakeK2(token_replies=[answer, answer])
    k2 = runner.k2(server)
    for call in (k2.token, lambda: k2.stk_push(**STK_ARGS)):
        with pytest.raises(K2UnexpectedResponseError) as info:
            await runner.run(call)
        assert info.value.status_code == status
        assert "token request" in str(info.value)
        assert TOKEN not in _chain_text(info.value)
    assert server.api_requests() == []


async def test_token_answer_without_a_model_is_unexpected(
    runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the generated token call returns no TokenResponse, the fetch raises instead of inventing a token."""

    def empty(*args: Any, **kwargs: Any) -> Response[Any]:
        return Response(status_code=HTTPStatus.OK, content=b"", headers={}, parsed=None)

    async def async_empty(*args: Any, **kwargs: Any) -> Response[Any]:
        return empty()

    monkeypatch.setattr(request_access_token, "sync_detailed", empty)
    monkeypatch.setattr(request_access_token, "asyncio_detailed", async_empty)
    with pytest.raises(K2UnexpectedResponseError, match="without a token"):
        await runner.run(runner.k2(FakeK2()).token)


# ---------------------------------------------------------------------------------- secrets
def _texts(error: BaseException) -> Iterator[str]:
    """The message, formatted traceback and attribute values of an error and its causes."""
    yield _chain_text(error)
    current: BaseException | None = error
    while current is not None:
        yield str(current)
        yield repr(current)
        yield repr(vars(current))
        current = current.__cause__ or current.__context__


async def test_no_secret_or_token_in_reprs_errors_or_logs(
    runner: Runner, caplog: pytest.LogCaptureFixture
) -> None:
    """Neither the client secret nor any token appears in a repr, an exception text or a DEBUG log line."""
    caplog.set_level(logging.DEBUG)
    refused = reply(401, {"error": "invalid_client", "error_description": "bad"})
    server = FakeK2(
        error(401),  # first API call: renewed and replayed
        error(401),
        error(401),  # second API call: two 401s, K2AuthError
        error(400),
        error(500),
        raises(httpx.ReadTimeout("timed out")),  # an ambiguous POST
        raises(httpx.ConnectError("down")),
        *[raises(httpx.ConnectError("down"))] * 3,
        token_replies=[reply(200, {"access_token": TOKEN + "-1", "token_type": "Bearer"}), refused],
    )
    k2 = runner.k2(server)
    errors: list[BaseException] = []
    calls: list[Callable[[], Any]] = [
        lambda: k2.stk_push(**STK_ARGS),
        lambda: k2.stk_push(**STK_ARGS),  # 401, renew refused
        lambda: k2.stk_push(**STK_ARGS),
        lambda: k2.stk_push(**STK_ARGS),
        lambda: k2.stk_push(**STK_ARGS),
        lambda: k2.stk_push(**STK_ARGS),
        lambda: k2.get(LOCATION),
        lambda: k2.stk_push(phone_number="0812345678", amount=1, till_number="K1", callback_url=CB),
    ]
    for call in calls:
        try:
            await runner.run(call)
        except K2Error as exc:
            errors.append(exc)
    assert {type(e) for e in errors} >= {
        K2AuthError,
        K2ValidationError,
        K2AmbiguousOutcomeError,
    }
    client = k2.client
    http = runner.http(client)
    texts = [repr(k2), repr(k2.settings), repr(client), repr(http.auth)]
    manager = getattr(http.auth, "token_manager", None) or getattr(http.auth, "async_token_manager", None)
    texts += [repr(manager), caplog.text]
    texts += [text for exc in errors for text in _texts(exc)]
    assert any("Retrying" in record.message or "token" in record.message for record in caplog.records)
    for text in texts:
        assert SECRET not in text
        assert TOKEN not in text


async def test_a_body_that_cannot_be_built_is_an_input_error_not_k2s_answer(runner: Runner) -> None:
    """A value JSON refuses (an int too long to print) fails before sending: an input error, never a
    "K2 answered ... status 200" or an ambiguous outcome, and nothing reaches K2."""
    from k2connect_client.api.v2 import v2_create_incoming_payment

    server = FakeK2()
    client = runner.connect(server)
    body = ops.stk_push(**STK_ARGS, metadata={"n": 1}).body
    body.metadata.additional_properties["n"] = 10**5000  # past what validation allows, set afterwards
    invoker = invoke if runner.mode == "sync" else async_invoke
    module = v2_create_incoming_payment
    fn = module.sync_detailed if runner.mode == "sync" else module.asyncio_detailed
    with pytest.raises(K2InputError, match="nothing was sent"):
        await runner.run(invoker, "v2_create_incoming_payment", fn, client=client, body=body)
    assert server.api_requests() == []


async def test_a_cookie_set_on_the_way_is_never_replayed(runner: Runner) -> None:
    """K2 sets no cookies: one set by a proxy on the way is not kept, nor sent back with the next call."""
    seen: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("cookie"))
        attributes = {"status": "Pending", "event": {"type": "Incoming Payment Request", "resource": None}}
        body = {"data": {"id": PID, "type": "incoming_payment", "attributes": attributes}}
        return httpx.Response(200, json=body, headers={"Set-Cookie": "session=abc; Path=/"})

    server = FakeK2(answer, answer)
    k2 = runner.k2(server)
    await runner.run(k2.get, LOCATION)
    await runner.run(k2.get, LOCATION)
    assert seen == [None, None]
    assert len(runner.http(k2.client).cookies) == 0
