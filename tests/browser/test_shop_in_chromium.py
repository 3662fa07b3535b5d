"""The FastAPI example shop in a real headless Chromium: pay from the page, see "Paid" once the sandbox's
signed callback arrives; a phone ending 0001 shows the failure and a Pay button; an ambiguous STK push
shows "We are confirming your payment" and no Pay button until its callback settles it. Screenshots go to
build/test-artifacts/browser/ (look at them: this is the page a customer sees).

The browser is Debian's ``chromium`` (``apt-get install -y chromium``; ``.ci/run`` installs it when
missing) driven by the ``playwright`` package through its executable path: Playwright's own browser
download is never used. No browser: the test is skipped, or fails under ``K2_REQUIRE_SERVERS=1``.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from examples.fastapi_app.app import create_app
from examples.fastapi_app.settings import Settings
from k2connect_sandbox.config import SandboxConfig
from k2connect_sandbox.server import RunningSandbox, serve_in_thread
from tests.servers import unavailable

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
WAIT_MS = 30_000
CONFIRMING = "We are confirming your payment"


def _chromium() -> str:
    candidates = (os.environ.get("K2_CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"))
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    unavailable("no Chromium (apt-get install -y chromium)")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    # A second before the callback, so the page is seen waiting first, as with a real phone.
    with serve_in_thread(SandboxConfig(callback_delay=1.0, delivery_initial_backoff=0.05)) as running:
        yield running


@contextmanager
def _serve_shop(sandbox: RunningSandbox, database: Path) -> Iterator[str]:
    """The FastAPI shop under uvicorn on 127.0.0.1, talking to ``sandbox``; yields its URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = Settings(
        client_id=sandbox.client_id,
        client_secret=sandbox.client_secret,
        api_key=sandbox.api_key,
        public_url=url,
        base_url=sandbox.base_url,
        database=str(database),
    )
    config = uvicorn.Config(
        create_app(settings), log_level="warning", access_log=False, timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the shop did not start"
        time.sleep(0.02)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="module")
def shop(sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with _serve_shop(sandbox, tmp_path_factory.mktemp("shop") / "shop.sqlite3") as url:
        yield url


@pytest.fixture(scope="module")
def slow_sandbox() -> Iterator[RunningSandbox]:
    # Three seconds before the callback: long enough to see an ambiguous payment being confirmed.
    with serve_in_thread(SandboxConfig(callback_delay=3.0, delivery_initial_backoff=0.05)) as running:
        yield running


@pytest.fixture(scope="module")
def slow_shop(slow_sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with _serve_shop(slow_sandbox, tmp_path_factory.mktemp("slow-shop") / "shop.sqlite3") as url:
        yield url


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
    context = browser.new_context(viewport={"width": 480, "height": 760}, device_scale_factor=1)
    opened = context.new_page()
    opened.set_default_timeout(WAIT_MS)
    yield opened
    context.close()


def _pay(page: Any, shop: str, phone: str, amount: str) -> None:
    page.goto(shop + "/")
    page.get_by_label("M-PESA phone number").fill(phone)
    page.get_by_label("Amount").fill(amount)
    page.get_by_role("button", name="Pay now").click()
    page.wait_for_url("**/pay/*")


def _wait_for_status(page: Any, sandbox: RunningSandbox, text: str) -> None:
    """Wait until the page says ``text``; on a timeout, keep a screenshot and say what the sandbox sent."""
    try:
        page.locator("#status", has_text=text).wait_for()
    except Exception as exc:  # playwright's TimeoutError: make it an assertion with the evidence
        _shot(page, f"timeout-{text.split()[0].lower()}.png")
        callbacks = [
            {k: d.get(k) for k in ("topic", "attempt", "status_code", "error", "timestamp")}
            for d in sandbox.deliveries(kind="callback")
        ]
        status = page.locator("#status").inner_text()
        raise AssertionError(f"page still says {status!r}; callback deliveries: {callbacks}") from exc


def _shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


# ``shop`` before ``page`` everywhere: fixtures are torn down in reverse, so the browser closes its
# keep-alive connections before the shop stops.
def test_the_form_is_shown(shop: str, page: Any) -> None:
    page.goto(shop + "/")
    assert page.title() == "Pay with M-PESA · Mama Njeri's Grocery"
    assert page.get_by_role("button", name="Pay now").is_visible()
    assert _shot(page, "shop-form.png").stat().st_size > 0


def test_a_payment_shows_paid_after_the_signed_callback(
    sandbox: RunningSandbox, shop: str, page: Any
) -> None:
    _pay(page, shop, "0712345678", "150")
    _wait_for_status(page, sandbox, CONFIRMING)  # before the callback
    assert page.get_by_role("button", name="Pay now").count() == 0
    _shot(page, "shop-waiting.png")
    _wait_for_status(page, sandbox, "Paid")
    page.locator("#hint", has_text="Paid, thank you!").wait_for()
    reference = page.locator("#mpesa_reference").inner_text()
    assert reference not in ("", "-")
    assert page.locator("#payment").get_attribute("data-status") == "Success"
    stored = page.request.get(shop + page.locator("#payment").get_attribute("data-url")).json()
    assert stored["updated_by"] == "callback"  # the signed callback told it, not the app's own look-up
    assert _shot(page, "shop-paid.png").stat().st_size > 0


def test_a_phone_ending_0001_shows_the_failure(sandbox: RunningSandbox, shop: str, page: Any) -> None:
    _pay(page, shop, "0712340001", "150")
    _wait_for_status(page, sandbox, "Payment failed")
    assert page.locator("#reason").inner_text() == "The initiator information is invalid."
    assert page.locator("#payment").get_attribute("data-status") == "Failed"
    assert page.get_by_role("button", name="Pay now").is_enabled()  # no money taken: a new attempt
    assert _shot(page, "shop-failed.png").stat().st_size > 0


def test_an_ambiguous_stk_push_shows_confirming_and_no_pay_button_until_paid(
    slow_sandbox: RunningSandbox, slow_shop: str, page: Any
) -> None:
    """K2 processed the push but answered 500: the outcome is unknown, so the customer must not pay again."""
    fault = {"operation_id": "v2_create_incoming_payment", "kind": "status_500", "after_processing": True}
    armed = slow_sandbox.control("POST", "/sandbox/faults", fault)
    assert armed.status_code == 201, armed.text
    _pay(page, slow_shop, "0712345678", "150")
    _wait_for_status(page, slow_sandbox, CONFIRMING)
    assert page.locator("#payment").get_attribute("data-state") == "ambiguous"
    assert page.get_by_role("button", name="Pay now").count() == 0
    _shot(page, "shop-confirming.png")
    _wait_for_status(page, slow_sandbox, "Paid")  # the signed callback settled the intent
    assert page.locator("#payment").get_attribute("data-state") == "succeeded"
    assert page.locator("#mpesa_reference").inner_text() not in ("", "-")
    assert page.get_by_role("button", name="Pay now").count() == 0
    assert _shot(page, "shop-paid-after-confirming.png").stat().st_size > 0
