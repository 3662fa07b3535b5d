"""Call a generated operation and turn what the generated code raises about K2's answer into a K2 error.

Error statuses and transport failures are already K2 errors by the time the generated code runs (see
``_client``). What is left is a success the spec does not describe: an undocumented status
(``UnexpectedStatus``) or a body that breaks the schema (``ResponseParseError``, which the generated
operations raise for anything their parsers raise). For a request that may have moved money that is an
ambiguous outcome (``K2AmbiguousOutcomeError``: K2 did something, we cannot tell what); for anything else
it is ``K2UnexpectedResponseError``. A request the generated code could not build from its inputs
(``RequestBuildError``: nothing was sent) is a ``K2InputError``.

Nothing else is caught: a ``ValueError`` or ``KeyError`` raised anywhere else on the way (a transport, an
event hook, the retry code) is a bug, not K2's answer, and propagates as itself.

Each call runs as one :mod:`~k2connect_ext._call` scope, named after the operation, so every request it
makes (the token fetch included) shares one deadline and errors can say which operation failed. Errors are
raised outside the ``except`` blocks that caught the generated exceptions: those quote the response body,
and a chained exception would keep it reachable.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from k2connect_client import errors as generated_errors

from k2connect_ext import _call
from k2connect_ext._exceptions import K2Error, K2InputError, K2UnexpectedResponseError
from k2connect_ext._translate import ambiguous_outcome_error, detached

__all__ = ["async_invoke", "invoke"]

R = TypeVar("R")
# What the generated operations raise about their inputs and about K2's answer, and nothing else.
_GENERATED_ERRORS = (
    generated_errors.RequestBuildError,
    generated_errors.UnexpectedStatus,
    generated_errors.ResponseParseError,
)
_GeneratedError = (
    generated_errors.RequestBuildError
    | generated_errors.UnexpectedStatus
    | generated_errors.ResponseParseError
)


def _unexpected(operation: str, exc: _GeneratedError, call: _call.Call) -> K2Error:
    if isinstance(exc, generated_errors.RequestBuildError):
        # Raised while the request was being built from its inputs: nothing left this machine, and it
        # is not K2's answer. (A typed input the builders did not catch, such as a number JSON refuses.)
        return K2InputError(
            f"{operation}: the request could not be built from its inputs ({_cause(exc)}); nothing was sent"
        )
    status = exc.status_code
    if call.request is not None:  # a request that may move money was sent and answered oddly
        what = f"status {status}" if isinstance(exc, generated_errors.UnexpectedStatus) else "a body"
        return ambiguous_outcome_error(
            call.request, reason=f"K2 answered with {what} the spec does not describe", status_code=status
        )
    if isinstance(exc, generated_errors.UnexpectedStatus):
        return K2UnexpectedResponseError(
            f"K2 answered {operation} with status {status}, which the spec does not describe",
            status_code=status,
        )
    # Only the parser's exception type: its text may quote the body, and a body may hold a token.
    return K2UnexpectedResponseError(
        f"K2 answered {operation} with a body that does not match the spec ({_cause(exc)})",
        status_code=status,
    )


def _cause(exc: Exception) -> str:
    """The name of the exception the generated code wrapped (never its text)."""
    cause = exc.__cause__
    return type(cause if cause is not None else exc).__name__


def invoke(operation: str, fn: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """Call a generated operation so that it raises the SDK's errors only, its odd answers included.

    Use it with a client from :func:`~k2connect_ext.connect`: ``invoke("v2_get_incoming_payment",
    v2_get_incoming_payment.sync_detailed, payment_id, client=client)``.

    Args:
        operation: the operation's name, for errors and the call's scope.
        fn: the generated function (``sync_detailed`` or ``sync``).
        *args: its positional arguments.
        **kwargs: its keyword arguments (``client=``, ``body=``...).

    Returns:
        What ``fn`` returns.

    Raises:
        K2InputError: the generated code could not build the request from its inputs; nothing was sent.
        K2AmbiguousOutcomeError: a request that may move money was answered with a status or body the
            spec does not describe.
        K2UnexpectedResponseError: any other request was answered so.
        K2Error: whatever the client raised (error statuses, connection failures).
    """
    error: K2Error | None = None
    with _call.scope(operation) as call:
        try:
            return fn(*args, **kwargs)
        except K2Error as exc:
            error = exc
        except _GENERATED_ERRORS as exc:
            error = _unexpected(operation, exc, call)
    raise detached(error)


async def async_invoke(operation: str, fn: Callable[..., Awaitable[R]], *args: Any, **kwargs: Any) -> R:
    """The asyncio twin of :func:`invoke`, for the generated ``asyncio_detailed`` / ``asyncio`` functions.

    Args:
        operation: the operation's name, for errors and the call's scope.
        fn: the generated coroutine function.
        *args: its positional arguments.
        **kwargs: its keyword arguments (``client=``, ``body=``...).

    Returns:
        What ``fn``'s coroutine returns.

    Raises:
        K2InputError: the generated code could not build the request from its inputs; nothing was sent.
        K2AmbiguousOutcomeError: a request that may move money was answered with a status or body the
            spec does not describe.
        K2UnexpectedResponseError: any other request was answered so.
        K2Error: whatever the client raised (error statuses, connection failures).
    """
    error: K2Error | None = None
    with _call.scope(operation) as call:
        try:
            return await fn(*args, **kwargs)
        except K2Error as exc:
            error = exc
        except _GENERATED_ERRORS as exc:
            error = _unexpected(operation, exc, call)
    raise detached(error)
