"""A minimal, fast K2 stub for benchmarks, so that the client's cost is what gets measured.

    python bench/stub_server.py [--delay 0.015]

Raw asyncio, no framework, fixed answers, keep-alive, HTTP/1.1 only:

* ``POST /oauth/token``: a token (counted);
* any other ``POST``: ``201 Created`` with the ``Location`` of an STK push;
* ``GET .../incoming_payments/<id>``: a pending STK push, the body K2's docs show;
* ``GET /_stats``: ``{"token_requests", "requests", "connections", "peak_connections"}``;
* anything else: 404.

It listens on loopback three times: plain HTTP, TLS (a trustme certificate for 127.0.0.1, its CA written
to a file), and a latency-injecting TCP proxy in front of the TLS port (``latency_proxy``), so the TLS
handshake crosses the slow link like everything else. One JSON line on stdout gives the ports and the CA
path; the process runs until killed. Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import ssl
import sys
import tempfile
from typing import Final

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from latency_proxy import start_proxy

TOKEN: Final = "bench-fixed-token-0Sn0W6kzNicvoWhDbQcVSKLRUpGjIdlPSEYy"
PAYMENT_ID: Final = "0dad3e3f-a83e-4ed2-afa6-2e76a3df3a03"
PAYMENT_PATH: Final = f"/api/v2/incoming_payments/{PAYMENT_ID}"
_TOKEN_BODY: Final = json.dumps({"token_type": "Bearer", "expires_in": 3600, "access_token": TOKEN}).encode()
_PAYMENT_BODY: Final = json.dumps(
    {
        "data": {
            "id": PAYMENT_ID,
            "type": "incoming_payment",
            "attributes": {
                "initiation_time": "2020-10-21T07:40:00.927+03:00",
                "status": "Pending",
                "event": {"type": "Incoming Payment Request", "resource": None, "errors": None},
                "metadata": {"customer_id": "123456789", "reference": "123456"},
                "_links": {
                    "callback_url": "https://example.com/k2/result",
                    "self": f"https://sandbox.kopokopo.com{PAYMENT_PATH}",
                },
            },
        }
    },
    separators=(",", ":"),
).encode()


def _response(status: str, body: bytes = b"", extra: str = "") -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n{extra}"
    if body:
        head += "Content-Type: application/json\r\n"
    return head.encode() + b"\r\n" + body


_TOKEN_RESPONSE: Final = _response("200 OK", _TOKEN_BODY, "Cache-Control: no-store\r\n")
_PAYMENT_RESPONSE: Final = _response("200 OK", _PAYMENT_BODY)
_NOT_FOUND: Final = _response("404 Not Found", b'{"error_code":404,"error_message":"not found"}')


class Stats:
    def __init__(self) -> None:
        self.token_requests = 0
        self.requests = 0
        self.connections = 0
        self.open = 0
        self.peak_connections = 0

    def as_json(self) -> bytes:
        return json.dumps(
            {
                "token_requests": self.token_requests,
                "requests": self.requests,
                "connections": self.connections,
                "peak_connections": self.peak_connections,
            }
        ).encode()


class StubProtocol(asyncio.Protocol):
    """One connection: parse requests as they come (pipelining too) and answer from the table."""

    def __init__(self, stats: Stats, origin: str) -> None:
        self.stats = stats
        self.created = _response("201 Created", extra=f"Location: {origin}{PAYMENT_PATH}\r\n")
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.stats.connections += 1
        self.stats.open += 1
        self.stats.peak_connections = max(self.stats.peak_connections, self.stats.open)

    def connection_lost(self, exc: Exception | None) -> None:
        self.stats.open -= 1

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end]
            length = 0
            lowered = head.lower()
            at = lowered.find(b"\r\ncontent-length:")
            if at >= 0:
                stop = lowered.find(b"\r\n", at + 2)
                length = int(head[at + 17 : stop if stop >= 0 else None])
            total = end + 4 + length
            if len(self.buffer) < total:
                return
            self.buffer = self.buffer[total:]
            self.answer(head[: head.find(b"\r\n")] if b"\r\n" in head else head)

    def answer(self, request_line: bytes) -> None:
        assert self.transport is not None
        method, _, rest = request_line.partition(b" ")
        path = rest.partition(b" ")[0]
        self.stats.requests += 1
        if method == b"POST":
            if path.startswith(b"/oauth/token"):
                self.stats.token_requests += 1
                self.transport.write(_TOKEN_RESPONSE)
            else:
                self.transport.write(self.created)
        elif method == b"GET" and b"/incoming_payments/" in path:
            self.transport.write(_PAYMENT_RESPONSE)
        elif method == b"GET" and path == b"/_stats":
            self.transport.write(_response("200 OK", self.stats.as_json()))
        else:
            self.transport.write(_NOT_FOUND)


def tls_contexts(directory: str) -> tuple[ssl.SSLContext, str]:
    """A server context with a trustme certificate for 127.0.0.1, and the path of its CA."""
    import trustme

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    ca_path = os.path.join(directory, "bench-ca.pem")
    ca.cert_pem.write_to_path(ca_path)
    return context, ca_path


async def serve(delay: float) -> None:
    loop = asyncio.get_running_loop()
    stats = Stats()
    directory = tempfile.mkdtemp(prefix="k2-bench-")
    server_tls, ca_path = tls_contexts(directory)
    # Each answer's Location names the origin the client called: the plain port, or the proxy's.
    origins: dict[str, str] = {}
    plain = await loop.create_server(lambda: StubProtocol(stats, origins["plain"]), "127.0.0.1", 0)
    port = int(plain.sockets[0].getsockname()[1])
    origins["plain"] = f"http://127.0.0.1:{port}"
    secure = await loop.create_server(
        lambda: StubProtocol(stats, origins["slow"]), "127.0.0.1", 0, ssl=server_tls
    )
    tls_port = int(secure.sockets[0].getsockname()[1])
    proxy, proxy_port = await start_proxy("127.0.0.1", tls_port, delay)
    origins["slow"] = f"https://127.0.0.1:{proxy_port}"
    print(
        json.dumps(
            {"port": port, "tls_port": tls_port, "proxy_port": proxy_port, "ca": ca_path, "delay": delay}
        ),
        flush=True,
    )
    async with plain, secure, proxy:
        await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--delay", type=float, default=0.015, help="one-way delay of the proxy, seconds")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.delay))


if __name__ == "__main__":
    main()
