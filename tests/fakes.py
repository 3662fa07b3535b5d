"""Fakes shared by the tests: a clock that moves only when told to, and a tiny K2 for ``httpx.MockTransport``.

``FakeClock`` stands in for ``time.monotonic``/``time.time`` and for the sleeps the code under test takes
(``RetryPolicy(sleep=..., async_sleep=..., clock=...)``, ``PollSettings(clock=...)``, token managers and
deduplicators). Nothing really waits: a sleep records its length and moves the clock on.

``FakeK2`` is a K2 Connect server in one callable: hand it to ``httpx.MockTransport`` (or to anything that
takes a ``Callable[[httpx.Request], httpx.Response]``). It issues numbered OAuth tokens, plays a script of
replies, then answers like K2 usually does, and keeps a copy of every request it saw::

    server = FakeK2(error(503), reply(200, incoming_payment("Success")))
    client = connect("id", "secret", transport=httpx.MockTransport(server))
    ...
    assert [r.method for r in server.api_requests()] == ["GET", "GET"]
    assert server.token_requests()[0].url.path == "/oauth/token"

The ``fake_clock`` fixture in ``tests/conftest.py`` gives a fresh ``FakeClock``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

import httpx

Reply = Callable[[httpx.Request], httpx.Response]
"""One scripted answer of the fake K2: a request in, a response out (or a raised transport error)."""

BASE = "https://sandbox.kopokopo.com"
PID = "c9f1a2b3-0000-4d5e-8f90-123456789abc"
"""The id of every resource the fake K2 creates or reads, unless told otherwise."""
TOKEN = "access-token-d41c-must-never-leak"
"""What the fake K2's tokens start with, unless told otherwise: tests look for it where no token belongs."""


# ---------------------------------------------------------------------------------- the clock
class FakeClock:
    """Seconds that move only when the code under test sleeps, or when a test sets ``now``.

    Call it for the time. ``sleep`` and ``asleep`` (its awaitable twin) record each length in ``sleeps``
    and advance ``now`` by it; a negative sleep is a bug in the code under test and fails the test.
    ``now`` starts at 1000.0 (any positive number: a monotonic clock has no meaningful origin); pass a
    wall-clock epoch where the code compares it with timestamps K2 sends.
    """

    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        """Record the sleep and move the clock on by it."""
        assert seconds >= 0, f"slept a negative time: {seconds}"
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        """The awaitable twin of ``sleep``."""
        self.sleep(seconds)


# ---------------------------------------------------------------------------------- scripted replies
def reply(status: int, payload: Any = None, headers: dict[str, str] | None = None) -> Reply:
    """Answer ``status`` with ``payload`` as the JSON body (``null`` when None) and the given headers."""
    return lambda request: httpx.Response(status, json=payload, headers=headers)


def ok(payload: Any) -> Reply:
    """Answer 200 with a JSON body."""
    return reply(200, payload)


def error(status: int, headers: dict[str, str] | None = None) -> Reply:
    """Answer an error status with a body in K2's error format."""
    return reply(status, {"error_code": status, "error_message": f"K2 says {status}"}, headers)


def raises(exc: Exception) -> Reply:
    """Raise ``exc`` instead of answering, as a dead network or a hung-up server would."""

    def fail(request: httpx.Request) -> httpx.Response:
        raise exc

    return fail


def incoming_payment(status: str, errors: Any = None, resource_id: str = PID) -> dict[str, Any]:
    """An incoming payment (STK push) resource as K2 returns it."""
    return {
        "data": {
            "id": resource_id,
            "type": "incoming_payment",
            "attributes": {
                "initiation_time": "2020-10-21T07:40:00.927+03:00",
                "status": status,
                "event": {"type": "Incoming Payment Request", "resource": None, "errors": errors},
                "metadata": {"reference": "123456"},
                "_links": {
                    "callback_url": "https://example.com/cb",
                    "self": f"{BASE}/api/v2/incoming_payments/{resource_id}",
                },
            },
        }
    }


