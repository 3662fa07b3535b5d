"""Handlers of the ``/api/v1`` and ``/api/v2`` operations, keyed by operationId.

By the time a handler runs, the dispatcher has checked the bearer token and validated the JSON body
against the operation's request schema, including the spec's cross-field rules (``if``/``then``: a till
scope needs its till number, a settlement destination type needs its reference, the Daraja payload is
for two event types only), so a schema-valid body never breaks a rule the spec does not state. What a
schema cannot know is whether a referenced resource exists: a reference to a merchant account or a
webhook event this sandbox does not have is a 404 naming the field (the referenced resource was not
found), while a reference to something of the wrong kind is a 400. Handlers then store the resource and
answer 201 with an absolute ``Location``. Reads answer the stored body, after bringing a pending resource
up to date.

How handlers are registered: ``API_HANDLERS`` maps operationIds to handlers. The reads are not written
per operation: there is one per resource GET of the generated operation registry
(``registry.LOCATIONS``), reading the table of its collection (``tables.READERS``). The creates and the
payment link cancel below are hand-written, because they have behaviour (ledger effects, outcomes chosen
by test values, references checked). A create of the registry with no handler here is served by
``generic`` from the spec's examples; the dispatcher refuses to start only on an operation that neither
can serve.
"""

from __future__ import annotations

from datetime import datetime

from starlette.responses import Response

from k2connect_sandbox import resources
from k2connect_sandbox.clock import iso_ms
from k2connect_sandbox.context import Handler, RequestContext
from k2connect_sandbox.errors import ApiError, json_response
from k2connect_sandbox.tables import (
    INCOMING_PAYMENTS,
    MERCHANT_BANK_ACCOUNTS,
    MERCHANT_WALLETS,
    PAYMENT_LINKS,
    PAYMENTS,
    POLLING,
    READERS,
    RECIPIENTS,
    REVERSALS,
    SEND_MONEY,
    SETTLEMENT_TRANSFERS,
    SMS_NOTIFICATIONS,
    WEBHOOK_SUBSCRIPTIONS,
)
from k2connect_sandbox.wire import JsonDict, new_id

__all__ = ["API_HANDLERS", "created", "record_of"]

API_HANDLERS: dict[str, Handler] = {}


def created(location: str) -> Response:
    # 201 with no body at all, as K2 answers: the client reads the Location and GETs it.
    return Response(status_code=201, headers={"Location": location})


def record_of(
    ctx: RequestContext, resource_id: str, self_url: str, body: JsonDict, now: datetime
) -> JsonDict:
    return {
        "id": resource_id,
        "body": body,
        "request": ctx.body,
        "base": ctx.base_url,
        "self": self_url,
        "created": iso_ms(now),
        "final": True,
    }


# ---------------------------------------------------------------- reads


def _reader(table: str, noun: str) -> Handler:
    async def read(ctx: RequestContext) -> Response:
        resource_id = ctx.params["id"]
        ctx.sandbox.lifecycle.refresh(table, resource_id)
        record = ctx.sandbox.store.get(table, resource_id)
        if record is None:
            raise ApiError(404, f"No {noun} with id {resource_id[:80]!r} was found")
        return json_response(record["body"])

    return read


def _noun(collection: str) -> str:
    """``merchant_bank_accounts`` -> ``merchant bank account``: what a 404 says was not found."""
    return collection.replace("_", " ").removesuffix("s")


# One reader per resource GET of the operation registry, reading the table of its collection: a GET the
# spec gains (and `make generate` puts in the registry) is served with no edit here.
for _name, (_table, _collection) in READERS.items():
    API_HANDLERS[_name] = _reader(_table, _noun(_collection))


# ---------------------------------------------------------------- plain creates


async def create_webhook_subscription(ctx: RequestContext) -> Response:
    # The till-scope and Daraja rules are the request schema's if/then: the dispatcher enforced them.
    request = ctx.body
    v2 = ctx.version == "v2"
    resource_id = new_id()
    self_url = ctx.location("webhook_subscriptions", resource_id)
    body = resources.webhook_subscription(resource_id, self_url, request, v2)
    ctx.sandbox.store.put(
        WEBHOOK_SUBSCRIPTIONS,
        resource_id,
        record_of(ctx, resource_id, self_url, body, ctx.sandbox.clock.now()),
    )
    return created(self_url)


