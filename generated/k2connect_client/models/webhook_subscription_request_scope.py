from typing import Literal

WebhookSubscriptionRequestScope = Literal["company", "till"]

WEBHOOK_SUBSCRIPTION_REQUEST_SCOPE_VALUES: set[WebhookSubscriptionRequestScope] = {
    "company",
    "till",
}


def check_webhook_subscription_request_scope(value: str) -> WebhookSubscriptionRequestScope:
    if value in WEBHOOK_SUBSCRIPTION_REQUEST_SCOPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {WEBHOOK_SUBSCRIPTION_REQUEST_SCOPE_VALUES!r}")
