"""What a type checker sees of the public API, checked by ``mypy --strict`` (``make typecheck``).

Nothing here runs: the functions are only type-checked (the module is not collected by pytest).
``assert_type`` pins what each call returns; a ``# type: ignore[...]`` marks a call that must be refused, and
mypy's ``warn_unused_ignores`` (on under --strict) fails the check if such a call ever becomes acceptable.
"""

from __future__ import annotations

import datetime as dt
from typing import assert_type

from k2connect_client import AuthenticatedClient
from k2connect_client.models import (
    IncomingPaymentResult,
    IntrospectResponse,
    MerchantAccount,
    PaymentLinkResult,
    PaymentResult,
    PollingResult,
    Recipient,
    ReversalResult,
    SendMoneyResult,
    SettlementTransferResult,
    TokenInfoResponse,
    TransactionSmsNotificationResult,
    WebhookSubscription,
)
from k2connect_client.registry import ResourceKind

import k2connect_ext
from k2connect_ext import (
    K2,
    AccessToken,
    AsyncCreated,
    AsyncK2,
    Created,
    K2AmbiguousOutcomeError,
    K2APIError,
    K2Error,
    K2Options,
    K2UnexpectedResponseError,
    LocationRef,
    Resource,
    State,
    async_connect,
    connect,
    mobile_wallet_destination,
    parse_location,
)
from k2connect_ext.webhooks import K2Event, WebhookTopic, construct_event, verify_signature

CB = "https://example.com/k2/result"
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def check_creates(k2: K2) -> None:
    """Each create returns the handle of the model its Location reads; wait() and fetch() return it."""
    stk = k2.stk_push(phone_number="0712345678", amount=100, till_number="K000000", callback_url=CB)
    assert_type(stk, Created[IncomingPaymentResult])
    assert_type(stk.wait(), IncomingPaymentResult)
    assert_type(stk.fetch(), IncomingPaymentResult)
    assert_type(k2.get(stk), IncomingPaymentResult)
    assert_type(k2.wait_for(stk, timeout=5), IncomingPaymentResult)
    assert_type(k2.get(stk.location), Resource)
    assert_type(k2.wait_for(stk.location), Resource)
    assert_type(k2.subscribe_webhook("customer_created", CB), Created[WebhookSubscription])
    assert_type(
        k2.send_sms_notification("event-id", "Thank you", CB), Created[TransactionSmsNotificationResult]
    )
    assert_type(k2.add_recipient("till", till_number="123", till_name="Shop"), Created[Recipient])
    assert_type(
        k2.create_payment(
            destination_type="till",
            destination_reference="r",
            amount="10",
            description="d",
            callback_url=CB,
        ),
        Created[PaymentResult],
    )
    assert_type(
        k2.add_merchant_wallet(first_name="A", last_name="B", phone_number="0712345678"),
        Created[MerchantAccount],
    )
    assert_type(
        k2.add_merchant_bank_account(account_name="A", account_number="1", bank_branch_ref="b"),
        Created[MerchantAccount],
    )
    assert_type(k2.settle_funds(callback_url=CB), Created[SettlementTransferResult])
    assert_type(k2.poll_transactions(from_time=NOW, to_time=NOW, callback_url=CB), Created[PollingResult])
    destination = mobile_wallet_destination("0712345678", 10, "salary")
    assert_type(k2.send_money(callback_url=CB, destinations=[destination]), Created[SendMoneyResult])
    assert_type(
        k2.reverse_transaction(transaction_reference="t", reason="r", callback_url=CB),
        Created[ReversalResult],
    )
    assert_type(
        k2.create_payment_link(till_number="K000000", amount=10, callback_url=CB), Created[PaymentLinkResult]
    )
    assert_type(k2.cancel_payment_link("link-id"), str)
    assert_type(k2.token(), AccessToken)
    assert_type(k2.introspect_token(), IntrospectResponse)
    assert_type(k2.token_info(), TokenInfoResponse)
    assert_type(k2.api_key, str | None)
    assert_type(k2.construct_event(b"{}", "0" * 64), K2Event)


