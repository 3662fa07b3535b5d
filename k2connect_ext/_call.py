"""One call's deadline and what it sent, visible to every layer below it.

A user's call (``k2.stk_push(...)``, ``k2.wait_for(...)``, a generated operation) passes through the facade,
``invoke``, the error-raising client, the auth flow (which may fetch a token), the retrying transport and the
socket. The promise "``timeout`` bounds the whole call" needs one deadline that all of them honour, and the
decision "may this POST have moved money?" needs to know what the call last sent and what came back. Both
live in a :class:`Call` held by a context variable: each thread and each asyncio task sees its own, and
nothing has to be threaded through the generated code's signatures.

Every wait on the way (the token manager's lock, a token store's lock or its server) takes at most the time
the call has left (:func:`time_left`, :func:`holding`, :func:`holding_async`), and ends with
:class:`~k2connect_ext.K2TimeoutError` when the deadline passes: nothing was sent while waiting, so the call
is safe to retry. Outside a call these waits keep their own bounds.

Deadlines use a monotonic clock (wall-clock jumps must not stretch or cut a deadline): the client's
``RetryPolicy.clock``, ``time.monotonic`` unless a test injects another, the same clock its retries and
backoffs read.

Who reads and writes the call (the only users of the context variable; each goes through this module):

=========================  =========================================================================
module                     what it does with the call
=========================  =========================================================================
``_facade``                opens one per create (:func:`scope`, named after the method)
``_invoke``                opens one per generated operation (:func:`scope`), reads what was sent
``_polling``               opens one per ``wait_for``, bounded by its ``timeout`` (:func:`scope`)
``_client``                bounds each request by the client's total (:func:`bound`); the token fetch
                           runs in a call of its own (:func:`scope`)
``_retry``                 records each request and answer (:func:`record_request`,
                           :func:`record_status`); waits and backs off within :func:`remaining`
``_deadline_backend``      cuts connect, TLS, read and write timeouts to :func:`remaining`
``_aiohttp_transport``     the same for the aiohttp backend (:func:`remaining`)
``_token_manager``           takes its lock within the time left (:func:`holding`, :func:`time_left`)
``_token_stores``          file and memory store locks (:func:`holding`, :func:`capped`, :func:`time_left`)
``_redis_token_store``     Redis lock and commands (:func:`holding`, :func:`capped`, :func:`remaining`)
``_translate``             names the operation in errors (:func:`current`)
=========================  =========================================================================
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextvars import ContextVar
from typing import overload

import attrs
import httpx

from k2connect_ext._exceptions import K2TimeoutError

__all__ = [
    "Call",
    "bound",
    "capped",
    "current",
    "deadline_passed",
    "holding",
    "holding_async",
    "record_request",
    "record_status",
    "remaining",
    "scope",
    "sooner",
    "time_left",
]


@attrs.define
class Call:
    """The state of one user-level call.

    Attributes:
        operation: the name the call was made under (``"stk_push"``), for error messages.
        deadline: ``time.monotonic()`` value by which the call must end, or ``None`` for no bound.
        bounded: whether a client has already applied its own total timeout to ``deadline``.
        request: the last request that may move money handed to the network in this call.
        status_code: the status of the answer to ``request``, once one arrived.
        last_status: the status of the last answer of any request of this call (a token fetch's included).
        sent: whether any request of this call was handed to the network (so an error is not a local one).
        parent: the enclosing call, which sees what this one records.
    """

    operation: str | None = None
    deadline: float | None = None
    bounded: bool = False
    request: httpx.Request | None = None
    status_code: int | None = None
    last_status: int | None = None
    sent: bool = False
    parent: Call | None = attrs.field(default=None, repr=False)
    clock: Callable[[], float] = attrs.field(default=time.monotonic, repr=False)
    """The monotonic clock ``deadline`` is read against (the bounding client's)."""


_CURRENT: ContextVar[Call | None] = ContextVar("k2connect_call", default=None)


def current() -> Call | None:
    """The innermost call in progress in this thread or task, if any."""
    return _CURRENT.get()


def remaining() -> float | None:
    """Seconds left before the current call's deadline (may be negative), or ``None`` when unbounded."""
    call = _CURRENT.get()
    if call is None or call.deadline is None:
        return None
    return call.deadline - call.clock()


def deadline_passed(waiting_for: str) -> K2TimeoutError:
    """The error for a call whose deadline passed while it waited for ``waiting_for``, before sending the
    request that needed it (a :class:`~k2connect_ext.K2ConnectionError`: safe to retry)."""
    call = _CURRENT.get()
    name = call.operation if call is not None and call.operation else "the call"
    return K2TimeoutError(
        f"{name}: the deadline passed while waiting for {waiting_for}, before the request was sent"
    )


def time_left(waiting_for: str) -> float | None:
    """Seconds the current call may still wait, or ``None`` outside a bounded call.

    Raises:
        K2TimeoutError: the deadline has passed (see :func:`deadline_passed`).
    """
    left = remaining()
    if left is not None and left <= 0:
        raise deadline_passed(waiting_for)
    return left


def capped(seconds: float) -> float:
    """``seconds`` cut to the time the current call has left (never below zero): a sleep between polls."""
    left = remaining()
    return seconds if left is None else max(0.0, min(seconds, left))


@contextlib.contextmanager
def holding(lock: threading.Lock, waiting_for: str) -> Iterator[None]:
    """Hold ``lock`` for a ``with`` block, waiting for it no longer than the current call has left.

    Raises:
        K2TimeoutError: the deadline passed before the lock was free.
    """
    left = time_left(waiting_for)
    if not lock.acquire(timeout=-1 if left is None else left):
        raise deadline_passed(waiting_for)
    try:
        yield
    finally:
        lock.release()


@contextlib.asynccontextmanager
async def holding_async(lock: asyncio.Lock, waiting_for: str) -> AsyncIterator[None]:
    """The asyncio twin of :func:`holding`."""
    left = time_left(waiting_for)
    try:
        async with asyncio.timeout(left):
            await lock.acquire()
    except TimeoutError:
        raise deadline_passed(waiting_for) from None
    try:
        yield
    finally:
        lock.release()


def record_request(request: httpx.Request, *, may_move_money: bool) -> None:
    """Note that this call (and every enclosing one) sent ``request``; remember it if it may move money."""
    call = _CURRENT.get()
    while call is not None:
        call.sent = True
        if may_move_money:
            call.request, call.status_code = request, None
        call = call.parent


def record_status(status_code: int, *, of_money_request: bool) -> None:
    """Note the status of an answer; for a request that may move money, as the answer to ``request``."""
    call = _CURRENT.get()
    while call is not None:
        call.last_status = status_code
        if of_money_request:
            call.status_code = status_code
        call = call.parent


@contextlib.contextmanager
def scope(
    operation: str | None = None,
    timeout: float | None = None,
    clock: Callable[[], float] | None = None,
) -> Iterator[Call]:
    """Run a block as one call (nested in the enclosing one, whose deadline it can only shorten).

    ``clock`` is what ``timeout`` is measured with; by default the enclosing call's, else ``time.monotonic``.
    """
    parent = _CURRENT.get()
    if clock is None:
        clock = parent.clock if parent is not None else time.monotonic
    deadline = parent.deadline if parent is not None else None
    if timeout is not None:
        deadline = sooner(deadline, clock() + timeout)
    # The outermost name wins: it is the one the user called ("stk_push", not the generated operation).
    call = Call(
        operation=parent.operation if parent is not None and parent.operation else operation,
        deadline=deadline,
        parent=parent,
        clock=clock,
    )
    token = _CURRENT.set(call)
    try:
        yield call
    finally:
        _CURRENT.reset(token)


@contextlib.contextmanager
def bound(total: float, clock: Callable[[], float] = time.monotonic) -> Iterator[Call]:
    """Apply a client's total timeout to the current call, opening one if there is none.

    The first client request of a call starts the clock; the requests it makes on the way (a token fetch,
    a 401 replay) share that deadline instead of each getting a fresh one.
    """
    call = _CURRENT.get()
    if call is None:
        with scope(timeout=total, clock=clock) as call:
            call.bounded = True
            yield call
        return
    if not call.bounded:
        if call.deadline is not None and call.clock is not clock:  # keep the time left, on the new clock
            call.deadline = clock() + (call.deadline - call.clock())
        call.clock = clock
        call.deadline = sooner(call.deadline, clock() + total)
        call.bounded = True
    yield call


@overload
def sooner(a: float | None, b: float) -> float: ...
@overload
def sooner(a: float | None, b: float | None) -> float | None: ...
def sooner(a: float | None, b: float | None) -> float | None:
    """The smaller of two bounds, where ``None`` means "no bound"."""
    if a is None:
        return b
    return a if b is None else min(a, b)
