"""Validated requests for every K2 operation, built from the generated models; no I/O here.

Each builder checks its inputs (``_validation``), builds the generated request model, and returns a
``Prepared`` holding the operation's entry in the registry generated from the spec
(``k2connect_client.registry``): its generated functions and what the spec says of it. The entry is typed
with the model its Location reads, so a builder that promises the wrong model, or an operation the spec
renamed, fails type checking, not a payment at run time. ``K2`` and ``AsyncK2`` only add the sending, so
the two facades cannot disagree on what a valid request is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Generic, Literal, TypeAlias, TypeVar

import attrs
from k2connect_client import models as _m
from k2connect_client import registry
from k2connect_client.models.payment_request_destination_type import (
    PAYMENT_REQUEST_DESTINATION_TYPE_VALUES,
    PaymentRequestDestinationType,
)
from k2connect_client.models.polling_request_scope import POLLING_REQUEST_SCOPE_VALUES, PollingRequestScope
from k2connect_client.models.settlement_destination_type import (
    SETTLEMENT_DESTINATION_TYPE_VALUES,
    SettlementDestinationType,
)
from k2connect_client.registry import Operation
from k2connect_client.types import UNSET, Response, Unset

if TYPE_CHECKING:  # annotations only; at run time each model is loaded on first use (see the models package)
    from k2connect_client.models import (
        Amount,
        BankAccountDestination,
        BankAccountExternalRecipientRequest,
        BankAccountPayRecipientRequest,
        CallbackLinks,
        IncomingPaymentResult,
        MerchantAccount,
        MerchantBankAccountDestination,
        MerchantWalletDestination,
        Metadata,
        MobileWalletDestination,
        MobileWalletExternalRecipientRequest,
        MobileWalletPayRecipientRequest,
        PaybillDestination,
        PaybillExternalRecipientRequest,
        PaybillPayRecipientRequest,
        PaymentLinkResult,
        PaymentResult,
        PollingResult,
        Recipient,
        ReversalResult,
        SendMoneyResult,
        SettlementTransferResult,
        TillDestination,
        TillExternalRecipientRequest,
        TillPayRecipientRequest,
        TransactionSmsNotificationResult,
        WebhookSubscription,
    )

    _RecipientRequest: TypeAlias = (
        MobileWalletPayRecipientRequest
        | BankAccountPayRecipientRequest
        | TillPayRecipientRequest
        | PaybillPayRecipientRequest
        | MobileWalletExternalRecipientRequest
        | BankAccountExternalRecipientRequest
        | TillExternalRecipientRequest
        | PaybillExternalRecipientRequest
    )

from k2connect_ext._exceptions import K2InputError
from k2connect_ext._topics import EventType, WebhookTopic
from k2connect_ext._validation import (
    MAX_NAME_LENGTH,
    either,
    is_one_of,
    validate_amount,
    validate_currency,
    validate_email,
    validate_metadata,
    validate_name,
    validate_network,
    validate_phone,
    validate_required,
    validate_settlement_method,
    validate_subscription,
    validate_text,
    validate_url,
    validate_v1_event_type,
    validate_v2_event_type,
)

__all__ = [
    "Destination",
    "Prepared",
    "Version",
    "bank_account_destination",
    "merchant_bank_account_destination",
    "merchant_wallet_destination",
    "mobile_wallet_destination",
    "paybill_destination",
    "till_destination",
]

T = TypeVar("T")
Version: TypeAlias = Literal["v1", "v2"]
_VERSIONS: Final[frozenset[Version]] = frozenset({"v1", "v2"})
Destination = (
    _m.MobileWalletDestination
    | _m.BankAccountDestination
    | _m.TillDestination
    | _m.PaybillDestination
    | _m.MerchantWalletDestination
    | _m.MerchantBankAccountDestination
)
# The spec's own Literals (generated), under the names the SDK has always used.
RecipientType: TypeAlias = PaymentRequestDestinationType
"""What a PAY recipient (and a PAY payment's destination) can be."""
Scope: TypeAlias = PollingRequestScope
"""The scope of a polling request or a webhook subscription (the spec gives both the same two values)."""


SyncOperation = Callable[..., Response[Any]]
AsyncOperation = Callable[..., Awaitable[Response[Any]]]


@attrs.frozen
class Prepared(Generic[T]):
    """A validated request: the registry's operation to call (both generated twins) and its body.

    ``T`` is the model its ``Location`` reads (``IncomingPaymentResult`` for an STK push): what
    ``Created[T].wait()`` returns.
    """

    operation: Operation[T]
    """The registry's entry for the create (generated from the spec): its functions and facts."""
    body: Any

    @property
    def name(self) -> str:
        """The generated operation's name, e.g. ``v2_create_incoming_payment``."""
        return self.operation.name

    @property
    def sync(self) -> SyncOperation:
        """The generated ``sync_detailed`` function."""
        return self.operation.sync

    @property
    def asyncio(self) -> AsyncOperation:
        """The generated ``asyncio_detailed`` function."""
        return self.operation.asyncio


def _money(value: Decimal | int | str | float, field: str) -> str:
    # Sent as a string: K2 accepts "100.50" as well as 100.5, and a string never picks up float noise.
    return format(validate_amount(value, field), "f")


def _amount(value: Decimal | int | str | float, currency: str, field: str = "amount") -> Amount:
    return _m.Amount(currency=validate_currency(currency), value=_money(value, field))


def _links(callback_url: str) -> CallbackLinks:
    return _m.CallbackLinks(callback_url=validate_url(callback_url))


def _metadata(value: Mapping[str, Any] | None) -> Metadata | Unset:
    checked = validate_metadata(value)
    return UNSET if checked is None else _m.Metadata.from_dict(checked)


def _optional(value: str | None, field: str, *, multiline: bool = False) -> str | Unset:
    # Optional text: None or blank is left out of the body; anything else must be a string.
    text = validate_text(value, field, required=False, multiline=multiline)
    return UNSET if text is None else text


def _optional_name(value: str | None, field: str) -> str | Unset:
    text = validate_text(value, field, required=False, max_length=MAX_NAME_LENGTH)
    return UNSET if text is None else text


def _optional_email(value: str | None) -> str | Unset:
    text = validate_email(value)
    return UNSET if text is None else text


def _version(version: str) -> Version:
    if not is_one_of(version, _VERSIONS):
        raise K2InputError(f"version must be {either(_VERSIONS)}", field="version")
    return version


# ----------------------------------------------------------------------------------- webhooks and SMS
def subscribe_webhook(
    event_type: EventType | WebhookTopic,
    url: str,
    *,
    scope: Scope = "company",
    scope_reference: str | None = None,
    enable_daraja_payload: bool = False,
    version: Version = "v2",
) -> Prepared[WebhookSubscription]:
    """Subscribe ``url`` to ``event_type``; till-scoped events need the till in ``scope_reference``."""
    version = _version(version)
    event: object = str(event_type) if isinstance(event_type, str) else event_type
    checked_scope, reference = validate_subscription(
        event_type, scope, scope_reference, enable_daraja_payload=enable_daraja_payload, version=version
    )
    callback = validate_url(url, "url")
    if version == "v1":
        if enable_daraja_payload:
            raise K2InputError("enable_daraja_payload needs the v2 API", field="enable_daraja_payload")
        v1_body = _m.WebhookSubscriptionRequest(
            event_type=validate_v1_event_type(event),
            url=callback,
            scope=checked_scope,
            scope_reference=reference,
        )
        return Prepared(registry.V1_CREATE_WEBHOOK_SUBSCRIPTION, v1_body)
    v2_body = _m.WebhookSubscriptionV2Request(
        event_type=validate_v2_event_type(event),
        url=callback,
        scope=checked_scope,
        scope_reference=reference,
        enable_daraja_payload=enable_daraja_payload,
    )
    return Prepared(registry.V2_CREATE_WEBHOOK_SUBSCRIPTION, v2_body)


def send_sms_notification(
    webhook_event_reference: str, message: str, callback_url: str
) -> Prepared[TransactionSmsNotificationResult]:
    """Send ``message`` to the payer of a received buy-goods transaction (its webhook event id). v1 only."""
    body = _m.TransactionSmsNotificationRequest(
        webhook_event_reference=validate_required(webhook_event_reference, "webhook_event_reference"),
        message=validate_required(message, "message", multiline=True),
        field_links=_links(callback_url),
    )
    return Prepared(registry.V1_CREATE_TRANSACTION_SMS_NOTIFICATION, body)


# ----------------------------------------------------------------------------------- receive money
def stk_push(
    *,
    phone_number: str,
    amount: Decimal | int | str | float,
    till_number: str,
    callback_url: str,
    currency: str = "KES",
    first_name: str | None = None,
    middle_name: str | None = None,
    last_name: str | None = None,
    email: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    payment_channel: str = "M-PESA STK Push",
    version: Version = "v2",
) -> Prepared[IncomingPaymentResult]:
    """Ask the customer's phone to approve a payment to ``till_number`` (the K-prefixed online till)."""
    version = _version(version)
    body = _m.IncomingPaymentRequest(
        payment_channel=validate_required(payment_channel, "payment_channel"),
        till_number=validate_required(till_number, "till_number"),
        subscriber=_m.Subscriber(
            phone_number=validate_phone(phone_number),
            first_name=_optional_name(first_name, "first_name"),
            middle_name=_optional_name(middle_name, "middle_name"),
            last_name=_optional_name(last_name, "last_name"),
            email=_optional_email(email),
        ),
        amount=_amount(amount, currency),
        field_links=_links(callback_url),
        metadata=_metadata(metadata),
    )
    if version == "v1":
        return Prepared(registry.V1_CREATE_INCOMING_PAYMENT, body)
    return Prepared(registry.V2_CREATE_INCOMING_PAYMENT, body)


# ----------------------------------------------------------------------------------- recipients
def add_recipient(
    recipient_type: RecipientType,
    *,
    version: Version = "v1",
    first_name: str | None = None,
    last_name: str | None = None,
    phone_number: str | None = None,
    email: str | None = None,
    network: str = "Safaricom",
    account_name: str | None = None,
    account_number: str | None = None,
    bank_branch_ref: str | None = None,
    settlement_method: str | None = None,
    till_name: str | None = None,
    till_number: str | None = None,
    paybill_name: str | None = None,
    paybill_number: str | None = None,
    paybill_account_number: str | None = None,
    nickname: str | None = None,
) -> Prepared[Recipient]:
    """Add a PAY recipient (v1 ``pay_recipients``) or an external recipient (v2 ``external_recipients``)."""
    version = _version(version)
    body: _RecipientRequest
    if recipient_type == "mobile_wallet":
        wallet = _m.MobileWalletRecipient(
            phone_number=validate_phone(phone_number, "phone_number"),
            network=validate_network(network),
            first_name=validate_name(first_name, "first_name"),
            last_name=validate_name(last_name, "last_name"),
            email=_optional_email(email),
            nickname=_optional(nickname, "nickname"),
        )
        body = (
            _m.MobileWalletPayRecipientRequest(type_="mobile_wallet", pay_recipient=wallet)
            if version == "v1"
            else _m.MobileWalletExternalRecipientRequest(type_="mobile_wallet", external_recipient=wallet)
        )
    elif recipient_type == "bank_account":
        account = _m.BankAccountRecipient(
            account_name=validate_name(account_name, "account_name"),
            account_number=validate_required(account_number, "account_number"),
            bank_branch_ref=validate_required(bank_branch_ref, "bank_branch_ref"),
            settlement_method=validate_settlement_method(
                "EFT" if settlement_method is None else settlement_method
            ),
            nickname=_optional(nickname, "nickname"),
        )
        body = (
            _m.BankAccountPayRecipientRequest(type_="bank_account", pay_recipient=account)
            if version == "v1"
            else _m.BankAccountExternalRecipientRequest(type_="bank_account", external_recipient=account)
        )
    elif recipient_type == "till":
        till = _m.TillRecipient(
            till_number=validate_required(till_number, "till_number"),
            till_name=validate_name(till_name, "till_name"),
            nickname=_optional(nickname, "nickname"),
        )
        body = (
            _m.TillPayRecipientRequest(type_="till", pay_recipient=till)
            if version == "v1"
            else _m.TillExternalRecipientRequest(type_="till", external_recipient=till)
        )
    elif recipient_type == "paybill":
        paybill = _m.PaybillRecipient(
            paybill_number=validate_required(paybill_number, "paybill_number"),
            paybill_account_number=validate_required(paybill_account_number, "paybill_account_number"),
            paybill_name=validate_name(paybill_name, "paybill_name"),
            nickname=_optional(nickname, "nickname"),
        )
        body = (
            _m.PaybillPayRecipientRequest(type_="paybill", pay_recipient=paybill)
            if version == "v1"
            else _m.PaybillExternalRecipientRequest(type_="paybill", external_recipient=paybill)
        )
    else:
        raise K2InputError(
            f"recipient type must be {either(PAYMENT_REQUEST_DESTINATION_TYPE_VALUES)}", field="type"
        )
    if version == "v1":
        return Prepared(registry.V1_CREATE_PAY_RECIPIENT, body)
    return Prepared(registry.V2_CREATE_EXTERNAL_RECIPIENT, body)


# ----------------------------------------------------------------------------------- PAY (v1)
def create_payment(
    *,
    destination_type: RecipientType,
    destination_reference: str,
    amount: Decimal | int | str | float,
    description: str,
    callback_url: str,
    currency: str = "KES",
    category: str | None = None,
    tags: Sequence[str] | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Prepared[PaymentResult]:
    """Pay a PAY recipient (v1). ``destination_reference`` is the recipient's id from its Location."""
    if not is_one_of(destination_type, PAYMENT_REQUEST_DESTINATION_TYPE_VALUES):
        raise K2InputError(
            f"destination_type must be {either(PAYMENT_REQUEST_DESTINATION_TYPE_VALUES)}",
            field="destination_type",
        )
    if tags is not None and (isinstance(tags, str | bytes) or not isinstance(tags, Sequence)):
        raise K2InputError("tags must be a list of strings", field="tags")
    checked_tags = None if tags is None else [validate_required(tag, "tags") for tag in tags]
    body = _m.PaymentRequest(
        destination_type=destination_type,
        destination_reference=validate_required(destination_reference, "destination_reference"),
        amount=_amount(amount, currency),
        description=validate_required(description, "description"),
        field_links=_links(callback_url),
        category=_optional(category, "category"),
        tags=UNSET if checked_tags is None else checked_tags,
        metadata=_metadata(metadata),
    )
    return Prepared(registry.V1_CREATE_PAYMENT, body)


# ----------------------------------------------------------------------------------- own accounts
def add_merchant_wallet(
    *,
    first_name: str,
    last_name: str,
    phone_number: str,
    network: str = "Safaricom",
    nickname: str | None = None,
    version: Version = "v1",
) -> Prepared[MerchantAccount]:
    """Add an own M-PESA settlement (v1) / transfer (v2) account."""
    version = _version(version)
    body = _m.MerchantWalletRequest(
        first_name=validate_name(first_name, "first_name"),
        last_name=validate_name(last_name, "last_name"),
        phone_number=validate_phone(phone_number),
        network=validate_network(network),
        nickname=_optional(nickname, "nickname"),
    )
    if version == "v1":
        return Prepared(registry.V1_CREATE_MERCHANT_WALLET, body)
    return Prepared(registry.V2_CREATE_MERCHANT_WALLET, body)


def add_merchant_bank_account(
    *,
    account_name: str,
    account_number: str,
    bank_branch_ref: str,
    settlement_method: str = "EFT",
    nickname: str | None = None,
    version: Version = "v1",
) -> Prepared[MerchantAccount]:
    """Add an own bank settlement (v1) / transfer (v2) account; EFT or RTS."""
    version = _version(version)
    body = _m.MerchantBankAccountRequest(
        account_name=validate_name(account_name, "account_name"),
        account_number=validate_required(account_number, "account_number"),
        bank_branch_ref=validate_required(bank_branch_ref, "bank_branch_ref"),
        settlement_method=validate_settlement_method(settlement_method),
        nickname=_optional(nickname, "nickname"),
    )
    if version == "v1":
        return Prepared(registry.V1_CREATE_MERCHANT_BANK_ACCOUNT, body)
    return Prepared(registry.V2_CREATE_MERCHANT_BANK_ACCOUNT, body)


def settle_funds(
    *,
    callback_url: str,
    amount: Decimal | int | str | float | None = None,
    currency: str = "KES",
    destination_type: SettlementDestinationType | None = None,
    destination_reference: str | None = None,
) -> Prepared[SettlementTransferResult]:
    """Settlement transfer (v1): blind (no destination) to the default accounts, or targeted to one account.

    Without ``amount`` the whole available balance is settled.
    """
    if (destination_type is None) != (destination_reference is None):
        raise K2InputError(
            "a targeted transfer needs both destination_type and destination_reference; a blind one neither",
            field="destination_reference" if destination_reference is None else "destination_type",
        )
    if destination_type is not None and not is_one_of(destination_type, SETTLEMENT_DESTINATION_TYPE_VALUES):
        raise K2InputError(
            f"destination_type must be {either(SETTLEMENT_DESTINATION_TYPE_VALUES)}", field="destination_type"
        )
    body = _m.SettlementTransferRequest(
        field_links=_links(callback_url),
        amount=UNSET
        if amount is None
        else _m.TransferAmount(currency=validate_currency(currency), value=_money(amount, "amount")),
        destination_type=UNSET if destination_type is None else destination_type,
        destination_reference=UNSET
        if destination_reference is None
        else validate_required(destination_reference, "destination_reference"),
    )
    return Prepared(registry.V1_CREATE_SETTLEMENT_TRANSFER, body)


# ----------------------------------------------------------------------------------- polling
def poll_transactions(
    *,
    from_time: dt.datetime,
    to_time: dt.datetime,
    callback_url: str,
    scope: Scope = "company",
    scope_reference: str | None = None,
    version: Version = "v2",
) -> Prepared[PollingResult]:
    """Ask for the transactions received between two aware datetimes (results arrive by callback)."""
    version = _version(version)
    for name, value in (("from_time", from_time), ("to_time", to_time)):
        # utcoffset(), not tzinfo: a tzinfo whose offset is None still makes a naive datetime.
        if not isinstance(value, dt.datetime) or value.utcoffset() is None:
            raise K2InputError(f"{name} must be a timezone-aware datetime", field=name)
    if from_time > to_time:
        raise K2InputError("from_time is after to_time", field="from_time")
    # Typed as a Literal, but callers without a type checker may pass any case or anything at all.
    checked_scope = scope.strip().lower() if isinstance(scope, str) else ""
    if not is_one_of(checked_scope, POLLING_REQUEST_SCOPE_VALUES):
        raise K2InputError(f"scope must be {either(POLLING_REQUEST_SCOPE_VALUES)}", field="scope")
    reference = validate_text(scope_reference, "scope_reference", required=False)
    if checked_scope == "till" and reference is None:
        raise K2InputError("scope_reference (the till) is required for scope till", field="scope_reference")
    body = _m.PollingRequest(
        scope=checked_scope,
        from_time=from_time,
        to_time=to_time,
        field_links=_links(callback_url),
        scope_reference=reference if checked_scope == "till" else None,
    )
    if version == "v1":
        return Prepared(registry.V1_CREATE_POLLING, body)
    return Prepared(registry.V2_CREATE_POLLING, body)


# ----------------------------------------------------------------------------------- send money (v2)
def _destination_extras(nickname: str | None, favourite: bool | None) -> dict[str, Any]:
    if favourite is not None and not isinstance(favourite, bool):
        raise K2InputError("favourite must be true or false", field="favourite")
    return {
        "nickname": _optional(nickname, "nickname"),
        "favourite": UNSET if favourite is None else favourite,
    }


def mobile_wallet_destination(
    phone_number: str,
    amount: Decimal | int | str | float,
    description: str,
    *,
    network: str = "Safaricom",
    nickname: str | None = None,
    favourite: bool | None = None,
) -> MobileWalletDestination:
    """An external M-PESA number (sent as 2547XXXXXXXX, the form K2 matches)."""
    return _m.MobileWalletDestination(
        type_="mobile_wallet",
        phone_number=validate_phone(phone_number, plus=False),
        network=validate_network(network),
        amount=_money(amount, "amount"),
        description=validate_required(description, "description"),
        **_destination_extras(nickname, favourite),
    )


def bank_account_destination(
    account_name: str,
    account_number: str,
    bank_branch_ref: str,
    amount: Decimal | int | str | float,
    description: str,
    *,
    settlement_method: str | None = None,
    nickname: str | None = None,
    favourite: bool | None = None,
) -> BankAccountDestination:
    """An external bank account."""
    return _m.BankAccountDestination(
        type_="bank_account",
        account_name=validate_name(account_name, "account_name"),
        account_number=validate_required(account_number, "account_number"),
        bank_branch_ref=validate_required(bank_branch_ref, "bank_branch_ref"),
        amount=_money(amount, "amount"),
        description=validate_required(description, "description"),
        settlement_method=UNSET
        if settlement_method is None
        else validate_settlement_method(settlement_method),
        **_destination_extras(nickname, favourite),
    )


def till_destination(
    till_number: str,
    amount: Decimal | int | str | float,
    description: str,
    *,
    nickname: str | None = None,
    favourite: bool | None = None,
) -> TillDestination:
    """An external till (buy goods)."""
    return _m.TillDestination(
        type_="till",
        till_number=validate_required(till_number, "till_number"),
        amount=_money(amount, "amount"),
        description=validate_required(description, "description"),
        **_destination_extras(nickname, favourite),
    )


def paybill_destination(
    paybill_number: str,
    paybill_account_number: str,
    amount: Decimal | int | str | float,
    description: str,
    *,
    nickname: str | None = None,
    favourite: bool | None = None,
) -> PaybillDestination:
    """An external paybill and account."""
    return _m.PaybillDestination(
        type_="paybill",
        paybill_number=validate_required(paybill_number, "paybill_number"),
        paybill_account_number=validate_required(paybill_account_number, "paybill_account_number"),
        amount=_money(amount, "amount"),
        description=validate_required(description, "description"),
        **_destination_extras(nickname, favourite),
    )


def merchant_wallet_destination(
    reference: str, amount: Decimal | int | str | float, *, description: str | None = None
) -> MerchantWalletDestination:
    """One of the merchant's own M-PESA transfer accounts (its id)."""
    return _m.MerchantWalletDestination(
        type_="merchant_wallet",
        reference=validate_required(reference, "reference"),
        amount=_money(amount, "amount"),
        description=_optional(description, "description"),
    )


def merchant_bank_account_destination(
    reference: str, amount: Decimal | int | str | float, *, description: str | None = None
) -> MerchantBankAccountDestination:
    """One of the merchant's own bank transfer accounts (its id)."""
    return _m.MerchantBankAccountDestination(
        type_="merchant_bank_account",
        reference=validate_required(reference, "reference"),
        amount=_money(amount, "amount"),
        description=_optional(description, "description"),
    )


def send_money(
    *,
    callback_url: str,
    destinations: Sequence[Destination] = (),
    source_identifier: str | None = None,
    currency: str = "KES",
    metadata: Mapping[str, Any] | None = None,
) -> Prepared[SendMoneyResult]:
    """Pay destinations (build them with the ``*_destination`` helpers); none = sweep to own accounts."""
    allowed = (
        _m.MobileWalletDestination,
        _m.BankAccountDestination,
        _m.TillDestination,
        _m.PaybillDestination,
        _m.MerchantWalletDestination,
        _m.MerchantBankAccountDestination,
    )
    # A single destination or a mapping would otherwise fail inside enumerate() with KeyError/TypeError.
    if isinstance(destinations, str | bytes | Mapping) or not isinstance(destinations, Sequence):
        raise K2InputError(
            "destinations must be a list of destinations (mobile_wallet_destination() etc.)",
            field="destinations",
        )
    for index, destination in enumerate(destinations):
        if not isinstance(destination, allowed):
            raise K2InputError(
                f"destinations[{index}] is not a destination: build it with mobile_wallet_destination() etc.",
                field=f"destinations[{index}]",
            )
    body = _m.SendMoneyRequest(
        currency=validate_currency(currency),
        field_links=_links(callback_url),
        source_identifier=_optional(source_identifier, "source_identifier"),
        destinations=list(destinations),
        metadata=_metadata(metadata),
    )
    return Prepared(registry.V2_CREATE_SEND_MONEY, body)


# ----------------------------------------------------------------------------------- reversals and links
def reverse_transaction(
    *,
    transaction_reference: str,
    reason: str,
    callback_url: str,
    metadata: Mapping[str, Any] | None = None,
) -> Prepared[ReversalResult]:
    """Reverse a C2B/B2B transaction received in the last 30 days (v2)."""
    body = _m.ReversalRequest(
        transaction_reference=validate_required(transaction_reference, "transaction_reference"),
        reason=validate_required(reason, "reason", multiline=True),
        field_links=_links(callback_url),
        metadata=_metadata(metadata),
    )
    return Prepared(registry.V2_CREATE_REVERSAL, body)


def create_payment_link(
    *,
    till_number: str,
    amount: Decimal | int | str | float,
    callback_url: str,
    currency: str = "KES",
    payment_reference: str | None = None,
    note: str | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Prepared[PaymentLinkResult]:
    """A shareable link the customer pays through (v2); the result arrives when it is paid."""
    body = _m.PaymentLinkRequest(
        till_number=validate_required(till_number, "till_number"),
        currency=validate_currency(currency),
        amount=_money(amount, "amount"),
        field_links=_links(callback_url),
        payment_reference=_optional(payment_reference, "payment_reference"),
        note=_optional(note, "note", multiline=True),
        metadata=_metadata(metadata),
    )
    return Prepared(registry.V2_CREATE_PAYMENT_LINK, body)
