"""Tests for k2connect_ext._invoke: only K2's answer is blamed on K2; a bug of ours stays itself.

``invoke``/``async_invoke`` turn what the generated code raises about K2's answer (an undocumented status, a
body the schema refuses) into K2 errors, and what it raises while building the request into ``K2InputError``.
Anything else raised on the way (a bug in the transport, an event hook, our retry code) is not K2's answer
and propagates as itself. Every case runs through the sync and the async twin.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from k2connect_client import errors as generated_errors
from k2connect_client.api.v2 import v2_create_incoming_payment

from k2connect_ext import _call
from k2connect_ext import _operations as ops
from k2connect_ext._exceptions import (
    K2AmbiguousOutcomeError,
    K2ConnectionError,
    K2InputError,
    K2UnexpectedResponseError,
)
from k2connect_ext._facade import K2, AsyncK2
from k2connect_ext._invoke import async_invoke, invoke
from tests.client_runner import BASE, LOCATION, STK_ARGS, Runner
from tests.fakes import PID, FakeK2, Reply, reply

LINK = f"{BASE}/api/v2/payment_links/{PID}"


@pytest.fixture(params=["sync", "async"])
def runner(request: pytest.FixtureRequest) -> Runner:
    """The same scenario through K2 / connect() and through AsyncK2 / async_connect()."""
    return Runner(request.param)


class _BrokenStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body whose reading raises ``error``: a bug met after the request was sent."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def __iter__(self) -> Iterator[bytes]:
        raise self.error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        raise self.error
        yield b""  # pragma: no cover - makes this an async generator


def _bug_in_handle_request(error: Exception) -> Reply:
    def handle(request: httpx.Request) -> httpx.Response:
        raise error

    return handle


def _bug_while_reading(error: Exception) -> Reply:
    return lambda request: httpx.Response(201, stream=_BrokenStream(error))


async def _stk_push(k2: K2 | AsyncK2) -> Any:
    return await Runner.run(k2.stk_push, **STK_ARGS)


async def _get(k2: K2 | AsyncK2) -> Any:
    return await Runner.run(k2.get, LOCATION)


# ---------------------------------------------------------------------------------- our bugs
@pytest.mark.parametrize("where", [_bug_in_handle_request, _bug_while_reading])
@pytest.mark.parametrize("operation", [_stk_push, _get])
@pytest.mark.parametrize("bug", [ValueError, KeyError, TypeError, AttributeError])
async def test_a_bug_in_the_transport_propagates_as_itself(
    runner: Runner,
    where: Callable[[Exception], Reply],
    operation: Callable[[K2 | AsyncK2], Any],
    bug: type[Exception],
) -> None:
    """A plain exception raised in the transport (before or after the request was handed over) is a bug,
    not K2's answer: never K2AmbiguousOutcomeError or K2UnexpectedResponseError."""
    error = bug("a bug in our own code")
    server = FakeK2(where(error))
    with pytest.raises(bug) as info:
        await operation(runner.k2(server))
    assert info.value is error


@pytest.mark.parametrize("operation", [_stk_push, _get])
async def test_a_bug_before_the_transport_propagates_as_itself(
    runner: Runner, operation: Callable[[K2 | AsyncK2], Any]
) -> None:
    """A bug raised after the request was built but before any transport saw it (here a request event
    hook) is not the user's input either: it stays a ValueError, not a K2InputError."""
    error = ValueError("a bug in a request hook")

    def hook(request: httpx.Request) -> None:
        if request.url.path != "/oauth/token":
            raise error

    async def ahook(request: httpx.Request) -> None:
        hook(request)

    k2 = runner.k2(FakeK2())
    if isinstance(k2, K2):
        k2.client.get_httpx_client().event_hooks["request"].append(hook)
    else:
        k2.client.get_async_httpx_client().event_hooks["request"].append(ahook)
    await Runner.run(k2.token)  # the token is cached: the API request is the first to meet the hook
    with pytest.raises(ValueError) as info:
        await operation(k2)
    assert info.value is error


