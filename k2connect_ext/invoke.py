"""Call a generated operation and turn whatever the generated code raises into a K2 error.

Error statuses and transport failures are already K2 errors by the time the generated code runs (see
``client``). What is left is a success the spec does not describe: an undocumented status
(``UnexpectedStatus``) or a body that breaks the schema (the generated parsers raise ``ValueError``,
``TypeError``, ``KeyError`` or ``AttributeError``). Both become ``K2UnexpectedResponseError``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from k2connect_client import errors as generated_errors

from .errors import K2Error, K2UnexpectedResponseError

__all__ = ["ainvoke", "invoke"]

R = TypeVar("R")
_PARSE_ERRORS = (ValueError, TypeError, KeyError, AttributeError)


def _unexpected(operation: str, exc: Exception) -> K2UnexpectedResponseError:
    if isinstance(exc, generated_errors.UnexpectedStatus):
        return K2UnexpectedResponseError(
            f"K2 answered {operation} with status {exc.status_code}, which the spec does not describe",
            status_code=exc.status_code,
        )
    # The exception text may quote the body; it is K2's answer, never our credentials.
    return K2UnexpectedResponseError(
        f"K2 answered {operation} with a body that does not match the spec ({type(exc).__name__}: {exc})",
        status_code=200,
    )


def invoke(operation: str, fn: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """Run a generated ``sync_detailed`` (or any generated callable) with K2 errors only."""
    try:
        return fn(*args, **kwargs)
    except K2Error:
        raise
    except (generated_errors.UnexpectedStatus, *_PARSE_ERRORS) as exc:
        raise _unexpected(operation, exc) from exc


async def ainvoke(operation: str, fn: Callable[..., Awaitable[R]], *args: Any, **kwargs: Any) -> R:
    """The asyncio twin of ``invoke``."""
    try:
        return await fn(*args, **kwargs)
    except K2Error:
        raise
    except (generated_errors.UnexpectedStatus, *_PARSE_ERRORS) as exc:
        raise _unexpected(operation, exc) from exc
