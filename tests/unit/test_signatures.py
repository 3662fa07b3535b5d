"""Tests for k2connect_ext.webhooks._signatures: K2's HMAC-SHA256 webhook signature."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import logging
import random
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from k2connect_ext._exceptions import K2WebhookError, WebhookSignatureError
from k2connect_ext.webhooks._signatures import (
    SIGNATURE_HEADER,
    compute_signature,
    verify_request_headers,
    verify_signature,
)
from tests.fixtures import absent_params, fixtures_present, missing_fixtures, signature_files

KEY = "test-api-key-0123456789"
OTHER_KEY = "another-api-key-9876543210"
BODY = b'{"topic":"buygoods_transaction_received","id":"2133dbfb-24b9-40fc-ae57-2d7559785760"}'
GOOD_SIG = compute_signature(BODY, KEY)


def _vectors() -> list[Any]:
    """One pytest.param per (vector file, known signature); a skipped placeholder without fixtures."""
    if not fixtures_present():
        return absent_params(3)
    params = []
    for path in signature_files():
        vector = json.loads(path.read_text(encoding="utf-8"))
        # body_base64 is authoritative: it is the exact signed bytes, with no JSON string decoding.
        body = base64.b64decode(vector["body_base64"], validate=True)
        assert hashlib.sha256(body).hexdigest() == vector["body_sha256"], path.name
        stem = path.name.removesuffix(".signature.json")
        for i, known in enumerate(vector["known_signatures"]):
            params.append(pytest.param(body, known["key"], known["signature"], id=f"{stem}-{i}"))
    return params


VECTORS = _vectors()


def _flip_positions(length: int) -> list[int]:
    """First, last, middle and a few seeded-random byte positions of a body of ``length`` bytes."""
    rng = random.Random(length)
    return sorted({0, length - 1, length // 2, *rng.sample(range(length), min(length, 5))})


# --- fixture vectors ------------------------------------------------------------------------------


def test_fixture_vectors_are_present() -> None:
    """The shared fixture directory, when present, holds at least one signature vector."""
    if not fixtures_present():
        missing_fixtures()
    assert signature_files()


@pytest.mark.parametrize(("body", "key", "signature"), VECTORS)
def test_fixture_vector_verifies(body: bytes, key: str, signature: str) -> None:
    """Each published test vector verifies and compute_signature reproduces it exactly."""
    verify_signature(body, signature, key)
    assert compute_signature(body, key) == signature


@pytest.mark.parametrize(("body", "key", "signature"), VECTORS)
def test_fixture_vector_fails_with_any_byte_changed(body: bytes, key: str, signature: str) -> None:
    """Changing any single byte of a vector's body (first, last, sampled others) breaks verification."""
    for position in _flip_positions(len(body)):
        tampered = bytearray(body)
        tampered[position] ^= 0x01
        with pytest.raises(WebhookSignatureError, match="does not match"):
            verify_signature(bytes(tampered), signature, key)


@pytest.mark.parametrize(("body", "key", "signature"), VECTORS)
def test_fixture_vector_fails_with_last_hex_digit_changed(body: bytes, key: str, signature: str) -> None:
    """Changing the signature's last hex digit breaks verification."""
    last = "0" if signature[-1] != "0" else "1"
    with pytest.raises(WebhookSignatureError, match="does not match"):
        verify_signature(body, signature[:-1] + last, key)


# --- compute_signature ----------------------------------------------------------------------------


def test_compute_signature_is_lowercase_hex_hmac_sha256() -> None:
    """compute_signature matches a known HMAC-SHA256 (RFC 4231 test case 2) in lowercase hex."""
    expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert compute_signature(b"what do ya want for nothing?", "Jefe") == expected


def test_compute_signature_rejects_str_body() -> None:
    """compute_signature refuses a str body, explaining that raw bytes are needed."""
    with pytest.raises(TypeError, match=r"raw|exact bytes"):
        compute_signature(BODY.decode(), KEY)  # type: ignore[arg-type]


@pytest.mark.parametrize("key", ["", None, "key\ud800"])
def test_compute_signature_rejects_unusable_key(key: str) -> None:
    """compute_signature refuses an empty, missing or non-UTF-8 key, chaining no error that quotes it."""
    with pytest.raises(ValueError, match="non-empty") as info:
        compute_signature(BODY, key)
    assert info.value.__context__ is None


# --- verify_signature: successes ------------------------------------------------------------------


def test_valid_signature_passes() -> None:
    """A signature computed with the configured key verifies."""
    verify_signature(BODY, GOOD_SIG, KEY)


def test_key_rotation_second_key_matches() -> None:
    """With several keys configured, a body signed with the second one verifies."""
    verify_signature(BODY, compute_signature(BODY, OTHER_KEY), [KEY, OTHER_KEY])
    verify_signature(BODY, compute_signature(BODY, OTHER_KEY), (KEY, OTHER_KEY))


