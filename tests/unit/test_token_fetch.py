"""Tests for k2connect_ext._token_fetch: the token request K2's guide asks for, and what becomes of an answer
outside the spec (K2UnexpectedResponseError, never quoting the body) or of a bug on the way (itself).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from k2connect_client.api.oauth import request_access_token
from k2connect_client.api.v2 import v2_get_incoming_payment
from k2connect_client.types import Response

from k2connect_ext import K2, AsyncK2
from k2connect_ext._exceptions import K2AuthError, K2UnexpectedResponseError
from tests.client_runner import BASE, CLIENT_ID, SECRET, STK_ARGS, Runner, chain_text
from tests.fakes import PID, TOKEN, FakeK2, Reply, reply


@pytest.fixture(params=["sync", "async"])
def runner(request: pytest.FixtureRequest) -> Runner:
    """The same scenario through K2 / connect() and through AsyncK2 / async_connect()."""
    return Runner(request.param)


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


async def test_token_endpoint_refusal_is_an_auth_error(runner: Runner) -> None:
    """Refused credentials at /oauth/token raise K2AuthError with K2's OAuth error."""
    refused = reply(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
    server = FakeK2(token_replies=[refused])
    with pytest.raises(K2AuthError) as info:
        await runner.run(runner.k2(server).stk_push, **STK_ARGS)
    assert info.value.error_code == "invalid_client"
    assert info.value.error_message == "Client authentication failed"
    assert server.api_requests() == []


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
        assert TOKEN not in chain_text(info.value)
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


async def test_a_bug_in_the_token_fetch_is_not_disguised(monkeypatch: pytest.MonkeyPatch) -> None:
    """An exception the SDK does not translate (a programming error) propagates as itself, sync and async."""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug, not an answer from K2")

    async def abroken(*args: Any, **kwargs: Any) -> Any:
        broken()

    monkeypatch.setattr(request_access_token, "sync_detailed", broken)
    monkeypatch.setattr(request_access_token, "asyncio_detailed", abroken)
    with pytest.raises(RuntimeError, match="a bug"):
        K2("id", "secret", environ={}, transport=httpx.MockTransport(FakeK2())).token()
    with pytest.raises(RuntimeError, match="a bug"):
        await AsyncK2("id", "secret", environ={}, transport=httpx.MockTransport(FakeK2())).token()


@pytest.mark.parametrize("bug", [ValueError("bug"), KeyError("bug"), TypeError("bug")])
def test_a_bug_while_fetching_a_token_propagates_as_itself(bug: Exception) -> None:
    """Only the generated parse error of a token answer is K2's doing; a bug on the way is not."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise bug

    k2 = K2("id", "secret", transport=httpx.MockTransport(handler), environ={})
    with k2, pytest.raises(type(bug)):
        k2.token()
