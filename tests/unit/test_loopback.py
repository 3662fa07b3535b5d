"""Tests for k2connect_ext._loopback: the one loopback rule shared by the SDK and the sandbox."""

from __future__ import annotations

import pytest

from k2connect_ext import _settings
from k2connect_ext._loopback import is_loopback_host
from k2connect_sandbox import delivery


@pytest.mark.parametrize(
    "host",
    ["localhost", "LocalHost", "127.0.0.1", "127.5.5.5", "::1", "[::1]", "0:0:0:0:0:0:0:1"],
)
def test_literal_loopback_addresses_and_exactly_localhost_are_loopback(host: str) -> None:
    """What never leaves the machine: a literal loopback address, or the name ``localhost`` itself."""
    assert is_loopback_host(host) is True


@pytest.mark.parametrize(
    "host",
    [
        None,
        "",
        "x.localhost",
        "k2.sandbox.localhost",
        "localhost.",
        "localhost.evil.example",
        "127.example.com",
        "10.0.0.1",
        "::",
        "[::2]",
        "example.com",
    ],
)
def test_names_under_localhost_and_other_hosts_are_not_loopback(host: str | None) -> None:
    """A name under ``localhost`` goes through the resolver like any other name, so it is not loopback."""
    assert is_loopback_host(host) is False


def test_the_sdk_and_the_sandbox_share_the_one_rule() -> None:
    """One implementation: the SDK's base-URL check uses it and the sandbox keeps no copy of its own."""
    assert vars(_settings)["is_loopback_host"] is is_loopback_host
    assert vars(delivery)["is_loopback_host"] is is_loopback_host
