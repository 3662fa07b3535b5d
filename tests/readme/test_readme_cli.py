"""The README's command-line section, run as written."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
pytestmark = [pytest.mark.sandbox, pytest.mark.slow]


def test_cli_section_runs_as_written() -> None:
    """Every command succeeds (bash -e), the STK push ends Success and send money prints one JSON object."""
    match = re.search(r"<!-- cli -->\n```bash\n(.*?)```", README, re.S)
    assert match
    env = {k: v for k, v in os.environ.items() if not k.startswith(("K2_", "VIRTUAL_ENV"))}
    result = subprocess.run(
        ["bash", "-e", "-c", match.group(1)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        start_new_session=True,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert re.search(r"^status:\s+Success$", result.stdout, re.M)
    json_line = next(line for line in result.stdout.splitlines() if line.startswith("{"))
    assert json.loads(json_line)["status"] == "Processed"
    assert "buygoods_transaction_received" in result.stdout
    assert "Traceback" not in result.stderr
    assert (
        "sandbox-client-secret" not in result.stdout.split("k2connect sandbox", 1)[-1].split("token_type")[-1]
    )
