"""Checks run before a request leaves the machine, with one clear error per bad input.

These are the rules Kopo Kopo's own SDKs enforce in their validators, normalised so that a request the SDK
accepts is one K2 accepts: Kenyan phone numbers in every written form, the spec's currencies (KES),
settlement methods (EFT/RTS), event types and scopes (till vs company webhook scopes), at most 5 metadata
pairs, https callback URLs (plain http only to loopback, where the local sandbox posts). A fixed set of
values is the generated client's (its ``*_VALUES`` set), and the validator returns the generated Literal type.
Each failure raises ``K2InputError`` naming the field, so web forms can show the message beside the input.

Every value is checked for its type too (``first_name=123`` is refused, not sent as a JSON number), and
every string for what JSON or K2 cannot carry: lone surrogates (not encodable as UTF-8, so the body could not
even be built) and control characters (newlines and tabs only in free text such as an SMS message).
Metadata must be JSON that K2 and JavaScript read back unchanged; see ``validate_metadata``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Set
from decimal import Decimal, InvalidOperation
from typing import Any, Final, TypeGuard, TypeVar
from urllib.parse import urlsplit

from k2connect_client.models.amount_currency import AMOUNT_CURRENCY_VALUES, AmountCurrency
from k2connect_client.models.bank_account_recipient_settlement_method import (
    BANK_ACCOUNT_RECIPIENT_SETTLEMENT_METHOD_VALUES,
    BankAccountRecipientSettlementMethod,
)
from k2connect_client.models.webhook_subscription_request_scope import (
    WEBHOOK_SUBSCRIPTION_REQUEST_SCOPE_VALUES,
    WebhookSubscriptionRequestScope,
)
from k2connect_client.models.webhook_v1_event_type import WEBHOOK_V1_EVENT_TYPE_VALUES, WebhookV1EventType
from k2connect_client.models.webhook_v2_event_type import WEBHOOK_V2_EVENT_TYPE_VALUES, WebhookV2EventType

from k2connect_ext._exceptions import K2InputError
from k2connect_ext._loopback import is_loopback_host
from k2connect_ext._topics import (
    DARAJA_EVENTS,
    EVENT_TYPES_BY_VERSION,
    TILL_SCOPE_EVENTS,
    WEBHOOK_EVENT_TYPES,
)

__all__ = [
    "either",
    "is_one_of",
    "validate_amount",
    "validate_currency",
    "validate_email",
    "validate_metadata",
    "validate_name",
    "validate_network",
    "validate_phone",
    "validate_required",
    "validate_settlement_method",
    "validate_subscription",
    "validate_text",
    "validate_url",
    "validate_v1_event_type",
    "validate_v2_event_type",
]

# Safaricom's 07xx and the newer 01xx series (K2's Python SDK dropped a check that rejected 01xx).
# [0-9], not \d: \d also matches other scripts' digits, which K2 refuses.
_LOCAL_MOBILE = re.compile(r"^0([17][0-9]{8})$")
_INTERNATIONAL_MOBILE = re.compile(r"^(?:\+|00)?254([17][0-9]{8})$")
# The characters RFC 3986 allows in a URI (K2's callback URLs are `format: uri`): no spaces, controls,
# non-ASCII or <>"{}|\^` characters.
_URI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_CENTS = Decimal("0.01")
# What a phone or URL field takes, for the errors given to a value of another type.
_PHONE_WANTED: Final = 'a string, like "+254712345678"'
_URL_WANTED: Final = 'a string: an https URL K2 can reach, like "https://example.com/k2/result"'

S = TypeVar("S", bound=str)


def is_one_of(value: object, allowed: Set[S]) -> TypeGuard[S]:
    """Whether ``value`` is one of ``allowed``: a generated ``*_VALUES`` set narrows it to that Literal.

    Anything but a string is not (and is never hashed: a list would make the set lookup raise).
    """
    return isinstance(value, str) and value in allowed


def either(values: Set[str]) -> str:
    """The values for a message, sorted: ``"KES"``, ``"EFT or RTS"``, ``"a, b or c"``."""
    ordered = sorted(values)
    return ordered[0] if len(ordered) == 1 else f"{', '.join(ordered[:-1])} or {ordered[-1]}"


def _quoted(values: Set[str]) -> str:
    """The values as Python strings for a message, sorted: ``'"EFT" or "RTS"'``."""
    return either({f'"{value}"' for value in values})


MAX_METADATA_PAIRS: Final = 5
# Bounds of our own (K2 documents none): generous for real use, small enough that a runaway value is caught
# here rather than as a 400 (or worse, an ambiguous timeout) from K2.
MAX_METADATA_KEY_LENGTH: Final = 100
MAX_METADATA_VALUE_LENGTH: Final = 1000
MAX_METADATA_BYTES: Final = 8 * 1024  # the whole object as compact UTF-8 JSON
# JavaScript (and so any JSON reader K2's dashboard may use) reads integers beyond 2^53 inexactly.
MAX_METADATA_NUMBER: Final = 2**53
MAX_NAME_LENGTH: Final = 200
MAX_TEXT_LENGTH: Final = 4000
MAX_EMAIL_LENGTH: Final = 254  # RFC 5321's path limit

# C0 and C1 controls and DEL. Free text may keep tab, newline and carriage return.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROLS_EXCEPT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# A pragmatic addr-spec: one @, a local part and a dotted domain, no whitespace, controls, quotes or brackets.
_EMAIL = re.compile(r"[^@\s\"(),:;<>\[\]\\]{1,64}@(?:[^@\s\"(),:;<>\[\]\\.]+\.)+[^@\s\"(),:;<>\[\]\\.]+")


def _check_characters(value: str, field: str, *, multiline: bool = False) -> None:
    # A lone surrogate (from a bad "\ud800" escape or a mis-decoded file) cannot be encoded as UTF-8: the
    # request body could not be built, after the point where the SDK says a request was sent.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise K2InputError(f"{field} contains an invalid character (a lone surrogate)", field=field) from None
    if (_CONTROLS_EXCEPT_LINES if multiline else _CONTROLS).search(value):
        raise K2InputError(f"{field} contains a control character", field=field)


def _not_a_string(value: object, field: str, wanted: str, *, number_loses: str | None = None) -> K2InputError:
    """The error for a value that is not a string: "required" for ``None``, else the type wanted and given.

    ``wanted`` describes what the field takes (``'a string, like "+254712345678"'``); ``number_loses``
    says what a number cannot hold, for fields a number is a tempting (and lossy) way to write.
    """
    if value is None:
        return K2InputError(f"{field} is required: {wanted}", field=field)
    given = type(value).__name__
    is_number = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    why = f": {number_loses} cannot be kept in a number" if number_loses and is_number else ""
    return K2InputError(f"{field} must be {wanted} (not {given}{why})", field=field)


def _text(value: object, field: str, *, max_length: int, multiline: bool) -> str:
    """The stripped text, possibly empty; refuses non-strings, over-long text and bad characters."""
    if value is None:
        raise K2InputError(f"{field} is required", field=field)
    if not isinstance(value, str):
        raise K2InputError(f"{field} must be a string, not {type(value).__name__}", field=field)
    text = value.strip()
    if len(text) > max_length:
        raise K2InputError(f"{field} is longer than {max_length} characters", field=field)
    _check_characters(text, field, multiline=multiline)
    return text


def validate_text(
    value: str | None,
    field: str,
    *,
    required: bool = True,
    max_length: int = MAX_TEXT_LENGTH,
    multiline: bool = False,
) -> str | None:
    """A string, stripped, of at most ``max_length`` characters, with no control characters.

    ``multiline`` free text (an SMS message, a note) may hold tabs and line breaks. Not ``required``:
    ``None`` and blank strings mean "not given" and return ``None``.
    """
    if value is None and not required:
        return None
    text = _text(value, field, max_length=max_length, multiline=multiline)
    if not text:
        if required:
            raise K2InputError(f"{field} is required", field=field)
        return None
    return text


def validate_required(value: str | None, field: str, *, multiline: bool = False) -> str:
    """A non-blank string, stripped, without control characters."""
    text = _text(value, field, max_length=MAX_TEXT_LENGTH, multiline=multiline)
    if not text:
        raise K2InputError(f"{field} is required", field=field)
    return text


def validate_name(value: str | None, field: str) -> str:
    """A required name (person, till, paybill, account): a one-line string; ``first_name=123`` is refused."""
    text = _text(value, field, max_length=MAX_NAME_LENGTH, multiline=False)
    if not text:
        raise K2InputError(f"{field} is required", field=field)
    return text


def validate_email(value: str | None, field: str = "email", *, required: bool = False) -> str | None:
    """An e-mail address checked for syntax: one @, a local part, a domain with a dot, no spaces or controls.

    Deliverability is not checked (K2 does not either); blank means not given unless ``required``.
    """
    text = validate_text(value, field, required=required, max_length=MAX_EMAIL_LENGTH)
    if text is not None and not _EMAIL.fullmatch(text):
        raise K2InputError(f"{field} is not an e-mail address", field=field)
    return text


def validate_phone(value: str | None, field: str = "phone_number", *, plus: bool = True) -> str:
    """Normalise a Kenyan mobile number written as 07…, 01…, 2547…, +2547…, 002547… (spaces/dashes ok).

    Returns ``+2547XXXXXXXX`` (STK push, recipients) or, with ``plus=False``, ``2547XXXXXXXX`` (send money
    destinations, which K2 matches against ``^254\\d{9}$``).
    """
    if not isinstance(value, str):
        raise _not_a_string(value, field, _PHONE_WANTED, number_loses="a leading 0 or +")
    if not value.strip():
        raise K2InputError(f"{field} is required: {_PHONE_WANTED}", field=field)
    compact = re.sub(r"[\s\-()]", "", value)
    match = _LOCAL_MOBILE.match(compact) or _INTERNATIONAL_MOBILE.match(compact)
    if match is None:
        raise K2InputError(
            f"{field} is not a Kenyan mobile number (expected 07XXXXXXXX, 01XXXXXXXX, 2547XXXXXXXX or "
            "+2547XXXXXXXX)",
            field=field,
        )
    return ("+254" if plus else "254") + match.group(1)


def validate_currency(value: str, field: str = "currency") -> AmountCurrency:
    """The spec's currency (K2 moves Kenyan shillings only), any case."""
    if not isinstance(value, str):
        raise _not_a_string(value, field, f"the string {_quoted(AMOUNT_CURRENCY_VALUES)}")
    code = value.strip().upper()
    if not is_one_of(code, AMOUNT_CURRENCY_VALUES):
        raise K2InputError(
            f"{field} must be {either(AMOUNT_CURRENCY_VALUES)} (K2 supports no other)", field=field
        )
    return code


