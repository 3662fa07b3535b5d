"""`make demo`: every K2 Connect flow, end to end, through the public API a merchant would call.

By default it starts the embedded sandbox and an example webhook/callback receiver on loopback, then walks
the flows of the v1 API (the seed's) and the v2 API, and prints one table row per step. It exits non-zero
if any step does not end as expected (the failing STK push is *expected* to fail).

With ``K2_BASE_URL``, ``K2_CLIENT_ID``, ``K2_CLIENT_SECRET`` and ``K2_API_KEY`` in the environment it runs the
same flows against that server (e.g. Kopo Kopo's sandbox) instead. Steps that need the local sandbox's
control API (simulating a customer) or a callback to reach this machine are then reported as skipped.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import uvicorn
from k2connect_client.models import PaymentLinkDetails
from starlette.applications import Starlette
from starlette.routing import Route

from k2connect_ext import (
    K2,
    K2Error,
    K2PaymentFailedError,
    PollSettings,
    State,
    mobile_wallet_destination,
    state_of,
    till_destination,
)
from k2connect_ext.webhooks import K2Event, MemoryDeduplicator
from k2connect_ext.webhooks.adapters.starlette import webhook_endpoint

TILL = "555555"  # the buy-goods till the demo's customer pays
ONLINE_TILL = "K555555"  # the K-prefixed online payments till that receives STK pushes


# ----------------------------------------------------------------------------------- the receiver
class Inbox:
    """Events the example receiver accepted (verified, de-duplicated), waitable by predicate."""

    def __init__(self) -> None:
        self.events: list[K2Event] = []
        self._changed = threading.Condition()

    def add(self, event: K2Event) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def wait(self, predicate: Callable[[K2Event], bool], timeout: float = 10.0) -> K2Event | None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for event in self.events:
                    if predicate(event):
                        return event
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._changed.wait(remaining)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve(app: Any, port: int) -> Iterator[str]:
    """Run an ASGI app with uvicorn on 127.0.0.1:port in a daemon thread."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the receiver did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)


def receiver_app(api_key: str, inbox: Inbox) -> Starlette:
    """The example receiver: signed callbacks at /k2/callbacks, webhooks at /k2/webhooks."""
    dedup = MemoryDeduplicator()
    endpoint = webhook_endpoint(api_key, inbox.add, dedup)
    return Starlette(
        routes=[
            Route("/k2/callbacks", endpoint, methods=["POST"]),
            Route("/k2/webhooks", endpoint, methods=["POST"]),
        ]
    )


# ----------------------------------------------------------------------------------- the steps
class SkippedError(Exception):
    """A step that cannot run against this server."""


