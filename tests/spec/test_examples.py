"""The spec documents itself: every webhook, callback and GET response carries examples of the real shape.

Examples live in ``components/examples`` with values of our own; the ones modelled on a Kopo Kopo sample
name it in ``x-k2connect-fixture``, and must have exactly that sample's keys (at every depth) while sharing
none of its identifying values.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import jsonschema
import k2connect_client.models
import pytest
import yaml
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tests.fixtures import FIXTURES_DIR, SKIP_REASON, SPEC_PATH, fixtures_present, load

JSON_TYPES = ("application/json", "application/vnd.kopokopo.v4.hal+json")


@cache
def spec() -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return found


def resolve(node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def documented_payloads() -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, media type object) of every webhook body, callback body and JSON GET 200 response."""
    for topic, item in spec()["webhooks"].items():
        yield f"webhook {topic}", item["post"]["requestBody"]["content"]["application/json"]
    for name, item in spec()["components"]["pathItems"].items():
        yield f"callback {name}", item["post"]["requestBody"]["content"]["application/json"]
    for path, item in spec()["paths"].items():
        if "get" in item:
            for media, content in item["get"]["responses"]["200"].get("content", {}).items():
                if media in JSON_TYPES:
                    yield f"GET {path} ({media})", content


PAYLOADS = list(documented_payloads())


def examples() -> Iterator[tuple[str, str, dict[str, Any], Any]]:
    """(where, example name, resolved example object, the media type's schema) of every attached example."""
    for where, content in PAYLOADS:
        for name, example in content.get("examples", {}).items():
            yield where, name, resolve(example), content["schema"]


EXAMPLES = list(examples())
COMPONENT_EXAMPLES = spec()["components"]["examples"]
FROM_FIXTURES = [
    pytest.param(name, example, id=name)
    for name, example in COMPONENT_EXAMPLES.items()
    if "x-k2connect-fixture" in example
]


@cache
def validator(schema_json: str) -> jsonschema.Draft202012Validator:
    registry = Registry().with_resource("urn:k2", DRAFT202012.create_resource(spec()))
    schema = yaml.safe_load(schema_json)
    if "$ref" in schema:
        schema = {"$ref": "urn:k2" + schema["$ref"]}
    else:
        schema = {"oneOf": [{"$ref": "urn:k2" + branch["$ref"]} for branch in schema["oneOf"]]}
    return jsonschema.Draft202012Validator(schema, registry=registry)


