"""OAuth endpoints: token (form and JSON), revoke, introspect, token info, and their error shapes."""

from __future__ import annotations

import httpx
import pytest

from k2connect_sandbox.app import create_app
from k2connect_sandbox.clock import ManualClock
from k2connect_sandbox.config import SandboxConfig

from .conformance import async_hook
from .conftest import ASGI_BASE, CREDENTIALS, atoken_of, token_of

pytestmark = pytest.mark.sandbox

JSON_CREDENTIALS = dict(CREDENTIALS)


def test_token_form_encoded_over_loopback(live: httpx.Client) -> None:
    """A form-encoded token request over real HTTP returns a Doorkeeper-style token."""
    response = live.post("/oauth/token", data=CREDENTIALS)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "created_at"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert isinstance(body["created_at"], int)


def test_token_json_over_loopback(live: httpx.Client) -> None:
    """A JSON token request (as the Ruby SDK sends it) is accepted too."""
    response = live.post("/oauth/token", json=JSON_CREDENTIALS)
    assert response.status_code == 200 and response.json()["token_type"] == "Bearer"


async def test_token_both_encodings_in_process(asgi: httpx.AsyncClient) -> None:
    """Both encodings work through httpx.ASGITransport as well."""
    for kwargs in ({"data": CREDENTIALS}, {"json": JSON_CREDENTIALS}):
        response = await asgi.post("/oauth/token", **kwargs)  # type: ignore[arg-type]
        assert response.status_code == 200
        assert response.json()["access_token"]


@pytest.mark.parametrize("secret", ["wrong", "sandbox-client-secret-x"])
def test_token_bad_credentials_is_invalid_client(live: httpx.Client, secret: str) -> None:
    """Wrong credentials answer 401 invalid_client with a description."""
    response = live.post("/oauth/token", data={**CREDENTIALS, "client_secret": secret})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client" and response.json()["error_description"]


@pytest.mark.parametrize("missing", ["grant_type", "client_id", "client_secret"])
def test_token_missing_parameter_is_invalid_request(live: httpx.Client, missing: str) -> None:
    """A missing parameter answers 400 invalid_request naming it."""
    data = {k: v for k, v in CREDENTIALS.items() if k != missing}
    response = live.post("/oauth/token", data=data)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request" and missing in response.json()["error_description"]


def test_token_unsupported_grant_type(live: httpx.Client) -> None:
    """A grant type other than client_credentials answers 400 unsupported_grant_type."""
    response = live.post("/oauth/token", data={**CREDENTIALS, "grant_type": "password"})
    assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"


def test_token_body_that_is_not_an_object(live: httpx.Client) -> None:
    """A JSON body that is not an object answers 400 invalid_request."""
    response = live.post("/oauth/token", content=b"[1, 2]", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_oauth_endpoints_ignore_bearer_null(live: httpx.Client) -> None:
    """Node sends Authorization: Bearer null to the OAuth endpoints; it is ignored."""
    headers = {"Authorization": "Bearer null"}
    token = live.post("/oauth/token", data=CREDENTIALS, headers=headers).json()["access_token"]
    action = {
        "client_id": CREDENTIALS["client_id"],
        "client_secret": CREDENTIALS["client_secret"],
        "token": token,
    }
    introspected = live.post("/oauth/introspect", json=action, headers=headers)
    assert introspected.status_code == 200 and introspected.json()["active"] is True
    assert live.post("/oauth/revoke", json=action, headers=headers).status_code == 200


def test_introspect_shape(live: httpx.Client) -> None:
    """Introspection of a live token has the fixture's fields, with ISO-8601 times in +03:00."""
    token = token_of(live)
    body = live.post("/oauth/introspect", data={**_action(token)}).json()
    assert body["active"] is True and body["scope"] == "" and body["token_type"] == "Bearer"
    assert body["client_id"] == "sandbox-client-id"
    assert body["exp"].endswith("+03:00") and body["iat"].endswith("+03:00")


def test_revoke_then_401_and_inactive(live: httpx.Client) -> None:
    """A revoked token gets 401 on the API and introspects as inactive."""
    token = token_of(live)
    assert live.post("/oauth/revoke", data=_action(token)).json() == {}
    response = live.get(f"/api/v1/incoming_payments/{'0' * 8}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and "revoked" in response.json()["error_message"]
    assert live.post("/oauth/introspect", json=_action(token)).json() == {"active": False}


def test_revoke_unknown_token_is_200(live: httpx.Client) -> None:
    """Revoking an unknown token still answers 200 {} (RFC 7009)."""
    assert live.post("/oauth/revoke", data=_action("nope")).json() == {}


def test_revoke_and_introspect_need_client_credentials(live: httpx.Client) -> None:
    """Revoke/introspect with wrong credentials answer 401; without a token, 400."""
    bad = {**_action("x"), "client_secret": "wrong"}
    assert live.post("/oauth/revoke", data=bad).json()["error"] == "invalid_client"
    assert live.post("/oauth/introspect", data=bad).status_code == 401
    response = live.post("/oauth/introspect", data={k: v for k, v in _action("x").items() if k != "token"})
    assert response.status_code == 400 and "token" in response.json()["error_description"]


def test_token_info(live: httpx.Client) -> None:
    """GET /oauth/token/info describes the bearer token like the fixture does."""
    token = token_of(live)
    body = live.get("/oauth/token/info", headers={"Authorization": f"Bearer {token}"}).json()
    assert body["resource_owner_id"] is None and body["scope"] == []
    assert body["application"] == {"uid": "sandbox-client-id"}
    assert 3595 <= body["expires_in"] <= 3600 and isinstance(body["created_at"], int)


def test_token_info_without_valid_token(live: httpx.Client) -> None:
    """Token info without a (valid) bearer answers 401 in the OAuth error shape."""
    assert live.get("/oauth/token/info").json()["error"] == "invalid_token"
    response = live.get("/oauth/token/info", headers={"Authorization": "Bearer unknown"})
    assert response.status_code == 401 and response.json()["error"] == "invalid_token"


async def test_token_expires_after_ttl() -> None:
    """With a manual clock, a token is accepted until token_ttl passes, then 401 'expired'."""
    clock = ManualClock()
    app = create_app(SandboxConfig(token_ttl=60, clock=clock, callback_delay=0))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url=ASGI_BASE, event_hooks={"response": [async_hook]}
    ) as c:
        token = await atoken_of(c)
        headers = {"Authorization": f"Bearer {token}"}
        assert (await c.get("/api/v2/payment_links/unknown", headers=headers)).status_code == 404
        clock.advance(61)
        response = await c.get("/api/v2/payment_links/unknown", headers=headers)
        assert response.status_code == 401 and "expired" in response.json()["error_message"]
        info = await c.post("/oauth/introspect", data=_action(token))
        assert info.json() == {"active": False}


def _action(token: str) -> dict[str, str]:
    return {
        "client_id": CREDENTIALS["client_id"],
        "client_secret": CREDENTIALS["client_secret"],
        "token": token,
    }
