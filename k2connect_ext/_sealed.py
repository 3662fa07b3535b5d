"""Public entry points whose errors leave without our frames, so no reporter prints a secret from them.

Sentry (local variables on by default), loguru ``diagnose``, rich and structlog ``show_locals`` print the
local variables of every frame a traceback passes through. Inside the SDK those frames hold what an error
must never show: the client secret in a token request body, the API key and the valid HMAC being compared
with a forged signature, the tuple of known secrets an error message is scrubbed against. Making each
internal value unprintable one by one would miss the next local someone adds; instead, every public entry
point is wrapped here. A :class:`~k2connect_ext.K2Error` that escapes it is re-raised with its traceback
reset, so the report starts at the public call, and the wrapper deletes the arguments it was given (a
``client_secret=`` or ``api_key=``) before raising. What remains is the caller's own frames and the wrapper,
whose only locals are the wrapped function and the error.

Only ``K2Error`` is treated so. Anything else is a bug in this SDK, and its full traceback is what fixes it.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from k2connect_ext._exceptions import K2Error

__all__ = ["asealed", "sealed"]

P = ParamSpec("P")
R = TypeVar("R")


def sealed(fn: Callable[P, R]) -> Callable[P, R]:
    """``fn``, with a ``K2Error`` it raises re-raised from the caller's frame (see the module docstring)."""

    @functools.wraps(fn)
    def entry(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except K2Error as exc:
            error = exc
        del args, kwargs  # the caller's credentials must not stay in this frame's locals
        raise _bare(error)

    return entry


def _bare(error: K2Error) -> K2Error:
    # Errors are built unchained (see ``_translate.detached``); a chain left by mistake would bring its own
    # traceback, and its frames, back into the report, so it is cut here too.
    error.__cause__ = error.__context__ = None
    return error.with_traceback(None)


def asealed(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """The asyncio twin of :func:`sealed`, for coroutine functions."""

    @functools.wraps(fn)
    async def entry(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except K2Error as exc:
            error = exc
        del args, kwargs
        raise _bare(error)

    return entry
