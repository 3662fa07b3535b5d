"""A callback/webhook receiver on loopback (stdlib http.server on a thread) that records raw requests.

Each test asks for its own URL (a unique path), optionally failing the first N deliveries to it with
a 500, so one session-wide receiver serves every test without cross-talk.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit, urlunsplit


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int


class _V6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


class Receiver:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._failures: dict[str, int] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                status = receiver._answer(self.path)
                with receiver._lock:
                    receiver._received.append(
                        Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body, status)
                    )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

        server_class = _V6Server if ":" in host else ThreadingHTTPServer
        self._server = server_class((host, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.port: int = self._server.server_address[1]
        self.base_url = f"http://{f'[{host}]' if ':' in host else host}:{self.port}"

    def _answer(self, path: str) -> int:
        with self._lock:
            remaining = self._failures.get(path, 0)
            if remaining > 0:
                self._failures[path] = remaining - 1
                return 500
            return 200

    def url(self, name: str = "cb", fail_first: int = 0, host: str | None = None) -> str:
        """A fresh URL on this receiver; the first ``fail_first`` POSTs to it get a 500.

        ``host`` names this receiver's port under another host name (e.g. ``localhost``).
        """
        path = f"/{name}/{uuid.uuid4().hex}"
        with self._lock:
            self._failures[path] = fail_first
        if host is None:
            return self.base_url + path
        return urlunsplit(("http", f"{host}:{self.port}", path, "", ""))

    def received(self, url: str) -> list[Received]:
        path = urlsplit(url).path
        with self._lock:
            return [r for r in self._received if r.path == path]

    def received_all(self) -> list[Received]:
        """Every request this receiver got, in arrival order."""
        with self._lock:
            return list(self._received)

    def wait_for(self, url: str, count: int = 1, timeout: float = 5.0) -> list[Received]:
        """Block until ``count`` requests reached ``url`` (polling every 10 ms)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.received(url)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{url}: {len(found)} of {count} expected deliveries after {timeout}s")
            time.sleep(0.01)

    async def await_for(self, url: str, count: int = 1, timeout: float = 5.0) -> list[Received]:
        """``wait_for`` for async tests: yields to the event loop, which may be the one delivering."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.received(url)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{url}: {len(found)} of {count} expected deliveries after {timeout}s")
            await asyncio.sleep(0.01)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
