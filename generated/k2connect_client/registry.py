"""What each K2 operation and resource is: generated from openapi/k2connect.yaml by
scripts/generate_registry.py. Do not edit: change the spec and run ``make generate``.

``OPERATIONS`` (by operationId) and one constant per operation, typed with the model its success
gives (a create: the model its Location reads); ``RESOURCES`` (by kind) with the Location
collections and the GET that reads each; ``LOCATIONS`` ((version, collection) -> that GET);
``CALLBACK_MODELS`` (a callback's ``data.type`` -> its model); the webhook topics, all and per
version.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType
from enum import StrEnum
from typing import Any, Final, Generic, Literal, TypeAlias, TypeVar

import attrs

from .api.oauth import (
    get_token_info,
    introspect_access_token,
    request_access_token,
    revoke_access_token,
)
from .api.v1 import (
    v1_create_incoming_payment,
    v1_create_merchant_bank_account,
    v1_create_merchant_wallet,
    v1_create_pay_recipient,
    v1_create_payment,
    v1_create_polling,
    v1_create_settlement_transfer,
    v1_create_transaction_sms_notification,
    v1_create_webhook_subscription,
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
from .api.v2 import (
    v2_cancel_payment_link,
    v2_create_external_recipient,
    v2_create_incoming_payment,
    v2_create_merchant_bank_account,
    v2_create_merchant_wallet,
    v2_create_pay_recipient,
    v2_create_payment_link,
    v2_create_polling,
    v2_create_reversal,
    v2_create_send_money,
    v2_create_webhook_subscription,
    v2_get_external_recipient,
    v2_get_incoming_payment,
    v2_get_merchant_bank_account,
    v2_get_merchant_wallet,
    v2_get_pay_recipient,
    v2_get_payment_link,
    v2_get_polling,
    v2_get_reversal,
    v2_get_send_money,
    v2_get_webhook_subscription,
)
from .models import (
    B2BTransactionReceivedWebhook,
    B2BTransactionReversedWebhook,
    BuygoodsTransactionReceivedWebhook,
    BuygoodsTransactionReversedWebhook,
    CardTransactionReceivedWebhook,
    CardTransactionReversedWebhook,
    CardTransactionVoidedWebhook,
    CustomerCreatedWebhook,
    IncomingPaymentResult,
    IntrospectResponse,
    M2MTransactionReceivedWebhook,
    MerchantAccount,
    PaymentLinkCancelResponse,
    PaymentLinkResult,
    PaymentResult,
    PollingResult,
    Recipient,
    ReversalResult,
    RevokeResponse,
    SendMoneyResult,
    SettlementTransferCompletedWebhook,
    SettlementTransferResult,
    TokenInfoResponse,
    TokenResponse,
    TransactionSmsNotificationResult,
    WebhookSubscription,
)
from .models.webhook_v1_event_type import WEBHOOK_V1_EVENT_TYPE_VALUES, WebhookV1EventType
from .models.webhook_v2_event_type import WEBHOOK_V2_EVENT_TYPE_VALUES, WebhookV2EventType
from .types import Response

__all__ = [
    "CALLBACK_MODELS",
    "DARAJA_TOPICS",
    "LOCATIONS",
    "OPERATIONS",
    "RESOURCES",
    "RESULT_FIELDS",
    "WEBHOOK_MODELS",
    "WEBHOOK_TOPICS",
    "CallbackModel",
    "WebhookModel",
    "WEBHOOK_TOPICS_BY_VERSION",
    "WEBHOOK_V1_EVENT_TYPE_VALUES",
    "WEBHOOK_V2_EVENT_TYPE_VALUES",
    "CallbackType",
    "Operation",
    "OperationName",
    "Resource",
    "ResourceFacts",
    "ResourceKind",
    "ResultType",
    "WebhookTopic",
    "WebhookTopicName",
    "WebhookV1EventType",
    "WebhookV2EventType",
    "operation_for",
]

T = TypeVar("T")

OperationName = Literal[
    "request_access_token",
    "revoke_access_token",
    "introspect_access_token",
    "get_token_info",
    "v1_create_webhook_subscription",
    "v1_get_webhook_subscription",
    "v1_create_incoming_payment",
    "v1_get_incoming_payment",
    "v1_create_pay_recipient",
    "v1_get_pay_recipient",
    "v1_create_payment",
    "v1_get_payment",
    "v1_create_merchant_wallet",
    "v1_get_merchant_wallet",
    "v1_create_merchant_bank_account",
    "v1_get_merchant_bank_account",
    "v1_create_settlement_transfer",
    "v1_get_settlement_transfer",
    "v1_create_polling",
    "v1_get_polling",
    "v1_create_transaction_sms_notification",
    "v1_get_transaction_sms_notification",
    "v2_create_webhook_subscription",
    "v2_get_webhook_subscription",
    "v2_create_incoming_payment",
    "v2_get_incoming_payment",
    "v2_create_external_recipient",
    "v2_get_external_recipient",
    "v2_create_pay_recipient",
    "v2_get_pay_recipient",
    "v2_create_send_money",
    "v2_get_send_money",
    "v2_create_merchant_wallet",
    "v2_get_merchant_wallet",
    "v2_create_merchant_bank_account",
    "v2_get_merchant_bank_account",
    "v2_create_polling",
    "v2_get_polling",
    "v2_create_reversal",
    "v2_get_reversal",
    "v2_create_payment_link",
    "v2_get_payment_link",
    "v2_cancel_payment_link",
]
"""Every operationId of the spec."""

ResourceKind = Literal[
    "incoming_payment",
    "merchant_account",
    "payment",
    "payment_link",
    "polling",
    "recipient",
    "reversal",
    "send_money",
    "settlement_transfer",
    "transaction_sms_notification",
    "webhook_subscription",
]
"""What a Location can lead to (its GET model's name in snake case, less ``Result``)."""

CallbackType = Literal[
    "incoming_payment",
    "payment",
    "payment_link",
    "polling",
    "reversal",
    "send_money",
    "settlement_transfer",
    "transaction_sms_notification",
]
"""The ``data.type`` of every callback result."""

WebhookTopicName = Literal[
    "buygoods_transaction_received",
    "buygoods_transaction_reversed",
    "b2b_transaction_received",
    "b2b_transaction_reversed",
    "m2m_transaction_received",
    "settlement_transfer_completed",
    "customer_created",
    "card_transaction_received",
    "card_transaction_voided",
    "card_transaction_reversed",
]
"""The ``topic`` of every webhook the spec describes."""


class WebhookTopic(StrEnum):
    """The ``topic`` of every K2-format webhook the spec describes."""

    BUYGOODS_TRANSACTION_RECEIVED = "buygoods_transaction_received"
    BUYGOODS_TRANSACTION_REVERSED = "buygoods_transaction_reversed"
    B2B_TRANSACTION_RECEIVED = "b2b_transaction_received"
    B2B_TRANSACTION_REVERSED = "b2b_transaction_reversed"
    M2M_TRANSACTION_RECEIVED = "m2m_transaction_received"
    SETTLEMENT_TRANSFER_COMPLETED = "settlement_transfer_completed"
    CUSTOMER_CREATED = "customer_created"
    CARD_TRANSACTION_RECEIVED = "card_transaction_received"
    CARD_TRANSACTION_VOIDED = "card_transaction_voided"
    CARD_TRANSACTION_REVERSED = "card_transaction_reversed"


class ResultType(StrEnum):
    """The ``data.type`` of every callback result: an event's ``topic`` for results."""

    INCOMING_PAYMENT = "incoming_payment"
    PAYMENT = "payment"
    PAYMENT_LINK = "payment_link"
    POLLING = "polling"
    REVERSAL = "reversal"
    SEND_MONEY = "send_money"
    SETTLEMENT_TRANSFER = "settlement_transfer"
    TRANSACTION_SMS_NOTIFICATION = "transaction_sms_notification"


Resource: TypeAlias = (
    IncomingPaymentResult
    | MerchantAccount
    | PaymentResult
    | PaymentLinkResult
    | PollingResult
    | Recipient
    | ReversalResult
    | SendMoneyResult
    | SettlementTransferResult
    | TransactionSmsNotificationResult
    | WebhookSubscription
)
"""Whatever a K2 Location reads: the model of a resource some create makes."""


@attrs.frozen
class Operation(Generic[T]):
    """One operation of the spec. ``T`` is the model its success gives: for a create, the model
    its Location reads (``Created[T]``); for a GET, the model it returns."""

    name: OperationName
    sync: Callable[..., Response[Any]] = attrs.field(repr=False)
    asyncio: Callable[..., Awaitable[Response[Any]]] = attrs.field(repr=False)
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
    path: str
    version: Literal["v1", "v2"] | None
    success_status: int
    """The one 2xx the spec documents: anything else is an answer it does not describe."""
    repeatable: bool
    """A GET, or an OAuth call: sending it twice changes nothing at K2."""
    moves_money: bool
    """A create that pays money out or asks a customer for money."""
    found_by_polling: bool
    """What it makes also shows up in ``poll_transactions``."""
    model: type[T] | None = attrs.field(repr=False)
    kind: ResourceKind | None
    """The resource a create makes (its Location) or a GET reads."""
    callback: CallbackType | None
    """The callback result that reports this create's outcome."""
    creates: bool
    """Answers 201 with the Location of what it made."""


@attrs.frozen
class ResourceFacts(Generic[T]):
    """One kind of resource: its model, where its Locations point, how its outcome is told."""

    kind: ResourceKind
    model: type[T] = attrs.field(repr=False)
    getters: tuple[tuple[Literal["v1", "v2"], str, Operation[T]], ...] = attrs.field(repr=False)
    """(version, Location collection, the GET that reads it)."""
    callback: CallbackType | None
    echoes_metadata: bool
    """K2 sends the request's ``metadata`` back in this resource (GET and callback)."""


REQUEST_ACCESS_TOKEN: Final[Operation[TokenResponse]] = Operation(
    name="request_access_token",
    sync=request_access_token.sync_detailed,
    asyncio=request_access_token.asyncio_detailed,
    method="POST",
    path="/oauth/token",
    version=None,
    success_status=200,
    repeatable=True,
    moves_money=False,
    found_by_polling=False,
    model=TokenResponse,
    kind=None,
    callback=None,
    creates=False,
)
REVOKE_ACCESS_TOKEN: Final[Operation[RevokeResponse]] = Operation(
    name="revoke_access_token",
    sync=revoke_access_token.sync_detailed,
    asyncio=revoke_access_token.asyncio_detailed,
    method="POST",
    path="/oauth/revoke",
    version=None,
    success_status=200,
    repeatable=True,
    moves_money=False,
    found_by_polling=False,
    model=RevokeResponse,
    kind=None,
    callback=None,
    creates=False,
)
INTROSPECT_ACCESS_TOKEN: Final[Operation[IntrospectResponse]] = Operation(
    name="introspect_access_token",
    sync=introspect_access_token.sync_detailed,
    asyncio=introspect_access_token.asyncio_detailed,
    method="POST",
    path="/oauth/introspect",
    version=None,
    success_status=200,
    repeatable=True,
    moves_money=False,
    found_by_polling=False,
    model=IntrospectResponse,
    kind=None,
    callback=None,
    creates=False,
)
GET_TOKEN_INFO: Final[Operation[TokenInfoResponse]] = Operation(
    name="get_token_info",
    sync=get_token_info.sync_detailed,
    asyncio=get_token_info.asyncio_detailed,
    method="GET",
    path="/oauth/token/info",
    version=None,
    success_status=200,
    repeatable=True,
    moves_money=False,
    found_by_polling=False,
    model=TokenInfoResponse,
    kind=None,
    callback=None,
    creates=False,
)
V1_CREATE_WEBHOOK_SUBSCRIPTION: Final[Operation[WebhookSubscription]] = Operation(
    name="v1_create_webhook_subscription",
    sync=v1_create_webhook_subscription.sync_detailed,
    asyncio=v1_create_webhook_subscription.asyncio_detailed,
    method="POST",
    path="/api/v1/webhook_subscriptions",
    version="v1",
    success_status=201,
    repeatable=False,
    moves_money=False,
    found_by_polling=False,
    model=WebhookSubscription,
    kind="webhook_subscription",
    callback=None,
    creates=True,
)
V1_GET_WEBHOOK_SUBSCRIPTION: Final[Operation[WebhookSubscription]] = Operation(
    name="v1_get_webhook_subscription",
    sync=v1_get_webhook_subscription.sync_detailed,
    asyncio=v1_get_webhook_subscription.asyncio_detailed,
    method="GET",
    path="/api/v1/webhook_subscriptions/{id}",
    version="v1",
    success_status=200,
    repeatable=True,
    moves_money=False,
    found_by_polling=False,
    model=WebhookSubscription,
    kind="webhook_subscription",
    callback=None,
    creates=False,
)
V1_CREATE_INCOMING_PAYMENT: Final[Operation[IncomingPaymentResult]] = Operation(
    name="v1_create_incoming_payment",
    sync=v1_create_incoming_payment.sync_detailed,
    asyncio=v1_create_incoming_payment.asyncio_detailed,
    method="POST",
    path="/api/v1/incoming_payments",
    version="v1",
    success_status=201,
    repeatable=False,
    moves_money=True,
    found_by_polling=True,
    model=IncomingPaymentResult,
    kind="incoming_payment",
    callback="incoming_payment",
    creates=True,
)
V1_GET_INCOMING_PAYMENT: Final[Operation[IncomingPaymentResult]] = Operation(
    name="v1_get_incoming_payment",
    sync=v1_get_incoming_payment.sync_detailed,
    asyncio=v1_get_incoming_payment.asyncio_detailed,
    method="GET",
    path="/api/v1/incoming_payments/{id}",
    version="v1",
    success_status=200,
    repeatable=True,
    moves_money=False,
    found_by_polling=False,
    model=IncomingPaymentResult,
    kind="incoming_payment",
    callback=None,
    creates=False,
)
V1_CREATE_PAY_RECIPIENT: Final[Operation[Recipient]] = Operation(
    name="v1_create_pay_recipient",
    sync=v1_create_pay_recipient.sync_detailed,
    asyncio=v1_create_pay_recipient.asyncio_detailed,
    method="POST",
    path="/api/v1/pay_recipients",
    version="v1",
    success_status=201,
    repeatable=False,
    moves_money=False,
    found_by_polling=False,
    model=Recipient,
    kind="recipient",
    callback=None,
    creates=True,
)
V1_GET_PAY_RECIPIENT: Final[Operation[Recipient]] = Operation(
    name="v1_get_pay_recipient",
    sync=v1_get_pay_recipient.sync_detailed,
    asyncio=v1_get_pay_recipient.asyncio_detailed,
    method="GET",
    path="/api/v1/pay_recipients/{id}",
    version="v1",
    success_status=200,
    repeatable=True,
    moves_money=False,
    found_by_polling=False,
    model=Recipient,
    kind="recipient",
    callback=None,
    creates=False,
)
V1_CREATE_PAYMENT: Final[Operation[PaymentResult]] = Operation(
    name="v1_create_payment",
    sync=v1_create_payment.sync_detailed,
    asyncio=v1_create_payment.asyncio_detailed,
    method="POST",
    path="/api/v1/payments",
    version="v1",
    success_status=201,
    repeatable=False,
    moves_money=True,
    found_by_polling=False,
    model=PaymentResult,
    kind="payment",
    callback="payment",
    creates=True,
)
V1_GET_PAYMENT: Final[Operation[PaymentResult]] = Operation(
    name="v1_get_payment",
    sync=v1_get_payment.sync_detailed,
    asyncio=v1_get_payment.asyncio_detailed,
    method="GET",
    path="/api/v1/payments/{id}",
    version="v1",
    success_status=200,
    repeatable=True,
    moves_money=False,
    found_by_polling=False,
    model=PaymentResult,
    kind="payment",
    callback=None,
    creates=False,
)
V1_CREATE_MERCHANT_WALLET: Final[Operation[MerchantAccount]] = Operation(
    name="v1_create_merchant_wallet",
    sync=v1_create_merchant_wallet.sync_detailed,
    asyncio=v1_create_merchant_wallet.asyncio_detailed,
    method="POST",
    path="/api/v1/merchant_wallets",
    version="v1",
    success_status=201,
    repeatable=False,
    moves_money=False,
    found_by_polling=False,
    model=MerchantAccount,
    kind="merchant_account",
    callback=None,
    creates=True,
)
V1_GET_MERCHANT_WALLET: Final[Operation[MerchantAccount]] = Operation(
    name="v1_get_merchant_wallet",
    sync=v1_get_merchant_wallet.sync_detailed,
    asyncio=v1_get_merchant_wallet.asyncio_detailed,
    method="GET",
    path="/api/v1/merchant_wallets/{id}",
    version="v1",
    success_status=200,
    repeatable=True,
    moves_money=False,
    found_by_polling=False,
    model=MerchantAccount,
    kind="merchant_account",
    callback=None,
    creates=False,
)
V1_CREATE_MERCHANT_BANK_ACCOUNT: Final[Operation[MerchantAccount]] = Operation(
    name="v1_create_merchant_bank_account",
    sync=v1_create_merchant_bank_account.sync_detailed,
    asyncio=v1_create_merchant_bank_account.asyncio_detailed,
    method="POST",
    path="/api/v1/merchant_bank_accounts",
    version="v1",
    success_status=201,
    repeatable=False,
    moves_money=False,
    found_by_polling=False,
    model=MerchantAccount,
    kind="merchant_account",
    callback=None,
    creates=True,
)
V1_GET_MERCHANT_BANK_ACCOUNT: Final[Operation[MerchantAccount]] = Operation(
    name="v1_get_merchant_bank_account",
    sync=v1_get_merchant_bank_account.sync_detailed,
    asyncio=v1_get_merchant_bank_account.asyncio_detailed,
    method="GET",
    path="/api/v1/merchant_bank_accounts/{id}",
    version="v1",
    success_status=200,
    repeatable=True,
    moves_money=False,
    found_by_polling=False,
    model=MerchantAccount,
    kind="merchant_account",
    callback=None,
    creates=False,
)
V1_CREATE_SETTLEMENT_TRANSFER: Final[Operation[SettlementTransferResult]] = Operation(
    name="v1_create_settlement_transfer",
    sync=v1_create_settlement_transfer.sync_detailed,
    asyncio=v1_create_settlement_transfer.asyncio_detailed,
    method="POST",
    path="/api/v1/settlement_transfers",
    version="v1",
    success_status=201,
    repeatable=False,
    moves_money=True,
    found_by_polling=False,
    model=SettlementTransferResult,
    kind="settlement_transfer",
    callback="settlement_transfer",
    creates=True,
)
V1_GET_SETTLEMENT_TRANSFER: Final[Operation[SettlementTransferResult]] = Operation(
    name="v1_get_settlement_transfer",
    sync=v1_get_settlement_transfer.sync_detailed,
    asyncio=v1_get_settlement_transfer.asyncio_detailed,
    method="GET",
    path="/api/v1/settlement_transfers/{id}",
    version="v1",
    success_status=200,
    repeatable=True,
    moves_money=False,
    found_by_polling=False,
    model=SettlementTransferResult,
    kind="settlement_transfer",
    callback=None,
    creates=False,
)
V1_CREATE_POLLING: Final[Operation[PollingResult]] = Operation(
    name="v1_create_polling",
    sync=v1_create_polling.sync_detailed,
    asyncio=v1_create_polling.asyncio_detailed,
    method="POST",
    path="/api/v1/polling",
    version="v1",
    success_status=201,
    repeatable=False,
    moves_money=False,
    found_by_polling=False,
    model=PollingResult,
    kind="polling",
    callback="polling",
    creates=True,
)
V1_GET_POLLING: Final[Operation[PollingResult]] = Operation(
    name="v1_get_polling",
    sync=v1_get_polling.sync_detailed,
    asyncio=v1_get_polling.asyncio_detailed,
    method="GET",
    path="/api/v1/polling/{id}",
    version="v1",
    success_status=200,
    repeatable=True,
    moves_money=False,
    found_by_polling=False,
    model=PollingResult,
    kind="polling",
    callback=None,
    creates=False,
)
V1_CREATE_TRANSACTION_SMS_NOTIFICATION: Final[Operation[TransactionSmsNotificationResult]] = Operation(
    name="v1_create_transaction_sms_notification",
    sync=v1_create_transaction_sms_notification.sync_detailed,
    asyncio=v1_create_transaction_sms_notification.asyncio_detailed,
    method="POST",
    path="/api/v1/transaction_sms_notifications",
    version="v1",
    success_status=201,
    repeatable=False,
    moves_money=False,
    found_by_polling=False,
    model=TransactionSmsNotificationResult,
    kind="transaction_sms_notification",
    callback="transaction_sms_notification",
    creates=True,
)
V1_GET_TRANSACTION_SMS_NOTIFICATION: Final[Operation[TransactionSmsNotificationResult]] = Operation(
    name="v1_get_transaction_sms_notification",
    sync=v1_get_transaction_sms_notification.sync_detailed,
    asyncio=v1_get_transaction_sms_notification.asyncio_detailed,
    method="GET",
    path="/api/v1/transaction_sms_notifications/{id}",
    version="v1",
    success_status=200,
    repeatable=True,
    moves_money=False,
    found_by_polling=False,
    model=TransactionSmsNotificationResult,
    kind="transaction_sms_notification",
    callback=None,
    creates=False,
)
V2_CREATE_WEBHOOK_SUBSCRIPTION: Final[Operation[WebhookSubscription]] = Operation(
    name="v2_create_webhook_subscription",
    sync=v2_create_webhook_subscription.sync_detailed,
    asyncio=v2_create_webhook_subscription.asyncio_detailed,
    method="POST",
    path="/api/v2/webhook_subscriptions",
    version="v2",
    success_status=201,
    repeatable=False,
    moves_money=False,
    found_by_polling=False,
    model=WebhookSubscription,
    kind="webhook_subscription",
    callback=None,
    creates=True,
)
V2_GET_WEBHOOK_SUBSCRIPTION: Final[Operation[WebhookSubscription]] = Operation(
    name="v2_get_webhook_subscription",
    sync=v2_get_webhook_subscription.sync_detailed,
    asyncio=v2_get_webhook_subscription.asyncio_detailed,
    method="GET",
    path="/api/v2/webhook_subscriptions/{id}",
    version="v2",
    success_status=200,
    repeatable=True,
    moves_money=False,
    found_by_polling=False,
    model=WebhookSubscription,
    kind="webhook_subscription",
    callback=None,
    creates=False,
)
V2_CREATE_INCOMING_PAYMENT: Final[Operation[IncomingPaymentResult]] = Operation(
    name="v2_create_incoming_payment",
    sync=v2_create_incoming_payment.sync_detailed,
    asyncio=v2_create_incoming_payment.asyncio_detailed,
    method="POST",
    path="/api/v2/incoming_payments",
    version="v2",
    success_status=201,
    repeatable=False,
    moves_money=True,
    found_by_polling=True,
    model=IncomingPaymentResult,
    kind="incoming_payment",
    callback="incoming_payment",
    creates=True,
)
V2_GET_INCOMING_PAYMENT: Final[Operation[IncomingPaymentResult]] = Operation(
    name="v2_get_incoming_payment",
    sync=v2_get_incoming_payment.sync_detailed,
    asyncio=v2_get_incoming_payment.asyncio_detailed,
    method="GET",
    path="/api/v2/incoming_payments/{id}",
    version="v2",
    success_status=200,
    repeatable=True,
    moves_money=False,
    found_by_polling=False,
    model=IncomingPaymentResult,
    kind="incoming_payment",
    callback=None,
    creates=False,
)
V2_CREATE_EXTERNAL_RECIPIENT: Final[Operation[Recipient]] = Operation(
    name="v2_create_external_recipient",
    sync=v2_create_external_recipient.sync_detailed,
    asyncio=v2_create_external_recipient.asyncio_detailed,
    method="POST",
    path="/api/v2/external_recipients",
    version="v2",
    success_status=201,
    repeatable=False,
    moves_money=False,
    found_by_polling=False,
    model=Recipient,
    kind="recipient",
    callback=None,
    creates=True,
)
V2_GET_EXTERNAL_RECIPIENT: Final[Operation[Recipient]] = Operation(
    name="v2_get_external_recipient",
    sync=v2_get_external_recipient.sync_detailed,
    asyncio=v2_get_external_recipient.asyncio_detailed,
    method="GET",
    path="/api/v2/external_recipients/{id}",
    version="v2",
    success_status=200,
    repeatable=True,
    moves_money=False,
    found_by_polling=False,
    model=Recipient,
    kind="recipient",
    callback=None,
    creates=False,
)
V2_CREATE_PAY_RECIPIENT: Final[Operation[Recipient]] = Operation(
    name="v2_create_pay_recipient",
    sync=v2_create_pay_recipient.sync_detailed,
    asyncio=v2_create_pay_recipient.asyncio_detailed,
    method="POST",
    path="/api/v2/pay_recipients",
    version="v2",
    success_status=201,
    repeatable=False,
    moves_money=False,
    found_by_polling=False,
    model=Recipient,
    kind="recipient",
    callback=None,
    creates=True,
)
V2_GET_PAY_RECIPIENT: Final[Operation[Recipient]] = Operation(
    name="v2_get_pay_recipient",
    sync=v2_get_pay_recipient.sync_detailed,
    asyncio=v2_get_pay_recipient.asyncio_detailed,
    method="GET",
    path="/api/v2/pay_recipients/{id}",
    version="v2",
    success_status=200,
    repeatable=True,
    moves_money=False,
    found_by_polling=False,
    model=Recipient,
    kind="recipient",
    callback=None,
    creates=False,
)
V2_CREATE_SEND_MONEY: Final[Operation[SendMoneyResult]] = Operation(
    name="v2_create_send_money",
    sync=v2_create_send_money.sync_detailed,
    asyncio=v2_create_send_money.asyncio_detailed,
    method="POST",
    path="/api/v2/send_money",
    version="v2",
    success_status=201,
    repeatable=False,
    moves_money=True,
    found_by_polling=False,
    model=SendMoneyResult,
    kind="send_money",
    callback="send_money",
    creates=True,
)
V2_GET_SEND_MONEY: Final[Operation[SendMoneyResult]] = Operation(
    name="v2_get_send_money",
    sync=v2_get_send_money.sync_detailed,
    asyncio=v2_get_send_money.asyncio_detailed,
    method="GET",
    path="/api/v2/send_money/{id}",
    version="v2",
    success_status=200,
    repeatable=True,
    moves_money=False,
    found_by_polling=False,
    model=SendMoneyResult,
    kind="send_money",
    callback=None,
    creates=False,
)
V2_CREATE_MERCHANT_WALLET: Final[Operation[MerchantAccount]] = Operation(
    name="v2_create_merchant_wallet",
    sync=v2_create_merchant_wallet.sync_detailed,
    asyncio=v2_create_merchant_wallet.asyncio_detailed,
    method="POST",
    path="/api/v2/merchant_wallets",
    version="v2",
    success_status=201,
    repeatable=False,
    moves_money=False,
    found_by_polling=False,
    model=MerchantAccount,
    kind="merchant_account",
    callback=None,
    creates=True,
)
V2_GET_MERCHANT_WALLET: Final[Operation[MerchantAccount]] = Operation(
    name="v2_get_merchant_wallet",
    sync=v2_get_merchant_wallet.sync_detailed,
    asyncio=v2_get_merchant_wallet.asyncio_detailed,
    method="GET",
    path="/api/v2/merchant_wallets/{id}",
    version="v2",
    success_status=200,
    repeatable=True,
    moves_money=False,
    found_by_polling=False,
    model=MerchantAccount,
    kind="merchant_account",
    callback=None,
    creates=False,
)
V2_CREATE_MERCHANT_BANK_ACCOUNT: Final[Operation[MerchantAccount]] = Operation(
    name="v2_create_merchant_bank_account",
    sync=v2_create_merchant_bank_account.sync_detailed,
    asyncio=v2_create_merchant_bank_account.asyncio_detailed,
    method="POST",
    path="/api/v2/merchant_bank_accounts",
    version="v2",
    success_status=201,
    repeatable=False,
    moves_money=False,
    found_by_polling=False,
    model=MerchantAccount,
    kind="merchant_account",
    callback=None,
    creates=True,
)
V2_GET_MERCHANT_BANK_ACCOUNT: Final[Operation[MerchantAccount]] = Operation(
    name="v2_get_merchant_bank_account",
    sync=v2_get_merchant_bank_account.sync_detailed,
    asyncio=v2_get_merchant_bank_account.asyncio_detailed,
    method="GET",
    path="/api/v2/merchant_bank_accounts/{id}",
    version="v2",
    success_status=200,
    repeatable=True,
    moves_money=False,
    found_by_polling=False,
    model=MerchantAccount,
    kind="merchant_account",
    callback=None,
    creates=False,
)
V2_CREATE_POLLING: Final[Operation[PollingResult]] = Operation(
    name="v2_create_polling",
    sync=v2_create_polling.sync_detailed,
    asyncio=v2_create_polling.asyncio_detailed,
    method="POST",
    path="/api/v2/polling",
    version="v2",
    success_status=201,
    repeatable=False,
    moves_money=False,
    found_by_polling=False,
    model=PollingResult,
    kind="polling",
    callback="polling",
    creates=True,
)
V2_GET_POLLING: Final[Operation[PollingResult]] = Operation(
    name="v2_get_polling",
    sync=v2_get_polling.sync_detailed,
    asyncio=v2_get_polling.asyncio_detailed,
    method="GET",
    path="/api/v2/polling/{id}",
    version="v2",
    success_status=200,
    repeatable=True,
    moves_money=False,
    found_by_polling=False,
    model=PollingResult,
    kind="polling",
    callback=None,
    creates=False,
)
V2_CREATE_REVERSAL: Final[Operation[ReversalResult]] = Operation(
    name="v2_create_reversal",
    sync=v2_create_reversal.sync_detailed,
    asyncio=v2_create_reversal.asyncio_detailed,
    method="POST",
    path="/api/v2/reversals",
    version="v2",
    success_status=201,
    repeatable=False,
    moves_money=True,
    found_by_polling=False,
    model=ReversalResult,
    kind="reversal",
    callback="reversal",
    creates=True,
)
V2_GET_REVERSAL: Final[Operation[ReversalResult]] = Operation(
    name="v2_get_reversal",
    sync=v2_get_reversal.sync_detailed,
    asyncio=v2_get_reversal.asyncio_detailed,
    method="GET",
    path="/api/v2/reversals/{id}",
    version="v2",
    success_status=200,
    repeatable=True,
    moves_money=False,
    found_by_polling=False,
    model=ReversalResult,
    kind="reversal",
    callback=None,
    creates=False,
)
V2_CREATE_PAYMENT_LINK: Final[Operation[PaymentLinkResult]] = Operation(
    name="v2_create_payment_link",
    sync=v2_create_payment_link.sync_detailed,
    asyncio=v2_create_payment_link.asyncio_detailed,
    method="POST",
    path="/api/v2/payment_links",
    version="v2",
    success_status=201,
    repeatable=False,
    moves_money=True,
    found_by_polling=False,
    model=PaymentLinkResult,
    kind="payment_link",
    callback="payment_link",
    creates=True,
)
V2_GET_PAYMENT_LINK: Final[Operation[PaymentLinkResult]] = Operation(
    name="v2_get_payment_link",
    sync=v2_get_payment_link.sync_detailed,
    asyncio=v2_get_payment_link.asyncio_detailed,
    method="GET",
    path="/api/v2/payment_links/{id}",
    version="v2",
    success_status=200,
    repeatable=True,
    moves_money=False,
    found_by_polling=False,
    model=PaymentLinkResult,
    kind="payment_link",
    callback=None,
    creates=False,
)
V2_CANCEL_PAYMENT_LINK: Final[Operation[PaymentLinkCancelResponse]] = Operation(
    name="v2_cancel_payment_link",
    sync=v2_cancel_payment_link.sync_detailed,
    asyncio=v2_cancel_payment_link.asyncio_detailed,
    method="POST",
    path="/api/v2/payment_links/{id}/cancel",
    version="v2",
    success_status=200,
    repeatable=False,
    moves_money=False,
    found_by_polling=False,
    model=PaymentLinkCancelResponse,
    kind=None,
    callback=None,
    creates=False,
)

OPERATIONS: Final[Mapping[str, Operation[Any]]] = MappingProxyType(
    {
        "request_access_token": REQUEST_ACCESS_TOKEN,
        "revoke_access_token": REVOKE_ACCESS_TOKEN,
        "introspect_access_token": INTROSPECT_ACCESS_TOKEN,
        "get_token_info": GET_TOKEN_INFO,
        "v1_create_webhook_subscription": V1_CREATE_WEBHOOK_SUBSCRIPTION,
        "v1_get_webhook_subscription": V1_GET_WEBHOOK_SUBSCRIPTION,
        "v1_create_incoming_payment": V1_CREATE_INCOMING_PAYMENT,
        "v1_get_incoming_payment": V1_GET_INCOMING_PAYMENT,
        "v1_create_pay_recipient": V1_CREATE_PAY_RECIPIENT,
        "v1_get_pay_recipient": V1_GET_PAY_RECIPIENT,
        "v1_create_payment": V1_CREATE_PAYMENT,
        "v1_get_payment": V1_GET_PAYMENT,
        "v1_create_merchant_wallet": V1_CREATE_MERCHANT_WALLET,
        "v1_get_merchant_wallet": V1_GET_MERCHANT_WALLET,
        "v1_create_merchant_bank_account": V1_CREATE_MERCHANT_BANK_ACCOUNT,
        "v1_get_merchant_bank_account": V1_GET_MERCHANT_BANK_ACCOUNT,
        "v1_create_settlement_transfer": V1_CREATE_SETTLEMENT_TRANSFER,
        "v1_get_settlement_transfer": V1_GET_SETTLEMENT_TRANSFER,
        "v1_create_polling": V1_CREATE_POLLING,
        "v1_get_polling": V1_GET_POLLING,
        "v1_create_transaction_sms_notification": V1_CREATE_TRANSACTION_SMS_NOTIFICATION,
        "v1_get_transaction_sms_notification": V1_GET_TRANSACTION_SMS_NOTIFICATION,
        "v2_create_webhook_subscription": V2_CREATE_WEBHOOK_SUBSCRIPTION,
        "v2_get_webhook_subscription": V2_GET_WEBHOOK_SUBSCRIPTION,
        "v2_create_incoming_payment": V2_CREATE_INCOMING_PAYMENT,
        "v2_get_incoming_payment": V2_GET_INCOMING_PAYMENT,
        "v2_create_external_recipient": V2_CREATE_EXTERNAL_RECIPIENT,
        "v2_get_external_recipient": V2_GET_EXTERNAL_RECIPIENT,
        "v2_create_pay_recipient": V2_CREATE_PAY_RECIPIENT,
        "v2_get_pay_recipient": V2_GET_PAY_RECIPIENT,
        "v2_create_send_money": V2_CREATE_SEND_MONEY,
        "v2_get_send_money": V2_GET_SEND_MONEY,
        "v2_create_merchant_wallet": V2_CREATE_MERCHANT_WALLET,
        "v2_get_merchant_wallet": V2_GET_MERCHANT_WALLET,
        "v2_create_merchant_bank_account": V2_CREATE_MERCHANT_BANK_ACCOUNT,
        "v2_get_merchant_bank_account": V2_GET_MERCHANT_BANK_ACCOUNT,
        "v2_create_polling": V2_CREATE_POLLING,
        "v2_get_polling": V2_GET_POLLING,
        "v2_create_reversal": V2_CREATE_REVERSAL,
        "v2_get_reversal": V2_GET_REVERSAL,
        "v2_create_payment_link": V2_CREATE_PAYMENT_LINK,
        "v2_get_payment_link": V2_GET_PAYMENT_LINK,
        "v2_cancel_payment_link": V2_CANCEL_PAYMENT_LINK,
    }
)

INCOMING_PAYMENT: Final[ResourceFacts[IncomingPaymentResult]] = ResourceFacts(
    kind="incoming_payment",
    model=IncomingPaymentResult,
    getters=(
        ("v1", "incoming_payments", V1_GET_INCOMING_PAYMENT),
        ("v2", "incoming_payments", V2_GET_INCOMING_PAYMENT),
    ),
    callback="incoming_payment",
    echoes_metadata=True,
)
MERCHANT_ACCOUNT: Final[ResourceFacts[MerchantAccount]] = ResourceFacts(
    kind="merchant_account",
    model=MerchantAccount,
    getters=(
        ("v1", "merchant_wallets", V1_GET_MERCHANT_WALLET),
        ("v1", "merchant_bank_accounts", V1_GET_MERCHANT_BANK_ACCOUNT),
        ("v2", "merchant_wallets", V2_GET_MERCHANT_WALLET),
        ("v2", "merchant_bank_accounts", V2_GET_MERCHANT_BANK_ACCOUNT),
    ),
    callback=None,
    echoes_metadata=False,
)
PAYMENT: Final[ResourceFacts[PaymentResult]] = ResourceFacts(
    kind="payment",
    model=PaymentResult,
    getters=(("v1", "payments", V1_GET_PAYMENT),),
    callback="payment",
    echoes_metadata=True,
)
PAYMENT_LINK: Final[ResourceFacts[PaymentLinkResult]] = ResourceFacts(
    kind="payment_link",
    model=PaymentLinkResult,
    getters=(("v2", "payment_links", V2_GET_PAYMENT_LINK),),
    callback="payment_link",
    echoes_metadata=True,
)
POLLING: Final[ResourceFacts[PollingResult]] = ResourceFacts(
    kind="polling",
    model=PollingResult,
    getters=(
        ("v1", "polling", V1_GET_POLLING),
        ("v2", "polling", V2_GET_POLLING),
    ),
    callback="polling",
    echoes_metadata=False,
)
RECIPIENT: Final[ResourceFacts[Recipient]] = ResourceFacts(
    kind="recipient",
    model=Recipient,
    getters=(
        ("v1", "pay_recipients", V1_GET_PAY_RECIPIENT),
        ("v2", "external_recipients", V2_GET_EXTERNAL_RECIPIENT),
        ("v2", "pay_recipients", V2_GET_PAY_RECIPIENT),
    ),
    callback=None,
    echoes_metadata=False,
)
REVERSAL: Final[ResourceFacts[ReversalResult]] = ResourceFacts(
    kind="reversal",
    model=ReversalResult,
    getters=(("v2", "reversals", V2_GET_REVERSAL),),
    callback="reversal",
    echoes_metadata=True,
)
SEND_MONEY: Final[ResourceFacts[SendMoneyResult]] = ResourceFacts(
    kind="send_money",
    model=SendMoneyResult,
    getters=(("v2", "send_money", V2_GET_SEND_MONEY),),
    callback="send_money",
    echoes_metadata=True,
)
SETTLEMENT_TRANSFER: Final[ResourceFacts[SettlementTransferResult]] = ResourceFacts(
    kind="settlement_transfer",
    model=SettlementTransferResult,
    getters=(("v1", "settlement_transfers", V1_GET_SETTLEMENT_TRANSFER),),
    callback="settlement_transfer",
    echoes_metadata=False,
)
TRANSACTION_SMS_NOTIFICATION: Final[ResourceFacts[TransactionSmsNotificationResult]] = ResourceFacts(
    kind="transaction_sms_notification",
    model=TransactionSmsNotificationResult,
    getters=(("v1", "transaction_sms_notifications", V1_GET_TRANSACTION_SMS_NOTIFICATION),),
    callback="transaction_sms_notification",
    echoes_metadata=False,
)
WEBHOOK_SUBSCRIPTION: Final[ResourceFacts[WebhookSubscription]] = ResourceFacts(
    kind="webhook_subscription",
    model=WebhookSubscription,
    getters=(
        ("v1", "webhook_subscriptions", V1_GET_WEBHOOK_SUBSCRIPTION),
        ("v2", "webhook_subscriptions", V2_GET_WEBHOOK_SUBSCRIPTION),
    ),
    callback=None,
    echoes_metadata=False,
)

RESOURCES: Final[Mapping[str, ResourceFacts[Any]]] = MappingProxyType(
    {
        "incoming_payment": INCOMING_PAYMENT,
        "merchant_account": MERCHANT_ACCOUNT,
        "payment": PAYMENT,
        "payment_link": PAYMENT_LINK,
        "polling": POLLING,
        "recipient": RECIPIENT,
        "reversal": REVERSAL,
        "send_money": SEND_MONEY,
        "settlement_transfer": SETTLEMENT_TRANSFER,
        "transaction_sms_notification": TRANSACTION_SMS_NOTIFICATION,
        "webhook_subscription": WEBHOOK_SUBSCRIPTION,
    }
)

LOCATIONS: Final[Mapping[tuple[str, str], Operation[Any]]] = MappingProxyType(
    {
        ("v1", "incoming_payments"): V1_GET_INCOMING_PAYMENT,
        ("v2", "incoming_payments"): V2_GET_INCOMING_PAYMENT,
        ("v1", "merchant_wallets"): V1_GET_MERCHANT_WALLET,
        ("v1", "merchant_bank_accounts"): V1_GET_MERCHANT_BANK_ACCOUNT,
        ("v2", "merchant_wallets"): V2_GET_MERCHANT_WALLET,
        ("v2", "merchant_bank_accounts"): V2_GET_MERCHANT_BANK_ACCOUNT,
        ("v1", "payments"): V1_GET_PAYMENT,
        ("v2", "payment_links"): V2_GET_PAYMENT_LINK,
        ("v1", "polling"): V1_GET_POLLING,
        ("v2", "polling"): V2_GET_POLLING,
        ("v1", "pay_recipients"): V1_GET_PAY_RECIPIENT,
        ("v2", "external_recipients"): V2_GET_EXTERNAL_RECIPIENT,
        ("v2", "pay_recipients"): V2_GET_PAY_RECIPIENT,
        ("v2", "reversals"): V2_GET_REVERSAL,
        ("v2", "send_money"): V2_GET_SEND_MONEY,
        ("v1", "settlement_transfers"): V1_GET_SETTLEMENT_TRANSFER,
        ("v1", "transaction_sms_notifications"): V1_GET_TRANSACTION_SMS_NOTIFICATION,
        ("v1", "webhook_subscriptions"): V1_GET_WEBHOOK_SUBSCRIPTION,
        ("v2", "webhook_subscriptions"): V2_GET_WEBHOOK_SUBSCRIPTION,
    }
)
"""(version, collection) of a Location -> the GET that reads it (and its kind)."""

RESULT_FIELDS: Final[Mapping[str, Mapping[str, str | None]]] = MappingProxyType(
    {
        "incoming_payment": MappingProxyType(
            {
                "reference": "data.attributes.event.resource.reference",
                "amount": "data.attributes.event.resource.amount",
                "currency": "data.attributes.event.resource.currency",
                "phone": "data.attributes.event.resource.sender_phone_number",
                "status": "data.attributes.status",
            }
        ),
        "payment": MappingProxyType(
            {
                "reference": "data.attributes.transfer_batches[].disbursements[].transaction_reference",
                "amount": "data.attributes.amount.value",
                "currency": "data.attributes.amount.currency",
                "phone": None,
                "status": "data.attributes.status",
            }
        ),
        "payment_link": MappingProxyType(
            {
                "reference": "data.attributes.payment_link.transaction_reference",
                "amount": "data.attributes.amount",
                "currency": "data.attributes.currency",
                "phone": "data.attributes.payment_link.sender_phone_number",
                "status": "data.attributes.status",
            }
        ),
        "reversal": MappingProxyType(
            {
                "reference": "data.attributes.reversal_bulk_payment.transaction_reference",
                "amount": "data.attributes.reversal_bulk_payment.amount",
                "currency": None,
                "phone": None,
                "status": "data.attributes.status",
            }
        ),
        "send_money": MappingProxyType(
            {
                "reference": "data.attributes.transfer_batches[].disbursements[].transaction_reference",
                "amount": "data.attributes.transfer_batches[].disbursements[].amount",
                "currency": "data.attributes.currency",
                "phone": "data.attributes.transfer_batches[].disbursements[].phone_number",
                "status": "data.attributes.status",
            }
        ),
        "settlement_transfer": MappingProxyType(
            {
                "reference": "data.attributes.transfer_batches[].disbursements[].transaction_reference",
                "amount": "data.attributes.amount.value",
                "currency": "data.attributes.amount.currency",
                "phone": None,
                "status": "data.attributes.status",
            }
        ),
    }
)
"""Where a finished result's facts live (the spec's x-k2connect-fields): kind -> fact -> path
in the body, or None where K2 sends none; the models read them as properties: result.reference."""

CALLBACK_MODELS: Final[Mapping[str, type[CallbackModel]]] = MappingProxyType(
    {
        "incoming_payment": IncomingPaymentResult,
        "payment": PaymentResult,
        "payment_link": PaymentLinkResult,
        "polling": PollingResult,
        "reversal": ReversalResult,
        "send_money": SendMoneyResult,
        "settlement_transfer": SettlementTransferResult,
        "transaction_sms_notification": TransactionSmsNotificationResult,
    }
)

WEBHOOK_TOPICS: Final[tuple[WebhookTopicName, ...]] = (
    "buygoods_transaction_received",
    "buygoods_transaction_reversed",
    "b2b_transaction_received",
    "b2b_transaction_reversed",
    "m2m_transaction_received",
    "settlement_transfer_completed",
    "customer_created",
    "card_transaction_received",
    "card_transaction_voided",
    "card_transaction_reversed",
)

WebhookModel: TypeAlias = (
    BuygoodsTransactionReceivedWebhook
    | BuygoodsTransactionReversedWebhook
    | B2BTransactionReceivedWebhook
    | B2BTransactionReversedWebhook
    | M2MTransactionReceivedWebhook
    | SettlementTransferCompletedWebhook
    | CustomerCreatedWebhook
    | CardTransactionReceivedWebhook
    | CardTransactionVoidedWebhook
    | CardTransactionReversedWebhook
)
"""The model of every webhook topic's K2-format body."""
CallbackModel: TypeAlias = (
    IncomingPaymentResult
    | PaymentLinkResult
    | PaymentResult
    | PollingResult
    | ReversalResult
    | SendMoneyResult
    | SettlementTransferResult
    | TransactionSmsNotificationResult
)
"""The model of every callback result."""

WEBHOOK_MODELS: Final[Mapping[str, type[WebhookModel]]] = MappingProxyType(
    {
        "buygoods_transaction_received": BuygoodsTransactionReceivedWebhook,
        "buygoods_transaction_reversed": BuygoodsTransactionReversedWebhook,
        "b2b_transaction_received": B2BTransactionReceivedWebhook,
        "b2b_transaction_reversed": B2BTransactionReversedWebhook,
        "m2m_transaction_received": M2MTransactionReceivedWebhook,
        "settlement_transfer_completed": SettlementTransferCompletedWebhook,
        "customer_created": CustomerCreatedWebhook,
        "card_transaction_received": CardTransactionReceivedWebhook,
        "card_transaction_voided": CardTransactionVoidedWebhook,
        "card_transaction_reversed": CardTransactionReversedWebhook,
    }
)
"""A webhook topic -> the model of its K2-format body."""

DARAJA_TOPICS: Final[frozenset[WebhookTopicName]] = frozenset(
    {
        "buygoods_transaction_received",
        "b2b_transaction_received",
    }
)
"""The topics K2 may deliver in Safaricom's Daraja form instead."""

WEBHOOK_TOPICS_BY_VERSION: Final[Mapping[Literal["v1", "v2"], frozenset[str]]] = MappingProxyType(
    {
        "v1": frozenset(WEBHOOK_V1_EVENT_TYPE_VALUES),
        "v2": frozenset(WEBHOOK_V2_EVENT_TYPE_VALUES),
    }
)
"""What a subscription of each API version may name (WebhookV1EventType, WebhookV2EventType)."""

# Compiled on first use: importing the registry (webhook code does) costs no regular expressions.
_ROUTES: Final[tuple[tuple[str, str, Operation[Any]], ...]] = (
    ("POST", r"/oauth/token/?$", REQUEST_ACCESS_TOKEN),
    ("POST", r"/oauth/revoke/?$", REVOKE_ACCESS_TOKEN),
    ("POST", r"/oauth/introspect/?$", INTROSPECT_ACCESS_TOKEN),
    ("GET", r"/oauth/token/info/?$", GET_TOKEN_INFO),
    ("POST", r"/api/v1/webhook_subscriptions/?$", V1_CREATE_WEBHOOK_SUBSCRIPTION),
    ("GET", r"/api/v1/webhook_subscriptions/[^/]+/?$", V1_GET_WEBHOOK_SUBSCRIPTION),
    ("POST", r"/api/v1/incoming_payments/?$", V1_CREATE_INCOMING_PAYMENT),
    ("GET", r"/api/v1/incoming_payments/[^/]+/?$", V1_GET_INCOMING_PAYMENT),
    ("POST", r"/api/v1/pay_recipients/?$", V1_CREATE_PAY_RECIPIENT),
    ("GET", r"/api/v1/pay_recipients/[^/]+/?$", V1_GET_PAY_RECIPIENT),
    ("POST", r"/api/v1/payments/?$", V1_CREATE_PAYMENT),
    ("GET", r"/api/v1/payments/[^/]+/?$", V1_GET_PAYMENT),
    ("POST", r"/api/v1/merchant_wallets/?$", V1_CREATE_MERCHANT_WALLET),
    ("GET", r"/api/v1/merchant_wallets/[^/]+/?$", V1_GET_MERCHANT_WALLET),
    ("POST", r"/api/v1/merchant_bank_accounts/?$", V1_CREATE_MERCHANT_BANK_ACCOUNT),
    ("GET", r"/api/v1/merchant_bank_accounts/[^/]+/?$", V1_GET_MERCHANT_BANK_ACCOUNT),
    ("POST", r"/api/v1/settlement_transfers/?$", V1_CREATE_SETTLEMENT_TRANSFER),
    ("GET", r"/api/v1/settlement_transfers/[^/]+/?$", V1_GET_SETTLEMENT_TRANSFER),
    ("POST", r"/api/v1/polling/?$", V1_CREATE_POLLING),
    ("GET", r"/api/v1/polling/[^/]+/?$", V1_GET_POLLING),
    ("POST", r"/api/v1/transaction_sms_notifications/?$", V1_CREATE_TRANSACTION_SMS_NOTIFICATION),
    ("GET", r"/api/v1/transaction_sms_notifications/[^/]+/?$", V1_GET_TRANSACTION_SMS_NOTIFICATION),
    ("POST", r"/api/v2/webhook_subscriptions/?$", V2_CREATE_WEBHOOK_SUBSCRIPTION),
    ("GET", r"/api/v2/webhook_subscriptions/[^/]+/?$", V2_GET_WEBHOOK_SUBSCRIPTION),
    ("POST", r"/api/v2/incoming_payments/?$", V2_CREATE_INCOMING_PAYMENT),
    ("GET", r"/api/v2/incoming_payments/[^/]+/?$", V2_GET_INCOMING_PAYMENT),
    ("POST", r"/api/v2/external_recipients/?$", V2_CREATE_EXTERNAL_RECIPIENT),
    ("GET", r"/api/v2/external_recipients/[^/]+/?$", V2_GET_EXTERNAL_RECIPIENT),
    ("POST", r"/api/v2/pay_recipients/?$", V2_CREATE_PAY_RECIPIENT),
    ("GET", r"/api/v2/pay_recipients/[^/]+/?$", V2_GET_PAY_RECIPIENT),
    ("POST", r"/api/v2/send_money/?$", V2_CREATE_SEND_MONEY),
    ("GET", r"/api/v2/send_money/[^/]+/?$", V2_GET_SEND_MONEY),
    ("POST", r"/api/v2/merchant_wallets/?$", V2_CREATE_MERCHANT_WALLET),
    ("GET", r"/api/v2/merchant_wallets/[^/]+/?$", V2_GET_MERCHANT_WALLET),
    ("POST", r"/api/v2/merchant_bank_accounts/?$", V2_CREATE_MERCHANT_BANK_ACCOUNT),
    ("GET", r"/api/v2/merchant_bank_accounts/[^/]+/?$", V2_GET_MERCHANT_BANK_ACCOUNT),
    ("POST", r"/api/v2/polling/?$", V2_CREATE_POLLING),
    ("GET", r"/api/v2/polling/[^/]+/?$", V2_GET_POLLING),
    ("POST", r"/api/v2/reversals/?$", V2_CREATE_REVERSAL),
    ("GET", r"/api/v2/reversals/[^/]+/?$", V2_GET_REVERSAL),
    ("POST", r"/api/v2/payment_links/?$", V2_CREATE_PAYMENT_LINK),
    ("GET", r"/api/v2/payment_links/[^/]+/?$", V2_GET_PAYMENT_LINK),
    ("POST", r"/api/v2/payment_links/[^/]+/cancel/?$", V2_CANCEL_PAYMENT_LINK),
)


@functools.cache
def _compiled_routes() -> tuple[tuple[str, re.Pattern[str], Operation[Any]], ...]:
    return tuple((method, re.compile(pattern), op) for method, pattern, op in _ROUTES)


@functools.lru_cache(maxsize=512)  # a create's path is fixed: each is matched once per process
def operation_for(method: str, path: str) -> Operation[Any] | None:
    """The operation a request is (by method and URL path), or ``None`` when the spec has none."""
    for route_method, pattern, operation in _compiled_routes():
        if route_method == method and pattern.search(path):
            return operation
    return None
