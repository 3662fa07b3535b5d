"""The console line per delivery attempt: success, refused, timeout, TLS, retries, no secrets, colour rules.

The sandbox runs under uvicorn on loopback (``serve_in_thread``) with a console attached to an in-memory
stream; the receivers are real sockets: the test receiver (200, or 500 for the first N), a closed port
(refused), a socket that accepts and never answers (timeout) and an HTTPS server whose certificate the
sandbox does not trust (TLS). The CLI tests run ``python -m k2connect_sandbox`` itself.
"""

from __future__ import annotations

import asyncio
import os
import re
import select
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from k2connect_sandbox.app import create_app
from k2connect_sandbox.config import SandboxConfig
from k2connect_sandbox.console import DeliveryConsole, LineWriter, attach_delivery_console
from k2connect_sandbox.delivery import AttemptReport, Notification
from k2connect_sandbox.server import RunningSandbox, serve_in_thread
from k2connect_sandbox.tls import make_tls_material

from . import payloads
from .conftest import CREDENTIALS
from .receiver import Receiver

pytestmark = pytest.mark.sandbox

ATTEMPTS = 3
BACKOFF = 0.05
TIMEOUT = 0.4
LINE_START = re.compile(r"^\d\d:\d\d:\d\d ")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Sink:
    """A text stream the console's writer thread writes to and the test reads, thread-safely."""

    def __init__(self, tty: bool = False, encoding: str = "utf-8") -> None:
        self._lock = threading.Lock()
        self._text = ""
        self._tty = tty
        self.encoding = encoding

    def write(self, text: str) -> int:
        with self._lock:
            self._text += text
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return self._tty

    def lines(self) -> list[str]:
        with self._lock:
            return self._text.splitlines()

    def wait_for(self, predicate: Callable[[list[str]], bool], timeout: float = 10.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while not predicate(found := self.lines()):
            if time.monotonic() > deadline:
                raise AssertionError(f"console lines did not arrive: {found}")
            time.sleep(0.01)
        return found


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    config = SandboxConfig(
        callback_delay=0,
        delivery_max_attempts=ATTEMPTS,
        delivery_initial_backoff=BACKOFF,
        delivery_timeout=TIMEOUT,
    )
    with serve_in_thread(config) as running:
        yield running


@pytest.fixture
def sink(sandbox: RunningSandbox) -> Iterator[Sink]:
    sandbox.reset()
    found = Sink()
    console = attach_delivery_console(sandbox.app, found)
    yield found
    console.close()


def _push(sandbox: RunningSandbox, callback: str, **changes: Any) -> str:
    """An STK push whose callback goes to ``callback``; its resource id."""
    body = payloads.stk(callback)
    body["subscriber"].update(changes)
    response = httpx.post(
        f"{sandbox.base_url}/api/v1/incoming_payments",
        json=body,
        headers={"Authorization": f"Bearer {sandbox.token()}"},
        trust_env=False,
    )
    assert response.status_code == 201, response.text
    return response.headers["location"].rsplit("/", 1)[1]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _with(resource_id: str) -> Callable[[list[str]], list[str]]:
    return lambda lines: [line for line in lines if f" {resource_id[:8]} " in line]


def test_a_delivered_callback_is_one_ok_line(sandbox: RunningSandbox, sink: Sink, receiver: Receiver) -> None:
    url = receiver.url()
    resource_id = _push(sandbox, url)
    (line,) = _with(resource_id)(sink.wait_for(lambda lines: bool(_with(resource_id)(lines))))
    assert LINE_START.match(line), line
    assert line.endswith(
        f" ok     callback incoming_payment {resource_id[:8]} -> {url}: HTTP 200 (attempt 1 of {ATTEMPTS})"
    ), line
    assert not ANSI.search(line)  # not a terminal: plain text


def test_a_refused_connection_is_retried_then_given_up_line_by_line(
    sandbox: RunningSandbox, sink: Sink
) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/cb"
    resource_id = _push(sandbox, url)
    lines = _with(resource_id)(sink.wait_for(lambda found: len(_with(resource_id)(found)) == ATTEMPTS))
    tails = [line.split(f" -> {url}: ", 1)[1] for line in lines]
    assert tails == [
        f"connection refused (attempt 1 of {ATTEMPTS}, next retry in {BACKOFF:g} s)",
        f"connection refused (attempt 2 of {ATTEMPTS}, next retry in {BACKOFF * 2:g} s)",
        f"connection refused (attempt 3 of {ATTEMPTS}, no more retries)",
    ]
    assert all(" FAILED callback incoming_payment " in line for line in lines)


def test_a_receiver_that_never_answers_is_a_timeout_after_the_delivery_timeout(
    sandbox: RunningSandbox, sink: Sink
) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # connections complete in the kernel; nothing ever reads or answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/cb"
        resource_id = _push(sandbox, url)
        (first, *_) = _with(resource_id)(sink.wait_for(lambda found: bool(_with(resource_id)(found))))
    assert first.endswith(
        f"FAILED callback incoming_payment {resource_id[:8]} -> {url}: timeout after {TIMEOUT:g} s "
        f"(no response) (attempt 1 of {ATTEMPTS}, next retry in {BACKOFF:g} s)"
    ), first


def test_a_receiver_answering_500_then_200_shows_each_attempt(
    sandbox: RunningSandbox, sink: Sink, receiver: Receiver
) -> None:
    url = receiver.url(fail_first=1)
    resource_id = _push(sandbox, url)
    failed, delivered = _with(resource_id)(sink.wait_for(lambda found: len(_with(resource_id)(found)) == 2))
    assert failed.endswith(f"FAILED callback incoming_payment {resource_id[:8]} -> {url}: HTTP 500 "
                           f"(attempt 1 of {ATTEMPTS}, next retry in {BACKOFF:g} s)"), failed  # fmt: skip
    assert delivered.endswith(f" ok     callback incoming_payment {resource_id[:8]} -> {url}: HTTP 200 "
                              f"(attempt 2 of {ATTEMPTS})"), delivered  # fmt: skip


def test_plain_http_to_a_public_host_is_a_refusal_not_retried(sandbox: RunningSandbox, sink: Sink) -> None:
    resource_id = _push(sandbox, "http://receiver.example.com/cb")
    (line,) = _with(resource_id)(sink.wait_for(lambda found: bool(_with(resource_id)(found))))
    assert line.endswith(
        "-> http://receiver.example.com/cb: refused: plain http to a non-loopback host "
        "(use https, or --allow-http) (attempt 1 of 1, not retried)"
    ), line


@contextmanager
def _untrusted_https_receiver() -> Iterator[str]:
    """An HTTPS receiver on loopback whose certificate comes from a CA the sandbox does not trust."""
    material = make_tls_material()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(material.cert_file), str(material.key_file))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/cb"
    finally:
        server.shutdown()
        server.server_close()
        material.cleanup()


