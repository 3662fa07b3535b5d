"""FastAPI example: take M-PESA payments by STK push, and receive K2's callbacks and webhooks.

=======================  ===================================================================================
``GET /``                the payment form (phone, amount)
``POST /pay``            starts an STK push (``AsyncK2.stk_push``), then redirects to the payment's page
``GET /pay/{id}``        the payment's page, which polls ``/payments/{id}`` until it is final
``GET /payments/{id}``   the payment as JSON, from this app's SQLite table (updated by the callback); still
                         pending after ``status_check_after`` seconds, it is looked up at K2 (``get``)
``POST /k2/callbacks``   STK push results: signature checked, de-duplicated, stored
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

from k2connect_ext import (
    AsyncK2,
    K2AmbiguousOutcomeError,
    K2Error,
    K2InputError,
    K2ValidationError,
    TokenStore,
)
from k2connect_ext.webhooks import Deduplicator, K2Event, SQLiteDeduplicator, WebhookTopic
from k2connect_ext.webhooks.adapters.starlette import webhook_endpoint

from . import pages
from .settings import CALLBACK_PATH, POSTGRES_SCHEMES, WEBHOOK_PATH, Settings
from .store import Store

__all__ = ["WEBHOOK_TOPICS", "Settings", "create_app", "subscribe_webhooks"]

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

    @app.post("/pay", response_class=HTMLResponse)
    async def pay(phone: Annotated[str, Form()] = "", amount: Annotated[str, Form()] = "") -> Response:
        phone, amount = phone.strip(), amount.strip()
        try:
            payment = await k2.stk_push(
                phone_number=phone,
                amount=amount,
                till_number=settings.till_number,
                callback_url=settings.callback_url,
                metadata={"source": "fastapi example"},
            )
        except K2InputError as exc:  # refused before anything was sent: show it beside the form
            return HTMLResponse(pages.form_page(phone, amount, error=str(exc)), status_code=400)
        except K2ValidationError as exc:  # K2 refused the request
            message = exc.error_message or "Kopo Kopo refused the payment request."
            return HTMLResponse(pages.form_page(phone, amount, error=message), status_code=400)
        except K2AmbiguousOutcomeError:  # sent, but no answer: never retry blindly, it may have gone through
            logger.warning("STK push to %s: outcome unknown", settings.till_number)
            return HTMLResponse(pages.form_page(phone, amount, error=AMBIGUOUS), status_code=502)
        except K2Error:
            logger.exception("STK push failed")
            return HTMLResponse(pages.form_page(phone, amount, error=UNAVAILABLE), status_code=502)
        await asyncio.to_thread(store.payment_started, payment.id, payment.location, phone, amount)
        return RedirectResponse(f"/pay/{payment.id}", status_code=303)

    async def current(payment_id: str) -> dict[str, Any] | None:
        """The stored payment; if its callback is overdue, what K2 says about it."""
        location = await asyncio.to_thread(store.claim_status_check, payment_id, settings.status_check_after)
        if location is not None:
            try:
                resource = await k2.get(location)
                await asyncio.to_thread(store.payment_checked, payment_id, resource.to_dict())
            except K2Error as exc:  # the stored state is still the best answer
                logger.warning("status check of payment %s failed: %s", payment_id, exc)
        return await asyncio.to_thread(store.payment, payment_id)

    @app.get("/pay/{payment_id}", response_class=HTMLResponse)
    async def payment_page(payment_id: str) -> HTMLResponse:
        payment = await current(payment_id)
        if payment is None:
            return HTMLResponse(pages.not_found_page(), status_code=404)
        return HTMLResponse(pages.payment_page(payment))

    @app.get("/payments/{payment_id}")
    async def payment_json(payment_id: str) -> dict[str, Any]:
        payment = await current(payment_id)
        if payment is None:
            raise HTTPException(status_code=404, detail="no such payment")
        return payment

    def receiver(endpoint: str) -> Callable[[K2Event], None]:
        # A plain function: the adapter runs it in a worker thread, so SQLite never blocks the event loop.
        def store_event(event: K2Event) -> None:
            store.record_event(event, endpoint)

        return store_event

    # Signature (API key) -> parse -> de-duplicate -> store; 401 / 400 / 200 / 500 as the adapter decides.
    app.add_api_route(
        CALLBACK_PATH, webhook_endpoint(settings.api_key, receiver("callbacks"), dedup), methods=["POST"]
    )
    app.add_api_route(
        WEBHOOK_PATH, webhook_endpoint(settings.api_key, receiver("webhooks"), dedup), methods=["POST"]
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
