"""Fault injection: every fault kind, over real loopback HTTP and in-process."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from k2connect_sandbox.app import create_app
from k2connect_sandbox.config import SandboxConfig
from k2connect_sandbox.server import RunningSandbox

from . import payloads
from .conformance import problems
from .conftest import ASGI_BASE, atoken_of
from .flows import control
from .receiver import Receiver

pytestmark = pytest.mark.sandbox

STK = "/api/v1/incoming_payments"
CREATE = "v1_create_incoming_payment"


@pytest.fixture(params=["loopback", "asgi"])
async def raw(
    request: pytest.FixtureRequest, k2_sandbox_server: RunningSandbox, k2_sandbox_config: SandboxConfig
) -> AsyncIterator[httpx.AsyncClient]:
    """A client without the conformance hook (some faults are non-conforming on purpose)."""
    if request.param == "loopback":
        k2_sandbox_server.reset()
        async with httpx.AsyncClient(base_url=k2_sandbox_server.base_url, trust_env=False) as c:
            yield c
        return
    app = create_app(k2_sandbox_config)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ASGI_BASE) as c:
        yield c
    await app.sandbox.scheduler.aclose()


async def _arm(
    client: httpx.AsyncClient, kind: str, operation_id: str = CREATE, **extra: Any
) -> dict[str, Any]:
    return await control(
        client, "POST", "/sandbox/faults", {"operation_id": operation_id, "kind": kind, **extra}
    )


def _conforms(response: httpx.Response) -> list[str]:
    return problems(
        response.request.method,
        str(response.request.url),
        response.status_code,
        response.headers,
        response.content,
    )


@pytest.mark.parametrize(("kind", "status"), [("status_500", 500), ("status_503", 503), ("status_429", 429)])
async def test_status_faults(raw: httpx.AsyncClient, kind: str, status: int) -> None:
    """status_* faults answer that status (with Retry-After for 429/503) for `count` requests, then normal."""
    headers = {"Authorization": f"Bearer {await atoken_of(raw)}"}
    await _arm(raw, kind, count=2, retry_after=7)
    for _ in range(2):
        response = await raw.post(STK, json=payloads.stk("https://e.com/cb"), headers=headers)
        assert response.status_code == status and response.json()["error_code"] == status
        assert response.headers.get("retry-after") == ("7" if status != 500 else None)
        assert _conforms(response) == []
    assert (await raw.post(STK, json=payloads.stk("https://e.com/cb"), headers=headers)).status_code == 201


async def test_faults_fire_before_authentication(raw: httpx.AsyncClient) -> None:
    """A fault answers even a request that would have been a 401."""
    await _arm(raw, "status_503", "v2_get_payment_link")
    assert (await raw.get("/api/v2/payment_links/x")).status_code == 503
    assert (await raw.get("/api/v2/payment_links/x")).status_code == 401


async def test_slow_fault(raw: httpx.AsyncClient) -> None:
    """slow delays the answer by `delay` seconds and then answers normally."""
    await _arm(raw, "slow", "request_access_token", delay=0.3)
    started = time.monotonic()
    response = await raw.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "sandbox-client-id",
            "client_secret": "sandbox-client-secret",
        },
    )
    assert time.monotonic() - started >= 0.3
    assert response.status_code == 200 and response.json()["access_token"]


# Over loopback a dropped connection surfaces as either, depending on whether the close or the read wins.
CONNECTION_ENDED = (httpx.RemoteProtocolError, httpx.ReadError)


async def test_drop_fault_closes_without_response(raw: httpx.AsyncClient, receiver: Receiver) -> None:
    """drop ends the request with no response at all (nothing is created); the next call works."""
    headers = {"Authorization": f"Bearer {await atoken_of(raw)}"}
    await _arm(raw, "drop")
    url = receiver.url("dropped")
    with pytest.raises(CONNECTION_ENDED):
        await raw.post(STK, json=payloads.stk(url), headers=headers)
    assert (await raw.post(STK, json=payloads.stk("https://e.com/cb"), headers=headers)).status_code == 201
    assert receiver.received(url) == []


async def test_drop_after_processing_still_creates(raw: httpx.AsyncClient, receiver: Receiver) -> None:
    """With after_processing the create happens (its callback arrives) but the client sees a drop."""
    headers = {"Authorization": f"Bearer {await atoken_of(raw)}"}
    await _arm(raw, "drop", after_processing=True)
    url = receiver.url("dropped-late")
    with pytest.raises(CONNECTION_ENDED):
        await raw.post(STK, json=payloads.stk(url), headers=headers)
    (callback,) = await receiver.await_for(url)
    assert b'"status":"Success"' in callback.body


async def test_malformed_json_fault(raw: httpx.AsyncClient) -> None:
    """malformed_json keeps the status and content type but the body does not parse."""
    await _arm(raw, "malformed_json", "request_access_token")
    response = await raw.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "sandbox-client-id",
            "client_secret": "sandbox-client-secret",
        },
    )
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    with pytest.raises(ValueError):
        response.json()
    headers = {"Authorization": f"Bearer {await atoken_of(raw)}"}
    await _arm(raw, "malformed_json")
    created = await raw.post(STK, json=payloads.stk("https://e.com/cb"), headers=headers)
    assert created.status_code == 201 and created.headers["location"]
    with pytest.raises(ValueError):
        created.json()


async def test_no_location_fault(raw: httpx.AsyncClient) -> None:
    """no_location answers the 201 without its Location header."""
    headers = {"Authorization": f"Bearer {await atoken_of(raw)}"}
    await _arm(raw, "no_location")
    response = await raw.post(STK, json=payloads.stk("https://e.com/cb"), headers=headers)
    assert response.status_code == 201 and "location" not in response.headers


async def test_fault_registry_list_clear_and_validation(raw: httpx.AsyncClient) -> None:
    """Faults are listed, cleared by DELETE, and refused for unknown operations or kinds."""
    await _arm(raw, "status_500", count=3)
    (fault,) = (await control(raw, "GET", "/sandbox/faults"))["faults"]
    assert fault["remaining"] == 3 and fault["operation_id"] == CREATE
    assert (await control(raw, "DELETE", "/sandbox/faults")) == {"cleared": 1}
    assert (await control(raw, "GET", "/sandbox/faults"))["faults"] == []
    unknown = await raw.post("/sandbox/faults", json={"operation_id": "nope", "kind": "drop"})
    assert unknown.status_code == 400 and "nope" in unknown.json()["error_message"]
    bad_kind = await raw.post("/sandbox/faults", json={"operation_id": CREATE, "kind": "explode"})
    assert bad_kind.status_code == 400 and "kind must be one of" in bad_kind.json()["error_message"]
