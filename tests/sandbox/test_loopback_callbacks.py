"""Plain-http callbacks go to loopback receivers only, by the SDK's rule (issue 17, item 15).

Loopback means a literal loopback address or exactly ``localhost``: a name under ``localhost`` is looked up
through the system resolver like any other, so a signed callback to ``http://x.localhost`` could leave
the machine in clear text and is refused.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from . import payloads
from .flows import created, deliveries, eventually
from .receiver import Receiver

pytestmark = pytest.mark.sandbox


@pytest.fixture(scope="module")
def receiver_v6() -> Iterator[Receiver]:
    """A receiver listening on ``::1`` only."""
    found = Receiver("::1")
    yield found
    found.close()


@pytest.mark.parametrize("host", ["x.localhost", "k2.sandbox.localhost", "LOCALHOST.localhost"])
async def test_plain_http_to_a_name_under_localhost_is_refused(
    client: httpx.AsyncClient, headers: dict[str, str], receiver: Receiver, host: str
) -> None:
    """``http://x.localhost`` is recorded as refused, and nothing is posted to it."""
    url = receiver.url("sub-localhost", host=host)
    location = await created(client, headers, "/api/v1/incoming_payments", payloads.stk(url))
    resource_id = location.rsplit("/", 1)[1]
    (entry,) = await eventually(lambda: deliveries(client, resource_id=resource_id), lambda d: len(d) == 1)
    assert entry["error"].startswith("refused: plain http"), entry["error"]
    assert entry["status_code"] is None and entry["delivered"] is False and entry["attempt"] == 1
    assert entry["url"] == url
    # The refusal is recorded instead of an attempt: there is none, now or later.
    assert receiver.received(url) == []


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
async def test_plain_http_to_localhost_and_127_0_0_1_is_delivered(
    client: httpx.AsyncClient, headers: dict[str, str], receiver: Receiver, host: str
) -> None:
    """Exactly ``localhost`` and a literal IPv4 loopback address get the signed callback."""
    url = receiver.url("loopback", host=host)
    location = await created(client, headers, "/api/v1/incoming_payments", payloads.stk(url))
    (callback,) = await receiver.await_for(url)
    assert callback.answered == 200
    resource_id = location.rsplit("/", 1)[1]
    (entry,) = await eventually(lambda: deliveries(client, resource_id=resource_id), lambda d: len(d) == 1)
    assert entry["delivered"] is True and entry["error"] is None and entry["url"] == url


async def test_plain_http_to_ipv6_loopback_is_delivered(
    client: httpx.AsyncClient, headers: dict[str, str], receiver_v6: Receiver
) -> None:
    """A literal IPv6 loopback address (``[::1]``) gets the signed callback."""
    url = receiver_v6.url("loopback-v6")
    assert url.startswith("http://[::1]:")
    location = await created(client, headers, "/api/v1/incoming_payments", payloads.stk(url))
    (callback,) = await receiver_v6.await_for(url)
    assert callback.answered == 200
    resource_id = location.rsplit("/", 1)[1]
    (entry,) = await eventually(lambda: deliveries(client, resource_id=resource_id), lambda d: len(d) == 1)
    assert entry["delivered"] is True and entry["error"] is None
