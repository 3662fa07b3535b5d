"""Flask: a webhook view function, or a blueprint that mounts one.

Requires the ``flask`` extra. The view reads the RAW body (``request.get_data()``): the signature covers the
exact bytes K2 sent, which a re-serialised ``request.get_json()`` would not match.

::

    view = webhook_view(API_KEY, handle, deduplicator=dedup)
    app.add_url_rule("/k2/webhooks", view_func=view, methods=["POST"])
    # or
    app.register_blueprint(webhook_blueprint(API_KEY, handle, deduplicator=dedup), url_prefix="/k2")

If the app uses Flask-WTF's ``CSRFProtect``, exempt the view or blueprint: K2 sends no CSRF token, and the
signature already proves the request came from K2.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from flask import Blueprint, Response, request

from k2connect_ext.dedup import Deduplicator
from k2connect_ext.receivers import Handler, WebhookReceiver

__all__ = ["webhook_blueprint", "webhook_view"]


def webhook_view(
    api_key: str | Collection[str],
    handler: Handler,
    *,
    deduplicator: Deduplicator | None = None,
) -> Callable[[], Response]:
    """A view that verifies, parses, deduplicates and hands each event to ``handler`` (a sync function).

    The answers are those of :class:`~k2connect_ext.receivers.WebhookReceiver`. Register it for POST only.
    """
    receiver = WebhookReceiver(api_key, handler, deduplicator=deduplicator)

    def k2_webhook() -> Response:
        # parse_form_data=False: never let a form parser consume the stream before the bytes are hashed.
        body = request.get_data(cache=True, as_text=False, parse_form_data=False)
        answer = receiver.handle(body, request.headers)
        return Response(answer.body, status=answer.status, content_type=answer.content_type)

    return k2_webhook


def webhook_blueprint(
    api_key: str | Collection[str],
    handler: Handler,
    *,
    deduplicator: Deduplicator | None = None,
    rule: str = "/webhooks",
    name: str = "k2connect_webhooks",
) -> Blueprint:
    """A blueprint serving :func:`webhook_view` at ``rule`` (POST only), as endpoint ``<name>.webhook``."""
    blueprint = Blueprint(name, __name__)
    view = webhook_view(api_key, handler, deduplicator=deduplicator)
    blueprint.add_url_rule(rule, endpoint="webhook", view_func=view, methods=["POST"])
    return blueprint
