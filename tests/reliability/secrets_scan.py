"""Walk everything reachable from an exception and report where a secret is.

"Reachable" is what a logger, an error tracker or a curious caller can get at without a debugger: the
message (``str``/``repr``), ``args``, every attribute (``__dict__`` and ``__slots__``, recursively through
containers and objects such as an ``httpx.Request`` and its headers), ``__notes__``, and the whole
``__cause__`` / ``__context__`` chain with the same treatment. Tracebacks are left out: their frames hold
the caller's own variables (the client, its settings), which no exception can be asked to hide.

A secret counts wherever it appears: as text, as bytes, URL-encoded (a form body) or JSON-escaped.
"""

from __future__ import annotations

import contextlib
import json
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = ["Finding", "scan_exception"]

_MAX_NODES = 50_000
_MAX_DEPTH = 16
# Things that hold no data of the exception's own, and whose attributes lead into the whole program.
_OPAQUE = (
    type,
    types.ModuleType,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    types.CodeType,
    types.FrameType,
    types.TracebackType,
    types.GeneratorType,
    types.CoroutineType,
)


@dataclass(frozen=True)
class Finding:
    """``label`` (e.g. ``client_secret``) was found at ``where`` (e.g. ``exc.__cause__.request.headers``)."""

    label: str
    where: str

    def __str__(self) -> str:
        return f"{self.label} at {self.where}"


def _variants(secret: str) -> set[str]:
    return {secret, quote_plus(secret), quote(secret, safe=""), json.dumps(secret)[1:-1]}


def scan_exception(exc: BaseException, secrets: Mapping[str, Iterable[str]]) -> list[Finding]:
    """Every place a secret is reachable from ``exc``; an empty list means clean.

    Args:
        exc: the raised exception.
        secrets: label -> the secret values under that label (several tokens may have been issued).
    """
    needles = [
        (label, variant)
        for label, values in secrets.items()
        for value in values
        if value
        for variant in _variants(value)
    ]
    findings: dict[tuple[str, str], Finding] = {}
    seen: set[int] = set()
    stack: list[tuple[Any, str, int]] = [(exc, "exc", 0)]
    nodes = 0

    def check(text: str, where: str) -> None:
        for label, needle in needles:
            if needle in text:
                findings.setdefault((label, where), Finding(label, where))

    while stack and nodes < _MAX_NODES:
        obj, where, depth = stack.pop()
        nodes += 1
        if isinstance(obj, str):
            check(obj, where)
            continue
        if isinstance(obj, bytes | bytearray | memoryview):
            check(bytes(obj).decode("latin-1"), where)
            continue
        if obj is None or isinstance(obj, (bool, int, float, complex, *_OPAQUE)):
            continue
        if id(obj) in seen or depth > _MAX_DEPTH:
            continue
        seen.add(id(obj))
        children: list[tuple[Any, str]] = []
        if isinstance(obj, BaseException):
            check(_safe_text(str, obj), f"str({where})")
            check(_safe_text(repr, obj), f"repr({where})")
            children += [(arg, f"{where}.args[{i}]") for i, arg in enumerate(obj.args)]
            children += [(obj.__cause__, f"{where}.__cause__"), (obj.__context__, f"{where}.__context__")]
            children.append((getattr(obj, "__notes__", None), f"{where}.__notes__"))
        if isinstance(obj, Mapping):
            for key, value in list(obj.items()):
                children += [(key, f"{where}.keys()"), (value, f"{where}[{key!r}]")]
        elif isinstance(obj, list | tuple | set | frozenset):
            children += [(item, f"{where}[{i}]") for i, item in enumerate(list(obj))]
        children += [(value, f"{where}.{name}") for name, value in _attributes(obj)]
        stack.extend((child, path, depth + 1) for child, path in reversed(children))
    return list(findings.values())


def _attributes(obj: Any) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    with contextlib.suppress(TypeError):  # no __dict__
        found += list(vars(obj).items())
    for cls in type(obj).__mro__:
        slots = cls.__dict__.get("__slots__", ())
        for name in (slots,) if isinstance(slots, str) else slots:
            if name in ("__dict__", "__weakref__"):
                continue
            try:
                found.append((name, getattr(obj, name)))
            except AttributeError:
                continue
    return found


def _safe_text(render: Any, obj: BaseException) -> str:
    try:
        return str(render(obj))
    except Exception as exc:  # a broken __str__ hides nothing; say so rather than crash the scan
        return f"<unrenderable: {type(exc).__name__}>"
