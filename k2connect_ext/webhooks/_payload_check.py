"""Check a decoded webhook or callback body against its kind's payload rules, and name the offending field.

The rules (``_payload_rules``, generated from the spec by ``scripts/generate_payload_rules.py``) give the
JSON types and presence of every field the schemas type: the envelope, every nested object the generated
model walks into (whose ``from_dict`` would otherwise fail with an anonymous ``TypeError``, or silently turn a
list of pairs into an object), and every field ``K2Event``'s convenience properties read. Derived, not
hand-picked, they are never stricter than the schemas and never miss a field the spec types.

A rule is ``(path, allowed JSON types, required)``: ``a.b`` is the key ``b`` of the object at ``a``, ``a[]``
each item of the array at ``a``. A rule applies only where its parent is an object: an absent, null or
mistyped parent is its own rule's business, and parents are checked before their children.

Why compiled: every body a receiver accepts goes through here, so the check is on the hot path of
verify-and-parse. Each table is compiled once, at import, into groups of rules by parent path, with the exact
Python types ``json.loads`` produces for each allowed JSON type. :func:`check` then costs one lookup per
parent and one per field on a body that passes. Anything else falls to :func:`check_slow`, which walks the
rule's places with their indexes and raises :class:`WebhookPayloadError` naming the first culprit
(``"event.resource"``, ``"data.attributes.transfer_batches[0].disbursements"``...). Error messages name the
field and the types, never the value: values are customer data, and the text goes into logs and 400 answers.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Final

from k2connect_client import registry

from k2connect_ext._exceptions import WebhookPayloadError
from k2connect_ext.webhooks._payload_rules import DARAJA_RULES, RESULT_RULES, WEBHOOK_RULES
from k2connect_ext.webhooks._payload_rules import Rule as SpecRule

__all__ = [
    "DARAJA_CHECKS",
    "OBJECT",
    "RESULT_CHECKS",
    "WEBHOOK_CHECKS",
    "Checks",
    "check",
    "check_slow",
    "json_type",
    "rule",
]

# JSON type names, as in the schema and in error messages.
OBJECT: Final = "object"
_ARR, _STR, _NUM, _BOOL, _NULL = "array", "string", "number", "boolean", "null"
_Rule = tuple[str, frozenset[str], bool]


def rule(path: str, *types: str, required: bool = False) -> _Rule:
    """A rule as the checker holds it: ``path``, the JSON types allowed there, whether it must be present."""
    return path, frozenset(types), required


_EXACT_TYPES: dict[type, str] = {
    str: _STR,
    int: _NUM,
    float: _NUM,
    bool: _BOOL,  # checked by exact type, so True is never taken for a number
    type(None): _NULL,
    dict: OBJECT,
    list: _ARR,
}


def json_type(value: object) -> str:
    """The JSON type name of ``value`` (``"object"``, ``"number"``...), else its class name."""
    exact = _EXACT_TYPES.get(type(value))
    if exact is not None:
        return exact
    # Subclasses (an IntEnum, a str subclass) are named like their base; bool cannot be subclassed.
    if isinstance(value, int | float):
        return _NUM
    if isinstance(value, str):
        return _STR
    if isinstance(value, dict):
        return OBJECT
    if isinstance(value, list):
        return _ARR
    return type(value).__name__


_Place = tuple[str | int, ...]


@functools.cache
def _segments(path: str) -> tuple[tuple[str, bool], ...]:
    """``"a.b[].c"`` -> ``(("a", False), ("b", True), ("c", False))``, parsed once per rule."""
    return tuple((segment.removesuffix("[]"), segment.endswith("[]")) for segment in path.split("."))


def _where(place: _Place) -> str:
    """``("a", "b", 0, "c")`` -> ``"a.b[0].c"``; built only for an error message."""
    text = ""
    for part in place:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _places(root: dict[str, Any], path: str) -> list[tuple[_Place, bool, object]]:
    """``(place, present, value)`` for every place ``path`` names in ``root``.

    ``a.b[]`` means each item of the array ``a.b``. Places under a parent that is absent, null or of the
    wrong type are skipped: the parent's own rule reports that, and rules are checked parents first.
    Places are tuples; strings are only made for error messages.
    """
    segments = _segments(path)
    last_position = len(segments) - 1
    if not _has_arrays(path):  # most rules: a plain walk down nested objects
        node: object = root
        for position, (key, _) in enumerate(segments):
            if not isinstance(node, dict):
                return []
            if key not in node:
                keys = tuple(k for k, _ in segments[: position + 1])
                return [(keys, False, None)] if position == last_position else []
            node = node[key]
        return [(tuple(k for k, _ in segments), True, node)]
    nodes: list[tuple[_Place, object]] = [((), root)]
    missing: list[tuple[_Place, bool, object]] = []
    for position, (key, each) in enumerate(segments):
        found: list[tuple[_Place, object]] = []
        for place, parent in nodes:
            if not isinstance(parent, dict):
                continue
            if key not in parent:
                if position == last_position and not each:
                    missing.append(((*place, key), False, None))
                continue
            value = parent[key]
            if each:  # a null or mistyped array has no items here: its own rule reports it
                items = value if isinstance(value, list) else ()
                found.extend(((*place, key, index), item) for index, item in enumerate(items))
            else:
                found.append(((*place, key), value))
        nodes = found
    return missing + [(place, True, value) for place, value in nodes]


@functools.cache
def _has_arrays(path: str) -> bool:
    return "[]" in path


def check_slow(raw: dict[str, Any], rules: tuple[_Rule, ...]) -> None:
    """Check ``raw`` against ``rules`` one place at a time, raising on the first break with its field named.

    Raises:
        WebhookPayloadError: a required place is missing or a place holds a type its rule does not allow.
    """
    for path, allowed, required in rules:
        for place, present, value in _places(raw, path):
            if not present:
                if required:
                    where = _where(place)
                    raise WebhookPayloadError(f"{where} is required", field=where)
                continue
            actual = json_type(value)
            if actual not in allowed:
                where = _where(place)
                expected = " or ".join(sorted(allowed))
                raise WebhookPayloadError(f"{where} must be {expected}, got {actual}", field=where)


# ---------------------------------------------------------------------------------------------- compiled

# The exact Python types json.loads produces for each JSON type: the fast path accepts a value whose type is
# one of these and leaves anything else (a subclass, a wrong type) to the slow path, which names the error.
_PY_TYPES: Final[Mapping[str, tuple[type, ...]]] = {
    _STR: (str,),
    _NUM: (int, float),
    _BOOL: (bool,),
    _NULL: (type(None),),
    OBJECT: (dict,),
    _ARR: (list,),
}


class _Absent:
    """What the fast path finds for a missing key: its type is accepted where the key is optional."""


_ABSENT: Final = _Absent()
# A compiled rule: its key in the parent object, whether it is about each item of the array at that key,
# the Python types accepted at once (with _Absent when the key is optional), and the rule, for the slow path.
_Leaf = tuple[str, bool, frozenset[type], _Rule]
# A compiled table: the rules grouped by parent path, so a parent is looked up once per body however many
# fields it has. A group holds the parent's keys when the path is plain objects (most are, and they take the
# quick walk), else None and its segments as _segments splits them; then its rules. Groups keep the order in
# which parents first appear in the table, so parents are still checked before their children.
_Compiled = tuple[tuple[str, ...] | None, tuple[tuple[str, bool], ...], tuple[_Leaf, ...]]
Checks = tuple[_Compiled, ...]
"""One kind's rules, compiled: what :func:`check` takes."""


