"""The spec covers the whole K2 API, and every operation has its generated module with all four callables."""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

import pytest
import yaml

from k2connect_sandbox.validation import SchemaSet
from tests.fixtures import SPEC_PATH

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def OP_IDS(value: object) -> str:
    return value if isinstance(value, str) else ""


@cache
def spec() -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return found


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in spec()["paths"].items()
        for method, op in item.items()
        if method in HTTP_METHODS
    ]


def result_schemas() -> set[str]:
    """Schemas POSTed to a callback_url (they are also the 200 body of the matching GET)."""
    items = spec()["components"]["pathItems"].values()
    return {
        item["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        for item in items
    }


def webhook_schemas() -> set[str]:
    names: set[str] = set()
    for item in spec()["webhooks"].values():
        schema = item["post"]["requestBody"]["content"]["application/json"]["schema"]
        refs = [schema] if "$ref" in schema else schema["oneOf"]
        names.update(ref["$ref"].rsplit("/", 1)[1] for ref in refs)
    return names


def test_operation_counts() -> None:
    """At least 40 operations across OAuth, v1 and v2; 11 webhook bodies; 8 callback result bodies."""
    ops = operations()
    by_tag = {tag: sum(1 for *_, op in ops if op["tags"] == [tag]) for tag in ("oauth", "v1", "v2")}
    assert len(ops) >= 40, len(ops)
    assert by_tag["oauth"] == 4 and by_tag["v1"] >= 18 and by_tag["v2"] >= 18, by_tag
    assert len(webhook_schemas()) >= 11, sorted(webhook_schemas())
    assert len(result_schemas()) >= 8, sorted(result_schemas())


@pytest.mark.parametrize(
    ("path", "method", "op"), operations(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_operation_has_generated_module(path: str, method: str, op: dict[str, Any]) -> None:
    """api/<tag>/<operationId>.py exists with sync, sync_detailed, asyncio and asyncio_detailed."""
    module = importlib.import_module(f"k2connect_client.api.{op['tags'][0]}.{op['operationId']}")
    for name in ("sync", "sync_detailed", "asyncio", "asyncio_detailed"):
        assert callable(getattr(module, name, None)), f"{op['operationId']} lacks {name}"


@pytest.mark.parametrize(
    ("path", "method", "op"), operations(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_operation_declares_security_and_errors(path: str, method: str, op: dict[str, Any]) -> None:
    """Security is declared per operation (the generator ignores a global one) and a 4xx is described."""
    assert "security" in op
    assert any(code.startswith("4") for code in op["responses"])
    if path.startswith("/api/"):
        assert op["security"] == [{"oauth2": []}]


@pytest.mark.parametrize(
    ("path", "method", "op"), [o for o in operations() if "_create_" in o[2]["operationId"]], ids=OP_IDS
)
def test_create_answers_201_with_location_and_link(path: str, method: str, op: dict[str, Any]) -> None:
    """Every create answers 201 with a Location and a link to its GET; async ones declare callbacks."""
    created = op["responses"]["201"]
    assert "Location" in created["headers"]
    (link,) = created["links"].values()
    target = link["operationId"]
    assert any(o["operationId"] == target for *_, o in operations())
    body_ref = op["requestBody"]["content"]["application/json"]["schema"].get("$ref", "")
    if body_ref:
        body = spec()["components"]["schemas"][body_ref.rsplit("/", 1)[1]]
        if "_links" in body.get("properties", {}):
            assert "callbacks" in op, f"{op['operationId']} takes a callback_url but declares no callback"


def json_responses() -> list[tuple[str, dict[str, Any]]]:
    """(where, content) of every response with a JSON body, operations and shared responses alike."""
    found = [
        (f"{method.upper()} {path} {code}", response["content"])
        for path, method, op in operations()
        for code, response in op["responses"].items()
        if "content" in response
    ]
    found += [
        (f"components/responses/{name}", response["content"])
        for name, response in spec()["components"]["responses"].items()
        if "content" in response
    ]
    return found


@pytest.mark.parametrize(
    ("where", "content"), json_responses(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_json_responses_also_declare_the_python_sdks_accept(where: str, content: dict[str, Any]) -> None:
    """The Python SDKs send ``Accept: application/vnd.kopokopo.v4.hal+json`` on every call: every JSON
    response is declared for that media type too, with the same schema and examples."""
    assert content["application/vnd.kopokopo.v4.hal+json"] == content["application/json"], where


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("Wanjiku", True),
        ("\x1d", True),
        ("\x85x", True),
        ("", False),
        ("  ", False),
        ("\t\u3000\u00a0", False),
    ],
)
def test_non_blank_means_what_javascript_means(value: str, valid: bool) -> None:
    """NonBlankString refuses exactly the strings made of JavaScript's whitespace (what schemathesis and
    JavaScript validators assume), under the sandbox's Python validator too: U+001D, which Python's ``\\s``
    counts as whitespace, is a character like any other here."""
    schemas = SchemaSet(spec(), "urn:k2")
    found = schemas.first_error("/components/schemas/NonBlankString", value)
    assert (found is None) is valid, found
