from typing import Literal

PaymentRequestDestinationType = Literal["bank_account", "mobile_wallet", "paybill", "till"]

PAYMENT_REQUEST_DESTINATION_TYPE_VALUES: set[PaymentRequestDestinationType] = {
    "bank_account",
    "mobile_wallet",
    "paybill",
    "till",
}


def check_payment_request_destination_type(value: str) -> PaymentRequestDestinationType:
    if value in PAYMENT_REQUEST_DESTINATION_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {PAYMENT_REQUEST_DESTINATION_TYPE_VALUES!r}")