def test_key_rotation_compares_every_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every key is compared even when the first one matches (no early exit)."""
    calls: list[bool] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append(real(a, b))
        return calls[-1]

    monkeypatch.setattr(hmac, "compare_digest", spy)
    verify_signature(BODY, GOOD_SIG, [KEY, OTHER_KEY, "third-key"])
    assert calls == [True, False, False]


def test_uppercase_and_surrounding_whitespace_tolerated() -> None:
    """Upper-case hex and whitespace around the header value still verify."""
    verify_signature(BODY, f"  {GOOD_SIG.upper()}\t\r\n", KEY)


def test_bytes_signature_and_bytearray_body_accepted() -> None:
    """A bytes header value (raw ASGI) and a bytearray/memoryview body verify."""
    verify_signature(BODY, GOOD_SIG.encode(), KEY)
    verify_signature(bytearray(BODY), GOOD_SIG, KEY)
    verify_signature(memoryview(BODY), GOOD_SIG, KEY)


def test_empty_body_can_be_signed() -> None:
    """An empty body is still just bytes: its signature verifies."""
    verify_signature(b"", compute_signature(b"", KEY), KEY)


# --- verify_signature: one test per failure mode --------------------------------------------------


def test_missing_header_fails() -> None:
    """A missing header (None) is refused."""
    with pytest.raises(WebhookSignatureError, match="missing"):
        verify_signature(BODY, None, KEY)


@pytest.mark.parametrize("value", ["", "   ", b"", "\t\n"])
def test_empty_header_fails(value: str | bytes) -> None:
    """An empty or whitespace-only header is refused."""
    with pytest.raises(WebhookSignatureError, match=r"empty .*header"):
        verify_signature(BODY, value, KEY)


@pytest.mark.parametrize("key", [None, ""])
def test_missing_key_fails(key: str | None) -> None:
    """No key (None or empty string) fails closed, even for a header that would otherwise be checked."""
    with pytest.raises(WebhookSignatureError, match=r"no API key|empty"):
        verify_signature(BODY, GOOD_SIG, key)  # type: ignore[arg-type]


@pytest.mark.parametrize("keys", [[], (), set()])
def test_empty_key_list_fails(keys: list[str]) -> None:
    """An empty collection of keys fails closed."""
    with pytest.raises(WebhookSignatureError, match=r"list of API keys .* empty"):
        verify_signature(BODY, GOOD_SIG, keys)


def test_empty_key_inside_list_fails() -> None:
    """An empty key among valid ones (an unset environment variable) fails closed."""
    with pytest.raises(WebhookSignatureError, match="empty"):
        verify_signature(BODY, GOOD_SIG, [KEY, ""])


@pytest.mark.parametrize("key", [b"bytes-key", 12345, [b"bytes-key"], [KEY, None]])
def test_non_str_key_fails(key: object) -> None:
    """Keys that are not str (bytes, numbers, None inside a list) fail closed."""
    with pytest.raises(WebhookSignatureError, match="must be"):
        verify_signature(BODY, GOOD_SIG, key)  # type: ignore[arg-type]


def test_key_not_utf8_encodable_fails() -> None:
    """A key holding a lone surrogate fails closed, with no exception chain quoting it."""
    with pytest.raises(WebhookSignatureError, match="UTF-8") as info:
        verify_signature(BODY, GOOD_SIG, "key\ud800")
    assert info.value.__context__ is None
    assert info.value.__cause__ is None


@pytest.mark.parametrize("value", [GOOD_SIG[:-1], GOOD_SIG + "0", GOOD_SIG * 2, "abc"])
def test_malformed_wrong_length_fails(value: str) -> None:
    """A header that is not exactly 64 characters long is malformed."""
    with pytest.raises(WebhookSignatureError, match="expected 64 hex characters"):
        verify_signature(BODY, value, KEY)


@pytest.mark.parametrize(
    "value",
    [
        "g" + GOOD_SIG[1:],
        "sha256=" + GOOD_SIG[7:],
        GOOD_SIG[:32] + " " + GOOD_SIG[33:],
        "٣" + GOOD_SIG[1:],  # a non-ASCII digit, which str.isdigit() would accept
        b"\xff" + GOOD_SIG[1:].encode(),
    ],
)
def test_malformed_non_hex_fails(value: str | bytes) -> None:
    """A 64-character header that is not hexadecimal is malformed."""
    with pytest.raises(WebhookSignatureError, match="not hexadecimal"):
        verify_signature(BODY, value, KEY)


@pytest.mark.parametrize("value", [123, ["a"], 1.5])
def test_non_text_header_fails(value: object) -> None:
    """A header value that is neither str nor bytes is refused."""
    with pytest.raises(WebhookSignatureError, match="not text"):
        verify_signature(BODY, value, KEY)  # type: ignore[arg-type]


def test_wrong_key_fails() -> None:
    """A well-formed signature made with another key does not match."""
    with pytest.raises(WebhookSignatureError, match="does not match"):
        verify_signature(BODY, compute_signature(BODY, OTHER_KEY), KEY)


def test_wrong_signature_fails() -> None:
    """A well-formed but wrong signature does not match, under every configured key."""
    with pytest.raises(WebhookSignatureError, match="does not match"):
        verify_signature(BODY, "ab" * 32, [KEY, OTHER_KEY])


@pytest.mark.parametrize("body", [BODY.decode(), json.loads(BODY), None, 42])
def test_non_bytes_body_fails_explaining_raw_bytes(body: object) -> None:
    """A str, dict or other non-bytes body is refused with a hint to pass the raw bytes."""
    with pytest.raises(WebhookSignatureError, match="raw request bytes") as info:
        verify_signature(body, GOOD_SIG, KEY)  # type: ignore[arg-type]
    assert "request.body" in str(info.value)


def test_error_is_a_webhook_error_and_value_error() -> None:
    """WebhookSignatureError can be caught as K2WebhookError or ValueError."""
    with pytest.raises(WebhookSignatureError) as info:
        verify_signature(BODY, None, KEY)
    assert isinstance(info.value, K2WebhookError)
    assert isinstance(info.value, ValueError)


# Each failure mode with the message it must produce distinctly from the others.
FAILURES: dict[str, Callable[[], None]] = {
    "str body": lambda: verify_signature(BODY.decode(), GOOD_SIG, KEY),  # type: ignore[arg-type]
    "missing header": lambda: verify_signature(BODY, None, KEY),
    "empty header": lambda: verify_signature(BODY, " ", KEY),
    "missing key": lambda: verify_signature(BODY, GOOD_SIG, None),  # type: ignore[arg-type]
    "empty key": lambda: verify_signature(BODY, GOOD_SIG, ""),
    "empty key list": lambda: verify_signature(BODY, GOOD_SIG, []),
    "non-str key": lambda: verify_signature(BODY, GOOD_SIG, [KEY, 1]),  # type: ignore[list-item]
    "wrong length": lambda: verify_signature(BODY, GOOD_SIG[:-1], KEY),
    "non-hex": lambda: verify_signature(BODY, "z" + GOOD_SIG[1:], KEY),
    "wrong key": lambda: verify_signature(BODY, GOOD_SIG, OTHER_KEY),
    "conflicting headers": lambda: verify_request_headers(
        BODY, {SIGNATURE_HEADER: GOOD_SIG, "x-kopokopo-signature": "ab" * 32}, KEY
    ),
}


def test_each_failure_mode_has_a_distinct_message() -> None:
    """Every failure mode produces its own message, so logs say what went wrong."""
    messages = {}
    for name, fail in FAILURES.items():
        with pytest.raises(WebhookSignatureError) as info:
            fail()
        messages[name] = str(info.value)
    assert len(set(messages.values())) == len(messages), messages


@pytest.mark.parametrize("mode", list(FAILURES))
def test_errors_never_leak_key_or_signature(mode: str, caplog: pytest.LogCaptureFixture) -> None:
    """Messages, reprs, args, chained exceptions and logs never contain a key or the correct signature."""
    caplog.set_level(logging.DEBUG)
    secrets = [KEY, OTHER_KEY, GOOD_SIG, GOOD_SIG.upper(), compute_signature(BODY, OTHER_KEY), "ab" * 32]
    with pytest.raises(WebhookSignatureError) as info:
        FAILURES[mode]()
    error = info.value
    texts = [str(error), repr(error), *map(str, error.args), caplog.text, str(vars(error))]
    chained = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    if chained is not None:
        texts += [str(chained), repr(chained)]
    for secret in secrets:
        for text in texts:
            assert secret not in text
            assert secret[:16] not in text


# --- verify_request_headers -----------------------------------------------------------------------


def _django_headers(meta: Mapping[str, str]) -> Any:
    """Django's request.headers built from a WSGI environ (skips when Django is absent)."""
    http_request = pytest.importorskip("django.http.request")
    return http_request.HttpHeaders(meta)


