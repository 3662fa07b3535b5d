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
  calls of generated functions in ``k2connect_ext._invoke`` / ``async_invoke`` to get the same.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Unpack

import attrs
import httpx
from k2connect_client import AuthenticatedClient, Client

from k2connect_ext import _deadline_backend
from k2connect_ext._constants import DEFAULT_LIMITS
from k2connect_ext._error_raising_client import (
    AsyncErrorRaisingClient,
    CallSettings,
    ErrorRaisingClient,
    client_kwargs,
)
from k2connect_ext._exceptions import K2ConfigError
from k2connect_ext._oauth import K2OAuth
from k2connect_ext._retry import AsyncRetryingTransport, RetryingTransport
from k2connect_ext._sealed import sealed
from k2connect_ext._settings import (
    HttpBackend,
    K2Options,
    K2Settings,
    ResolvedOptions,
    resolve_options,
    takes_options,
)
from k2connect_ext._token_fetch import async_fetcher, sync_fetcher
from k2connect_ext._token_manager import AsyncTokenManager, TokenManager

__all__ = ["AsyncConnection", "Connection", "abuild", "async_connect", "build", "connect"]

_PLACEHOLDER_TOKEN = "unset"  # K2OAuth replaces it on every request; the generated client insists on one


def _async_transport(backend: str, limits: httpx.Limits | None) -> httpx.AsyncBaseTransport:
    if backend == "httpx":
        # httpx's own pool, one per event loop: a loop's connections cannot serve another loop.
        from k2connect_ext._per_loop import PerLoopTransport

        return PerLoopTransport(limits or DEFAULT_LIMITS)
    if backend == "aiohttp":
        from k2connect_ext._aiohttp_transport import (
            AiohttpTransport,  # aiohttp is an extra: imported only when asked
        )

        return AiohttpTransport(limits=limits or DEFAULT_LIMITS)
    raise K2ConfigError(f"http_backend must be 'httpx' or 'aiohttp', got {backend!r}")


def _secrets_of(
    settings: K2Settings, manager: TokenManager | AsyncTokenManager
) -> Callable[[], tuple[str, ...]]:
    def secrets() -> tuple[str, ...]:
        fixed = (settings.client_secret, settings.api_key or "")
        return fixed + manager.known_values()

    return secrets


def _call_settings(resolved: ResolvedOptions, manager: TokenManager | AsyncTokenManager) -> CallSettings:
    clock = resolved.retry.clock if resolved.retry is not None else time.monotonic
    return CallSettings(resolved.total, _secrets_of(resolved.settings, manager), clock)


@attrs.frozen
class Connection:
    """What the sync factory builds: the generated client, and the token cache the facade also uses."""

    client: AuthenticatedClient
    tokens: TokenManager
    settings: K2Settings


@attrs.frozen
class AsyncConnection:
    """The asyncio twin of :class:`Connection`."""

    client: AuthenticatedClient
    tokens: AsyncTokenManager
    settings: K2Settings


def build(
    client_id: str | None,
    client_secret: str | None,
    transport: httpx.BaseTransport | None,
    options: K2Options,
) -> Connection:
    """Wire a synchronous generated client (see the module docstring); ``connect`` and ``K2`` use it."""
    resolved = resolve_options(client_id, client_secret, options)
    settings = resolved.settings
    if transport is None:
        pool = httpx.HTTPTransport(limits=resolved.limits or DEFAULT_LIMITS)
        inner: httpx.BaseTransport = _deadline_backend.install(pool)
    else:
        inner = transport
    token_client: Client  # set below, once the client exists; the manager fetches only after that
    fetch = sync_fetcher(lambda: token_client, settings, resolved.clock)
    manager = TokenManager(fetch, store=resolved.token_store, clock=resolved.clock, skew=resolved.token_skew)
    http = ErrorRaisingClient(
        call_settings=_call_settings(resolved, manager),
        auth=K2OAuth(manager),
        transport=RetryingTransport(inner, resolved.retry),
        **client_kwargs(settings, resolved.phases),
    )
    token_client = Client(base_url=settings.base_url, raise_on_unexpected_status=True).set_httpx_client(http)
    client = AuthenticatedClient(
        base_url=settings.base_url, token=_PLACEHOLDER_TOKEN, raise_on_unexpected_status=True
    )
    return Connection(client.set_httpx_client(http), manager, settings)


