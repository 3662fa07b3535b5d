"""What the SDK logs, under which logger and at which level; ``K2CONNECT_LOG`` shows it without code.

Every logger is under ``k2connect``, so one ``logging.getLogger("k2connect")`` setting reaches them all. They
log whether or not anything is configured, and like any library the SDK adds no handler of its own unless
asked: where the records go is the application's choice.

=============================  ========  =====================================================================
logger                         level     what it logs
=============================  ========  =====================================================================
``k2connect.http``             INFO      one line per try of every request: method, path (never the query),
                                         status or transport error, the time it took, and the retry that
                                         follows (``retry 1 of 3 in 0.5 s``) or which try it was
                               DEBUG     the ``Location`` a create answered with (its path), and the call
``k2connect.retry``            DEBUG     why a try is retried, and the wait
``k2connect.tokens``           INFO      an access token fetched, refreshed, taken from a shared token store,
                                         or refused by K2 (401) and forgotten; never the token itself
                               DEBUG     a token another caller fetched while this one waited; a token saved
                                         to the store
``k2connect.tokens.file``      WARNING   ``FileTokenStore``: the file or its lock cannot be used (the token
                                         is kept per process meanwhile); INFO when it works again
``k2connect.tokens.redis``     WARNING   ``RedisTokenStore``: Redis is unavailable or its lock was lost;
                                         INFO when it is back, or a newer token was stored first
``k2connect.polling``          DEBUG     ``wait_for``: the Location followed, each read's status and the next
                                         wait
``k2connect.webhooks``         WARNING   a webhook or callback refused (401, 400, 413), an unknown intent tag
                               ERROR     a handler, deduplicator or ledger failure (500), with its traceback
                               INFO      a duplicate acknowledged, a delivery already in progress (503)
                               DEBUG     each event received (kind, topic, id), the intent it settled
=============================  ========  =====================================================================

No record carries a secret, at any level: no client secret, token, API key, ``Authorization`` header,
signature, request or response body, header or query string (a ``callback_url``'s included).

``K2CONNECT_LOG=info`` (or ``debug``, any case) in the environment turns them into readable lines on stderr:
when a client is made (``K2``, ``AsyncK2``, ``connect()``, ``async_connect()``) the SDK adds one handler
to the ``k2connect`` logger, and lowers that logger's level to the one asked for when records at that level
would otherwise be dropped. The variable is read from the process environment every time a client is made
(not from ``environ=``: logging belongs to the process). Unset or empty, nothing is added (and what an
earlier client added is taken away again). Any other value writes one line on stderr naming the accepted
values, and adds nothing. Records still propagate, so an application that routes ``k2connect`` itself needs
no variable (with both, each line shows up twice).

Each ``k2connect.http`` record also carries its parts as attributes for structured logging: ``k2_method``,
``k2_path``, ``k2_status`` (``None`` for a transport error), ``k2_error`` (the error's class name, or
``None``), ``k2_duration_ms``, ``k2_attempt``, ``k2_retry_in`` (seconds, ``None`` when not retried) and
``k2_operation`` (the SDK call it belongs to, when known).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Mapping
from typing import Final
from urllib.parse import urlsplit

import httpx

from k2connect_ext import _call

__all__ = ["ENV_VAR", "configure_from_environment", "log_try", "try_started"]

ENV_VAR: Final = "K2CONNECT_LOG"
LEVELS: Final = {"debug": logging.DEBUG, "info": logging.INFO}
FORMAT: Final = "%(asctime)s %(levelname)s %(name)s %(message)s"
_now = time.perf_counter  # a try's duration is measured, on the clock meant for it
# An unknown value is echoed in the warning; a long one is cut, in case it is something pasted by mistake.
_SHOWN_CHARS = 40

http_logger = logging.getLogger("k2connect.http")
_package_logger = logging.getLogger("k2connect")


# ------------------------------------------------------------------------------------- K2CONNECT_LOG
class _StderrHandler(logging.Handler):
    """Writes each record to ``sys.stderr`` as it is at that moment (a redirected or captured stream)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


class _Installed:
    """What the variable made the SDK change, so that unsetting it can undo exactly that."""

    def __init__(self, handler: _StderrHandler, level_before: int) -> None:
        self.handler = handler
        self.level_before = level_before  # the package logger's own level before the handler was added
        self.level_set: int | None = None  # the level this module gave it, if any


_lock = threading.Lock()
_installed: _Installed | None = None
_warned: set[str] = set()


