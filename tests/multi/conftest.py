"""Fixtures for the many-process tests: a real redis-server, a real PostgreSQL and a sandbox over loopback.

Redis and PostgreSQL come from tests/conftest.py. The sandbox runs in this process (so the test can count
what it issued); the workers under test are separate processes, as on several machines.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from k2connect_sandbox.config import SandboxConfig
from k2connect_sandbox.server import RunningSandbox, serve_in_thread

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "build" / "test-artifacts"


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[RunningSandbox]:
    config = SandboxConfig(
        callback_delay=0.0, delivery_initial_backoff=0.05, delivery_max_elapsed=30.0, delivery_max_attempts=8
    )
    with serve_in_thread(config) as running:
        yield running


@pytest.fixture
def sandbox(sandbox_server: RunningSandbox) -> RunningSandbox:
    sandbox_server.reset()
    return sandbox_server


def tokens_issued(sandbox: RunningSandbox) -> int:
    """How many access tokens the sandbox has issued since its last reset."""
    return sandbox.app.sandbox.store.count("tokens")
