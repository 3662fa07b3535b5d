"""``connect()`` / ``async_connect()``: a generated ``AuthenticatedClient`` that behaves like a payments SDK.

What the factory wires together, once, so that every generated operation gets it:

* settings from arguments or the environment (``K2_CLIENT_ID``, ``K2_CLIENT_SECRET``, ``K2_API_KEY``,
  ``K2_BASE_URL``; the base URL defaults to Kopo Kopo's sandbox), with plain ``http`` refused unless the
  host is loopback;
* an ``httpx`` client with one connection pool, finite timeouts and a User-Agent naming this SDK;
* ``K2OAuth``: tokens fetched through the generated ``/oauth/token`` operation, cached, shared by all
  callers, renewed before expiry and once after a 401;
* ``RetryingTransport``: reads and token requests retried; a POST that may have moved money never is;
* every error status raised as a ``K2APIError`` subclass and every transport failure as a
  ``K2ConnectionError``, before the generated code sees it. What is left (a 2xx or 3xx the spec does not
  describe, a body that breaks the schema) the facades turn into ``K2UnexpectedResponseError``; wrap direct
  calls of generated functions in ``k2connect_ext.invoke`` / ``ainvoke`` to get the same.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import time
from collections.abc import Callable, Iterator, Mapping
from importlib import metadata
from typing import Any
from urllib.parse import urlsplit

import attrs
import httpx
from k2connect_client import AuthenticatedClient, Client
from k2connect_client import errors as generated_errors
from k2connect_client.api.oauth import request_access_token
from k2connect_client.models import TokenRequest, TokenResponse

from ._constants import DEFAULT_TIMEOUT, SANDBOX_BASE_URL, TOKEN_SKEW_SECONDS, USER_AGENT_PREFIX
from .auth import K2OAuth
from .error_mapping import raise_for_status, safe_url, translate_transport_error
from .errors import K2ConfigError, K2Error, K2UnexpectedResponseError
from .retry import AsyncRetryingTransport, RetryingTransport, RetryPolicy
from .token_manager import AsyncTokenManager, TokenManager
from .tokens import AccessToken, TokenStore

__all__ = ["K2Settings", "async_connect", "connect", "user_agent"]

_PLACEHOLDER_TOKEN = "unset"  # K2OAuth replaces it on every request; the generated client insists on one


def user_agent() -> str:
    try:
        version = metadata.version("k2connect-sdk")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        version = "0"
    return f"{USER_AGENT_PREFIX}/{version} httpx/{httpx.__version__}"


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_base_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise K2ConfigError(f"base_url must be an absolute https URL, got {url!r}")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise K2ConfigError(
            "base_url uses plain http to a non-loopback host: tokens and payments would cross the network "
            "unencrypted. Use https (plain http is allowed for 127.0.0.1/localhost only)."
        )
    if parts.query or parts.fragment:
        raise K2ConfigError("base_url must not carry a query or fragment")
    return url.strip().rstrip("/")


@attrs.frozen
class K2Settings:
    """Where and who: credentials never appear in ``repr`` (nor in any error or log line)."""

    client_id: str = attrs.field(repr=False)
    client_secret: str = attrs.field(repr=False)
    base_url: str = SANDBOX_BASE_URL
    api_key: str | None = attrs.field(default=None, repr=False)

    @classmethod
    def resolve(
        cls,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> K2Settings:
        """Arguments first, then ``K2_*`` environment variables; ``K2ConfigError`` if something is missing."""
        env = os.environ if environ is None else environ
        client_id = client_id or env.get("K2_CLIENT_ID")
        client_secret = client_secret or env.get("K2_CLIENT_SECRET")
        missing = [
            name
            for name, value in (
                ("client_id (K2_CLIENT_ID)", client_id),
                ("client_secret (K2_CLIENT_SECRET)", client_secret),
            )
            if not value
        ]
        if missing:
            raise K2ConfigError("missing credentials: " + ", ".join(missing))
        assert client_id is not None and client_secret is not None
        return cls(
            client_id=client_id,
            client_secret=client_secret,
            base_url=_check_base_url(base_url or env.get("K2_BASE_URL") or SANDBOX_BASE_URL),
            api_key=api_key or env.get("K2_API_KEY") or None,
        )


def _raise_for_answer(response: httpx.Response) -> None:
    """Error statuses become K2APIError subclasses; a redirect, which K2's API never sends and which is not
    followed (it would carry the bearer token wherever it points), becomes K2UnexpectedResponseError."""
    raise_for_status(response)
    raise K2UnexpectedResponseError(
        f"K2 answered {response.status_code} {response.reason_phrase} (a redirect, not followed) to "
        f"{response.request.method} {safe_url(response.request.url)}",
        status_code=response.status_code,
        method=response.request.method,
        url=safe_url(response.request.url),
    )


class _ErrorRaisingClient(httpx.Client):
    """Raises K2 errors for error statuses and transport failures, after auth has had its say on 401s."""

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        try:
            response = super().send(request, **kwargs)
        except httpx.TransportError as exc:
            raise translate_transport_error(exc, request) from exc
        if response.status_code >= 300:
            response.read()
            response.close()
            _raise_for_answer(response)
        return response


class _AsyncErrorRaisingClient(httpx.AsyncClient):
    """The asyncio twin of ``_ErrorRaisingClient``."""

    async def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        try:
            response = await super().send(request, **kwargs)
        except httpx.TransportError as exc:
            raise translate_transport_error(exc, request) from exc
        if response.status_code >= 300:
            await response.aread()
            await response.aclose()
            _raise_for_answer(response)
        return response


@contextlib.contextmanager
def _token_answer_errors() -> Iterator[None]:
    """What the generated token operation raises on an answer outside the spec, as K2 errors.

    Without this, ``K2.token()`` leaked ``UnexpectedStatus`` (whose text quotes the body: the token), and an
    API call reported the token endpoint's odd answer as its own. Neither the generated exception's text
    nor the exception itself is kept (``from None``): a token response body holds the token.
    """
    try:
        yield
    except K2Error:
        raise
    except generated_errors.UnexpectedStatus as exc:
        raise K2UnexpectedResponseError(
            f"K2 answered the token request with status {exc.status_code}, which the spec does not describe",
            status_code=exc.status_code,
        ) from None
    except (ValueError, TypeError, KeyError, AttributeError):
        raise K2UnexpectedResponseError(
            "K2 answered the token request with a body that is not a token response", status_code=200
        ) from None


def _token_from(parsed: object, clock: Callable[[], float]) -> AccessToken:
    if not isinstance(parsed, TokenResponse):
        raise K2UnexpectedResponseError("K2 answered the token request without a token", status_code=200)
    return AccessToken.from_token_response(parsed.to_dict(), clock())


def _token_body(settings: K2Settings) -> TokenRequest:
    # Form-encoded, as K2's guide requires (the generated operation also offers TokenRequestJson).
    return TokenRequest(
        grant_type="client_credentials", client_id=settings.client_id, client_secret=settings.client_secret
    )


def _client_kwargs(settings: K2Settings, timeout: httpx.Timeout | float | None) -> dict[str, Any]:
    return {
        "base_url": settings.base_url,
        "timeout": DEFAULT_TIMEOUT if timeout is None else timeout,
        "headers": {"User-Agent": user_agent(), "Accept": "application/json"},
        "follow_redirects": False,  # a redirect would carry our bearer token to wherever it points
    }


def connect(
    client_id: str | None = None,
    client_secret: str | None = None,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    timeout: httpx.Timeout | float | None = None,
    retry: RetryPolicy | None = None,
    token_store: TokenStore | None = None,
    transport: httpx.BaseTransport | None = None,
    clock: Callable[[], float] = time.time,
    token_skew: float = TOKEN_SKEW_SECONDS,
    environ: Mapping[str, str] | None = None,
) -> AuthenticatedClient:
    """Build a generated ``AuthenticatedClient`` for synchronous use (see the module docstring).

    ``transport`` replaces the network (``httpx.MockTransport`` in tests, an ASGI app for the sandbox);
    ``token_store`` shares tokens between processes (``FileTokenStore``) or machines (your own store).
    """
    settings = K2Settings.resolve(
        client_id, client_secret, base_url=base_url, api_key=api_key, environ=environ
    )
    inner = transport if transport is not None else httpx.HTTPTransport()
    http = _ErrorRaisingClient(transport=RetryingTransport(inner, retry), **_client_kwargs(settings, timeout))
    token_client = Client(base_url=settings.base_url, raise_on_unexpected_status=True).set_httpx_client(http)

    def fetch() -> AccessToken:
        with _token_answer_errors():
            response = request_access_token.sync_detailed(client=token_client, body=_token_body(settings))
        return _token_from(response.parsed, clock)

    http.auth = K2OAuth(TokenManager(fetch, store=token_store, clock=clock, skew=token_skew))
    client = AuthenticatedClient(
        base_url=settings.base_url, token=_PLACEHOLDER_TOKEN, raise_on_unexpected_status=True
    )
    return client.set_httpx_client(http)


def async_connect(
    client_id: str | None = None,
    client_secret: str | None = None,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    timeout: httpx.Timeout | float | None = None,
    retry: RetryPolicy | None = None,
    token_store: TokenStore | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], float] = time.time,
    token_skew: float = TOKEN_SKEW_SECONDS,
    environ: Mapping[str, str] | None = None,
) -> AuthenticatedClient:
    """The asyncio twin of ``connect``: use the generated ``asyncio``/``asyncio_detailed`` functions."""
    settings = K2Settings.resolve(
        client_id, client_secret, base_url=base_url, api_key=api_key, environ=environ
    )
    inner = transport if transport is not None else httpx.AsyncHTTPTransport()
    http = _AsyncErrorRaisingClient(
        transport=AsyncRetryingTransport(inner, retry), **_client_kwargs(settings, timeout)
    )
    token_client = Client(base_url=settings.base_url, raise_on_unexpected_status=True).set_async_httpx_client(
        http
    )

    async def fetch() -> AccessToken:
        with _token_answer_errors():
            response = await request_access_token.asyncio_detailed(
                client=token_client, body=_token_body(settings)
            )
        return _token_from(response.parsed, clock)

    http.auth = K2OAuth(
        async_token_manager=AsyncTokenManager(fetch, store=token_store, clock=clock, skew=token_skew)
    )
    client = AuthenticatedClient(
        base_url=settings.base_url, token=_PLACEHOLDER_TOKEN, raise_on_unexpected_status=True
    )
    return client.set_async_httpx_client(http)
