"""The pytest plugin users import (k2connect_sandbox.testing): its fixtures as documented."""

from __future__ import annotations

import httpx
import pytest

from k2connect_sandbox.app import SandboxApp
from k2connect_sandbox.server import RunningSandbox

from . import payloads
from .receiver import Receiver

pytestmark = pytest.mark.sandbox


def test_k2_sandbox_fixture(k2_sandbox: RunningSandbox, receiver: Receiver) -> None:
    """k2_sandbox serves over loopback and exposes credentials, the app, deliveries() and reset()."""
    assert k2_sandbox.base_url.startswith("http://127.0.0.1:")
    assert (k2_sandbox.client_id, k2_sandbox.client_secret, k2_sandbox.api_key) == (
        "sandbox-client-id",
        "sandbox-client-secret",
        "sandbox-api-key",
    )
    assert isinstance(k2_sandbox.app, SandboxApp)
    url = receiver.url("plugin")
    headers = {"Authorization": f"Bearer {k2_sandbox.token()}"}
    response = httpx.post(
        f"{k2_sandbox.base_url}/api/v1/incoming_payments", json=payloads.stk(url), headers=headers
    )
    assert response.status_code == 201
    (delivery,) = k2_sandbox.wait_for_deliveries(lambda found: len(found) == 1, kind="callback")
    assert delivery["url"] == url and delivery["delivered"] is True
    k2_sandbox.reset()
    assert k2_sandbox.deliveries() == []


async def test_k2_sandbox_app_fixture(k2_sandbox_app: SandboxApp) -> None:
    """k2_sandbox_app is an in-process ASGI app for httpx.ASGITransport."""
    transport = httpx.ASGITransport(app=k2_sandbox_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        assert (await client.get("/sandbox/health")).json() == {"status": "ok"}
        spec = (await client.get("/sandbox/openapi.json")).json()
        assert spec["openapi"].startswith("3.1")
