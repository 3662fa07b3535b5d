"""OAuth2 client credentials for httpx: ``Authorization: Bearer <token>`` on every K2 call, renewed on a 401.

``connect()`` / ``async_connect()`` attach one to the client they build, with a token cache that fetches
through the generated ``/oauth/token`` operation on the same client (token requests pass through untouched).
The sync and async flows are separate (httpx's ``sync_auth_flow`` / ``async_auth_flow``), each with its own
single-flight manager, so neither blocks the other's threads or event loop.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator

import httpx

from k2connect_ext._constants import (
    AUTHORIZATION_HEADER,
)
from k2connect_ext._exceptions import K2ConfigError
from k2connect_ext._money_safety import is_oauth
from k2connect_ext._token_manager import AsyncTokenManager, TokenManager
from k2connect_ext._token_stores import AccessToken

__all__ = ["K2OAuth"]


class K2OAuth(httpx.Auth):
    """Adds K2's bearer token to each request and renews it once when K2 answers 401.

    A 401 is safe to replay even for a POST that moves money: K2 refused the request before acting on it.
    A second 401 is returned as it is, for the caller to raise :class:`~k2connect_ext.K2AuthError`.
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

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Send ``request`` with a bearer token; on a 401, renew the token and send it once more."""
        if is_oauth(request):
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
        if is_oauth(request):
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


def _authorized(request: httpx.Request, token: AccessToken) -> httpx.Request:
    # Assignment replaces any existing value, such as the placeholder token of the generated
    # AuthenticatedClient. K2 only issues bearer tokens, whatever case token_type comes in.
    request.headers[AUTHORIZATION_HEADER] = f"Bearer {token.value}"
    return request
