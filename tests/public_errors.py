"""Every public error class of k2connect_ext, found from the package, and one instance of each.

Tests that must hold for *every* error (it pickles, the CLI gives it an exit code) take their list from
here, so a class added to the tree is covered without anyone remembering to add it to a test.
``MINIMUM_PUBLIC_ERRORS`` keeps such a test from passing over an empty or shrunken list.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Mapping
from typing import Any

from k2connect_client.models import IncomingPaymentResult

import k2connect_ext
import k2connect_ext.webhooks
from k2connect_ext import K2Error
from tests.fakes import incoming_payment

__all__ = ["MINIMUM_PUBLIC_ERRORS", "build_error", "init_values", "public_error_classes"]

MINIMUM_PUBLIC_ERRORS = 21
"""How many public error classes there were when this was written (K2Error included)."""


def public_error_classes() -> list[type[K2Error]]:
    """Every class exported by ``k2connect_ext`` or ``k2connect_ext.webhooks`` that is a ``K2Error``."""
    found: dict[str, type[K2Error]] = {}
    for module in (k2connect_ext, k2connect_ext.webhooks):
        for name in module.__all__:
            value = getattr(module, name)
            if isinstance(value, type) and issubclass(value, K2Error):
                found[value.__qualname__] = value
    return [found[name] for name in sorted(found)]


def _keyword_parameters(cls: type[K2Error]) -> dict[str, Any]:
    """name -> type hint of every keyword-only parameter of ``cls`` and the ``__init__``s it forwards to."""
    hints: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        init = vars(klass).get("__init__")
        if not (isinstance(klass, type) and issubclass(klass, K2Error)) or init is None:
            continue
        resolved = typing.get_type_hints(init)
        for parameter in inspect.signature(init).parameters.values():
            if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
                hints[parameter.name] = resolved[parameter.name]
    return hints


def _distinct(cls: type[K2Error], index: int, name: str, hint: Any) -> Any:
    """A value for parameter ``name`` that no other parameter of any class gets."""
    label = f"{cls.__name__}.{name}"
    if name == "resource":  # what polling attaches: a generated attrs model parsed from K2's JSON
        return IncomingPaymentResult.from_dict(
            incoming_payment("Failed", errors=f"{label}: insufficient funds", resource_id=f"id-{index}")
        )
    options = set(typing.get_args(hint)) if isinstance(hint, types.UnionType) else {hint}
    options.discard(type(None))
    if options == {Any}:
        return {"label": label, "nested": [index, {"deep": True}]}
    if any(typing.get_origin(option) is Mapping for option in options):
        return {"label": label, "index": str(index)}
    if str in options:
        return label
    if int in options:
        return 400 + index
    if float in options:
        return index + 0.25
    raise AssertionError(f"no distinctive value for {label}: {hint!r}; teach tests/public_errors.py")


def init_values(cls: type[K2Error]) -> dict[str, Any]:
    """A distinctive value for every keyword argument ``cls`` accepts (each becomes an attribute)."""
    return {
        name: _distinct(cls, index, name, hint)
        for index, (name, hint) in enumerate(_keyword_parameters(cls).items())
    }


def build_error(cls: type[K2Error], **overrides: Any) -> K2Error:
    """An instance of ``cls`` with its message and every attribute set to a distinctive value.

    ``overrides`` replaces some of the values (a realistic status code, say); naming an argument ``cls``
    does not take fails.
    """
    values = init_values(cls)
    assert set(overrides) <= set(values), (cls, overrides)
    return cls(f"{cls.__name__}: something went wrong", **{**values, **overrides})