def _flask_headers(meta: Mapping[str, str]) -> Any:
    """Flask/Werkzeug's request.headers built from a WSGI environ (skips when Werkzeug is absent)."""
    datastructures = pytest.importorskip("werkzeug.datastructures")
    return datastructures.EnvironHeaders(dict(meta))


def _starlette_headers(meta: Mapping[str, str]) -> Any:
    """Starlette's request.headers (skips when Starlette is absent)."""
    datastructures = pytest.importorskip("starlette.datastructures")
    return datastructures.Headers(raw=[(b"x-kopokopo-signature", meta["HTTP_X_KOPOKOPO_SIGNATURE"].encode())])


HEADER_SHAPES: dict[str, Callable[[str], Any]] = {
    "dict canonical": lambda sig: {SIGNATURE_HEADER: sig, "Content-Type": "application/json"},
    "dict lower": lambda sig: {"x-kopokopo-signature": sig},
    "dict upper": lambda sig: {"X-KOPOKOPO-SIGNATURE": sig},
    "httpx": lambda sig: httpx.Headers({"x-KopoKopo-signature": sig}),
    "django META": lambda sig: {"HTTP_X_KOPOKOPO_SIGNATURE": sig, "CONTENT_LENGTH": "10"},
    "django headers": lambda sig: _django_headers({"HTTP_X_KOPOKOPO_SIGNATURE": sig}),
    "flask headers": lambda sig: _flask_headers({"HTTP_X_KOPOKOPO_SIGNATURE": sig}),
    "starlette headers": lambda sig: _starlette_headers({"HTTP_X_KOPOKOPO_SIGNATURE": sig}),
}


