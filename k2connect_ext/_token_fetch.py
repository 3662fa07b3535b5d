"""Fetching an access token through the generated ``/oauth/token`` operation, with K2 errors only.

``sync_fetcher`` / ``async_fetcher`` make the function a token manager calls: it sends the client
credentials form-encoded (as K2's guide requires) through the same error-raising client as every other
request, in a call of its own, and turns what the generated operation raises for an answer outside the spec
into a K2 error. Neither the generated exception's text nor the exception itself is kept: a token response
body holds the token.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from k2connect_client import Client
from k2connect_client import errors as generated_errors
from k2connect_client.api.oauth import request_access_token
from k2connect_client.models import TokenRequest, TokenResponse
from k2connect_client.types import Response

from k2connect_ext import _call
from k2connect_ext._exceptions import K2Error, K2UnexpectedResponseError
from k2connect_ext._settings import K2Settings
from k2connect_ext._token_stores import AccessToken
from k2connect_ext._translate import detached

__all__ = ["async_fetcher", "sync_fetcher"]


def _token_answer_error(exc: Exception, call: _call.Call) -> K2Error | None:
    """What the generated token operation raises on an answer outside the spec, as a K2 error.

    Neither the generated exception's text nor the exception itself is kept: a token response body holds
    the token. The caller raises the result outside its ``except`` block (see :func:`detached`).
    """
    if isinstance(exc, K2Error):
        return exc
    if isinstance(exc, generated_errors.UnexpectedStatus):
        return K2UnexpectedResponseError(
            f"K2 answered the token request with status {exc.status_code}, which the spec does not describe",
            status_code=exc.status_code,
        )
    if isinstance(exc, generated_errors.ResponseParseError):  # anything else is a bug: it propagates
        return K2UnexpectedResponseError(
            "K2 answered the token request with a body that is not a token response",
            status_code=call.last_status,
        )
    return None


def _token_from(response: Response[Any], clock: Callable[[], float]) -> AccessToken:
    status = int(response.status_code)
    if not isinstance(response.parsed, TokenResponse):
        raise K2UnexpectedResponseError("K2 answered the token request without a token", status_code=status)
    return AccessToken.from_token_response(response.parsed.to_dict(), clock(), status_code=status)


def _token_body(settings: K2Settings) -> TokenRequest:
    # Form-encoded, as K2's guide requires (the generated operation also offers TokenRequestJson).
    return TokenRequest(
        grant_type="client_credentials", client_id=settings.client_id, client_secret=settings.client_secret
    )


def sync_fetcher(
    client: Callable[[], Client], settings: K2Settings, clock: Callable[[], float]
) -> Callable[[], AccessToken]:
    """The token fetch of a synchronous client; ``client()`` gives the generated client to send it with."""

    def fetch() -> AccessToken:
        error: K2Error | None = None
        with _call.scope("request_access_token") as call:
            try:
                response = request_access_token.sync_detailed(client=client(), body=_token_body(settings))
            except Exception as exc:
                error = _token_answer_error(exc, call)
                if error is None:
                    raise
        if error is not None:
            raise detached(error)
        return _token_from(response, clock)

    return fetch


def async_fetcher(
    client: Callable[[], Client], settings: K2Settings, clock: Callable[[], float]
) -> Callable[[], Awaitable[AccessToken]]:
    """The asyncio twin of :func:`sync_fetcher`."""

    async def fetch() -> AccessToken:
        error: K2Error | None = None
        with _call.scope("request_access_token") as call:
            try:
                response = await request_access_token.asyncio_detailed(
                    client=client(), body=_token_body(settings)
                )
            except Exception as exc:
                error = _token_answer_error(exc, call)
                if error is None:
                    raise
        if error is not None:
            raise detached(error)
        return _token_from(response, clock)

    return fetch
