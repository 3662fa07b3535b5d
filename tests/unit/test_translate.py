"""K2's error answers and httpx's transport failures become the SDK's exceptions, without secrets."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from k2connect_ext._exceptions import (
    K2AmbiguousOutcomeError,
    K2APIError,
    K2AuthError,
    K2ConnectionError,
    K2NotFoundError,
    K2RateLimitError,
    K2ServerError,
    K2TimeoutError,
    K2ValidationError,
)
from k2connect_ext._translate import (
    ambiguous_outcome_error,
    raise_for_status,
    reconcile_hint,
    redact_secrets,
    safe_url,
    translate_transport_error,
)

URL = "https://sandbox.kopokopo.com/api/v1/incoming_payments"
TOKEN = "Bearer tok-9d2f-never-in-errors"


def answer(status: int, *, method: str = "POST", url: str = URL, **kwargs: Any) -> httpx.Response:
    """A response to a request that carried a bearer token, as K2OAuth sends them."""
    request = httpx.Request(method, url, headers={"Authorization": TOKEN}, json={"client_secret": "s"})
    return httpx.Response(status, request=request, **kwargs)


# K2's own samples (shared/k2-fixtures/error_api_400_incoming_payment_invalid_phone.json and
# error_api_500_stub.json), inlined so the tests do not depend on a directory outside the repository.
INVALID_PHONE = {"error_code": 400, "error_message": "Subscriber phone number is an invalid number"}
STUB_500 = {"error_message": "internal server error"}


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, K2ValidationError),
        (422, K2ValidationError),
        (401, K2AuthError),
        (403, K2AuthError),
        (404, K2NotFoundError),
        (429, K2RateLimitError),
        (500, K2ServerError),
        (502, K2ServerError),
        (503, K2ServerError),
        (405, K2APIError),
        (406, K2APIError),
        (410, K2APIError),
        (418, K2APIError),
    ],
)
def test_status_maps_to_its_error_class(status: int, error_class: type[K2APIError]) -> None:
    """Each status raises its own class (and exactly that class), carrying the status and request."""
    with pytest.raises(K2APIError) as info:
        raise_for_status(answer(status, json={"error_code": status, "error_message": "no"}))
    assert type(info.value) is error_class
    assert (info.value.status_code, info.value.method, info.value.url) == (status, "POST", URL)
    assert (info.value.error_code, info.value.error_message) == (status, "no")


@pytest.mark.parametrize("status", [200, 201, 204, 302, 399])
def test_success_and_redirects_do_not_raise(status: int) -> None:
    """Below 400 nothing is raised."""
    raise_for_status(answer(status))


def test_message_uses_k2_error_text() -> None:
    """The message quotes K2's error_message with status, reason, method and URL."""
    body = INVALID_PHONE
    with pytest.raises(K2ValidationError) as info:
        raise_for_status(answer(400, json=body))
    assert str(info.value) == (
        "K2 answered 400 Bad Request: Subscriber phone number is an invalid number "
        "(POST https://sandbox.kopokopo.com/api/v1/incoming_payments)"
    )
    assert info.value.body == body


def test_stub_500_body_without_code() -> None:
    """K2's 500 stub has error_message only: error_code stays None."""
    with pytest.raises(K2ServerError) as info:
        raise_for_status(answer(500, json=STUB_500))
    assert info.value.error_code is None
    assert str(info.value).startswith("K2 answered 500 Internal Server Error: internal server error (")


def test_oauth_error_body() -> None:
    """OAuth's {error, error_description} fills error_code and error_message."""
    body = {"error": "invalid_client", "error_description": "Client authentication failed"}
    with pytest.raises(K2AuthError) as info:
        raise_for_status(answer(401, url="https://sandbox.kopokopo.com/oauth/token", json=body))
    assert (info.value.error_code, info.value.error_message) == (
        "invalid_client",
        "Client authentication failed",
    )


def test_oauth_error_without_description_uses_the_code() -> None:
    """With only ``error``, the message shows that code."""
    with pytest.raises(K2AuthError, match=r"401 Unauthorized: invalid_token \("):
        raise_for_status(answer(401, json={"error": "invalid_token"}))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"text": "<html><body>502 Bad Gateway from nginx, Authorization: Bearer x</body></html>"},
        {"content": b"\xff\xfe\x00"},
        {"content": b""},
        {"json": ["a", "list"]},
        {"json": {"error_code": True, "error_message": 42}},
    ],
)
def test_unparseable_bodies_are_tolerated(kwargs: dict[str, Any]) -> None:
    """Non-JSON, empty, non-object or oddly typed bodies give a status-only message; no raw text is quoted."""
    with pytest.raises(K2ServerError) as info:
        raise_for_status(answer(502, **kwargs))
    assert str(info.value) == f"K2 answered 502 Bad Gateway (POST {URL})"
    assert info.value.error_code is None
    assert info.value.error_message is None


