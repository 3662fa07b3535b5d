"""Flask: a webhook view function, or a blueprint that mounts one.

Requires the ``flask`` extra. The view reads the RAW body (``request.get_data()``): the signature covers the
exact bytes K2 sent, which a re-serialised ``request.get_json()`` would not match.

::

    view = webhook_view(API_KEY, handle, deduplicator=dedup)
    app.add_url_rule("/k2/webhooks", view_func=view, methods=["POST"])
    # or
    app.register_blueprint(webhook_blueprint(API_KEY, handle, deduplicator=dedup), url_prefix="/k2")

The body is read in chunks and refused with 413 past ``max_body_bytes`` (1 MiB by default), before reading
at all when ``Content-Length`` announces more; Flask's own ``MAX_CONTENT_LENGTH``, if lower, also applies.

With ``ledger=`` (a blocking :class:`~k2connect_ext.Ledger`), a verified result tagged with a payment intent
(in its metadata, or in the query of the URL K2 posted to: the view passes ``request.url``) settles that
intent before ``handler`` runs, which sees it as ``event.intent``.

If the app uses Flask-WTF's ``CSRFProtect``, exempt the view or blueprint: K2 sends no CSRF token, and the
signature already proves the request came from K2.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from k2connect_ext._ledger import Ledger
from k2connect_ext._sealed import sealed
from k2connect_ext.webhooks._body_limit import DEFAULT_MAX_BODY_BYTES
from k2connect_ext.webhooks._dedup import Deduplicator
from k2connect_ext.webhooks._receivers import Handler, ReceiverResponse, WebhookReceiver
from k2connect_ext.webhooks._signatures import ApiKeys

_CHUNK = 64 * 1024

__all__ = ["webhook_blueprint", "webhook_view"]


@sealed  # a refused key must not stay in the frames a reporter prints
def webhook_view(
    api_key: ApiKeys,
    handler: Handler,
    *,
    deduplicator: Deduplicator | None = None,
    ledger: Ledger | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> Callable[[], Response]:
    """A view that verifies, parses, deduplicates and hands each event to ``handler`` (a sync function).

    The answers are those of :class:`~k2connect_ext.webhooks.WebhookReceiver`, which settles the intent of
    a tagged result from ``ledger`` (if given) before the handler runs. Register it for POST only:
    ``app.add_url_rule("/k2/webhooks", view_func=webhook_view(API_KEY, handle), methods=["POST"])``.

    Args:
        api_key: the K2 application's API key, or several during a key rotation. An empty one is refused
            at once (``K2ConfigError``), not at the first webhook.
        handler: called with each new :class:`~k2connect_ext.webhooks.K2Event`; return to acknowledge,
            raise to have K2 deliver it again. A plain function (Flask views are synchronous).
        deduplicator: remembers which events are in flight and which are done (a shared one, such as
            :class:`~k2connect_ext.webhooks.SQLiteDeduplicator`, when several workers receive); without
            one, every delivery reaches the handler, which must then be idempotent itself.
        ledger: the payment intents' :class:`~k2connect_ext.Ledger`: a verified result tagged with one of
            its intents settles that intent before the handler runs, which sees it as ``event.intent``.
        max_body_bytes: bodies larger than this are answered 413 without being read whole (default 1 MiB).

    Returns:
        The view function.

    Raises:
        K2ConfigError: no usable API key, or a ``max_body_bytes`` that is not a positive int.
        TypeError: an async handler, a deduplicator or a ledger that is not a blocking one.
    """
    receiver = WebhookReceiver(
        api_key, handler, deduplicator=deduplicator, ledger=ledger, max_body_bytes=max_body_bytes
    )

    def k2_webhook() -> Response:
        body = _read(receiver)
        answer = (
            body
            if isinstance(body, ReceiverResponse)
            else receiver.handle(body, request.headers, url=request.url)
        )
        return Response(
            answer.body, status=answer.status, headers=list(answer.headers), content_type=answer.content_type
        )

    return k2_webhook


def _read(receiver: WebhookReceiver) -> bytes | ReceiverResponse:
    # Raw stream reads, never a form parser, so the bytes hashed are the bytes sent. If a hook already
    # read the body with get_data(), werkzeug cached it and the stream is spent: use that copy.
    cached = getattr(request, "_cached_data", None)
    if isinstance(cached, bytes):
        return receiver.read_body({}, (cached,))
    try:
        stream = request.stream
        return receiver.read_body(request.headers, iter(lambda: stream.read(_CHUNK), b""))
    except RequestEntityTooLarge:  # the app's MAX_CONTENT_LENGTH is lower than ours
        return receiver._refused_too_large()


@sealed  # a refused key must not stay in the frames a reporter prints
def webhook_blueprint(
    api_key: ApiKeys,
    handler: Handler,
    *,
    deduplicator: Deduplicator | None = None,
    ledger: Ledger | None = None,
    rule: str = "/webhooks",
    name: str = "k2connect_webhooks",
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> Blueprint:
    """A blueprint serving :func:`webhook_view` at ``rule`` (POST only), as endpoint ``<name>.webhook``.

    ``app.register_blueprint(webhook_blueprint(API_KEY, handle), url_prefix="/k2")`` serves
    ``/k2/webhooks``.

    Args:
        api_key: the K2 application's API key, or several during a key rotation. An empty one is refused
            at once (``K2ConfigError``), not at the first webhook.
        handler: called with each new :class:`~k2connect_ext.webhooks.K2Event`; return to acknowledge,
            raise to have K2 deliver it again. A plain function.
        deduplicator: remembers which events are in flight and which are done (a shared one, such as
            :class:`~k2connect_ext.webhooks.SQLiteDeduplicator`, when several workers receive); without
            one, every delivery reaches the handler, which must then be idempotent itself.
        ledger: the payment intents' :class:`~k2connect_ext.Ledger`: a verified result tagged with one of
            its intents settles that intent before the handler runs, which sees it as ``event.intent``.
        rule: the URL rule within the blueprint.
        name: the blueprint's name.
        max_body_bytes: bodies larger than this are answered 413 without being read whole (default 1 MiB).

    Returns:
        The blueprint, to register on the app.

    Raises:
        K2ConfigError: no usable API key, or a ``max_body_bytes`` that is not a positive int.
        TypeError: an async handler, a deduplicator or a ledger that is not a blocking one.
    """
    blueprint = Blueprint(name, __name__)
    view = webhook_view(
        api_key, handler, deduplicator=deduplicator, ledger=ledger, max_body_bytes=max_body_bytes
    )
    blueprint.add_url_rule(rule, endpoint="webhook", view_func=view, methods=["POST"])
    return blueprint
