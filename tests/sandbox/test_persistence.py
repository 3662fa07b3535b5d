"""SQLite persistence: a restarted sandbox still knows its tokens and resources, and finishes pending work."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from k2connect_sandbox.app import SandboxApp, create_app
from k2connect_sandbox.config import SandboxConfig

from . import payloads
from .conftest import ASGI_BASE, atoken_of
from .flows import control, created, eventually, read

pytestmark = pytest.mark.sandbox


def _client(app: SandboxApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ASGI_BASE)


async def test_state_survives_a_restart(tmp_path: Path) -> None:
    """Tokens, resources, the ledger and webhook events are read back from the SQLite file."""
    db = str(tmp_path / "sandbox.db")
    first = create_app(SandboxConfig(sqlite_path=db, callback_delay=0, deliver=False))
    async with _client(first) as c:
        headers = {"Authorization": f"Bearer {await atoken_of(c)}"}
        location = await created(c, headers, "/api/v1/merchant_wallets", payloads.wallet())
        event_id = (
            await control(
                c,
                "POST",
                "/sandbox/simulate/buygoods_transaction_received",
                {"till_number": "514459", "amount": 5},
            )
        )["event_ids"][0]
        before = await read(c, headers, location)
    await first.sandbox.scheduler.aclose()
    first.sandbox.store.close()

    second = create_app(SandboxConfig(sqlite_path=db, callback_delay=0, deliver=False))
    async with _client(second) as c:
        assert await read(c, headers, location) == before
        assert len((await control(c, "GET", "/sandbox/ledger"))["transactions"]) == 1
        sms = payloads.sms("https://e.com/cb", event_id)
        assert (
            await c.post("/api/v1/transaction_sms_notifications", json=sms, headers=headers)
        ).status_code == 201
    await second.sandbox.scheduler.aclose()
    second.sandbox.store.close()


async def test_pending_work_resumes_after_a_restart(tmp_path: Path) -> None:
    """A resource left pending by a stopped sandbox resolves in the next one without being read."""
    db = str(tmp_path / "sandbox.db")
    first = create_app(SandboxConfig(sqlite_path=db, callback_delay=60, deliver=False))
    async with _client(first) as c:
        headers = {"Authorization": f"Bearer {await atoken_of(c)}"}
        location = await created(c, headers, "/api/v2/incoming_payments", payloads.stk("https://e.com/cb"))
    await first.sandbox.scheduler.aclose()
    first.sandbox.store.close()

    second = create_app(SandboxConfig(sqlite_path=db, callback_delay=0, deliver=False))
    async with _client(second) as c:
        await c.get("/sandbox/health")  # any request starts the sandbox's background work
        resource_id = location.rsplit("/", 1)[1]
        log = await eventually(
            lambda: control(c, "GET", f"/sandbox/deliveries?resource_id={resource_id}"),
            lambda body: len(body["deliveries"]) == 1,
        )
        assert '"status":"Success"' in log["deliveries"][0]["body"]
    await second.sandbox.scheduler.aclose()
    second.sandbox.store.close()
