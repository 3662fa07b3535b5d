"""pytest fixtures for testing code against the k2connect sandbox.

Enable them in a ``conftest.py`` (they are not auto-registered, so installing the package never
changes anyone's test session)::

    pytest_plugins = ["k2connect_sandbox.testing"]

Fixtures:

``k2_sandbox``
    A sandbox served by uvicorn over real HTTP on 127.0.0.1 (a free port), started once per session
    on a background thread and reset before each test. It is a :class:`RunningSandbox`: ``.base_url``,
    ``.client_id``, ``.client_secret``, ``.api_key``, ``.app``, ``.reset()``, ``.deliveries(**filters)``,
    ``.pending_deliveries(**filters)``, ``.wait_for_deliveries(predicate, timeout)``, ``.token()`` and
    ``.control(method, path, json)``.
``k2_sandbox_app``
    A fresh in-process ASGI app per test, for ``httpx.AsyncClient(transport=httpx.ASGITransport(app))``
    (background work runs on the test's event loop, so keep the loop running while you wait for
    callbacks) or ``with starlette.testclient.TestClient(app)``.
``k2_sandbox_config``
    The :class:`SandboxConfig` both use: resolution without delay and fast delivery retries. Override
    it (session scope) in your conftest to change credentials, delays or retry bounds.

Both print nothing. To see a line per callback/webhook delivery attempt while debugging a test::

    console = k2connect_sandbox.attach_delivery_console(k2_sandbox.app)   # stderr (pytest -s shows it)
    ...
    console.close()

``k2_sandbox.base_url`` opened in a browser is the dashboard: deliveries (failures first), resources,
requests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from k2connect_sandbox.app import SandboxApp, create_app
from k2connect_sandbox.config import SandboxConfig
from k2connect_sandbox.server import RunningSandbox, serve_in_thread

__all__ = ["RunningSandbox", "k2_sandbox", "k2_sandbox_app", "k2_sandbox_config", "k2_sandbox_server"]


@pytest.fixture(scope="session")
def k2_sandbox_config() -> SandboxConfig:
    """Sandbox settings for tests: pending resources resolve at once, retries back off from 50 ms."""
    return SandboxConfig(callback_delay=0.0, delivery_initial_backoff=0.05, delivery_max_elapsed=5.0)


@pytest.fixture(scope="session")
def k2_sandbox_server(k2_sandbox_config: SandboxConfig) -> Iterator[RunningSandbox]:
    """The session's sandbox server (use ``k2_sandbox``, which also resets it)."""
    with serve_in_thread(k2_sandbox_config) as running:
        yield running


@pytest.fixture
def k2_sandbox(k2_sandbox_server: RunningSandbox) -> RunningSandbox:
    """The sandbox over loopback HTTP, with empty state."""
    k2_sandbox_server.reset()
    return k2_sandbox_server


@pytest.fixture
def k2_sandbox_app(k2_sandbox_config: SandboxConfig) -> SandboxApp:
    """A fresh in-process sandbox ASGI app."""
    return create_app(k2_sandbox_config)
