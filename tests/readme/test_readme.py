"""The README's code is run exactly as written."""

from __future__ import annotations

import json
import os
import re
import shlex
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from k2connect_ext.webhooks import compute_signature

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
API_KEY = "readme-api-key"

pytestmark = pytest.mark.sandbox


def block(marker: str) -> str:
    """The fenced block that follows ``<!-- marker -->``."""
    match = re.search(rf"<!-- {marker} -->\n```(?:python|bash)\n(.*?)```", README, re.S)
    assert match, f"README has no block marked {marker}"
    return match.group(1)


def test_readme_opens_with_the_two_commands() -> None:
    """The first code block is `make demo` and `make test`, and .ci/run calls exactly `make test`."""
    first = re.search(r"```bash\n(.*?)```", README, re.S)
    assert first is not None
    commands = [line.split("#")[0].strip() for line in first.group(1).splitlines()]
    assert commands == ["make demo", "make test"]
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert ci[-1] == "make test"


def quickstart_sandbox() -> tuple[list[str], dict[str, str]]:
    """The sandbox command line and the exported variables of the quickstart's bash block."""
    command: list[str] = []
    exported: dict[str, str] = {}
    for line in block("quickstart-sandbox").splitlines():
        words = shlex.split(line, comments=True)
        if words[:1] == ["k2connect-sandbox"]:
            command = [word for word in words if word != "&"]
        elif words[:1] == ["export"]:
            exported.update(word.partition("=")[::2] for word in words[1:])
    return command, exported


@pytest.fixture
def quiet_sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The sandbox as the quickstart starts it (callbacks recorded, never delivered: example.com is not
    ours), and exactly the quickstart's three variables, its base URL on the port the test got."""
    from k2connect_sandbox.config import SandboxConfig
    from k2connect_sandbox.server import serve_in_thread

    command, exported = quickstart_sandbox()
    assert command[:1] == ["k2connect-sandbox"] and "--no-deliver" in command
    defaults = SandboxConfig()
    assert set(exported) == {"K2_BASE_URL", "K2_CLIENT_ID", "K2_CLIENT_SECRET"}
    assert exported["K2_BASE_URL"] == "http://127.0.0.1:8765"  # the sandbox's default port
    assert (exported["K2_CLIENT_ID"], exported["K2_CLIENT_SECRET"]) == (
        defaults.client_id,
        defaults.client_secret,
    )
    with serve_in_thread(SandboxConfig(callback_delay=0.05, deliver=False)) as sandbox:
        for name in list(os.environ):
            if name.startswith("K2_"):
                monkeypatch.delenv(name)
        for name, value in exported.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("K2_BASE_URL", sandbox.base_url)
        yield sandbox


def test_quickstart_runs_as_written(quiet_sandbox: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """The quickstart, with the bash block's variables, requests an STK push and prints what a shop reads
    of the paid result: status, M-PESA reference, currency, amount and the payer's phone."""
    exec(compile(block("quickstart"), "README.md#quickstart", "exec"), {"__name__": "__readme__"})
    out = capsys.readouterr().out
    assert "STK push requested: " in out
    paid = re.search(r"^paid: Success (\S+) KES (\S+) (\S+)$", out, re.M)
    assert paid is not None, out
    reference, amount, phone = paid.groups()
    assert re.fullmatch(r"[A-Z0-9]{10}", reference) and Decimal(amount) == 100 and phone == "+254712345678"


def _signed_webhook() -> tuple[bytes, str]:
    body = json.dumps(
        {
            "topic": "buygoods_transaction_received",
            "id": "2133dbfb-24b9-40fc-ae57-2d7559785760",
            "created_at": "2020-10-22T10:43:20+03:00",
            "event": {
                "type": "Buygoods Transaction",
                "resource": {
                    "id": "458712f",
                    "amount": "100.0",
                    "status": "Received",
                    "system": "Lipa Na M-PESA",
                    "currency": "KES",
                    "reference": "OJM6Q1W84K",
                    "till_number": "514459",
                    "sender_phone_number": "+254999999999",
                    "origination_time": "2020-10-22T10:43:19+03:00",
                    "sender_first_name": "Jane",
                    "sender_middle_name": None,
                    "sender_last_name": "Doe",
                },
            },
            "_links": {"self": "https://x/webhook_events/1", "resource": "https://x/financial_transaction/2"},
        },
        separators=(",", ":"),
    ).encode()
    return body, compute_signature(body, API_KEY)


def _run(marker: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("K2_API_KEY", API_KEY)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": f"readme_{marker.replace('-', '_')}"}
    exec(compile(block(marker), f"README.md#{marker}", "exec"), namespace)
    return namespace


def test_fastapi_receiver_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The FastAPI receiver accepts a signed webhook once, drops its duplicate, refuses a bad signature."""
    from fastapi.testclient import TestClient

    app = _run("webhook-fastapi", tmp_path, monkeypatch)["app"]
    body, signature = _signed_webhook()
    with TestClient(app) as client:
        ok = client.post("/k2/webhooks", content=body, headers={"X-KopoKopo-Signature": signature})
        again = client.post("/k2/webhooks", content=body, headers={"X-KopoKopo-Signature": signature})
        bad = client.post("/k2/webhooks", content=body, headers={"X-KopoKopo-Signature": "0" * 64})
    assert (ok.status_code, again.status_code, bad.status_code) == (200, 200, 401)
    assert again.json()["status"] == "duplicate"
    assert capsys.readouterr().out.count("received buygoods_transaction_received") == 1


def test_flask_receiver_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Flask receiver accepts a signed webhook once, drops its duplicate, refuses a bad signature."""
    app = _run("webhook-flask", tmp_path, monkeypatch)["app"]
    body, signature = _signed_webhook()
    client = app.test_client()
    ok = client.post("/k2/webhooks", data=body, headers={"X-KopoKopo-Signature": signature})
    again = client.post("/k2/webhooks", data=body, headers={"X-KopoKopo-Signature": signature})
    bad = client.post("/k2/webhooks", data=body, headers={"X-KopoKopo-Signature": "0" * 64})
    missing = client.post("/k2/webhooks", data=body)
    assert (ok.status_code, again.status_code, bad.status_code, missing.status_code) == (200, 200, 401, 401)
    assert capsys.readouterr().out.count("received buygoods_transaction_received") == 1
    assert (tmp_path / "k2-events.db").exists()