def abuild(
    client_id: str | None,
    client_secret: str | None,
    transport: httpx.AsyncBaseTransport | None,
    http_backend: HttpBackend,
    options: K2Options,
) -> AsyncConnection:
    """The asyncio twin of :func:`build`; ``async_connect`` and ``AsyncK2`` use it."""
    resolved = resolve_options(client_id, client_secret, options)
    settings = resolved.settings
    inner = transport if transport is not None else _async_transport(http_backend, resolved.limits)
    token_client: Client  # set below, once the client exists; the manager fetches only after that
    fetch = async_fetcher(lambda: token_client, settings, resolved.clock)
    manager = AsyncTokenManager(
        fetch, store=resolved.token_store, clock=resolved.clock, skew=resolved.token_skew
    )
    http = AsyncErrorRaisingClient(
        call_settings=_call_settings(resolved, manager),
        auth=K2OAuth(async_token_manager=manager),
        transport=AsyncRetryingTransport(inner, resolved.retry),
        **client_kwargs(settings, resolved.phases),
    )
    token_client = Client(base_url=settings.base_url, raise_on_unexpected_status=True).set_async_httpx_client(
        http
    )
    client = AuthenticatedClient(
        base_url=settings.base_url, token=_PLACEHOLDER_TOKEN, raise_on_unexpected_status=True
    )
    return AsyncConnection(client.set_async_httpx_client(http), manager, settings)


@takes_options
@sealed
def connect(
    client_id: str | None = None,
    client_secret: str | None = None,
    *,
    transport: httpx.BaseTransport | None = None,
    **options: Unpack[K2Options],
) -> AuthenticatedClient:
    """A generated ``AuthenticatedClient`` that behaves like this SDK, for calling generated operations.

    Call the generated ``sync_detailed`` / ``sync`` functions with it (``K2`` is the friendlier way): it
    fetches and renews the token, retries only what is safe to repeat, bounds every call, and raises
    the SDK's errors (wrap a call in :func:`~k2connect_ext.invoke` to get them for odd answers too).

    Args:
        client_id: the application's client id; ``K2_CLIENT_ID`` if None.
        client_secret: its client secret; ``K2_CLIENT_SECRET`` if None.
        transport: replaces the network: an ``httpx.MockTransport`` in tests, or the local sandbox's app.
        **options: the :class:`~k2connect_ext.K2Options`, by name (``ledger`` is ignored: a bare client
            keeps no intents).

    Returns:
        The client, to pass as ``client=`` to the generated functions. Close it with
            ``client.get_httpx_client().close()``.

    Raises:
        K2ConfigError: a credential is missing, or an option is unknown or bad.
    """
    return build(client_id, client_secret, transport, options).client


@takes_options
@sealed
def async_connect(
    client_id: str | None = None,
    client_secret: str | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    http_backend: HttpBackend = "httpx",
    **options: Unpack[K2Options],
) -> AuthenticatedClient:
    """The asyncio twin of :func:`connect`: for the generated ``asyncio`` / ``asyncio_detailed`` functions.

    Args:
        client_id: the application's client id; ``K2_CLIENT_ID`` if None.
        client_secret: its client secret; ``K2_CLIENT_SECRET`` if None.
        transport: replaces the network: an ``httpx.MockTransport`` in tests, or the local sandbox's app.
        http_backend: ``"httpx"`` (default) or ``"aiohttp"`` (the extra ``k2connect-sdk[aiohttp]``), which
            stays fast with many concurrent tasks where httpx's async pool slows down. Every rule of this
            SDK holds on both.
        **options: the :class:`~k2connect_ext.K2Options`, by name (``ledger`` is ignored: a bare client
            keeps no intents).

    Returns:
        The client, to pass as ``client=`` to the generated functions. Close it with ``await
            client.get_async_httpx_client().aclose()``.

    Raises:
        K2ConfigError: a credential is missing, an unknown ``http_backend``, or an option is unknown or bad.
    """
    return abuild(client_id, client_secret, transport, http_backend, options).client
