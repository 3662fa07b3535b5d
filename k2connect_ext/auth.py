"""OAuth2 client credentials for httpx: ``Authorization: Bearer <token>`` on every K2 call, renewed on a 401.

Typical use, one client for both the token endpoint and the API (token requests pass through untouched)::

    client = httpx.Client(base_url=SANDBOX_BASE_URL, timeout=DEFAULT_TIMEOUT)
    client.auth = K2OAuth.from_credentials(client_id=..., client_secret=..., token_client=client)

The sync and async flows are separate (httpx's ``sync_auth_flow`` / ``async_auth_flow``), each with its own
single-flight manager, so neither blocks the other's threads or event loop.
"""

from __future__ import annotations

import functools
import time
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any

import httpx

from k2connect_ext._constants import (
    ACCEPT_HEADER,
    AUTHORIZATION_HEADER,
    TOKEN_PATH,
    TOKEN_SKEW_SECONDS,
    UNAUTHENTICATED_PATHS,
)
from k2connect_ext.error_mapping import detached, raise_for_status, safe_url, translate_transport_error
from k2connect_ext.errors import K2ConfigError, K2UnexpectedResponseError
from k2connect_ext.token_manager import AsyncTokenManager, TokenManager
from k2connect_ext.tokens import AccessToken, TokenStore

__all__ = ["K2OAuth", "async_request_token", "request_token"]


