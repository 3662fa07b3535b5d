"""The payload rule checker (``_payload_check``): JSON type names and walking past absent or null parents."""

from __future__ import annotations

import enum

import pytest

from k2connect_ext.webhooks import _payload_check as check


class _Code(enum.IntEnum):
    ONE = 1


class _Text(str):
    pass


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, "boolean"),
        (_Code.ONE, "number"),
        (_Text("x"), "string"),
        (type("D", (dict,), {})(), "object"),
        (type("L", (list,), {})(), "array"),
    ],
)
def test_json_type_of_subclasses(value: object, expected: str) -> None:
    """Subclasses of the JSON types are named like their base; anything else by its class name."""
    assert check.json_type(value) == (
        expected if expected != "object" or isinstance(value, dict) else "object"
    )


def test_json_type_of_foreign_object() -> None:
    """A value that is no JSON type is named by its class, so the error message says what it got."""
    assert check.json_type(1 + 2j) == "complex"


def test_places_under_a_null_parent_are_skipped() -> None:
    """A rule below a null (or non-object) parent yields nothing: the parent's own rule reports it."""
    assert check._places({"event": None}, "event.resource.amount") == []
    assert check._places({"event": {"resource": "text"}}, "event.resource.amount") == []


def test_places_name_a_missing_leaf() -> None:
    """A missing leaf is reported with its full path; a missing middle is left to its own rule."""
    assert check._places({"event": {}}, "event.resource") == [(("event", "resource"), False, None)]
    assert check._places({}, "event.resource") == []
    assert check._where(("data", "batches", 0, "amount")) == "data.batches[0].amount"


def test_places_in_arrays_skip_items_that_are_not_objects() -> None:
    """Array rules look inside object items only; a wrong item type is its own rule's business."""
    body = {"batches": [{"amount": "1"}, "oops", {"other": 1}]}
    assert check._places(body, "batches[].amount") == [
        (("batches", 2, "amount"), False, None),
        (("batches", 0, "amount"), True, "1"),
    ]
