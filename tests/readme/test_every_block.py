"""The README is in the order a newcomer reads it, and every Python block of README and CONTRIBUTING runs.

Each ```python block is marked (``<!-- marker -->`` on the line before) and its marker is either run by a
test of its own (``RUN_ELSEWHERE``: the quickstart, the receivers, the generated client) or run here, as
written, against a local sandbox with the quickstart's ``K2_*`` variables, in an empty directory. A new
block without a marker, or with a marker no test runs, fails here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = {name: (ROOT / name).read_text() for name in ("README.md", "CONTRIBUTING.md")}

pytestmark = pytest.mark.sandbox

ORDER = [
    "Installation",
    "Quickstart",
    "Receiving callbacks and webhooks",
    "Going live",
    "Errors",
    "Retries, timeouts and tokens",
    "Bulk and async",
    "Exactly once: payment intents",
    "Bulk payouts",
    "Testing with the sandbox",
    "Command line",
    "Example apps",
    "Running on many machines",
    "The generated client",
    "Regenerating the client when K2 changes",
    "Contributing",
]
RUN_ELSEWHERE = {
    "quickstart": "tests/readme/test_readme.py",
    "webhook-fastapi": "tests/readme/test_readme.py",
    "webhook-flask": "tests/readme/test_readme.py",
    "generated-client-sync": "tests/readme/test_readme_generated_client.py",
    "generated-client-async": "tests/readme/test_readme_generated_client.py",
    "generated-client-errors": "tests/readme/test_readme_generated_client.py",
    "generated-client-unexpected": "tests/readme/test_readme_generated_client.py",
}
# marker -> a line its output must contain
RUN_HERE = {
    "going-live-subscribe": r"^subscribed: http://127\.0\.0\.1:\d+/api/v2/webhook_subscriptions/[\w-]+$",
    "async-payouts": r"^sent: 2 payouts$",
    "intents-quick": r"^same intent, nothing sent twice: True\noutcome: succeeded$",
    "many-machines": r"\A\Z",
}


def python_blocks() -> list[tuple[str, str | None, str]]:
    """(document, marker or None, code) of every ```python block."""
    found = []
    for name, text in DOCUMENTS.items():
        for match in re.finditer(r"(?:<!-- ([\w-]+) -->\n)?```python\n(.*?)```", text, re.S):
            found.append((name, match.group(1), match.group(2)))
    return found


def test_the_readme_is_in_the_order_a_newcomer_reads_it() -> None:
    """What it is, install, quickstart, callbacks, going live, errors, retries, bulk and async, testing,
    then the generated client and regenerating; contributor material lives in CONTRIBUTING.md."""
    readme = DOCUMENTS["README.md"]
    assert re.findall(r"^## (.+)$", readme, re.M) == ORDER
    for contributor_only in ("apt-get", "pre-commit", "K2_REQUIRE_SERVERS", "--cov"):
        assert contributor_only not in readme, contributor_only
    assert "apt-get install -y redis-server chromium" in DOCUMENTS["CONTRIBUTING.md"]
    for recipe in ("## Add an endpoint", "## Add a CLI command", "## Add a public name"):
        assert recipe in DOCUMENTS["CONTRIBUTING.md"]


def test_every_python_block_is_marked_and_run() -> None:
    blocks = python_blocks()
    unmarked = [(name, code.splitlines()[0]) for name, marker, code in blocks if marker is None]
    assert unmarked == []
    markers = [marker for _, marker, _ in blocks]
    assert len(markers) == len(set(markers)), "a marker is used twice"
    assert set(markers) == set(RUN_ELSEWHERE) | set(RUN_HERE)
    for marker, test_file in RUN_ELSEWHERE.items():
        assert marker in (ROOT / test_file).read_text(), f"{test_file} does not run {marker}"


@pytest.fixture
def readme_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A sandbox with the quickstart's variables (base URL on this test's port), in an empty directory."""
    from k2connect_sandbox.config import SandboxConfig
    from k2connect_sandbox.server import serve_in_thread

    with serve_in_thread(SandboxConfig(callback_delay=0.05, deliver=False)) as sandbox:
        for name in list(os.environ):
            if name.startswith("K2_"):
                monkeypatch.delenv(name)
        monkeypatch.setenv("K2_BASE_URL", sandbox.base_url)
        monkeypatch.setenv("K2_CLIENT_ID", sandbox.client_id)
        monkeypatch.setenv("K2_CLIENT_SECRET", sandbox.client_secret)
        monkeypatch.chdir(tmp_path)
        yield sandbox


@pytest.mark.parametrize("marker", sorted(RUN_HERE))
def test_the_block_runs_as_written(
    marker: str, readme_environment: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    [code] = [code for _, found, code in python_blocks() if found == marker]
    exec(compile(code, f"README.md#{marker}", "exec"), {"__name__": f"readme_{marker.replace('-', '_')}"})
    out = capsys.readouterr().out
    assert re.search(RUN_HERE[marker], out.rstrip("\n") if out.strip() else "", re.M), out
