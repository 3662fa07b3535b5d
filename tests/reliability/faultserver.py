"""A misbehaving K2 on a raw socket: every fault a network or a broken gateway can throw, one per listener.

No HTTP framework: the faults live below HTTP (a reset in the middle of a body, a status line that is not one,
a Content-Length that lies), where a framework would refuse to go. The server speaks just enough HTTP/1.1 for
httpx: it reads a request line, headers and a ``Content-Length`` body, and answers keep-alive.

One ``FaultServer`` serves a whole test session; each case asks it for its own ``Listener`` (its own port),
programmed with one ``Fault``. A fault is aimed at the token endpoint or at the API and hits the first
``times`` requests it is aimed at; every other request is answered as K2 would: a token for
``POST /oauth/token``, ``201`` + ``Location`` for any other POST, a resource for a GET. (The ``stray``
fault is the one that spans two requests: its first answer is followed by a second, stray one, and the
next request it hits is answered ``status``.) Every request is
recorded (method, path, whether its body fully arrived, whether the server acted on it), so a test can count
the POSTs that reached K2.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import itertools
import json
import select
import socket
import struct
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Literal

__all__ = ["HTML_PAGE", "Fault", "FaultServer", "Listener", "Received", "closed_port"]

Aim = Literal["token", "api"]
TOKEN_PATH = "/oauth/token"
# Where redirects point. Nothing may ever be requested here: a followed redirect would carry the bearer token.
REDIRECT_TARGET = "/elsewhere/collect"
SIGNATURE_HEADER = "X-KopoKopo-Signature"

_MAX_HEADER_BYTES = 64 * 1024
_READ_SLICE = 0.1  # how often a blocked read wakes to check for shutdown

# A v2 incoming payment, as K2 returns it (trimmed): what a GET of a resource answers normally.
_RESOURCE = {
    "data": {
        "id": "",
        "type": "incoming_payment",
        "attributes": {
            "initiation_time": "2020-10-19T09:24:48.622+03:00",
            "status": "Success",
            "event": {
                "type": "Incoming Payment Request",
                "resource": {
                    "id": "52f86f-f2aa-4d70-baa2-ccfe4b78f4fc",
                    "reference": "OJJ1MPU40Z",
                    "origination_time": "2020-10-19T09:24:54+03:00",
                    "sender_phone_number": "+254999999999",
                    "amount": "1.0",
                    "currency": "KES",
                    "till_number": "K514459",
                    "system": "Lipa Na M-PESA",
                    "status": "Received",
                    "sender_first_name": "Joe",
                    "sender_middle_name": None,
                    "sender_last_name": "Buyer",
                },
                "errors": None,
            },
            "metadata": {"reference": "123456"},
            "_links": {"callback_url": "https://example.com/k2/result", "self": ""},
        },
    }
}

HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>"
    b"<p>The proxy server received an invalid response from an upstream server.</p></body></html>"
)


@dataclass(frozen=True)
class Fault:
    """One way to misbehave.

    Attributes:
        name: the case name (``s503_after_ra``, ``cut_body``...).
        kind: the fault kind it belongs to, for the summary table (``5xx``, ``cut``...).
        aim: the endpoint it hits: the token endpoint or the API.
        action: what the server does (see ``Listener._faulty``).
        status: the status of ``status``/``huge`` actions; for after-header actions, ``None`` means the
            status a normal answer would have had (201 to a create, 200 otherwise).
        headers: extra response headers (``Retry-After``...).
        body: the body of a ``status`` action; ``raw`` actions send it as the whole answer.
        read_body: ``False`` answers before the request body is acted on ("before processing"); the body
            is still drained so the close is a FIN, not a reset.
        keep_location: a ``status`` answer to a create also carries the ``Location`` of a created resource.
        times: how many requests of its aim the fault hits before the server answers normally again.
        hold: how long hangs and stalls last, in seconds (longer than any client deadline).
    """

    name: str
    kind: str
    aim: Aim
    action: str
    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    read_body: bool = True
    keep_location: bool = False
    times: int = 1
    hold: float = 6.0


@dataclass
class Received:
    """One request as the server saw it."""

    method: str
    path: str
    aim: Literal["token", "api", "other"]
    body_complete: bool
    processed: bool = False
    faulted: bool = False


@dataclass
class _Issued:
    tokens: list[str] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)  # every Location header of a created resource
    stray_locations: list[str] = field(default_factory=list)  # Locations of stray answers: nothing made


class Listener:
    """One port, one fault. Use as a context manager; ``requests`` is what arrived."""

    def __init__(self, fault: Fault | None, *, api_key: str, client_secret: str, name: str = "case") -> None:
        self.fault = fault
        self.api_key = api_key
        self.client_secret = client_secret
        self.name = name
        self.requests: list[Received] = []
        self.errors: list[str] = []  # failures of the server itself (a harness bug, not an SDK one)
        self.issued = _Issued()
        self._lock = threading.Lock()
        self._hits: dict[str, int] = {"token": 0, "api": 0}
        self._stop = threading.Event()
        self._busy = 0  # connections in the middle of reading a request
        self._live = 0  # connections accepted and not yet closed by either side
        self._threads: list[threading.Thread] = []
        self._conns: list[socket.socket] = []
        self._counter = itertools.count(1)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._sock.settimeout(_READ_SLICE)
        self.port: int = self._sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._acceptor = threading.Thread(target=self._accept_loop, name=f"fault-{name}", daemon=True)
        self._acceptor.start()

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> Listener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def settle(self, limit: float = 1.0) -> None:
        """Wait (up to ``limit``) until no connection is pending or half-read, so the record is complete."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            pending, _, _ = select.select([self._sock], [], [], 0)
            with self._lock:
                busy = self._busy
            if not pending and busy == 0:
                return
            time.sleep(0.02)

    def close(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._sock.close()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.close()
        self._acceptor.join(2)
        for thread in list(self._threads):
            thread.join(2)

    # ------------------------------------------------------------------ what arrived
    def count(self, method: str | None = None, path: str | None = None, aim: str | None = None) -> int:
        with self._lock:
            return sum(
                1
                for r in self.requests
                if (method is None or r.method == method)
                and (path is None or r.path == path)
                and (aim is None or r.aim == aim)
            )

    def connections(self) -> tuple[int, int]:
        """(accepted so far, still open): a client that reuses its connections opens few."""
        with self._lock:
            return len(self._conns), self._live

    # ------------------------------------------------------------------ serving
    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            with self._lock:
                self._conns.append(conn)
                self._threads.append(thread)
                self._live += 1
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        buffer = b""
        try:
            while not self._stop.is_set():
                parsed = self._read_request(conn, buffer)
                if parsed is None:
                    return
                request, body_complete, buffer = parsed
                if not self._answer(conn, request, body_complete):
                    return
        except OSError:  # the client went away mid-answer: part of the game
            return
        except Exception as exc:  # a bug of this server: kept for the test to report, never lost in a thread
            with self._lock:
                self.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            with contextlib.suppress(OSError):
                conn.close()
            with self._lock:
                self._live -= 1

    def _read_request(
        self, conn: socket.socket, buffer: bytes
    ) -> tuple[tuple[str, str, dict[str, str], bytes], bool, bytes] | None:
        conn.settimeout(_READ_SLICE)
        counted = False
        try:
            while b"\r\n\r\n" not in buffer:
                chunk = self._recv(conn)
                if chunk is None:
                    return None
                if chunk and not counted:
                    counted = True
                    with self._lock:
                        self._busy += 1
                buffer += chunk
                if len(buffer) > _MAX_HEADER_BYTES:
                    return None
            head, _, rest = buffer.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _version = [*lines[0].split(" ", 2), "", ""][:3]
            headers = {}
            for line in lines[1:]:
                key, _, value = line.partition(":")
                headers[key.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0") or 0)
            deadline = time.monotonic() + 5
            while len(rest) < length and time.monotonic() < deadline:
                chunk = self._recv(conn)
                if chunk is None:
                    break
                rest += chunk
            body, remainder = rest[:length], rest[length:]
            return (method, target.split("?", 1)[0], headers, body), len(body) == length, remainder
        finally:
            if counted:
                with self._lock:
                    self._busy -= 1

    def _recv(self, conn: socket.socket) -> bytes | None:
        """Bytes, ``b""`` when nothing came within one slice, ``None`` when the peer closed or we stop."""
        while not self._stop.is_set():
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                return b""
            except OSError:
                return None
            return chunk if chunk else None
        return None

    def _answer(
        self, conn: socket.socket, request: tuple[str, str, dict[str, str], bytes], body_complete: bool
    ) -> bool:
        """Answer one request; ``False`` when the connection must end."""
        method, path, _headers, _body = request
        aim: Literal["token", "api", "other"]
        if method == "POST" and path.rstrip("/").endswith(TOKEN_PATH):
            aim = "token"
        elif path.startswith("/api/"):
            aim = "api"
        else:
            aim = "other"
        record = Received(method, path, aim, body_complete)
        fault = self.fault
        with self._lock:
            self.requests.append(record)
            hit = 0
            if fault is not None and aim == fault.aim and self._hits[aim] < fault.times:
                self._hits[aim] += 1
                hit = self._hits[aim]
        if hit and fault is not None:
            record.faulted = True
            return self._faulty(conn, fault, method, path, record, hit)
        record.processed = True
        status, headers, body = self._normal(method, path, aim)
        self._send(conn, status, headers, body)
        return True

    # ------------------------------------------------------------------ normal answers
    def _new_token(self) -> str:
        token = f"tok-{uuid.uuid4().hex}"
        with self._lock:
            self.issued.tokens.append(token)
        return token

    def _token_body(self) -> bytes:
        token = self._new_token()
        return json.dumps(
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": 3600,
                "created_at": int(time.time()),
            }
        ).encode()

    def _normal(self, method: str, path: str, aim: str) -> tuple[int, list[tuple[str, str]], bytes]:
        json_type = [("Content-Type", "application/json")]
        if aim == "token":
            return 200, json_type, self._token_body()
        if aim == "api" and method == "POST":
            return 201, [("Location", self._location(path))], b""
        if aim == "api" and method == "GET":
            resource_id = path.rstrip("/").rsplit("/", 1)[-1]
            payload = json.loads(json.dumps(_RESOURCE))
            payload["data"]["id"] = resource_id
            payload["data"]["attributes"]["_links"]["self"] = f"{self.base_url}{path}"
            return 200, json_type, json.dumps(payload).encode()
        return 404, json_type, b'{"error_code": 404, "error_message": "Not found"}'

    def _location(self, path: str) -> str:
        location = f"{self.base_url}{path.rstrip('/')}/{uuid.uuid4()}"
        with self._lock:
            self.issued.locations.append(location)
        return location

    def _normal_head(self, method: str, path: str) -> tuple[int, list[tuple[str, str]], bytes]:
        """What a normal answer would start with, for faults that break it after the headers."""
        if self.fault is not None and self.fault.aim == "token":
            return 200, [("Content-Type", "application/json")], self._token_body()
        status, headers, body = self._normal(method, path, "api")
        if method == "POST":  # a create answered 201 + Location, with a JSON body to cut or stall
            body = json.dumps({"data": {"id": str(uuid.uuid4()), "type": "incoming_payment"}}).encode()
            headers = [*headers, ("Content-Type", "application/json")]
        return status, headers, body

    # ------------------------------------------------------------------ faulty answers
    def _faulty(
        self, conn: socket.socket, fault: Fault, method: str, path: str, record: Received, hit: int
    ) -> bool:
        """Misbehave for the ``hit``-th request the fault aims at (1 for the first)."""
        record.processed = fault.read_body and fault.action not in ("reset_before",)
        match fault.action:
            case "status":
                headers = list(fault.headers)
                if fault.keep_location and method == "POST":
                    headers.append(("Location", self._location(path)))
                body = fault.body
                if b"{token_json}" in body:  # a whole, valid token response (with an odd status)
                    body = self._token_body()
                if b"{token}" in body:  # a real token inside a broken body
                    body = body.replace(b"{token}", self._new_token().encode())
                if b"{secret_echo}" in body:
                    body = body.replace(b"{secret_echo}", self._echo().encode())
                self._send(conn, fault.status or 500, headers, body)
                return True
            case "stray" if hit == 1:
                # A whole, normal answer and, in the same write (so the client reads both at once), a
                # second answer nobody asked for, on a connection kept alive for the next request.
                status, headers, body = self._normal(method, path, "api")
                stray = f"{self.base_url}{path.rstrip('/')}/{uuid.uuid4()}"
                with self._lock:
                    self.issued.stray_locations.append(stray)
                leftover = self._wire(201, [("Location", stray)], b"")
                conn.sendall(self._wire(status, headers, body) + leftover)
                return True
            case "stray":  # the request after it: what K2 really answers
                self._send(conn, fault.status or 500, list(fault.headers), fault.body)
                return True
            case "hang":
                self._stop.wait(fault.hold)
                return False
            case "reset_before":
                _reset(conn)
                return False
            case "reset_after_headers":
                status, headers, body = self._normal_head(method, path)
                self._send_head(conn, status, headers, len(body) + 200)
                conn.sendall(body[: len(body) // 2])
                time.sleep(0.05)  # let the headers go out before the reset
                _reset(conn)
                return False
            case "cut":
                status, headers, body = self._normal_head(method, path)
                self._send_head(conn, status, headers, len(body) + 500)
                conn.sendall(body[: max(1, len(body) // 2)])
                conn.shutdown(socket.SHUT_WR)
                return False
            case "stall":
                status, headers, body = self._normal_head(method, path)
                self._send_head(conn, status, headers, len(body))
                conn.sendall(body[: max(1, len(body) // 2)])
                self._stop.wait(fault.hold)
                return False
            case "trickle":
                status, headers, body = self._normal_head(method, path)
                self._send_head(conn, status, headers, len(body))
                started = time.monotonic()
                for byte in body:
                    conn.sendall(bytes([byte]))
                    if self._stop.wait(0.5) or time.monotonic() - started > fault.hold:
                        break
                return False
            case "raw":
                conn.sendall(fault.body)
                conn.shutdown(socket.SHUT_WR)
                return False
            case "huge":
                size = 50 * 1024 * 1024
                self._send_head(conn, fault.status or 500, [("Content-Type", "text/html")], size)
                chunk = b"<p>" + b"x" * (1024 * 1024 - 7) + b"</p>\n"
                for _ in range(size // len(chunk)):
                    if self._stop.is_set():
                        return False
                    conn.sendall(chunk)
                conn.sendall(b" " * (size % len(chunk)))
                return True
            case _:
                raise AssertionError(f"unknown fault action {fault.action!r}")

    def _echo(self) -> str:
        """An error text echoing every credential the server has seen (the way a careless gateway would)."""
        with self._lock:
            tokens = " ".join(self.issued.tokens)
        return f"client_secret {self.client_secret} rejected; api key {self.api_key}; tokens {tokens}"

    # ------------------------------------------------------------------ wire
    def _sign(self, body: bytes) -> str:
        signature = hmac.new(self.api_key.encode(), body, hashlib.sha256).hexdigest()
        with self._lock:
            self.issued.signatures.append(signature)
        return signature

    def _head(self, status: int, headers: list[tuple[str, str]], length: int) -> bytes:
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}", f"Content-Length: {length}"]
        lines += [f"Date: {formatdate(usegmt=True)}"]
        lines += [f"{k}: {v}" for k, v in headers]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _send_head(
        self, conn: socket.socket, status: int, headers: list[tuple[str, str]], length: int
    ) -> None:
        conn.sendall(self._head(status, headers, length))

    def _wire(self, status: int, headers: list[tuple[str, str]], body: bytes) -> bytes:
        # Every answer is signed with the api key, as K2 signs its callbacks: an exception that keeps the
        # response headers would keep the signature.
        return self._head(status, [*headers, (SIGNATURE_HEADER, self._sign(body))], len(body)) + body

    def _send(self, conn: socket.socket, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        conn.sendall(self._wire(status, headers, body))


def _reset(conn: socket.socket) -> None:
    """Close with RST instead of FIN (SO_LINGER with a zero timeout)."""
    with contextlib.suppress(OSError):
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        conn.close()


_REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    301: "Moved Permanently",
    302: "Found",
    307: "Temporary Redirect",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class FaultServer:
    """The session's server: hands each case its own ``Listener`` and closes them all at the end."""

    def __init__(self, *, client_secret: str, api_key: str) -> None:
        self.client_secret = client_secret
        self.api_key = api_key
        self._open: list[Listener] = []
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def listen(self, fault: Fault | None, name: str = "case") -> Iterator[Listener]:
        listener = Listener(fault, api_key=self.api_key, client_secret=self.client_secret, name=name)
        with self._lock:
            self._open.append(listener)
        try:
            yield listener
        finally:
            listener.close()
            with self._lock:
                self._open.remove(listener)

    def close(self) -> None:
        with self._lock:
            listeners = list(self._open)
        for listener in listeners:
            listener.close()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released): connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
