"""Tests for the errors the generated operations raise (templates/endpoint_module.py.jinja, errors.py.jinja).

Building a request from arguments JSON cannot carry raises ``RequestBuildError`` before anything is sent; a
documented status whose body breaks its schema raises ``ResponseParseError``; a status HTTP does not name
raises ``UnexpectedStatus``. Anything else (here a transport's own bug) is left alone. Sync and async alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from k2connect_client import AuthenticatedClient, Client
from k2connect_client import errors as generated_errors
from k2connect_client.api.v2 import v2_cancel_payment_link, v2_create_incoming_payment

from k2connect_ext import _operations as ops

BASE = "https://k2.test"
STK_ARGS: dict[str, Any] = {
    "phone_number": "0712345678",
    "amount": 100,
    "till_number": "K000000",
    "callback_url": "https://example.com/k2/result",
}


class Generated:
    """Calls a generated operation's sync_detailed or asyncio_detailed on a MockTransport."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.requests: list[httpx.Request] = []

    def client(self, answer: Callable[[httpx.Request], httpx.Response]) -> AuthenticatedClient:
        def handler(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return answer(request)

        transport = httpx.MockTransport(handler)
        client = AuthenticatedClient(base_url=BASE, token="t", raise_on_unexpected_status=True)
        if self.mode == "sync":
            return client.set_httpx_client(httpx.Client(base_url=BASE, transport=transport))
        return client.set_async_httpx_client(httpx.AsyncClient(base_url=BASE, transport=transport))

    async def run(self, module: Any, *args: Any, client: AuthenticatedClient | Client, **kwargs: Any) -> Any:
        if self.mode == "sync":
            return module.sync_detailed(*args, client=client, **kwargs)
        return await module.asyncio_detailed(*args, client=client, **kwargs)


@pytest.fixture(params=["sync", "async"])
def generated(request: pytest.FixtureRequest) -> Generated:
    """The sync and the async generated functions."""
    return Generated(request.param)


async def test_a_body_json_cannot_carry_is_a_request_build_error(generated: Generated) -> None:
    """An int too long to print (set after validation) fails while the request is built: nothing is sent."""
    body = ops.stk_push(**STK_ARGS, metadata={"n": 1}).body
    body.metadata.additional_properties["n"] = 10**5000
    client = generated.client(lambda request: httpx.Response(201))
    with pytest.raises(generated_errors.RequestBuildError) as info:
        await generated.run(v2_create_incoming_payment, client=client, body=body)
    assert isinstance(info.value.__cause__, ValueError)
    assert generated.requests == []


async def test_a_body_that_is_not_a_model_is_a_request_build_error(generated: Generated) -> None:
    """A plain dict where the operation takes a model cannot be serialised (no ``to_dict``): nothing sent."""
    client = generated.client(lambda request: httpx.Response(201))
    with pytest.raises(generated_errors.RequestBuildError, match="AttributeError"):
        await generated.run(v2_create_incoming_payment, client=client, body={"till_number": "K1"})
    assert generated.requests == []


@pytest.mark.parametrize(
    ("content", "cause"),
    [
        (b'{"msg": "cancelled"}', KeyError),  # a required field missing
        (b"<html>cancelled</html>", ValueError),  # not JSON
        (b"[" * 100_000 + b"]" * 100_000, RecursionError),  # nested past the parser's depth
    ],
)
async def test_a_body_that_breaks_the_schema_is_a_response_parse_error(
    generated: Generated, content: bytes, cause: type[Exception]
) -> None:
    """A documented status (200) whose body its schema refuses: ResponseParseError with the status, the
    parser's exception as its cause, and no word of the body in its message."""
    client = generated.client(lambda request: httpx.Response(200, content=content))
    with pytest.raises(generated_errors.ResponseParseError) as info:
        await generated.run(v2_cancel_payment_link, "abc", client=client)
    assert info.value.status_code == 200
    assert isinstance(info.value.__cause__, cause)
    assert "cancelled" not in str(info.value)
    assert isinstance(info.value, ValueError)  # what callers of the older generated code caught


@pytest.mark.parametrize("raise_on_unexpected_status", [True, False])
async def test_a_status_http_does_not_name_is_an_unexpected_status(
    generated: Generated, raise_on_unexpected_status: bool
) -> None:
    """209 is no HTTPStatus: UnexpectedStatus, not a ValueError from the status conversion."""
    client = generated.client(lambda request: httpx.Response(209, json={}))
    client.raise_on_unexpected_status = raise_on_unexpected_status
    with pytest.raises(generated_errors.UnexpectedStatus) as info:
        await generated.run(v2_cancel_payment_link, "abc", client=client)
    assert info.value.status_code == 209


async def test_a_transport_bug_is_left_alone(generated: Generated) -> None:
    """A KeyError raised by the transport is neither a build nor a parse error: it propagates as itself."""
    bug = KeyError("a bug in a transport")

    def broken(request: httpx.Request) -> httpx.Response:
        raise bug

    client = generated.client(broken)
    with pytest.raises(KeyError) as info:
        await generated.run(v2_cancel_payment_link, "abc", client=client)
    assert info.value is bug
