"""Flask example: take M-PESA payments by STK push, and receive K2's callbacks and webhooks.

=======================  ===================================================================================
``GET /``                the payment form (phone, amount)
``POST /pay``            starts an STK push (``K2.stk_push``), then redirects to the payment's page
``GET /pay/<id>``        the payment's page, which polls ``/payments/<id>`` until it is final
``GET /payments/<id>``   the payment as JSON, from this app's SQLite table (updated by the callback); still
                         pending after ``status_check_after`` seconds, it is looked up at K2 (``get``)
``POST /k2/callbacks``   STK push results: signature checked, de-duplicated, stored
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

from k2connect_ext import K2, K2AmbiguousOutcomeError, K2Error, K2InputError, K2ValidationError
from k2connect_ext.webhooks import K2Event, SQLiteDeduplicator, WebhookTopic
from k2connect_ext.webhooks.adapters.flask import webhook_view

from . import pages
from .settings import CALLBACK_PATH, WEBHOOK_PATH, Settings
from .store import Store

__all__ = ["WEBHOOK_TOPICS", "Services", "Settings", "create_app", "services", "subscribe_webhooks"]

logger = logging.getLogger(__name__)

# What a till owner usually wants to hear about. Each subscription is created anew: run it once.
WEBHOOK_TOPICS = (
    WebhookTopic.BUYGOODS_TRANSACTION_RECEIVED,
    WebhookTopic.BUYGOODS_TRANSACTION_REVERSED,
    WebhookTopic.B2B_TRANSACTION_RECEIVED,
)

AMBIGUOUS = (
    "We could not confirm that the payment request reached Kopo Kopo. If a prompt appears on your phone, "
    "answer it; otherwise wait a minute before trying again."
)
UNAVAILABLE = "Payments are unavailable right now. Please try again in a moment."

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
    k2 = K2(settings.client_id, settings.client_secret, base_url=settings.base_url)

    app = Flask(__name__)
    app.extensions[_EXTENSION] = Services(settings, k2, store, dedup)

    @app.get("/")
    def index() -> ResponseReturnValue:
        return _html(pages.form_page())

    @app.post("/pay")
    def pay() -> ResponseReturnValue:
        phone = request.form.get("phone", "").strip()
        amount = request.form.get("amount", "").strip()
        try:
            payment = k2.stk_push(
                phone_number=phone,
                amount=amount,
                till_number=settings.till_number,
                callback_url=settings.callback_url,
                metadata={"source": "flask example"},
            )
        except K2InputError as exc:  # refused before anything was sent: show it beside the form
            return _html(pages.form_page(phone, amount, error=str(exc)), 400)
        except K2ValidationError as exc:  # K2 refused the request
            message = exc.error_message or "Kopo Kopo refused the payment request."
            return _html(pages.form_page(phone, amount, error=message), 400)
        except K2AmbiguousOutcomeError:  # sent, but no answer: never retry blindly, it may have gone through
            logger.warning("STK push to %s: outcome unknown", settings.till_number)
            return _html(pages.form_page(phone, amount, error=AMBIGUOUS), 502)
        except K2Error:
            logger.exception("STK push failed")
            return _html(pages.form_page(phone, amount, error=UNAVAILABLE), 502)
        store.payment_started(payment.id, payment.location, phone, amount)
        return redirect(f"/pay/{payment.id}", code=303)

    def current(payment_id: str) -> dict[str, Any] | None:
        """The stored payment; if its callback is overdue, what K2 says about it."""
        location = store.claim_status_check(payment_id, settings.status_check_after)
        if location is not None:
            try:
                store.payment_checked(payment_id, k2.get(location).to_dict())
            except K2Error as exc:  # the stored state is still the best answer
                logger.warning("status check of payment %s failed: %s", payment_id, exc)
        return store.payment(payment_id)

    @app.get("/pay/<payment_id>")
    def payment_page(payment_id: str) -> ResponseReturnValue:
        payment = current(payment_id)
        if payment is None:
            return _html(pages.not_found_page(), 404)
        return _html(pages.payment_page(payment))

    @app.get("/payments/<payment_id>")
    def payment_json(payment_id: str) -> ResponseReturnValue:
        payment = current(payment_id)
        if payment is None:
            return {"detail": "no such payment"}, 404
        return payment

    def receiver(endpoint: str) -> Callable[[K2Event], None]:
        def store_event(event: K2Event) -> None:
            store.record_event(event, endpoint)

        return store_event

    # Signature (API key) -> parse -> de-duplicate -> store; 401 / 400 / 200 / 500 as the adapter decides.
    # Both views are named alike, hence the explicit endpoint names. (With Flask-WTF's CSRFProtect, exempt
    # them: K2 sends no CSRF token, and the signature proves the request came from K2.)
    app.add_url_rule(
        CALLBACK_PATH,
        endpoint="k2_callbacks",
        view_func=webhook_view(settings.api_key, receiver("callbacks"), deduplicator=dedup),
        methods=["POST"],
    )
    app.add_url_rule(
        WEBHOOK_PATH,
        endpoint="k2_webhooks",
        view_func=webhook_view(settings.api_key, receiver("webhooks"), deduplicator=dedup),
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
