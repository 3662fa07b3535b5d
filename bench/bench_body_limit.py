"""Memory held by a webhook adapter while an unsigned oversized body streams in.

    python bench/bench_body_limit.py [--mb 100]

For each adapter, an unsigned body of ``--mb`` megabytes arrives in 64 KiB chunks with no Content-Length
(the worst case: the limit can only be enforced while reading). The peak of Python allocations during the
request (tracemalloc) is printed beside the same request to an endpoint that reads the whole body first, as
every adapter did before the limit. Nothing is asserted: this is a measurement, the guarantee is tested in
tests/unit/test_body_limit.py by counting the bytes pulled.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from flask import Flask  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import Response  # noqa: E402
from starlette.routing import Route  # noqa: E402

from k2connect_ext.webhooks import SIGNATURE_HEADER  # noqa: E402
from k2connect_ext.webhooks.adapters import flask as flask_adapter  # noqa: E402
from k2connect_ext.webhooks.adapters.starlette import webhook_endpoint  # noqa: E402

KEY = "bench-body-limit-key"
CHUNK = 64 * 1024
HEADERS = {SIGNATURE_HEADER: "0" * 64, "Content-Type": "application/json"}


def chunks(total: int) -> Iterator[bytes]:
    for _ in range(total // CHUNK):
        yield b"x" * CHUNK  # a fresh buffer each time, as a server's socket reads are


async def asgi_post(app: Any, total: int) -> int:
    source = chunks(total)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/k2",
        "raw_path": b"/k2",
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()],
        "client": ("127.0.0.1", 1),
        "server": ("bench", 80),
    }

    async def receive() -> dict[str, Any]:
        chunk = next(source, None)
        return {"type": "http.request", "body": chunk or b"", "more_body": chunk is not None}

    statuses: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    return statuses[0]


class Stream:
    def __init__(self, total: int) -> None:
        self.source = chunks(total)

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(self.source)
        return next(self.source, b"")


def wsgi_post(app: Flask, total: int) -> int:
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(path="/k2", method="POST", headers=list(HEADERS.items())).get_environ()
    environ["wsgi.input"] = Stream(total)
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input_terminated"] = True
    statuses: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        statuses.append(status)
        return lambda data: None

    app(environ, start_response)
    return int(statuses[0].split()[0])


def starlette_limited() -> Any:
    return Starlette(routes=[Route("/k2", webhook_endpoint(KEY, print), methods=["POST"])])


def starlette_whole_body() -> Any:
    async def whole(request: Request) -> Response:  # what the adapter did before the limit
        body = await request.body()
        return Response(status_code=401 if body else 400)

    return Starlette(routes=[Route("/k2", whole, methods=["POST"])])


def flask_limited() -> Flask:
    app = Flask(__name__)
    app.add_url_rule("/k2", view_func=flask_adapter.webhook_view(KEY, print), methods=["POST"])
    return app


def flask_whole_body() -> Flask:
    from flask import request

    app = Flask(__name__)

    def whole() -> tuple[str, int]:
        return "", 401 if request.get_data() else 400

    app.add_url_rule("/k2", view_func=whole, methods=["POST"])
    return app


def measure(run: Callable[[], int]) -> tuple[int, float]:
    tracemalloc.start()
    tracemalloc.reset_peak()
    status = run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return status, peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=int, default=100)
    total = parser.parse_args().mb * 1_000_000
    logging.getLogger("k2connect_ext").setLevel(logging.ERROR)  # the 413 warnings are expected here
    cases: list[tuple[str, Callable[[], int]]] = [
        ("starlette, limited (1 MiB)", lambda: asyncio.run(asgi_post(starlette_limited(), total))),
        ("starlette, whole body first", lambda: asyncio.run(asgi_post(starlette_whole_body(), total))),
        ("flask, limited (1 MiB)", lambda: wsgi_post(flask_limited(), total)),
        ("flask, whole body first", lambda: wsgi_post(flask_whole_body(), total)),
    ]
    print(f"unsigned {total / 1e6:.0f} MB body, chunked, no Content-Length")
    print(f"{'endpoint':32} {'status':>6} {'peak MB':>9}")
    for name, run in cases:
        status, peak = measure(run)
        print(f"{name:32} {status:>6} {peak:>9.1f}")


if __name__ == "__main__":
    main()