# ---------------------------------------------------------------------------------- K2's answers
@pytest.mark.parametrize(
    "answer",
    [
        reply(200, {"msg": "Payment link cancelled."}),  # no "message": the schema's required field
        lambda request: httpx.Response(200, content=b"<html>cancelled</html>"),  # not JSON
        lambda request: httpx.Response(200, content=b"\xff\xfe{"),  # not UTF-8
    ],
)
async def test_a_body_that_breaks_the_schema_of_a_money_post_is_ambiguous(
    runner: Runner, answer: Reply
) -> None:
    """K2 answered a POST that may move money with a body the spec does not describe: it acted, we
    cannot tell how."""
    with pytest.raises(K2AmbiguousOutcomeError, match="a body the spec does not describe") as info:
        await Runner.run(runner.k2(FakeK2(answer)).cancel_payment_link, LINK)
    assert info.value.status_code == 200
    assert info.value.operation == "v2_cancel_payment_link"


@pytest.mark.parametrize(
    "answer",
    [
        reply(200, {"data": {"id": PID, "type": "incoming_payment"}}),  # no attributes
        reply(200, {"data": {"id": PID, "type": "incoming_payment", "attributes": "Success"}}),
        lambda request: httpx.Response(200, content=b"not json"),
    ],
)
async def test_a_body_that_breaks_the_schema_of_a_get_is_an_unexpected_response(
    runner: Runner, answer: Reply
) -> None:
    """A read answered with a body the schema refuses: K2UnexpectedResponseError with the status."""
    with pytest.raises(K2UnexpectedResponseError, match="does not match the spec") as info:
        await _get(runner.k2(FakeK2(answer)))
    assert info.value.status_code == 200


async def test_a_status_http_does_not_name_is_an_unexpected_status(runner: Runner) -> None:
    """A 2xx outside HTTP's registry (209) answering a read is an undocumented status, said as such."""
    with pytest.raises(K2UnexpectedResponseError, match="status 209") as info:
        await _get(runner.k2(FakeK2(reply(209, {}))))
    assert info.value.status_code == 209


# ---------------------------------------------------------------------------------- invoke alone
def _raiser(error: Exception, sent: str | None = "GET") -> Callable[..., Any]:
    """A callable that raises ``error`` after "sending" a request of method ``sent`` (None: nothing sent)."""

    def fn(*args: Any, **kwargs: Any) -> Any:
        if sent is not None:
            request = httpx.Request(sent, f"{BASE}/api/v2/send_money")
            _call.record_request(request, may_move_money=sent == "POST")
            _call.record_status(200, of_money_request=sent == "POST")
        raise error

    return fn


def _parse_error(cause: Exception, status: int = 200) -> generated_errors.ResponseParseError:
    """What a generated operation raises when ``cause`` was raised reading a body of status ``status``."""
    try:
        raise generated_errors.ResponseParseError(status, cause) from cause
    except generated_errors.ResponseParseError as exc:
        return exc


def _build_error(cause: Exception) -> generated_errors.RequestBuildError:
    """What a generated operation raises when ``cause`` was raised building the request."""
    try:
        raise generated_errors.RequestBuildError(cause) from cause
    except generated_errors.RequestBuildError as exc:
        return exc


