"""The two HTML pages: the payment form, and a payment's page that watches its outcome.

Plain HTML with every value escaped, and a few lines of vanilla JavaScript that poll the app's
``/payments/<id>`` JSON until the payment is final. Without JavaScript the page refreshes itself.
"""

from __future__ import annotations

from html import escape
from typing import Any

__all__ = ["form_page", "not_found_page", "payment_page"]

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 2rem auto; padding: 0 1rem; }
label { display: block; margin-top: 1rem; }
input { font-size: 1.1rem; width: 100%; padding: .4rem; box-sizing: border-box; }
button { margin-top: 1.2rem; font-size: 1.1rem; padding: .5rem 1.5rem; }
.error { color: #a00; } .success { color: #070; } .failed { color: #a00; }
dt { font-weight: bold; margin-top: .6rem; }
"""

# Polls every 2 s for up to 3 minutes (an unanswered STK prompt times out on the phone well before).
_WATCH_SCRIPT = """
(function () {
  var box = document.getElementById("payment");
  var hint = document.getElementById("hint");
  var deadline = Date.now() + 180000;
  function show(payment) {
    ["status", "reason", "mpesa_reference"].forEach(function (field) {
      document.getElementById(field).textContent = payment[field] || "-";
    });
    box.className = payment.status.toLowerCase();
  }
  function later() {
    if (Date.now() < deadline) { setTimeout(poll, 2000); }
    else { hint.textContent = "Still waiting for M-PESA: refresh this page to check again."; }
  }
  function poll() {
    fetch(box.dataset.url, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (payment) {
        if (payment) {
          show(payment);
          if (payment.done) {
            hint.textContent = payment.status === "Success"
              ? "Paid, thank you!" : "The payment did not go through.";
            return;
          }
        }
        later();
      }, later);  // a network hiccup: try again
  }
  poll();
})();
"""


def _page(title: str, body: str, *, head: str = "") -> str:
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style>{head}</head>\n"
        f"<body><main>\n{body}\n</main></body></html>\n"
    )


def form_page(phone: str = "", amount: str = "", *, error: str | None = None) -> str:
    """The form: phone and amount, POSTed to /pay."""
    problem = f"<p class='error' role='alert'>{escape(error)}</p>" if error else ""
    return _page(
        "Pay with M-PESA",
        f"""<h1>Pay with M-PESA</h1>
{problem}
<form method="post" action="/pay">
  <label>M-PESA phone number
    <input name="phone" type="tel" inputmode="tel" autocomplete="tel" required
           placeholder="0712 345 678" value="{escape(phone)}"></label>
  <label>Amount (KES)
    <input name="amount" inputmode="decimal" required placeholder="100" value="{escape(amount)}"></label>
  <button type="submit">Pay</button>
</form>
<p>You will get a prompt on your phone: enter your M-PESA PIN to pay.</p>""",
    )


def payment_page(payment: dict[str, Any]) -> str:
    """One payment, with its current status; the script keeps it up to date."""
    status = str(payment["status"])
    done = bool(payment["done"])
    hint = "Check your phone and enter your M-PESA PIN." if not done else ""
    # Without JavaScript, refresh every 3 s until the payment is final.
    refresh = "" if done else "<noscript><meta http-equiv='refresh' content='3'></noscript>"
    url = f"/payments/{payment['id']}"
    return _page(
        f"Payment {status}",
        f"""<h1>M-PESA payment</h1>
<p id="hint">{escape(hint)}</p>
<dl id="payment" class="{escape(status.lower())}" data-url="{escape(url)}">
  <dt>Phone</dt><dd>{escape(str(payment["phone"] or "-"))}</dd>
  <dt>Amount</dt><dd>{escape(str(payment["currency"]))} {escape(str(payment["amount"] or "-"))}</dd>
  <dt>Status</dt><dd id="status">{escape(status)}</dd>
  <dt>Reason</dt><dd id="reason">{escape(str(payment["reason"] or "-"))}</dd>
  <dt>M-PESA reference</dt><dd id="mpesa_reference">{escape(str(payment["mpesa_reference"] or "-"))}</dd>
</dl>
<p><a href="/">New payment</a></p>
{"" if done else f"<script>{_WATCH_SCRIPT}</script>"}""",
        head=refresh,
    )


def not_found_page() -> str:
    """No payment of that id was started here."""
    return _page("No such payment", "<h1>No such payment</h1>\n<p><a href='/'>New payment</a></p>")