def test_long_messages_are_shortened() -> None:
    """A runaway error_message is cut in the exception text (the attribute keeps it whole)."""
    with pytest.raises(K2ValidationError) as info:
        raise_for_status(answer(400, json={"error_message": "x" * 1000}))
    assert len(str(info.value)) < 400
    assert info.value.error_message == "x" * 1000


@pytest.mark.parametrize(("status", "error_class"), [(429, K2RateLimitError), (503, K2ServerError)])
def test_retry_after_is_carried(status: int, error_class: type[K2RateLimitError | K2ServerError]) -> None:
    """429 and 5xx carry Retry-After in seconds; absent means None."""
    with pytest.raises(error_class) as info:
        raise_for_status(answer(status, headers={"Retry-After": "42"}))
    assert isinstance(info.value, K2RateLimitError | K2ServerError)
    assert info.value.retry_after == 42.0
    with pytest.raises(error_class) as info:
        raise_for_status(answer(status))
    assert isinstance(info.value, K2RateLimitError | K2ServerError)
    assert info.value.retry_after is None


def test_no_request_headers_or_secrets_in_the_error() -> None:
    """The Authorization header, cookies and credential keys of the body never reach the exception."""
    response = answer(
        400,
        url=URL + "?token=abc",
        headers={"Set-Cookie": "session=1", "X-Request-Id": "r1"},
        json={"error_message": "bad", "token": "tok-9d2f", "nested": [{"client_secret": "s"}]},
    )
    with pytest.raises(K2ValidationError) as info:
        raise_for_status(response)
    error = info.value
    dump = repr(vars(error)) + str(error) + repr(error.args)
    assert "tok-9d2f" not in dump
    assert "token=abc" not in dump
    assert "session=1" not in dump
    assert error.headers["x-request-id"] == "r1"
    assert error.body == {"error_message": "bad", "nested": [{}]}


def test_response_without_request() -> None:
    """A hand-built response (no request attached) still maps, with no method or URL."""
    with pytest.raises(K2NotFoundError) as info:
        raise_for_status(httpx.Response(404))
    assert str(info.value) == "K2 answered 404 Not Found"
    assert info.value.method is None


def test_unread_streaming_body_is_treated_as_empty() -> None:
    """raise_for_status does not read a streamed body (it cannot know sync from async)."""

    class Stream(httpx.SyncByteStream):
        def __iter__(self) -> Any:  # pragma: no cover - must not be read
            yield b'{"error_message": "never read"}'

    with pytest.raises(K2ServerError) as info:
        raise_for_status(answer(500, stream=Stream()))
    assert info.value.body is None


# --- Transport errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "error_class"),
    [
        (httpx.ConnectTimeout("timed out"), K2TimeoutError),
        (httpx.ReadTimeout("timed out"), K2TimeoutError),
        (httpx.WriteTimeout("timed out"), K2TimeoutError),
        (httpx.PoolTimeout("timed out"), K2TimeoutError),
        (httpx.ConnectError("[Errno 111] Connection refused"), K2ConnectionError),
        (httpx.ReadError(""), K2ConnectionError),
        (httpx.RemoteProtocolError("peer closed"), K2ConnectionError),
    ],
)
def test_translate_transport_error(exc: httpx.TransportError, error_class: type[K2ConnectionError]) -> None:
    """Timeouts become K2TimeoutError, other failures K2ConnectionError, naming the request sans query."""
    request = httpx.Request("GET", URL + "?phone=2547", headers={"Authorization": TOKEN})
    error = translate_transport_error(exc, request)
    assert type(error) is error_class
    assert (error.method, error.url) == ("GET", URL)
    assert str(error).endswith(f"(GET {URL})")
    assert type(exc).__name__ in str(error)
    assert "2547" not in str(error)
    assert TOKEN not in str(error)


