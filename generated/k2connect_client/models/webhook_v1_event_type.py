from typing import Literal

WebhookV1EventType = Literal[
    "b2b_transaction_received",
    "buygoods_transaction_received",
    "buygoods_transaction_reversed",
    "customer_created",
    "m2m_transaction_received",
    "settlement_transfer_completed",
]

WEBHOOK_V1_EVENT_TYPE_VALUES: set[WebhookV1EventType] = {
    "b2b_transaction_received",
    "buygoods_transaction_received",
    "buygoods_transaction_reversed",
    "customer_created",
    "m2m_transaction_received",
    "settlement_transfer_completed",
}


def check_webhook_v1_event_type(value: str) -> WebhookV1EventType:
    if value in WEBHOOK_V1_EVENT_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {WEBHOOK_V1_EVENT_TYPE_VALUES!r}")
