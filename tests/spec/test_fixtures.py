"""Every real K2 sample payload validates against its spec schema and round-trips through the models."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import k2connect_client.models
import pytest
import yaml
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tests.fixtures import SPEC_PATH, fixture_params, load, payload_files, schema_for


@cache
def _spec() -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return found


@cache
def _validator(schema_name: str) -> jsonschema.Draft202012Validator:
    registry = Registry().with_resource("urn:k2", DRAFT202012.create_resource(_spec()))
    return jsonschema.Draft202012Validator(
        {"$ref": f"urn:k2#/components/schemas/{schema_name}"},
        registry=registry,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


def _model(schema_name: str) -> Any:
    # Schema names are chosen so that the generated class carries exactly the same name.
    return getattr(k2connect_client.models, schema_name)


def _same(a: Any, b: Any) -> bool:
    """JSON equality that also tells 780 from 780.0 apart from True (bool is an int in Python)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("path", fixture_params(payload_files()))
def test_fixture_validates_against_its_schema(path: Path) -> None:
    """The payload satisfies the components/schemas entry it belongs to."""
    errors = sorted(_validator(schema_for(path)).iter_errors(load(path)), key=str)
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


@pytest.mark.parametrize("path", fixture_params(payload_files()))
def test_fixture_round_trips_through_generated_model(path: Path) -> None:
    """from_dict then to_dict gives back exactly the same JSON data, extra fields included."""
    data = load(path)
    model = _model(schema_for(path)).from_dict(data)
    assert _same(model.to_dict(), data)


def test_every_fixture_has_a_schema() -> None:
    """A new fixture file without a known schema fails loudly instead of being skipped."""
    for path in payload_files():
        schema_for(path)
