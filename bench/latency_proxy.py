"""A TCP proxy on loopback that delays every byte by a fixed time each way (this kernel has no netem).

    start_proxy("127.0.0.1", upstream_port, delay=0.015)   # 30 ms round trip

Bytes are forwarded in order, each chunk ``delay`` seconds after it arrived. Since the client's
``connect()`` returns at once on loopback, the first bytes of a connection are held until one extra round
trip has passed (the TCP handshake a real link would cost), so a new connection costs what it would over
the wire: a TCP round trip, then TLS's. No back-pressure: meant for small request/response traffic.
"""

from __future__ import annotations

import asyncio
from collections import deque


class _Pipe:
    """One direction: a queue of (when, bytes) drained by a timer."""

    def __init__(self, loop: asyncio.AbstractEventLoop, delay: float, not_before: float) -> None:
        self.loop = loop
        self.delay = delay
        self.not_before = not_before
        self.queue: deque[tuple[float, bytes]] = deque()
        self.target: asyncio.Transport | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.eof = False

    def push(self, data: bytes) -> None:
        when = max(self.loop.time() + self.delay, self.not_before)
        self.queue.append((when, data))
        self._arm()

    def close_after(self) -> None:
        self.eof = True
        self._arm()

    def _arm(self) -> None:
        if self.timer is None and self.target is not None:
            if self.queue:
                self.timer = self.loop.call_at(self.queue[0][0], self._drain)
            elif self.eof:
                self.target.close()

    def _drain(self) -> None:
        self.timer = None
        now = self.loop.time()
        while self.queue and self.queue[0][0] <= now and self.target is not None:
            self.target.write(self.queue.popleft()[1])
        self._arm()

    def attach(self, target: asyncio.Transport) -> None:
        self.target = target
        self._arm()


class _Upstream(asyncio.Protocol):
    def __init__(self, downstream: _Downstream) -> None:
        self.downstream = downstream

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.downstream.to_server.attach(transport)

    def data_received(self, data: bytes) -> None:
        self.downstream.to_client.push(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.downstream.to_client.close_after()


class _Downstream(asyncio.Protocol):
    def __init__(self, host: str, port: int, delay: float) -> None:
        self.host, self.port, self.delay = host, port, delay
        self.loop = asyncio.get_running_loop()
        handshake_done = self.loop.time() + 3 * delay  # SYN, SYN-ACK, then the first bytes' own trip
        self.to_server = _Pipe(self.loop, delay, handshake_done)
        self.to_client = _Pipe(self.loop, delay, 0.0)
        self.upstream: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.to_client.attach(transport)
        self.loop.create_task(self._connect_upstream(transport))

    async def _connect_upstream(self, transport: asyncio.Transport) -> None:
        try:
            upstream, _ = await self.loop.create_connection(lambda: _Upstream(self), self.host, self.port)
        except OSError:
            transport.abort()
            return
        self.upstream = upstream

    def data_received(self, data: bytes) -> None:
        self.to_server.push(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.to_server.close_after()


async def start_proxy(host: str, upstream_port: int, delay: float) -> tuple[asyncio.Server, int]:
    """Listen on a free loopback port; forward to ``host:upstream_port`` with ``delay`` each way."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Downstream(host, upstream_port, delay), "127.0.0.1", 0)
    return server, int(server.sockets[0].getsockname()[1])