def validate_amount(value: Decimal | int | str | float, field: str = "amount") -> Decimal:
    """A positive amount with at most 2 decimal places, as an exact Decimal (floats go through str())."""
    if isinstance(value, bool):
        raise K2InputError(f"{field} must be a number, not a boolean", field=field)
    if not isinstance(value, Decimal | int | str | float):  # str() of anything else is no amount
        raise K2InputError(
            f"{field} is not a number (a {type(value).__name__}, not a number or numeric string)", field=field
        )
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise K2InputError(f"{field} is not a number", field=field) from None
    if not amount.is_finite() or amount <= 0:
        raise K2InputError(f"{field} must be greater than zero", field=field)
    try:
        cents = amount.quantize(_CENTS)
    except InvalidOperation:  # more digits than Decimal's precision: no real amount of shillings
        raise K2InputError(f"{field} is too large", field=field) from None
    if amount != cents:
        raise K2InputError(f"{field} has more than 2 decimal places", field=field)
    # 1.100 is 1.10: never written with more than 2 decimals (K2's pattern is ^[0-9]+(\.[0-9]{1,2})?$).
    exponent = amount.as_tuple().exponent
    return cents if isinstance(exponent, int) and exponent < -2 else amount


def validate_settlement_method(
    value: str, field: str = "settlement_method"
) -> BankAccountRecipientSettlementMethod:
    """EFT (next business day) or RTS (real time), any case: the spec's settlement methods."""
    if not isinstance(value, str):
        raise _not_a_string(
            value, field, f"the string {_quoted(BANK_ACCOUNT_RECIPIENT_SETTLEMENT_METHOD_VALUES)}"
        )
    method = value.strip().upper()
    if not is_one_of(method, BANK_ACCOUNT_RECIPIENT_SETTLEMENT_METHOD_VALUES):
        raise K2InputError(
            f"{field} must be {either(BANK_ACCOUNT_RECIPIENT_SETTLEMENT_METHOD_VALUES)}", field=field
        )
    return method


