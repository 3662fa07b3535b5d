"""``k2connect-sandbox --port N`` while another process listens on N: one clear line, exit 2, no traceback."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from k2connect_sandbox.__main__ import main

pytestmark = pytest.mark.sandbox


@pytest.fixture
def occupied_port() -> Iterator[int]:
    """A port on 127.0.0.1 with a real listener on it (bound without SO_REUSEADDR, as most servers)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    try:
        yield int(listener.getsockname()[1])
    finally:
        listener.close()


def test_a_busy_port_is_one_clear_line_and_exit_2(
    occupied_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--port", str(occupied_port)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no url/credentials header: nothing is served
    assert captured.err == (
        f"k2connect-sandbox: port {occupied_port} on 127.0.0.1 is in use; "
        "pass --port 0 for a free one or stop the other server\n"
    )


def test_the_console_script_on_a_busy_port_prints_no_traceback(occupied_port: int) -> None:
    """The real process: the line on stderr, nothing else, exit status 2."""
    done = subprocess.run(
        [sys.executable, "-m", "k2connect_sandbox", "--port", str(occupied_port)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"k2connect-sandbox: port {occupied_port} on 127.0.0.1 is in use; "
        "pass --port 0 for a free one or stop the other server"
    ]
    assert "Traceback" not in done.stderr


def test_a_port_that_cannot_be_bound_for_another_reason_keeps_its_own_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An address this machine does not have is not "in use": the OS's reason is shown."""
    assert main(["--host", "192.0.2.1", "--port", "0"]) == 2  # TEST-NET-1: never a local address
    err = capsys.readouterr().err
    assert err.startswith("k2connect-sandbox: ") and "in use" not in err
    assert err.count("\n") == 1
