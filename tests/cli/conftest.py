"""Fixtures for the ``k2connect`` CLI tests: the sandbox over loopback HTTP and a runner wired to it.

The sandbox plugin's fixtures are imported rather than enabled with
``pytest_plugins = ["k2connect_sandbox.testing"]``: pytest refuses ``pytest_plugins`` outside the rootdir's
conftest, and this directory is not the root.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import pytest
from click.testing import CliRunner, Result

from k2connect_cli import cli
from k2connect_sandbox.testing import RunningSandbox, k2_sandbox, k2_sandbox_config, k2_sandbox_server

__all__ = ["k2_sandbox", "k2_sandbox_config", "k2_sandbox_server"]

Invoke = Callable[..., Result]
CALLBACK = "https://example.com/k2/result"
# Every variable the CLI reads (the options' and K2CONNECT_DEBUG).
ENVIRONMENT = (
    "K2_BASE_URL", "K2_CLIENT_ID", "K2_CLIENT_SECRET", "K2_API_KEY", "K2_LEDGER", "K2_CALLBACK_URL",
    "K2CONNECT_DEBUG",
)  # fmt: skip


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No K2_* variable of the developer's shell leaks into a test."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    yield


def credentials(sandbox: RunningSandbox) -> list[str]:
    """The global options that point the CLI at ``sandbox``."""
    return [
        "--base-url", sandbox.base_url,
        "--client-id", sandbox.client_id,
        "--client-secret", sandbox.client_secret,
        "--api-key", sandbox.api_key,
    ]  # fmt: skip


@pytest.fixture
def run() -> Invoke:
    """Invoke ``k2connect`` in-process with exactly these arguments (stdin from ``input``)."""

    def invoke(
        args: Sequence[str], input: str | bytes | None = None, env: dict[str, str] | None = None
    ) -> Result:
        return CliRunner().invoke(cli, list(args), input=input, env=env, catch_exceptions=True)

    return invoke


@pytest.fixture
def k2(k2_sandbox: RunningSandbox, run: Invoke) -> Invoke:
    """Invoke ``k2connect`` with the credentials of the test sandbox before ``args``."""

    def invoke(*args: str, input: str | bytes | None = None) -> Result:
        return run([*credentials(k2_sandbox), *args], input=input)

    return invoke


def assert_clean(result: Result, code: int, sandbox: RunningSandbox | None = None) -> None:
    """Exit ``code``, no traceback anywhere, no secret anywhere, errors on one ``error:`` line."""
    text = result.stdout + result.stderr
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr, result.exception)
    assert "Traceback" not in text
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    if sandbox is not None:
        for secret in (sandbox.client_secret, sandbox.api_key):
            assert secret not in text
    if code not in (0, 2):
        errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1, result.stderr


def issued_tokens(sandbox: RunningSandbox) -> list[str]:
    """Every access token the sandbox has issued since its last reset."""
    return [str(record["token"]) for record in sandbox.app.sandbox.store.values("tokens")]


def parse_lines(stdout: str) -> dict[str, str]:
    """Read aligned ``key: value`` lines into a dict, checking every value starts in the same column."""
    found: dict[str, str] = {}
    columns: set[int] = set()
    for line in stdout.splitlines():
        if not line.strip():
            break  # a table may follow the record, after a blank line
        key, sep, rest = line.partition(":")
        assert sep, line
        found[key] = rest.strip()
        columns.add(len(line) - len(rest.lstrip()))
    assert len(columns) <= 1, stdout
    return found
