"""Write ``k2connect_ext/webhooks/_payload_rules.py``: the payload rules, derived from the spec.

``parse_event`` checks a webhook or callback body against rules before it trusts a field: each rule names a
JSON path, the JSON types allowed there and whether the path is required. This script derives every such rule
from ``openapi/k2connect.yaml``, so the rules cannot drift from the schemas the generated models, the sandbox
and the contract tests use:

* one table per topic under the spec's top-level ``webhooks`` (the K2-format branch of its body schema);
* one table per callback result under ``components/pathItems``, keyed by the ``data.type`` K2 sends, which is
  the operationId ``callback_<type>_result`` without its affixes;
* one table for the Daraja body (the branch of a webhook's ``oneOf`` that requires ``TransactionType``, the
  key ``parse_event`` recognises Daraja bodies by).

    python scripts/generate_payload_rules.py                 # rewrite the module
    python scripts/generate_payload_rules.py --output FILE   # write FILE instead (``make check-generated``)
    python scripts/generate_payload_rules.py --check         # exit 1 when the module is stale

Only types and presence are derived; ``pattern``, ``enum`` values, ``format``, ``not`` and the like are left
to the models. A rule is never stricter than the schema: where a ``oneOf`` has branches, a path gets a rule
only if every branch constrains it, with the union of their types (so a future kind kept "as sent" stays
accepted). The output is deterministic and already ruff-formatted, so ``ruff format --check`` and the drift
checks (``make check-generated``, tests/unit/test_payload_rules.py) compare it byte for byte.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
SPEC_PATH = REPO_ROOT / "openapi" / "k2connect.yaml"
OUTPUT_PATH = REPO_ROOT / "k2connect_ext" / "webhooks" / "_payload_rules.py"
LINE_LENGTH = 110  # pyproject.toml's [tool.ruff] line-length: the output must pass `ruff format --check`

OBJECT, ARRAY, STRING, NUMBER, BOOLEAN, NULL = "object", "array", "string", "number", "boolean", "null"
ALL_TYPES = frozenset({OBJECT, ARRAY, STRING, NUMBER, BOOLEAN, NULL})
# The rule engine knows JSON's types, not JSON Schema's "integer": a whole number is a number there.
SCHEMA_TYPES = {"integer": NUMBER, **{name: name for name in ALL_TYPES}}

Rule = tuple[str, tuple[str, ...], bool]


class SpecError(Exception):
    """The spec says something this generator cannot turn into rules (a bug to fix, not to skip)."""


@dataclass
class Shape:
    """What a schema says about one JSON value: its types (None: any), and its properties and items."""

    types: frozenset[str] | None = None
    properties: dict[str, Shape] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    items: Shape | None = None  # None: array items unconstrained

    def may_be(self, kind: str) -> bool:
        return self.types is None or kind in self.types


def _json_type(value: object) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int | float):
        return NUMBER
    if isinstance(value, str):
        return STRING
    if isinstance(value, list):
        return ARRAY
    if isinstance(value, dict):
        return OBJECT
    raise SpecError(f"a const or enum holds {value!r}, which is no JSON value")


class _Resolver:
    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec
        self.resolving: list[str] = []

    def shape(self, schema: Mapping[str, Any]) -> Shape:
        """The shape of ``schema``: its own keywords, its ``$ref`` and ``allOf`` intersected, its
        ``oneOf``/``anyOf`` united. Keywords that only narrow values (``not``, ``if``, ``pattern``...) are
        left out, which can only make the rules more lenient than the schema, never stricter."""
        parts = [self._own(schema)]
        if "$ref" in schema:
            parts.append(self._ref(schema["$ref"]))
        parts.extend(self.shape(item) for item in schema.get("allOf", ()))
        for keyword in ("oneOf", "anyOf"):
            if keyword in schema:
                parts.append(_union([self.shape(item) for item in schema[keyword]]))
        return _intersect(parts)

    def _ref(self, ref: str) -> Shape:
        if not ref.startswith("#/"):
            raise SpecError(f"only local $refs are supported, got {ref}")
        if ref in self.resolving:  # no payload schema recurses; one that did would need rules of a new kind
            raise SpecError(f"recursive schema: {' -> '.join([*self.resolving, ref])}")
        node: Any = self.spec
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        self.resolving.append(ref)
        try:
            return self.shape(node)
        finally:
            self.resolving.pop()

    def _own(self, schema: Mapping[str, Any]) -> Shape:
        types: frozenset[str] | None = None
        if "type" in schema:
            declared = schema["type"]
            names = [declared] if isinstance(declared, str) else declared
            types = frozenset(SCHEMA_TYPES[name] for name in names)
        if "const" in schema:
            types = _both(types, frozenset({_json_type(schema["const"])}))
        if "enum" in schema:
            types = _both(types, frozenset(_json_type(value) for value in schema["enum"]))
        properties = {key: self.shape(value) for key, value in schema.get("properties", {}).items()}
        required = frozenset(schema.get("required", ()))
        for key in schema.get("required", ()):
            properties.setdefault(key, Shape())  # required but untyped: present, of any type
        items = self.shape(schema["items"]) if "items" in schema else None
        return Shape(types, properties, required, items)


def _both(left: frozenset[str] | None, right: frozenset[str] | None) -> frozenset[str] | None:
    if left is None:
        return right
    return left if right is None else left & right


def _intersect(shapes: list[Shape]) -> Shape:
    """All of ``shapes`` hold: every rule of each, types narrowed where two speak of the same value."""
    if len(shapes) == 1:
        return shapes[0]
    types: frozenset[str] | None = None
    grouped: dict[str, list[Shape]] = {}
    for shape in shapes:
        types = _both(types, shape.types)
        for key, value in shape.properties.items():
            grouped.setdefault(key, []).append(value)
    items = [shape.items for shape in shapes if shape.items is not None]
    return Shape(
        types,
        {key: _intersect(values) for key, values in grouped.items()},
        frozenset().union(*(shape.required for shape in shapes)),
        _intersect(items) if items else None,
    )


def _union(shapes: list[Shape]) -> Shape:
    """One of ``shapes`` holds: a rule survives only where every shape that allows the value's kind has it.

    A branch that cannot be an object says nothing about properties (there are none), so properties come
    from the object branches alone; a key one of them leaves open (``SettlementOtherDestination``'s
    ``resource``, "kept as sent") is open in the union.
    """
    types: frozenset[str] | None = frozenset()
    for shape in shapes:
        types = None if types is None or shape.types is None else types | shape.types
    objects = [shape for shape in shapes if shape.may_be(OBJECT)]
    properties: dict[str, Shape] = {}
    required: frozenset[str] = frozenset()
    if objects:
        for key in objects[0].properties:
            if all(key in shape.properties for shape in objects):
                properties[key] = _union([shape.properties[key] for shape in objects])
        required = frozenset.intersection(*(shape.required for shape in objects))
    arrays = [shape for shape in shapes if shape.may_be(ARRAY)]
    items = None
    if arrays and all(shape.items is not None for shape in arrays):
        items = _union([shape.items for shape in arrays if shape.items is not None])
    return Shape(types, properties, required, items)


def _rules(shape: Shape, prefix: str = "") -> Iterator[Rule]:
    """Rules in document order, each parent before its children (the order the engine reports in)."""
    if shape.may_be(OBJECT):
        for key, child in shape.properties.items():
            if "." in key or "[" in key:
                raise SpecError(f"{prefix or 'the body'} has a property {key!r} a rule path cannot name")
            path = f"{prefix}.{key}" if prefix else key
            required = key in shape.required
            if child.types is not None or required:
                yield path, tuple(sorted(child.types or ALL_TYPES)), required
            yield from _rules(child, path)
    if shape.may_be(ARRAY) and shape.items is not None:
        if prefix.endswith("[]"):
            raise SpecError(f"{prefix}: arrays of arrays have no rule path syntax")
        path = f"{prefix}[]"
        if shape.items.types is not None:
            yield path, tuple(sorted(shape.items.types)), False
        yield from _rules(shape.items, path)


def _body_schema(operation: Mapping[str, Any]) -> Mapping[str, Any]:
    schema: Mapping[str, Any] = operation["requestBody"]["content"]["application/json"]["schema"]
    return schema


def _is_daraja(shape: Shape) -> bool:
    return "TransactionType" in shape.required


def derive(spec: Mapping[str, Any]) -> tuple[dict[str, list[Rule]], dict[str, list[Rule]], list[Rule]]:
    """(webhook rules by topic, result rules by data.type, Daraja rules), from the parsed spec."""
    resolver = _Resolver(spec)
    webhooks: dict[str, list[Rule]] = {}
    daraja: list[Rule] | None = None
    for topic, item in spec["webhooks"].items():
        schema = _body_schema(item["post"])
        k2_format = []
        for branch in schema.get("oneOf", [schema]):
            shape = resolver.shape(branch)
            if not _is_daraja(shape):
                k2_format.append(shape)
                continue
            rules = list(_rules(shape))
            if daraja is not None and rules != daraja:
                raise SpecError(f"webhook {topic}: its Daraja body differs from another webhook's")
            daraja = rules
        if len(k2_format) != 1:
            raise SpecError(f"webhook {topic}: expected one K2-format body schema, found {len(k2_format)}")
        webhooks[topic] = list(_rules(k2_format[0]))
    if daraja is None:
        raise SpecError("no webhook offers the Daraja body (a oneOf branch requiring TransactionType)")
    results: dict[str, list[Rule]] = {}
    for name, item in spec["components"]["pathItems"].items():
        operation_id: str = item["post"]["operationId"]
        result_type = operation_id.removeprefix("callback_").removesuffix("_result")
        if result_type == operation_id or not result_type:
            raise SpecError(f"pathItems {name}: operationId {operation_id!r} is not callback_<type>_result")
        results[result_type] = list(_rules(resolver.shape(_body_schema(item["post"]))))
    return webhooks, results, daraja


# ------------------------------------------------------------------------------------------- rendering

# Two comment lines: the one-line form would break the 110-column limit.
HEADER = (
    "# Generated by scripts/generate_payload_rules.py from openapi/k2connect.yaml: do not edit;\n"
    "# run `make generate`."
)
PREAMBLE = '''"""The payload rules of webhooks._payload_check: one table per body kind, from the spec.

