"""Tests for k2connect_ext._error_raising_client: K2's error statuses and transport failures come out as K2
errors, through the sync and the async client alike (``runner``), and no cookie is ever kept.
"""

from __future__ import annotations

import httpx
import pytest
from k2connect_client.api.v2 import v2_get_incoming_payment

from k2connect_ext import async_connect, connect
from k2connect_ext._exceptions import (
    K2APIError,
    K2AuthError,
    K2ConnectionError,
    K2NotFoundError,
    K2RateLimitError,
    K2TimeoutError,
    K2UnexpectedResponseError,
    K2ValidationError,
)
from tests.client_runner import BASE, LOCATION, STK_ARGS, Runner
from tests.fakes import PID, FakeK2, error, raises, reply


@pytest.fixture(params=["sync", "async"])
def runner(request: pytest.FixtureRequest) -> Runner:
    """The same scenario through K2 / connect() and through AsyncK2 / async_connect()."""
    return Runner(request.param)


async def test_redirect_on_a_direct_generated_call_is_a_k2_error(runner: Runner) -> None:
    """A generated op called directly on a connect() client turns a 3xx into K2UnexpectedResponseError."""
    server = FakeK2(reply(301, headers={"Location": "https://evil.example/steal"}))
    with pytest.raises(K2UnexpectedResponseError) as caught:
        await runner.op(v2_get_incoming_payment, PID, client=runner.connect(server))
    assert caught.value.status_code == 301
    assert "evil.example" not in str(caught.value)


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


async def test_rate_limit_carries_retry_after(runner: Runner) -> None:
    """A 429 exposes K2's Retry-After hint in seconds."""
    server = FakeK2(error(429, {"Retry-After": "120"}))
    with pytest.raises(K2RateLimitError) as info:
        await runner.run(runner.k2(server).get, LOCATION)
    assert info.value.retry_after == 120.0
    assert runner.clock.sleeps == []  # longer than the retry policy waits for: returned at once


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


def test_no_cookie_is_kept_even_when_assigned() -> None:
    """K2 sets no cookies: the jar stays empty, and assigning one (sync or async) keeps nothing."""
    sync_http = connect(
        "id", "secret", environ={}, transport=httpx.MockTransport(FakeK2())
    ).get_httpx_client()
    async_http = async_connect(
        "id", "secret", environ={}, transport=httpx.MockTransport(FakeK2())
    ).get_async_httpx_client()
    for http in (sync_http, async_http):
        http.cookies = httpx.Cookies({"session": "from-a-proxy"})
        assert len(http.cookies) == 0
