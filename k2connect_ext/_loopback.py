"""The one rule for "this host cannot be reached over the network", shared by the SDK and the sandbox.

Plain ``http`` is only acceptable to a host whose traffic never leaves the machine: the SDK allows it
for a ``base_url`` (tokens and payments travel on it) and the sandbox for callback and webhook
receivers (signed payloads travel on it). Both ask this module, so the two can never disagree.
"""

from __future__ import annotations

import ipaddress

__all__ = ["is_loopback_host"]


def is_loopback_host(host: str | None) -> bool:
    """Whether ``host`` is a literal loopback address or exactly ``localhost``.

    Why so narrow: only those cannot be answered from elsewhere. A literal loopback address
    (``127.0.0.0/8``, ``::1``, with or without the brackets of a URL) is never looked up, and resolvers
    answer ``localhost`` itself locally (RFC 6761). A name *under* ``localhost`` (``x.localhost``) is looked
    up through the system resolver like any other name, which may send it to any address, so it is
    not loopback here; neither is an empty or missing host.
    """
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
