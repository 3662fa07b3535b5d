"""From a create's ``Location`` header to the generated GET operation that reads it.

K2 answers every create with ``201`` and an absolute ``Location`` such as
``https://sandbox.kopokopo.com/api/v1/incoming_payments/<id>``. The id and API version are read from its path
and the resource is fetched through the configured base URL, never by following the absolute URL: the bearer
token must only ever be sent to the host the user configured.
"""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any, Final, TypeAlias, cast, get_args
from urllib.parse import unquote, urlsplit

import attrs
from k2connect_client import AuthenticatedClient
from k2connect_client.api.v1 import (
    v1_get_incoming_payment,
    v1_get_merchant_bank_account,
    v1_get_merchant_wallet,
    v1_get_pay_recipient,
    v1_get_payment,
    v1_get_polling,
    v1_get_settlement_transfer,
    v1_get_transaction_sms_notification,
    v1_get_webhook_subscription,
)
from k2connect_client.api.v2 import (
    v2_get_external_recipient,
    v2_get_incoming_payment,
    v2_get_merchant_bank_account,
    v2_get_merchant_wallet,
    v2_get_payment_link,
    v2_get_polling,
    v2_get_reversal,
    v2_get_send_money,
    v2_get_webhook_subscription,
)
from k2connect_client.models import (
    IncomingPaymentResult,
    MerchantAccount,
    PaymentLinkResult,
    PaymentResult,
    PollingResult,
    Recipient,
    ReversalResult,
    SendMoneyResult,
    SettlementTransferResult,
    TransactionSmsNotificationResult,
    WebhookSubscription,
)
from k2connect_client.types import Response

from k2connect_ext._exceptions import K2InputError, K2UnexpectedResponseError
from k2connect_ext._invoke import ainvoke, invoke
from k2connect_ext._validation import validate_resource_id

__all__ = ["LocationRef", "Resource", "aread", "location_from_headers", "parse_location", "read"]

Resource: TypeAlias = (
    IncomingPaymentResult
    | PaymentResult
    | Recipient
    | MerchantAccount
    | SettlementTransferResult
    | PollingResult
    | TransactionSmsNotificationResult
    | WebhookSubscription
    | SendMoneyResult
    | ReversalResult
    | PaymentLinkResult
)
"""Whatever a K2 ``Location`` reads: the generated model of the resource a create made."""

_RESOURCE_TYPES: Final = get_args(Resource)

_PATH = re.compile(r"/api/(v[12])/([a-z_]+)/([^/]+?)/?$")

# (version, collection) -> (outcome kind, the generated GET operation that reads it)
_GETTERS: Final[dict[tuple[str, str], tuple[str, ModuleType]]] = {
    ("v1", "webhook_subscriptions"): ("webhook_subscription", v1_get_webhook_subscription),
    ("v1", "incoming_payments"): ("incoming_payment", v1_get_incoming_payment),
    ("v1", "pay_recipients"): ("recipient", v1_get_pay_recipient),
    ("v1", "payments"): ("payment", v1_get_payment),
    ("v1", "merchant_wallets"): ("merchant_account", v1_get_merchant_wallet),
    ("v1", "merchant_bank_accounts"): ("merchant_account", v1_get_merchant_bank_account),
    ("v1", "settlement_transfers"): ("settlement_transfer", v1_get_settlement_transfer),
    ("v1", "polling"): ("polling", v1_get_polling),
    ("v1", "transaction_sms_notifications"): (
        "transaction_sms_notification",
        v1_get_transaction_sms_notification,
    ),
    ("v2", "webhook_subscriptions"): ("webhook_subscription", v2_get_webhook_subscription),
    ("v2", "incoming_payments"): ("incoming_payment", v2_get_incoming_payment),
    ("v2", "external_recipients"): ("recipient", v2_get_external_recipient),
    # The pre-2026 name of external_recipients; K2 serves the same resources under the new path.
    ("v2", "pay_recipients"): ("recipient", v2_get_external_recipient),
    ("v2", "send_money"): ("send_money", v2_get_send_money),
    ("v2", "merchant_wallets"): ("merchant_account", v2_get_merchant_wallet),
    ("v2", "merchant_bank_accounts"): ("merchant_account", v2_get_merchant_bank_account),
    ("v2", "polling"): ("polling", v2_get_polling),
    ("v2", "reversals"): ("reversal", v2_get_reversal),
    ("v2", "payment_links"): ("payment_link", v2_get_payment_link),
}


@attrs.frozen
class LocationRef:
    """A parsed Location: which resource, of which kind, read by which generated operation."""

    location: str
    version: str
    collection: str
    id: str
    kind: str
    getter: ModuleType = attrs.field(repr=False)
    """The generated operation module (``sync_detailed`` / ``asyncio_detailed``) that reads it."""

    @property
    def operation(self) -> str:
        """The generated operation's name, e.g. ``v2_get_incoming_payment``."""
        return self.getter.__name__.rsplit(".", 1)[1]


def read(client: AuthenticatedClient, ref: LocationRef) -> Resource:
    """GET the resource once through a generated client; K2 errors only."""
    return _resource(invoke(ref.operation, ref.getter.sync_detailed, ref.id, client=client), ref)


async def aread(client: AuthenticatedClient, ref: LocationRef) -> Resource:
    """The asyncio twin of :func:`read`."""
    return _resource(await ainvoke(ref.operation, ref.getter.asyncio_detailed, ref.id, client=client), ref)


def _resource(response: Response[Any], ref: LocationRef) -> Resource:
    # Error statuses were raised before parsing; what is left is a success whose body is not the resource.
    parsed = response.parsed
    if not isinstance(parsed, _RESOURCE_TYPES):
        raise K2UnexpectedResponseError(
            f"K2 answered the read of {ref.location} with a body that is not a {ref.kind}",
            status_code=int(response.status_code),
        )
    return cast(Resource, parsed)


def parse_location(location: str) -> LocationRef:
    """Parse an absolute or relative K2 Location.

    Raises:
        K2InputError: (also a ``ValueError``) it names no resource this SDK can read.
    """
    if not isinstance(location, str) or not location.strip():
        raise K2InputError("location must be a K2 resource Location (a URL)", field="location")
    try:
        path = urlsplit(location.strip()).path
    except ValueError:  # e.g. an invalid IPv6 host
        path = ""
    match = _PATH.search(path)
    if match is None:
        raise K2InputError(f"not a K2 resource location: {location[:200]!r}", field="location")
    version, collection, raw_id = match.groups()
    entry = _GETTERS.get((version, collection))
    if entry is None:
        raise K2InputError(f"no K2 resource is read at /api/{version}/{collection}/", field="location")
    kind, getter = entry
    resource_id = validate_resource_id(unquote(raw_id), "location")
    return LocationRef(location.strip(), version, collection, resource_id, kind, getter)


def location_from_headers(headers: object, *, operation: str, status_code: int = 201) -> str:
    """The Location of a 201, or ``K2UnexpectedResponseError``: without it the outcome cannot be followed."""
    value = headers.get("location") if hasattr(headers, "get") else None
    if not isinstance(value, str) or not value.strip():
        raise K2UnexpectedResponseError(
            f"K2 answered {operation} with 201 but no Location header; the resource was probably created. "
            "Reconcile through its callback before retrying.",
            status_code=status_code,
        )
    return value.strip()
