from typing import Literal

PaymentLinkRequestCurrency = Literal["KES"]

PAYMENT_LINK_REQUEST_CURRENCY_VALUES: set[PaymentLinkRequestCurrency] = {
    "KES",
}


def check_payment_link_request_currency(value: str) -> PaymentLinkRequestCurrency:
    if value in PAYMENT_LINK_REQUEST_CURRENCY_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {PAYMENT_LINK_REQUEST_CURRENCY_VALUES!r}")
