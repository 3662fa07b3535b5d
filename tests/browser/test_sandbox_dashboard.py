"""The sandbox dashboard (``/``) in a real headless Chromium: deliveries, failures first; resources; requests.

A sandbox on loopback gets two STK pushes: one whose callback a receiver accepts, one whose callback URL
refuses connections, and the payer of the second is named with markup. The page, reloading itself, must
list the failed delivery first with its reason, both resources with their states, and the requests; the
name must be text (no script ran, nothing was loaded), and the inline stylesheet must apply under the
page's Content-Security-Policy (Chromium reports a violation on the console otherwise). A screenshot goes
to build/test-artifacts/browser/sandbox-dashboard.png.

The browser is Debian's ``chromium`` driven by the ``playwright`` package through its executable path, as
in test_shop_in_chromium.py. No browser: the test is skipped, or fails under ``K2_REQUIRE_SERVERS=1``.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from k2connect_sandbox.config import SandboxConfig
from k2connect_sandbox.server import RunningSandbox, serve_in_thread
from tests.sandbox import payloads
from tests.sandbox.receiver import Receiver
from tests.servers import unavailable

pytestmark = pytest.mark.sandbox

ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "test-artifacts" / "browser"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",  # we run as root in CI, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WAIT_MS = 20_000
HOSTILE = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">"


def _chromium() -> str:
    candidates = (os.environ.get("K2_CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"))
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    unavailable("no Chromium (apt-get install -y chromium)")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    config = SandboxConfig(callback_delay=0.2, delivery_max_attempts=2, delivery_initial_backoff=0.05)
    with serve_in_thread(config) as running:
        yield running


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
    opened = context.new_page()
    opened.set_default_timeout(WAIT_MS)
    yield opened
    context.close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _push(sandbox: RunningSandbox, token: str, callback: str, **subscriber: str) -> str:
    body = payloads.stk(callback)
    body["subscriber"].update(subscriber)
    response = httpx.post(
        f"{sandbox.base_url}/api/v1/incoming_payments",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        trust_env=False,
    )
    assert response.status_code == 201, response.text
    return response.headers["location"].rsplit("/", 1)[1]


# ``sandbox`` before ``page``: fixtures are torn down in reverse, so the browser closes its keep-alive
# connections before the sandbox stops.
def test_the_dashboard_shows_the_failed_callback_first_resources_and_requests(
    sandbox: RunningSandbox, receiver: Receiver, page: Any
) -> None:
    sandbox.reset()
    console_errors: list[str] = []
    page.on(
        "console", lambda message: console_errors.append(message.text) if message.type == "error" else None
    )
    failed_requests: list[str] = []
    page.on("requestfailed", lambda request: failed_requests.append(request.url))
    loaded: list[str] = []
    page.on("request", lambda request: loaded.append(request.url))

    token = sandbox.token()
    delivered_url = receiver.url()
    refused_url = f"http://127.0.0.1:{_closed_port()}/callbacks/k2"
    paid = _push(sandbox, token, delivered_url, first_name="Wanjiku")
    refused = _push(sandbox, token, refused_url, first_name=HOSTILE)

    page.goto(f"{sandbox.base_url}/?refresh=1")  # opened before the callbacks are sent: it reloads itself
    first = page.locator("#deliveries tbody tr").first
    first.and_(page.locator('[data-state="failed"]')).wait_for()  # both of the refused one's attempts made
    page.locator('#deliveries tr[data-state="delivered"]').wait_for()
    page.locator(f'#resources tr[data-id="{refused}"][data-state="Success"]').wait_for()

    cells = first.locator("td").all_inner_texts()
    assert cells[:7] == [
        "failed", "callback", "incoming_payment", refused[:8], refused_url, "connection refused", "2 of 2",
    ]  # fmt: skip
    delivered = page.locator('#deliveries tr[data-state="delivered"] td').all_inner_texts()
    assert delivered[3:6] == [paid[:8], delivered_url, "HTTP 200"]

    paid_row = page.locator(f'#resources tr[data-id="{paid}"] td').all_inner_texts()
    assert paid_row[:5] == ["STK push", paid[:8], "Success", "KES 100.0", "Wanjiku Buyer +254999999999"]
    hostile_row = page.locator(f'#resources tr[data-id="{refused}"] td.party')
    assert hostile_row.inner_text() == f"{HOSTILE} Buyer +254999999999"  # the markup, as text

    requests = page.locator("#requests tbody tr")
    listed = [requests.nth(i).locator("td").all_inner_texts()[1:4] for i in range(requests.count())]
    assert listed.count(["POST", "/api/v1/incoming_payments", "201"]) == 2
    assert ["POST", "/oauth/token", "200"] in listed
    assert not [row for row in listed if row[1] == "/"]  # the dashboard's own loads are not listed

    assert page.title() == "k2connect sandbox"  # neither the script nor the onerror handler ran
    assert page.locator("#resources script, #resources img").count() == 0
    assert [url for url in loaded if not url.startswith(f"{sandbox.base_url}/")] == []  # nothing fetched
    assert failed_requests == []
    badge = page.locator('#deliveries tr[data-state="failed"] .badge').first
    background = badge.evaluate("element => getComputedStyle(element).backgroundColor")
    assert background == "rgb(255, 235, 233)"  # the stylesheet applied: CSP allowed it by its hash
    assert console_errors == []  # no Content-Security-Policy violation, no error of any kind

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "sandbox-dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0


def test_a_json_probe_of_slash_still_gets_the_k2_404(sandbox: RunningSandbox, page: Any) -> None:
    """The browser's own request API with Accept: application/json: the K2 error, not the page."""
    response = page.request.get(f"{sandbox.base_url}/", headers={"Accept": "application/json"})
    assert response.status == 404
    assert response.json() == {"error_code": 404, "error_message": "No such endpoint: '/'"}
