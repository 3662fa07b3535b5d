"""`make demo` walks every flow against the embedded sandbox and exits 0."""

from __future__ import annotations

import importlib.util
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.sandbox, pytest.mark.slow]


def test_demo_succeeds_in_process(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every step ends as expected and the table lists all of them."""
    monkeypatch.delenv("K2_BASE_URL", raising=False)
    spec = importlib.util.spec_from_file_location("k2_demo", ROOT / "examples" / "demo.py")
    assert spec is not None and spec.loader is not None
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    assert demo.main(["--callback-delay", "0.05"]) == 0
    out = capsys.readouterr().out
    assert "All steps ended as expected." in out
    assert "FAILED" not in out
    for step in ("STK push that fails", "payment link cancelled", "reversal", "send money (v2)"):
        assert step in out


def test_make_demo_command_exits_zero() -> None:
    """The README's first command, exactly as written, exits 0."""
    env_free = {k: v for k, v in os.environ.items() if not k.startswith("K2_")}
    result = subprocess.run(
        ["make", "--no-print-directory", "demo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=env_free,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "All steps ended as expected." in result.stdout


def test_demo_runs_against_a_remote_server(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With K2_BASE_URL and credentials set it drives that server; steps needing the control API skip."""
    from k2connect_sandbox.config import SandboxConfig
    from k2connect_sandbox.server import serve_in_thread

    with serve_in_thread(SandboxConfig(callback_delay=0.05, deliver=False)) as remote:
        monkeypatch.setenv("K2_BASE_URL", remote.base_url)
        monkeypatch.setenv("K2_CLIENT_ID", remote.client_id)
        monkeypatch.setenv("K2_CLIENT_SECRET", remote.client_secret)
        monkeypatch.setenv("K2_API_KEY", remote.api_key)
        spec = importlib.util.spec_from_file_location("k2_demo_remote", ROOT / "examples" / "demo.py")
        assert spec is not None and spec.loader is not None
        demo = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(demo)
        assert demo.main([]) == 0
    out = capsys.readouterr().out
    assert f"Running against {remote.base_url}" in out
    assert "skipped" in out and "FAILED" not in out
