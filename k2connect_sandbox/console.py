"""One console line per callback/webhook delivery attempt, like ``stripe listen``::

    14:03:07 ok     callback incoming_payment 19713b57 -> http://127.0.0.1:9000/cb: HTTP 200 (attempt 1 of 6)
    14:03:07 FAILED callback payment 5d0c2a11 -> http://127.0.0.1:9/cb: connection refused (attempt 1 of 6,
    next retry in 0.2 s)

(the second is one line, wrapped here). Time, ok/FAILED, callback or webhook, the result type or topic, the
resource (or event) id's first 8 characters, the URL, the status or why there was none, attempt n of m, and
when the next attempt comes (or "no more retries" / "not retried").

The CLI server attaches one to stderr (``__main__``); in-process sandboxes print nothing unless asked::

    console = attach_delivery_console(app)          # stderr; app is what create_app returned
    ...
    console.close()                                 # detach, and write what is still queued

Failures stand out: ``FAILED`` always, and on a terminal a red ``✗`` (a green ``✓`` for deliveries), unless
``NO_COLOR`` is set (https://no-color.org) or ``TERM=dumb``. Plain text otherwise, so logs and pipes get
no escape codes. A delivered attempt is an ``info`` line, a failed one a ``warning`` line: ``level``
(the CLI's ``--log-level``) hides the ones below it.

Lines never block the sandbox: they are written by a thread of their own from a bounded queue, so a
console nobody reads (a pipe never drained) costs lines, counted and reported once it moves again,
never a stalled event loop. Every value is shown with control characters escaped and the URL without
its user:password, query or fragment (``display``), so neither a secret nor an escape sequence from a
client reaches the terminal.
"""

from __future__ import annotations

import codecs
import logging
import os
import queue
import sys
import threading
from collections.abc import Mapping
from typing import Protocol

from k2connect_sandbox.app import SandboxApp
from k2connect_sandbox.delivery import AttemptReport, DeliveryService
from k2connect_sandbox.display import printable, safe_url, short_id
from k2connect_sandbox.failure_reasons import seconds

__all__ = ["LEVELS", "DeliveryConsole", "LineWriter", "TextSink", "attach_delivery_console", "wants_color"]

LEVELS: Mapping[str, int] = {
    "critical": logging.CRITICAL,
    "error": logging.ERROR,
    "warning": logging.WARNING,
    "info": logging.INFO,
    "debug": logging.DEBUG,
    "trace": 5,  # uvicorn's level below debug
}
_QUEUE_LINES = 1000
_CLOSE_TIMEOUT = 2.0
_RED = "\x1b[1;31m"
_GREEN = "\x1b[32m"
_DIM = "\x1b[2m"
_RESET = "\x1b[0m"


class TextSink(Protocol):
    """Where lines go: ``sys.stderr`` or any text stream (``isatty`` and ``encoding`` are read if present)."""

    def write(self, text: str, /) -> int: ...

    def flush(self) -> None: ...


def wants_color(stream: TextSink, environ: Mapping[str, str] | None = None) -> bool:
    """Colour only on a terminal, and never with ``NO_COLOR`` set (to anything but empty) or ``TERM=dumb``."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class LineWriter:
    """Writes lines to ``stream`` on a daemon thread; drops (and counts) lines while the queue is full."""

    def __init__(self, stream: TextSink, capacity: int = _QUEUE_LINES) -> None:
        self._stream = stream
        self._queue: queue.Queue[str | None] = queue.Queue(maxsize=capacity)
        self._lock = threading.Lock()
        self._dropped = 0
        self._thread = threading.Thread(target=self._run, name="k2-sandbox-console", daemon=True)
        self._thread.start()

    def write(self, line: str) -> None:
        try:
            self._queue.put_nowait(line)
        except queue.Full:
            with self._lock:
                self._dropped += 1

    def close(self, timeout: float = _CLOSE_TIMEOUT) -> None:
        """Write what is queued (for at most ``timeout`` seconds) and stop the thread."""
        try:
            self._queue.put(None, timeout=timeout)
        except queue.Full:
            return  # the stream is stuck: the daemon thread dies with the process
        self._thread.join(timeout)

    def _run(self) -> None:
        while (line := self._queue.get()) is not None:
            with self._lock:
                dropped, self._dropped = self._dropped, 0
            try:
                if dropped:
                    self._stream.write(
                        f"k2connect-sandbox: {dropped} delivery lines dropped (output not read)\n"
                    )
                self._stream.write(line + "\n")
                self._stream.flush()
            except (OSError, ValueError):  # a closed pipe or stream: the sandbox serves on, unprinted
                return


class DeliveryConsole:
    """Formats each :class:`AttemptReport` as one line and writes it; a delivery listener."""

    def __init__(
        self,
        stream: TextSink,
        *,
        level: str = "info",
        color: bool | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        if level.lower() not in LEVELS:
            raise ValueError(f"unknown log level {level!r}: use one of {', '.join(LEVELS)}")
        self._threshold = LEVELS[level.lower()]
        self._color = wants_color(stream, environ) if color is None else color
        self._symbols = self._color and _can_encode(stream, "✓✗")
        self._writer = LineWriter(stream)
        self._service: DeliveryService | None = None

    def __call__(self, report: AttemptReport) -> None:
        level = logging.INFO if report.delivered else logging.WARNING
        if level >= self._threshold:
            self._writer.write(self.format(report))

    def format(self, report: AttemptReport) -> str:
        """The line for ``report`` (without a newline)."""
        notification = report.notification
        ident = notification.resource_id if notification.kind == "callback" else notification.event_id
        what = " ".join(
            printable(part)
            for part in (
                notification.kind,
                notification.topic,
                short_id(ident),
                "->",
                safe_url(notification.url),
            )
        )
        result = (
            f"HTTP {report.status}" if report.status is not None else printable(report.reason or "failed")
        )
        clock = report.at.astimezone().strftime("%H:%M:%S")
        tail = f"(attempt {report.attempt} of {report.max_attempts}{_next(report)})"
        if report.delivered:
            mark = self._paint(_GREEN, "✓" if self._symbols else "ok    ")
            return f"{self._paint(_DIM, clock)} {mark} {what}: {result} {self._paint(_DIM, tail)}"
        mark = self._paint(_RED, "✗ FAILED" if self._symbols else "FAILED")
        return f"{self._paint(_DIM, clock)} {mark} {what}: {self._paint(_RED, result)} {tail}"

    def attach(self, service: DeliveryService) -> DeliveryConsole:
        service.add_listener(self)
        self._service = service
        return self

    def close(self) -> None:
        """Stop listening, then write the lines still queued."""
        if self._service is not None:
            self._service.remove_listener(self)
            self._service = None
        self._writer.close()

    def _paint(self, code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if self._color else text


def attach_delivery_console(
    app: SandboxApp, stream: TextSink | None = None, *, level: str = "info", color: bool | None = None
) -> DeliveryConsole:
    """Print a line per delivery attempt of ``app``'s sandbox to ``stream`` (stderr); ``close()`` stops it."""
    console = DeliveryConsole(stream if stream is not None else sys.stderr, level=level, color=color)
    return console.attach(app.sandbox.deliveries)


def _next(report: AttemptReport) -> str:
    if report.delivered:
        return ""
    if report.retry_in is not None:
        return f", next retry in {seconds(round(report.retry_in, 3))}"
    return ", no more retries" if report.max_attempts > 1 else ", not retried"


def _can_encode(stream: TextSink, text: str) -> bool:
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        codecs.encode(text, encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True