async def check_async_creates(k2: AsyncK2) -> None:
    """The asyncio twin types the same way, awaited."""
    stk = await k2.stk_push(phone_number="0712345678", amount=100, till_number="K000000", callback_url=CB)
    assert_type(stk, AsyncCreated[IncomingPaymentResult])
    assert_type(await stk.wait(), IncomingPaymentResult)
    assert_type(await stk.fetch(), IncomingPaymentResult)
    assert_type(await k2.get(stk), IncomingPaymentResult)
    assert_type(await k2.wait_for(stk), IncomingPaymentResult)
    assert_type(await k2.get(stk.location), Resource)
    assert_type(await k2.token(), AccessToken)
    assert_type(k2.construct_event(b"{}", None), K2Event)


def check_literals(k2: K2) -> None:
    """Parameters that take a fixed set refuse anything else before the code runs."""
    k2.subscribe_webhook("customer_created", CB, version="v1")
    k2.subscribe_webhook(WebhookTopic.CUSTOMER_CREATED, CB, scope="company")
    k2.subscribe_webhook("customer_updated", CB)  # type: ignore[arg-type]
    k2.subscribe_webhook("customer_created", CB, version="v3")  # type: ignore[arg-type]
    k2.subscribe_webhook("customer_created", CB, scope="shop")  # type: ignore[arg-type]
    k2.add_recipient("wallet", till_number="1")  # type: ignore[arg-type]
    k2.settle_funds(callback_url=CB, destination_type="till")  # type: ignore[arg-type]


def check_options() -> None:
    """K2, AsyncK2, connect() and async_connect() take the same options, listed once in K2Options."""
    options: K2Options = {"base_url": "http://127.0.0.1:8000", "timeout": 10.0, "api_key": "key"}
    assert_type(K2("id", "secret", **options), K2)
    assert_type(AsyncK2("id", "secret", http_backend="aiohttp", **options), AsyncK2)
    assert_type(connect("id", "secret", **options), AuthenticatedClient)
    assert_type(async_connect("id", "secret", **options), AuthenticatedClient)
    K2("id", "secret", base_url=3)  # type: ignore[arg-type]
    K2("id", "secret", base_uri="https://x")  # type: ignore[call-arg]
    AsyncK2(http_backend="curl")  # type: ignore[arg-type]
    # Each option is a typed keyword to a type checker (help() shows them through __signature__): a
    # misspelt one, or one of the wrong type, is an error on every builder.
    K2(token_skew=30.0, clock=lambda: 0.0, timeout=10, limits=None, ledger="sqlite:///payouts.db")
    AsyncK2(timout=10)  # type: ignore[call-arg]
    connect(tokn_skew=30.0)  # type: ignore[call-arg]
    async_connect(ledgr="sqlite:///payouts.db")  # type: ignore[call-arg]
    AsyncK2(token_skew="soon")  # type: ignore[arg-type]
    connect(limits=100)  # type: ignore[arg-type]


def check_webhooks(k2: K2) -> None:
    """Webhook helpers take one key, several, or a client whose key to use."""
    assert_type(construct_event(b"{}", "sig", "key"), K2Event)
    assert_type(construct_event(b"{}", "sig", ["new", "old"]), K2Event)
    verify_signature(b"{}", "sig", k2)
    verify_signature("{}", "sig", "key")  # type: ignore[arg-type]


def check_errors(error: K2Error) -> None:
    """The unexpected-response error is outside the status ladder and carries an optional status."""
    if isinstance(error, K2UnexpectedResponseError):
        assert_type(error.status_code, int | None)
    if isinstance(error, K2APIError):
        assert_type(error.status_code, int)
    if isinstance(error, K2AmbiguousOutcomeError):
        assert_type(error.location, str | None)


def check_locations() -> None:
    """Locations parse to a typed reference; the outcome states are an enum."""
    ref = parse_location("https://sandbox.kopokopo.com/api/v2/incoming_payments/abc")
    assert_type(ref, LocationRef)
    assert_type(ref.kind, ResourceKind)
    assert_type(k2connect_ext.state_of("incoming_payment", "Success"), State)
