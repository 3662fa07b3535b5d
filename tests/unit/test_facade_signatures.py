"""``help(K2.stk_push)`` and IDEs see each create method's real parameters, not ``(*args, **kwargs)``."""

from __future__ import annotations

import inspect
import pydoc

import pytest

from k2connect_ext import K2, AsyncK2
from k2connect_ext import _operations as ops
from tests.creates import CREATES


def test_the_creates_are_found() -> None:
    """The list the tests below run over is the twelve creates, so they cannot pass by running over none."""
    assert len(CREATES) == 12
    assert "stk_push" in CREATES


@pytest.mark.parametrize("name", CREATES)
@pytest.mark.parametrize(("facade", "handle"), [(K2, "Created"), (AsyncK2, "AsyncCreated")])
def test_each_create_shows_its_builders_parameters(facade: type, handle: str, name: str) -> None:
    """The method's signature is ``self`` plus the builder's parameters, returning the typed handle."""
    method = getattr(facade, name)
    builder = getattr(ops, name)
    signature = inspect.signature(method)
    parameters = list(signature.parameters.values())
    assert parameters[0].name == "self"
    assert parameters[1:] == list(inspect.signature(builder).parameters.values())
    returned = str(inspect.signature(builder).return_annotation).replace("Prepared", handle)
    assert signature.return_annotation == returned
    assert method.__name__ == name
    assert method.__qualname__ == f"{facade.__name__}.{name}"
    assert method.__doc__ == builder.__doc__


def test_help_shows_the_parameters() -> None:
    """pydoc renders the real parameters (what ``help()`` prints)."""
    text = pydoc.render_doc(K2.stk_push, renderer=pydoc.TextDoc())
    assert "phone_number" in text
    assert "till_number" in text
    assert "*args" not in text


def test_bound_methods_drop_self() -> None:
    """On an instance the signature starts at the first real parameter, as for any method."""
    parameters = inspect.signature(K2("id", "secret", environ={}).stk_push).parameters
    assert next(iter(parameters)) == "phone_number"
