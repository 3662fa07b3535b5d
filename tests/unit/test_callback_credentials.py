"""A callback URL with a user name or password in it (issue 17, item 2).

``https://user:pass@host/cb`` would hand the password to K2, keep it in the request body, and show it in the
ambiguous-outcome error's message, hint, ``callback_url`` and ``request_body``. The facade refuses it before
anything is sent; a request built by hand through the generated client still gets an error without it.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from k2connect_client.models import CallbackLinks

from k2connect_ext import K2, AsyncK2, K2AmbiguousOutcomeError, K2InputError, connect, invoke
from k2connect_ext import _operations as ops
from tests.fakes import FakeK2, error

PASSWORD = "hunter2-callback-pass"
WITH_CREDENTIALS = [
    f"https://user:{PASSWORD}@shop.example.com/k2/result",
    f"https://{PASSWORD}@shop.example.com/k2/result",
    f"https://user:{PASSWORD}@[::1]:8443/k2/result",
]
STK: dict[str, Any] = {"phone_number": "+254712345678", "amount": 100, "till_number": "K000000"}


@pytest.mark.parametrize("url", WITH_CREDENTIALS)
def test_the_facade_refuses_a_callback_url_with_credentials(url: str) -> None:
    server = FakeK2()
    with (
        K2("id", "secret", transport=httpx.MockTransport(server), environ={}) as k2,
        pytest.raises(K2InputError) as info,
    ):
        k2.stk_push(**STK, callback_url=url)
    assert info.value.field == "callback_url"
    assert "user name or password" in str(info.value)
    assert PASSWORD not in str(info.value)
    assert server.seen == []  # not even a token was fetched


@pytest.mark.parametrize("url", WITH_CREDENTIALS)
async def test_the_async_facade_refuses_a_callback_url_with_credentials(url: str) -> None:
    server = FakeK2()
    async with AsyncK2("id", "secret", transport=httpx.MockTransport(server), environ={}) as k2:
        with pytest.raises(K2InputError) as info:
            await k2.stk_push(**STK, callback_url=url)
    assert info.value.field == "callback_url"
    assert PASSWORD not in str(info.value)
    assert server.seen == []


def test_a_webhook_subscription_url_with_credentials_is_refused() -> None:
    with (
        K2("id", "secret", transport=httpx.MockTransport(FakeK2()), environ={}) as k2,
        pytest.raises(K2InputError) as info,
    ):
        k2.subscribe_webhook(
            event_type="buygoods_transaction_received",
            url=WITH_CREDENTIALS[0],
            scope="till",
            scope_reference="K000000",
        )
    assert info.value.field == "url"
    assert PASSWORD not in str(info.value)


def test_an_ambiguous_outcome_of_a_hand_built_request_never_shows_the_password() -> None:
    client = connect("id", "secret", transport=httpx.MockTransport(FakeK2(error(503))), environ={})
    prepared = ops.stk_push(**STK, callback_url="https://shop.example.com/k2/result")
    prepared.body.field_links = CallbackLinks(callback_url=WITH_CREDENTIALS[0])  # as a hand-built body
    with pytest.raises(K2AmbiguousOutcomeError) as info:
        invoke(prepared.name, prepared.sync, client=client, body=prepared.body)
    error_ = info.value
    for text in (str(error_), error_.hint, error_.callback_url, repr(error_.request_body)):
        assert text is not None and PASSWORD not in text, text
    assert error_.callback_url == "https://shop.example.com/k2/result"


def test_an_unparseable_callback_url_in_a_hand_built_request_is_not_quoted() -> None:
    """A callback URL that cannot even be split (a broken IPv6 host) is named, never echoed."""
    client = connect("id", "secret", transport=httpx.MockTransport(FakeK2(error(503))), environ={})
    prepared = ops.stk_push(**STK, callback_url="https://shop.example.com/k2/result")
    broken = f"https://user:{PASSWORD}@[::1/k2/result"
    prepared.body.field_links = CallbackLinks(callback_url=broken)
    with pytest.raises(K2AmbiguousOutcomeError) as info:
        invoke(prepared.name, prepared.sync, client=client, body=prepared.body)
    assert info.value.callback_url == "[an unparseable URL]"
    assert PASSWORD not in str(info.value)
