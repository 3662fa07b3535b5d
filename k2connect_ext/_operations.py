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
    """Subscribe ``url`` to ``event_type``: K2 then POSTs every such event there, signed with the API key.

    Read the events with :func:`~k2connect_ext.webhooks.construct_event` (or a receiver): the subscription
    itself has no lifecycle, so waiting on it returns at the first read.

    Args:
        event_type: what to be told of: ``"buygoods_transaction_received"``, ``"b2b_transaction_received"``,
            ``"customer_created"``... (an ``EventType`` or a ``WebhookTopic``); each API version has its own
            list (v1 has m2m events, v2 card events and b2b reversals).
        url: where K2 POSTs the events: an https URL K2 can reach (plain http only to loopback, for the
            local sandbox), with no user name or password in it.
        scope: ``"company"`` (every till) or ``"till"`` (one till: till events only).
        scope_reference: the till number for ``scope="till"``; must be empty for ``"company"``.
        enable_daraja_payload: have K2 send the events in Safaricom's Daraja format (v2, and only for the
            topics that have one).
        version: the API version to subscribe through, ``"v2"`` (default) or ``"v1"``.

    Returns:
        The checked request, for ``K2.subscribe_webhook`` to send.

    Raises:
        K2InputError: an event type the version cannot subscribe to, a bad URL, a scope and reference
            that do not fit, or Daraja payloads asked of v1 or of a topic without them (``field`` names
            the argument); nothing was sent.
    """
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
    """Send an SMS to the customer who paid a buy-goods transaction you received (v1).

    Args:
        webhook_event_reference: the id of the ``buygoods_transaction_received`` webhook event that reported
            the payment (``event.id`` of the :class:`~k2connect_ext.webhooks.K2Event`).
        message: the text to send (line breaks allowed).
        callback_url: where K2 POSTs the notification's result: an https URL K2 can reach (plain http only
            to loopback, for the local sandbox).

    Returns:
        The checked request, for ``K2.send_sms_notification`` to send.

    Raises:
        K2InputError: a blank reference or message, or a bad callback URL (``field`` names it); nothing was
            sent.
    """
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
    """Ask a customer to pay: M-PESA shows a prompt on their phone, and they approve it with their PIN.

    The money goes to ``till_number``, your online payments till. K2 POSTs the result to ``callback_url``
    (verify it with :meth:`K2.construct_event <k2connect_ext.K2.construct_event>`), or wait for it:
    ``wait()`` on the returned handle reads the payment until K2 reports it ``Success`` or failed, and gives
    back the ``IncomingPaymentResult`` (the M-PESA reference is in
    ``data.attributes.event.resource.reference``).

    Args:
        phone_number: the customer's Safaricom number, in any usual form: ``"+254712345678"``,
            ``"254712345678"``, ``"0712345678"``, ``"00254712345678"``, the 01 series too (spaces, dashes
            and brackets are ignored). It is sent as ``+2547XXXXXXXX``. A number (``712345678``) is refused:
            it cannot keep the leading 0 or +.
        amount: the sum in ``currency`` (Kenyan shillings), as a ``str`` (``"100.50"``), ``int`` or
            ``Decimal``; a ``float`` is read through ``str()``. Refused: zero or less, more than 2 decimal
            places, a bool, NaN or infinity, anything that is not a number.
        till_number: your online payments till, as K2 shows it (``"K000000"``).
        callback_url: where K2 POSTs the result: an https URL K2 can reach (plain http only to loopback,
            for the local sandbox), with no user name or password in it.
        currency: ``"KES"``, the only currency K2 takes (any case).
        first_name: the customer's first name, shown to them (optional).
        middle_name: their middle name (optional).
        last_name: their last name (optional).
        email: their e-mail address (optional; checked for syntax only).
        metadata: up to 5 pairs of your own (an order id...) that K2 echoes back in the result: string
            keys, and strings, numbers, booleans or None as values.
        payment_channel: the channel K2 uses; leave the default.
        version: the API version, ``"v2"`` (default) or ``"v1"``.

    Returns:
        The checked request, for ``K2.stk_push`` to send.

    Raises:
        K2InputError: a phone number that is not a Kenyan mobile number, an amount or currency K2 would
            refuse, a blank till number, a bad callback URL, e-mail or metadata (``field`` names the
            argument); nothing was sent.
    """
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
    """Add someone you pay: a PAY recipient (v1) or an external recipient (v2).

    Which arguments are needed depends on ``recipient_type``; the others are ignored.

    * ``"mobile_wallet"``: ``first_name``, ``last_name``, ``phone_number`` (``email``, ``network``);
    * ``"bank_account"``: ``account_name``, ``account_number``, ``bank_branch_ref`` (``settlement_method``);
    * ``"till"``: ``till_name``, ``till_number``;
    * ``"paybill"``: ``paybill_name``, ``paybill_number``, ``paybill_account_number``.

    The recipient has no lifecycle: waiting on the returned handle returns at the first read, and its id
    (``handle.id``) is the ``destination_reference`` of ``create_payment``.

    Args:
        recipient_type: ``"mobile_wallet"``, ``"bank_account"``, ``"till"`` or ``"paybill"``.
        version: ``"v1"`` (default) adds a PAY recipient; ``"v2"`` an external recipient.
        first_name: a mobile wallet's holder's first name.
        last_name: their last name.
        phone_number: the wallet's Safaricom number, in any usual form (``"+254712345678"``,
            ``"0712345678"``...); sent as ``+2547XXXXXXXX``.
        email: the holder's e-mail address (optional).
        network: the wallet's network: ``"Safaricom"``, the only one K2 pays to.
        account_name: a bank account's name.
        account_number: its number.
        bank_branch_ref: the bank branch's reference, from K2's list of banks and branches.
        settlement_method: ``"EFT"`` (default: next business day) or ``"RTS"`` (real time).
        till_name: a till's name.
        till_number: its number.
        paybill_name: a paybill's name.
        paybill_number: its business number.
        paybill_account_number: the account number to pay it under.
        nickname: a name of your own for the recipient (optional).

    Returns:
        The checked request, for ``K2.add_recipient`` to send.

    Raises:
        K2InputError: an unknown recipient type or version, or a missing or bad argument for that type
            (``field`` names it); nothing was sent.
    """
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
    """Pay one of your PAY recipients (v1). For new code, ``send_money`` (v2) pays anyone in one request.

    Args:
        destination_type: the recipient's type: ``"mobile_wallet"``, ``"bank_account"``, ``"till"`` or
            ``"paybill"``.
        destination_reference: the recipient's id: ``handle.id`` of what ``add_recipient`` returned (the
            last part of its Location).
        amount: the sum in ``currency`` (Kenyan shillings), as a ``str`` (``"100.50"``), ``int`` or
            ``Decimal``; a ``float`` is read through ``str()``. Refused: zero or less, more than 2 decimal
            places, a bool, NaN or infinity, anything that is not a number.
        description: what the payment is for (required).
        callback_url: where K2 POSTs the result: an https URL K2 can reach (plain http only to loopback,
            for the local sandbox).
        currency: ``"KES"``, the only currency K2 takes.
        category: a category of your own (optional).
        tags: labels of your own (optional): a list of strings.
        metadata: up to 5 pairs of your own that K2 echoes back in the result.

    Returns:
        The checked request, for ``K2.create_payment`` to send.

    Raises:
        K2InputError: an unknown destination type, a blank reference or description, an amount or currency
            K2 would refuse, tags that are not a list of strings, a bad callback URL or metadata
            (``field`` names the argument); nothing was sent.
    """
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
    """Add one of your own M-PESA numbers as a settlement (v1) or transfer (v2) account.

    The account has no lifecycle: waiting on the returned handle returns at the first read. Its id
    (``handle.id``) is the ``destination_reference`` of ``settle_funds`` and the ``reference`` of
    :func:`~k2connect_ext.merchant_wallet_destination`.

    Args:
        first_name: the number's holder's first name.
        last_name: their last name.
        phone_number: the Safaricom number, in any usual form (``"+254712345678"``, ``"0712345678"``...).
        network: ``"Safaricom"``, the only network K2 pays to.
        nickname: a name of your own for the account (optional).
        version: ``"v1"`` (default: a settlement account) or ``"v2"`` (a transfer account).

    Returns:
        The checked request, for ``K2.add_merchant_wallet`` to send.

    Raises:
        K2InputError: a blank name, a number that is not a Kenyan mobile number, another network or an
            unknown version (``field`` names the argument); nothing was sent.
    """
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
    """Add one of your own bank accounts as a settlement (v1) or transfer (v2) account.

    The account has no lifecycle: waiting on the returned handle returns at the first read. Its id
    (``handle.id``) is the ``destination_reference`` of ``settle_funds`` and the ``reference`` of
    :func:`~k2connect_ext.merchant_bank_account_destination`.

    Args:
        account_name: the account's name.
        account_number: its number.
        bank_branch_ref: the bank branch's reference, from K2's list of banks and branches.
        settlement_method: ``"EFT"`` (default: next business day) or ``"RTS"`` (real time), any case.
        nickname: a name of your own for the account (optional).
        version: ``"v1"`` (default: a settlement account) or ``"v2"`` (a transfer account).

    Returns:
        The checked request, for ``K2.add_merchant_bank_account`` to send.

    Raises:
        K2InputError: a blank name, number or branch, another settlement method or an unknown version
            (``field`` names the argument); nothing was sent.
    """
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
    """Move money from your K2 balance to your own accounts (a v1 settlement transfer).

    A blind transfer (no destination) goes to your default settlement accounts; a targeted one to the
    account named by ``destination_type`` and ``destination_reference``. Without ``amount`` the whole
    available balance is settled.

    Args:
        callback_url: where K2 POSTs the result: an https URL K2 can reach (plain http only to loopback,
            for the local sandbox).
        amount: the sum to settle (``str``, ``int`` or ``Decimal``, at most 2 decimal places, above zero);
            ``None`` (default) settles the whole available balance.
        currency: ``"KES"``, the only currency K2 takes.
        destination_type: ``"merchant_wallet"`` or ``"merchant_bank_account"``, for a targeted transfer.
        destination_reference: that account's id (``handle.id`` of ``add_merchant_wallet`` or
            ``add_merchant_bank_account``), for a targeted transfer.

    Returns:
        The checked request, for ``K2.settle_funds`` to send.

    Raises:
        K2InputError: only one of ``destination_type`` and ``destination_reference``, an unknown destination
            type, an amount or currency K2 would refuse, or a bad callback URL (``field`` names the
            argument); nothing was sent.
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
    """Ask K2 for the transactions you received between two times (the results arrive by callback).

    Use it to find payments whose webhooks you missed. The returned handle's ``wait()`` gives the
    ``PollingResult`` once K2 has gathered them.

    Args:
        from_time: the start, a timezone-aware ``datetime``.
        to_time: the end, a timezone-aware ``datetime`` not before ``from_time``.
        callback_url: where K2 POSTs the transactions: an https URL K2 can reach (plain http only to
            loopback, for the local sandbox).
        scope: ``"company"`` (default: every till) or ``"till"`` (one till), any case.
        scope_reference: the till number, required for ``scope="till"`` (ignored for ``"company"``).
        version: the API version, ``"v2"`` (default) or ``"v1"``.

    Returns:
        The checked request, for ``K2.poll_transactions`` to send.

    Raises:
        K2InputError: a naive datetime, ``from_time`` after ``to_time``, an unknown scope, a till scope
            without its till, or a bad callback URL (``field`` names the argument); nothing was sent.
    """
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
    """A payment to an M-PESA number, for ``send_money``'s ``destinations``.

    Args:
        phone_number: the Safaricom number, in any usual form (``"+254712345678"``, ``"254712345678"``,
            ``"0712345678"``); sent as ``2547XXXXXXXX``, the form K2 matches.
        amount: the sum in ``currency`` (Kenyan shillings), as a ``str`` (``"100.50"``), ``int`` or
            ``Decimal``; a ``float`` is read through ``str()``. Refused: zero or less, more than 2 decimal
            places, a bool, NaN or infinity, anything that is not a number.
        description: what the payment is for (required).
        network: ``"Safaricom"``, the only network K2 pays to.
        nickname: a name of your own for the number (optional).
        favourite: whether K2 keeps it among your favourite destinations (optional).

    Returns:
        The destination, checked.

    Raises:
        K2InputError: a number that is not a Kenyan mobile number, an amount K2 would refuse, a blank
            description, another network, or a ``favourite`` that is not a bool (``field`` names it).
    """
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
    """A payment to a bank account, for ``send_money``'s ``destinations``.

    Args:
        account_name: the account's name.
        account_number: its number.
        bank_branch_ref: the bank branch's reference, from K2's list of banks and branches.
        amount: the sum in ``currency`` (Kenyan shillings), as a ``str`` (``"100.50"``), ``int`` or
            ``Decimal``; a ``float`` is read through ``str()``. Refused: zero or less, more than 2 decimal
            places, a bool, NaN or infinity, anything that is not a number.
        description: what the payment is for (required).
        settlement_method: ``"EFT"`` (next business day) or ``"RTS"`` (real time); K2's default if None.
        nickname: a name of your own for the account (optional).
        favourite: whether K2 keeps it among your favourite destinations (optional).

    Returns:
        The destination, checked.

    Raises:
        K2InputError: a blank name, number, branch or description, an amount K2 would refuse, another
            settlement method, or a ``favourite`` that is not a bool (``field`` names it).
    """
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
    """A payment to a till (buy goods), for ``send_money``'s ``destinations``.

    Args:
        till_number: the till's number.
        amount: the sum in ``currency`` (Kenyan shillings), as a ``str`` (``"100.50"``), ``int`` or
            ``Decimal``; a ``float`` is read through ``str()``. Refused: zero or less, more than 2 decimal
            places, a bool, NaN or infinity, anything that is not a number.
        description: what the payment is for (required).
        nickname: a name of your own for the till (optional).
        favourite: whether K2 keeps it among your favourite destinations (optional).

    Returns:
        The destination, checked.

    Raises:
        K2InputError: a blank till number or description, an amount K2 would refuse, or a ``favourite``
            that is not a bool (``field`` names it).
    """
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
    """A payment to a paybill, under an account number, for ``send_money``'s ``destinations``.

    Args:
        paybill_number: the paybill's business number.
        paybill_account_number: the account number to pay it under.
        amount: the sum in ``currency`` (Kenyan shillings), as a ``str`` (``"100.50"``), ``int`` or
            ``Decimal``; a ``float`` is read through ``str()``. Refused: zero or less, more than 2 decimal
            places, a bool, NaN or infinity, anything that is not a number.
        description: what the payment is for (required).
        nickname: a name of your own for the paybill (optional).
        favourite: whether K2 keeps it among your favourite destinations (optional).

    Returns:
        The destination, checked.

    Raises:
        K2InputError: a blank number, account number or description, an amount K2 would refuse, or a
            ``favourite`` that is not a bool (``field`` names it).
    """
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
    """A transfer to one of your own M-PESA accounts, for ``send_money``'s ``destinations``.

    Args:
        reference: the account's id: ``handle.id`` of ``add_merchant_wallet(..., version="v2")``.
        amount: the sum in ``currency`` (Kenyan shillings), as a ``str`` (``"100.50"``), ``int`` or
            ``Decimal``; a ``float`` is read through ``str()``. Refused: zero or less, more than 2 decimal
            places, a bool, NaN or infinity, anything that is not a number.
        description: what the transfer is for (optional).

    Returns:
        The destination, checked.

    Raises:
        K2InputError: a blank reference, or an amount K2 would refuse (``field`` names it).
    """
    return _m.MerchantWalletDestination(
        type_="merchant_wallet",
        reference=validate_required(reference, "reference"),
        amount=_money(amount, "amount"),
        description=_optional(description, "description"),
    )


def merchant_bank_account_destination(
    reference: str, amount: Decimal | int | str | float, *, description: str | None = None
) -> MerchantBankAccountDestination:
    """A transfer to one of your own bank accounts, for ``send_money``'s ``destinations``.

    Args:
        reference: the account's id: ``handle.id`` of ``add_merchant_bank_account(..., version="v2")``.
        amount: the sum in ``currency`` (Kenyan shillings), as a ``str`` (``"100.50"``), ``int`` or
            ``Decimal``; a ``float`` is read through ``str()``. Refused: zero or less, more than 2 decimal
            places, a bool, NaN or infinity, anything that is not a number.
        description: what the transfer is for (optional).

    Returns:
        The destination, checked.

    Raises:
        K2InputError: a blank reference, or an amount K2 would refuse (``field`` names it).
    """
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
    """Pay one or more destinations in one request (v2): M-PESA numbers, bank accounts, tills, paybills.

    Build each destination with :func:`~k2connect_ext.mobile_wallet_destination`,
    :func:`~k2connect_ext.bank_account_destination`, :func:`~k2connect_ext.till_destination`,
    :func:`~k2connect_ext.paybill_destination`, :func:`~k2connect_ext.merchant_wallet_destination` or
    :func:`~k2connect_ext.merchant_bank_account_destination`; each carries its own amount. With no
    destination, the balance is swept to your own accounts. ``wait()`` on the returned handle gives the
    ``SendMoneyResult`` once K2 reports it processed or failed.

    Args:
        callback_url: where K2 POSTs the result: an https URL K2 can reach (plain http only to loopback,
            for the local sandbox).
        destinations: the payments to make, a list; empty sweeps the balance to your own accounts.
        source_identifier: which of your accounts pays (optional; K2's default otherwise).
        currency: ``"KES"``, the only currency K2 takes.
        metadata: up to 5 pairs of your own that K2 echoes back in the result.

    Returns:
        The checked request, for ``K2.send_money`` to send.

    Raises:
        K2InputError: ``destinations`` is not a list of destinations, or a bad currency, callback URL or
            metadata (``field`` names the argument); nothing was sent.
    """
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
    """Give back a payment you received (C2B or B2B) in the last 30 days (v2).

    Args:
        transaction_reference: the M-PESA reference of the transaction to reverse.
        reason: why (line breaks allowed).
        callback_url: where K2 POSTs the result: an https URL K2 can reach (plain http only to loopback,
            for the local sandbox).
        metadata: up to 5 pairs of your own that K2 echoes back in the result.

    Returns:
        The checked request, for ``K2.reverse_transaction`` to send.

    Raises:
        K2InputError: a blank reference or reason, or a bad callback URL or metadata (``field`` names the
            argument); nothing was sent.
    """
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
    """Make a link a customer pays through (v2); the result arrives at ``callback_url`` once it is paid.

    The link's URL is in the ``PaymentLinkResult`` (``handle.fetch()``). ``wait()`` returns once it is paid
    (or failed, cancelled or expired), so give it a ``timeout`` that fits. Cancel an unpaid link with
    ``cancel_payment_link``.

    Args:
        till_number: the till the payment goes to.
        amount: the sum in ``currency`` (Kenyan shillings), as a ``str`` (``"100.50"``), ``int`` or
            ``Decimal``; a ``float`` is read through ``str()``. Refused: zero or less, more than 2 decimal
            places, a bool, NaN or infinity, anything that is not a number.
        callback_url: where K2 POSTs the result: an https URL K2 can reach (plain http only to loopback,
            for the local sandbox).
        currency: ``"KES"``, the only currency K2 takes.
        payment_reference: a reference of your own shown with the payment (optional).
        note: a note for the customer (optional; line breaks allowed).
        metadata: up to 5 pairs of your own that K2 echoes back in the result.

    Returns:
        The checked request, for ``K2.create_payment_link`` to send.

    Raises:
        K2InputError: a blank till number, an amount or currency K2 would refuse, a bad callback URL or
            metadata (``field`` names the argument); nothing was sent.
    """
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
