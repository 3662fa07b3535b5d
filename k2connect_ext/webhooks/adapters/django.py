"""Django: a CSRF-exempt webhook view function.

Requires the ``django`` extra. The view reads the RAW body (``request.body``): the signature covers the
exact bytes K2 sent. CSRF protection is switched off for this view only: K2 sends no CSRF token, and the
signature already proves the request came from K2.

::

    urlpatterns = [path("k2/webhooks", webhook_view(settings.K2_API_KEY, handle, deduplicator=dedup))]

An ``async def`` handler gets an async view (run it under ASGI); a plain function gets a sync view.

With ``ledger=``, a verified result tagged with a payment intent (in its metadata, or in the query of the URL
K2 posted to) settles that intent before ``handle`` runs, which sees it as ``event.intent``. A sync view
needs a blocking :class:`~k2connect_ext.Ledger`; an async one takes that or an
:class:`~k2connect_ext.AsyncLedger`. The view passes ``request.get_full_path()`` (path and query) as the URL:
the query is what carries the tag, while building the absolute URL would call ``get_host()``, which raises
for a host outside ``ALLOWED_HOSTS`` after K2's signature was already verified.

The body is read in chunks (``request.read``) and refused with 413 past ``max_body_bytes`` (1 MiB by default),
before reading at all when ``Content-Length`` announces more. Under WSGI Django never reads past
``Content-Length``; under ASGI Django itself has already received the body into a temporary file (kept in
memory up to ``FILE_UPLOAD_MAX_MEMORY_SIZE``, on disk above it) before any view runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator

# Django ships no type information (django-stubs is not a dependency), so its names are Any to mypy.
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from k2connect_ext._ledger import AsyncLedger, Ledger
from k2connect_ext._sealed import sealed
from k2connect_ext.webhooks._body_limit import DEFAULT_MAX_BODY_BYTES
from k2connect_ext.webhooks._dedup import AsyncDeduplicator, Deduplicator
from k2connect_ext.webhooks._receivers import (
    AsyncHandler,
    AsyncWebhookReceiver,
    ReceiverResponse,
    WebhookReceiver,
    _is_async_callable,
)
from k2connect_ext.webhooks._signatures import ApiKeys

__all__ = ["webhook_view"]

_CHUNK = 64 * 1024

SyncView = Callable[[HttpRequest], HttpResponse]
AsyncView = Callable[[HttpRequest], Awaitable[HttpResponse]]


@sealed  # a refused key must not stay in the frames a reporter prints
def webhook_view(
    api_key: ApiKeys,
    handler: AsyncHandler,
    *,
    deduplicator: AsyncDeduplicator | Deduplicator | None = None,
    ledger: Ledger | AsyncLedger | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> SyncView | AsyncView:
    """A view that verifies, parses, deduplicates and hands each event to ``handler``; POST only.

    The answers are those of :class:`~k2connect_ext.webhooks.WebhookReceiver`, plus 405 for other methods;
    a tagged result settles its intent in ``ledger`` (if given) before the handler runs. The view is exempt
    from CSRF checks (K2 signs its requests instead): ``path("k2/webhooks", webhook_view(API_KEY, handle))``.
    An async handler needs Django 5.0 or later, whose ``csrf_exempt`` keeps async views async.

    Args:
        api_key: the K2 application's API key, or several during a key rotation. An empty one is refused
            at once (``K2ConfigError``), not at the first webhook.
        handler: called with each new :class:`~k2connect_ext.webhooks.K2Event`; return to acknowledge,
            raise to have K2 deliver it again. An async handler makes an async view.
        deduplicator: remembers which events are in flight and which are done; a sync handler needs a
            blocking one (an async handler takes either). Without one, every delivery reaches the handler.
        ledger: the payment intents' ledger: a verified result tagged with one of its intents settles that
            intent before the handler runs. A sync handler needs a blocking
            :class:`~k2connect_ext.Ledger` (an async handler takes an ``AsyncLedger`` too).
        max_body_bytes: bodies larger than this are answered 413 without being read whole (default 1 MiB).

    Returns:
        The view: async for an async handler, else sync.

    Raises:
        K2ConfigError: no usable API key, or a ``max_body_bytes`` that is not a positive int.
        TypeError: a deduplicator or a ledger that does not fit the handler.
    """
    if _is_async_callable(handler):
        receiver = AsyncWebhookReceiver(
            api_key, handler, deduplicator=deduplicator, ledger=ledger, max_body_bytes=max_body_bytes
        )

        async def k2_webhook_async(request: HttpRequest) -> HttpResponse:
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            # Reads from Django's already-received body file: local, no network wait on the loop.
            body = receiver.read_body(request.META, _chunks(request))
            if isinstance(body, ReceiverResponse):
                return _to_django(body)
            return _to_django(await receiver.handle(body, request.headers, url=request.get_full_path()))

        async_view: AsyncView = csrf_exempt(k2_webhook_async)
        return async_view

    if deduplicator is not None and not isinstance(deduplicator, Deduplicator):
        raise TypeError(
            "a sync handler needs a blocking deduplicator (claim/complete/release/contains), "
            "not an async-only one"
        )
    if ledger is not None and not isinstance(ledger, Ledger):
        raise TypeError(
            f"a sync handler needs a blocking Ledger (such as SQLiteLedger), got {type(ledger).__name__}"
        )
    sync_receiver = WebhookReceiver(
        api_key, handler, deduplicator=deduplicator, ledger=ledger, max_body_bytes=max_body_bytes
    )

    def k2_webhook(request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        body = sync_receiver.read_body(request.META, _chunks(request))
        if isinstance(body, ReceiverResponse):
            return _to_django(body)
        return _to_django(sync_receiver.handle(body, request.headers, url=request.get_full_path()))

    sync_view: SyncView = csrf_exempt(k2_webhook)
    return sync_view


def _chunks(request: HttpRequest) -> Iterator[bytes]:
    # request.read() rather than request.body: .body reads everything at once (after only a
    # Content-Length check against DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB). read() also serves a body
    # that middleware already read, from Django's in-memory copy.
    return iter(lambda: bytes(request.read(_CHUNK)), b"")


def _to_django(answer: ReceiverResponse) -> HttpResponse:
    response: HttpResponse = HttpResponse(answer.body, status=answer.status, content_type=answer.content_type)
    for name, value in answer.headers:
        response[name] = value
    return response