def key_paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path of a JSON value, list positions collapsed: ``data.attributes.transactions[].type``."""
    paths: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            paths |= {path} | key_paths(item, path)
    elif isinstance(value, list):
        for item in value:
            paths |= key_paths(item, f"{prefix}[]")
    return paths


def identifying_values(value: Any) -> set[str]:
    """The leaf strings of a sample that identify it (ids, references, phones, URLs, times)."""
    if isinstance(value, dict):
        return set().union(*(identifying_values(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(identifying_values(v) for v in value)) if value else set()
    # Snake-case names (topics such as b2b_transaction_received) are vocabulary, not sample data.
    if isinstance(value, str) and len(value) >= 6 and any(c.isdigit() for c in value):
        return set() if value.replace("_", "").isalnum() and value.islower() and "_" in value else {value}
    if isinstance(value, int) and not isinstance(value, bool) and value > 99999:
        return {str(value)}
    return set()


@pytest.mark.parametrize(("where", "content"), PAYLOADS, ids=[w for w, _ in PAYLOADS])
def test_every_payload_has_an_example(where: str, content: dict[str, Any]) -> None:
    """Each webhook, callback and GET 200 body carries at least one example."""
    assert content.get("examples"), f"{where} has no examples"


@pytest.mark.parametrize(
    ("where", "name", "example", "schema"), EXAMPLES, ids=[f"{e[0]}:{e[1]}" for e in EXAMPLES]
)
def test_example_satisfies_its_schema(where: str, name: str, example: dict[str, Any], schema: Any) -> None:
    errors = list(validator(yaml.safe_dump(schema)).iter_errors(example["value"]))
    assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


@pytest.mark.parametrize(
    ("where", "name", "example", "schema"), EXAMPLES, ids=[f"{e[0]}:{e[1]}" for e in EXAMPLES]
)
def test_example_round_trips_through_the_generated_model(
    where: str, name: str, example: dict[str, Any], schema: Any
) -> None:
    """The generated client parses each example into the model of its schema and gives back the same JSON."""
    branches = [schema] if "$ref" in schema else schema["oneOf"]
    matching = [
        b["$ref"].rsplit("/", 1)[1]
        for b in branches
        if not list(validator(yaml.safe_dump(b)).iter_errors(example["value"]))
    ]
    assert len(matching) == 1, matching
    model = getattr(k2connect_client.models, matching[0])
    assert model.from_dict(example["value"]).to_dict() == example["value"]


def request_examples() -> Iterator[Any]:
    """Examples of request bodies (the official SDKs' shapes), which schemathesis' examples phase sends."""
    for item in spec()["paths"].values():
        for op in item.values():
            content = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            for name, example in content.get("examples", {}).items():
                yield pytest.param(resolve(example), content["schema"], id=f"{op['operationId']}:{name}")


REQUEST_EXAMPLES = list(request_examples())


@pytest.mark.parametrize(("example", "schema"), REQUEST_EXAMPLES)
def test_request_example_is_valid_and_parses(example: dict[str, Any], schema: Any) -> None:
    """A request example satisfies the operation's body schema (cross-field rules included) and the
    generated request model parses it and gives back the same JSON."""
    errors = list(validator(yaml.safe_dump(schema)).iter_errors(example["value"]))
    assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]
    branches = [schema] if "$ref" in schema else schema["oneOf"]
    matching = [
        b["$ref"].rsplit("/", 1)[1]
        for b in branches
        if not list(validator(yaml.safe_dump(b)).iter_errors(example["value"]))
    ]
    model = getattr(k2connect_client.models, matching[0])
    assert model.from_dict(example["value"]).to_dict() == example["value"]


def test_sdk_request_shapes_have_examples() -> None:
    """The null-field and string-tags shapes of §j are among the request examples schemathesis sends."""
    values = [p.values[0]["value"] for p in REQUEST_EXAMPLES]
    assert any(v.get("metadata", 0) is None and v.get("payment_channel", 0) is None for v in values)
    assert any(isinstance(v.get("tags"), str) for v in values)
    assert any("destinations" in v and v["destinations"] is None for v in values)


def test_every_component_example_is_attached() -> None:
    attached = {
        ref["$ref"].rsplit("/", 1)[1]
        for _, content in PAYLOADS
        for ref in content.get("examples", {}).values()
    }
    attached |= {
        ref["$ref"].rsplit("/", 1)[1]
        for item in spec()["paths"].values()
        for op in item.values()
        for ref in op.get("requestBody", {})
        .get("content", {})
        .get("application/json", {})
        .get("examples", {})
        .values()
    }
    assert attached == set(COMPONENT_EXAMPLES)


@pytest.mark.skipif(not fixtures_present(), reason=SKIP_REASON)
@pytest.mark.parametrize(("name", "example"), FROM_FIXTURES)
def test_example_has_the_keys_of_its_k2_sample(name: str, example: dict[str, Any]) -> None:
    """Same key paths as the Kopo Kopo sample it is modelled on: the spec shows the real shape."""
    sample = load(FIXTURES_DIR / example["x-k2connect-fixture"])
    assert key_paths(example["value"]) == key_paths(sample)


@pytest.mark.skipif(not fixtures_present(), reason=SKIP_REASON)
@pytest.mark.parametrize(("name", "example"), FROM_FIXTURES)
def test_example_values_are_our_own(name: str, example: dict[str, Any]) -> None:
    """No id, reference, phone number, URL or time of the sample is copied into the example."""
    sample = load(FIXTURES_DIR / example["x-k2connect-fixture"])
    copied = identifying_values(sample) & identifying_values(example["value"])
    assert not copied, sorted(copied)


def test_key_comparison_notices_a_missing_key() -> None:
    """The key check is not vacuous: dropping a nested key or adding one changes the key paths."""
    sample = {"data": {"attributes": {"a": 1, "list": [{"b": 2}]}}}
    assert key_paths(sample) == {
        "data",
        "data.attributes",
        "data.attributes.a",
        "data.attributes.list",
        "data.attributes.list[].b",
    }
    assert key_paths({"data": {"attributes": {"a": 1, "list": [{}]}}}) != key_paths(sample)
