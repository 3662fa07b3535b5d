"""Async helpers shared by the sandbox tests (work over loopback and in-process clients alike)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx

from k2connect_sandbox.operations import OperationIndex
from k2connect_sandbox.spec import k2_spec

from . import payloads

T = TypeVar("T")
OPERATIONS = OperationIndex(k2_spec())


async def created(client: httpx.AsyncClient, headers: dict[str, str], path: str, body: Any) -> str:
    """POST a create; assert 201 + an absolute Location under the client's base URL; return it."""
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.content == b""
    location = response.headers["location"]
    assert location.startswith(str(client.base_url).rstrip("/") + "/api/"), location
    return location


async def read(client: httpx.AsyncClient, headers: dict[str, str], location: str) -> dict[str, Any]:
    response = await client.get(location, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def eventually(
    probe: Callable[[], Awaitable[T]], done: Callable[[T], bool], timeout: float = 5.0, interval: float = 0.02
) -> T:
    """Call ``probe`` until ``done(result)``; AssertionError with the last result after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = await probe()
        if done(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s; last: {result!r}")
        await asyncio.sleep(interval)


async def final(
    client: httpx.AsyncClient, headers: dict[str, str], location: str, pending: str
) -> dict[str, Any]:
    """GET ``location`` until its status is no longer ``pending``."""
    return await eventually(
        lambda: read(client, headers, location), lambda b: b["data"]["attributes"]["status"] != pending
    )


async def control(client: httpx.AsyncClient, method: str, path: str, body: Any = None) -> dict[str, Any]:
    response = await client.request(method, path, json=body)
    assert response.status_code in (200, 201), response.text
    found: dict[str, Any] = response.json()
    return found


async def pay_till(
    client: httpx.AsyncClient, till: str = "514459", amount: Any = "100", **extra: Any
) -> dict[str, Any]:
    return await control(
        client,
        "POST",
        "/sandbox/simulate/buygoods_transaction_received",
        {"till_number": till, "amount": amount, **extra},
    )


async def deliveries(client: httpx.AsyncClient, **filters: str) -> list[dict[str, Any]]:
    response = await client.get("/sandbox/deliveries", params=filters)
    found: list[dict[str, Any]] = response.json()["deliveries"]
    return found


async def create_for(
    client: httpx.AsyncClient, headers: dict[str, str], operation_id: str, callback: str
) -> str:
    """Create one resource through ``operation_id`` (with whatever it needs first); return its Location."""
    path, body = await body_for(client, headers, operation_id, callback)
    return await created(client, headers, path, body)


async def body_for(
    client: httpx.AsyncClient, headers: dict[str, str], operation_id: str, callback: str
) -> tuple[str, Any]:
    """The path and a valid body for ``operation_id``, creating first whatever the body refers to."""
    path = OPERATIONS.by_id[operation_id].path
    version = path.split("/")[2]
    body: Any
    if operation_id.endswith("create_webhook_subscription"):
        body = payloads.subscription(callback)
    elif operation_id.endswith("create_incoming_payment"):
        body = payloads.stk(callback)
    elif operation_id == "v2_create_external_recipient":
        body = payloads.recipient("external_recipient")
    elif operation_id.endswith("create_pay_recipient"):
        body = payloads.recipient("pay_recipient")
    elif operation_id == "v1_create_payment":
        recipient = await created(client, headers, "/api/v1/pay_recipients", payloads.recipient())
        body = payloads.payment(callback, recipient.rsplit("/", 1)[1])
    elif operation_id.endswith("create_merchant_wallet"):
        body = payloads.wallet()
    elif operation_id.endswith("create_merchant_bank_account"):
        body = payloads.bank_account()
    elif operation_id == "v1_create_settlement_transfer":
        body = payloads.settlement(callback)
    elif operation_id.endswith("create_polling"):
        body = payloads.polling(callback, "2026-01-01T00:00:00+03:00", "2026-12-31T00:00:00+03:00")
    elif operation_id == "v1_create_transaction_sms_notification":
        event_id = (await pay_till(client))["event_ids"][0]
        body = payloads.sms(callback, event_id)
    elif operation_id == "v2_create_send_money":
        body = payloads.send_money(callback)
    elif operation_id == "v2_create_reversal":
        body = payloads.reversal(callback, "NOSUCHREF1")
    elif operation_id == "v2_create_payment_link":
        body = payloads.payment_link(callback)
    else:
        raise AssertionError(f"no recipe for {operation_id} ({version})")
    return path, body


CREATE_OPERATIONS = sorted(
    op.operation_id
    for op in OPERATIONS
    if op.method == "POST" and op.path.startswith("/api/") and "201" in op.responses
)
GET_BY_ID_OPERATIONS = sorted(
    op.operation_id for op in OPERATIONS if op.method == "GET" and "{id}" in op.path
)
