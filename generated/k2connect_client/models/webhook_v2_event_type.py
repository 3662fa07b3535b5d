from typing import Literal

WebhookV2EventType = Literal[
    "b2b_transaction_received",
    "b2b_transaction_reversed",
    "buygoods_transaction_received",
    "buygoods_transaction_reversed",
    "card_transaction_received",
    "card_transaction_reversed",
    "card_transaction_voided",
    "customer_created",
    "settlement_transfer_completed",
]

WEBHOOK_V2_EVENT_TYPE_VALUES: set[WebhookV2EventType] = {
    "b2b_transaction_received",
    "b2b_transaction_reversed",
    "buygoods_transaction_received",
    "buygoods_transaction_reversed",
    "card_transaction_received",
    "card_transaction_reversed",
    "card_transaction_voided",
    "customer_created",
    "settlement_transfer_completed",
}


def check_webhook_v2_event_type(value: str) -> WebhookV2EventType:
    if value in WEBHOOK_V2_EVENT_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {WEBHOOK_V2_EVENT_TYPE_VALUES!r}")