def _recipient_creator(wrapper: str, kind: str) -> Handler:
    async def create(ctx: RequestContext) -> Response:
        resource_id = new_id()
        # v2 answers with the current collection name even when called by its pre-2026 name.
        collection = "pay_recipients" if ctx.version == "v1" else "external_recipients"
        self_url = ctx.location(collection, resource_id)
        # The schema guarantees a wrapper; v2 external_recipients also takes the older pay_recipient one,
        # which SDKs sent there between the path rename (Feb 2026) and the wrapper rename (Apr 2026).
        found = wrapper if wrapper in ctx.body else "pay_recipient"
        body = resources.recipient(resource_id, self_url, ctx.body, found, kind)
        ctx.sandbox.store.put(
            RECIPIENTS, resource_id, record_of(ctx, resource_id, self_url, body, ctx.sandbox.clock.now())
        )
        return created(self_url)

    return create


def _merchant_account_creator(table: str, kind: str) -> Handler:
    async def create(ctx: RequestContext) -> Response:
        resource_id = new_id()
        self_url = ctx.location(table, resource_id)
        body = resources.merchant_account(resource_id, self_url, ctx.body, kind)
        ctx.sandbox.store.put(
            table, resource_id, record_of(ctx, resource_id, self_url, body, ctx.sandbox.clock.now())
        )
        return created(self_url)

    return create


async def create_payment_link(ctx: RequestContext) -> Response:
    now = ctx.sandbox.clock.now()
    resource_id = new_id()
    self_url = ctx.location("payment_links", resource_id)
    body = resources.payment_link(resource_id, self_url, ctx.body, now, ctx.base_url)
    ctx.sandbox.store.put(PAYMENT_LINKS, resource_id, record_of(ctx, resource_id, self_url, body, now))
    return created(self_url)


async def cancel_payment_link(ctx: RequestContext) -> Response:
    # The body is ignored on purpose: SDKs send nothing, {} or null, all meaning "cancel".
    resource_id = ctx.params["id"]
    sandbox = ctx.sandbox
    with sandbox.store.transaction():
        sandbox.lifecycle.refresh(PAYMENT_LINKS, resource_id)
        record = sandbox.store.get(PAYMENT_LINKS, resource_id)
        if record is None:
            raise ApiError(404, f"No payment link with id {resource_id[:80]!r} was found")
        status = str(record["body"]["data"]["attributes"]["payment_link"].get("payment_link_status"))
        if status.lower() != "active":  # the request is fine, the link's state is not: 409, not 400
            raise ApiError(409, f"The payment link is {status.lower()} and can no longer be cancelled")
        record["body"] = resources.payment_link_with_status(record["body"], "Cancelled")
        sandbox.store.put(PAYMENT_LINKS, resource_id, record)
    return json_response({"message": "Payment link cancelled."})


for _version in ("v1", "v2"):
    API_HANDLERS[f"{_version}_create_webhook_subscription"] = create_webhook_subscription
    API_HANDLERS[f"{_version}_create_merchant_wallet"] = _merchant_account_creator(
        MERCHANT_WALLETS, "merchant_wallet"
    )
    API_HANDLERS[f"{_version}_create_merchant_bank_account"] = _merchant_account_creator(
        MERCHANT_BANK_ACCOUNTS, "merchant_bank_account"
    )
API_HANDLERS["v1_create_pay_recipient"] = _recipient_creator("pay_recipient", "pay_recipient")
API_HANDLERS["v2_create_external_recipient"] = _recipient_creator("external_recipient", "external_recipient")
API_HANDLERS["v2_create_pay_recipient"] = _recipient_creator("pay_recipient", "external_recipient")
API_HANDLERS["v2_create_payment_link"] = create_payment_link
API_HANDLERS["v2_cancel_payment_link"] = cancel_payment_link


# ---------------------------------------------------------------- creates that resolve later


