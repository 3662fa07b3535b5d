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
  calls of generated functions in ``k2connect_ext._invoke`` / ``ainvoke`` to get the same.
"""

from __future__ import annotations

import functools
import math
import os
import time
from collections.abc import Callable, Mapping
from typing import Any, Final, Literal, TypedDict, Unpack
from urllib.parse import urlsplit

import attrs
import httpx
from k2connect_client import AuthenticatedClient, Client
from k2connect_client import errors as generated_errors
from k2connect_client.api.oauth import request_access_token
from k2connect_client.models import TokenRequest, TokenResponse
from k2connect_client.registry import operation_for
from k2connect_client.types import Response

from k2connect_ext import _call, _deadline_backend
from k2connect_ext._bearer_auth import K2OAuth
from k2connect_ext._constants import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_LIMITS,
    DEFAULT_POOL_TIMEOUT,
    DEFAULT_TIMEOUT,
    SANDBOX_BASE_URL,
    TOKEN_SKEW_SECONDS,
    USER_AGENT_PREFIX,
)
from k2connect_ext._exceptions import K2ConfigError, K2Error, K2UnexpectedResponseError
from k2connect_ext._loopback import is_loopback_host
from k2connect_ext._retry import AsyncRetryingTransport, RetryingTransport, RetryPolicy
from k2connect_ext._sealed import sealed
from k2connect_ext._token_cache import AsyncTokenManager, TokenManager
from k2connect_ext._token_stores import AccessToken, TokenStore
from k2connect_ext._translate import (
    ambiguous_outcome_error,
    created_location,
    detached,
    may_move_money,
    raise_for_status,
    safe_url,
    translate_transport_error,
)

__all__ = [
    "AsyncConnection",
    "Connection",
    "HttpBackend",
    "K2Options",
    "K2Settings",
    "abuild",
    "async_connect",
    "build",
    "connect",
    "resolve_timeout",
    "user_agent",
]

_PLACEHOLDER_TOKEN = "unset"  # K2OAuth replaces it on every request; the generated client insists on one


@functools.cache
def user_agent() -> str:
    """``k2connect-sdk-python/<version> httpx/<version>``, worked out once (importlib.metadata is slow)."""
    from importlib import metadata  # here, not at import: it costs a tenth of the SDK's import time

    try:
        version = metadata.version("k2connect-sdk")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        version = "0"
    return f"{USER_AGENT_PREFIX}/{version} httpx/{httpx.__version__}"


# The one loopback rule, shared with the sandbox's callback delivery (see _loopback.py for why it is narrow).
_is_loopback = is_loopback_host


def _check_base_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise K2ConfigError(f"base_url must be an absolute https URL, got {url!r}")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise K2ConfigError(
            "base_url uses plain http to a non-loopback host: tokens and payments would cross the network "
            "unencrypted. Use https (plain http is allowed for loopback addresses and 'localhost' only)."
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


def resolve_timeout(timeout: httpx.Timeout | float | None) -> tuple[httpx.Timeout, float]:
    """The per-phase timeouts and the whole-call bound for a ``timeout`` argument.

    A number is the whole call's bound (every try, backoff and slow body); connecting and waiting for a
    pooled connection get at most the defaults within it. An ``httpx.Timeout`` sets each phase, and the
    whole call is bounded by its longest phase. Anything that is not a finite, positive number is refused:
    an infinite or disabled timeout lets one hung socket hold a checkout for ever.
    """
    if timeout is None:
        timeout = DEFAULT_TIMEOUT
    if isinstance(timeout, httpx.Timeout):
        phases = (timeout.connect, timeout.read, timeout.write, timeout.pool)
        if not all(_positive_finite(value) for value in phases):
            raise K2ConfigError(
                "timeout: every phase of an httpx.Timeout must be a finite number of seconds above 0"
            )
        return timeout, max(value for value in phases if value is not None)
    if not _positive_finite(timeout):
        raise K2ConfigError(f"timeout must be a finite number of seconds above 0, got {timeout!r}")
    total = float(timeout)
    phases_for = httpx.Timeout(
        connect=min(DEFAULT_CONNECT_TIMEOUT, total),
        read=total,
        write=total,
        pool=min(DEFAULT_POOL_TIMEOUT, total),
    )
    return phases_for, total


def _positive_finite(value: object) -> bool:
    return (
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value > 0
    )


def _judge(response: httpx.Response, secrets: tuple[str, ...]) -> K2Error | None:
    """The error an answer means, or ``None`` when it is a definite success for the caller to parse.

    A request that may move money gets a definite answer only from a 4xx (K2 refused it; a 429 included,
    which is assumed to mean "not processed"), or from the 2xx its operation documents in the spec: 201 with
    the ``Location`` of what it created, or 200 for a cancel. A 5xx, a redirect or any other 2xx says nothing
    certain about whether K2 acted on it, so it is ambiguous.
    """
    request = response.request
    status = response.status_code
    if may_move_money(request):
        location = created_location(response)
        reason = None
        if status >= 500:
            reason = "K2 failed after the request reached it"
        elif 300 <= status < 400:
            reason = "K2 answered with a redirect, which is not followed"
        elif status == 201 and location is None:
            reason = "a 201 without the Location of what was created"
        elif 200 <= status < 300 and status != _documented_success(request):
            reason = f"an answer ({status}) the operation does not document"
        if reason is not None:
            return ambiguous_outcome_error(
                request, reason=reason, status_code=status, location=location, secrets=secrets
            )
        if status < 300:
            return None
    elif status < 300:
        return None
    try:
        raise_for_status(response, secrets=secrets)
    except K2Error as exc:
        return exc
    # A redirect (K2's API sends none) is never followed: it would carry the bearer token wherever it points.
    return K2UnexpectedResponseError(
        f"K2 answered {status} {response.reason_phrase} (a redirect, not followed) to "
        f"{request.method} {safe_url(request.url)}",
        status_code=status,
        method=request.method,
        url=safe_url(request.url),
    )


def _documented_success(request: httpx.Request) -> int:
    """The one 2xx the spec documents for this request's operation: 201 for a create, 200 for a cancel.

    Read from the registry generated from the spec; a POST the spec does not know is held to a create's 201.
    """
    operation = operation_for(request.method, request.url.path)
    return operation.success_status if operation is not None else 201


class _NoCookies(httpx.Cookies):
    """An always-empty cookie jar.

    K2's API sets no cookies, so there is nothing to keep; keeping none also means a cookie set by a proxy
    on the way is never replayed to K2. And it skips httpx's per-response cookie parsing, a measurable
    share of a call's cost.
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