A rule is ``(path, allowed JSON types, required)``. ``a.b`` is the key ``b`` of the object at ``a``; ``a[]``
is each item of the array at ``a``. A rule applies only where its parent is an object (or, below ``[]``, an
array of objects): an absent, null or mistyped parent is its own rule's business. Parents come before their
children.
"""

from __future__ import annotations

from typing import Final

Rule = tuple[str, tuple[str, ...], bool]
'''


def _literal(text: str) -> str:
    # JSON string syntax is a valid Python literal for these ASCII paths and names, and ruff's preferred one
    # (double quotes); anything exotic is refused rather than escaped differently from ruff.
    if not text.isascii() or not text.isprintable() or '"' in text or "\\" in text:
        raise SpecError(f"{text!r} needs escaping; the renderer only writes plain ASCII strings")
    return f'"{text}"'


def _rule_lines(rule: Rule, indent: str) -> Iterator[str]:
    """One rule, on one line when it fits, else one element per line as ruff would split it."""
    path, types, required = rule
    type_text = ", ".join(_literal(name) for name in types) + ("," if len(types) == 1 else "")
    parts = [_literal(path), f"({type_text})", str(required)]
    line = f"{indent}({', '.join(parts)}),"
    if len(line) <= LINE_LENGTH:
        yield line
        return
    yield f"{indent}("
    yield from (f"{indent}    {part}," for part in parts)
    yield f"{indent}),"


def _table_lines(rules: Iterable[Rule], indent: str) -> Iterator[str]:
    for rule in rules:
        yield from _rule_lines(rule, indent)


def _tables(name: str, tables: Mapping[str, list[Rule]], doc: str) -> Iterator[str]:
    yield ""
    yield f"# {doc}"
    yield f"{name}: Final[dict[str, tuple[Rule, ...]]] = {{"
    for key in sorted(tables):
        rules = tables[key]
        if not rules:
            yield f"    {_literal(key)}: (),"
            continue
        yield f"    {_literal(key)}: ("
        yield from _table_lines(rules, " " * 8)
        yield "    ),"
    yield "}"


def render(spec: Mapping[str, Any]) -> str:
    """The module's text for ``spec``: the same spec always gives the same bytes."""
    webhooks, results, daraja = derive(spec)
    lines = [HEADER, PREAMBLE.rstrip("\n")]
    lines += _tables("WEBHOOK_RULES", webhooks, "K2-format webhooks, by topic: the body of webhooks.<topic>.")
    lines += _tables(
        "RESULT_RULES", results, "Callback results (and GET bodies), by data.type: components/pathItems."
    )
    lines += ["", "# Daraja webhooks: DarajaTransactionWebhook, recognised by TransactionType."]
    lines.append("DARAJA_RULES: Final[tuple[Rule, ...]] = (")
    lines += _table_lines(daraja, " " * 4)
    lines.append(")")
    return "\n".join(lines) + "\n"


def load_spec(path: Path = SPEC_PATH) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--spec", type=Path, default=SPEC_PATH, help="the OpenAPI document to read")
    parser.add_argument("--output", type=Path, default=OUTPUT_PATH, help="where to write the module")
    parser.add_argument("--check", action="store_true", help="exit 1 if --output differs; write nothing")
    args = parser.parse_args(argv)
    text = render(load_spec(args.spec))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: run `make generate` and commit it", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
