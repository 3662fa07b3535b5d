"""A backlog of callbacks to a receiver that never answers does not starve the sandbox (issue 17, item 14).

The sandbox runs as users run it (``k2connect-sandbox``, uvicorn over loopback) in a child process whose
descriptor limit is low (256), and every callback goes to a loopback TCP server that accepts and
reads but never answers. Far more STK pushes than the limit are fired; the sandbox must go on
answering health checks and API GETs on fresh connections, keep its deliveries to that receiver
within a bounded number of connections, and lose none of them: each one is either in the delivery
log already or listed there as pending.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import selectors
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from k2connect_sandbox.app import create_app
from k2connect_sandbox.config import SandboxConfig
from k2connect_sandbox.server import RunningSandbox, bind_socket

from . import payloads
from .conftest import ASGI_BASE, atoken_of
from .flows import control, created, deliveries, eventually
from .receiver import Receiver

pytestmark = pytest.mark.sandbox

DESCRIPTOR_LIMIT = 256
PUSHES = 400  # far more than the descriptor limit
CHECKS = 10
CHECK_TIMEOUT = 10.0  # generous: a starved sandbox gets no answer at all, a healthy one answers in ms
DELIVERY_CAP = 32  # SandboxConfig.delivery_concurrency's default

# The sandbox served by uvicorn as users run it, in a child whose descriptor limit is set before anything
# else (a launcher rather than preexec_fn, which is unsafe in a parent with threads). Its attempts time
# out after 30 s instead of 5 s, so a descriptor held by an attempt stays held for the whole test.
LAUNCHER = f"""
import resource
resource.setrlimit(resource.RLIMIT_NOFILE, ({DESCRIPTOR_LIMIT}, {DESCRIPTOR_LIMIT}))
import uvicorn
from k2connect_sandbox.app import create_app
from k2connect_sandbox.config import SandboxConfig
from k2connect_sandbox.server import RunningSandbox, bind_socket
sock = bind_socket("127.0.0.1", 0)
print(sock.getsockname()[1], flush=True)
app = create_app(SandboxConfig(callback_delay=0, delivery_timeout=30))
uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)).run(sockets=[sock])
"""


class BlackHole:
    """A loopback TCP server that accepts every connection, reads what comes, and never answers."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=1024)
        self._listener.setblocking(False)
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._listener, selectors.EVENT_READ, self._listener)
        self._lock = threading.Lock()
        self._open = 0
        self.most_open = 0
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="black-hole")
        self._thread.start()
        self.base_url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def _run(self) -> None:
        while not self._stop.is_set():
            for key, _ in self._selector.select(timeout=0.05):
                sock: socket.socket = key.data
                if sock is self._listener:
                    with contextlib.suppress(BlockingIOError):
                        conn, _ = sock.accept()
                        conn.setblocking(False)
                        self._selector.register(conn, selectors.EVENT_READ, conn)
                        with self._lock:
                            self.accepted += 1
                            self._open += 1
                            self.most_open = max(self.most_open, self._open)
                    continue
                try:
                    data = sock.recv(65536)
                except OSError:
                    data = b""
                if not data:  # the sandbox gave up on this attempt and closed its side
                    self._selector.unregister(sock)
                    sock.close()
                    with self._lock:
                        self._open -= 1

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for key in list(self._selector.get_map().values()):
            key.data.close()
        self._selector.close()


@pytest.fixture
def black_hole() -> Iterator[BlackHole]:
    hole = BlackHole()
    yield hole
    hole.close()


@pytest.fixture
def starved_sandbox() -> Iterator[str]:
    """A sandbox in a child process limited to 256 descriptors; yields its base URL."""
    with tempfile.TemporaryFile() as stderr:
        child = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER],
            stdout=subprocess.PIPE,
            stderr=stderr,
            cwd=Path(__file__).resolve().parents[2],
        )
        try:
            assert child.stdout is not None
            port = child.stdout.readline().decode().strip()
            if not port.isdigit():
                stderr.seek(0)
                pytest.fail(f"the sandbox did not start: {stderr.read().decode()[-2000:]}")
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while _fresh_get(f"{base}/sandbox/health") != 200:
                assert time.monotonic() < deadline, "the sandbox did not answer its health check"
                time.sleep(0.05)
            yield base
        finally:
            child.terminate()
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            if child.stdout is not None:
                child.stdout.close()


