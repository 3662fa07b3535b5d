"""Show that a wait is alive: a spinner on a terminal, one plain line otherwise (logs, pipes, CI).

``Progress.sleep`` is handed to the SDK as its poll sleep, so the spinner turns while the SDK waits
between reads and counts the reads; the SDK keeps every polling decision.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import Self, TextIO

__all__ = ["Progress"]

_FRAMES = "|/-\\"
_TICK = 0.1


class Progress:
    """Progress of one wait, written to ``stream`` (stderr), never to stdout."""

    def __init__(
        self,
        stream: TextIO,
        label: str,
        timeout: float,
        *,
        tty: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.stream = stream
        self.label = label
        self.timeout = timeout
        self.tty = stream.isatty() if tty is None else tty
        self._clock = clock
        self._sleep = sleep
        self._started = 0.0
        self._frame = 0
        self.reads = 1  # the SDK reads once before its first sleep

    def __enter__(self) -> Self:
        self._started = self._clock()
        if self.tty:
            self._draw()
        else:
            self._write(f"waiting for {self.label} (up to {self.timeout:g} s)...\n")
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.tty:
            self._write("\r\x1b[K")  # erase the spinner line before the result or error is printed

    def sleep(self, seconds: float) -> None:
        """Sleep like ``time.sleep``, turning the spinner meanwhile; the SDK reads again afterwards."""
        if not self.tty:
            self._sleep(seconds)
        else:
            deadline = self._clock() + seconds
            while (left := deadline - self._clock()) > 0:
                self._sleep(min(_TICK, left))
                self._draw()
        self.reads += 1

    def _draw(self) -> None:
        self._frame = (self._frame + 1) % len(_FRAMES)
        elapsed = self._clock() - self._started
        self._write(
            f"\r\x1b[K{_FRAMES[self._frame]} waiting for {self.label}: "
            f"{self.reads} read{'s' if self.reads != 1 else ''}, {elapsed:.1f}/{self.timeout:g} s"
        )

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()
