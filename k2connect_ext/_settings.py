"""What a client is built from: credentials, base URL, timeouts and the options every constructor takes.

``K2Options`` lists the options ``K2``, ``AsyncK2``, ``connect()`` and ``async_connect()`` take, once, and
``OPTION_DEFAULTS`` their defaults; ``takes_options`` shows them in each one's signature and docstring, and
``resolve_options`` checks and defaults them (with the credentials, from the arguments or the ``K2_*``
environment variables) into what ``_client`` wires a client from. Nothing here does I/O.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import math
import os
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, TypedDict, TypeVar
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
from k2connect_ext._docstrings import Docstring, entry_name
from k2connect_ext._exceptions import K2ConfigError
from k2connect_ext._logging import configure_from_environment
from k2connect_ext._loopback import is_loopback_host
from k2connect_ext._retry import RetryPolicy
from k2connect_ext._token_stores import TokenStore

if TYPE_CHECKING:  # the ledger's code loads only when a client is given one
    from k2connect_ext._ledger import Ledger

__all__ = [
    "OPTION_DEFAULTS",
    "HttpBackend",
    "K2Options",
    "K2Settings",
    "ResolvedOptions",
    "positive_finite",
    "resolve_options",
    "resolve_timeout",
    "takes_options",
    "user_agent",
]

HttpBackend = Literal["httpx", "aiohttp"]


@functools.cache
def user_agent() -> str:
    """The User-Agent every request carries, worked out once (importlib.metadata is slow).

    Returns:
        ``k2connect-sdk-python/<version> httpx/<version>``.
    """
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
    """Where and who: the credentials, K2's base URL and the API key a client uses.

    Made by :meth:`resolve` (arguments first, then the ``K2_*`` environment variables); a client's are on
    ``k2.settings``. The credentials and the API key never appear in ``repr``, nor in any error or log line.

    Attributes:
        client_id: the application's client id (``K2_CLIENT_ID``).
        client_secret: its client secret (``K2_CLIENT_SECRET``).
        base_url: K2's base URL, without a trailing slash (``K2_BASE_URL``; Kopo Kopo's sandbox by
            default).
        api_key: the application's API key, which verifies webhooks (``K2_API_KEY``), or None.
    """

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
        """The settings from the arguments first, then the ``K2_*`` environment variables.

        Args:
            client_id: the client id; ``K2_CLIENT_ID`` if None or empty.
            client_secret: the client secret; ``K2_CLIENT_SECRET`` if None or empty.
            base_url: K2's base URL; ``K2_BASE_URL``, then Kopo Kopo's sandbox, if None. Plain ``http`` is
                refused unless the host is loopback.
            api_key: the API key that verifies webhooks; ``K2_API_KEY`` (or none) if None.
            environ: where the ``K2_*`` variables are read; ``os.environ`` if None.

        Returns:
            The checked settings.

        Raises:
            K2ConfigError: a credential is missing (each missing one and its variable are named), or the
                base URL is not an absolute https URL (http only to loopback) without query or fragment.
        """
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

    Args:
        timeout: seconds for the whole call, an ``httpx.Timeout`` per phase, or None for the default.

    Returns:
        The ``httpx.Timeout`` per phase, and the whole call's bound in seconds.

    Raises:
        K2ConfigError: a number, or a phase, that is not finite and above zero.
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
    """Whether ``value`` is what every duration setting must be.

    Args:
        value: anything.

    Returns:
        True for a real number (not a bool) that is finite and above zero.
    """
    return (
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value > 0
    )


class K2Options(TypedDict, total=False):
    """The options ``K2``, ``AsyncK2``, ``connect()`` and ``async_connect()`` all take, listed once.

    Pass them as keyword arguments (``K2(base_url=..., timeout=10)``), or keep a dict of them and unpack it
    into each (``K2(**options)``). Every one is optional: ``OPTION_DEFAULTS`` holds the defaults, and each
    constructor's signature shows them (``help(K2)``). An unknown option is a ``K2ConfigError`` naming it.

    Attributes:
        base_url: K2's host; ``K2_BASE_URL`` if None, then Kopo Kopo's sandbox
            (``https://sandbox.kopokopo.com``; production is ``https://api.kopokopo.com``). Plain ``http``
            is refused unless the host is loopback.
        api_key: the application's API key; ``K2_API_KEY`` if None. It verifies webhooks
            (``K2.construct_event``) and is scrubbed from any text K2 echoes back.
        timeout: the most seconds a call may take as a whole (every try and wait included), or an
            ``httpx.Timeout`` per phase; None: 5 s to connect, 30 s to read or write. Never infinite.
        retry: when reads and token requests are retried (a :class:`~k2connect_ext.RetryPolicy`; None: up
            to 4 tries within 30 s, on 429, 502, 503, 504 and connection errors). A POST that may move money
            is never retried.
        token_store: where tokens are kept, to share them between processes (``FileTokenStore``) or
            machines (``RedisTokenStore``); None keeps them in this client's memory.
        token_skew: renew a token this many seconds before it expires.
        clock: wall-clock seconds (``time.time``), for token expiry; injectable in tests.
        environ: where ``K2_*`` settings are read from; ``os.environ`` if None.
        limits: the connection pool's size and keep-alive (an ``httpx.Limits``); None: 100 connections,
            20 kept alive for 5 s.
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


OPTION_DEFAULTS: Final[K2Options] = {
    "base_url": None,
    "api_key": None,
    "timeout": None,
    "retry": None,
    "token_store": None,
    "token_skew": TOKEN_SKEW_SECONDS,
    "clock": time.time,
    "environ": None,
    "limits": None,
    "ledger": None,
}
"""The value each option takes when it is not given: what the signatures show, and what a client uses."""

# How the options reach a user. Written out in each signature, they would show in every editor, but would be
# repeated four times beside K2Options, and a misspelt one would be Python's TypeError, raised before the SDK
# can seal it (its traceback would hold the client secret the caller passed). So the source keeps
# ``**options: Unpack[K2Options]`` (PEP 692): mypy, pyright and PyCharm read the keywords from K2Options,
# complete them and flag a typo; and ``takes_options`` writes the same keywords into ``__signature__``
# and the docstring, which is what ``help()``, ``inspect.signature``, IPython and Jupyter read.
F = TypeVar("F", bound=Callable[..., Any])


def takes_options(target: F) -> F:
    """Show each option of ``K2Options`` by name where ``target`` takes ``**options``.

    The options replace ``**options`` in the signature (keyword-only, annotated as ``K2Options`` annotates
    them, with ``OPTION_DEFAULTS``), and the ``**options`` entry of the docstring's ``Args:`` becomes one
    entry per option, from ``K2Options``' ``Attributes:``. For a class, its ``__init__``'s signature and the
    class docstring are the ones changed.

    Args:
        target: a function taking ``**options: Unpack[K2Options]``, or a class whose ``__init__`` does.

    Returns:
        ``target`` itself, changed in place.
    """
    function = vars(target)["__init__"] if isinstance(target, type) else target
    signature = inspect.signature(function)
    kept = [p for p in signature.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
    function.__dict__["__signature__"] = signature.replace(parameters=[*kept, *_option_parameters()])
    doc = Docstring.parse(target.__doc__)
    options = Docstring.parse(K2Options.__doc__).entries("Attributes")
    args = [entry for entry in doc.entries("Args") if entry_name(entry) != "**options"]
    target.__doc__ = doc.with_section("Args", [*args, *options]).render()
    return target


def _option_parameters() -> list[inspect.Parameter]:
    """Each option as a keyword-only parameter, annotated as ``K2Options`` annotates it."""
    defaults: Mapping[str, object] = OPTION_DEFAULTS
    # This module's annotations are strings (PEP 563), which TypedDict keeps as ForwardRefs.
    return [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            default=defaults[name],
            annotation=annotation.__forward_arg__,
        )
        for name, annotation in K2Options.__annotations__.items()
    ]


def resolve_options(client_id: str | None, client_secret: str | None, options: K2Options) -> ResolvedOptions:
    """The options checked and defaulted, with the credentials: what ``_client`` builds a client from.

    Args:
        client_id: the client id, or None for ``K2_CLIENT_ID``.
        client_secret: the client secret, or None for ``K2_CLIENT_SECRET``.
        options: the ``K2Options`` given (the ``ledger`` is opened by the facades, not here).

    Returns:
        The resolved settings, timeouts and collaborators.

    Raises:
        K2ConfigError: an option ``K2Options`` does not list (the message names it, and the option meant
            when it is a near miss), a missing credential, or a bad base URL or timeout.
    """
    unknown = sorted(set(options) - K2Options.__optional_keys__)
    if unknown:
        # A K2ConfigError, not Python's TypeError: the public entry points seal K2 errors only, and this
        # one is raised in frames that hold the client secret.
        raise K2ConfigError(_unknown_options(unknown))
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
        token_skew=options.get("token_skew", OPTION_DEFAULTS["token_skew"]),
        clock=options.get("clock", OPTION_DEFAULTS["clock"]),
        limits=options.get("limits"),
    )


def _unknown_options(unknown: list[str]) -> str:
    """The message for options ``K2Options`` does not list: each named, with the near miss it may be."""
    known = sorted(K2Options.__optional_keys__)
    named = []
    for name in unknown:
        close = difflib.get_close_matches(name, known, n=1)
        named.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    return f"unknown option {', '.join(named)}: the options are {', '.join(known)} (see K2Options)"
