"""The API key a client is built with verifies webhooks: ``k2.construct_event``, and a client standing in for
its key wherever the webhook helpers take one. A client without a key refuses every body (fail closed)."""

from __future__ import annotations

import json

import httpx
import pytest

from k2connect_ext import K2, AsyncK2, K2ConfigError, K2Options
from k2connect_ext.webhooks import (
    AsyncWebhookReceiver,
    K2Event,
    WebhookReceiver,
    WebhookSignatureError,
    compute_signature,
    construct_event,
    verify_signature,
)

API_KEY = "api-key-3f9c-must-never-leak"
BODY = json.dumps(
    {
        "topic": "customer_created",
        "id": "2133dbfb-24b9-40fc-ae57-2d7559785760",
        "created_at": "2020-10-22T10:43:20+03:00",
        "event": {
            "type": "Customer Created",
            "resource": {
                "first_name": "Jane",
                "middle_name": "",
                "last_name": "Doe",
                "msisdn": "+254712345678",
            },
        },
        "_links": {
            "self": "https://sandbox.kopokopo.com/webhook_events/2133dbfb-24b9-40fc-ae57-2d7559785760",
        },
    }
).encode()


def _no_answer(request: httpx.Request) -> httpx.Response:
    raise AssertionError("verifying a webhook must not touch the network")


NO_NETWORK = httpx.MockTransport(_no_answer)


def _clients(api_key: str | None) -> list[K2 | AsyncK2]:
    options: K2Options = {"environ": {}} if api_key is None else {"environ": {}, "api_key": api_key}
    return [
        K2("id", "secret", transport=NO_NETWORK, **options),
        AsyncK2("id", "secret", transport=httpx.MockTransport(_no_answer), **options),
    ]


@pytest.mark.parametrize("index", [0, 1], ids=["sync", "async"])
def test_construct_event_verifies_with_the_clients_key(index: int) -> None:
    """A body signed with the client's key parses; the client's key is the one ``api_key`` reports."""
    client = _clients(API_KEY)[index]
    assert client.api_key == API_KEY
    event = client.construct_event(BODY, compute_signature(BODY, API_KEY))
    assert isinstance(event, K2Event)
    assert event.topic == "customer_created"
    assert API_KEY not in repr(client)


@pytest.mark.parametrize("index", [0, 1], ids=["sync", "async"])
def test_a_wrong_signature_is_refused(index: int) -> None:
    """A body signed with another key is refused, whichever way the client's key is used."""
    client = _clients(API_KEY)[index]
    forged = compute_signature(BODY, "another-key")
    with pytest.raises(WebhookSignatureError):
        client.construct_event(BODY, forged)
    with pytest.raises(WebhookSignatureError):
        construct_event(BODY, forged, client)
    with pytest.raises(WebhookSignatureError):
        verify_signature(BODY, forged, client)


@pytest.mark.parametrize("index", [0, 1], ids=["sync", "async"])
def test_a_client_without_a_key_fails_closed(index: int) -> None:
    """No ``api_key``: every body is refused per request, and a receiver refuses to start."""
    client = _clients(None)[index]
    assert client.api_key is None
    with pytest.raises(WebhookSignatureError, match="no API key"):
        client.construct_event(BODY, compute_signature(BODY, "anything"))
    with pytest.raises(K2ConfigError, match="no API key"):
        WebhookReceiver(client, lambda event: None)


async def test_receivers_take_the_client_for_its_key() -> None:
    """WebhookReceiver and AsyncWebhookReceiver accept a client and verify with its key."""
    sync_client, async_client = _clients(API_KEY)
    seen: list[str | None] = []
    headers = {"X-KopoKopo-Signature": compute_signature(BODY, API_KEY)}
    answer = WebhookReceiver(sync_client, lambda event: seen.append(event.id)).handle(BODY, headers)
    assert answer.status == 200
    async_answer = await AsyncWebhookReceiver(async_client, lambda event: seen.append(event.id)).handle(
        BODY, headers
    )
    assert async_answer.status == 200
    assert len(seen) == 2
    bad = WebhookReceiver(sync_client, lambda event: seen.append(event.id)).handle(
        BODY, {"X-KopoKopo-Signature": compute_signature(BODY, "other")}
    )
    assert bad.status == 401
