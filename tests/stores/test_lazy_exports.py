"""The shared stores are public names that load on first use: ``import k2connect_ext`` (or
``k2connect_ext.webhooks``) never needs their drivers, and neither does ``import *``."""

from __future__ import annotations

import subprocess
import sys

import pytest

import k2connect_ext
import k2connect_ext.webhooks


def test_importing_the_sdk_imports_no_store_driver() -> None:
    """Naming the stores, and importing everything, loads none of redis, psycopg or psycopg_pool."""
    code = (
        "import sys, k2connect_ext\n"
        "from k2connect_ext import *\n"
        "from k2connect_ext.webhooks import *\n"
        "from k2connect_ext import RedisTokenStore\n"
        "from k2connect_ext.webhooks import RedisDeduplicator, PostgresDeduplicator\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'redis', 'psycopg', 'psycopg_pool'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize(
    ("package", "name"),
    [
        (k2connect_ext, "RedisTokenStore"),
        (k2connect_ext.webhooks, "RedisDeduplicator"),
        (k2connect_ext.webhooks, "PostgresDeduplicator"),
    ],
)
def test_the_stores_are_public(package: object, name: str) -> None:
    """Each store is listed in its package's ``__all__`` and reports the public package as its home."""
    found = getattr(package, name)
    assert name in getattr(package, "__all__")  # noqa: B009 - the attribute under test
    assert found.__module__ == getattr(package, "__name__")  # noqa: B009


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    """The lazy loader does not turn a typo into something else."""
    with pytest.raises(AttributeError):
        k2connect_ext.NoSuchThing  # noqa: B018
    with pytest.raises(AttributeError):
        k2connect_ext.webhooks.NoSuchThing  # noqa: B018