def test_an_untrusted_certificate_is_a_tls_error(sandbox: RunningSandbox, sink: Sink) -> None:
    with _untrusted_https_receiver() as url:
        resource_id = _push(sandbox, url)
        (first, *_) = _with(resource_id)(sink.wait_for(lambda found: bool(_with(resource_id)(found))))
    assert f"-> {url}: TLS error: " in first and "certificate" in first, first


def test_no_user_password_query_or_escape_sequence_reaches_the_console(
    sandbox: RunningSandbox, sink: Sink, receiver: Receiver
) -> None:
    """The URL is shown without user:password and query; control characters are escaped."""
    plain = receiver.url("secret")
    secret_url = plain.replace("http://", "http://alice:hunter2@") + "%1b%5B31m?token=tok-abc123&sig=s3cr3t"
    resource_id = _push(sandbox, secret_url)
    (line,) = _with(resource_id)(sink.wait_for(lambda found: bool(_with(resource_id)(found))))
    for secret in ("alice", "hunter2", "tok-abc123", "s3cr3t", "token="):
        assert secret not in line
    assert f"-> {plain}%1b%5B31m?…: HTTP 200" in line, line  # the path as given, the query elided
    assert "\x1b" not in line


def test_a_raw_escape_character_in_a_url_is_printed_escaped() -> None:
    """A URL the sandbox was handed with a raw ESC (no client should, but nothing checks) stays inert."""
    sink = Sink()
    console = DeliveryConsole(sink)
    console(_report("http://127.0.0.1:9/\x1b[2Jcb\u202e", status=None, reason="connection refused"))
    console.close()
    (line,) = sink.lines()
    assert "\x1b" not in line and "\u202e" not in line
    assert "http://127.0.0.1:9/\\x1b[2Jcb\\u202e: connection refused" in line