def _fresh_get(url: str, **kwargs: Any) -> int | str:
    """One GET on a connection of its own: the status, or why there was none."""
    try:
        with httpx.Client(trust_env=False, timeout=CHECK_TIMEOUT) as fresh:
            return fresh.get(url, **kwargs).status_code
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"


@pytest.mark.slow
def test_a_backlog_to_a_receiver_that_never_answers_starves_nothing_and_loses_nothing(
    starved_sandbox: str, black_hole: BlackHole
) -> None:
    """400 pushes to a silent receiver under a 256-descriptor limit: every check answered, none lost."""
    base = starved_sandbox
    with httpx.Client(base_url=base, trust_env=False, timeout=CHECK_TIMEOUT) as api:
        token = api.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "sandbox-client-id",
                "client_secret": "sandbox-client-secret",
            },
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        locations: list[str] = []
        refused: list[str] = []
        for number in range(PUSHES):
            body = payloads.stk(f"{black_hole.base_url}/cb/{number}")
            try:
                response = api.post("/api/v1/incoming_payments", json=body, headers=headers)
            except httpx.HTTPError as exc:
                refused.append(f"push {number}: {type(exc).__name__}")
                break
            if response.status_code != 201:
                refused.append(f"push {number}: {response.status_code}")
                break
            locations.append(response.headers["location"])
        assert refused == []

    # Every check on a connection of its own, as a new client (or a health probe) would make it.
    failures = [
        (what, outcome)
        for what, outcome in (
            *((f"health {n}", _fresh_get(f"{base}/sandbox/health")) for n in range(CHECKS)),
            *((f"GET {location}", _fresh_get(location, headers=headers)) for location in locations[-CHECKS:]),
        )
        if outcome != 200
    ]
    assert failures == [], f"{len(failures)} of {2 * CHECKS} checks got no answer: {failures}"

    with httpx.Client(trust_env=False, timeout=CHECK_TIMEOUT) as fresh:
        response = fresh.get(f"{base}/sandbox/deliveries", params={"kind": "callback"})
    assert response.status_code == 200
    log = response.json()
    attempted = {entry["resource_id"] for entry in log["deliveries"]}
    pending = {entry["resource_id"] for entry in log["pending"]}
    ids = {location.rsplit("/", 1)[1] for location in locations}
    assert ids - attempted - pending == set(), "deliveries lost: neither attempted nor pending"
    sending = [entry for entry in log["pending"] if entry["state"] == "sending"]
    assert 0 < len(sending) <= DELIVERY_CAP
    assert any(entry["state"] == "queued" for entry in log["pending"])
    assert black_hole.most_open <= DELIVERY_CAP
    assert SandboxConfig().delivery_concurrency == DELIVERY_CAP


