"""K2OAuth through httpx.MockTransport (sync and async alike), the token request, and secret hygiene."""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

import httpx
import pytest

from k2connect_ext._client import async_connect, connect
from k2connect_ext._exceptions import (
    K2AmbiguousOutcomeError,
    K2AuthError,
    K2ConfigError,
)
from k2connect_ext._oauth import K2OAuth
from k2connect_ext._retry import RetryPolicy
from k2connect_ext._token_manager import AsyncTokenManager, TokenManager
from k2connect_ext._token_stores import AccessToken
from k2connect_ext._translate import raise_for_status
from tests.fakes import FakeClock, FakeK2, error, ok

BASE = "https://sandbox.kopokopo.com"
CLIENT_ID = "lN19fbMMiWlJM0ekQMD4jGbO1jv2LzDXBi4wkGxHypg"
CLIENT_SECRET = "client-secret-6f1d0c9e-must-never-leak"
TOKEN = "access-token-7c1e2b-must-never-leak"
NOW = 1_700_000_000.0
CLOCK = FakeClock(NOW)  # frozen: no test here depends on time passing


def fake_k2() -> FakeK2:
    """A K2 that accepts only the token it issued last (like K2 after a renewal) and otherwise says ok."""
    return FakeK2(default=ok({"ok": True}), token=TOKEN, only_latest_token=True)


def managers(k2: FakeK2) -> tuple[TokenManager, AsyncTokenManager]:
    """Sync and async managers whose fetch goes straight to the fake's token handler."""

    def fetch() -> AccessToken:
        response = k2(httpx.Request("POST", f"{BASE}/oauth/token"))
        return AccessToken.from_token_response(response.json(), CLOCK())

    async def afetch() -> AccessToken:
        return fetch()

    return TokenManager(fetch, clock=CLOCK), AsyncTokenManager(afetch, clock=CLOCK)


async def send(
    mode: str, auth: httpx.Auth | None, k2: FakeK2, method: str, url: str, **kw: Any
) -> httpx.Response:
    """Send one request through a sync or async client on a MockTransport, so both flows share tests."""
    transport = httpx.MockTransport(k2)
    if mode == "sync":
        with httpx.Client(
            transport=transport, base_url=BASE, auth=auth, headers=kw.pop("headers", None)
        ) as c:
            return c.request(method, url, **kw)
    async with httpx.AsyncClient(
        transport=transport, base_url=BASE, auth=auth, headers=kw.pop("headers", None)
    ) as ac:
        return await ac.request(method, url, **kw)


modes = pytest.mark.parametrize("mode", ["sync", "async"])


# --- The flow -------------------------------------------------------------------------------------------


@modes
async def test_sets_bearer_header_over_a_placeholder(mode: str) -> None:
    """The real token replaces the placeholder Authorization that the generated client sets."""
    k2 = fake_k2()
    response = await send(
        mode, K2OAuth(*managers(k2)), k2, "GET", "/api/v1/payments/1", headers={"Authorization": "Bearer x"}
    )
    assert response.status_code == 200
    [request] = k2.api_requests()
    assert request.headers.get_list("Authorization") == [f"Bearer {TOKEN}-1"]


@modes
async def test_reuses_the_token_across_requests(mode: str) -> None:
    """Two requests through one auth make one token fetch."""
    k2 = fake_k2()
    auth = K2OAuth(*managers(k2))
    for _ in range(2):
        assert (await send(mode, auth, k2, "GET", "/api/v1/payments/1")).status_code == 200
    assert k2.issued == 1


@modes
async def test_401_renews_the_token_and_replays_once(mode: str) -> None:
    """A 401 invalidates that token, fetches a new one, and replays the POST with the same body once."""
    k2 = fake_k2()
    sync_manager, async_manager = managers(k2)
    auth = K2OAuth(sync_manager, async_manager)
    await send(mode, auth, k2, "GET", "/api/v1/payments/1")  # caches token 1
    k2.issued += 1  # K2 revokes token 1 behind our back: only token 2 is valid now
    body = {"amount": {"currency": "KES", "value": "10"}}
    response = await send(mode, auth, k2, "POST", "/api/v1/payments", json=body)
    assert response.status_code == 200
    first, second = k2.api_requests()[1:]
    assert first.headers["Authorization"] == f"Bearer {TOKEN}-1"
    assert second.headers["Authorization"] == f"Bearer {TOKEN}-3"
    assert json.loads(first.content) == json.loads(second.content) == body


