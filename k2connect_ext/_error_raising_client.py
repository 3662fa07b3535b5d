"""The httpx clients every K2 request goes through: K2 errors out, nothing else.

``ErrorRaisingClient`` / ``AsyncErrorRaisingClient`` run each request inside its call's deadline
(:mod:`k2connect_ext._call`), turn transport failures into :class:`~k2connect_ext.K2ConnectionError` and
error statuses into :class:`~k2connect_ext.K2APIError` subclasses (or ambiguous outcomes, by
:func:`k2connect_ext._money_safety.verdict`), keep no cookies, and raise every error cut from the exceptions
it replaces. They get their settings when they are built (``call_settings``, ``auth``). A closed client
refuses with :class:`~k2connect_ext.K2ConfigError` before anything is sent (httpx would raise its own
``RuntimeError``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Final

import attrs
import httpx

from k2connect_ext import _call
from k2connect_ext._exceptions import K2ConfigError, K2Error
from k2connect_ext._money_safety import verdict
from k2connect_ext._settings import K2Settings, user_agent
from k2connect_ext._translate import detached, translate_transport_error

__all__ = ["AsyncErrorRaisingClient", "CallSettings", "ErrorRaisingClient", "client_kwargs"]


class _NoCookies(httpx.Cookies):
    """An always-empty cookie jar.

    K2's API sets no cookies, so there is nothing to keep; keeping none also means a cookie set by a proxy
    on the way is never replayed to K2. And it skips httpx's per-response cookie parsing, a measurable
    share of a call's cost.
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


_NO_COOKIES: Final = _NoCookies()


def _closed_client_error() -> K2ConfigError:
    """What a request on a closed client raises: the mistake, and the two ways to avoid it."""
    return K2ConfigError(
        "this K2 client is closed (close() or aclose() was called, or its with block ended), so it sends "
        "nothing more: make a new client, or keep one open for the application's lifetime and close it "
        "only at shutdown"
    )


@attrs.frozen
class CallSettings:
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

    call_settings: CallSettings

    @property
    def cookies(self) -> httpx.Cookies:
        return _NO_COOKIES

    @cookies.setter
    def cookies(self, cookies: object) -> None:  # an assigned jar is accepted, and not kept either
        return None


class ErrorRaisingClient(_K2ClientParts, httpx.Client):
    """Raises K2 errors for error statuses and transport failures, after auth has had its say on 401s.

    Every request runs inside the deadline of its call (:mod:`k2connect_ext._call`), and no error leaves
    with a chain back to httpx's or the parser's exceptions.
    """

    def __init__(self, *, call_settings: CallSettings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.call_settings = call_settings

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        if self.is_closed:  # checked here, before auth: a token fetch on a closed client is refused too
            raise _closed_client_error()
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
                error = verdict(response, options.secrets())
                if error is None:
                    return response
                response.close()
        raise detached(error)


class AsyncErrorRaisingClient(_K2ClientParts, httpx.AsyncClient):
    """The asyncio twin of ``ErrorRaisingClient``."""

    def __init__(self, *, call_settings: CallSettings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.call_settings = call_settings

    async def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        if self.is_closed:
            raise _closed_client_error()
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
                error = verdict(response, options.secrets())
                if error is None:
                    return response
                await response.aclose()
        raise detached(error)


def client_kwargs(settings: K2Settings, timeout: httpx.Timeout) -> dict[str, Any]:
    return {
        "base_url": settings.base_url,
        "timeout": timeout,
        "headers": {"User-Agent": user_agent(), "Accept": "application/json"},
        "follow_redirects": False,  # a redirect would carry our bearer token to wherever it points
    }
