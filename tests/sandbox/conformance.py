"""Check responses against the OpenAPI documents: the K2 spec for /oauth and /api, the control spec
for /sandbox. Installed as an httpx response hook on every test client, so every response any test
receives is checked, not only the ones a test looks at."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx
from rfc3986_validator import validate_rfc3986  # type: ignore[import-untyped]

from k2connect_sandbox.operations import MethodNotAllowed, OperationIndex
from k2connect_sandbox.spec import control_spec, k2_spec
from k2connect_sandbox.validation import SchemaSet

_K2 = (OperationIndex(k2_spec()), SchemaSet(k2_spec(), "urn:test:k2"))
_CONTROL = (OperationIndex(control_spec()), SchemaSet(control_spec(), "urn:test:control"))
# Not in the K2 spec, yet correct: what a server answers a method the path does not support.
_UNDOCUMENTED_OK = {405}


class NonconformingError(AssertionError):
    pass


def problems(method: str, url: str, status: int, headers: httpx.Headers, body: bytes) -> list[str]:
    """Everything wrong with this response according to the spec (empty list: it conforms)."""
    path = urlsplit(url).path
    index, schemas = _CONTROL if path.startswith("/sandbox/") else _K2
    found = index.match(method, path)
    if found is None or isinstance(found, MethodNotAllowed):
        return [] if status in (404, 405) else [f"{method} {path}: no operation, yet status {status}"]
    operation = found.operation
    spec = operation.response(status)
    where = f"{operation.operation_id} {status}"
    if spec is None:
        return [] if status in _UNDOCUMENTED_OK else [f"{where}: status not documented"]
    issues: list[str] = []
    for name, header in spec.headers.items():
        value = headers.get(name)
        if value is None:
            if header.get("required"):
                issues.append(f"{where}: missing required header {name}")
            continue
        schema = header.get("schema", {})
        if schema.get("format") == "uri" and not validate_rfc3986(value, rule="URI"):
            issues.append(f"{where}: header {name}={value!r} is not a URI")
        if schema.get("type") == "integer" and not value.isdigit():
            issues.append(f"{where}: header {name}={value!r} is not an integer")
    if spec.schema_pointer is None:
        if body:
            issues.append(f"{where}: body {body[:60]!r} where the spec has none")
        return issues
    media = headers.get("content-type", "").split(";")[0].strip()
    if media != "application/json":
        return [*issues, f"{where}: content type {media!r}, not application/json"]
    try:
        parsed: Any = json.loads(body)
    except ValueError:
        return [*issues, f"{where}: body is not JSON: {body[:60]!r}"]
    return issues + [f"{where}: {p}" for p in schemas.errors(spec.schema_pointer, parsed)]


def check(response: httpx.Response) -> None:
    issues = problems(
        response.request.method,
        str(response.request.url),
        response.status_code,
        response.headers,
        response.content,
    )
    if issues:
        raise NonconformingError("; ".join(issues))


def sync_hook(response: httpx.Response) -> None:
    response.read()
    check(response)


async def async_hook(response: httpx.Response) -> None:
    await response.aread()
    check(response)
