"""The HTML dashboard at ``/``: deliveries (failures first), resources and their states, recent requests.

Server-rendered HTML with inline CSS and no script; it reloads itself with ``<meta http-equiv="refresh">``
every ``?refresh=N`` seconds (default 3, ``0`` stops). Every value is HTML-escaped, with control characters
shown escaped, because most of them came from clients: a payer's name, a callback URL, a request path.
URLs are shown without user:password or query (``display.safe_url``). The Content-Security-Policy allows
nothing but the page's own stylesheet (by its hash) and the empty ``data:`` favicon, so even markup that
slipped through escaping could neither run nor load anything.

``/`` is not a K2 path: a GET or HEAD that accepts HTML (a browser, or no Accept header) gets the page; any
other request to ``/`` (``Accept: application/json``, a POST) goes to the K2 dispatcher and is answered
404 in K2's error shape, as before the dashboard. Rendering runs on a worker thread: reading a large
store must not hold up the event loop that delivers callbacks.
"""

from __future__ import annotations

import base64
import hashlib
import html
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from k2connect_sandbox.clock import parse_time
from k2connect_sandbox.delivery import AttemptReport, DeliverySnapshot, Notification
from k2connect_sandbox.display import printable, safe_url, short_id
from k2connect_sandbox.failure_reasons import seconds
from k2connect_sandbox.request_log import LoggedRequest
from k2connect_sandbox.runtime import Sandbox
from k2connect_sandbox.tables import READERS
from k2connect_sandbox.wire import JsonDict

__all__ = ["CONTENT_SECURITY_POLICY", "Dashboard", "render", "wants_dashboard"]

log = logging.getLogger("k2connect_sandbox")

