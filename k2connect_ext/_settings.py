"""What a client is built from: credentials, base URL, timeouts and the options every constructor takes.

``K2Options`` lists the options ``K2``, ``AsyncK2``, ``connect()`` and ``async_connect()`` take, once;
``resolve_options`` checks and defaults them (with the credentials, from the arguments or the ``K2_*``
environment variables) into what ``_client`` wires a client from. Nothing here does I/O.
"""

from __future__ import annotations

import functools
import math
import os
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Literal, TypedDict
from urllib.parse import urlsplit

import attrs
import httpx

from k2connect_ext._constants import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_POOL_TIMEOUT,
    DEFAULT_TIMEOUT,
    SANDBOX_BASE_URL,
    TOKEN_SKEW_SECONDS,
    USER_AGENT_PREFIX,
)
from k2connect_ext._exceptions import K2ConfigError
from k2connect_ext._logging import configure_from_environment
from k2connect_ext._loopback import is_loopback_host
from k2connect_ext._retry import RetryPolicy
from k2connect_ext._token_stores import TokenStore

if TYPE_CHECKING:  # the ledger's code loads only when a client is given one
    from k2connect_ext._ledger import Ledger

__all__ = [
    "HttpBackend",
    "K2Options",
    "K2Settings",
    "ResolvedOptions",
    "positive_finite",
    "resolve_options",
    "resolve_timeout",
    "user_agent",
]

HttpBackend = Literal["httpx", "aiohttp"]


@functools.cache
def user_agent() -> str:
    """``k2connect-sdk-python/<version> httpx/<version>``, worked out once (importlib.metadata is slow)."""
    from k2connect_ext._version import __version__  # here, not at import: importlib.metadata is slow

    return f"{USER_AGENT_PREFIX}/{__version__} httpx/{httpx.__version__}"


def _check_base_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise K2ConfigError(f"base_url must be an absolute https URL, got {url!r}")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
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
        if not all(positive_finite(value) for value in phases):
            raise K2ConfigError(
                "timeout: every phase of an httpx.Timeout must be a finite number of seconds above 0"
            )
        return timeout, max(value for value in phases if value is not None)
    if not positive_finite(timeout):
        raise K2ConfigError(f"timeout must be a finite number of seconds above 0, got {timeout!r}")
    total = float(timeout)
    phases_for = httpx.Timeout(
        connect=min(DEFAULT_CONNECT_TIMEOUT, total),
        read=total,
        write=total,
        pool=min(DEFAULT_POOL_TIMEOUT, total),
    )
    return phases_for, total


def positive_finite(value: object) -> bool:
    """A real number (not a bool) that is finite and above zero: what every duration setting must be."""
    return (
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value > 0
    )


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
        ledger: where payment intents are recorded (``k2.intents``): a URL (``"sqlite:///payouts.db"``,
            ``"postgresql://..."``, see :func:`~k2connect_ext.open_ledger`), a file path, or a
            :class:`~k2connect_ext.Ledger`. ``K2`` and ``AsyncK2`` open a URL when they are built (a bad URL
            is a ``K2ConfigError`` there, an SQLite file that cannot be a ledger a
            ``K2StoreUnavailableError``; a PostgreSQL server is first reached by the first intent) and close
            it in ``close()``; a ledger object passed in is the caller's to close. ``connect()`` and
            ``async_connect()`` make bare clients, without intents, and ignore it.
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
    ledger: str | os.PathLike[str] | Ledger | None


@attrs.frozen
class ResolvedOptions:
    """``K2Options`` checked and defaulted, with the credentials: what a client is built from."""

    settings: K2Settings
    phases: httpx.Timeout
    total: float
    retry: RetryPolicy | None
    token_store: TokenStore | None
    token_skew: float
    clock: Callable[[], float]
    limits: httpx.Limits | None


def resolve_options(client_id: str | None, client_secret: str | None, options: K2Options) -> ResolvedOptions:
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
    configure_from_environment()  # K2CONNECT_LOG: read from the process environment, as each client is made
    return ResolvedOptions(
        settings=settings,
        phases=phases,
        total=total,
        retry=options.get("retry"),
        token_store=options.get("token_store"),
        token_skew=options.get("token_skew", TOKEN_SKEW_SECONDS),
        clock=options.get("clock", time.time),
        limits=options.get("limits"),
    )
