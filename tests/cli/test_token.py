"""``k2connect token``, and the configuration and connection exit codes every command shares."""

from __future__ import annotations

import json
import socket

import pytest

from k2connect_cli.commands.token import mask
from k2connect_sandbox.testing import RunningSandbox

from .conftest import Invoke, assert_clean, credentials, issued_tokens, parse_lines


def test_token_human(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """Human output shows type and expiry as aligned lines, and only a masked token."""
    result = k2("token")
    assert_clean(result, 0, k2_sandbox)
    lines = parse_lines(result.stdout)
    assert lines["token_type"] == "Bearer"
    assert lines["expires_at"].endswith("Z")
    assert 3500 <= int(lines["expires_in"]) <= 3600
    assert lines["token"].startswith("********")
    tokens = issued_tokens(k2_sandbox)
    assert tokens
    assert all(token not in result.output for token in tokens)


def test_token_json(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """``--json`` prints one JSON object with a masked token."""
    result = k2("--json", "token")
    assert_clean(result, 0, k2_sandbox)
    document = json.loads(result.stdout)
    assert document["token_type"] == "Bearer"
    assert document["token"] == mask(issued_tokens(k2_sandbox)[0])
    assert document["expires_in"] > 0


def test_token_json_after_the_command(k2: Invoke) -> None:
    """``--json`` is accepted after the command too."""
    result = k2("token", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["token_type"] == "Bearer"


def test_show_token(k2: Invoke, k2_sandbox: RunningSandbox) -> None:
    """``--show-token`` prints the real token, the one the sandbox issued."""
    result = k2("--json", "token", "--show-token")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["token"] in issued_tokens(k2_sandbox)


def test_credentials_from_environment(run: Invoke, k2_sandbox: RunningSandbox) -> None:
    """K2_BASE_URL, K2_CLIENT_ID and K2_CLIENT_SECRET stand in for the options."""
    env = {
        "K2_BASE_URL": k2_sandbox.base_url,
        "K2_CLIENT_ID": k2_sandbox.client_id,
        "K2_CLIENT_SECRET": k2_sandbox.client_secret,
    }
    result = run(["token"], env=env)
    assert_clean(result, 0, k2_sandbox)


def test_bad_credentials_exit_4(run: Invoke, k2_sandbox: RunningSandbox) -> None:
    """Credentials K2 refuses exit 4 with one error line that names neither secret."""
    result = run(["--base-url", k2_sandbox.base_url, "--client-id", "wrong-id", "--client-secret",
                  "wrong-secret-value", "token"])  # fmt: skip
    assert_clean(result, 4, k2_sandbox)
    assert "401" in result.stderr
    assert "wrong-secret-value" not in result.output


def test_bad_credentials_json_error(run: Invoke, k2_sandbox: RunningSandbox) -> None:
    """With ``--json`` the error is also one JSON object on stdout."""
    result = run(["--json", "--base-url", k2_sandbox.base_url, "--client-id", "x", "--client-secret",
                  "wrong-secret-value", "token"])  # fmt: skip
    assert_clean(result, 4, k2_sandbox)
    error = json.loads(result.stdout)["error"]
    assert error["code"] == 4
    assert error["status_code"] == 401
    assert "wrong-secret-value" not in result.stdout


def test_missing_credentials_exit_3(run: Invoke, k2_sandbox: RunningSandbox) -> None:
    """No client id or secret is a configuration error naming the variables to set."""
    result = run(["--base-url", k2_sandbox.base_url, "token"])
    assert_clean(result, 3)
    assert "K2_CLIENT_ID" in result.stderr and "K2_CLIENT_SECRET" in result.stderr


def test_plain_http_to_remote_host_exit_3(run: Invoke) -> None:
    """A plain-http base URL to a non-loopback host is refused before anything is sent."""
    result = run(["--base-url", "http://example.com", "--client-id", "a", "--client-secret", "b", "token"])
    assert_clean(result, 3)
    assert "https" in result.stderr


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_port_exit_5(run: Invoke, k2_sandbox: RunningSandbox) -> None:
    """Nothing listening on the port exits 5 with one line, no traceback, no secret."""
    args = [*credentials(k2_sandbox), "--retries", "0", "token"]
    args[1] = f"http://127.0.0.1:{_closed_port()}"
    result = run(args)
    assert_clean(result, 5, k2_sandbox)
    assert "Could not reach K2" in result.stderr


def test_secret_in_message_is_masked(run: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even an error that quoted a credential would print it masked."""
    from k2connect_cli.commands import token as token_module
    from k2connect_ext import K2ConfigError

    def boom(*args: object, **kwargs: object) -> None:
        raise K2ConfigError("the secret is s3cr3t-value-123")

    monkeypatch.setattr(token_module, "open_k2", boom)
    result = run(["--client-id", "a", "--client-secret", "s3cr3t-value-123", "token"])
    assert_clean(result, 3)
    assert "s3cr3t-value-123" not in result.output
    assert "***" in result.stderr


def test_internal_error_exit_70(run: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug exits 70 with one line naming the exception type, and no traceback."""
    from k2connect_cli.commands import token as token_module

    def boom(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("details")

    monkeypatch.setattr(token_module, "open_k2", boom)
    result = run(["--client-id", "a", "--client-secret", "b", "token"])
    assert_clean(result, 70)
    assert "ZeroDivisionError" in result.stderr and "K2CONNECT_DEBUG" in result.stderr


def test_interrupt_exit_130(run: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C exits 130 quietly."""
    from k2connect_cli.commands import token as token_module

    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(token_module, "open_k2", interrupt)
    result = run(["--client-id", "a", "--client-secret", "b", "token"])
    assert result.exit_code == 130
    assert result.stderr == "error: interrupted\n"
