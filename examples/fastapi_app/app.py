"""FastAPI example: take M-PESA payments by STK push, and receive K2's callbacks and webhooks.

=======================  ===================================================================================
``GET /``                the payment form (phone, amount)
``POST /pay``            takes an order and sends its STK push as a payment intent keyed
                         ``order-<id>/attempt-1`` (``k2.intents.stk_push``), then redirects to its page
``GET /pay/{id}``        the order's page, which polls ``/payments/{id}`` until its payment is final
``POST /pay/{id}``       pays again, only when the last attempt certainly took no money: ``failed`` or
                         ``refused`` (a new attempt, a new key) or ``recorded`` (sent under the same key)
``GET /payments/{id}``   the order's payment as JSON, from the intent's ledger (settled by the callback);
                         still pending after ``status_check_after`` seconds, it is looked up at K2
``POST /k2/callbacks``   STK push results: signature checked, de-duplicated, the intent settled, stored
``POST /k2/webhooks``    webhook subscriptions (buy-goods payments, reversals...): the same
``GET /events``          every event received, newest first (``?topic=``, ``?limit=``)
=======================  ===================================================================================

Run it (see examples/README.md)::

    uvicorn examples.fastapi_app.app:app --port 8000

On several machines, set ``TOKEN_STORE_URL`` and ``DEDUP_URL`` (see examples/many_machines/README.md).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from functools import cache
from typing import Annotated, Any, Protocol
from urllib.parse import urlsplit

from fastapi import FastAPI, Form, HTTPException, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from k2connect_ext import AsyncK2, Intent, IntentState, K2Error, K2InputError, TokenStore
from k2connect_ext.webhooks import Deduplicator, K2Event, SQLiteDeduplicator, WebhookTopic
from k2connect_ext.webhooks.adapters.starlette import webhook_endpoint

from . import pages
from .settings import CALLBACK_PATH, POSTGRES_SCHEMES, WEBHOOK_PATH, Settings
from .store import NEW_ATTEMPT, SEND_AGAIN, Store, intent_key, order_view

__all__ = ["WEBHOOK_TOPICS", "Settings", "create_app", "subscribe_webhooks"]

logger = logging.getLogger(__name__)

# What a till owner usually wants to hear about. Each subscription is created anew: run it once.
WEBHOOK_TOPICS = (
    WebhookTopic.BUYGOODS_TRANSACTION_RECEIVED,
    WebhookTopic.BUYGOODS_TRANSACTION_REVERSED,
    WebhookTopic.B2B_TRANSACTION_RECEIVED,
)


STATUS_CHECK_SECONDS = 2.0  # how long a page waits for K2's answer when the app looks a payment up


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app, configured by ``settings`` (by default from the environment, see ``Settings.from_env``)."""
    settings = settings or Settings.from_env()
    store = Store(settings.database)
    dedup = make_deduplicator(settings)
    k2 = AsyncK2(
        settings.client_id,
        settings.client_secret,
        base_url=settings.base_url,
        token_store=make_token_store(settings),
        ledger=settings.ledger,  # the payment intents: LEDGER_URL, else their own tables in the SQLite file
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await k2.aclose()
            dedup.close()

    app = FastAPI(title="K2 Connect STK push example", lifespan=lifespan)
    app.state.settings = settings
    app.state.k2 = k2

    @app.get("/", response_class=HTMLResponse)
    async def index() -> HTMLResponse:
        return HTMLResponse(pages.form_page())

    async def send(order: dict[str, Any]) -> Intent:
        """Send the order's current attempt, as an intent keyed by it: never twice under one key."""
        return await k2.intents.stk_push(
            key=intent_key(order["id"], order["attempt"]),
            phone_number=order["phone"],
            amount=order["amount"],
            till_number=settings.till_number,
            callback_url=settings.callback_url,
            metadata={"source": "fastapi example", "order": order["id"]},
        )

    async def send_logged(order: dict[str, Any]) -> None:
        try:
            await send(order)
        except K2InputError:
            raise
        except K2Error as exc:  # the intent says what happened; the order page shows it
            logger.warning("STK push of order %s: %s", order["id"], type(exc).__name__)

    @app.post("/pay", response_class=HTMLResponse)
    async def pay(phone: Annotated[str, Form()] = "", amount: Annotated[str, Form()] = "") -> Response:
        phone, amount = phone.strip(), amount.strip()
        order_id = await asyncio.to_thread(store.create_order, phone, amount)
        order = await asyncio.to_thread(store.order, order_id)
        assert order is not None
        try:
            await send_logged(order)
        except K2InputError as exc:  # refused before anything was recorded: show it beside the form
            await asyncio.to_thread(store.delete_order, order_id)
            return HTMLResponse(pages.form_page(phone, amount, error=str(exc)), status_code=400)
        return RedirectResponse(f"/pay/{order_id}", status_code=303)

    @app.post("/pay/{order_id}")
    async def pay_again(order_id: str) -> Response:
        order = await asyncio.to_thread(store.order, order_id)
        if order is None:
            return HTMLResponse(pages.not_found_page(), status_code=404)
        intent = await k2.intents.get(intent_key(order_id, order["attempt"]))
        state = IntentState.RECORDED if intent is None else intent.state
        if state in NEW_ATTEMPT:
            await asyncio.to_thread(store.next_attempt, order_id, order["attempt"])
            order = await asyncio.to_thread(store.order, order_id)
            assert order is not None
        if state in NEW_ATTEMPT or state in SEND_AGAIN:
            await send_logged(order)
        # Anything else (being confirmed, paid, unconfirmed): nothing is sent; the page says why.
        return RedirectResponse(f"/pay/{order_id}", status_code=303)

    async def current(order_id: str) -> dict[str, Any] | None:
        """The order and its payment; if its callback is overdue, what K2 says about it."""
        order = await asyncio.to_thread(store.order, order_id)
        if order is None:
            return None
        key = intent_key(order_id, order["attempt"])
        intent = await k2.intents.get(key)
        if (
            intent is not None
            and intent.state in (IntentState.SENT, IntentState.AMBIGUOUS)
            and intent.location is not None
            and await asyncio.to_thread(store.claim_status_check, order_id, settings.status_check_after)
        ):
            try:
                # A look-up (or a few, for at most STATUS_CHECK_SECONDS): settles it if K2 has the outcome.
                intent = await k2.intents.wait(key, timeout=STATUS_CHECK_SECONDS)
            except K2Error as exc:  # still pending, or K2 unreachable: the ledger is still the best answer
                logger.info("status check of order %s: %s", order_id, exc)
            else:
                if intent.is_terminal:
                    await asyncio.to_thread(store.settled, key, "status check")
            order = await asyncio.to_thread(store.order, order_id)
            assert order is not None
            intent = await k2.intents.get(key)
        return order_view(order, intent)

    @app.get("/pay/{order_id}", response_class=HTMLResponse)
    async def payment_page(order_id: str) -> HTMLResponse:
        payment = await current(order_id)
        if payment is None:
            return HTMLResponse(pages.not_found_page(), status_code=404)
        return HTMLResponse(pages.payment_page(payment))

    @app.get("/payments/{order_id}")
    async def payment_json(order_id: str) -> dict[str, Any]:
        payment = await current(order_id)
        if payment is None:
            raise HTTPException(status_code=404, detail="no such payment")
        return payment

    def receiver(endpoint: str) -> Callable[[K2Event], None]:
        # A plain function: the adapter runs it in a worker thread, so SQLite never blocks the event loop.
        def store_event(event: K2Event) -> None:
            store.record_event(event, endpoint)

        return store_event

    # Signature (API key) -> parse -> de-duplicate -> settle the tagged intent -> store; 401 / 400 / 200 /
    # 500 as the adapter decides. Only a verified callback settles an order's payment.
    ledger = k2.intents.ledger
    app.add_api_route(
        CALLBACK_PATH,
        webhook_endpoint(settings.api_key, receiver("callbacks"), dedup, ledger=ledger),
        methods=["POST"],
    )
    app.add_api_route(
        WEBHOOK_PATH,
        webhook_endpoint(settings.api_key, receiver("webhooks"), dedup, ledger=ledger),
        methods=["POST"],
    )

    @app.get("/events")
    async def events(
        limit: Annotated[int, Query(ge=1, le=500)] = 50, topic: str | None = None
    ) -> dict[str, list[dict[str, Any]]]:
        return {"events": await asyncio.to_thread(store.events, limit=limit, topic=topic)}

    return app


class ClosingDeduplicator(Deduplicator, Protocol):
    """A deduplicator the app closes when it stops (all the SDK's own do)."""

    def close(self) -> None: ...


def make_deduplicator(settings: Settings) -> ClosingDeduplicator:
    """Where claimed event ids live: Redis or PostgreSQL when ``DEDUP_URL`` says so (every worker on
    every machine shares them), else a table in this app's SQLite file (the workers of one machine)."""
    url = settings.dedup_url
    if not url:
        return SQLiteDeduplicator(settings.database)  # its own table, in the same file
    if urlsplit(url).scheme in POSTGRES_SCHEMES:
        from k2connect_ext.webhooks import PostgresDeduplicator  # the [postgres] extra

        return PostgresDeduplicator(url, retention_seconds=settings.event_retention)
    from k2connect_ext.webhooks import RedisDeduplicator  # the [redis] extra

    return RedisDeduplicator.from_url(url, retention_seconds=settings.event_retention)


def make_token_store(settings: Settings) -> TokenStore | None:
    """One K2 token for every worker on every machine when ``TOKEN_STORE_URL`` is set; else each worker
    process fetches and keeps its own."""
    if not settings.token_store_url:
        return None
    from k2connect_ext import RedisTokenStore  # the [redis] extra

    return RedisTokenStore.from_url(settings.token_store_url)


async def subscribe_webhooks(
    k2: AsyncK2, settings: Settings, event_types: Sequence[str] = WEBHOOK_TOPICS
) -> list[str]:
    """Subscribe this app's ``/k2/webhooks`` to ``event_types`` (company-wide); returns their Locations."""
    locations = []
    for event_type in event_types:
        subscription = await k2.subscribe_webhook(
            WebhookTopic(event_type), settings.webhook_url, scope="company"
        )
        locations.append(subscription.location)
    return locations


@cache
def _app_from_environment() -> FastAPI:
    return create_app(Settings.from_env())


def __getattr__(name: str) -> FastAPI:
    """``app``, for ``uvicorn examples.fastapi_app.app:app``: built from the environment on first use, so
    that importing ``create_app`` (in tests, say) needs no environment."""
    if name == "app":
        return _app_from_environment()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