class KeepAliveReceiver:
    """A callback receiver under uvicorn (HTTP/1.1, keep-alive) noting which connection each POST came on."""

    def __init__(self) -> None:
        self.ports: list[int] = []

        async def receive(request: Request) -> Response:
            await request.body()
            assert request.client is not None
            self.ports.append(request.client.port)
            return Response(status_code=200)

        app = Starlette(routes=[Route("/cb/{name}", receive, methods=["POST"])])
        self._sock = bind_socket("127.0.0.1", 0)
        self._server = uvicorn.Server(
            uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", timeout_keep_alive=60)
        )
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._server.serve(sockets=[self._sock])), daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            assert self._thread.is_alive() and time.monotonic() < deadline, "the receiver did not start"
            time.sleep(0.01)
        self.base_url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def close(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()


@pytest.fixture
def keep_alive_receiver() -> Iterator[KeepAliveReceiver]:
    found = KeepAliveReceiver()
    yield found
    found.close()


async def test_deliveries_share_one_pooled_client(
    client: httpx.AsyncClient, headers: dict[str, str], keep_alive_receiver: KeepAliveReceiver
) -> None:
    """Callbacks one after another reuse the pooled connection instead of a new client (and socket) each."""
    for number in range(3):
        url = f"{keep_alive_receiver.base_url}/cb/{number}"
        location = await created(client, headers, "/api/v1/incoming_payments", payloads.stk(url))
        await eventually(
            functools.partial(deliveries, client, resource_id=location.rsplit("/", 1)[1]),
            lambda d: any(e["delivered"] for e in d),
        )
    assert len(keep_alive_receiver.ports) == 3
    assert len(set(keep_alive_receiver.ports)) == 1, keep_alive_receiver.ports


async def test_pending_deliveries_are_listed_by_state_until_a_reset_forgets_them(
    black_hole: BlackHole, receiver: Receiver
) -> None:
    """With one slot: a retry waiting out its backoff, an attempt in flight, and one queued behind it."""
    config = SandboxConfig(
        callback_delay=0,
        delivery_concurrency=1,
        delivery_initial_backoff=60,
        delivery_max_elapsed=600,
        delivery_timeout=60,
    )
    app = create_app(config)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ASGI_BASE) as c:
            headers = {"Authorization": f"Bearer {await atoken_of(c)}"}
            failing = receiver.url("fails-once", fail_first=1)
            retried = await created(c, headers, "/api/v1/incoming_payments", payloads.stk(failing))
            await eventually(lambda: deliveries(c), lambda d: len(d) == 1)
            in_flight = await created(
                c, headers, "/api/v1/incoming_payments", payloads.stk(f"{black_hole.base_url}/cb/1")
            )
            queued = await created(
                c, headers, "/api/v1/incoming_payments", payloads.stk(f"{black_hole.base_url}/cb/2")
            )

            def states(log: dict[str, Any]) -> dict[str, tuple[str, int]]:
                return {entry["resource_id"]: (entry["state"], entry["attempt"]) for entry in log["pending"]}

            expected = {
                retried.rsplit("/", 1)[1]: ("retrying", 2),
                in_flight.rsplit("/", 1)[1]: ("sending", 1),
                queued.rsplit("/", 1)[1]: ("queued", 1),
            }
            log = await eventually(
                lambda: control(c, "GET", "/sandbox/deliveries"), lambda found: states(found) == expected
            )
            assert [(e["status_code"], e["url"]) for e in log["deliveries"]] == [(500, failing)]
            only_queued = await control(
                c, "GET", f"/sandbox/deliveries?resource_id={queued.rsplit('/', 1)[1]}"
            )
            assert [e["state"] for e in only_queued["pending"]] == ["queued"] and only_queued[
                "deliveries"
            ] == []

            await control(c, "POST", "/sandbox/reset")
            assert await control(c, "GET", "/sandbox/deliveries") == {"deliveries": [], "pending": []}
    finally:
        await app.sandbox.scheduler.aclose()
    assert app.sandbox.deliveries.pending() == []


@pytest.mark.parametrize("cap", [0, -1])
def test_delivery_concurrency_must_be_at_least_one(cap: int) -> None:
    """No slot at all would queue every delivery forever."""
    with pytest.raises(ValueError, match="delivery_concurrency"):
        SandboxConfig(delivery_concurrency=cap)


def test_the_plugin_lists_pending_deliveries(k2_sandbox: RunningSandbox, black_hole: BlackHole) -> None:
    """``RunningSandbox.pending_deliveries`` shows a callback still waiting for its receiver's answer."""
    headers = {"Authorization": f"Bearer {k2_sandbox.token()}"}
    url = f"{black_hole.base_url}/cb/plugin"
    response = httpx.post(
        f"{k2_sandbox.base_url}/api/v1/incoming_payments", json=payloads.stk(url), headers=headers
    )
    assert response.status_code == 201
    resource_id = response.headers["location"].rsplit("/", 1)[1]
    deadline = time.monotonic() + 30
    while (
        not (found := k2_sandbox.pending_deliveries(resource_id=resource_id))
        or found[0]["state"] != "sending"
    ):
        assert time.monotonic() < deadline, found
        time.sleep(0.02)
    assert [(entry["url"], entry["attempt"], entry["kind"]) for entry in found] == [(url, 1, "callback")]
    assert k2_sandbox.deliveries(resource_id=resource_id) == []
    k2_sandbox.reset()
    assert k2_sandbox.pending_deliveries() == []