def test_translate_transport_error_finds_the_request_on_the_exception() -> None:
    """Without an explicit request, the one httpx attached to the exception is used; with none, no label."""
    exc = httpx.ConnectError("refused", request=httpx.Request("POST", URL))
    assert translate_transport_error(exc).url == URL
    bare = translate_transport_error(httpx.ConnectError("refused"))
    assert str(bare) == "Could not reach K2: ConnectError: refused"
    assert bare.method is None


def test_ambiguous_outcome_error_describes_the_request() -> None:
    """The ambiguous error names method and URL and keeps the body minus credentials."""
    request = httpx.Request(
        "POST", URL + "?x=1", json={"amount": 1, "token": "t", "_links": {"callback_url": "https://cb"}}
    )
    error = ambiguous_outcome_error(
        request, reason="ReadTimeout while waiting for it", secrets=("t0psecret",)
    )
    assert (error.method, error.url, error.callback_url) == ("POST", URL, "https://cb")
    assert error.request_body == {"amount": 1, "_links": {"callback_url": "https://cb"}}
    assert error.status_code is None and error.location is None
    assert "ReadTimeout" in str(error)
    assert error.hint is not None and "https://cb" in error.hint


def test_ambiguous_outcome_error_names_status_location_and_scrubs_secrets() -> None:
    """A status and a Location are carried; a known secret echoed in the body is redacted everywhere."""
    request = httpx.Request(
        "POST", URL, json={"note": "key=t0psecret", "_links": {"callback_url": "https://cb"}}
    )
    error = ambiguous_outcome_error(
        request, reason="a redirect", status_code=302, location="https://x/y", secrets=("t0psecret",)
    )
    assert error.status_code == 302
    assert error.location == "https://x/y"
    assert error.hint is not None and error.hint.startswith("GET https://x/y")
    assert "t0psecret" not in repr(error.request_body) and "t0psecret" not in str(error)
    assert error.operation == f"POST {httpx.URL(URL).path}"


def test_ambiguous_outcome_error_is_not_a_connection_error() -> None:
    """``except K2ConnectionError: retry`` must never catch an outcome that may have moved money."""
    from k2connect_ext import K2Error

    assert not issubclass(K2AmbiguousOutcomeError, K2ConnectionError)
    assert K2AmbiguousOutcomeError.__bases__ == (K2Error,)


# --- Helpers --------------------------------------------------------------------------------------------


def test_safe_url_drops_query_fragment_and_userinfo() -> None:
    """Query strings, fragments and user:password never appear in messages."""
    assert safe_url(httpx.URL("https://user:pw@host:8443/a/b?q=1#frag")) == "https://host:8443/a/b"


def test_redact_secrets_at_any_depth() -> None:
    """Credential keys are removed wherever they are, case-insensitively; other values are kept."""
    value = {"Client_Secret": 1, "a": [{"access_token": 2, "b": 3}, "x"], "refresh_token": 4, "c": None}
    assert redact_secrets(value) == {"a": [{"b": 3}, "x"], "c": None}


# ----------------------------------------------------------------------------------------------------
# Error translation: secrets are scrubbed from every value of an error body, lists included.


SECRET = "tok-5e3c-never-in-errors"


def test_a_known_secret_is_scrubbed_from_lists_in_an_error_body() -> None:
    """K2 (or a proxy) echoing the token inside a list of errors: the body attached to the exception has
    it replaced in every item, nested or not, and other values are kept as they came."""
    request = httpx.Request("POST", "https://sandbox.kopokopo.com/api/v1/payments")
    body = {"error_message": "bad", "errors": [f"token {SECRET} invalid", {"hint": [SECRET]}, 7, None]}
    response = httpx.Response(400, request=request, json=body)
    with pytest.raises(K2ValidationError) as caught:
        raise_for_status(response, secrets=[SECRET])
    assert caught.value.body == {
        "error_message": "bad",
        "errors": ["token [redacted] invalid", {"hint": ["[redacted]"]}, 7, None],
    }


@pytest.mark.parametrize(
    ("path", "polled"),
    [
        ("/api/v2/incoming_payments", True),
        ("/api/v1/incoming_payments", True),
        ("/api/v2/send_money", False),
        ("/api/v1/payments", False),
        ("/api/v3/unknown", False),
    ],
)
def test_the_reconcile_hint_offers_polling_where_the_spec_says_it_finds_the_transaction(
    path: str, polled: bool
) -> None:
    hint = reconcile_hint(path, "https://shop.example.com/k2/result", None)
    assert ("poll_transactions" in hint) is polled
    assert "https://shop.example.com/k2/result" in hint
