"""The README's example-app commands, run as written: the app takes a payment through the sandbox."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
pytestmark = [pytest.mark.sandbox, pytest.mark.slow]


def block(marker: str) -> str:
    match = re.search(rf"<!-- {marker} -->\n```bash\n(.*?)```", README, re.S)
    assert match, f"README has no block marked {marker}"
    return match.group(1)


def wait_until_up(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not come up")


@pytest.mark.parametrize("marker", ["example-fastapi", "example-flask"])
def test_example_commands_take_a_payment(marker: str, tmp_path: Path) -> None:
    """Run the block in bash; pay through the app's form and see the sandbox's signed callback land."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("K2_", "VIRTUAL_ENV"))}
    process = subprocess.Popen(
        ["bash", "-c", block(marker)],
        cwd=ROOT,
        env=env,
        stdout=(tmp_path / "out.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # so the sandbox started with & is stopped with the app
    )
    try:
        deadline = time.monotonic() + 30
        # The block starts the sandbox in the background and the app in the foreground: either may come up
        # first. A person opens the page after both; a payment made before the sandbox listens is "Not sent".
        wait_until_up("http://127.0.0.1:8765/", deadline)
        wait_until_up("http://127.0.0.1:8000/", deadline)
        with httpx.Client(base_url="http://127.0.0.1:8000", timeout=10) as shop:
            paid = shop.post("/pay", data={"phone": "0712345678", "amount": "120"})
            failed = shop.post("/pay", data={"phone": "0712340001", "amount": "80"})
            assert paid.status_code == failed.status_code == 303, paid.text
            outcomes = {}
            for name, answer in (("paid", paid), ("failed", failed)):
                payment_id = answer.headers["location"].rstrip("/").rsplit("/", 1)[1]
                while time.monotonic() < deadline:
                    state = shop.get(f"/payments/{payment_id}").json()
                    if state["done"]:
                        break
                    time.sleep(0.1)
                outcomes[name] = state["status"]
        assert outcomes == {"paid": "Success", "failed": "Failed"}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        for name in ("k2-example-fastapi.sqlite3", "k2-example-flask.sqlite3"):
            for suffix in ("", "-wal", "-shm"):
                (ROOT / (name + suffix)).unlink(missing_ok=True)
