"""Bad input at the sandbox: answered 400 at validation, and never able to make a later request fail.

Before these fixes a create holding a lone surrogate escape (``"\\ud800"``, valid JSON grammar but not
Unicode) was answered 201; every later GET of it and ``/sandbox/ledger`` then answered 500 until a reset,
because the stored text cannot be encoded as UTF-8, and its callback task died with nothing recorded.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
import pytest

from k2connect_sandbox.app import SandboxApp
from k2connect_sandbox.delivery import DeliveryService, Notification
from k2connect_sandbox.tables import INCOMING_PAYMENTS

from . import payloads
from .flows import CREATE_OPERATIONS, body_for, deliveries, eventually

pytestmark = pytest.mark.sandbox

CALLBACK = "http://127.0.0.1:9/k2/callback"  # nothing listens on port 9: deliveries fail fast
STATE_PATHS = ("/sandbox/ledger", "/sandbox/deliveries", "/sandbox/events")


def _last_string(node: Any, path: tuple[str | int, ...] = ()) -> tuple[str | int, ...] | None:
    """The path of the last string leaf of ``node`` in document order (None if it has none)."""
    found: tuple[str | int, ...] | None = None
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        found = (*path, key) if isinstance(value, str) else _last_string(value, (*path, key)) or found
    return found


def _set(node: Any, path: tuple[str | int, ...], value: Any) -> None:
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


def _name(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


async def _states_answer(client: httpx.AsyncClient, headers: dict[str, str], locations: list[str]) -> None:
    for path in (*STATE_PATHS, *locations):
        response = await client.get(path, headers=headers)
        assert response.status_code < 500, (path, response.status_code, response.text[:200])


@pytest.mark.parametrize("operation_id", CREATE_OPERATIONS)
async def test_lone_surrogate_value_is_400_naming_the_field(
    asgi: httpx.AsyncClient, aauth: dict[str, str], operation_id: str
) -> None:
    """A string holding a lone surrogate escape is a 400 in K2's error shape that names the field."""
    path, body = await body_for(asgi, aauth, operation_id, CALLBACK)
    where = _last_string(body)
    assert where is not None
    _set(body, where, "ok \ud800 then")
    raw = json.dumps(body).encode()  # ensure_ascii: the surrogate travels as the escape \ud800
    assert b"\\ud800" in raw
    response = await asgi.post(path, content=raw, headers={**aauth, "Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["error_code"] == 400
    assert _name(where) in error["error_message"] and "Unicode" in error["error_message"]
    await _states_answer(asgi, aauth, [])


async def test_lone_surrogate_in_a_key_is_400(asgi: httpx.AsyncClient, aauth: dict[str, str]) -> None:
    """An object key with a lone surrogate is refused too, naming the object that holds it."""
    body = payloads.stk(CALLBACK)
    body["metadata"]["\udc80note"] = "x"
    response = await asgi.post(
        "/api/v1/incoming_payments",
        content=json.dumps(body).encode(),
        headers={**aauth, "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
    message = response.json()["error_message"]
    assert "metadata" in message and "Unicode" in message


async def test_lone_surrogate_at_the_control_api_is_400(asgi: httpx.AsyncClient) -> None:
    """The control API parses with the same rules: a simulation cannot store undecodable text either."""
    raw = json.dumps({"till_number": "514459", "amount": "10", "first_name": "\ud83d"}).encode()
    response = await asgi.post(
        "/sandbox/simulate/buygoods_transaction_received",
        content=raw,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert "first_name" in response.json()["error_message"]
    assert (await asgi.get("/sandbox/ledger")).status_code == 200


async def test_a_valid_surrogate_pair_is_accepted(asgi: httpx.AsyncClient, aauth: dict[str, str]) -> None:
    """A properly paired escape (an emoji) is ordinary Unicode: accepted, and readable afterwards."""
    body = payloads.stk(CALLBACK)
    body["subscriber"]["first_name"] = "Joe \U0001f600"
    raw = json.dumps(body).encode()
    assert b"\\ud83d\\ude00" in raw
    response = await asgi.post(
        "/api/v1/incoming_payments", content=raw, headers={**aauth, "Content-Type": "application/json"}
    )
    assert response.status_code == 201, response.text
    await _states_answer(asgi, aauth, [response.headers["location"]])


async def test_deep_nesting_is_400_not_500(asgi: httpx.AsyncClient, aauth: dict[str, str]) -> None:
    """Nesting far past anything K2 takes is refused before validation walks it."""
    body = payloads.stk(CALLBACK)
    raw = json.dumps(body).replace('"123456789"', "[" * 3000 + "]" * 3000).encode()
    response = await asgi.post(
        "/api/v1/incoming_payments", content=raw, headers={**aauth, "Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert "nested" in response.json()["error_message"]


# ----------------------------------------------------------------------- failing background work


async def test_failed_resolution_is_logged_recorded_and_never_a_500(
    k2_sandbox_app: SandboxApp,
    asgi: httpx.AsyncClient,
    aauth: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A resolver that crashes leaves the resource readable (still pending) and records the lost callback."""

    def broken(record: dict[str, Any]) -> Any:
        raise RuntimeError("resolver bug")

    k2_sandbox_app.sandbox.lifecycle._resolvers[INCOMING_PAYMENTS] = broken
    caplog.set_level(logging.ERROR, logger="k2connect_sandbox")
    response = await asgi.post("/api/v1/incoming_payments", json=payloads.stk(CALLBACK), headers=aauth)
    assert response.status_code == 201, response.text
    location = response.headers["location"]
    resource_id = location.rsplit("/", 1)[1]
    found = await eventually(lambda: deliveries(asgi, resource_id=resource_id), bool)
    [entry] = found
    assert entry["kind"] == "callback" and entry["delivered"] is False and entry["url"] == CALLBACK
    assert "RuntimeError" in entry["error"]
    for _ in range(2):  # the GET that would resolve it again, and the one after
        read = await asgi.get(location, headers=aauth)
        assert read.status_code == 200, read.text
        assert read.json()["data"]["attributes"]["status"] == "Pending"
    assert any("resolver" in record.getMessage() or record.exc_info for record in caplog.records)
    await _states_answer(asgi, aauth, [location])


async def test_unencodable_notification_is_recorded_not_lost(
    k2_sandbox_app: SandboxApp, asgi: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A body that cannot be encoded as UTF-8 is recorded as not sent (and logged), never a silent death."""
    caplog.set_level(logging.ERROR, logger="k2connect_sandbox")
    service = k2_sandbox_app.sandbox.deliveries
    service.send(
        Notification(kind="webhook", url=CALLBACK, body={"name": "\ud800"}, topic="t", event_id="e1")
    )
    [entry] = await eventually(lambda: deliveries(asgi, event_id="e1"), bool)
    assert entry["delivered"] is False and entry["status_code"] is None
    assert "encoded" in entry["error"]
    assert caplog.records, "the failure must be logged"


async def test_crashing_delivery_task_is_recorded(
    k2_sandbox_app: SandboxApp,
    asgi: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An unexpected exception inside a delivery task ends up in /sandbox/deliveries and the log."""

    async def crash(self: DeliveryService, *args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(0)
        raise RuntimeError("delivery bug")

    monkeypatch.setattr(DeliveryService, "_attempt", crash)
    caplog.set_level(logging.ERROR, logger="k2connect_sandbox")
    k2_sandbox_app.sandbox.deliveries.send(
        Notification(kind="callback", url=CALLBACK, body={"ok": True}, topic="t", resource_id="r1")
    )
    [entry] = await eventually(lambda: deliveries(asgi, resource_id="r1"), bool)
    assert entry["delivered"] is False and "RuntimeError" in entry["error"]
    assert any(record.exc_info for record in caplog.records)


async def test_failed_follow_up_webhook_is_logged_never_a_500(
    k2_sandbox_app: SandboxApp,
    asgi: httpx.AsyncClient,
    aauth: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A settlement whose follow-up webhook fails still resolves, reads 200, and the failure is logged."""

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("webhook publisher bug")

    monkeypatch.setattr(k2_sandbox_app.sandbox.simulator, "settlement_completed", broken)
    caplog.set_level(logging.ERROR, logger="k2connect_sandbox")
    response = await asgi.post(
        "/api/v1/settlement_transfers", json=payloads.settlement(CALLBACK, value="10"), headers=aauth
    )
    assert response.status_code == 201, response.text
    location = response.headers["location"]
    body = await eventually(
        lambda: asgi.get(location, headers=aauth),
        lambda r: r.status_code >= 500 or r.json()["data"]["attributes"]["status"] != "Pending",
    )
    assert body.status_code == 200, body.text
    assert any("follow-up" in record.getMessage() for record in caplog.records)
    await _states_answer(asgi, aauth, [location])
