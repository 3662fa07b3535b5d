"""The two HTML pages: the payment form, and a payment's page that watches its outcome.

Plain HTML with every value escaped, one small stylesheet, and a few lines of vanilla JavaScript that
poll the app's ``/payments/<id>`` JSON and reload the page when the payment's state changes. Without
JavaScript the page refreshes itself. The customer sees words, not K2's statuses: "Paid", "Payment
failed", "We are confirming your payment" (and then no Pay button: paying again could charge twice).
"""

from __future__ import annotations

from html import escape
from typing import Any

__all__ = ["SHOP_NAME", "form_page", "not_found_page", "payment_page"]

SHOP_NAME = "Mama Njeri's Grocery"

_STYLE = """
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; background: #eef2ef; color: #1d2b24;
       font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 26rem; margin: 0 auto; padding: 2.5rem 1rem; }
.shop { display: flex; align-items: center; gap: .75rem; margin-bottom: 1.25rem; }
.logo { width: 2.75rem; height: 2.75rem; border-radius: 50%; background: #1f7a4d; color: #fff;
        display: grid; place-items: center; font-weight: 700; font-size: 1.2rem; }
.shop-name { font-weight: 700; font-size: 1.15rem; }
.shop-tag { color: #5b6b63; font-size: .85rem; }
.card { background: #fff; border-radius: 14px; padding: 1.75rem 1.5rem;
        box-shadow: 0 1px 2px rgba(0,0,0,.06), 0 8px 24px rgba(31,122,77,.08); }
h1 { font-size: 1.35rem; margin: 0 0 .25rem; }
.lead { color: #5b6b63; margin: 0 0 1.25rem; }
label { display: block; font-weight: 600; font-size: .9rem; margin-top: 1rem; }
input { display: block; width: 100%; margin-top: .35rem; font: inherit; font-size: 1.1rem;
        padding: .65rem .8rem; border: 1px solid #c9d3cd; border-radius: 8px; }
input:focus { outline: 2px solid #1f7a4d; border-color: #1f7a4d; }
.amount { position: relative; }
.amount span { position: absolute; left: .8rem; top: 50%; transform: translateY(-50%); color: #5b6b63; }
.amount input { padding-left: 3.4rem; }
button { width: 100%; margin-top: 1.5rem; font: inherit; font-size: 1.1rem; font-weight: 700;
         color: #fff; background: #1f7a4d; border: 0; border-radius: 8px; padding: .85rem; cursor: pointer; }
button:hover { background: #17603c; }
.error { background: #fdecec; color: #9b1c1c; border-radius: 8px; padding: .7rem .9rem; margin: 0 0 .5rem; }
.note { color: #5b6b63; font-size: .85rem; margin: 1rem 0 0; text-align: center; }
.status { display: flex; align-items: center; gap: .8rem; border-radius: 10px; padding: 1rem;
          margin: .5rem 0 1.25rem; font-size: 1.25rem; font-weight: 700; }
.status .icon { width: 2.2rem; height: 2.2rem; border-radius: 50%; display: grid; place-items: center;
                color: #fff; font-size: 1.2rem; flex: none; }
.pending .status { background: #fff7e0; color: #7a5a00; }
.pending .icon { background: #e0a800; animation: pulse 1.2s ease-in-out infinite; }
.success .status { background: #e6f4ec; color: #17603c; }
.success .icon { background: #1f7a4d; }
.failed .status { background: #fdecec; color: #9b1c1c; }
.failed .icon { background: #c62828; }
@keyframes pulse { 50% { opacity: .45; } }
#hint { margin: -.5rem 0 1rem; color: #5b6b63; }
dl { margin: 0; }
.row { display: flex; justify-content: space-between; gap: 1rem; padding: .6rem 0;
       border-top: 1px solid #edf1ee; }
.row:first-child { border-top: 0; }
dt { color: #5b6b63; } dd { margin: 0; font-weight: 600; text-align: right; overflow-wrap: anywhere; }
.row.reason { flex-direction: column; gap: .2rem; } .row.reason dd { text-align: left; font-weight: 500; }
.card:not(.success) .only-paid, .card:not(.failed) .only-failed { display: none; }
a.again { display: block; text-align: center; margin-top: 1.5rem; color: #1f7a4d; font-weight: 600; }
"""

# What the customer reads for each status of an order's payment (see store.order_view).
_LABELS = {
    "Success": ("Paid", "✓"),
    "Failed": ("Payment failed", "✕"),
    "Pending": ("We are confirming your payment", "…"),
    "Unconfirmed": ("We could not confirm this payment; contact us", "!"),
    "Not sent": ("Not paid yet", "…"),
}
_CSS = {"Success": "success", "Failed": "failed", "Unconfirmed": "failed"}  # the rest: "pending"
_HINTS = {
    "Success": "Paid, thank you! Your receipt is below.",
    "Failed": "The payment did not go through. No money was taken.",
    "Unconfirmed": "We could not tell whether this payment went through. Please contact us with your "
    "order number before paying again: we will check it for you.",
    "Not sent": "The payment request was not sent. No money was taken.",
}
_HINTS_BY_STATE = {
    "sending": "We are sending the payment request to your phone.",
    "sent": "Check your phone and enter your M-PESA PIN to approve the payment.",
    "ambiguous": "We could not yet confirm that the payment request reached M-PESA. If a prompt appears on "
    "your phone, answer it. Please do not pay again: we will update this page.",
}

