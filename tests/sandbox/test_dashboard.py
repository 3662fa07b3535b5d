"""The HTML dashboard at ``/`` in process (httpx over ASGI): what it lists, in what order, escaped, CSP.

The page is parsed with the standard library's HTML parser, so the assertions are about what a browser
would build (elements, attributes, text), not about substrings of the markup.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from starlette.routing import Route

from k2connect_sandbox.app import SandboxApp, create_app
from k2connect_sandbox.clock import EAT
from k2connect_sandbox.config import SandboxConfig
from k2connect_sandbox.dashboard import delivery_rows, wants_dashboard
from k2connect_sandbox.delivery import AttemptReport, DeliverySnapshot, Notification

from . import payloads
from .conftest import CREDENTIALS
from .receiver import Receiver

pytestmark = pytest.mark.sandbox

BASE = "http://testserver"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    children: list[Element] = field(default_factory=list)

    def find_all(self, tag: str, **attrs: str) -> list[Element]:
        found = [self] if self.tag == tag and all(self.attrs.get(k) == v for k, v in attrs.items()) else []
        for child in self.children:
            found += child.find_all(tag, **attrs)
        return found

    def all_text(self) -> str:
        return self.text + "".join(child.all_text() for child in self.children)

    def cells(self) -> list[str]:
        return [cell.all_text() for cell in self.children if cell.tag in ("td", "th")]


_VOID = {"meta", "link", "img", "br", "input", "hr"}


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self._stack = [self.root]
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        element = Element(tag, {name: value or "" for name, value in attrs})
        self._stack[-1].children.append(element)
        if tag not in _VOID:
            self._stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        assert self._stack[-1].tag == tag, f"</{tag}> closes <{self._stack[-1].tag}>: malformed page"
        self._stack.pop()

    def handle_data(self, data: str) -> None:
        self._stack[-1].text += data


def parse(page: str) -> tuple[Element, list[str]]:
    tree = _Tree()
    tree.feed(page)
    tree.close()
    return tree.root, tree.tags


def rows(document: Element, section: str) -> list[Element]:
    (found,) = document.find_all("section", id=section)
    return [row for row in found.find_all("tr") if row.find_all("td")]


@pytest.fixture
async def app() -> AsyncIterator[SandboxApp]:
    made = create_app(SandboxConfig(callback_delay=0, delivery_max_attempts=2, delivery_initial_backoff=0.05))
    yield made
    await made.sandbox.scheduler.aclose()


@pytest.fixture
async def client(app: SandboxApp) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as found:
        yield found


async def _headers(client: httpx.AsyncClient) -> dict[str, str]:
    token = (await client.post("/oauth/token", data=CREDENTIALS)).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


async def _push(client: httpx.AsyncClient, headers: dict[str, str], callback: str, **subscriber: str) -> str:
    body = payloads.stk(callback)
    body["subscriber"].update(subscriber)
    response = await client.post("/api/v1/incoming_payments", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.headers["location"].rsplit("/", 1)[1]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _settled(app: SandboxApp, count: int) -> None:
    """Wait until ``count`` notifications have finished (delivered or out of attempts)."""
    for _ in range(500):
        snapshot = app.sandbox.deliveries.snapshot()
        finished = {r.delivery for r in snapshot.attempts if r.retry_in is None} - set(snapshot.pending)
        if len(finished) >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"deliveries did not settle: {app.sandbox.deliveries.log()}")


async def _page(client: httpx.AsyncClient, path: str = "/") -> tuple[httpx.Response, Element]:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    document, _ = parse(response.text)
    return response, document


async def test_the_dashboard_is_html_with_a_strict_content_security_policy(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    policy = dict(
        [*part.strip().split(" ", 1), ""][:2]
        for part in response.headers["content-security-policy"].split(";")
    )
    assert policy["default-src"] == "'none'"
    assert "script-src" not in policy  # falls back to 'none': no script at all
    document, tags = parse(response.text)
    (style,) = document.find_all("style")
    digest = base64.b64encode(hashlib.sha256(style.text.encode()).digest()).decode()
    assert policy["style-src"] == f"'sha256-{digest}'"  # the page's own stylesheet and nothing else
    assert policy["frame-ancestors"] == "'none'" and policy["base-uri"] == "'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "script" not in tags
    assert not [e for e in document.find_all("link") if e.attrs.get("rel") == "stylesheet"]  # nothing loaded
    assert [
        e.attrs["content"] for e in document.find_all("meta") if e.attrs.get("http-equiv") == "refresh"
    ] == ["3"]
    assert document.find_all("title")[0].text == "k2connect sandbox"


async def test_failed_deliveries_come_first_with_their_reason(
    app: SandboxApp, client: httpx.AsyncClient, receiver: Receiver
) -> None:
    headers = await _headers(client)
    refused = f"http://127.0.0.1:{_closed_port()}/cb"
    failed_id = await _push(client, headers, refused)
    delivered_url = receiver.url()
    delivered_id = await _push(client, headers, delivered_url)  # delivered after the failure: newer
    await _settled(app, 2)
    _, document = await _page(client)
    failed, delivered = rows(document, "deliveries")
    assert failed.attrs["data-state"] == "failed"
    assert failed.cells() == [
        "failed", "callback", "incoming_payment", failed_id[:8], refused, "connection refused", "2 of 2",
        failed.cells()[7], "-",
    ]  # fmt: skip
    assert delivered.attrs["data-state"] == "delivered"
    assert delivered.cells()[:7] == [
        "delivered", "callback", "incoming_payment", delivered_id[:8], delivered_url, "HTTP 200", "1 of 2",
    ]  # fmt: skip
    (count,) = document.find_all("span", **{"class": "count"})[:1]
    assert count.text == "2 notifications, 1 failed"


async def test_a_notification_waiting_to_retry_shows_when(client: httpx.AsyncClient) -> None:
    app = create_app(SandboxConfig(callback_delay=0, delivery_initial_backoff=20))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as own:
        resource_id = await _push(own, await _headers(own), f"http://127.0.0.1:{_closed_port()}/cb")
        for _ in range(250):
            if app.sandbox.deliveries.log():
                break
            await asyncio.sleep(0.02)
        _, document = await _page(own)
    await app.sandbox.scheduler.aclose()
    (row,) = rows(document, "deliveries")
    cells = row.cells()
    assert row.attrs["data-state"] == "retrying"
    assert cells[3] == resource_id[:8] and cells[5] == "connection refused" and cells[6] == "1 of 6"
    assert cells[8].startswith("in ") and cells[8].endswith(" s") and 0 < float(cells[8].split()[1]) <= 20


def test_rows_order_failed_retrying_in_flight_queued_then_delivered() -> None:
    now = datetime(2026, 1, 15, 9, 0, tzinfo=EAT)

    def report(key: int, status: int | None, retry_in: float | None, age: float) -> AttemptReport:
        notification = Notification(
            "callback", f"https://e.com/{key}", {}, "payment", resource_id=f"id-{key}"
        )
        reason = None if status else "connection refused"
        return AttemptReport(notification, key, 1, 3, status, reason, retry_in, now - timedelta(seconds=age))

    queued = Notification("webhook", "https://e.com/q", {}, "buygoods_transaction_received", event_id="ev-q")
    snapshot = DeliverySnapshot(
        attempts=[
            report(1, 200, None, 50),
            report(2, None, None, 40),  # failed long ago
            report(3, None, 0.4, 30),  # waiting to retry
            report(4, 500, None, 20),  # failed, more recently than 2
            report(5, 200, None, 10),
            report(6, None, 1.0, 5),  # its retry is being sent now
        ],
        pending={3: "retrying", 6: "sending", 7: "queued"},
        queued=[(7, queued)],
    )
    found = delivery_rows(snapshot, True, now)
    assert [(row.state, row.notification.url[-1]) for row in found] == [
        ("failed", "4"), ("failed", "2"), ("retrying", "3"), ("sending", "6"), ("queued", "q"),
        ("delivered", "5"), ("delivered", "1"),
    ]  # fmt: skip
    assert [row.result for row in found[:2]] == ["HTTP 500", "connection refused"]
    assert found[2].next_retry == "now"  # its 0.4 s were up 29.6 s ago
    assert (found[4].attempts, found[4].result) == (0, "not tried yet")


async def test_a_payers_name_is_text_not_markup(app: SandboxApp, client: httpx.AsyncClient) -> None:
    headers = await _headers(client)
    resource_id = await _push(client, headers, f"http://127.0.0.1:{_closed_port()}/cb", first_name=HOSTILE)
    response = await client.get("/")
    document, tags = parse(response.text)
    assert "script" not in tags and "img" not in tags  # nothing of the name became an element
    (row,) = [row for row in rows(document, "resources") if row.attrs["data-id"] == resource_id]
    assert HOSTILE in row.cells()[4]  # shown, character for character, as text
    assert "&lt;script&gt;" in response.text


async def test_hostile_paths_urls_and_control_characters_stay_text(client: httpx.AsyncClient) -> None:
    """A request path and a callback URL with markup, quotes and a raw ESC: escaped, never elements."""
    headers = await _headers(client)
    assert (await client.get('/api/v1/"><script>alert(1)</script>', headers=headers)).status_code == 404
    await _push(client, headers, f"http://127.0.0.1:{_closed_port()}/cb/%22%3E%3Cscript%3E")
    response = await client.get("/")
    document, tags = parse(response.text)
    assert "script" not in tags
    paths = [row.cells()[2] for row in rows(document, "requests")]
    assert '/api/v1/"><script>alert(1)</script>' in paths


async def test_urls_are_shown_without_credentials_or_query(
    app: SandboxApp, client: httpx.AsyncClient, receiver: Receiver
) -> None:
    headers = await _headers(client)
    url = receiver.url()
    secret = url.replace("http://", "http://alice:hunter2@") + "?token=tok-abc123"
    await _push(client, headers, secret)
    await _settled(app, 1)
    response, document = await _page(client)
    (row,) = rows(document, "deliveries")
    assert row.cells()[4] == url + "?…"
    for leaked in ("alice", "hunter2", "tok-abc123"):
        assert leaked not in response.text


async def test_resources_and_their_states(app: SandboxApp, client: httpx.AsyncClient) -> None:
    headers = await _headers(client)
    refused = f"http://127.0.0.1:{_closed_port()}/cb"
    paid = await _push(client, headers, refused, first_name="Wanjiku")
    declined = await _push(client, headers, refused, phone_number="+254700000001")  # test value: fails
    link = await client.post("/api/v2/payment_links", json=payloads.payment_link(refused), headers=headers)
    assert link.status_code == 201, link.text
    link_id = link.headers["location"].rsplit("/", 1)[1]
    subscription = payloads.subscription("https://shop.example.com/hooks")
    assert (
        await client.post("/api/v1/webhook_subscriptions", json=subscription, headers=headers)
    ).status_code == 201
    await _settled(app, 2)  # the two pushes' callbacks (a link calls back once paid)
    _, document = await _page(client)
    found = {row.attrs["data-id"]: row.cells() for row in rows(document, "resources")}
    assert found[paid][:5] == ["STK push", paid[:8], "Success", "KES 100.0", "Wanjiku Buyer +254999999999"]
    assert found[declined][:3] == ["STK push", declined[:8], "Failed"]
    assert found[link_id][:4] == ["payment link", link_id[:8], "Active", "KES 1000"]
    (hook,) = [cells for cells in found.values() if cells[0] == "webhook subscription"]
    assert hook[2] == "Active" and hook[4] == "buygoods_transaction_received"
    assert len(found) == 4  # tokens and the ledger are not resources


async def test_recent_requests_newest_first_without_queries_tokens_or_the_dashboard(
    client: httpx.AsyncClient,
) -> None:
    headers = await _headers(client)
    token = headers["Authorization"].split()[1]
    await client.get("/api/v1/incoming_payments/nope", headers=headers)
    await client.get("/sandbox/deliveries", params={"resource_id": "secret-query-value"})
    await client.get("/")  # the dashboard itself is not listed
    response, document = await _page(client)
    listed = [row.cells()[1:4] for row in rows(document, "requests")]
    assert listed == [
        ["GET", "/sandbox/deliveries", "200"],
        ["GET", "/api/v1/incoming_payments/nope", "404"],
        ["POST", "/oauth/token", "200"],
    ]
    assert rows(document, "requests")[1].attrs["class"] == "request http-error"
    for secret in (token, "secret-query-value", CREDENTIALS["client_secret"]):
        assert secret not in response.text


async def test_a_dropped_connection_is_listed_as_dropped(client: httpx.AsyncClient) -> None:
    fault = {"operation_id": "request_access_token", "kind": "drop"}
    assert (await client.post("/sandbox/faults", json=fault)).status_code == 201
    with pytest.raises(httpx.RemoteProtocolError):
        await client.post("/oauth/token", data=CREDENTIALS)
    _, document = await _page(client)
    newest = rows(document, "requests")[0].cells()
    assert newest[1:4] == ["POST", "/oauth/token", "dropped"]


async def test_reset_empties_the_dashboard(app: SandboxApp, client: httpx.AsyncClient) -> None:
    headers = await _headers(client)
    await _push(client, headers, f"http://127.0.0.1:{_closed_port()}/cb")
    await _settled(app, 1)
    assert (await client.post("/sandbox/reset")).status_code == 200
    _, document = await _page(client)
    assert rows(document, "deliveries") == [] and rows(document, "resources") == []
    assert [row.cells()[1:3] for row in rows(document, "requests")] == [["POST", "/sandbox/reset"]]
    assert [p.text for p in document.find_all("p", **{"class": "empty"})][:2] == [
        "No callback or webhook sent yet.",
        "No resources yet.",
    ]


async def test_with_delivery_off_notifications_are_not_sent_not_failed() -> None:
    app = create_app(SandboxConfig(callback_delay=0, deliver=False))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as own:
        await _push(own, await _headers(own), "https://receiver.invalid/cb")
        for _ in range(250):
            if app.sandbox.deliveries.log():
                break
            await asyncio.sleep(0.02)
        _, document = await _page(own)
    await app.sandbox.scheduler.aclose()
    (row,) = rows(document, "deliveries")
    assert row.attrs["data-state"] == "not sent"
    assert row.cells()[5] == "not sent: delivery disabled"


@pytest.mark.parametrize(
    ("query", "refresh"), [("", "3"), ("?refresh=0", None), ("?refresh=10", "10"), ("?refresh=x", "3"),
                           ("?refresh=99999", "3600"), ("?refresh=-5", None)],
)  # fmt: skip
async def test_the_refresh_interval(client: httpx.AsyncClient, query: str, refresh: str | None) -> None:
    _, document = await _page(client, "/" + query)
    found = [e.attrs["content"] for e in document.find_all("meta") if e.attrs.get("http-equiv") == "refresh"]
    assert found == ([refresh] if refresh else [])


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        (None, True),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True),  # a browser
        ("*/*", True),
        ("application/json", False),
        ("application/json, */*;q=0.5", False),
        ("application/json;q=0.5, text/html", True),
        ("text/html;q=0", False),
        ("text/html;q=abc", False),
    ],
)
def test_who_gets_the_page(accept: str | None, html: bool) -> None:
    headers = [] if accept is None else [(b"accept", accept.encode())]
    scope: dict[str, Any] = {"type": "http", "method": "GET", "path": "/", "headers": headers}
    assert wants_dashboard(scope) is html


async def test_clients_probing_slash_for_json_still_get_the_k2_404(client: httpx.AsyncClient) -> None:
    for response in (
        await client.get("/", headers={"Accept": "application/json"}),
        await client.post("/", json={}),
        await client.delete("/"),
    ):
        assert response.status_code == 404
        assert response.json() == {"error_code": 404, "error_message": "No such endpoint: '/'"}
    head = await client.head("/")
    assert head.status_code == 200 and head.headers["content-type"] == "text/html; charset=utf-8"
    assert (await client.get("/index.html")).status_code == 404  # only "/" itself


async def test_a_failing_render_is_a_plain_500_logged(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr("k2connect_sandbox.dashboard.render", broken)
    response = await client.get("/")
    assert response.status_code == 500
    assert response.text == "The dashboard failed; see the sandbox's log."
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert "the sandbox dashboard failed" in caplog.text


def test_the_control_api_documents_every_sandbox_route_the_dashboard_included(app: SandboxApp) -> None:
    """control-api.yaml lists every route that is not a K2 operation: the /sandbox/ routes and ``/``."""
    served: set[tuple[str, str]] = {("/", "get")}
    for route in app.routes:
        assert isinstance(route, Route)
        for method in route.methods or ():
            if method != "HEAD":
                served.add((route.path.rstrip("/") or "/", method.lower()))
    documented = {
        (path, method)
        for path, item in app.sandbox.control_spec["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert served == documented