@modes
async def test_second_401_is_returned_as_is(mode: str) -> None:
    """If the replay also gets 401, the response comes back (for the caller to raise K2AuthError)."""
    k2 = fake_k2()
    k2.api = [error(401), error(401)]
    response = await send(mode, K2OAuth(*managers(k2)), k2, "POST", "/api/v1/payments", json={})
    assert response.status_code == 401
    assert len(k2.api_requests()) == 2
    assert k2.issued == 2
    with pytest.raises(K2AuthError):
        raise_for_status(response)


@modes
async def test_non_401_errors_are_not_replayed(mode: str) -> None:
    """A 403 or 500 is returned after a single request and keeps the token."""
    k2 = fake_k2()
    k2.api = [error(403), error(500)]
    auth = K2OAuth(*managers(k2))
    assert (await send(mode, auth, k2, "GET", "/api/v1/payments/1")).status_code == 403
    assert (await send(mode, auth, k2, "GET", "/api/v1/payments/1")).status_code == 500
    assert len(k2.api_requests()) == 2
    assert k2.issued == 1


@modes
@pytest.mark.parametrize("path", ["/oauth/token", "/oauth/revoke", "/oauth/introspect", "/oauth/token/"])
async def test_oauth_endpoints_pass_through_without_bearer(mode: str, path: str) -> None:
    """Token, revoke and introspect requests carry no bearer header, even a placeholder, and fetch nothing."""
    k2 = fake_k2()
    await send(mode, K2OAuth(*managers(k2)), k2, "POST", path, headers={"Authorization": "Bearer x"}, data={})
    [request] = k2.seen
    assert "Authorization" not in request.headers


@modes
async def test_token_info_is_authenticated(mode: str) -> None:
    """GET /oauth/token/info is not a credentials endpoint: it needs the bearer token."""
    k2 = fake_k2()
    await send(mode, K2OAuth(*managers(k2)), k2, "GET", "/oauth/token/info")
    assert k2.seen[-1].headers["Authorization"] == f"Bearer {TOKEN}-1"


def test_sync_flow_stepped_by_hand() -> None:
    """Driving sync_auth_flow directly: one request, a 401, one replay with the new token, then the end."""
    k2 = fake_k2()
    auth = K2OAuth(managers(k2)[0])
    flow = auth.sync_auth_flow(httpx.Request("GET", f"{BASE}/api/v1/payments/1"))
    first = next(flow)
    assert first.headers["Authorization"] == f"Bearer {TOKEN}-1"
    replay = flow.send(httpx.Response(401, request=first))
    assert replay.headers["Authorization"] == f"Bearer {TOKEN}-2"
    with pytest.raises(StopIteration):
        flow.send(httpx.Response(401, request=replay))


async def test_async_flow_stepped_by_hand() -> None:
    """Driving async_auth_flow directly: a 200 ends the flow after one request."""
    k2 = fake_k2()
    auth = K2OAuth(None, managers(k2)[1])
    flow = auth.async_auth_flow(httpx.Request("GET", f"{BASE}/api/v1/payments/1"))
    first = await flow.__anext__()
    assert first.headers["Authorization"] == f"Bearer {TOKEN}-1"
    with pytest.raises(StopAsyncIteration):
        await flow.asend(httpx.Response(200, request=first))


# --- Construction ---------------------------------------------------------------------------------------


def test_needs_at_least_one_manager() -> None:
    """K2OAuth() without any manager is a configuration error."""
    with pytest.raises(K2ConfigError):
        K2OAuth()


@modes
async def test_flow_without_its_manager_is_a_config_error(mode: str) -> None:
    """A sync-only auth used by an AsyncClient (or the reverse) says so clearly."""
    k2 = fake_k2()
    sync_manager, async_manager = managers(k2)
    auth = K2OAuth(None, async_manager) if mode == "sync" else K2OAuth(sync_manager, None)
    with pytest.raises(K2ConfigError, match=r"no (Async)?TokenManager"):
        await send(mode, auth, k2, "GET", "/api/v1/payments/1")