def _report(url: str, status: int | None, reason: str | None, retry_in: float | None = None) -> AttemptReport:
    notification = Notification("callback", url, {}, "incoming_payment", resource_id="0123456789abcdef")
    return AttemptReport(notification, 1, 1, 6, status, reason, retry_in, datetime.now().astimezone())


def test_on_a_terminal_failures_are_red_with_a_cross_and_deliveries_green() -> None:
    sink = Sink(tty=True)
    console = DeliveryConsole(sink, environ={"TERM": "xterm"})
    console(_report("http://127.0.0.1:9/cb", None, "connection refused", retry_in=0.2))
    console(_report("http://127.0.0.1:9/cb", 200, None))
    console.close()
    failed, delivered = sink.lines()
    assert "\x1b[1;31m✗ FAILED\x1b[0m" in failed and "\x1b[1;31mconnection refused\x1b[0m" in failed
    assert "\x1b[32m✓\x1b[0m" in delivered
    assert ANSI.sub("", failed).endswith("✗ FAILED callback incoming_payment 01234567 -> "
                                         "http://127.0.0.1:9/cb: connection refused "
                                         "(attempt 1 of 6, next retry in 0.2 s)")  # fmt: skip


@pytest.mark.parametrize(
    ("tty", "environ", "encoding"),
    [
        (True, {"NO_COLOR": "1", "TERM": "xterm"}, "utf-8"),
        (True, {"TERM": "dumb"}, "utf-8"),
        (False, {"TERM": "xterm"}, "utf-8"),
    ],
    ids=["NO_COLOR", "TERM=dumb", "not-a-tty"],
)
def test_no_colour_without_a_terminal_or_with_no_color(
    tty: bool, environ: dict[str, str], encoding: str
) -> None:
    sink = Sink(tty=tty, encoding=encoding)
    console = DeliveryConsole(sink, environ=environ)
    console(_report("http://127.0.0.1:9/cb", 503, None))
    console.close()
    (line,) = sink.lines()
    assert not ANSI.search(line) and "✗" not in line
    assert " FAILED callback incoming_payment 01234567 -> http://127.0.0.1:9/cb: HTTP 503 " in line


def test_a_terminal_that_cannot_show_the_marks_gets_words_in_colour() -> None:
    sink = Sink(tty=True, encoding="ascii")
    console = DeliveryConsole(sink, environ={"TERM": "xterm"})
    console(_report("http://127.0.0.1:9/cb", 500, None))
    console.close()
    (line,) = sink.lines()
    assert "\x1b[1;31mFAILED\x1b[0m" in line and "✗" not in line


@pytest.mark.parametrize(("level", "shown"), [("info", 2), ("WARNING", 1), ("error", 0)])
def test_the_level_hides_the_lines_below_it(level: str, shown: int) -> None:
    """Delivered attempts are info lines, failed ones warning lines."""
    sink = Sink()
    console = DeliveryConsole(sink, level=level)
    console(_report("http://127.0.0.1:9/cb", 200, None))
    console(_report("http://127.0.0.1:9/cb", None, "connection refused"))
    console.close()
    assert len(sink.lines()) == shown
    if shown == 1:
        assert "FAILED" in sink.lines()[0]


def test_an_unknown_level_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown log level 'loud'"):
        DeliveryConsole(Sink(), level="loud")


class _Stuck:
    """A stream whose writes block until released: a pipe nobody reads."""

    encoding = "utf-8"

    def __init__(self) -> None:
        self.release = threading.Event()
        self.text = ""

    def write(self, text: str) -> int:
        self.release.wait(10)
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


