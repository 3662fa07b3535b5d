"""One K2 scenario run twice, through the sync and the async client: the ``Runner`` the client tests share.

A test takes a ``runner`` fixture parametrized ``["sync", "async"]`` (each test file declares its own, three
lines) and builds its clients through it, so the same assertions hold for ``K2`` / ``connect()`` and for
``AsyncK2`` / ``async_connect()``. Sleeps and the clock are fake (:class:`tests.fakes.FakeClock`).
"""

from __future__ import annotations

import inspect
import traceback
from collections.abc import Callable
from typing import Any

import httpx
from k2connect_client import AuthenticatedClient

from k2connect_ext import _operations as ops
from k2connect_ext._client import async_connect, connect
from k2connect_ext._constants import SANDBOX_BASE_URL
from k2connect_ext._facade import K2, AsyncK2
from k2connect_ext._polling import PollSettings
from k2connect_ext._retry import RetryPolicy
from tests.fakes import PID, FakeClock, FakeK2

BASE = SANDBOX_BASE_URL
CLIENT_ID = "client-id-3f9a"
SECRET = "client-secret-5b1e-must-never-leak"
LOCATION = f"{BASE}/api/v2/incoming_payments/{PID}"
CB = "https://example.com/k2/result"
STK_ARGS: dict[str, Any] = {
    "phone_number": "0712345678",
    "amount": 100,
    "till_number": "K000000",
    "callback_url": CB,
}


class Runner:
    """Builds a K2 or an AsyncK2 (or a bare client) on a FakeK2, and calls either the same way."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.clock = FakeClock()
        self.retry = RetryPolicy(
            sleep=self.clock.sleep, async_sleep=self.clock.asleep, random=lambda: 0.0, clock=self.clock
        )

    def k2(self, server: FakeK2, **kwargs: Any) -> K2 | AsyncK2:
        """A facade of this runner's mode, with fake sleeps everywhere."""
        options: dict[str, Any] = {
            "transport": httpx.MockTransport(server),
            "retry": self.retry,
            "poll": PollSettings(clock=self.clock),
            "sleep": self.clock.sleep if self.mode == "sync" else self.clock.asleep,
            **kwargs,
        }
        cls = K2 if self.mode == "sync" else AsyncK2
        return cls(CLIENT_ID, SECRET, **options)

    def connect(self, server: FakeK2, **kwargs: Any) -> AuthenticatedClient:
        """A bare generated client of this runner's mode."""
        factory = connect if self.mode == "sync" else async_connect
        return factory(CLIENT_ID, SECRET, transport=httpx.MockTransport(server), retry=self.retry, **kwargs)

    def http(self, client: AuthenticatedClient) -> httpx.Client | httpx.AsyncClient:
        """The httpx client behind a generated client."""
        return client.get_httpx_client() if self.mode == "sync" else client.get_async_httpx_client()

    async def op(self, module: Any, *args: Any, client: AuthenticatedClient, **kwargs: Any) -> Any:
        """Call a generated operation's sync_detailed or asyncio_detailed."""
        if self.mode == "sync":
            return module.sync_detailed(*args, client=client, **kwargs)
        return await module.asyncio_detailed(*args, client=client, **kwargs)

    @staticmethod
    async def run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call a facade method, awaiting it if it is a coroutine."""
        result = fn(*args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result


def stk_body() -> Any:
    """A valid STK push request body."""
    return ops.stk_push(**STK_ARGS).body


def chain_text(error: BaseException) -> str:
    """Everything a logged traceback of ``error`` would show."""
    return "".join(traceback.format_exception(error))