class K2OAuth(httpx.Auth):
    """Adds K2's bearer token to each request and renews it once when K2 answers 401.

    A 401 is safe to replay even for a POST that moves money: K2 refused the request before acting on it.
    A second 401 is returned as it is, for the caller to raise :class:`~k2connect_ext.errors.K2AuthError`.
    Requests to ``/oauth/token``, ``/oauth/revoke`` and ``/oauth/introspect`` are sent without a bearer
    header: they authenticate with the client credentials in their body.

    Args:
        token_manager: gives tokens to ``httpx.Client`` requests.
        async_token_manager: gives tokens to ``httpx.AsyncClient`` requests.
    """

    def __init__(
        self,
        token_manager: TokenManager | None = None,
        async_token_manager: AsyncTokenManager | None = None,
    ) -> None:
        if token_manager is None and async_token_manager is None:
            raise K2ConfigError("K2OAuth needs a TokenManager, an AsyncTokenManager, or both")
        self.token_manager = token_manager
        self.async_token_manager = async_token_manager

    @classmethod
    def from_credentials(
        cls,
        *,
        client_id: str,
        client_secret: str,
        token_client: httpx.Client | None = None,
        async_token_client: httpx.AsyncClient | None = None,
        store: TokenStore | None = None,
        clock: Callable[[], float] = time.time,
        skew: float = TOKEN_SKEW_SECONDS,
    ) -> K2OAuth:
        """Build managers that fetch tokens with ``client_id``/``client_secret`` through the given clients.

        The clients need K2's base URL; they may be the very clients this auth is attached to. They stay
        owned by the caller, who closes them.

        Raises:
            K2ConfigError: missing credentials, or neither client given.
        """
        if not client_id or not client_secret:
            raise K2ConfigError("client_id and client_secret are required")
        fetch_args: dict[str, Any] = {"client_id": client_id, "client_secret": client_secret, "clock": clock}
        sync_manager = async_manager = None
        if token_client is not None:
            fetch = functools.partial(request_token, token_client, **fetch_args)
            sync_manager = TokenManager(fetch, store=store, clock=clock, skew=skew)
        if async_token_client is not None:
            async_fetch = functools.partial(async_request_token, async_token_client, **fetch_args)
            async_manager = AsyncTokenManager(async_fetch, store=store, clock=clock, skew=skew)
        return cls(sync_manager, async_manager)

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Send ``request`` with a bearer token; on a 401, renew the token and send it once more."""
        if _is_unauthenticated(request):
            request.headers.pop(AUTHORIZATION_HEADER, None)
            yield request
            return
        manager = self.token_manager
        if manager is None:
            raise K2ConfigError("this K2OAuth has no TokenManager: it serves httpx.AsyncClient only")
        request.read()  # so the body can be sent a second time
        token = manager.get()
        response = yield _authorized(request, token)
        if response.status_code != 401:
            return
        # Read the 401 now: it frees its connection before the token fetch may need one from the same pool.
        response.read()
        manager.invalidate(token)
        yield _authorized(request, manager.get())

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """The asyncio twin of :meth:`sync_auth_flow`."""
        if _is_unauthenticated(request):
            request.headers.pop(AUTHORIZATION_HEADER, None)
            yield request
            return
        manager = self.async_token_manager
        if manager is None:
            raise K2ConfigError("this K2OAuth has no AsyncTokenManager: it serves httpx.Client only")
        await request.aread()
        token = await manager.get()
        response = yield _authorized(request, token)
        if response.status_code != 401:
            return
        await response.aread()
        await manager.invalidate(token)
        yield _authorized(request, await manager.get())

    def __repr__(self) -> str:
        return f"K2OAuth(sync={self.token_manager is not None}, async={self.async_token_manager is not None})"


def request_token(
    client: httpx.Client,
    *,
    client_id: str,
    client_secret: str,
    token_url: str = TOKEN_PATH,
    clock: Callable[[], float] = time.time,
) -> AccessToken:
    """Ask K2 for a new token (``POST /oauth/token``, form-encoded as K2's guide requires).

    Raises:
        K2AuthError: K2 refused the credentials (401/403).
        K2APIError: another error status (see :func:`~k2connect_ext.error_mapping.raise_for_status`).
        K2UnexpectedResponseError: a success without a usable token.
        K2ConnectionError: no answer (``K2TimeoutError`` for a timeout).
    """
    request = _token_request(client, client_id, client_secret, token_url)
    try:
        response = client.send(request)
    except httpx.TransportError as exc:
        error = translate_transport_error(exc, request)
    else:
        return _token_from_response(response, clock())
    # Outside the except block: the httpx exception's request carries the client secret in its body.
    raise detached(error)


async def async_request_token(
    client: httpx.AsyncClient,
    *,
    client_id: str,
    client_secret: str,
    token_url: str = TOKEN_PATH,
    clock: Callable[[], float] = time.time,
) -> AccessToken:
    """The asyncio twin of :func:`request_token`."""
    request = _token_request(client, client_id, client_secret, token_url)
    try:
        response = await client.send(request)
    except httpx.TransportError as exc:
        error = translate_transport_error(exc, request)
    else:
        return _token_from_response(response, clock())
    raise detached(error)


def _token_request(
    client: httpx.Client | httpx.AsyncClient, client_id: str, client_secret: str, token_url: str
) -> httpx.Request:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
    return client.build_request("POST", token_url, data=form, headers={ACCEPT_HEADER: "application/json"})


def _token_from_response(response: httpx.Response, now: float) -> AccessToken:
    raise_for_status(response)
    try:
        body = response.json()
    except ValueError:
        body = None
    if not response.is_success or not isinstance(body, dict):
        # The body is not attached: on a success it could be, or hold, a token.
        raise K2UnexpectedResponseError(
            f"K2 answered {response.status_code} to the token request without a JSON token "
            f"(POST {safe_url(response.request.url)})",
            status_code=response.status_code,
            method="POST",
            url=safe_url(response.request.url),
        )
    return AccessToken.from_token_response(body, now)


def _is_unauthenticated(request: httpx.Request) -> bool:
    return request.url.path.rstrip("/").endswith(UNAUTHENTICATED_PATHS)


def _authorized(request: httpx.Request, token: AccessToken) -> httpx.Request:
    # Assignment replaces any existing value, such as the placeholder token of the generated
    # AuthenticatedClient. K2 only issues bearer tokens, whatever case token_type comes in.
    request.headers[AUTHORIZATION_HEADER] = f"Bearer {token.value}"
    return request