_NO_COOKIES: Final = _NoCookies()


@attrs.frozen
class _CallSettings:
    """What the error-raising clients need besides httpx's own settings, given when they are built.

    ``total`` bounds every call (see :func:`k2connect_ext._call.bound`), measured with ``clock`` (the retry
    policy's monotonic clock); ``secrets`` lists the values to scrub from any text K2 echoes back (the token
    changes, so it is asked each time).
    """

    total: float
    secrets: Callable[[], tuple[str, ...]] = attrs.field(repr=False)
    clock: Callable[[], float] = attrs.field(default=time.monotonic, repr=False)


class _K2ClientParts:
    """What both error-raising clients add to httpx's: their call settings and a jar that keeps no cookie."""

    call_settings: _CallSettings

    @property
    def cookies(self) -> httpx.Cookies:
        return _NO_COOKIES

    @cookies.setter
    def cookies(self, cookies: object) -> None:  # an assigned jar is accepted, and not kept either
        return None


class _ErrorRaisingClient(_K2ClientParts, httpx.Client):
    """Raises K2 errors for error statuses and transport failures, after auth has had its say on 401s.

    Every request runs inside the deadline of its call (:mod:`k2connect_ext._call`), and no error leaves
    with a chain back to httpx's or the parser's exceptions.
    """

    def __init__(self, *, call_settings: _CallSettings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.call_settings = call_settings

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        options = self.call_settings
        error: K2Error | None = None
        with _call.bound(options.total, options.clock):
            try:
                response = super().send(request, **kwargs)
            except httpx.TransportError as exc:
                error = translate_transport_error(exc, request)
            except K2Error as exc:
                error = exc
            else:
                error = _judge(response, options.secrets())
                if error is None:
                    return response
                response.close()
        raise detached(error)


class _AsyncErrorRaisingClient(_K2ClientParts, httpx.AsyncClient):
    """The asyncio twin of ``_ErrorRaisingClient``."""

    def __init__(self, *, call_settings: _CallSettings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.call_settings = call_settings

    async def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        options = self.call_settings
        error: K2Error | None = None
        with _call.bound(options.total, options.clock):
            try:
                response = await super().send(request, **kwargs)
            except httpx.TransportError as exc:
                error = translate_transport_error(exc, request)
            except K2Error as exc:
                error = exc
            else:
                error = _judge(response, options.secrets())
                if error is None:
                    return response
                await response.aclose()
        raise detached(error)


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


def _client_kwargs(settings: K2Settings, timeout: httpx.Timeout) -> dict[str, Any]:
    return {
        "base_url": settings.base_url,
        "timeout": timeout,
        "headers": {"User-Agent": user_agent(), "Accept": "application/json"},
        "follow_redirects": False,  # a redirect would carry our bearer token to wherever it points
    }


HttpBackend = Literal["httpx", "aiohttp"]


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


class K2Options(TypedDict, total=False):
    """The options ``K2``, ``AsyncK2``, ``connect()`` and ``async_connect()`` all take, listed once.

    Pass them as keyword arguments (``K2(base_url=..., timeout=10)``), or keep a dict of them and unpack it
    into each (``K2(**options)``). Every one is optional.

    Attributes:
        base_url: K2's host; defaults to ``K2_BASE_URL``, then Kopo Kopo's sandbox. Plain ``http`` is
            refused unless the host is loopback.
        api_key: the application's API key (``K2_API_KEY``): verifies webhooks (``K2.construct_event``)
            and is scrubbed from any text K2 echoes back.
        timeout: the bound of each call as a whole, or an ``httpx.Timeout`` per phase (see
            :func:`resolve_timeout`). Never infinite.
        retry: when reads and token requests are retried; a POST that may move money never is.
        token_store: shares tokens between processes (``FileTokenStore``) or machines
            (``RedisTokenStore``).
        token_skew: renew a token this many seconds before it expires.
        clock: wall-clock seconds, for token expiry (injectable in tests).
        environ: where ``K2_*`` settings are read from instead of ``os.environ``.
        limits: the connection pool's size and keep-alive.
    """

    base_url: str | None
    api_key: str | None
    timeout: httpx.Timeout | float | None
    retry: RetryPolicy | None
    token_store: TokenStore | None
    token_skew: float
    clock: Callable[[], float]
    environ: Mapping[str, str] | None
    limits: httpx.Limits | None


@attrs.frozen
class _Resolved:
    """``K2Options`` checked and defaulted, with the credentials: what a client is built from."""

    settings: K2Settings
    phases: httpx.Timeout
    total: float
    retry: RetryPolicy | None
    token_store: TokenStore | None
    token_skew: float
    clock: Callable[[], float]
    limits: httpx.Limits | None


def _resolve(client_id: str | None, client_secret: str | None, options: K2Options) -> _Resolved:
    unknown = sorted(set(options) - K2Options.__optional_keys__)
    if unknown:
        # What Python itself would say for a misspelt keyword: it is a programming error, not configuration.
        raise TypeError(f"unexpected keyword argument {unknown[0]!r} (K2Options lists the options)")
    settings = K2Settings.resolve(
        client_id,
        client_secret,
        base_url=options.get("base_url"),
        api_key=options.get("api_key"),
        environ=options.get("environ"),
    )
    phases, total = resolve_timeout(options.get("timeout"))
    return _Resolved(
        settings=settings,
        phases=phases,
        total=total,
        retry=options.get("retry"),
        token_store=options.get("token_store"),
        token_skew=options.get("token_skew", TOKEN_SKEW_SECONDS),
        clock=options.get("clock", time.time),
        limits=options.get("limits"),
    )


def _secrets_of(
    settings: K2Settings, manager: TokenManager | AsyncTokenManager
) -> Callable[[], tuple[str, ...]]:
    def secrets() -> tuple[str, ...]:
        fixed = (settings.client_secret, settings.api_key or "")
        return fixed + manager.known_values()

    return secrets


def _call_settings(resolved: _Resolved, manager: TokenManager | AsyncTokenManager) -> _CallSettings:
    clock = resolved.retry.clock if resolved.retry is not None else time.monotonic
    return _CallSettings(resolved.total, _secrets_of(resolved.settings, manager), clock)


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
    resolved = _resolve(client_id, client_secret, options)
    settings = resolved.settings
    if transport is None:
        pool = httpx.HTTPTransport(limits=resolved.limits or DEFAULT_LIMITS)
        inner: httpx.BaseTransport = _deadline_backend.install(pool)
    else:
        inner = transport
    token_client: Client  # set once the client exists; the manager only fetches after that

    def fetch() -> AccessToken:
        error: K2Error | None = None
        with _call.scope("request_access_token") as call:
            try:
                response = request_access_token.sync_detailed(client=token_client, body=_token_body(settings))
            except Exception as exc:
                error = _token_answer_error(exc, call)
                if error is None:
                    raise
        if error is not None:
            raise detached(error)
        return _token_from(response, resolved.clock)

    manager = TokenManager(fetch, store=resolved.token_store, clock=resolved.clock, skew=resolved.token_skew)
    http = _ErrorRaisingClient(
        call_settings=_call_settings(resolved, manager),
        auth=K2OAuth(manager),
        transport=RetryingTransport(inner, resolved.retry),
        **_client_kwargs(settings, resolved.phases),
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
    resolved = _resolve(client_id, client_secret, options)
    settings = resolved.settings
    inner = transport if transport is not None else _async_transport(http_backend, resolved.limits)
    token_client: Client  # set once the client exists; the manager only fetches after that

    async def fetch() -> AccessToken:
        error: K2Error | None = None
        with _call.scope("request_access_token") as call:
            try:
                response = await request_access_token.asyncio_detailed(
                    client=token_client, body=_token_body(settings)
                )
            except Exception as exc:
                error = _token_answer_error(exc, call)
                if error is None:
                    raise
        if error is not None:
            raise detached(error)
        return _token_from(response, resolved.clock)

    manager = AsyncTokenManager(
        fetch, store=resolved.token_store, clock=resolved.clock, skew=resolved.token_skew
    )
    http = _AsyncErrorRaisingClient(
        call_settings=_call_settings(resolved, manager),
        auth=K2OAuth(async_token_manager=manager),
        transport=AsyncRetryingTransport(inner, resolved.retry),
        **_client_kwargs(settings, resolved.phases),
    )
    token_client = Client(base_url=settings.base_url, raise_on_unexpected_status=True).set_async_httpx_client(
        http
    )
    client = AuthenticatedClient(
        base_url=settings.base_url, token=_PLACEHOLDER_TOKEN, raise_on_unexpected_status=True
    )
    return AsyncConnection(client.set_async_httpx_client(http), manager, settings)


@sealed
def connect(
    client_id: str | None = None,
    client_secret: str | None = None,
    *,
    transport: httpx.BaseTransport | None = None,
    **options: Unpack[K2Options],
) -> AuthenticatedClient:
    """A generated ``AuthenticatedClient`` for synchronous use (see the module docstring).

    Credentials come from the arguments or ``K2_CLIENT_ID`` / ``K2_CLIENT_SECRET``; ``options`` are
    :class:`K2Options`. ``transport`` replaces the network (``httpx.MockTransport`` in tests, an ASGI app
    for the sandbox). Call the generated ``sync_detailed`` / ``sync`` functions with it.
    """
    return build(client_id, client_secret, transport, options).client


@sealed
def async_connect(
    client_id: str | None = None,
    client_secret: str | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    http_backend: HttpBackend = "httpx",
    **options: Unpack[K2Options],
) -> AuthenticatedClient:
    """The asyncio twin of ``connect``: use the generated ``asyncio``/``asyncio_detailed`` functions.

    ``http_backend="aiohttp"`` (extra ``k2connect-sdk[aiohttp]``) sends through aiohttp, which stays fast
    with many concurrent tasks where httpx's async pool slows down; every rule of this module holds on it.
    """
    return abuild(client_id, client_secret, transport, http_backend, options).client
