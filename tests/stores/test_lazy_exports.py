"""The shared stores are reachable from the package root without making ``import k2connect_ext`` need
their drivers."""

from __future__ import annotations

import subprocess
import sys

import pytest

import k2connect_ext


def test_importing_the_sdk_imports_no_store_driver() -> None:
    code = (
        "import sys, k2connect_ext\n"
        "from k2connect_ext import RedisTokenStore, RedisDeduplicator, PostgresDeduplicator\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'redis', 'psycopg', 'psycopg_pool'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize(
    ("name", "module"),
    [
        ("RedisTokenStore", "k2connect_ext._redis_token_store"),
        ("RedisDeduplicator", "k2connect_ext.webhooks._dedup_redis"),
        ("PostgresDeduplicator", "k2connect_ext.webhooks._dedup_postgres"),
    ],
)
def test_the_stores_resolve_from_the_package_root(name: str, module: str) -> None:
    found = getattr(k2connect_ext, name)
    assert found.__module__ == module
    assert name not in k2connect_ext.__all__  # import * must not need the extras


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        k2connect_ext.NoSuchThing  # noqa: B018
