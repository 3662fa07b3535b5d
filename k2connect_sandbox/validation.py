"""JSON Schema validation against an OpenAPI document, with error messages that name the field.

Schemas are addressed by JSON pointer into the whole document, which is registered as one Draft
2020-12 resource, so ``$ref: '#/components/...'`` inside any schema (inline request bodies included)
resolves against the same document. The format checker is on: with rfc3986-validator and
rfc3339-validator installed, ``format: uri`` and ``format: date-time`` are really checked.

Business rules that tie fields together are written in the spec as ``if``/``then``, with the rule in
words as the ``then`` schema's ``description``. When such a ``then`` fails, the violation is reported
as that one sentence rather than as a bare "is required" or "does not match".
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

# Typed by types-jsonschema (a dev dependency).
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry
from referencing.jsonschema import DRAFT202012

__all__ = ["SchemaSet", "escape_pointer", "field_name"]

_MAX_SHOWN = 60


def escape_pointer(token: str) -> str:
    """Escape one JSON-pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def field_name(path: Iterable[str | int]) -> str:
    """``subscriber.phone_number``, ``destinations[0].amount``; the root is "request body"."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "request body"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def _branch_of(error: ValidationError) -> int | None:
    head = error.relative_schema_path[0] if error.relative_schema_path else None
    return head if isinstance(head, int) else None


def _if_then_else(validator: Any, if_schema: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    """The ``if`` keyword, reporting a failed ``then``/``else`` that has a description as that description."""
    branch = "then" if validator.evolve(schema=if_schema).is_valid(instance) else "else"
    if branch not in schema:
        return
    subschema = schema[branch]
    errors = list(validator.descend(instance, subschema, schema_path=branch))
    rule = subschema.get("description") if isinstance(subschema, dict) else None
    if errors and isinstance(rule, str):
        # No context: best_match would descend into it and pick the bare "is required" again.
        yield ValidationError(" ".join(rule.split()))
    else:
        yield from errors


# The stubs leave extend() untyped; its result is a validator class like the one it extends.
_Validator = validators.extend(Draft202012Validator, {"if": _if_then_else})  # type: ignore[no-untyped-call]


class SchemaSet:
    """Validators for schemas inside one OpenAPI document, built lazily and cached (thread-safe)."""

    def __init__(self, document: dict[str, Any], uri: str) -> None:
        self._uri = uri
        self._registry: Registry[Any] = Registry().with_resource(uri, DRAFT202012.create_resource(document))
        self._cache: dict[str, Any] = {}
        self._lock = threading.Lock()

    def validator(self, pointer: str) -> Any:
        with self._lock:
            found = self._cache.get(pointer)
            if found is None:
                found = _Validator(
                    {"$ref": f"{self._uri}#{pointer}"},
                    registry=self._registry,
                    format_checker=Draft202012Validator.FORMAT_CHECKER,
                )
                self._cache[pointer] = found
            return found

    def first_error(self, pointer: str, instance: Any, limit: int = 3) -> str | None:
        """A readable message for the violations (most relevant first, at most ``limit``), or None if
        ``instance`` is valid."""
        errors = list(self.validator(pointer).iter_errors(instance))
        best = best_match(errors)
        if best is None:
            return None
        messages = [describe(best)]
        for error in errors:
            message = describe(error)
            if len(messages) < limit and message not in messages:
                messages.append(message)
        return "; ".join(messages)

    def errors(self, pointer: str, instance: Any) -> list[str]:
        """Every violation, described (for conformance checks that want the whole list)."""
        return [describe(error) for error in self.validator(pointer).iter_errors(instance)]


def describe(error: ValidationError) -> str:
    """Turn a jsonschema error into one sentence that starts with the offending field."""
    if error.validator in ("oneOf", "anyOf") and error.context:
        return _describe_alternatives(error)
    path: Sequence[str | int] = list(error.absolute_path)
    name = field_name(path)
    keyword = error.validator
    expected: Any = error.validator_value  # the keyword's value in the schema: any JSON type
    instance: Any = error.instance
    if keyword == "required":
        missing = next(
            (p for p in expected if isinstance(error.instance, dict) and p not in error.instance), None
        )
        return f"{field_name([*path, missing])} is required" if missing else f"{name}: {error.message}"
    if keyword == "type":
        types = expected if isinstance(expected, list) else [expected]
        return (
            f"{name} must be of type {' or '.join(str(t) for t in types)}, not {_json_type(error.instance)}"
        )
    if keyword == "enum":
        return f"{name} must be one of: {', '.join(str(v) for v in expected)} (got {_shown(error.instance)})"
    if keyword == "const":
        return f"{name} must be {expected!r} (got {_shown(error.instance)})"
    if keyword == "pattern":
        return f"{name} has an invalid format: {_shown(error.instance)} does not match {expected}"
    if keyword == "format":
        return f"{name} must be a valid {expected} (got {_shown(error.instance)})"
    if keyword == "minLength":
        return (
            f"{name} must not be empty" if expected == 1 else f"{name} must be at least {expected} characters"
        )
    if keyword == "if":  # a cross-field rule of the spec, already a sentence naming its fields
        return error.message if not path else f"{name}: {error.message}"
    if keyword == "maxProperties":
        return f"{name} must have at most {expected} entries (got {len(instance)})"
    if keyword in ("exclusiveMinimum", "minimum"):
        relation = "greater than" if keyword == "exclusiveMinimum" else "at least"
        return f"{name} must be {relation} {expected} (got {_shown(error.instance)})"
    return f"{name}: {error.message}"


def _describe_alternatives(error: ValidationError) -> str:
    """oneOf/anyOf: explain the branch the caller evidently meant, or list the discriminator values.

    The request oneOfs in the K2 spec are discriminated by a ``type`` const, so a branch whose const
    matched is the one the caller meant and its errors are the useful ones. When several branches share
    the type (v2 external recipients take their details in ``external_recipient`` or ``pay_recipient``),
    the one the caller got furthest into, whose shallowest error is deepest, is meant, if only one is.
    """
    by_branch: dict[int, list[ValidationError]] = {}
    for sub in error.context or []:
        branch = _branch_of(sub)
        if branch is not None:
            by_branch.setdefault(branch, []).append(sub)
    const_failures = {b for b, subs in by_branch.items() if any(s.validator == "const" for s in subs)}
    meant = [subs for b, subs in sorted(by_branch.items()) if b not in const_failures]
    if len(meant) > 1:
        depths = [min(len(s.relative_path) for s in subs) for subs in meant]
        if depths.count(max(depths)) == 1:
            meant = [meant[depths.index(max(depths))]]
    if len(meant) == 1:
        inner = best_match(meant[0])
        if inner is not None:
            return describe(inner)
    consts = [
        s.validator_value for b in sorted(const_failures) for s in by_branch[b] if s.validator == "const"
    ]
    if consts and len(const_failures) == len(by_branch):
        sample = next(s for b in sorted(const_failures) for s in by_branch[b] if s.validator == "const")
        return (
            f"{field_name(list(sample.absolute_path))} must be one of: "
            f"{', '.join(str(c) for c in dict.fromkeys(consts))} (got {_shown(sample.instance)})"
        )
    name = field_name(list(error.absolute_path))
    if error.instance is None:
        return f"{name} must not be null"
    return f"{name} does not match any of the accepted shapes"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
