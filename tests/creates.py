"""The creates, found one way: the builders of ``k2connect_ext._operations`` (each is a facade method).

Tests that run over every create (signatures, fuzzing, the fault matrix) take the list from here instead of
writing it out, so a create added to the SDK is covered by all of them at once. ``builder_model()`` says
which model each builder's Location reads, to check that every create of the spec has a builder.
"""

from __future__ import annotations

import inspect
from typing import Any

from k2connect_ext import _operations as ops

__all__ = ["BUILDERS", "CREATES", "builder_model"]


def _is_builder(value: Any) -> bool:
    return (
        inspect.isfunction(value)
        and value.__module__ == ops.__name__
        and str(inspect.signature(value).return_annotation).startswith("Prepared[")
    )


BUILDERS: dict[str, Any] = {name: value for name, value in sorted(vars(ops).items()) if _is_builder(value)}
"""Builder name (also the facade method's name) -> the builder."""
CREATES: list[str] = list(BUILDERS)


def builder_model(name: str) -> str:
    """The model a builder's Location reads, from its return annotation (``Prepared[SendMoneyResult]``)."""
    annotation = str(inspect.signature(BUILDERS[name]).return_annotation)
    return annotation.removeprefix("Prepared[").removesuffix("]")
