"""The console entry point: `python -m k2connect_sandbox` over HTTP and HTTPS (--tls)."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from k2connect_sandbox.__main__ import main
from k2connect_sandbox.server import bind_socket, serve_in_thread

pytestmark = pytest.mark.sandbox


@contextmanager
def _sandbox_process(*args: str) -> Iterator[dict[str, str]]:
    """Start the CLI, read the key: value lines it prints before serving, stop it afterwards."""
    process = subprocess.Popen(
        [sys.executable, "-m", "k2connect_sandbox", "--port", "0", "--log-level", "warning", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        printed: dict[str, str] = {}
        deadline = time.monotonic() + 15
        while "api_key" not in printed or ("--tls" in args and "ca_file" not in printed):
            line = process.stdout.readline()
            if not line or time.monotonic() > deadline:
                raise AssertionError(
                    f"CLI printed no credentials; stderr: {process.stderr.read() if process.stderr else ''}"
                )
            key, _, value = line.partition(": ")
            if value:
                printed[key.strip()] = value.strip()
        yield printed
    finally:
        process.terminate()  # the one process this test started, by its handle
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()
        if process.stderr:
            process.stderr.close()


def _wait_healthy(url: str, verify: ssl.SSLContext | bool = True) -> httpx.Response:
    deadline = time.monotonic() + 10
    while True:
        try:
            return httpx.get(f"{url}/sandbox/health", verify=verify, trust_env=False)
        except httpx.ConnectError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def test_cli_serves_http_with_printed_credentials() -> None:
    """--port 0 picks a free port; the printed URL and credentials work."""
    with _sandbox_process(
        "--client-id", "cli-id", "--client-secret", "cli-secret", "--callback-delay", "0"
    ) as printed:
        assert printed["client_id"] == "cli-id" and printed["api_key"] == "sandbox-api-key"
        assert _wait_healthy(printed["url"]).json() == {"status": "ok"}
        token = httpx.post(
            f"{printed['url']}/oauth/token",
            data={"grant_type": "client_credentials", "client_id": "cli-id", "client_secret": "cli-secret"},
            trust_env=False,
        )
        assert token.status_code == 200


def test_cli_tls_mode_answers_health_over_https_with_the_printed_ca() -> None:
    """--tls serves HTTPS with a throwaway CA whose PEM path is printed; the CA is removed at exit."""
    with _sandbox_process("--tls") as printed:
        assert printed["url"].startswith("https://127.0.0.1:")
        ca_file = Path(printed["ca_file"])
        assert ca_file.is_file()
        context = ssl.create_default_context(cafile=str(ca_file))
        assert _wait_healthy(printed["url"], verify=context).json() == {"status": "ok"}
        with pytest.raises(httpx.ConnectError):  # not trusted without the printed CA
            httpx.get(f"{printed['url']}/sandbox/health", trust_env=False)
    assert not ca_file.exists()


def test_cli_rejects_invalid_configuration(capsys: pytest.CaptureFixture[str]) -> None:
    """Invalid settings exit with status 2 and a message instead of a traceback."""
    assert main(["--token-ttl", "0", "--port", "0"]) == 2
    assert "token_ttl" in capsys.readouterr().err


def test_cli_no_deliver_records_callbacks_without_sending_them() -> None:
    """--no-deliver (used by `make contract`, whose fuzzed callback URLs point anywhere) logs each
    callback as not sent instead of POSTing it."""
    with _sandbox_process("--no-deliver", "--callback-delay", "0") as printed:
        url = printed["url"]
        _wait_healthy(url)
        token = httpx.post(
            f"{url}/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": printed["client_id"],
                "client_secret": printed["client_secret"],
            },
            trust_env=False,
        ).json()["access_token"]
        body = {
            "payment_channel": "M-PESA STK Push",
            "till_number": "K000000",
            "subscriber": {"phone_number": "+254711000123"},
            "amount": {"currency": "KES", "value": "10"},
            "_links": {"callback_url": "https://receiver.invalid/cb"},
        }
        created = httpx.post(
            f"{url}/api/v1/incoming_payments",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            trust_env=False,
        )
        assert created.status_code == 201, created.text
        deadline = time.monotonic() + 5
        while not (log := httpx.get(f"{url}/sandbox/deliveries", trust_env=False).json()["deliveries"]):
            assert time.monotonic() < deadline, "no delivery was logged"
            time.sleep(0.02)
        assert [(d["delivered"], d["status_code"]) for d in log] == [(False, None)]
        assert "delivery disabled" in log[0]["error"]


def test_bound_socket_is_tcp_so_responses_are_not_delayed() -> None:
    """The pre-bound listening socket says it is TCP, so asyncio sets TCP_NODELAY on each connection:
    otherwise every keep-alive response waits ~40 ms for a delayed ACK (Nagle), which made a
    schemathesis run against the CLI sandbox three times slower."""
    sock = bind_socket("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()
    with serve_in_thread() as running, httpx.Client(base_url=running.base_url, trust_env=False) as client:
        client.get("/sandbox/health")  # open the keep-alive connection
        started = time.perf_counter()
        for _ in range(20):
            assert client.get("/sandbox/health").status_code == 200
        assert (time.perf_counter() - started) / 20 < 0.02  # ~1 ms; ~40 ms with Nagle + delayed ACK