def configure_from_environment(environ: Mapping[str, str] | None = None) -> None:
    """Apply ``K2CONNECT_LOG`` (see the module docstring); ``environ`` replaces ``os.environ`` in tests."""
    raw = (os.environ if environ is None else environ).get(ENV_VAR, "")
    wanted = raw.strip().lower()
    with _lock:
        level = LEVELS.get(wanted)
        if level is None:
            _remove()
            if wanted:
                _warn_unknown(raw.strip())
            return
        _install(level)


def _install(level: int) -> None:
    global _installed
    if _installed is None:
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        _installed = _Installed(handler, _package_logger.level)
        _package_logger.addHandler(handler)
    _installed.handler.setLevel(level)
    # Lower the threshold to what was asked for, never raise one the application set (or inherited) lower.
    before = _installed.level_before
    inherited = before if before != logging.NOTSET else _parent_level()
    target = min(level, inherited)
    if target != inherited or _installed.level_set is not None:
        _package_logger.setLevel(target)
        _installed.level_set = target


def _parent_level() -> int:
    return logging.root.getEffectiveLevel()  # the parent of "k2connect"


def _remove() -> None:
    global _installed
    if _installed is None:
        return
    _package_logger.removeHandler(_installed.handler)
    if _installed.level_set is not None and _package_logger.level == _installed.level_set:
        _package_logger.setLevel(_installed.level_before)  # unless the application has set it since
    _installed = None


def _warn_unknown(value: str) -> None:
    shown = value if len(value) <= _SHOWN_CHARS else value[:_SHOWN_CHARS] + "..."
    if shown in _warned:  # once per value, not once per client
        return
    _warned.add(shown)
    # Straight to stderr, not warnings.warn: an application running with -W error must not crash on it.
    accepted = " or ".join(f"{ENV_VAR}={name}" for name in LEVELS)
    sys.stderr.write(
        f"k2connect: {ENV_VAR}={shown!r} is not understood; use {accepted} (unset: no log output). "
        "No log handler was added.\n"
    )


# ------------------------------------------------------------------------------------- k2connect.http
def try_started() -> float | None:
    """When a try starts, for its duration; ``None`` when no INFO line would be shown (nothing measured)."""
    return _now() if http_logger.isEnabledFor(logging.INFO) else None


def log_try(
    request: httpx.Request,
    started: float,
    *,
    status: int | None,
    error: BaseException | None,
    attempt: int,
    max_attempts: int,
    retry_in: float | None,
    may_have_reached_k2: bool = False,
    location: str | None = None,
) -> None:
    """The INFO line of one try (``POST /api/v1/incoming_payments -> 201 in 84 ms``), and at DEBUG the
    ``Location`` it answered with.

    Only the method, the path, the status and the error's class name go into it: never the query, a header,
    a body or an error's text (an httpx error's text may hold the URL with its query).
    """
    duration_ms = (_now() - started) * 1000
    path = request.url.path
    if error is None:
        outcome = str(status)
    elif status is None:
        outcome = type(error).__name__
    else:
        outcome = f"{type(error).__name__} after status {status}"
    if retry_in is not None:
        suffix = f", retry {attempt} of {max_attempts - 1} in {retry_in:.3g} s"
    elif may_have_reached_k2:
        suffix = "; not retried: it may have reached K2"
    elif attempt > 1:
        suffix = f" (try {attempt} of {max_attempts})"
    else:
        suffix = ""
    call = _call.current()
    operation = call.operation if call is not None else None
    extra = {
        "k2_method": request.method,
        "k2_path": path,
        "k2_status": status,
        "k2_error": None if error is None else type(error).__name__,
        "k2_duration_ms": duration_ms,
        "k2_attempt": attempt,
        "k2_retry_in": retry_in,
        "k2_operation": operation,
    }
    http_logger.info(
        "%s %s -> %s in %.0f ms%s", request.method, path, outcome, duration_ms, suffix, extra=extra
    )
    if location is not None and http_logger.isEnabledFor(logging.DEBUG):
        http_logger.debug(
            "%s %s (%s) created %s",
            request.method,
            path,
            operation or "no call",
            _path_of(location),
            extra=extra,
        )


def _path_of(url: str) -> str:
    """The path of a ``Location``: K2's own answer, but its query and any user info stay out of logs too."""
    try:
        return urlsplit(url).path or "/"
    except ValueError:  # a malformed IPv6 host
        return "(not a URL)"
