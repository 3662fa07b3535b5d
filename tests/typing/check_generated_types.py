"""The validators hand on the generated Literals, checked by ``mypy --strict`` (``make typecheck``).

Nothing here runs (the module is not collected by pytest). Each ``assert_type`` pins a validator's return
type to the Literal the generator emits for the spec's enum, so a builder passes it to the generated model
without a cast, and a value the spec drops fails type checking instead of a payment.
"""

from __future__ import annotations

from typing import assert_type

from k2connect_client.models.amount_currency import AmountCurrency
from k2connect_client.models.bank_account_recipient_settlement_method import (
    BankAccountRecipientSettlementMethod,
)
from k2connect_client.models.payment_request_destination_type import (
    PAYMENT_REQUEST_DESTINATION_TYPE_VALUES,
    PaymentRequestDestinationType,
)
from k2connect_client.models.webhook_subscription_request_scope import WebhookSubscriptionRequestScope
from k2connect_client.models.webhook_v1_event_type import WebhookV1EventType
from k2connect_client.models.webhook_v2_event_type import WebhookV2EventType

from k2connect_ext._validation import (
    is_one_of,
    validate_currency,
    validate_settlement_method,
    validate_subscription,
    validate_v1_event_type,
    validate_v2_event_type,
)


def check_validators() -> None:
    """Each validator returns the generated Literal of its field."""
    assert_type(validate_currency("kes"), AmountCurrency)
    assert_type(validate_settlement_method("rts"), BankAccountRecipientSettlementMethod)
    assert_type(
        validate_subscription("customer_created", "company", None),
        tuple[WebhookSubscriptionRequestScope, str | None],
    )
    assert_type(validate_v1_event_type("customer_created"), WebhookV1EventType)
    assert_type(validate_v2_event_type("customer_created"), WebhookV2EventType)


def check_membership_narrows(value: str) -> None:
    """A membership check against a generated value set narrows a string to that set's Literal."""
    if is_one_of(value, PAYMENT_REQUEST_DESTINATION_TYPE_VALUES):
        assert_type(value, PaymentRequestDestinationType)