def test_a_console_nobody_reads_drops_lines_instead_of_blocking_the_sandbox() -> None:
    stuck = _Stuck()
    writer = LineWriter(stuck, capacity=5)
    started = time.monotonic()
    for number in range(50):
        writer.write(f"line {number}")
    assert time.monotonic() - started < 1.0  # never waited for the stream
    stuck.release.set()
    # The one line being written when the stream stuck, and the five queued behind it, go out first.
    deadline = time.monotonic() + 5
    while stuck.text.count("\n") < 6:
        assert time.monotonic() < deadline, stuck.text
        time.sleep(0.01)
    writer.write("after")
    writer.close()
    lines = stuck.text.splitlines()
    assert lines[-1] == "after"
    dropped = [line for line in lines if "delivery lines dropped" in line]
    assert len(dropped) == 1 and int(dropped[0].split()[1]) == 50 - sum(
        line.startswith("line ") for line in lines
    )


def test_a_closed_stream_stops_the_writer_quietly() -> None:
    class Closed:
        def write(self, text: str) -> int:
            raise ValueError("I/O operation on closed file.")

        def flush(self) -> None:
            pass

    writer = LineWriter(Closed())
    writer.write("lost")
    writer.close(timeout=1)  # returns: the thread ended at the first failed write


def test_a_failing_listener_does_not_stop_the_delivery(
    sandbox: RunningSandbox, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox.reset()

    def broken(report: AttemptReport) -> None:
        raise RuntimeError("console gone")

    service = sandbox.app.sandbox.deliveries
    service.add_listener(broken)
    try:
        url = receiver.url()
        _push(sandbox, url)
        receiver.wait_for(url)
        sandbox.wait_for_deliveries(lambda found: any(d["delivered"] for d in found))
    finally:
        service.remove_listener(broken)
    assert "a delivery listener failed" in caplog.text


async def test_an_in_process_sandbox_prints_nothing(
    receiver: Receiver, capfd: pytest.CaptureFixture[str]
) -> None:
    """create_app alone: deliveries happen, and not a byte reaches stdout or stderr."""
    app = create_app(
        SandboxConfig(callback_delay=0, delivery_initial_backoff=BACKOFF, delivery_max_attempts=2)
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        token = (await client.post("/oauth/token", data=CREDENTIALS)).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        url = receiver.url()
        for callback in (url, f"http://127.0.0.1:{_closed_port()}/cb"):
            created = await client.post(
                "/api/v1/incoming_payments", json=payloads.stk(callback), headers=headers
            )
            assert created.status_code == 201
        await receiver.await_for(url)
        while len(app.sandbox.deliveries.log()) < 3:  # the delivered one, and both refused attempts
            await asyncio.sleep(0.02)
    await app.sandbox.scheduler.aclose()
    assert capfd.readouterr() == ("", "")


@contextmanager
def _cli(*args: str, stderr: Path) -> Iterator[dict[str, str]]:
    """``python -m k2connect_sandbox --port 0 ...`` with stderr to a file; its key: value stdout lines."""
    with stderr.open("w") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "k2connect_sandbox", "--port", "0", "--callback-delay", "0", *args],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": ""},
        )
        try:
            assert process.stdout is not None
            assert process.stdout.readline() == "k2connect sandbox\n"
            printed: dict[str, str] = {}
            while "api_key" not in printed:
                key, _, value = process.stdout.readline().partition(": ")
                assert value, f"not a key: value line; stderr: {stderr.read_text()}"
                printed[key] = value.strip()
            yield printed
        finally:
            process.terminate()  # the one process this test started, by its handle
            process.wait(timeout=15)
            if process.stdout is not None:
                process.stdout.close()


def _cli_push(base_url: str, callback: str) -> str:
    with httpx.Client(base_url=base_url, trust_env=False, timeout=10) as client:
        deadline = time.monotonic() + 15
        while True:
            try:
                token = client.post("/oauth/token", data=CREDENTIALS).json()["access_token"]
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        created = client.post(
            "/api/v1/incoming_payments",
            json=payloads.stk(callback),
            headers={"Authorization": f"Bearer {token}"},
        )
        assert created.status_code == 201, created.text
        return created.headers["location"].rsplit("/", 1)[1]


