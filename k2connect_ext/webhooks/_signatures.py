"""Verify the ``X-KopoKopo-Signature`` header that K2 puts on webhooks and callback results.

K2 signs the request body with HMAC-SHA256, keyed with the application's API key (not the client
secret), and sends the lowercase hex digest. Verification must hash the *raw* bytes as received:
the official Node and Ruby SDKs hash a re-serialisation of the parsed JSON, which only matches when
K2 happens to send compact JSON in the same key order and escaping.

Every failure raises :class:`~k2connect_ext.WebhookSignatureError` (fail closed), with a
message that names the failure but never the received signature, the expected one, or the key:
webhook errors end up in access logs and error trackers, and an expected signature in a log would
let anyone who reads it forge that exact request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Collection, Iterable
from typing import Protocol

from k2connect_ext._exceptions import WebhookSignatureError
from k2connect_ext._sealed import sealed

__all__ = [
    "SIGNATURE_HEADER",
    "ApiKeys",
    "HasApiKey",
    "HeaderItems",
    "RawBody",
    "WebhookKeys",
    "compute_signature",
    "verify_request_headers",
    "verify_signature",
    "webhook_keys",
]

SIGNATURE_HEADER = "X-KopoKopo-Signature"

# What frameworks hand over as a raw body; all of them hash identically.
RawBody = bytes | bytearray | memoryview

# Header names compared after lower-casing and mapping "_" to "-", so that WSGI/Django META keys
# ("HTTP_X_KOPOKOPO_SIGNATURE") and every capitalisation of the real header match.
_HEADER_NAMES = frozenset({"x-kopokopo-signature", "http-x-kopokopo-signature"})

# ASCII-only on purpose: ``\d`` or str.isdigit() would also accept non-ASCII digits.
_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")
_HEX_LENGTH = 64

_RAW_BYTES_HINT = (
    "the signature covers the exact bytes K2 sent, so verify before decoding or parsing the JSON "
    "(Starlette/FastAPI: await request.body(); Flask: request.get_data(); Django: request.body)"
)


class HeaderItems(Protocol):
    """Anything with ``items()`` yielding (name, value): dict, httpx/Starlette/Django headers, Flask's.

    Werkzeug's ``Headers`` is not a ``Mapping``, hence a protocol rather than ``Mapping[str, str]``.
    """

    def items(self) -> Iterable[tuple[str, str]]: ...


def compute_signature(body: RawBody, api_key: str) -> str:
    """The signature K2 sends with ``body``: to sign test bodies, or to check one by hand.

    Args:
        body: the raw body bytes.
        api_key: the application's API key.

    Returns:
        The lowercase hex HMAC-SHA256 of ``body`` keyed with ``api_key`` (UTF-8), as K2 sends it.

    Raises:
        TypeError: ``body`` is not bytes.
        ValueError: ``api_key`` is empty, not a str, or not valid UTF-8.
    """
    if not isinstance(body, RawBody):
        raise TypeError(f"body must be bytes, got {type(body).__name__}: {_RAW_BYTES_HINT}")
    key = _utf8_or_none(api_key) if isinstance(api_key, str) else None
    if not key:  # raised outside any except block, so no chained error quotes the key
        raise ValueError("api_key must be a non-empty str that is valid UTF-8")
    return hmac.new(key, body, hashlib.sha256).hexdigest()


@sealed  # its frames hold the key and the valid HMAC of a forged body: reporters must not print them
def verify_signature(
    body: RawBody,
    signature: str | bytes | None,
    api_key: ApiKeys | WebhookKeys,
) -> None:
    """Check ``signature`` (the header value) against ``body``, in constant time.

    Upper-case hex and surrounding whitespace in the header are tolerated.

    Args:
        body: the request's raw body, the exact bytes K2 sent (never re-serialised JSON).
        signature: the ``X-KopoKopo-Signature`` header's value (bytes too, as in raw ASGI headers), or None
            when it is missing.
        api_key: one key, or several during a key rotation (pass both the new and the old key: the body
            passes if it was signed with any of them), or a ``K2`` / ``AsyncK2`` client, which stands for
            its own ``api_key``.

    Raises:
        WebhookSignatureError: the signature is missing, malformed or wrong, the body is not bytes, or there
            is no usable key (fail closed). Answer 401. The message never holds a signature or a key.
    """
    if not isinstance(body, RawBody):
        raise WebhookSignatureError(
            f"webhook body must be the raw request bytes, not {type(body).__name__}: {_RAW_BYTES_HINT}"
        )
    # Keys are checked before the header so a misconfigured server fails on every request, loudly,
    # rather than only on the requests that happen to carry a well-formed header.
    keys = webhook_keys(api_key).encoded
    received = _parse_signature(signature)
    matched = False
    for key in keys:
        expected = hmac.new(key, body, hashlib.sha256).digest()
        # No early exit: every key is compared, so the time taken does not reveal which key matched.
        matched |= hmac.compare_digest(expected, received)
    if not matched:
        raise WebhookSignatureError(
            f"{SIGNATURE_HEADER} does not match the body (wrong API key, altered body, "
            "or body re-serialised before verification)"
        )


@sealed
def verify_request_headers(body: RawBody, headers: HeaderItems, api_key: ApiKeys | WebhookKeys) -> None:
    """Find the signature header in ``headers`` (any capitalisation, or Django's META key) and verify it.

    Works with a plain dict, ``httpx.Headers``, Starlette's ``request.headers``, Flask's
    ``request.headers``, Django's ``request.headers`` and ``request.META``.
    """
    verify_signature(body, _find_signature(headers), api_key)


class HasApiKey(Protocol):
    """An object that carries the application's API key: ``K2`` and ``AsyncK2`` do."""

    @property
    def api_key(self) -> str | None: ...


ApiKeys = str | Collection[str] | HasApiKey
"""One key, several during a key rotation, or a client whose ``api_key`` to use."""


class WebhookKeys:
    """API keys checked once and encoded, ready to verify with. Never shows the keys in its repr."""

    __slots__ = ("encoded",)

    def __init__(self, encoded: tuple[bytes, ...]) -> None:
        self.encoded = encoded

    def __repr__(self) -> str:
        return f"WebhookKeys({len(self.encoded)} key{'s' if len(self.encoded) != 1 else ''})"


def webhook_keys(api_key: ApiKeys | WebhookKeys | None) -> WebhookKeys:
    """The one check of webhook API keys, for every entry point (functions, receivers, adapters).

    api_key is user configuration, often read from the environment: an unset variable shows up here as
    None or "", and an HMAC under an empty key is forgeable by anyone, so it is refused (fail closed).

    Raises:
        WebhookSignatureError: no key, an empty key, a key that is not a str or not valid UTF-8.
    """
    if isinstance(api_key, WebhookKeys):
        return api_key
    if api_key is None:
        raise WebhookSignatureError("no API key configured for webhook signature verification")
    candidates: Iterable[object]
    if isinstance(api_key, str):
        candidates = (api_key,)
    elif isinstance(api_key, Collection) and not isinstance(api_key, bytes | bytearray):
        candidates = tuple(api_key)  # a copy: a list the caller mutates later cannot change the keys
    elif hasattr(api_key, "api_key"):
        own = api_key.api_key
        if own is None:
            raise WebhookSignatureError(
                "this client has no API key: pass api_key= (or set K2_API_KEY) to verify webhooks"
            )
        candidates = (own,)
    else:
        raise WebhookSignatureError(
            f"API key must be a str or a collection of str, not {type(api_key).__name__}"
        )
    keys: list[bytes] = []
    for key in candidates:
        if not isinstance(key, str):
            raise WebhookSignatureError(f"API keys must be str, not {type(key).__name__}")
        if not key:
            raise WebhookSignatureError("the API key for webhook signature verification is empty")
        encoded = _utf8_or_none(key)
        # Raised outside any except block: a UnicodeEncodeError in __context__ would quote the key.
        if encoded is None:
            raise WebhookSignatureError("an API key for webhook signature verification is not valid UTF-8")
        keys.append(encoded)
    if not keys:
        raise WebhookSignatureError("the list of API keys for webhook signature verification is empty")
    return WebhookKeys(tuple(keys))


def _utf8_or_none(text: str) -> bytes | None:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return None


def _parse_signature(signature: object) -> bytes:
    if signature is None:
        raise WebhookSignatureError(f"missing {SIGNATURE_HEADER} header")
    if isinstance(signature, bytes | bytearray):
        # Non-ASCII bytes become U+FFFD and then fail the hex check below, with no exception chain.
        signature = bytes(signature).decode("ascii", "replace")
    if not isinstance(signature, str):
        raise WebhookSignatureError(f"{SIGNATURE_HEADER} header is not text")
    text = signature.strip()
    if not text:
        raise WebhookSignatureError(f"empty {SIGNATURE_HEADER} header")
    if len(text) != _HEX_LENGTH:
        raise WebhookSignatureError(
            f"malformed {SIGNATURE_HEADER} header: expected {_HEX_LENGTH} hex characters, got {len(text)}"
        )
    if not _HEX_DIGEST.fullmatch(text):
        raise WebhookSignatureError(f"malformed {SIGNATURE_HEADER} header: not hexadecimal")
    # Compare raw digests rather than hex strings, which makes the comparison case-insensitive.
    return bytes.fromhex(text)


def _find_signature(headers: HeaderItems) -> str | None:
    values: list[str] = []
    for name, value in headers.items():
        if isinstance(name, str) and name.strip().lower().replace("_", "-") in _HEADER_NAMES:
            values.append(value)
    if not values:
        return None
    # Two different values (e.g. a dict holding both "X-KopoKopo-Signature" and a lower-case copy)
    # are ambiguous: refuse rather than pick one.
    if any(value != values[0] for value in values[1:]):
        raise WebhookSignatureError(f"several {SIGNATURE_HEADER} headers with different values")
    return values[0]
