"""The payload rules of ``parse_event`` are the spec's: regenerated here and compared with the module."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from types import ModuleType
from typing import Any

import pytest

from k2connect_ext.webhooks import ResultType, WebhookPayloadError, WebhookTopic, parse_event
from k2connect_ext.webhooks import _payload_rules as rules
from k2connect_ext.webhooks._events import _RESULT_TYPE_ALIASES
from tests.fixtures import REPO_ROOT


@cache
def script() -> ModuleType:
    path = REPO_ROOT / "scripts" / "generate_payload_rules.py"
    spec = importlib.util.spec_from_file_location("k2_generate_payload_rules", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is being built
    spec.loader.exec_module(module)
    return module


def test_committed_rules_match_the_spec() -> None:
    """The module is exactly what the spec generates today (`make check-generated` checks the same)."""
    expected = script().render(script().load_spec())
    committed = (REPO_ROOT / "k2connect_ext" / "webhooks" / "_payload_rules.py").read_text(encoding="utf-8")
    assert committed == expected, "k2connect_ext/webhooks/_payload_rules.py is stale: run `make generate`"


def test_every_topic_and_result_type_has_a_table() -> None:
    """Each topic and data.type parse_event dispatches on has its table, and the spec has no other."""
    assert set(rules.WEBHOOK_RULES) == {topic.value for topic in WebhookTopic}
    assert set(rules.RESULT_RULES) == {kind.value for kind in ResultType}
    assert set(_RESULT_TYPE_ALIASES.values()) == set(ResultType)
    assert rules.DARAJA_RULES


def _tables() -> list[tuple[str, tuple[rules.Rule, ...]]]:
    return [
        *((f"webhook {topic}", table) for topic, table in rules.WEBHOOK_RULES.items()),
        *((f"result {kind}", table) for kind, table in rules.RESULT_RULES.items()),
        ("daraja", rules.DARAJA_RULES),
    ]


@pytest.mark.parametrize(("name", "table"), _tables(), ids=[name for name, _ in _tables()])
def test_tables_are_well_formed(name: str, table: tuple[rules.Rule, ...]) -> None:
    """One rule per path, known JSON types in sorted order, each path after its parent's rule (if any)."""
    paths = [path for path, _, _ in table]
    assert len(paths) == len(set(paths)), name
    for position, (path, types, _) in enumerate(table):
        assert types and list(types) == sorted(set(types)), path
        assert set(types) <= {"object", "array", "string", "number", "boolean", "null"}, path
        parent = path.removesuffix("[]") if path.endswith("[]") else path.rpartition(".")[0]
        if parent in paths:
            assert paths.index(parent) < position, f"{name}: {path} comes before {parent}"


def test_the_envelopes_are_required() -> None:
    """What parse_event reads without looking is required by every table, as the spec says."""
    for table in rules.WEBHOOK_RULES.values():
        required = {path for path, _, is_required in table if is_required}
        assert {"id", "created_at", "topic", "event", "event.type", "event.resource"} <= required
    for table in rules.RESULT_RULES.values():
        required = {path for path, _, is_required in table if is_required}
        assert {"data", "data.id", "data.type", "data.attributes", "data.attributes.status"} <= required
    required = {path for path, _, is_required in rules.DARAJA_RULES if is_required}
    assert required == {"TransactionType", "TransID", "TransTime", "TransAmount", "BusinessShortCode"}


