"""Read a finished K2 result's facts (reference, amount, phone...) from its body, by a path the spec names.

The generated result models (``IncomingPaymentResult``, ``SendMoneyResult``...) have read-only properties
``reference``, ``amount``, ``currency``, ``phone`` and ``status``: the spec's ``x-k2connect-fields`` names
where each lives in the body, and the model template (``templates/model.py.jinja``) turns each path into a
call of a reader here. The readers turn the JSON value into the fact exactly as :class:`K2Event` does (an
exact ``Decimal``, a phone number as text...), so a result and the callback reporting it read the same.

A path is dot-separated keys from the top of the body (``data.attributes.event.resource.reference``). A key
ending in ``[]`` is a list whose items the rest of the path is read in: the path then has a value only when
it leads to exactly one item, as a payout with one disbursement has one M-PESA reference and a payout with
several has none that speaks for all. Wherever the body lacks a step (a failed STK push has no
``event.resource``), the fact is None: reading a result never raises.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from k2connect_ext.webhooks._field_values import amount_of, phone_of, str_or_none

__all__ = ["amount_at", "phone_at", "text_at", "value_at"]

_EACH = "[]"


@functools.cache
def _steps(path: str) -> tuple[tuple[str, bool], ...]:
    """``"a.b[].c"`` -> ``(("a", False), ("b", True), ("c", False))``: each key, and whether it is a list."""
    return tuple((key.removesuffix(_EACH), key.endswith(_EACH)) for key in path.split("."))


def value_at(body: Mapping[str, Any], path: str) -> object:
    """The JSON value at ``path`` in ``body``, or None when a step is missing or the path leads to many."""
    nodes: list[object] = [body]
    for key, each in _steps(path):
        nodes = [node.get(key) for node in nodes if isinstance(node, Mapping)]
        if each:
            nodes = [item for node in nodes if isinstance(node, list) for item in node]
    return nodes[0] if len(nodes) == 1 else None


def text_at(body: Mapping[str, Any], path: str) -> str | None:
    """The string at ``path`` (a reference, a currency, a status), or None."""
    return str_or_none(value_at(body, path))


def amount_at(body: Mapping[str, Any], path: str) -> Decimal | None:
    """The amount at ``path`` as an exact Decimal (K2 sends strings or JSON numbers), or None."""
    return amount_of(value_at(body, path))


def phone_at(body: Mapping[str, Any], path: str) -> str | None:
    """The phone number at ``path`` as text (one payment-link sample sends a JSON number), or None."""
    return phone_of(value_at(body, path))
