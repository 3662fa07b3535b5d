"""docs/webhooks.md and docs/sandbox.md are what scripts/generate_event_docs.py makes from the specs.

The committed pages must match the specs (the same pattern as ``make check-generated``), and the pages must
say what a reader needs: every webhook event and callback result, every field of every body, every endpoint
of the control API.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from k2connect_client import registry

from tests.docs.tooling import DOCS, event_docs
from tests.fixtures import REPO_ROOT


@cache  # read once: callers must not change it (copy.deepcopy first)
def k2_spec() -> dict[str, Any]:
    spec: dict[str, Any] = event_docs().load_spec(event_docs().K2_SPEC)
    return spec


@cache
def control_spec() -> dict[str, Any]:
    spec: dict[str, Any] = event_docs().load_spec(event_docs().CONTROL_SPEC)
    return spec


def page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def section(text: str, anchor: str) -> str:
    """The Markdown of the section headed ``... {#anchor}``, up to the next heading of its level or above."""
    heading = re.search(rf"^(#+) .*\{{#{re.escape(anchor)}\}}$", text, re.MULTILINE)
    assert heading is not None, f"no section {{#{anchor}}}"
    level = len(heading.group(1))
    rest = text[heading.end() :]
    following = re.search(rf"^#{{1,{level}}} ", rest, re.MULTILINE)
    return rest[: following.start()] if following else rest


# ------------------------------------------------------------------------------------------ drift
@pytest.mark.parametrize("name", ["webhooks.md", "sandbox.md"])
def test_committed_page_matches_the_specs(name: str) -> None:
    expected = event_docs().render()[name]
    assert page(name) == expected, f"docs/{name} is stale: run `python scripts/generate_event_docs.py`"


def test_check_fails_on_a_stale_page_and_passes_on_a_fresh_one(tmp_path: Path) -> None:
    script = event_docs()
    assert script.main(["--output-dir", str(tmp_path)]) == 0
    assert script.main(["--output-dir", str(tmp_path), "--check"]) == 0
    stale = tmp_path / "webhooks.md"
    stale.write_text(stale.read_text(encoding="utf-8").replace("customer_created", "customer_made"), "utf-8")
    assert script.main(["--output-dir", str(tmp_path), "--check"]) == 1
    (tmp_path / "sandbox.md").unlink()
    assert script.main(["--output-dir", str(tmp_path), "--check"]) == 1


def test_a_spec_change_changes_the_page(tmp_path: Path) -> None:
    """The page follows the spec: a new webhook topic in a copy of the spec gets its own section."""
    import yaml

    spec = copy.deepcopy(k2_spec())
    spec["webhooks"]["loan_disbursed"] = copy.deepcopy(spec["webhooks"]["customer_created"])
    spec["webhooks"]["loan_disbursed"]["post"]["summary"] = "A loan reached the merchant."
    copied = tmp_path / "k2connect.yaml"
    copied.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    text = event_docs().render(copied)["webhooks.md"]
    assert "A loan reached the merchant." in section(text, "loan_disbursed")
    assert text != page("webhooks.md")


# ------------------------------------------------------------------------------- what it says
def test_every_webhook_topic_has_its_section_and_model() -> None:
    """Every topic the generated registry knows, with the schema its model was generated from."""
    text = page("webhooks.md")
    assert set(registry.WEBHOOK_MODELS) == set(k2_spec()["webhooks"])
    for topic, model in registry.WEBHOOK_MODELS.items():
        body = section(text, topic)
        assert f"`{model.__name__}`" in body, topic
        assert "| field | type | required | description |" in body, topic
        assert "```json" in body, topic
    for topic in registry.DARAJA_TOPICS:
        assert "`DarajaTransactionWebhook`" in section(text, topic), topic


def test_every_callback_type_has_its_section_and_model() -> None:
    text = page("webhooks.md")
    for kind, model in registry.CALLBACK_MODELS.items():
        body = section(text, f"callback-{kind}")
        assert f"`{model.__name__}`" in body, kind
        assert "```json" in body, kind
    documented = set(re.findall(r"\{#callback-([a-z0-9_]+)\}", text))
    assert documented == set(registry.CALLBACK_MODELS)


def test_every_callback_names_the_creates_that_send_it() -> None:
    text = page("webhooks.md")
    for operation in registry.OPERATIONS.values():
        if operation.callback is not None:
            assert f"`{operation.name}`" in section(text, f"callback-{operation.callback}"), operation.name


def _example_paths(value: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            yield path
            yield from _example_paths(item, path)
    elif isinstance(value, list):
        for item in value:
            yield from _example_paths(item, f"{prefix}[]")


def _bodies() -> Iterator[tuple[str, Any, Any]]:
    """(name, the schema of a body K2 sends, one of the spec's examples of it)."""
    spec = k2_spec()
    for webhook in event_docs().load_webhooks(spec):
        for _, value in webhook.body.examples:
            yield webhook.topic, {"oneOf": [shape for _, shape in webhook.body.shapes]}, value
    for callback in event_docs().load_callbacks(spec):
        for title, value in callback.body.examples:
            yield f"callback {callback.type} ({title})", callback.body.shapes[0][1], value


@pytest.mark.parametrize(
    ("name", "schema", "example"), list(_bodies()), ids=[name for name, _, _ in _bodies()]
)
def test_every_field_of_every_example_is_documented(name: str, schema: Any, example: Any) -> None:
    """The tables cover the real bodies: each key of the spec's examples is a row (free-form maps aside)."""
    schemas = event_docs().Schemas(k2_spec())
    shapes = schemas.branches(schema) or [schema]
    documented: set[str] = set()
    for shape in shapes:
        documented |= {field.path for field in schemas.fields(shape)}
    for path in _example_paths(example):
        if path in documented:
            continue
        parent = path.rsplit(".", 1)[0] if "." in path else ""
        free_form = parent in documented and not any(row.startswith(f"{parent}.") for row in documented)
        assert free_form, f"{name}: {path} is in the example but not in the table"


def test_every_control_endpoint_has_its_section() -> None:
    text = page("sandbox.md")
    for method, path, operation in event_docs()._operations(control_spec()):
        body = section(text, operation["operationId"])
        assert f"`{method} {path}`" in text
        assert "**Answers**" in body, operation["operationId"]
        if "requestBody" in operation:
            assert "**Request body**" in body and "```json" in body, operation["operationId"]


def test_the_sandbox_page_says_how_to_start_it() -> None:
    text = page("sandbox.md")
    assert "k2connect-sandbox" in text.split("## ", 1)[0]
    assert "k2connect_sandbox.testing" in text


def test_the_pages_name_their_source() -> None:
    assert page("webhooks.md").startswith("<!-- Generated by scripts/generate_event_docs.py")
    assert page("sandbox.md").startswith("<!-- Generated by scripts/generate_event_docs.py")
    assert (REPO_ROOT / "openapi" / "k2connect.yaml").exists()


# --------------------------------------------------------------------------------- the reader
SPEC: dict[str, Any] = {
    "components": {
        "schemas": {
            "Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
            "Item": {
                "type": "object",
                "properties": {"amount": {"type": ["null", "number", "string"], "description": "Money."}},
            },
            "Card": {"type": "object", "required": ["type"], "properties": {"type": {"const": "Card"}}},
            "Other": {
                "type": "object",
                "properties": {"type": {"type": "string", "not": {"enum": ["Card"]}}, "extra": {}},
            },
            "Loop": {"$ref": "#/components/schemas/Loop"},
            "Body": {
                "allOf": [
                    {"$ref": "#/components/schemas/Base"},
                    {
                        "type": "object",
                        "required": ["items"],
                        "properties": {
                            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
                            "meta": {"oneOf": [{"$ref": "#/components/schemas/Base"}, {"type": "null"}]},
                            "source": {
                                "oneOf": [
                                    {"$ref": "#/components/schemas/Card"},
                                    {"$ref": "#/components/schemas/Other"},
                                ]
                            },
                            "phone": {
                                "type": "string",
                                "pattern": "^[0-9]+$",
                                "description": "A *masked* <b>.",
                            },
                            "count": {"type": "integer", "minimum": 1, "default": 3},
                        },
                    },
                ]
            },
        }
    }
}


def reader() -> Any:
    return event_docs().Schemas(SPEC)


def rows() -> dict[str, Any]:
    return {row.path: row for row in reader().fields({"$ref": "#/components/schemas/Body"})}


def test_all_of_parts_are_merged_with_their_required_fields() -> None:
    table = rows()
    assert table["id"].required and table["items"].required
    assert not table["meta"].required


def test_types_read_as_a_reader_says_them() -> None:
    table = rows()
    assert table["items"].type == "array of object"
    assert table["items[].amount"].type == "number | string | null"
    assert table["meta"].type == "object | null"
    assert table["meta.id"].type == "string"  # the one non-null branch is walked into
    assert table["source"].type == "object"


def test_one_of_branches_say_which_branch_a_row_belongs_to() -> None:
    source_rows = [
        row
        for row in reader().fields({"$ref": "#/components/schemas/Body"})
        if row.path.startswith("source.")
    ]
    assert [row.path for row in source_rows] == ["source.type", "source.type", "source.extra"]
    assert source_rows[0].description.startswith('*source when `type` is "Card":*')
    assert source_rows[1].description.startswith("*source with any other `type`:*")
    assert source_rows[0].type == '`"Card"`'


def test_constraints_follow_the_description_and_markup_is_escaped() -> None:
    table = rows()
    assert table["phone"].description == r"A \*masked\* \<b\>. (pattern `^[0-9]+$`)"
    assert table["count"].description == "Minimum 1; default `3`"
    assert table["items[].amount"].description == "Money."


def test_prose_keeps_code_spans() -> None:
    assert event_docs().prose("`a*b` and *c* [d]") == r"`a*b` and \*c\* \[d\]"


def test_built_examples_use_the_schema() -> None:
    body = {"$ref": "#/components/schemas/Body"}
    full = reader().example_of(body)
    assert full["id"] == "string" and full["count"] == 3 and full["meta"] == {"id": "string"}
    assert full["items"] == [{"amount": 0}]
    assert full["source"] == {"type": "Card"}
    assert reader().example_of(body, required_only=True) == {"id": "string", "items": [{}]}


def test_media_type_examples_come_first_and_a_built_one_is_labelled() -> None:
    spec_examples = {
        "examples": {"paid": {"summary": "Paid", "value": {"a": 1}}},
        "schema": {"type": "object"},
    }
    assert reader().examples(spec_examples) == [("Paid", {"a": 1})]
    built = reader().examples({"schema": {"$ref": "#/components/schemas/Base"}}, request=True)
    assert built == [
        ("Built from the schema: the required fields (placeholders show each field's type)", {"id": "string"})
    ]


def test_a_ref_cycle_is_a_clear_error() -> None:
    with pytest.raises(event_docs().SpecError, match="cannot follow"):
        reader().fields({"$ref": "#/components/schemas/Loop"})


def test_a_table_cell_keeps_its_pipes_literal() -> None:
    assert event_docs().cell("a | b\nc") == r"a \| b c"
