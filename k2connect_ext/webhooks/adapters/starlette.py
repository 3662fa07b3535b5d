"""Starlette and FastAPI: a ready-made webhook endpoint, and a FastAPI dependency that yields the event.

Requires the ``starlette`` (or ``fastapi``) extra. Both read the RAW body (``await request.body()``): the
signature covers the exact bytes K2 sent, which a re-serialised ``await request.json()`` would not match.

Starlette::

    app = Starlette(routes=[Route("/k2/webhooks", webhook_endpoint(API_KEY, handle), methods=["POST"])])

FastAPI, the whole flow (dedup, 200/400/401/413/500/503 answers)::

    app.add_api_route("/k2/webhooks", webhook_endpoint(API_KEY, handle, dedup), methods=["POST"])

With ``ledger=`` (a :class:`~k2connect_ext.Ledger` or :class:`~k2connect_ext.AsyncLedger`), a verified result
tagged with a payment intent (in its metadata, or in the query of the URL K2 posted to: the endpoint passes
the request's full URL) settles that intent before ``handle`` runs, which sees it as ``event.intent``.

FastAPI, verification only, inside your own endpoint::

    @app.post("/k2/webhooks")
    async def k2_webhook(event: K2Event = Depends(verified_event(API_KEY))) -> dict[str, str]: ...

Both stream the body and stop at ``max_body_bytes`` (1 MiB by default) with 413, before reading at all when
``Content-Length`` announces more: an unsigned body is never buffered whole, whatever its size.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from k2connect_ext._exceptions import WebhookPayloadError, WebhookSignatureError
from k2connect_ext._ledger import AsyncLedger, Ledger
from k2connect_ext._sealed import sealed
from k2connect_ext.webhooks._body_limit import (
    DEFAULT_MAX_BODY_BYTES,
    aread_limited,
    checked_limit,
    declared_length,
)
from k2connect_ext.webhooks._dedup import AsyncDeduplicator, Deduplicator
from k2connect_ext.webhooks._events import K2Event, parse_event
from k2connect_ext.webhooks._receivers import (
    AsyncHandler,
    AsyncWebhookReceiver,
    ReceiverResponse,
    _is_async_callable,
    configured_keys,
)
from k2connect_ext.webhooks._signatures import ApiKeys, verify_request_headers

__all__ = ["verified_event", "webhook_endpoint"]


@sealed  # a refused key must not stay in the frames a reporter prints
def webhook_endpoint(
    api_key: ApiKeys,
    handler: AsyncHandler,
    deduplicator: AsyncDeduplicator | Deduplicator | None = None,
    *,
    ledger: Ledger | AsyncLedger | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint that verifies, parses, deduplicates and hands each event to ``handler``.

    The answers are those of :class:`~k2connect_ext.webhooks.AsyncWebhookReceiver`, which settles the
    intent of a tagged result from ``ledger`` (if given) before the handler runs. Route it for POST only.

    Args:
        api_key: the K2 application's API key, or several during a key rotation. An empty one is refused
            at once (``K2ConfigError``), not at the first webhook.
        handler: called with each new :class:`~k2connect_ext.webhooks.K2Event`; return to acknowledge,
            raise to have K2 deliver it again. Async, or a plain function, which then runs in Starlette's
            thread pool so a slow handler never blocks the event loop.
        deduplicator: remembers which events are in flight and which are done (an async or a blocking
            one, such as :class:`~k2connect_ext.webhooks.SQLiteDeduplicator`); without one, every delivery
            reaches the handler.
        ledger: the payment intents' ledger (a :class:`~k2connect_ext.Ledger` or
            :class:`~k2connect_ext.AsyncLedger`): a verified result tagged with one of its intents settles
            that intent before the handler runs, which sees it as ``event.intent``.
        max_body_bytes: bodies larger than this are answered 413 without being read whole (default 1 MiB).

    Returns:
        The endpoint: an async function of a ``Request``, for a Starlette ``Route`` or FastAPI's
            ``add_api_route``.

    Raises:
        K2ConfigError: no usable API key, or a ``max_body_bytes`` that is not a positive int.
        TypeError: a deduplicator or a ledger of neither kind.
    """
    receiver = AsyncWebhookReceiver(
        api_key,
        _off_the_loop(handler),
        deduplicator=deduplicator,
        ledger=ledger,
        max_body_bytes=max_body_bytes,
    )

    # `request: Request` is what Starlette passes and what FastAPI injects when this is an api route.
    async def k2_webhook(request: Request) -> Response:
        body = await receiver.aread_body(request.headers, request.stream())
        answer = (
            body
            if isinstance(body, ReceiverResponse)
            else await receiver.handle(body, request.headers, url=str(request.url))
        )
        return Response(
            answer.body,
            status_code=answer.status,
            headers=dict(answer.headers),
            media_type=answer.content_type,
        )

    return k2_webhook


@sealed  # a refused key must not stay in the frames a reporter prints
def verified_event(
    api_key: ApiKeys, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
) -> Callable[[Request], Awaitable[K2Event]]:
    """A FastAPI dependency: the verified, parsed event, or HTTP 413 / 401 / 400 before your endpoint runs.

    It does not deduplicate (a dependency cannot acknowledge a duplicate without running the endpoint):
    call your deduplicator in the endpoint with ``event.dedup_key``, or use :func:`webhook_endpoint`.

    Args:
        api_key: the K2 application's API key, or several during a key rotation. An empty one is refused
            at once (``K2ConfigError``), not at the first webhook.
        max_body_bytes: bodies larger than this are answered 413 without being read whole (default 1 MiB).

    Returns:
        The dependency: ``event: K2Event = Depends(verified_event(API_KEY))``.

    Raises:
        K2ConfigError: no usable API key, or a ``max_body_bytes`` that is not a positive int.
    """
    keys = configured_keys(api_key)
    limit = checked_limit(max_body_bytes)
    too_large = f"the body is larger than {limit} bytes"

    async def k2_event(request: Request) -> K2Event:
        declared = declared_length(request.headers)
        if declared is not None and declared > limit:
            raise HTTPException(status_code=413, detail=too_large)
        body = await aread_limited(request.stream(), limit)
        if body is None:
            raise HTTPException(status_code=413, detail=too_large)
        try:
            verify_request_headers(body, request.headers, keys)
        except WebhookSignatureError:
            raise HTTPException(status_code=401, detail="invalid signature") from None
        try:
            return parse_event(body)
        except WebhookPayloadError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from None

    return k2_event


def _off_the_loop(handler: AsyncHandler) -> AsyncHandler:
    if _is_async_callable(handler):
        return handler

    async def in_thread(event: K2Event) -> object:
        return await run_in_threadpool(handler, event)

    return in_thread