@pytest.mark.parametrize("shape", list(HEADER_SHAPES))
def test_request_headers_found_in_every_shape(shape: str) -> None:
    """The header is found case-insensitively in dicts, httpx, Django, Flask and Starlette headers."""
    verify_request_headers(BODY, HEADER_SHAPES[shape](GOOD_SIG), KEY)
    with pytest.raises(WebhookSignatureError, match="does not match"):
        verify_request_headers(BODY, HEADER_SHAPES[shape]("00" * 32), KEY)


def test_request_headers_missing() -> None:
    """Headers without the signature are refused as a missing header."""
    with pytest.raises(WebhookSignatureError, match="missing"):
        verify_request_headers(BODY, {"Content-Type": "application/json"}, KEY)


def test_request_headers_conflicting_duplicates_fail() -> None:
    """Two signature headers with different values are ambiguous and refused."""
    headers = {SIGNATURE_HEADER: GOOD_SIG, "x-kopokopo-signature": compute_signature(BODY, OTHER_KEY)}
    with pytest.raises(WebhookSignatureError, match="different values"):
        verify_request_headers(BODY, headers, [KEY, OTHER_KEY])


def test_request_headers_identical_duplicates_pass() -> None:
    """Repeated signature headers with the same value are accepted."""
    verify_request_headers(BODY, {SIGNATURE_HEADER: GOOD_SIG, "x-kopokopo-signature": GOOD_SIG}, KEY)


def test_request_headers_repeated_httpx_header_fails_closed() -> None:
    """httpx joins repeated headers with a comma, which is then malformed (fail closed)."""
    headers = httpx.Headers([(SIGNATURE_HEADER, GOOD_SIG), (SIGNATURE_HEADER, GOOD_SIG)])
    with pytest.raises(WebhookSignatureError, match="malformed"):
        verify_request_headers(BODY, headers, KEY)


def test_request_headers_non_str_names_ignored() -> None:
    """Non-str keys (as a WSGI environ may hold) are skipped rather than crashing."""
    headers: dict[Any, Any] = {1: "x", ("a",): "y", "HTTP_X_KOPOKOPO_SIGNATURE": GOOD_SIG}
    verify_request_headers(BODY, headers, KEY)


# --- properties -----------------------------------------------------------------------------------

ANY_TEXT = st.text(st.characters(exclude_categories=[]), max_size=80)  # includes lone surrogates
HEXISH = st.text(alphabet="0123456789abcdefABCDEF \t", min_size=60, max_size=68)


@given(
    body=st.binary(max_size=2048), signature=st.one_of(st.none(), ANY_TEXT, HEXISH, st.binary(max_size=80))
)
def test_random_input_only_raises_signature_error(body: bytes, signature: str | bytes | None) -> None:
    """Random bodies and header values either verify or raise WebhookSignatureError, nothing else."""
    with contextlib.suppress(WebhookSignatureError):
        verify_signature(body, signature, KEY)


@given(body=st.binary(max_size=512), key=ANY_TEXT)
def test_random_keys_only_raise_signature_error(body: bytes, key: str) -> None:
    """Random (even empty or non-UTF-8) keys never raise anything but WebhookSignatureError."""
    with contextlib.suppress(WebhookSignatureError):
        verify_signature(body, GOOD_SIG, key)


@given(body=st.binary(max_size=4096), key=st.text(min_size=1, max_size=64), upper=st.booleans())
def test_correct_signature_always_verifies(body: bytes, key: str, upper: bool) -> None:
    """A correctly computed signature always verifies, in either case."""
    signature = compute_signature(body, key)
    verify_signature(body, signature.upper() if upper else signature, key)
    verify_request_headers(body, {"x-kopokopo-signature": signature}, ["unrelated-key", key])