# A small spec exercising each combinator the generator understands.
MINI_SPEC: dict[str, Any] = {
    "webhooks": {
        "thing_happened": {
            "post": {
                "operationId": "webhook_thing_happened",
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "oneOf": [
                                    {"$ref": "#/components/schemas/ThingWebhook"},
                                    {"$ref": "#/components/schemas/Daraja"},
                                ]
                            }
                        }
                    }
                },
            }
        }
    },
    "components": {
        "pathItems": {
            "ThingResult": {
                "post": {
                    "operationId": "callback_thing_result",
                    "requestBody": {
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Result"}}}
                    },
                }
            }
        },
        "schemas": {
            "Envelope": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "string"}, "count": {"type": "integer"}},
            },
            "ThingWebhook": {
                "allOf": [
                    {"$ref": "#/components/schemas/Envelope"},
                    {
                        "type": "object",
                        "required": ["topic", "event"],
                        "properties": {"topic": {"const": "thing_happened"}, "event": {"type": "object"}},
                    },
                ]
            },
            "Daraja": {
                "type": "object",
                "required": ["TransactionType"],
                "properties": {"TransactionType": {"type": "string"}},
            },
            "Known": {
                "type": "object",
                "required": ["kind", "detail"],
                "properties": {"kind": {"const": "known"}, "detail": {"type": "object"}, "note": {}},
            },
            "Other": {
                "type": "object",
                "required": ["kind"],
                "properties": {"kind": {"type": "string"}, "detail": {"description": "kept as sent"}},
            },
            "Result": {
                "type": "object",
                "required": ["data"],
                "properties": {
                    "data": {
                        "type": "object",
                        "properties": {
                            "items": {
                                "type": ["null", "array"],
                                "items": {
                                    "oneOf": [
                                        {"$ref": "#/components/schemas/Known"},
                                        {"$ref": "#/components/schemas/Other"},
                                    ]
                                },
                            },
                            "maybe": {
                                "oneOf": [
                                    {"$ref": "#/components/schemas/Known"},
                                    {"type": "null"},
                                ]
                            },
                            "errors": {"description": "any JSON"},
                        },
                    }
                },
            },
        },
    },
}


def test_the_generator_never_makes_a_rule_stricter_than_the_schema() -> None:
    """allOf adds rules; oneOf keeps a rule only where every branch has it (a branch "kept as sent" opens
    it), a key is required only where every object branch requires it, and untyped keys get no rule."""
    webhooks, results, daraja = script().derive(MINI_SPEC)
    assert webhooks == {
        "thing_happened": [
            ("id", ("string",), True),
            ("count", ("number",), False),  # JSON Schema's integer is a JSON number
            ("topic", ("string",), True),
            ("event", ("object",), True),
        ]
    }
    assert daraja == [("TransactionType", ("string",), True)]
    assert results == {
        "thing": [
            ("data", ("object",), True),
            ("data.items", ("array", "null"), False),
            ("data.items[]", ("object",), False),
            ("data.items[].kind", ("string",), True),  # no detail: Other leaves it open
            ("data.maybe", ("null", "object"), False),
            ("data.maybe.kind", ("string",), True),  # null has no keys, so Known's rules hold when an object
            ("data.maybe.detail", ("object",), True),
        ]
    }


def test_the_generator_refuses_what_it_cannot_express() -> None:
    """A property a dotted path cannot name is an error in the generator, not a silently skipped rule."""
    spec: dict[str, Any] = {**MINI_SPEC, "components": {**MINI_SPEC["components"]}}
    spec["components"]["schemas"] = {
        **MINI_SPEC["components"]["schemas"],
        "Daraja": {"type": "object", "required": ["TransactionType"], "properties": {"a.b": {}}},
    }
    with pytest.raises(script().SpecError, match="a rule path cannot name"):
        script().derive(spec)


def test_a_spec_rule_reaches_parse_event() -> None:
    """A field only the spec types (no convenience property reads it) is checked and named."""
    body = {
        "topic": "buygoods_transaction_received",
        "id": "e-1",
        "created_at": "2026-03-01T12:00:00+03:00",
        "event": {"type": "Buygoods Transaction", "resource": {"till_number": 514459}},
    }
    with pytest.raises(WebhookPayloadError, match="till_number must be string, got number") as caught:
        parse_event(body)
    assert caught.value.field == "event.resource.till_number"
