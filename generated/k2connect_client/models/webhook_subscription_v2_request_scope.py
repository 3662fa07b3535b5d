from typing import Literal

WebhookSubscriptionV2RequestScope = Literal["company", "till"]

WEBHOOK_SUBSCRIPTION_V2_REQUEST_SCOPE_VALUES: set[WebhookSubscriptionV2RequestScope] = {
    "company",
    "till",
}


def check_webhook_subscription_v2_request_scope(value: str) -> WebhookSubscriptionV2RequestScope:
    if value in WEBHOOK_SUBSCRIPTION_V2_REQUEST_SCOPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {WEBHOOK_SUBSCRIPTION_V2_REQUEST_SCOPE_VALUES!r}")