# --- Secrets --------------------------------------------------------------------------------------------


def test_repr_shows_no_token() -> None:
    """K2OAuth's repr says which flows it serves, nothing more."""
    k2 = fake_k2()
    auth = K2OAuth(*managers(k2))
    assert auth.token_manager is not None
    auth.token_manager.get()
    assert repr(auth) == "K2OAuth(sync=True, async=True)"


@modes
async def test_no_secret_reaches_logs_reprs_or_errors(mode: str, caplog: pytest.LogCaptureFixture) -> None:
    """Across renewals, refusals, retries and ambiguous outcomes, no secret or token is logged or raised."""
    caplog.set_level(logging.DEBUG)
    k2 = fake_k2()
    seen: list[object] = []
    lock = threading.Lock()
    attempts = {"count": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        # Token requests and GETs fail once on the wire (retried); a payment POST times out (ambiguous).
        with lock:
            attempts["count"] += 1
            first = attempts["count"] == 1
        if request.url.path == "/api/v1/payments" and request.method == "POST":
            raise httpx.ReadTimeout("timed out")
        if first:
            raise httpx.ConnectError("refused")
        return k2(request)

    def fake_sleep(_: float) -> None:
        return None

    async def fake_async_sleep(_: float) -> None:
        return None

    policy = RetryPolicy(sleep=fake_sleep, async_sleep=fake_async_sleep)
    payment = {
        "amount": {"value": "10"},
        "client_secret": CLIENT_SECRET,
        "_links": {"callback_url": "https://cb"},
    }

    async def scenario(client: Any, is_async: bool) -> None:
        async def call(method: str, url: str, **kw: Any) -> httpx.Response:
            result = client.request(method, url, **kw)
            return await result if is_async else result  # type: ignore[no-any-return]

        seen.append(client.auth)
        seen.append(client.auth.token_manager if not is_async else client.auth.async_token_manager)
        ok = await call("GET", "/api/v1/payments/1")
        seen.append(ok.request.headers.get("Authorization") == f"Bearer {TOKEN}-1")
        k2.issued += 1  # force a 401 and a renewal
        await call("GET", "/api/v1/payments/1")
        with pytest.raises(K2AmbiguousOutcomeError) as ambiguous:
            await call("POST", "/api/v1/payments", json=payment)
        seen.append(ambiguous.value)
        k2.api = [error(401), error(401)]
        with pytest.raises(K2AuthError) as refused:
            await call("GET", "/api/v1/payments/1")
        seen.append(refused.value)
        k2.credentials_ok = False
        k2.issued += 1  # the cached token goes stale, and its renewal is refused
        with pytest.raises(K2AuthError) as bad_creds:
            await call("GET", "/api/v1/payments/1")
        seen.append(bad_creds.value)

    if mode == "sync":
        generated = connect(
            CLIENT_ID,
            CLIENT_SECRET,
            base_url=BASE,
            transport=httpx.MockTransport(flaky),
            retry=policy,
            clock=CLOCK,
        )
        with generated.get_httpx_client() as client:
            await scenario(client, False)
    else:
        agenerated = async_connect(
            CLIENT_ID,
            CLIENT_SECRET,
            base_url=BASE,
            transport=httpx.MockTransport(flaky),
            retry=policy,
            clock=CLOCK,
        )
        async with agenerated.get_async_httpx_client() as aclient:
            await scenario(aclient, True)

    assert seen[2] is True  # the token really was sent, so the checks below are meaningful
    assert k2.issued >= 2
    texts = [record.getMessage() for record in caplog.records] + [caplog.text]
    for obj in seen:
        texts += [repr(obj), str(obj)]
        if isinstance(obj, BaseException):
            texts += [repr(obj.args), repr(vars(obj)), repr(obj.__cause__)]
    assert any("Retrying" in t for t in texts)  # the retry transport did log
    blob = "\n".join(texts)
    assert CLIENT_SECRET not in blob
    assert TOKEN not in blob