def _wait_text(path: Path, needle: str, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    while needle not in (text := path.read_text()):
        assert time.monotonic() < deadline, f"{needle!r} not in stderr: {text}"
        time.sleep(0.05)
    return text


def test_the_cli_prints_delivery_lines_on_stderr_and_keeps_stdout_parseable(
    receiver: Receiver, tmp_path: Path
) -> None:
    stderr = tmp_path / "stderr.txt"
    url = receiver.url()
    refused = f"http://127.0.0.1:{_closed_port()}/cb"
    with _cli("--log-level", "warning", stderr=stderr) as printed:
        assert set(printed) == {"url", "client_id", "client_secret", "api_key"}
        delivered_id = _cli_push(printed["url"], url)
        failed_id = _cli_push(printed["url"], refused)
        receiver.wait_for(url)
        text = _wait_text(
            stderr, f"FAILED callback incoming_payment {failed_id[:8]} -> {refused}: connection refused"
        )
    assert delivered_id[:8] not in text  # --log-level warning: failed attempts only
    assert "Traceback" not in text


def test_the_cli_prints_delivered_attempts_at_info(receiver: Receiver, tmp_path: Path) -> None:
    stderr = tmp_path / "stderr.txt"
    url = receiver.url()
    with _cli("--log-level", "info", stderr=stderr) as printed:
        resource_id = _cli_push(printed["url"], url)
        _wait_text(
            stderr, f" ok     callback incoming_payment {resource_id[:8]} -> {url}: HTTP 200 (attempt 1 of 6)"
        )


def test_the_cli_quiet_prints_no_delivery_lines(receiver: Receiver, tmp_path: Path) -> None:
    stderr = tmp_path / "stderr.txt"
    url = receiver.url()
    refused = f"http://127.0.0.1:{_closed_port()}/cb"
    with _cli("--quiet", "--log-level", "warning", stderr=stderr) as printed:
        _cli_push(printed["url"], url)
        failed_id = _cli_push(printed["url"], refused)
        receiver.wait_for(url)
        deadline = time.monotonic() + 10
        with httpx.Client(base_url=printed["url"], trust_env=False) as client:
            while not client.get("/sandbox/deliveries", params={"resource_id": failed_id}).json()[
                "deliveries"
            ]:
                assert time.monotonic() < deadline
                time.sleep(0.05)
    assert "callback" not in stderr.read_text()


def test_the_cli_refuses_an_unknown_log_level(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "k2connect_sandbox", "--port", "0", "--log-level", "loud"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "invalid choice: 'loud'" in done.stderr and done.stdout == ""


def _cli_on_a_terminal(receiver: Receiver, environ: dict[str, str]) -> str:
    """Run the CLI with stderr on a pseudo-terminal, push one refused callback; what the terminal got."""
    pty = pytest.importorskip("pty")
    controller, terminal = pty.openpty()
    refused = f"http://127.0.0.1:{_closed_port()}/cb"
    process = subprocess.Popen(
        [sys.executable, "-m", "k2connect_sandbox", "--port", "0", "--callback-delay", "0",
         "--log-level", "warning"],
        stdout=subprocess.PIPE,
        stderr=terminal,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "TERM": "xterm", **environ},
    )  # fmt: skip
    os.close(terminal)
    received = b""
    try:
        assert process.stdout is not None
        url = ""
        while not url:
            key, _, value = process.stdout.readline().partition(": ")
            url = value.strip() if key == "url" else ""
        failed_id = _cli_push(url, refused)
        deadline = time.monotonic() + 15
        while f"{failed_id[:8]} -> {refused}".encode() not in received:
            assert time.monotonic() < deadline, received
            readable, _, _ = select.select([controller], [], [], 0.5)  # never block past the deadline
            if readable:
                received += os.read(controller, 65536)
    finally:
        process.terminate()  # the one process this test started, by its handle
        process.wait(timeout=15)
        if process.stdout is not None:
            process.stdout.close()
        os.close(controller)
    return received.decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_the_cli_on_a_terminal_marks_failures_in_red(receiver: Receiver) -> None:
    shown = _cli_on_a_terminal(receiver, {"NO_COLOR": ""})
    assert "\x1b[1;31m✗ FAILED\x1b[0m callback incoming_payment " in shown


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_the_cli_on_a_terminal_with_no_color_prints_plain_text(receiver: Receiver) -> None:
    shown = _cli_on_a_terminal(receiver, {"NO_COLOR": "1"})
    (line,) = [line for line in shown.splitlines() if " FAILED callback incoming_payment " in line]
    assert "\x1b" not in line and "✗" not in line