def _compile(rules: tuple[_Rule, ...]) -> Checks:
    groups: dict[tuple[tuple[str, bool], ...], list[_Leaf]] = {}
    for one in rules:
        path, allowed, required = one
        *parents, (leaf, each) = _segments(path)
        fast = {kind for name in allowed for kind in _PY_TYPES.get(name, ())}
        if not required:
            fast.add(_Absent)
        groups.setdefault(tuple(parents), []).append((leaf, each, frozenset(fast), one))
    return tuple(
        (
            None if any(each for _, each in parents) else tuple(key for key, _ in parents),
            parents,
            tuple(leaves),
        )
        for parents, leaves in groups.items()
    )


def check(raw: dict[str, Any], rules: Checks) -> None:
    """Check ``raw`` against compiled rules; the common case (present values of the right types) costs one
    lookup per parent and one per field. Anything else is handed to :func:`check_slow`, which names the
    culprit.

    Raises:
        WebhookPayloadError: ``raw`` breaks a rule; ``field`` names where.
    """
    for keys, segments, leaves in rules:
        parents: list[dict[str, Any]] | tuple[dict[str, Any], ...]
        if keys is None:
            parents = _objects_at(raw, segments)
        else:
            node: object = raw
            for key in keys:
                node = node.get(key) if isinstance(node, dict) else None
            # Only an object has fields: an absent, null or mistyped parent is its own rule's business.
            if not isinstance(node, dict):
                continue
            parents = (node,)
        for parent in parents:
            for key, each, fast, one in leaves:
                value = parent.get(key, _ABSENT)
                if each:  # each item of the array at key; an absent or mistyped array is key's own rule's
                    if type(value) is list and any(type(item) not in fast for item in value):
                        check_slow(raw, (one,))
                elif type(value) not in fast:
                    check_slow(raw, (one,))


def _objects_at(raw: dict[str, Any], segments: tuple[tuple[str, bool], ...]) -> list[dict[str, Any]]:
    """The objects a parent path through arrays names (``a.b[]``: each object item of the array ``a.b``)."""
    nodes: list[object] = [raw]
    for key, each in segments:
        values = [node.get(key) for node in nodes if isinstance(node, dict)]
        nodes = [item for value in values if isinstance(value, list) for item in value] if each else values
    return [node for node in nodes if isinstance(node, dict)]


def _compile_table(rules: tuple[SpecRule, ...]) -> Checks:
    return _compile(tuple(rule(path, *types, required=required) for path, types, required in rules))


# Indexed by every topic and callback type of the operation registry (generated from the same spec), so one
# the rules lack fails at import, not on a live webhook.
WEBHOOK_CHECKS: Final[Mapping[str, Checks]] = {
    topic: _compile_table(WEBHOOK_RULES[topic]) for topic in registry.WEBHOOK_MODELS
}
RESULT_CHECKS: Final[Mapping[str, Checks]] = {
    kind: _compile_table(RESULT_RULES[kind]) for kind in registry.CALLBACK_MODELS
}
DARAJA_CHECKS: Final[Checks] = _compile_table(DARAJA_RULES)
