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
    "MAX_DEPTH",
    "InvalidJsonError",
    "JsonDict",
    "amount_number",
    "decimal_of",
    "describe_invalid",
    "dumps",
    "loads",
    "money",
    "mpesa_code",
    "new_id",
]

JsonDict = dict[str, Any]

_CODE_ALPHABET = string.ascii_uppercase + string.digits


class InvalidJsonError(ValueError):
    """The bytes are not a JSON document the sandbox accepts.

    ``field`` is set when the document parsed but one place in it is unusable; the message then is a
    whole sentence naming that place, fit to answer as is.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def describe_invalid(exc: InvalidJsonError) -> str:
    """The 400 message for ``exc``: its own sentence when it names a field, else "not valid JSON"."""
    return str(exc) if exc.field is not None else f"The request body is not valid JSON ({exc})"


# Far deeper than any K2 body (four or five levels), far shallower than the recursion limit that
# validation, storage and encoding would otherwise hit one by one, each as a 500.
MAX_DEPTH = 64


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON, as K2 sends it."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def _reject_constant(name: str) -> Any:
    raise InvalidJsonError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 parses to inf, which no amount may be
        raise InvalidJsonError(f"number {text[:20]} is out of range")
    return value


def loads(raw: bytes) -> Any:
    """Parse a request body strictly: UTF-8, no NaN/Infinity, finite numbers only, every string valid
    Unicode, at most ``MAX_DEPTH`` levels deep."""
    try:
        text = raw.decode("utf-8")
        value = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except InvalidJsonError:
        raise
    except RecursionError:
        raise InvalidJsonError(f"request body is nested too deeply (more than {MAX_DEPTH} levels)") from None
    # ValueError also covers integers past Python's 4300-digit conversion limit.
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidJsonError("request body is not valid JSON") from exc
    _check_document(value)
    return value


def _check_document(value: Any) -> None:
    """Refuse what parses but cannot be kept: lone surrogates, and nesting past ``MAX_DEPTH``.

    JSON's grammar allows an escape such as ``"\\ud800"`` on its own, which decodes to a lone UTF-16
    surrogate: a Python str, but not Unicode. Stored, it would make every later response that includes
    it fail to encode (a 500 on each GET of the resource, of the ledger, and a lost callback), so it is
    a 400 now, naming the field. Iterative, so a deep document cannot overflow the stack here either.
    """
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        if len(path) > MAX_DEPTH:
            raise InvalidJsonError(
                f"{_field(path[:MAX_DEPTH])} is nested too deeply (more than {MAX_DEPTH} levels)",
                _field(path[:MAX_DEPTH]),
            )
        if isinstance(node, str):
            if not _is_unicode(node):
                raise InvalidJsonError(
                    f"{_field(path)} is not valid Unicode: {_surrogate(node)}", _field(path)
                )
        elif isinstance(node, dict):
            for key, item in node.items():
                if not _is_unicode(key):
                    raise InvalidJsonError(
                        f"{_field(path)} has a key that is not valid Unicode ({ascii(key)[:40]}): "
                        f"{_surrogate(key)}",
                        _field(path),
                    )
                stack.append((item, (*path, key)))
        elif isinstance(node, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(node))


def _is_unicode(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _surrogate(text: str) -> str:
    bad = next(char for char in text if 0xD800 <= ord(char) <= 0xDFFF)
    return f"\\u{ord(bad):04x} is half of a UTF-16 surrogate pair, sent without its other half"


def _field(path: tuple[str | int, ...]) -> str:
    # The same spelling as validation.field_name (not imported: validation pulls in jsonschema).
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "request body"


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
