from typing import Literal

WebhookEventType = Literal[
    "b2b_transaction_received",
    "b2b_transaction_reversed",
    "buygoods_transaction_received",
    "buygoods_transaction_reversed",
    "card_transaction_received",
    "card_transaction_reversed",
    "card_transaction_voided",
    "customer_created",
    "m2m_transaction_received",
    "settlement_transfer_completed",
]

WEBHOOK_EVENT_TYPE_VALUES: set[WebhookEventType] = {
    "b2b_transaction_received",
    "b2b_transaction_reversed",
    "buygoods_transaction_received",
    "buygoods_transaction_reversed",
    "card_transaction_received",
    "card_transaction_reversed",
    "card_transaction_voided",
    "customer_created",
    "m2m_transaction_received",
    "settlement_transfer_completed",
}


def check_webhook_event_type(value: str) -> WebhookEventType:
    if value in WEBHOOK_EVENT_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {WEBHOOK_EVENT_TYPE_VALUES!r}")