# Polls every 2 s for up to 3 minutes (an unanswered STK prompt times out on the phone well before); when
# the payment's state changes, the page reloads, and the server shows it (and a Pay button if one is due).
_WATCH_SCRIPT = """
(function () {
  var box = document.getElementById("payment");
  var hint = document.getElementById("hint");
  var deadline = Date.now() + 180000;
  function later() {
    if (Date.now() < deadline) { setTimeout(poll, 2000); }
    else { hint.textContent = "Still waiting for M-PESA: refresh this page to check again."; }
  }
  function poll() {
    // A request that hangs must not stop the watching: give up on it after 10 s and ask again.
    var abort = window.AbortController ? new AbortController() : null;
    var timer = abort && setTimeout(function () { abort.abort(); }, 10000);
    fetch(box.dataset.url, { headers: { Accept: "application/json" }, signal: abort && abort.signal })
      .then(function (response) { clearTimeout(timer); return response.ok ? response.json() : null; })
      .then(function (payment) {
        if (payment && payment.state !== box.dataset.state) { window.location.reload(); return; }
        later();
      }, later);  // a network hiccup: try again
  }
  poll();
})();
"""


def _page(title: str, body: str, *, head: str = "", shop: str = SHOP_NAME) -> str:
    initial = escape(shop.strip()[:1].upper() or "S")
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)} · {escape(shop)}</title><style>{_STYLE}</style>{head}</head>\n"
        "<body><main>\n"
        f"<header class='shop'><div class='logo' aria-hidden='true'>{initial}</div><div>"
        f"<div class='shop-name'>{escape(shop)}</div>"
        "<div class='shop-tag'>Secure checkout · M-PESA by Kopo Kopo</div></div></header>\n"
        f"{body}\n</main></body></html>\n"
    )


def form_page(phone: str = "", amount: str = "", *, error: str | None = None, shop: str = SHOP_NAME) -> str:
    """The form: phone and amount, POSTed to /pay."""
    problem = f"<p class='error' role='alert'>{escape(error)}</p>" if error else ""
    return _page(
        "Pay with M-PESA",
        f"""<section class="card">
<h1>Pay with M-PESA</h1>
<p class="lead">We will send a payment request to your phone.</p>
{problem}
<form method="post" action="/pay">
  <label for="phone">M-PESA phone number</label>
  <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" required
         placeholder="0712 345 678" value="{escape(phone)}">
  <label for="amount">Amount</label>
  <div class="amount"><span>KES</span>
    <input id="amount" name="amount" inputmode="decimal" required placeholder="100" value="{escape(amount)}">
  </div>
  <button type="submit">Pay now</button>
</form>
<p class="note">You will get a prompt on your phone: enter your M-PESA PIN to pay.</p>
</section>""",
        shop=shop,
    )


def payment_page(payment: dict[str, Any], *, shop: str = SHOP_NAME) -> str:
    """One order's payment, with its current status; the script reloads the page when it changes.

    A Pay button only when ``payment["retry"]``: never while the payment is being confirmed.
    """
    status = str(payment["status"])
    state = str(payment["state"])
    done = bool(payment["done"])
    label, icon = _LABELS.get(status, _LABELS["Pending"])
    css = _CSS.get(status, "pending")
    hint = _HINTS_BY_STATE.get(state, _HINTS_BY_STATE["sent"]) if not done else _HINTS.get(status, "")
    # Without JavaScript, refresh every 3 s until the payment is final.
    refresh = "" if done else "<noscript><meta http-equiv='refresh' content='3'></noscript>"
    order = escape(str(payment["id"]))
    url = f"/payments/{payment['id']}"
    amount = f"{payment['currency']} {payment['amount'] or '-'}"
    again = (
        f"""<form method="post" action="/pay/{order}"><button type="submit">Pay now</button></form>"""
        if payment["retry"]
        else ""
    )
    return _page(
        f"Payment {status}",
        f"""<section id="card" class="card {css}">
<h1>M-PESA payment</h1>
<div class="status" role="status"><span id="icon" class="icon" aria-hidden="true">{icon}</span>
  <span id="status">{escape(label)}</span></div>
<p id="hint">{escape(hint)}</p>
<dl id="payment" data-status="{escape(status)}" data-state="{escape(state)}" data-url="{escape(url)}">
  <div class="row"><dt>Order</dt><dd>{order}</dd></div>
  <div class="row"><dt>Amount</dt><dd>{escape(amount)}</dd></div>
  <div class="row"><dt>Phone</dt><dd>{escape(str(payment["phone"] or "-"))}</dd></div>
  <div class="row only-paid"><dt>M-PESA reference</dt>
    <dd id="mpesa_reference">{escape(str(payment["mpesa_reference"] or "-"))}</dd></div>
  <div class="row reason only-failed"><dt>Reason</dt>
    <dd id="reason">{escape(str(payment["reason"] or "-"))}</dd></div>
</dl>
{again}
<a class="again" href="/">Make another payment</a>
</section>
{"" if done else f"<script>{_WATCH_SCRIPT}</script>"}""",
        head=refresh,
        shop=shop,
    )


def not_found_page(*, shop: str = SHOP_NAME) -> str:
    """No payment of that id was started here."""
    return _page(
        "No such payment",
        "<section class='card'><h1>No such payment</h1>"
        "<p class='lead'>We could not find that payment.</p>"
        "<a class='again' href='/'>Make a payment</a></section>",
        shop=shop,
    )
