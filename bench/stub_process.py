"""The stub server (``stub_server.py``) as the benches run it: its process, what the clients send it.

``Stub()`` starts the stub on loopback and reads its ports and the trustme CA from its first line;
``stop()`` ends it and removes the CA's folder. The stub takes any credentials: ``CLIENT_ID``,
``CLIENT_SECRET`` and ``STK_ARGS`` are what every bench's client sends it.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from typing import Any

import httpx

from k2connect_ext import AsyncK2

HERE = os.path.dirname(os.path.abspath(__file__))

CLIENT_ID = "bench-client-id"
CLIENT_SECRET = "bench-client-secret"
STK_ARGS: dict[str, Any] = {
    "phone_number": "+254712345678",
    "amount": 100,
    "till_number": "K000000",
    "callback_url": "https://example.com/k2/result",
}


class Stub:
    """The stub server process (see stub_server.py)."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "stub_server.py")],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit("the stub server did not start")
        info = json.loads(line)
        self.origin = f"http://127.0.0.1:{info['port']}"
        self.slow_origin = f"https://127.0.0.1:{info['proxy_port']}"
        self.ca: str = info["ca"]

    def stats(self) -> dict[str, int]:
        return dict(httpx.get(f"{self.origin}/_stats").json())

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(os.path.dirname(self.ca), ignore_errors=True)  # the trustme CA's temporary folder


def first_location(runner: asyncio.Runner, origin: str) -> str:
    """The Location of one STK push created on ``origin`` (what the GET figures fetch)."""

    async def create() -> str:
        async with AsyncK2(CLIENT_ID, CLIENT_SECRET, base_url=origin) as k2:
            return (await k2.stk_push(**STK_ARGS)).location

    return runner.run(create())