class Demo:
    def __init__(self, k2: K2, inbox: Inbox, receiver_url: str, control: httpx.Client | None) -> None:
        self.k2, self.inbox, self.control = k2, inbox, control
        self.callback_url = receiver_url + "/k2/callbacks"
        self.webhook_url = receiver_url + "/k2/webhooks"
        self.rows: list[tuple[str, str, str]] = []
        self.failed = False
        self.buygoods_event: K2Event | None = None

    def step(self, name: str, action: Callable[[], str]) -> None:
        try:
            detail = action()
            outcome = "ok"
        except SkippedError as skip:
            outcome, detail = "skipped", str(skip)
        except (K2Error, AssertionError) as error:
            outcome, detail = "FAILED", f"{type(error).__name__}: {error}"
            self.failed = True
        self.rows.append((name, outcome, detail))
        print(f"  {outcome:8} {name}", flush=True)

    def callback_for(self, resource_id: str) -> K2Event:
        """The signed callback the receiver verified for this resource."""
        if self.control is None:
            raise SkippedError("K2 cannot reach a loopback receiver")
        event = self.inbox.wait(lambda e: e.id == resource_id and bool(e.is_success or e.is_failure))
        assert event is not None, f"no verified callback for {resource_id}"
        return event

    def simulate(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        if self.control is None:
            raise SkippedError("needs the local sandbox's control API")
        response = self.control.post(path, json=body)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    # -- tokens and subscriptions
    def token(self) -> str:
        token = self.k2.token()
        info = self.k2.token_info()
        active = self.k2.introspect_token().active
        return f"{token.token_type} token, {info.expires_in} s left, introspect active={active}"

    def subscriptions(self) -> str:
        made = [
            self.k2.subscribe_webhook(
                "buygoods_transaction_received", self.webhook_url, scope="till", scope_reference=TILL
            ),
            self.k2.subscribe_webhook("customer_created", self.webhook_url, scope="company", version="v1"),
            self.k2.subscribe_webhook("settlement_transfer_completed", self.webhook_url, scope="company"),
        ]
        statuses = [str(handle.fetch().data.attributes.status) for handle in made]
        return f"{len(made)} subscriptions, status {', '.join(statuses)}"

    # -- receive money
    def stk_push_success(self) -> str:
        payment = self.k2.stk_push(
            phone_number="0712345678",
            amount=100,
            till_number=ONLINE_TILL,
            callback_url=self.callback_url,
            first_name="Jane",
            last_name="Doe",
            metadata={"order": "1001"},
        )
        result = payment.wait()
        status = result.data.attributes.status
        assert state_of("incoming_payment", status) is State.SUCCEEDED, status  # the rule wait() used
        callback = self.callback_for(payment.id)
        assert callback.status == status and callback.is_success
        return f"Location {status}; signed callback {callback.status}, KES {callback.amount}"

    def stk_push_failure(self) -> str:
        payment = self.k2.stk_push(
            phone_number="+254712340001", amount=50, till_number=ONLINE_TILL, callback_url=self.callback_url
        )
        try:
            payment.wait()
        except K2PaymentFailedError as failure:
            callback = self.callback_for(payment.id)
            return f"failed as expected: {failure.reason!r}; callback {callback.status}"
        raise AssertionError("the STK push to a failing test number succeeded")

    def customer_payment(self) -> str:
        result = self.simulate(
            "/sandbox/simulate/buygoods_transaction_received",
            {"till_number": TILL, "amount": "250.00", "phone": "+254711222333", "first_name": "John"},
        )
        webhook_id = result["event_ids"][0]
        event = self.inbox.wait(lambda e: e.id == webhook_id)
        assert event is not None, "the buy-goods webhook never reached the receiver"
        self.buygoods_event = event
        customer = self.inbox.wait(lambda e: e.topic == "customer_created")
        extra = ", plus customer_created" if customer is not None else ""
        return f"webhook {event.topic} KES {event.amount} ref {event.reference}{extra}"

    # -- PAY (v1)
    def pay(self) -> str:
        recipient = self.k2.add_recipient(
            "mobile_wallet",
            first_name="Ann",
            last_name="Wanjiru",
            phone_number="0722000111",
            email="ann@example.com",
        )
        payment = self.k2.create_payment(
            destination_type="mobile_wallet",
            destination_reference=recipient.id,
            amount=780,
            description="Salary",
            category="salaries",
            callback_url=self.callback_url,
        )
        result = payment.wait()
        callback = self.callback_for(payment.id)
        status = result.data.attributes.status
        return f"recipient {recipient.id[:8]}…; payment {status}, callback {callback.status}"

    # -- settlement (v1)
    def settlement(self) -> str:
        wallet = self.k2.add_merchant_wallet(first_name="Jane", last_name="Doe", phone_number="0733000444")
        bank = self.k2.add_merchant_bank_account(
            account_name="Duka Ltd",
            account_number="0123456789",
            bank_branch_ref="ea2e79f7-35a1-486e-9e18-fe06589a9d7d",
            settlement_method="RTS",
        )
        blind = self.k2.settle_funds(callback_url=self.callback_url)
        targeted = self.k2.settle_funds(
            callback_url=self.callback_url,
            amount=100,
            destination_type="merchant_bank_account",
            destination_reference=bank.id,
        )
        statuses = [blind.wait().data.attributes.status, targeted.wait().data.attributes.status]
        return f"wallet {wallet.id[:8]}…, bank {bank.id[:8]}…; blind {statuses[0]}, targeted {statuses[1]}"

    # -- polling and SMS
    def polling(self) -> str:
        now = dt.datetime.now(dt.UTC)
        request = self.k2.poll_transactions(
            from_time=now - dt.timedelta(hours=1),
            to_time=now + dt.timedelta(minutes=5),
            callback_url=self.callback_url,
        )
        result = request.wait()
        transactions = result.data.attributes.transactions or []
        return f"{result.data.attributes.status}, {len(transactions)} transactions in the window"

    def sms(self) -> str:
        if self.buygoods_event is None or self.buygoods_event.id is None:
            raise SkippedError("needs a received buy-goods webhook")
        sms = self.k2.send_sms_notification(
            self.buygoods_event.id, "Thank you for shopping at Duka!", self.callback_url
        )
        return f"SMS {sms.wait().data.attributes.status}"

    # -- v2
    def send_money(self) -> str:
        transfer = self.k2.send_money(
            callback_url=self.callback_url,
            destinations=[
                mobile_wallet_destination("0712000999", 150, "Supplier A"),
                till_destination("123456", 200, "Supplier B"),
            ],
            metadata={"batch": "nov-28"},
        )
        result = transfer.wait()
        batches = result.data.attributes.transfer_batches or []
        return f"{result.data.attributes.status}, {len(batches)} transfer batches"

    def payment_link_paid(self) -> str:
        link = self.k2.create_payment_link(
            till_number=TILL,
            amount=3100,
            callback_url=self.callback_url,
            payment_reference="INV-7",
            note="Invoice 7",
        )
        self.simulate(f"/sandbox/payment_links/{link.id}/pay", {"phone": "+254716230902"})
        details = link.wait().data.attributes.payment_link
        assert isinstance(details, PaymentLinkDetails), "the paid link has no payment_link details"
        return f"link {details.status}"

    def payment_link_cancelled(self) -> str:
        link = self.k2.create_payment_link(till_number=TILL, amount=500, callback_url=self.callback_url)
        message = self.k2.cancel_payment_link(link.location)
        details = link.fetch().data.attributes.payment_link
        assert isinstance(details, PaymentLinkDetails), "the link has no payment_link details"
        return f"{message} (link status {details.payment_link_status})"

    def reversal(self) -> str:
        if self.buygoods_event is None or self.buygoods_event.reference is None:
            raise SkippedError("needs a received transaction to reverse")
        reversal = self.k2.reverse_transaction(
            transaction_reference=self.buygoods_event.reference,
            reason="Customer returned goods",
            callback_url=self.callback_url,
        )
        result = reversal.wait()
        return f"{result.data.attributes.status}, reversed {self.buygoods_event.reference}"

    def run(self) -> None:
        self.step("token: request, info, introspect", self.token)
        self.step("webhook subscriptions (v1 + v2)", self.subscriptions)
        self.step("STK push that succeeds (Location + callback)", self.stk_push_success)
        self.step("STK push that fails", self.stk_push_failure)
        self.step("customer pays the till (webhook)", self.customer_payment)
        self.step("PAY recipient and payment (v1)", self.pay)
        self.step("settlement accounts, blind + targeted transfer", self.settlement)
        self.step("polling for received transactions", self.polling)
        self.step("SMS notification for a received payment", self.sms)
        self.step("send money (v2)", self.send_money)
        self.step("payment link paid", self.payment_link_paid)
        self.step("payment link cancelled", self.payment_link_cancelled)
        self.step("reversal", self.reversal)

    def table(self) -> str:
        width = max(len(name) for name, _, _ in self.rows)
        lines = [f"{'step':{width}}  {'outcome':8}  detail", f"{'-' * width}  {'-' * 8}  {'-' * 40}"]
        lines += [f"{name:{width}}  {outcome:8}  {detail}" for name, outcome, detail in self.rows]
        return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--callback-delay", type=float, default=0.2, help="sandbox delay before outcomes")
    args = parser.parse_args(argv)
    inbox = Inbox()
    remote = os.environ.get("K2_BASE_URL")
    with contextlib.ExitStack() as stack:
        if remote:
            k2 = stack.enter_context(K2(poll=PollSettings(timeout=120)))
            api_key = os.environ.get("K2_API_KEY", "")
            control = None
            print(f"Running against {remote}")
        else:
            from k2connect_sandbox.config import SandboxConfig
            from k2connect_sandbox.server import serve_in_thread

            sandbox = stack.enter_context(serve_in_thread(SandboxConfig(callback_delay=args.callback_delay)))
            print(f"Embedded sandbox at {sandbox.base_url}")
            k2 = stack.enter_context(
                K2(
                    sandbox.client_id,
                    sandbox.client_secret,
                    base_url=sandbox.base_url,
                    poll=PollSettings(timeout=30, interval=0.2, max_interval=1.0),
                )
            )
            api_key = sandbox.api_key
            control = stack.enter_context(httpx.Client(base_url=sandbox.base_url, timeout=10))
        receiver = stack.enter_context(serve(receiver_app(api_key, inbox), free_port()))
        print(f"Example receiver at {receiver}\n")
        demo = Demo(k2, inbox, receiver, control)
        demo.run()
    print()
    print(demo.table())
    print()
    print("FAILED: some steps did not end as expected" if demo.failed else "All steps ended as expected.")
    return 1 if demo.failed else 0


if __name__ == "__main__":
    sys.exit(main())
