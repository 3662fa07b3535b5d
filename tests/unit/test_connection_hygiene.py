"""The private httpx/httpcore structure the SDK's own pool relies on, checked when a client is built.

``_connection_hygiene`` (never reuse a connection holding an unread answer) and ``_deadline_backend``
(every socket wait cut to the call's deadline) reach into httpx's transport and httpcore's connections. If
a release moves any of it, building ``K2`` or ``AsyncK2`` must fail at once with a ``K2ConfigError`` that
names what is gone, instead of silently losing a money-safety guarantee (or failing with an
``AttributeError`` in the middle of a payment). Each case below takes one piece away.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpcore
import httpx
import pytest

from k2connect_ext import K2, AsyncK2, K2ConfigError
from k2connect_ext import _connection_hygiene as hygiene

OPTIONS: dict[str, Any] = {"base_url": "http://127.0.0.1:9", "environ": {}}


@pytest.fixture(autouse=True)
def fresh_check() -> Iterator[None]:
    """The check runs once per process: forget its verdict around each case."""
    hygiene._missing.cache_clear()
    yield
    hygiene._missing.cache_clear()


def _losing(cls: type[Any], attribute: str) -> type[Any]:
    """A subclass of ``cls`` whose instances keep ``attribute`` under another name."""
    original: Callable[..., None] = cls.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        vars(self)["_renamed" + attribute] = vars(self).pop(attribute)

    return type(f"{cls.__name__}Moved", (cls,), {"__init__": __init__})


# (the module that exports it, the class, the attribute taken away)
SEAMS = [
    (httpx, "HTTPTransport", "_pool"),
    (httpx, "AsyncHTTPTransport", "_pool"),
    (httpcore, "ConnectionPool", "_network_backend"),
    (httpcore, "AsyncConnectionPool", "_network_backend"),
    (httpcore, "HTTPConnection", "_connection"),
    (httpcore, "AsyncHTTPConnection", "_connection"),
    (httpcore, "HTTP11Connection", "_h11_state"),
    (httpcore, "AsyncHTTP11Connection", "_h11_state"),
]


@pytest.mark.parametrize("client", [K2, AsyncK2])
@pytest.mark.parametrize(("module", "name", "attribute"), SEAMS, ids=[f"{n}.{a}" for _, n, a in SEAMS])
def test_a_missing_internal_refuses_to_build_the_client(
    monkeypatch: pytest.MonkeyPatch, client: type[K2] | type[AsyncK2], module: Any, name: str, attribute: str
) -> None:
    """``K2`` and ``AsyncK2`` (httpx) are refused with the name of what is gone and what to do."""
    monkeypatch.setattr(module, name, _losing(getattr(module, name), attribute))
    with pytest.raises(K2ConfigError, match=rf"{attribute}.*is gone.*httpcore 1\.0\.x"):
        client("id", "secret", **OPTIONS)


def test_the_aiohttp_backend_needs_none_of_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """``AsyncK2(http_backend="aiohttp")``, which the message offers as a way out, does not use httpcore."""
    pytest.importorskip("aiohttp")
    monkeypatch.setattr(httpcore, "HTTP11Connection", _losing(httpcore.HTTP11Connection, "_h11_state"))
    AsyncK2("id", "secret", http_backend="aiohttp", **OPTIONS)


def test_the_installed_httpcore_has_everything() -> None:
    """The versions this SDK is tested with pass the check (which ``K2`` runs on every build)."""
    hygiene.check_httpcore()
    assert hygiene._missing() is None


def test_a_pooled_connection_reads_as_the_connection_it_wraps() -> None:
    """The pool's wrappers show and describe what they wrap (``pool.connections``, logs, debuggers)."""
    origin = httpcore.Origin(b"http", b"127.0.0.1", 9)
    sync_inner = httpcore.HTTPConnection(origin)
    async_inner = httpcore.AsyncHTTPConnection(origin)
    wrappers: list[tuple[Any, Any]] = [
        (hygiene._Checked(sync_inner), sync_inner),
        (hygiene._AsyncChecked(async_inner), async_inner),
    ]
    for wrapper, inner in wrappers:
        assert (repr(wrapper), wrapper.info()) == (repr(inner), inner.info())
        assert wrapper.can_handle_request(origin)
        assert not wrapper.has_expired() and not wrapper.is_closed()