async def _pending(ctx: RequestContext, table: str, collection: str) -> Response:
    now = ctx.sandbox.clock.now()
    resource_id = new_id()
    self_url = ctx.location(collection, resource_id)
    request = ctx.body
    builders = {
        INCOMING_PAYMENTS: lambda: resources.incoming_payment(resource_id, self_url, request, now),
        PAYMENTS: lambda: resources.payment(resource_id, self_url, request, now),
        SETTLEMENT_TRANSFERS: lambda: resources.settlement_transfer(resource_id, self_url, request, now),
        POLLING: lambda: resources.polling(resource_id, self_url, request),
        SMS_NOTIFICATIONS: lambda: resources.sms_notification(resource_id, self_url, request),
        SEND_MONEY: lambda: resources.send_money(resource_id, self_url, request, now),
        REVERSALS: lambda: resources.reversal(resource_id, self_url, request, now),
    }
    body = builders[table]()
    ctx.sandbox.lifecycle.create_pending(table, record_of(ctx, resource_id, self_url, body, now))
    return created(self_url)


async def create_incoming_payment(ctx: RequestContext) -> Response:
    return await _pending(ctx, INCOMING_PAYMENTS, "incoming_payments")


async def create_payment(ctx: RequestContext) -> Response:
    return await _pending(ctx, PAYMENTS, "payments")


async def create_settlement_transfer(ctx: RequestContext) -> Response:
    # The schema's if/then makes destination_type and destination_reference go together; whether the
    # account exists is for the sandbox to say.
    request = ctx.body
    kind, reference = request.get("destination_type"), request.get("destination_reference")
    if kind is not None and ctx.sandbox.accounts.find(str(kind), str(reference)) is None:
        raise ApiError(
            404, f"destination_reference {str(reference)[:80]!r} is not a {kind} of this merchant (not found)"
        )
    return await _pending(ctx, SETTLEMENT_TRANSFERS, "settlement_transfers")


async def create_polling(ctx: RequestContext) -> Response:
    # A till scope without its till number was already refused by the request schema's if/then.
    return await _pending(ctx, POLLING, "polling")


async def create_sms_notification(ctx: RequestContext) -> Response:
    reference = str(ctx.body["webhook_event_reference"])
    event = ctx.sandbox.webhooks.event(reference)
    if event is None:
        raise ApiError(
            404,
            f"webhook_event_reference {reference[:80]!r} is not the id of a webhook event sent by this "
            "sandbox (not found)",
        )
    if event.get("topic") != "buygoods_transaction_received":
        raise ApiError(
            400,
            f"webhook_event_reference {reference[:80]!r} is the id of a {event.get('topic')} event, not of "
            "a buygoods_transaction_received webhook event",
        )
    return await _pending(ctx, SMS_NOTIFICATIONS, "transaction_sms_notifications")


async def create_send_money(ctx: RequestContext) -> Response:
    for index, destination in enumerate(ctx.body.get("destinations") or []):
        kind = destination.get("type")
        if kind in ("merchant_wallet", "merchant_bank_account"):
            reference = str(destination["reference"])
            if ctx.sandbox.accounts.find(kind, reference) is None:
                raise ApiError(
                    404,
                    f"destinations[{index}].reference {reference[:80]!r} is not a {kind} of this merchant "
                    "(not found)",
                )
    return await _pending(ctx, SEND_MONEY, "send_money")


async def create_reversal(ctx: RequestContext) -> Response:
    return await _pending(ctx, REVERSALS, "reversals")


for _version in ("v1", "v2"):
    API_HANDLERS[f"{_version}_create_incoming_payment"] = create_incoming_payment
    API_HANDLERS[f"{_version}_create_polling"] = create_polling
API_HANDLERS["v1_create_payment"] = create_payment
API_HANDLERS["v1_create_settlement_transfer"] = create_settlement_transfer
API_HANDLERS["v1_create_transaction_sms_notification"] = create_sms_notification
API_HANDLERS["v2_create_send_money"] = create_send_money
API_HANDLERS["v2_create_reversal"] = create_reversal
