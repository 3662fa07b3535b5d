"""The last requests the sandbox answered (method, path, status, when, how long), for the dashboard.

Only the path is kept, never the query string or a header: a request's credentials (``Authorization``,
a form's ``client_secret``) stay out of it. Bounded, so a long session costs a fixed amount of memory.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime

__all__ = ["LoggedRequest", "RequestLog"]

_KEEP = 200
_MAX_PATH = 300


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    status: int | None  # None: no response was sent (a dropped connection, or the app failed)
    at: datetime
    duration_ms: float


class RequestLog:
    def __init__(self, keep: int = _KEEP) -> None:
        self._entries: deque[LoggedRequest] = deque(maxlen=keep)
        self._lock = threading.Lock()

    def add(self, method: str, path: str, status: int | None, at: datetime, duration_ms: float) -> None:
        entry = LoggedRequest(method[:16], path[:_MAX_PATH], status, at, duration_ms)
        with self._lock:
            self._entries.append(entry)

    def recent(self) -> list[LoggedRequest]:
        """Newest first."""
        with self._lock:
            return list(reversed(self._entries))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
