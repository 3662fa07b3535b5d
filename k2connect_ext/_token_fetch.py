"""Fetching an access token through the generated ``/oauth/token`` operation, with K2 errors only.

``sync_fetcher`` / ``async_fetcher`` make the function a token manager calls: it sends the client
credentials form-encoded (as K2's guide requires) through the same error-raising client as every other
request, in a call of its own, and turns what the generated operation raises for an answer outside the spec
into a K2 error. Neither the generated exception's text nor the exception itself is kept: a token response
body holds the token. Refused credentials (401, or 400 ``invalid_client``) are a ``K2AuthError`` whose message
says which environment refused them and how to point the client at the other one (``K2_BASE_URL``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from k2connect_client import Client
from k2connect_client import errors as generated_errors
from k2connect_client.api.oauth import request_access_token
from k2connect_client.models import TokenRequest, TokenResponse
from k2connect_client.types import Response

from k2connect_ext import _call
from k2connect_ext._constants import PRODUCTION_BASE_URL, SANDBOX_BASE_URL
from k2connect_ext._exceptions import K2APIError, K2AuthError, K2Error, K2UnexpectedResponseError
from k2connect_ext._loopback import is_loopback_host
from k2connect_ext._settings import K2Settings
from k2connect_ext._token_stores import AccessToken
from k2connect_ext._translate import detached

__all__ = ["async_fetcher", "sync_fetcher"]


# The local sandbox's defaults (k2connect_sandbox/config.py; a test keeps the two equal). The SDK does not
# import the sandbox: it is a development tool, not a dependency. The secret is only compared, never shown.
LOCAL_SANDBOX_CLIENT_ID = "sandbox-client-id"
LOCAL_SANDBOX_CLIENT_SECRET = "sandbox-client-secret"


def _refused_credentials(exc: K2APIError) -> bool:
    """Whether the token endpoint refused the client's credentials (OAuth's ``invalid_client``)."""
    return exc.status_code == 401 or (exc.status_code == 400 and exc.error_code == "invalid_client")


def _environment_hint(settings: K2Settings) -> str:
    """Which environment refused the credentials, and how to try them against the other one.

    Credentials belong to one environment: sandbox ones are refused by production, and the other way round.
    No secret is part of the hint: neither the client's nor the local sandbox's default one.
    """
    base = settings.base_url
    host = (urlsplit(base).hostname or "").lower()
    refused = f"K2 at {base} refused these credentials"
    if host == urlsplit(SANDBOX_BASE_URL).hostname:
        return (
            f"{refused} (Kopo Kopo's sandbox): if these are production credentials, set "
            f"K2_BASE_URL={PRODUCTION_BASE_URL} (or pass base_url=)"
        )
    if host == urlsplit(PRODUCTION_BASE_URL).hostname:
        return (
            f"{refused} (production): if these are sandbox credentials, set K2_BASE_URL={SANDBOX_BASE_URL} "
            "(or pass base_url=)"
        )
    if is_loopback_host(host):
        defaults = (settings.client_id, settings.client_secret) == (
            LOCAL_SANDBOX_CLIENT_ID,
            LOCAL_SANDBOX_CLIENT_SECRET,
        )
        if defaults:
            return (
                f"{refused} (a local sandbox): it was started with other credentials than its defaults; use "
                "the ones it printed when it started (see k2connect-sandbox --help)"
            )
        # The default secret is not printed either: a sandbox's secret is still a secret in a log.
        return (
            f"{refused} (a local sandbox): the local sandbox's credentials are the client id "
            f"{LOCAL_SANDBOX_CLIENT_ID} and the default secret shown by k2connect-sandbox --help, unless it "
            "was started with others"
        )
    return (
        f"{refused}: check that they belong to the environment at this base URL (set by K2_BASE_URL or "
        f"base_url=; Kopo Kopo's sandbox is {SANDBOX_BASE_URL}, production {PRODUCTION_BASE_URL})"
    )


def _with_environment_hint(exc: K2APIError, settings: K2Settings) -> K2AuthError:
    """``exc`` as a ``K2AuthError`` whose message ends with :func:`_environment_hint`, attributes kept."""
    return K2AuthError(
        f"{exc}. {_environment_hint(settings)}",
        status_code=exc.status_code,
        error_code=exc.error_code,
        error_message=exc.error_message,
        body=exc.body,
        method=exc.method,
        url=exc.url,
        headers=exc.headers,
    )


def _token_answer_error(exc: Exception, call: _call.Call, settings: K2Settings) -> K2Error | None:
    """What the generated token operation raises on an answer outside the spec, as a K2 error.

    Neither the generated exception's text nor the exception itself is kept: a token response body holds
    the token. The caller raises the result outside its ``except`` block (see :func:`detached`).
    """
    if isinstance(exc, K2APIError) and _refused_credentials(exc):
        return _with_environment_hint(exc, settings)
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
                error = _token_answer_error(exc, call, settings)
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
                error = _token_answer_error(exc, call, settings)
                if error is None:
                    raise
        if error is not None:
            raise detached(error)
        return _token_from(response, clock)

    return fetch