def validate_network(value: str, field: str = "network") -> str:
    """Safaricom is the only mobile network K2 pays to (any case accepted, sent as K2 spells it)."""
    if not isinstance(value, str):
        raise _not_a_string(value, field, 'the string "Safaricom"')
    if value.strip().lower() != "safaricom":
        raise K2InputError(f"{field} must be Safaricom", field=field)
    return "Safaricom"


def validate_metadata(value: Mapping[str, Any] | None, field: str = "metadata") -> dict[str, Any] | None:
    """At most 5 pairs that K2 can store and echo back unchanged, checked before anything is sent.

    * keys: non-empty strings of at most 100 characters, no control characters;
    * values: ``None``, booleans, strings (at most 1000 characters, no control characters or lone
      surrogates), or finite ``int``/``float`` within +-2^53 (beyond that JavaScript readers lose digits,
      and ``10**5000`` cannot even be written). Nested objects and lists are refused: the spec's Metadata
      holds scalars only, and K2 echoes flat pairs. ``Decimal`` is refused rather than guessed at: pass
      ``str(amount)`` to keep every digit, or ``float(amount)`` for a JSON number;
    * the whole object, as compact UTF-8 JSON, at most 8 KiB.

    A bad value is named by its key (``field="metadata.<key>"``).
    """
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise K2InputError(f"{field} must be a mapping of up to 5 pairs", field=field)
    if len(value) > MAX_METADATA_PAIRS:
        raise K2InputError(
            f"{field} has {len(value)} pairs; K2 accepts at most {MAX_METADATA_PAIRS}", field=field
        )
    checked: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not key.strip():
            raise K2InputError(f"{field} keys must be non-empty strings", field=field)
        if len(key) > MAX_METADATA_KEY_LENGTH:
            raise K2InputError(
                f"{field} keys must be at most {MAX_METADATA_KEY_LENGTH} characters", field=field
            )
        _check_characters(key, field)
        checked[key] = _metadata_value(item, f"{field}.{key}")
    encoded = json.dumps(checked, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    if len(encoded.encode("utf-8")) > MAX_METADATA_BYTES:
        raise K2InputError(f"{field} is larger than {MAX_METADATA_BYTES} bytes as JSON", field=field)
    return checked


def _metadata_value(item: object, field: str) -> object:
    if item is None or isinstance(item, bool):
        return item
    if isinstance(item, str):
        if len(item) > MAX_METADATA_VALUE_LENGTH:
            raise K2InputError(f"{field} is longer than {MAX_METADATA_VALUE_LENGTH} characters", field=field)
        _check_characters(item, field, multiline=True)
        return item
    if isinstance(item, int):
        if abs(item) > MAX_METADATA_NUMBER:  # no str(): 10**5000 has too many digits to print
            raise K2InputError(f"{field} must be within +-2^53", field=field)
        return int(item)  # an IntEnum or other subclass is sent as its number
    if isinstance(item, float):
        if not math.isfinite(item):  # NaN/Infinity cannot be sent as JSON
            raise K2InputError(f"{field} must be a finite number", field=field)
        if abs(item) > MAX_METADATA_NUMBER:
            raise K2InputError(f"{field} must be within +-2^53", field=field)
        return float(item)
    if isinstance(item, Decimal):
        raise K2InputError(f"{field} is a Decimal: pass str(value) (exact) or float(value)", field=field)
    raise K2InputError(
        f"{field} must be a string, number, boolean or null, not {type(item).__name__}", field=field
    )


def validate_url(value: str, field: str = "callback_url") -> str:
    """An absolute https URL: where K2 POSTs the result. Plain http only to loopback (the local sandbox)."""
    if not isinstance(value, str):
        raise _not_a_string(value, field, _URL_WANTED)
    url = value.strip()
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. a malformed [IPv6] host
        parts = urlsplit("")
    if parts.scheme not in {"http", "https"} or not parts.netloc or not _URI_CHARS.fullmatch(url):
        raise K2InputError(f"{field} must be an absolute http(s) URL", field=field)
    if "@" in parts.netloc:
        # K2 would keep the password and post to it, and it would show in logs and in errors. The URL is
        # not quoted in the message for the same reason.
        raise K2InputError(
            f"{field} must not carry a user name or password (user:password@host): authenticate callbacks "
            "by their X-KopoKopo-Signature instead",
            field=field,
        )
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        # K2 posts results and webhooks over https only, to an address it can reach: a plain-http URL
        # off this machine would never get the result. The local sandbox posts to loopback, as before.
        raise K2InputError(
            f"{field} must be an https URL: K2 posts only to an https URL it can reach, and {parts.hostname} "
            "is not loopback. For local development, expose your server through a tunnel such as ngrok or "
            "cloudflared and give its https URL, or use the local sandbox (k2connect-sandbox) with a "
            "loopback URL (http://127.0.0.1, http://[::1] or http://localhost)",
            field=field,
        )
    return url


_MAX_ID_LENGTH = 128  # K2's ids are 36-character UUIDs; a URL path segment far longer is not one of them
# RFC 3986's unreserved characters: an id that needs no escaping in a path. Anything else (a slash, "?",
# "#", "%", a space, non-ASCII) would change which URL is requested.
_ID_CHARS = re.compile(r"[A-Za-z0-9._~-]+")


def validate_resource_id(value: object, field: str = "id") -> str:
    """A K2 resource id as it goes into a URL path, refused unless it can only name that resource.

    Dot segments are refused too: ``.`` and ``..`` (also when they arrive percent-encoded in a Location)
    are collapsed by URL normalisation, so ``/api/v2/payment_links/../cancel`` would become
    ``/api/v2/cancel``.
    """
    if not isinstance(value, str):
        raise K2InputError(f"{field} must be a string, not {type(value).__name__}", field=field)
    text = value.strip()
    if not text:
        raise K2InputError(f"{field} is required", field=field)
    if len(text) > _MAX_ID_LENGTH:
        raise K2InputError(
            f"{field} is {len(text)} characters long; a K2 resource id has at most {_MAX_ID_LENGTH}",
            field=field,
        )
    if not _ID_CHARS.fullmatch(text) or text in (".", ".."):
        raise K2InputError(
            f"{field} is not a K2 resource id: only letters, digits and '-', '_', '.', '~' (and not '.' or "
            "'..' alone)",
            field=field,
        )
    return text


def _event_type(value: object, allowed: Set[S], version: str | None) -> S:
    """One of the event types ``allowed`` (a generated value set), or a K2InputError listing them."""
    if not is_one_of(value, allowed):
        on = f" on {version}" if version else ""
        raise K2InputError(f"event_type{on} must be one of: {', '.join(sorted(allowed))}", field="event_type")
    return value


def validate_v1_event_type(value: object) -> WebhookV1EventType:
    """An event type a v1 subscription may name (the spec's ``WebhookV1EventType``)."""
    return _event_type(value, WEBHOOK_V1_EVENT_TYPE_VALUES, "v1")


def validate_v2_event_type(value: object) -> WebhookV2EventType:
    """An event type a v2 subscription may name (the spec's ``WebhookV2EventType``)."""
    return _event_type(value, WEBHOOK_V2_EVENT_TYPE_VALUES, "v2")


def validate_subscription(
    event_type: str,
    scope: str,
    scope_reference: str | None,
    *,
    enable_daraja_payload: bool = False,
    version: str | None = None,
) -> tuple[WebhookSubscriptionRequestScope, str | None]:
    """Scope rules: till-scoped events need a till number; company events take no reference.

    With ``version`` ("v1" or "v2") the event must be one that version can subscribe to.
    Returns the normalised ``(scope, scope_reference)``.
    """
    allowed = EVENT_TYPES_BY_VERSION.get(version, WEBHOOK_EVENT_TYPES) if version else WEBHOOK_EVENT_TYPES
    event = _event_type(event_type, allowed, version)
    checked = scope.strip().lower() if isinstance(scope, str) else ""
    if not is_one_of(checked, WEBHOOK_SUBSCRIPTION_REQUEST_SCOPE_VALUES):
        raise K2InputError(
            f"scope must be {either(WEBHOOK_SUBSCRIPTION_REQUEST_SCOPE_VALUES)}", field="scope"
        )
    if not isinstance(enable_daraja_payload, bool):
        raise K2InputError("enable_daraja_payload must be true or false", field="enable_daraja_payload")
    reference = validate_text(scope_reference, "scope_reference", required=False)
    if checked == "till":
        if event not in TILL_SCOPE_EVENTS:
            raise K2InputError(f"{event} can only be subscribed with scope company", field="scope")
        if not reference:
            raise K2InputError(
                "scope_reference (the till number) is required for scope till", field="scope_reference"
            )
    elif reference:
        raise K2InputError("scope_reference must be empty for scope company", field="scope_reference")
    if enable_daraja_payload and event not in DARAJA_EVENTS:
        raise K2InputError(
            f"enable_daraja_payload is only allowed for {either(DARAJA_EVENTS)}",
            field="enable_daraja_payload",
        )
    return checked, reference or None
