"""Flask example: take M-PESA payments by STK push, and receive K2's callbacks and webhooks.

=======================  ===================================================================================
``GET /``                the payment form (phone, amount)
``POST /pay``            takes an order and sends its STK push as a payment intent keyed
                         ``order-<id>/attempt-1`` (``k2.intents.stk_push``), then redirects to its page
``GET /pay/<id>``        the order's page, which polls ``/payments/<id>`` until its payment is final
``POST /pay/<id>``       pays again, only when the last attempt certainly took no money: ``failed`` or
                         ``refused`` (a new attempt, a new key) or ``recorded`` (sent under the same key)
``GET /payments/<id>``   the order's payment as JSON, from the intent's ledger (settled by the callback);
                         still pending after ``status_check_after`` seconds, it is looked up at K2
``POST /k2/callbacks``   STK push results: signature checked, de-duplicated, the intent settled, stored
``POST /k2/webhooks``    webhook subscriptions (buy-goods payments, reversals...): the same
``GET /events``          every event received, newest first (``?topic=``, ``?limit=``)
=======================  ===================================================================================

Run it (see examples/README.md)::

    flask --app examples.flask_app.app run --port 8000
    flask --app examples.flask_app.app k2-subscribe     # once: subscribe PUBLIC_URL/k2/webhooks
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import click
from flask import Flask, Response, redirect, request
from flask.typing import ResponseReturnValue

from k2connect_ext import K2, Intent, IntentState, K2Error, K2InputError
from k2connect_ext.webhooks import K2Event, SQLiteDeduplicator, WebhookTopic
from k2connect_ext.webhooks.adapters.flask import webhook_view

from . import pages
from .settings import CALLBACK_PATH, WEBHOOK_PATH, Settings
from .store import NEW_ATTEMPT, SEND_AGAIN, Store, intent_key, order_view

__all__ = ["WEBHOOK_TOPICS", "Services", "Settings", "create_app", "services", "subscribe_webhooks"]

logger = logging.getLogger(__name__)

# What a till owner usually wants to hear about. Each subscription is created anew: run it once.
WEBHOOK_TOPICS = (
    WebhookTopic.BUYGOODS_TRANSACTION_RECEIVED,
    WebhookTopic.BUYGOODS_TRANSACTION_REVERSED,
    WebhookTopic.B2B_TRANSACTION_RECEIVED,
)

STATUS_CHECK_SECONDS = 2.0  # how long a page waits for K2's answer when the app looks a payment up

_EXTENSION = "k2connect_example"


@dataclass(frozen=True)
class Services:
    """What the app's views share: one ``K2`` (thread-safe: one pool, one token), the store, the dedup."""

    settings: Settings
    k2: K2
    store: Store
    dedup: SQLiteDeduplicator

    def close(self) -> None:
        self.k2.close()
        self.dedup.close()


def services(app: Flask) -> Services:
    """The app's services (to close them when the app stops, or to use them in a shell)."""
    found: Services = app.extensions[_EXTENSION]
    return found


def _html(page: str, status: int = 200) -> Response:
    return Response(page, status=status, content_type="text/html; charset=utf-8")