DASHBOARD_PATH = "/"
DEFAULT_REFRESH = 3
MAX_REFRESH = 3600
ROWS = 200
RESOURCE_TABLES = frozenset(table for table, _ in READERS.values())  # never tokens nor the ledger
LABELS: Mapping[str, str] = {
    "incoming_payments": "STK push",
    "payments": "payout",
    "send_money": "send money",
    "settlement_transfers": "transfer",
    "reversals": "reversal",
    "polling": "polling",
    "transaction_sms_notifications": "SMS notification",
    "payment_links": "payment link",
    "webhook_subscriptions": "webhook subscription",
    "recipients": "recipient",
    "merchant_wallets": "merchant wallet",
    "merchant_bank_accounts": "merchant bank account",
}

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1d232a;background:#fafbfc}
h1{font-size:1.3rem;margin:0 0 .25rem}h2{font-size:1.05rem;margin:1.5rem 0 .5rem}
.meta{color:#57606a;margin:0}.count{color:#57606a;font-weight:normal}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #d8dee4;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f3f6;font-weight:600}td.url,td.path{font-family:ui-monospace,monospace;word-break:break-all}
.badge{display:inline-block;padding:0 .4rem;border-radius:.6rem;font-size:.85em;font-weight:600}
.failed .badge,.not-sent .badge{background:#ffebe9;color:#a40e26}.failed td.result{color:#a40e26}
.retrying .badge{background:#fff8c5;color:#7d4e00}
.queued .badge,.sending .badge{background:#ddf4ff;color:#0550ae}
.delivered .badge{background:#dafbe1;color:#116329}.empty{color:#57606a}
.http-error{color:#a40e26}
""".strip()
_CSS_HASH = base64.b64encode(hashlib.sha256(_CSS.encode("utf-8")).digest()).decode("ascii")
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src 'sha256-{_CSS_HASH}'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
# Failures first: what the developer came to look for.
_STATE_ORDER = {"failed": 0, "retrying": 1, "sending": 2, "queued": 3, "not sent": 4, "delivered": 5}


def wants_dashboard(scope: Scope) -> bool:
    """A GET or HEAD of ``/`` from a client that takes HTML."""
    if scope.get("path") != DASHBOARD_PATH or scope.get("method") not in ("GET", "HEAD"):
        return False
    accept = next((value for name, value in scope.get("headers", []) if name == b"accept"), None)
    return accept is None or _html_preferred(accept.decode("latin-1"))


def _html_preferred(accept: str) -> bool:
    """HTML is acceptable, and not less wanted than JSON (``Accept: application/json`` keeps the K2 404)."""
    html_q = json_q = 0.0
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        if media in ("text/html", "text/*", "*/*"):
            html_q = max(html_q, quality)
        if media in ("application/json", "application/*"):
            json_q = max(json_q, quality)
    return html_q > 0 and html_q >= json_q


class Dashboard:
    """The ASGI endpoint of ``/``."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        refresh = _refresh(request.query_params.get("refresh"))
        response: Response
        try:
            page = await run_in_threadpool(render, self._sandbox, refresh)
            response = HTMLResponse(page, headers=_HEADERS)
        except Exception:
            log.exception("the sandbox dashboard failed")
            response = PlainTextResponse(
                "The dashboard failed; see the sandbox's log.", 500, headers=_HEADERS
            )
        await response(scope, receive, send)


def _refresh(value: str | None) -> int:
    if value is None:
        return DEFAULT_REFRESH
    try:
        return min(max(int(value), 0), MAX_REFRESH)
    except ValueError:
        return DEFAULT_REFRESH


def render(sandbox: Sandbox, refresh: int = DEFAULT_REFRESH) -> str:
    """The whole page."""
    now = sandbox.clock.now()
    deliveries = delivery_rows(sandbox.deliveries.snapshot(), sandbox.config.deliver, now)
    resources = resource_rows(sandbox)
    requests = sandbox.requests.recent()
    failed = sum(row.state == "failed" for row in deliveries)
    reload_tag = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    refresh_note = (
        f'Refreshes every {refresh} s (<a href="/?refresh=0">stop</a>)'
        if refresh
        else f'Not refreshing (<a href="/?refresh={DEFAULT_REFRESH}">refresh every {DEFAULT_REFRESH} s</a>)'
    )
    return "".join(
        [
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            reload_tag,
            '<title>k2connect sandbox</title><link rel="icon" href="data:,">',
            f"<style>{_CSS}</style></head><body>",
            "<header><h1>k2connect sandbox</h1>",
            f'<p class="meta">{refresh_note} · balance KES {_e(f"{sandbox.ledger.balance():f}")} · '
            f"updated {_e(_clock(now))} · JSON: "
            '<a href="/sandbox/deliveries">deliveries</a>, <a href="/sandbox/events">events</a>, '
            '<a href="/sandbox/ledger">ledger</a></p></header>',
            _deliveries_section(deliveries, failed),
            _resources_section(resources),
            _requests_section(requests),
            "</body></html>\n",
        ]
    )


# ------------------------------------------------------------------------------------------ deliveries


@dataclass(frozen=True)
class DeliveryRow:
    """One notification (all its attempts): where it went, how it stands, the last result."""

    state: str  # failed | retrying | sending | queued | not sent | delivered
    notification: Notification
    attempts: int
    max_attempts: int
    result: str  # "HTTP 200", or why there was no answer
    last_at: datetime | None
    next_retry: str


def delivery_rows(snapshot: DeliverySnapshot, deliver: bool, now: datetime) -> list[DeliveryRow]:
    """A row per notification, failures first, the most recent first within each state."""
    last: dict[int, AttemptReport] = {}
    for report in snapshot.attempts:
        last[report.delivery] = report
    rows: list[tuple[int, float, DeliveryRow]] = []
    for key, report in last.items():
        state = snapshot.pending.get(key) or _final_state(report, deliver)
        result = f"HTTP {report.status}" if report.status is not None else report.reason or "no answer"
        row = DeliveryRow(
            state,
            report.notification,
            report.attempt,
            report.max_attempts,
            result,
            report.at,
            _next(report, now),
        )
        rows.append((key, report.at.timestamp(), row))
    for key, notification in snapshot.queued:
        state = snapshot.pending.get(key, "queued")
        rows.append(
            (key, now.timestamp(), DeliveryRow(state, notification, 0, 0, "not tried yet", None, "-"))
        )
    rows.sort(key=lambda item: (_STATE_ORDER[item[2].state], -item[1], -item[0]))
    return [row for _, _, row in rows]


def _final_state(report: AttemptReport, deliver: bool) -> str:
    if report.delivered:
        return "delivered"
    return "failed" if deliver else "not sent"


def _next(report: AttemptReport, now: datetime) -> str:
    if report.retry_in is None:
        return "-"
    due = (report.at + timedelta(seconds=report.retry_in) - now).total_seconds()
    return f"in {seconds(round(due, 1))}" if due > 0 else "now"


def _deliveries_section(rows: list[DeliveryRow], failed: int) -> str:
    count = f"{len(rows)} notification{'s' if len(rows) != 1 else ''}, {failed} failed"
    title = f'Callback and webhook deliveries <span class="count">{count}</span>'
    head = f'<section id="deliveries"><h2>{title}</h2>'
    if not rows:
        return head + '<p class="empty">No callback or webhook sent yet.</p></section>'
    columns = (
        "State",
        "Kind",
        "Topic",
        "Id",
        "URL",
        "Status / reason",
        "Attempts",
        "Last attempt",
        "Next retry",
    )
    body = []
    for row in rows[:ROWS]:
        notification = row.notification
        ident = notification.resource_id if notification.kind == "callback" else notification.event_id
        attempts = f"{row.attempts} of {row.max_attempts}" if row.attempts else "-"
        css = row.state.replace(" ", "-")
        body.append(
            f'<tr class="delivery {css}" data-state="{_e(row.state)}">'
            f'<td><span class="badge">{_e(row.state)}</span></td>'
            f"<td>{_e(notification.kind)}</td><td>{_e(notification.topic)}</td>"
            f'<td title="{_e(ident or "")}">{_e(short_id(ident))}</td>'
            f'<td class="url">{_e(safe_url(notification.url))}</td>'
            f'<td class="result">{_e(row.result)}</td><td>{_e(attempts)}</td>'
            f"<td>{_time(row.last_at)}</td><td>{_e(row.next_retry)}</td></tr>"
        )
    return head + _table(columns, body, len(rows)) + "</section>"


# ------------------------------------------------------------------------------------------ resources


@dataclass(frozen=True)
class ResourceRow:
    label: str
    kind: str
    id: str
    state: str
    amount: str
    party: str
    created: str


def resource_rows(sandbox: Sandbox) -> list[ResourceRow]:
    """Every resource of a K2 collection, newest first (tokens and the ledger are not resources)."""
    rows: list[ResourceRow] = []
    for table in sandbox.store.tables():
        if table not in RESOURCE_TABLES:
            continue
        for record in sandbox.store.values(table):
            rows.append(_resource_row(table, record))
    rows.sort(key=lambda row: row.created, reverse=True)
    return rows


def _resource_row(table: str, record: JsonDict) -> ResourceRow:
    body = _dict(record.get("body"))
    data = _dict(body.get("data"))
    attributes = _dict(data.get("attributes"))
    return ResourceRow(
        label=LABELS.get(table, table.replace("_", " ")),
        kind=str(data.get("type") or table),
        id=str(record.get("id") or data.get("id") or ""),
        state=_state(attributes),
        amount=_amount(attributes),
        party=_party(attributes, _dict(record.get("request"))),
        created=str(record.get("created") or attributes.get("created_at") or ""),
    )


def _state(attributes: JsonDict) -> str:
    """The resource's own status: a payment link's ``payment_link.payment_link_status`` (Active, Paid,
    Expired) over its create's ``status`` (Processed), else ``status``."""
    for value in attributes.values():
        if isinstance(value, dict):
            for name, inner in value.items():
                if name.endswith("_status") and isinstance(inner, str):
                    return inner
    status = attributes.get("status")
    return status if isinstance(status, str) else "-"


def _amount(attributes: JsonDict) -> str:
    amount = attributes.get("amount")
    if isinstance(amount, dict):
        return f"{amount.get('currency') or ''} {amount.get('value') or ''}".strip()
    resource = _dict(_dict(attributes.get("event")).get("resource"))
    amount = amount if amount is not None else resource.get("amount")
    if amount is None:
        return ""
    currency = attributes.get("currency") or resource.get("currency") or ""
    return f"{currency} {amount}".strip()


def _party(attributes: JsonDict, request: JsonDict) -> str:
    """Who paid or is paid: names and phone from the result, else from the request."""
    resource = _dict(_dict(attributes.get("event")).get("resource"))
    subscriber = _dict(request.get("subscriber"))
    for source, prefix in ((resource, "sender_"), (subscriber, ""), (attributes, "")):
        names = [source.get(f"{prefix}{part}_name") for part in ("first", "middle", "last")]
        phone = source.get(f"{prefix}phone_number")
        found = [str(value) for value in (*names, phone) if value]
        if found:
            return " ".join(found)
    if attributes.get("event_type"):
        return str(attributes["event_type"])
    return ""


def _resources_section(rows: list[ResourceRow]) -> str:
    head = (
        f'<section id="resources"><h2>Resources <span class="count">{len(rows)}</span></h2>'
        if rows
        else '<section id="resources"><h2>Resources</h2>'
    )
    if not rows:
        return head + '<p class="empty">No resources yet.</p></section>'
    columns = ("Type", "Id", "State", "Amount", "Who", "Created")
    body = [
        f'<tr class="resource" data-type="{_e(row.kind)}" data-id="{_e(row.id)}" '
        f'data-state="{_e(row.state)}">'
        f'<td title="{_e(row.kind)}">{_e(row.label)}</td>'
        f'<td title="{_e(row.id)}">{_e(short_id(row.id))}</td>'
        f'<td class="state">{_e(row.state)}</td><td>{_e(row.amount)}</td>'
        f'<td class="party">{_e(row.party)}</td><td>{_time(parse_time(row.created))}</td></tr>'
        for row in rows[:ROWS]
    ]
    return head + _table(columns, body, len(rows)) + "</section>"


# ------------------------------------------------------------------------------------------ requests


def _requests_section(requests: list[LoggedRequest]) -> str:
    head = '<section id="requests"><h2>Recent requests <span class="count">newest first</span></h2>'
    if not requests:
        return head + '<p class="empty">No requests yet.</p></section>'
    columns = ("Time", "Method", "Path", "Status", "Duration")
    body = []
    for entry in requests:
        status = "dropped" if entry.status is None else str(entry.status)
        error = " http-error" if entry.status is None or entry.status >= 400 else ""
        body.append(
            f'<tr class="request{error}"><td>{_time(entry.at)}</td><td>{_e(entry.method)}</td>'
            f'<td class="path">{_e(entry.path)}</td><td class="status">{_e(status)}</td>'
            f"<td>{entry.duration_ms:.1f} ms</td></tr>"
        )
    return head + _table(columns, body, len(requests)) + "</section>"


# ------------------------------------------------------------------------------------------ helpers


def _table(columns: Iterable[str], rows: list[str], total: int) -> str:
    header = "".join(f"<th>{_e(column)}</th>" for column in columns)
    more = f'<p class="empty">and {total - ROWS} more not shown</p>' if total > ROWS else ""
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"


def _e(value: Any) -> str:
    """``value`` as HTML text (attribute-safe too), with control characters shown escaped."""
    return html.escape(printable(str(value)), quote=True)


def _clock(when: datetime) -> str:
    return when.astimezone().strftime("%H:%M:%S")


def _time(when: datetime | None) -> str:
    if when is None:
        return "-"
    return f'<time datetime="{_e(when.isoformat())}">{_e(_clock(when))}</time>'


def _dict(value: object) -> JsonDict:
    return value if isinstance(value, dict) else {}
