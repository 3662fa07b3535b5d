"""The operations of an OpenAPI document, and matching a request (method + path) to one of them.

Routing comes from the spec's ``paths`` rather than a hand-written route table, so every operation of
the spec is served and nothing else is. A trailing slash is accepted on every path because the
official SDKs disagree on it (Python wants ``https://host/`` + ``api/v1/...``, Node no slash), and runs
of slashes count as one, as Rails routing squeezes them (K2's OAuth answers are Doorkeeper's, so K2 is
very likely a Rails app): the Ruby SDK 4.x joins its base URL ``https://host/`` with
``/api/v2/payment_links`` and so requests ``//api/v2/payment_links``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from k2connect_sandbox.validation import escape_pointer

__all__ = ["MethodNotAllowed", "Operation", "OperationIndex", "ResponseSpec", "RouteMatch"]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SLASHES = re.compile("/{2,}")


@dataclass(frozen=True)
class ResponseSpec:
    """One documented response: the JSON-pointer of its JSON body schema (if any) and its headers."""

    status: str
    schema_pointer: str | None
    headers: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    pattern: re.Pattern[str] = field(repr=False)
    request_schemas: dict[str, str]  # media type -> JSON pointer of the body schema
    request_required: bool
    responses: dict[str, ResponseSpec]
    needs_bearer: bool

    def response(self, status: int) -> ResponseSpec | None:
        return self.responses.get(str(status)) or self.responses.get(f"{str(status)[0]}XX")


@dataclass(frozen=True)
class RouteMatch:
    operation: Operation
    params: dict[str, str]


@dataclass(frozen=True)
class MethodNotAllowed:
    allowed: tuple[str, ...]


def _compile(path: str) -> re.Pattern[str]:
    regex = ""
    last = 0
    for found in _PARAM.finditer(path):
        regex += re.escape(path[last : found.start()]) + f"(?P<{found.group(1)}>[^/]+)"
        last = found.end()
    regex += re.escape(path[last:].rstrip("/"))
    return re.compile(f"{regex}/?")  # used with fullmatch: "$" would also accept a trailing newline


def _deref(document: dict[str, Any], node: Any, pointer: str) -> tuple[Any, str]:
    """Follow a local ``$ref`` (one level is all the spec uses for responses) and track the pointer."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        pointer = node["$ref"][1:]
        node = document
        for token in pointer.strip("/").split("/"):
            node = node[token.replace("~1", "/").replace("~0", "~")]
    return node, pointer


class OperationIndex:
    """All operations of ``document['paths']``, looked up by operationId or by method + path."""

    def __init__(self, document: dict[str, Any]) -> None:
        self._operations: list[Operation] = []
        global_security = document.get("security", [])
        for path, item in (document.get("paths") or {}).items():
            for method in _METHODS:
                raw = item.get(method)
                if not isinstance(raw, dict):
                    continue
                base = f"/paths/{escape_pointer(path)}/{method}"
                self._operations.append(self._operation(document, path, method, raw, base, global_security))
        self.by_id: dict[str, Operation] = {op.operation_id: op for op in self._operations}

    @staticmethod
    def _operation(
        document: dict[str, Any], path: str, method: str, raw: dict[str, Any], base: str, global_security: Any
    ) -> Operation:
        request_schemas: dict[str, str] = {}
        request_required = False
        body, body_pointer = _deref(document, raw.get("requestBody"), f"{base}/requestBody")
        if isinstance(body, dict):
            request_required = bool(body.get("required"))
            for media in body.get("content") or {}:
                request_schemas[media] = f"{body_pointer}/content/{escape_pointer(media)}/schema"
        responses: dict[str, ResponseSpec] = {}
        for status, response in (raw.get("responses") or {}).items():
            resolved, pointer = _deref(document, response, f"{base}/responses/{escape_pointer(str(status))}")
            content = resolved.get("content") or {}
            schema_pointer = (
                f"{pointer}/content/application~1json/schema" if "application/json" in content else None
            )
            headers = {
                name: _deref(document, spec, "")[0] for name, spec in (resolved.get("headers") or {}).items()
            }
            responses[str(status)] = ResponseSpec(str(status), schema_pointer, headers)
        security = raw.get("security", global_security) or []
        return Operation(
            operation_id=str(raw.get("operationId") or f"{method}_{path}"),
            method=method.upper(),
            path=path,
            pattern=_compile(path),
            request_schemas=request_schemas,
            request_required=request_required,
            responses=responses,
            needs_bearer=any(bool(requirement) for requirement in security),
        )

    def __iter__(self) -> Iterator[Operation]:
        return iter(self._operations)

    def __len__(self) -> int:
        return len(self._operations)

    def match(self, method: str, path: str) -> RouteMatch | MethodNotAllowed | None:
        """The operation for ``method path``; MethodNotAllowed if only the method is wrong; else None.

        ``//`` counts as ``/`` anywhere in ``path`` (see the module docstring).
        """
        path = _SLASHES.sub("/", path)
        allowed: list[str] = []
        for op in self._operations:
            found = op.pattern.fullmatch(path)
            if found is None:
                continue
            if op.method == method.upper():
                return RouteMatch(op, found.groupdict())
            allowed.append(op.method)
        return MethodNotAllowed(tuple(dict.fromkeys(allowed))) if allowed else None
