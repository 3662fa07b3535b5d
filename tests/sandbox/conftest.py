"""Fixtures for the sandbox tests: the plugin's fixtures, a callback receiver, and conforming clients.

The plugin's fixtures are imported rather than enabled with ``pytest_plugins``: pytest only honours
``pytest_plugins`` in the rootdir's conftest, and this directory is not the root. Users of the SDK put
``pytest_plugins = ["k2connect_sandbox.testing"]`` in their own top-level conftest.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from k2connect_sandbox.app import SandboxApp, create_app
from k2connect_sandbox.config import SandboxConfig
from k2connect_sandbox.testing import (
    RunningSandbox,
    k2_sandbox,
    k2_sandbox_app,
    k2_sandbox_config,
    k2_sandbox_server,
)

from .conformance import async_hook, sync_hook
from .receiver import Receiver

__all__ = ["k2_sandbox", "k2_sandbox_app", "k2_sandbox_config", "k2_sandbox_server"]

ASGI_BASE = "http://testserver"


@pytest.fixture(scope="session")
def receiver() -> Iterator[Receiver]:
    """A loopback HTTP receiver for callbacks and webhooks."""
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def live(k2_sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    """A client of the loopback sandbox whose every response is checked against the spec."""
    with httpx.Client(
        base_url=k2_sandbox.base_url, event_hooks={"response": [sync_hook]}, trust_env=False
    ) as client:
        yield client


@pytest.fixture
async def asgi(k2_sandbox_app: SandboxApp) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process client of a fresh sandbox app, every response checked against the spec."""
    transport = httpx.ASGITransport(app=k2_sandbox_app)
    async with httpx.AsyncClient(
        transport=transport, base_url=ASGI_BASE, event_hooks={"response": [async_hook]}
    ) as client:
        yield client
    await k2_sandbox_app.sandbox.scheduler.aclose()


def token_of(client: httpx.Client) -> str:
    response = client.post("/oauth/token", data=CREDENTIALS)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


async def atoken_of(client: httpx.AsyncClient) -> str:
    response = await client.post("/oauth/token", data=CREDENTIALS)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


CREDENTIALS = {
    "grant_type": "client_credentials",
    "client_id": "sandbox-client-id",
    "client_secret": "sandbox-client-secret",
}


@pytest.fixture(params=["loopback", "asgi"])
async def client(
    request: pytest.FixtureRequest, k2_sandbox_server: RunningSandbox, k2_sandbox_config: SandboxConfig
) -> AsyncIterator[httpx.AsyncClient]:
    """An async client of a clean sandbox, once over loopback HTTP (uvicorn) and once in-process
    (httpx.ASGITransport); every response is checked against the spec."""
    hooks = {"response": [async_hook]}
    if request.param == "loopback":
        k2_sandbox_server.reset()
        async with httpx.AsyncClient(
            base_url=k2_sandbox_server.base_url, event_hooks=hooks, trust_env=False
        ) as c:
            yield c
        return
    app = create_app(k2_sandbox_config)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=ASGI_BASE, event_hooks=hooks
    ) as c:
        yield c
    await app.sandbox.scheduler.aclose()


@pytest.fixture
async def headers(client: httpx.AsyncClient) -> dict[str, str]:
    """Authorization header with a fresh token of ``client``'s sandbox."""
    return {"Authorization": f"Bearer {await atoken_of(client)}"}


@pytest.fixture
def auth(live: httpx.Client) -> dict[str, str]:
    """Authorization header for the loopback sandbox."""
    return {"Authorization": f"Bearer {token_of(live)}"}


@pytest.fixture
async def aauth(asgi: httpx.AsyncClient) -> dict[str, str]:
    """Authorization header for the in-process sandbox."""
    return {"Authorization": f"Bearer {await atoken_of(asgi)}"}