@pytest.fixture(params=["sync", "async"])
def call(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """invoke or async_invoke, both awaited, so the same cases run through each."""

    async def run(operation: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if request.param == "sync":
            return invoke(operation, fn, *args, **kwargs)

        async def afn(*a: Any, **k: Any) -> Any:
            return fn(*a, **k)

        return await async_invoke(operation, afn, *args, **kwargs)

    return run


async def test_invoke_passes_arguments_and_results(call: Callable[..., Any]) -> None:
    """A successful call returns its result unchanged."""
    assert await call("op", lambda a, *, b: a + b, 1, b=2) == 3


async def test_invoke_unexpected_status_becomes_k2_error(call: Callable[..., Any]) -> None:
    """The generator's UnexpectedStatus never reaches the user."""
    with pytest.raises(K2UnexpectedResponseError, match="status 202") as info:
        await call("v2_create_send_money", _raiser(generated_errors.UnexpectedStatus(202, b"{}")))
    assert info.value.status_code == 202
    assert "v2_create_send_money" in str(info.value)


@pytest.mark.parametrize("cause", [KeyError("data"), ValueError("bad"), TypeError("x"), AttributeError("y")])
async def test_invoke_parse_errors_become_k2_error(call: Callable[..., Any], cause: Exception) -> None:
    """The generated parse error becomes K2UnexpectedResponseError naming the parser's exception type."""
    with pytest.raises(K2UnexpectedResponseError, match="does not match the spec") as info:
        await call("v2_get_reversal", _raiser(_parse_error(cause, 203)))
    assert type(cause).__name__ in str(info.value)
    assert info.value.status_code == 203


async def test_invoke_parse_error_never_quotes_the_body(call: Callable[..., Any]) -> None:
    """The parser's text may quote the body (a token response's body holds the token): never shown."""
    cause = ValueError("Invalid isoformat string: 'secret-token-value'")
    with pytest.raises(K2UnexpectedResponseError) as info:
        await call("v2_get_reversal", _raiser(_parse_error(cause)))
    assert "secret-token-value" not in str(info.value)
    assert info.value.__cause__ is None and info.value.__context__ is None


async def test_invoke_odd_answer_to_a_money_post_is_ambiguous(call: Callable[..., Any]) -> None:
    """An undocumented status or body answering a POST that may move money: K2 acted, we can't tell how."""
    with pytest.raises(K2AmbiguousOutcomeError, match="status 202") as info:
        await call("v2_create_send_money", _raiser(generated_errors.UnexpectedStatus(202, b"{}"), "POST"))
    assert info.value.status_code == 202
    assert info.value.operation == "v2_create_send_money"
    with pytest.raises(K2AmbiguousOutcomeError, match="a body the spec does not describe"):
        await call("v2_create_send_money", _raiser(_parse_error(KeyError("data")), "POST"))


@pytest.mark.parametrize("cause", [ValueError("Exceeds the limit"), TypeError("not serializable")])
async def test_invoke_request_build_error_is_an_input_error(
    call: Callable[..., Any], cause: Exception
) -> None:
    """Raised while the request was built (nothing left this machine): an input error, not K2's answer."""
    with pytest.raises(K2InputError, match="nothing was sent") as info:
        await call("v2_create_send_money", _raiser(_build_error(cause), None))
    assert type(cause).__name__ in str(info.value)


async def test_invoke_lets_k2_errors_and_others_through(call: Callable[..., Any]) -> None:
    """K2 errors pass unchanged, and so do errors that are not about the answer."""
    original = K2ConnectionError("down")
    with pytest.raises(K2ConnectionError) as info:
        await call("op", _raiser(original))
    assert info.value is original
    with pytest.raises(RuntimeError):
        await call("op", _raiser(RuntimeError("bug")))


@pytest.mark.parametrize("sent", [None, "GET", "POST"])
@pytest.mark.parametrize("bug", [KeyError("data"), ValueError("bad"), TypeError("x"), AttributeError("y")])
async def test_invoke_lets_plain_exceptions_through(
    call: Callable[..., Any], bug: Exception, sent: str | None
) -> None:
    """A plain ValueError/KeyError/TypeError/AttributeError is not the generated code's word on the answer
    or the inputs, whether or not anything was sent (a money POST included): it propagates as itself."""
    with pytest.raises(type(bug)) as info:
        await call("v2_create_send_money", _raiser(bug, sent))
    assert info.value is bug


async def test_a_body_that_cannot_be_built_is_an_input_error_not_k2s_answer(runner: Runner) -> None:
    """A value JSON refuses (an int too long to print) fails before sending: an input error, never a
    "K2 answered ... status 200" or an ambiguous outcome, and nothing reaches K2."""
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
