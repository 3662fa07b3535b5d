"""Tests for k2connect_ext._client: what ``connect()`` wires into a client (User-Agent, finite timeouts, no
redirects, the cached bearer token), and no secret or token in any repr, error or log line.

Every behaviour of the wired client runs twice, through the sync and the async client (``runner``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from k2connect_client.api.v2 import v2_create_incoming_payment, v2_get_incoming_payment

from k2connect_ext._exceptions import (
    K2AmbiguousOutcomeError,
    K2AuthError,
    K2Error,
    K2UnexpectedResponseError,
    K2ValidationError,
)
from k2connect_ext._settings import user_agent
from tests.client_runner import CB, LOCATION, SECRET, STK_ARGS, Runner, chain_text, stk_body
from tests.fakes import PID, TOKEN, FakeK2, error, raises, reply


@pytest.fixture(params=["sync", "async"])
def runner(request: pytest.FixtureRequest) -> Runner:
    """The same scenario through K2 / connect() and through AsyncK2 / async_connect()."""
    return Runner(request.param)


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


async def test_401_twice_is_an_auth_error(runner: Runner) -> None:
    """A 401 renews the token once; a second 401 raises K2AuthError."""
    server = FakeK2(error(401), error(401))
    with pytest.raises(K2AuthError) as info:
        await runner.run(runner.k2(server).stk_push, **STK_ARGS)
    assert info.value.status_code == 401
    assert len(server.token_requests()) == 2


# ---------------------------------------------------------------------------------- secrets
def _texts(error: BaseException) -> Iterator[str]:
    """The message, formatted traceback and attribute values of an error and its causes."""
    yield chain_text(error)
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
