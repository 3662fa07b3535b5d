"""No secret in the frame locals of any error, as error reporters print them (issue 17, item 1).

Sentry (local variables on by default), loguru ``diagnose``, rich and structlog ``show_locals`` and
``traceback.TracebackException(capture_locals=True)`` print the local variables of every frame an exception
passed through. ``frame_scan`` renders each error with each of them; these tests raise one error per failure
mode, sync and async, and look for the client secret, the API key, every token issued and, for webhooks,
the valid signature of the body that was refused. The fault matrix applies the same scan to every case it
runs (check (g) in ``matrix``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from k2connect_ext import (
    K2,
    AsyncK2,
    K2AmbiguousOutcomeError,
    K2AuthError,
    K2Error,
    K2NotFoundError,
    K2PaymentFailedError,
    K2TimeoutError,
    K2ValidationError,
    PollSettings,
    async_connect,
    connect,
)
from k2connect_ext.webhooks import (
    AsyncWebhookReceiver,
    WebhookReceiver,
    WebhookSignatureError,
    construct_event,
    verify_signature,
)
from tests.fakes import FakeClock, FakeK2, error, incoming_payment, raises, reply

from .frame_scan import render_all, scan_frames

CLIENT_SECRET = "cs-frame-locals-5ecr3t+/="
API_KEY = "ak-frame-locals-0123456789abcdef"
TOKEN = "tok-frame-locals-must-not-print"
STK: dict[str, Any] = {
    "phone_number": "+254712345678",
    "amount": 100,
    "till_number": "K000000",
    "callback_url": "https://example.com/k2/result",
}


def _secrets(server: FakeK2 | None = None) -> dict[str, list[str | bytes]]:
    tokens: list[str | bytes] = [f"{TOKEN}-{n}" for n in range(1, (server.issued if server else 0) + 1)]
    return {"client_secret": [CLIENT_SECRET], "api_key": [API_KEY], "token": tokens}


def _assert_clean(exc: BaseException, secrets: dict[str, list[str | bytes]]) -> None:
    findings = scan_frames(exc, secrets)
    assert not findings, "\n".join(map(str, findings))


def _k2(server: FakeK2, **options: Any) -> K2:
    return K2(
        "client-id",
        CLIENT_SECRET,
        api_key=API_KEY,
        transport=httpx.MockTransport(server),
        environ={},
        **options,
    )


def _ak2(server: FakeK2, **options: Any) -> AsyncK2:
    async def handler(request: httpx.Request) -> httpx.Response:
        await request.aread()
        return server(request)

    return AsyncK2(
        "client-id",
        CLIENT_SECRET,
        api_key=API_KEY,
        transport=httpx.MockTransport(handler),
        environ={},
        **options,
    )


# ------------------------------------------------------------------------------- the scan itself
def test_every_reporter_prints_a_secret_held_in_a_frame() -> None:
    """The renderers really print locals: a secret in a plain local is found by each of them."""

    def leaky(secret: str) -> None:
        held = {"nested": [secret]}
        raise RuntimeError(f"failed with {len(held)} item")

    with pytest.raises(RuntimeError) as info:
        leaky(CLIENT_SECRET)
    findings = scan_frames(info.value, {"client_secret": [CLIENT_SECRET]}, caller="<nowhere>")
    found = {f.renderer for f in findings}
    assert found == set(render_all(info.value)), found


def test_the_scan_finds_a_digest_held_as_bytes() -> None:
    digest = hmac.new(b"k", b"body", hashlib.sha256).digest()

    def leaky(expected: bytes) -> None:
        raise ValueError("no")

    with pytest.raises(ValueError) as info:
        leaky(digest)
    assert scan_frames(info.value, {"signature": [digest]}, caller="<nowhere>")


# ------------------------------------------------------------------------------- API errors
SYNC_FAILURES: dict[str, tuple[Callable[[], FakeK2], Callable[[K2], Any], type[K2Error]]] = {
    "stk_push 400": (
        lambda: FakeK2(error(400), token=TOKEN),
        lambda k2: k2.stk_push(**STK),
        K2ValidationError,
    ),
    "stk_push 503 (ambiguous)": (
        lambda: FakeK2(error(503), token=TOKEN),
        lambda k2: k2.stk_push(**STK),
        K2AmbiguousOutcomeError,
    ),
    "get 404": (
        lambda: FakeK2(error(404), token=TOKEN),
        lambda k2: k2.get("https://sandbox.kopokopo.com/api/v1/incoming_payments/abc"),
        K2NotFoundError,
    ),
    "token refused": (
        lambda: FakeK2(token_replies=[error(401)], token=TOKEN),
        lambda k2: k2.stk_push(**STK),
        K2AuthError,
    ),
    "token timed out": (
        lambda: FakeK2(
            token_replies=[raises(httpx.ReadTimeout("slow"))] * 5,
            token=TOKEN,
        ),
        lambda k2: k2.token(),
        K2TimeoutError,
    ),
    "revoke 400": (
        lambda: FakeK2(error(400), token=TOKEN),
        lambda k2: k2.revoke_token(),
        K2ValidationError,
    ),
    "introspect 401": (
        lambda: FakeK2(error(401), error(401), token=TOKEN),
        lambda k2: k2.introspect_token(),
        K2AuthError,
    ),
    "payment failed": (
        lambda: FakeK2(reply(200, incoming_payment("Failed", errors="Insufficient funds")), token=TOKEN),
        lambda k2: k2.wait_for("https://sandbox.kopokopo.com/api/v1/incoming_payments/abc"),
        K2PaymentFailedError,
    ),
}


@pytest.mark.parametrize("name", list(SYNC_FAILURES))
def test_sync_error_frames_hold_no_secret(name: str) -> None:
    make_server, call, expected = SYNC_FAILURES[name]
    server = make_server()
    with (
        _k2(server, poll=PollSettings(timeout=5, clock=FakeClock()), sleep=lambda s: None) as k2,
        pytest.raises(expected) as info,
    ):
        call(k2)
    _assert_clean(info.value, _secrets(server))


async def _arun(k2: AsyncK2, name: str) -> Any:
    calls: dict[str, Callable[[], Awaitable[Any]]] = {
        "stk_push 400": lambda: k2.stk_push(**STK),
        "stk_push 503 (ambiguous)": lambda: k2.stk_push(**STK),
        "get 404": lambda: k2.get("https://sandbox.kopokopo.com/api/v1/incoming_payments/abc"),
        "token refused": lambda: k2.stk_push(**STK),
        "token timed out": k2.token,
        "revoke 400": k2.revoke_token,
        "introspect 401": k2.introspect_token,
        "payment failed": lambda: k2.wait_for("https://sandbox.kopokopo.com/api/v1/incoming_payments/abc"),
    }
    return await calls[name]()


@pytest.mark.parametrize("name", list(SYNC_FAILURES))
async def test_async_error_frames_hold_no_secret(name: str) -> None:
    make_server, _call, expected = SYNC_FAILURES[name]
    server = make_server()

    async def no_sleep(seconds: float) -> None:
        return None

    async with _ak2(server, poll=PollSettings(timeout=5, clock=FakeClock()), sleep=no_sleep) as k2:
        with pytest.raises(expected) as info:
            await _arun(k2, name)
    _assert_clean(info.value, _secrets(server))


def test_a_created_handles_wait_holds_no_secret() -> None:
    server = FakeK2(
        reply(201, headers={"Location": "https://sandbox.kopokopo.com/api/v1/incoming_payments/abc"}),
        reply(200, incoming_payment("Failed", errors="Insufficient funds")),
        token=TOKEN,
    )
    with _k2(server, poll=PollSettings(timeout=5, clock=FakeClock()), sleep=lambda s: None) as k2:
        created = k2.stk_push(**STK)
        with pytest.raises(K2PaymentFailedError) as info:
            created.wait()
    _assert_clean(info.value, _secrets(server))


# ------------------------------------------------------------------------------- webhooks
BODY = json.dumps({"topic": "buygoods_transaction_received", "id": "x"}).encode()
VALID = hmac.new(API_KEY.encode(), BODY, hashlib.sha256)
WRONG = "0" * 64


def _webhook_secrets() -> dict[str, list[str | bytes]]:
    return {"api_key": [API_KEY], "signature": [VALID.hexdigest(), VALID.digest()]}


def _client_with_key() -> K2:
    return K2(
        "client-id", CLIENT_SECRET, api_key=API_KEY, transport=httpx.MockTransport(FakeK2()), environ={}
    )


WEBHOOK_CALLS: dict[str, Callable[[], Any]] = {
    "verify_signature, wrong": lambda: verify_signature(BODY, WRONG, API_KEY),
    "verify_signature, missing": lambda: verify_signature(BODY, None, API_KEY),
    "verify_signature, two keys": lambda: verify_signature(BODY, WRONG, [API_KEY, API_KEY + "-old"]),
    "construct_event": lambda: construct_event(BODY, WRONG, API_KEY),
    "K2.construct_event": lambda: _client_with_key().construct_event(BODY, WRONG),
}


@pytest.mark.parametrize("name", list(WEBHOOK_CALLS))
def test_webhook_signature_error_frames_hold_no_key_nor_valid_signature(name: str) -> None:
    with pytest.raises(WebhookSignatureError) as info:
        WEBHOOK_CALLS[name]()
    _assert_clean(info.value, _webhook_secrets())


def test_a_receiver_refusal_holds_no_key_nor_valid_signature() -> None:
    """A receiver answers 401 and raises nothing; the error it keeps for logs is clean too."""
    receiver = WebhookReceiver(API_KEY, lambda event: None)
    answer = receiver.handle(BODY, {"X-KopoKopo-Signature": WRONG})
    assert answer.status == 401
    for text in (repr(answer), str(answer.body)):
        assert API_KEY not in text and VALID.hexdigest() not in text


async def test_an_async_receiver_refusal_holds_no_key_nor_valid_signature() -> None:
    async def handler(event: Any) -> None:
        return None

    receiver = AsyncWebhookReceiver(API_KEY, handler)
    answer = await receiver.handle(BODY, {"X-KopoKopo-Signature": WRONG})
    assert answer.status == 401
    for text in (repr(answer), str(answer.body)):
        assert API_KEY not in text and VALID.hexdigest() not in text


# ------------------------------------------------------------------------------- construction
def _refused_by_configuration(make: Callable[..., Any]) -> K2Error:
    with pytest.raises(K2Error) as info:  # plain http to a public host: refused, with the secret in hand
        make("client-id", CLIENT_SECRET, api_key=API_KEY, base_url="http://k2.example.com", environ={})
    return info.value


@pytest.mark.parametrize("make", [K2, AsyncK2, connect, async_connect], ids=lambda f: f.__name__)
def test_a_configuration_error_holds_no_credentials(make: Callable[..., Any]) -> None:
    _assert_clean(_refused_by_configuration(make), _secrets())


@pytest.mark.parametrize("make", [WebhookReceiver, AsyncWebhookReceiver], ids=lambda f: f.__name__)
def test_a_receiver_refusing_its_key_holds_no_key(make: Callable[..., Any]) -> None:
    with pytest.raises(K2Error) as info:
        make(API_KEY + "\ud800", lambda event: None)  # not valid UTF-8: refused at start-up
    _assert_clean(info.value, {"api_key": [API_KEY]})


CUSTOMER_CREATED = json.dumps(
    {
        "topic": "customer_created",
        "id": "c0ffee00-0000-4000-8000-000000000001",
        "created_at": "2026-03-01T12:00:00+03:00",
        "event": {"type": "Customer Created", "resource": {"phone_number": "+254700000009"}},
    }
).encode()


def _failing_handler(event: Any) -> None:
    raise RuntimeError("the shop's database is down")


def test_a_handler_failure_logged_by_the_receiver_holds_no_signature(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The receiver logs the handler's exception (Sentry's logging integration reports it with locals)."""
    body = CUSTOMER_CREATED
    signature = hmac.new(API_KEY.encode(), body, hashlib.sha256).hexdigest()
    receiver = WebhookReceiver(API_KEY, _failing_handler)
    with caplog.at_level("ERROR", logger="k2connect.webhooks"):
        receiver.handle(body, {"X-KopoKopo-Signature": signature})
    (record,) = [r for r in caplog.records if r.exc_info]
    assert record.exc_info is not None and record.exc_info[1] is not None
    _assert_clean(record.exc_info[1], {"api_key": [API_KEY], "signature": [signature]})


async def test_an_async_handler_failure_logged_by_the_receiver_shows_no_signature(
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = CUSTOMER_CREATED
    signature = hmac.new(API_KEY.encode(), body, hashlib.sha256).hexdigest()

    async def handler(event: Any) -> None:
        _failing_handler(event)

    receiver = AsyncWebhookReceiver(API_KEY, handler)
    with caplog.at_level("ERROR", logger="k2connect.webhooks"):
        await receiver.handle(body, {"X-KopoKopo-Signature": signature})
    (record,) = [r for r in caplog.records if r.exc_info]
    assert record.exc_info is not None and record.exc_info[1] is not None
    _assert_clean(record.exc_info[1], {"api_key": [API_KEY], "signature": [signature]})
