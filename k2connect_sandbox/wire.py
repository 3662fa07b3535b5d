"""Byte-level and value-level formats shared by responses, callbacks and webhooks.

Callbacks and webhooks are signed over their exact bytes, and the official Node and Ruby SDKs verify
by re-serialising the parsed body, so the sandbox emits what ``JSON.stringify`` would produce: compact
separators, raw UTF-8 rather than ``\\uXXXX`` escapes, ``/`` unescaped. API responses use the same
encoder so a GET body and the callback of the same resource are byte-identical.
"""

from __future__ import annotations

import json
import math
import secrets
import string
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = [
    "InvalidJson",
    "JsonDict",
    "amount_number",
    "decimal_of",
    "dumps",
    "loads",
    "money",
    "mpesa_code",
    "new_id",
]

JsonDict = dict[str, Any]

_CODE_ALPHABET = string.ascii_uppercase + string.digits


class InvalidJson(ValueError):
    """The bytes are not a JSON document the sandbox accepts."""


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON, as K2 sends it."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def _reject_constant(name: str) -> Any:
    raise InvalidJson(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 parses to inf, which no amount may be
        raise InvalidJson(f"number {text[:20]} is out of range")
    return value


def loads(raw: bytes) -> Any:
    """Parse a request body strictly: UTF-8, no NaN/Infinity, finite numbers only."""
    try:
        text = raw.decode("utf-8")
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except InvalidJson:
        raise
    # ValueError also covers integers past Python's 4300-digit conversion limit.
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InvalidJson("request body is not valid JSON") from exc


def new_id() -> str:
    return str(uuid.uuid4())


def mpesa_code(prefix: str = "S") -> str:
    """A 10-character M-PESA style transaction code such as ``SJK4XT7Q2B``."""
    return prefix + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10 - len(prefix)))


def decimal_of(value: Any) -> Decimal | None:
    """An amount sent as number or numeric string, as a Decimal (None if it is neither)."""
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def money(value: Any) -> str:
    """Render an amount the way K2 results do: ``"100.0"``, ``"1.0"``, ``"99.5"``, ``"10.25"``."""
    amount = decimal_of(value)
    if amount is None:
        return "0.0"
    text = f"{amount.normalize():f}"
    return text if "." in text else f"{text}.0"


def amount_number(value: Any) -> int | float:
    """An amount as a JSON number, as K2 echoes request amounts (``780``, ``10.5``)."""
    amount = decimal_of(value)
    if amount is None:
        return 0
    return int(amount) if amount == amount.to_integral_value() else float(amount)
