"""``K2Options``: one list of options for ``K2``, ``AsyncK2``, ``connect()`` and ``async_connect()``."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

from k2connect_ext import K2, AsyncK2, K2Options, async_connect, connect
from k2connect_ext.webhooks import compute_signature, verify_signature
from k2connect_ext.webhooks._signatures import webhook_keys

BUILDERS: list[Callable[..., Any]] = [K2, AsyncK2, connect, async_connect]


@pytest.mark.parametrize("build", BUILDERS, ids=lambda b: b.__name__)
def test_a_misspelt_option_is_a_type_error(build: Callable[..., Any]) -> None:
    """An unknown keyword is refused as Python would refuse it, naming the keyword, before any I/O."""
    with pytest.raises(TypeError, match="base_uri"):
        build("id", "secret", environ={}, base_uri="https://sandbox.kopokopo.com")


@pytest.mark.parametrize("build", BUILDERS, ids=lambda b: b.__name__)
def test_every_builder_takes_the_options_and_only_them(build: Callable[..., Any]) -> None:
    """The options are not repeated in each signature: each takes ``**options: Unpack[K2Options]``."""
    parameters = inspect.signature(build).parameters
    assert parameters["options"].kind is inspect.Parameter.VAR_KEYWORD
    assert not set(parameters) & set(K2Options.__annotations__)


def test_options_apply_to_every_builder() -> None:
    """The same options dict builds every flavour, and each one honours it (here: base URL, API key)."""
    options: K2Options = {"base_url": "http://127.0.0.1:9", "api_key": "key", "environ": {}}
    sync_client, async_client = K2("id", "secret", **options), AsyncK2("id", "secret", **options)
    assert sync_client.settings.base_url == async_client.settings.base_url == "http://127.0.0.1:9"
    assert sync_client.api_key == async_client.api_key == "key"
    for generated in (connect("id", "secret", **options), async_connect("id", "secret", **options)):
        assert str(generated._base_url) == "http://127.0.0.1:9"
    sync_client.close()


def test_the_options_are_documented() -> None:
    """Every option has a line in K2Options' docstring, and none is required."""
    doc = K2Options.__doc__ or ""
    for name in K2Options.__annotations__:
        assert f"        {name}:" in doc, name
    assert K2Options.__required_keys__ == frozenset()


def test_checked_keys_never_show_themselves() -> None:
    """Checked keys say how many there are, never what they are, and verify as the keys do."""
    keys = webhook_keys(["new-key-3a", "old-key-9b"])
    assert repr(keys) == "WebhookKeys(2 keys)"
    assert repr(webhook_keys("only-key-4c")) == "WebhookKeys(1 key)"
    body = b'{"topic": "x"}'
    verify_signature(body, compute_signature(body, "old-key-9b"), keys)