# ---------------------------------------------------------------------------------- the server
class FakeK2:
    """A tiny K2: OAuth tokens, scripted API answers, K2's usual answers, and a record of every request.

    How it answers a request:

    * ``POST /oauth/token``: the next of ``token_replies`` if any is left; else, when ``credentials_ok``
      is false, 401 ``invalid_client`` (K2's answer to a wrong secret); else a new token
      ``f"{token}-{n}"``, n counting from 1 (``issued`` is the last n; ``current_token`` that token).
    * any other request: the next of the ``api`` replies if any is left (first in, first out); else,
      with ``only_latest_token``, 401 unless it bears ``current_token`` (K2 after a renewal); else
      ``default`` (K2's usual answers below, when not given).

    K2's usual answers: 200 to ``/oauth/revoke``, an active token to ``/oauth/introspect``, 2776 s left
    to ``/oauth/token/info``, 200 with a message to a ``POST .../cancel``, 201 with ``Location:
    {BASE}{path}/{resource_id}`` to any other POST, and a successful incoming payment to any GET.

    A copy of each request goes to ``seen`` before it is answered (a copy because the auth flow re-sends
    the same ``httpx.Request`` object with a new header). The fake is safe to share between threads; a
    test may change the attributes between requests (for instance set ``api`` or bump ``issued`` to
    make K2 forget the token it issued last).
    """

    def __init__(
        self,
        *api: Reply,
        token_replies: Iterable[Reply] = (),
        default: Reply | None = None,
        token: str = TOKEN,
        resource_id: str = PID,
        client_id: str = "client-id",
        only_latest_token: bool = False,
    ) -> None:
        self.api = list(api)
        self.token_replies = list(token_replies)
        self.default = default or self.usual_answer
        self.token = token
        self.resource_id = resource_id
        self.client_id = client_id
        self.only_latest_token = only_latest_token
        self.credentials_ok = True
        self.seen: list[httpx.Request] = []
        self.issued = 0
        self._lock = threading.Lock()

    @property
    def current_token(self) -> str:
        """The token issued last: the only one K2 accepts when ``only_latest_token`` is set."""
        return f"{self.token}-{self.issued}"

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.seen.append(
                httpx.Request(
                    request.method, request.url, headers=request.headers.copy(), content=request.content
                )
            )
            if request.url.path == "/oauth/token":
                if self.token_replies:
                    return self.token_replies.pop(0)(request)
                if not self.credentials_ok:
                    body = {"error": "invalid_client", "error_description": "Client authentication failed"}
                    return httpx.Response(401, json=body)
                self.issued += 1
                token = {"access_token": self.current_token, "token_type": "Bearer", "expires_in": 3600}
                return httpx.Response(200, json=token)
            if self.api:
                scripted = self.api.pop(0)
            elif (
                self.only_latest_token
                and request.headers.get("Authorization") != f"Bearer {self.current_token}"
            ):
                scripted = reply(401, {"error_code": 401, "error_message": "InvalidAccessToken"})
            else:
                scripted = self.default
        return scripted(request)

    def usual_answer(self, request: httpx.Request) -> httpx.Response:
        """What K2 answers once the script is spent (see the class docstring)."""
        path = request.url.path
        if path == "/oauth/revoke":
            return httpx.Response(200, json={})
        if path == "/oauth/introspect":
            body = {"active": True, "scope": "", "client_id": self.client_id, "token_type": "Bearer"}
            return httpx.Response(200, json=body)
        if path == "/oauth/token/info":
            info = {"expires_in": 2776, "application": {"uid": self.client_id}, "scope": []}
            return httpx.Response(200, json=info)
        if request.method == "POST" and path.endswith("/cancel"):
            return httpx.Response(200, json={"message": "Payment link cancelled."})
        if request.method == "POST":
            return httpx.Response(201, headers={"Location": f"{BASE}{path}/{self.resource_id}"})
        return httpx.Response(200, json=incoming_payment("Success", resource_id=self.resource_id))

    def by_path(self, path: str) -> list[httpx.Request]:
        """The requests to one path."""
        return [r for r in self.seen if r.url.path == path]

    def api_requests(self) -> list[httpx.Request]:
        """Every request but the token requests."""
        return [r for r in self.seen if r.url.path != "/oauth/token"]

    def token_requests(self) -> list[httpx.Request]:
        """The requests to ``/oauth/token``."""
        return self.by_path("/oauth/token")