def create_app(settings: Settings | None = None) -> Flask:
    """The app, configured by ``settings`` (by default from the environment, see ``Settings.from_env``)."""
    settings = settings or Settings.from_env()
    store = Store(settings.database)
    dedup = SQLiteDeduplicator(settings.database)  # its own table, in the same file
    # The payment intents, in their own tables of the same SQLite file.
    k2 = K2(settings.client_id, settings.client_secret, base_url=settings.base_url, ledger=settings.database)

    app = Flask(__name__)
    app.extensions[_EXTENSION] = Services(settings, k2, store, dedup)

    @app.get("/")
    def index() -> ResponseReturnValue:
        return _html(pages.form_page())

    def send(order: dict[str, Any]) -> Intent:
        """Send the order's current attempt, as an intent keyed by it: never twice under one key."""
        return k2.intents.stk_push(
            key=intent_key(order["id"], order["attempt"]),
            phone_number=order["phone"],
            amount=order["amount"],
            till_number=settings.till_number,
            callback_url=settings.callback_url,
            metadata={"source": "flask example", "order": order["id"]},
        )

    def send_logged(order: dict[str, Any]) -> None:
        try:
            send(order)
        except K2InputError:
            raise
        except K2Error as exc:  # the intent says what happened; the order page shows it
            logger.warning("STK push of order %s: %s", order["id"], type(exc).__name__)

    @app.post("/pay")
    def pay() -> ResponseReturnValue:
        phone = request.form.get("phone", "").strip()
        amount = request.form.get("amount", "").strip()
        order_id = store.create_order(phone, amount)
        order = store.order(order_id)
        assert order is not None
        try:
            send_logged(order)
        except K2InputError as exc:  # refused before anything was recorded: show it beside the form
            store.delete_order(order_id)
            return _html(pages.form_page(phone, amount, error=str(exc)), 400)
        return redirect(f"/pay/{order_id}", code=303)

    @app.post("/pay/<order_id>")
    def pay_again(order_id: str) -> ResponseReturnValue:
        order = store.order(order_id)
        if order is None:
            return _html(pages.not_found_page(), 404)
        intent = k2.intents.get(intent_key(order_id, order["attempt"]))
        state = IntentState.RECORDED if intent is None else intent.state
        if state in NEW_ATTEMPT:
            store.next_attempt(order_id, order["attempt"])
            order = store.order(order_id)
            assert order is not None
        if state in NEW_ATTEMPT or state in SEND_AGAIN:
            send_logged(order)
        # Anything else (being confirmed, paid, unconfirmed): nothing is sent; the page says why.
        return redirect(f"/pay/{order_id}", code=303)

    def current(order_id: str) -> dict[str, Any] | None:
        """The order and its payment; if its callback is overdue, what K2 says about it."""
        order = store.order(order_id)
        if order is None:
            return None
        key = intent_key(order_id, order["attempt"])
        intent = k2.intents.get(key)
        if (
            intent is not None
            and intent.state in (IntentState.SENT, IntentState.AMBIGUOUS)
            and intent.location is not None
            and store.claim_status_check(order_id, settings.status_check_after)
        ):
            try:
                # A look-up (or a few, for at most STATUS_CHECK_SECONDS): settles it if K2 has the outcome.
                intent = k2.intents.wait(key, timeout=STATUS_CHECK_SECONDS)
            except K2Error as exc:  # still pending, or K2 unreachable: the ledger is still the best answer
                logger.info("status check of order %s: %s", order_id, exc)
            else:
                if intent.is_terminal:
                    store.settled(key, "status check")
            order = store.order(order_id)
            assert order is not None
            intent = k2.intents.get(key)
        return order_view(order, intent)

    @app.get("/pay/<order_id>")
    def payment_page(order_id: str) -> ResponseReturnValue:
        payment = current(order_id)
        if payment is None:
            return _html(pages.not_found_page(), 404)
        return _html(pages.payment_page(payment))

    @app.get("/payments/<order_id>")
    def payment_json(order_id: str) -> ResponseReturnValue:
        payment = current(order_id)
        if payment is None:
            return {"detail": "no such payment"}, 404
        return payment

    def receiver(endpoint: str) -> Callable[[K2Event], None]:
        def store_event(event: K2Event) -> None:
            store.record_event(event, endpoint)

        return store_event

    # Signature (API key) -> parse -> de-duplicate -> settle the tagged intent -> store; 401 / 400 / 200 /
    # 500 as the adapter decides. Only a verified callback settles an order's payment.
    # Both views are named alike, hence the explicit endpoint names. (With Flask-WTF's CSRFProtect, exempt
    # them: K2 sends no CSRF token, and the signature proves the request came from K2.)
    app.add_url_rule(
        CALLBACK_PATH,
        endpoint="k2_callbacks",
        view_func=webhook_view(
            settings.api_key, receiver("callbacks"), deduplicator=dedup, ledger=k2.intents.ledger
        ),
        methods=["POST"],
    )
    app.add_url_rule(
        WEBHOOK_PATH,
        endpoint="k2_webhooks",
        view_func=webhook_view(
            settings.api_key, receiver("webhooks"), deduplicator=dedup, ledger=k2.intents.ledger
        ),
        methods=["POST"],
    )

    @app.get("/events")
    def events() -> ResponseReturnValue:
        limit = min(max(request.args.get("limit", 50, type=int) or 50, 1), 500)
        topic = request.args.get("topic") or None
        return {"events": store.events(limit=limit, topic=topic)}

    @app.cli.command("k2-subscribe")
    @click.argument("event_types", nargs=-1, type=click.Choice([topic.value for topic in WebhookTopic]))
    def k2_subscribe(event_types: tuple[str, ...]) -> None:
        """Subscribe PUBLIC_URL/k2/webhooks to K2 webhooks (by default the buy-goods and B2B ones)."""
        try:
            for location in subscribe_webhooks(k2, settings, event_types or WEBHOOK_TOPICS):
                click.echo(f"subscribed: {location}")
        except K2Error as exc:
            raise click.ClickException(str(exc)) from exc

    return app


def subscribe_webhooks(k2: K2, settings: Settings, event_types: Sequence[str] = WEBHOOK_TOPICS) -> list[str]:
    """Subscribe this app's ``/k2/webhooks`` to ``event_types`` (company-wide); returns their Locations."""
    return [
        k2.subscribe_webhook(WebhookTopic(event_type), settings.webhook_url, scope="company").location
        for event_type in event_types
    ]


@cache
def _app_from_environment() -> Flask:
    return create_app(Settings.from_env())


def __getattr__(name: str) -> Flask:
    """``app``, for ``flask --app examples.flask_app.app run``: built from the environment on first use, so
    that importing ``create_app`` (in tests, say) needs no environment."""
    if name == "app":
        return _app_from_environment()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
