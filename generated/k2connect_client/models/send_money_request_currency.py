from typing import Literal

SendMoneyRequestCurrency = Literal["KES"]

SEND_MONEY_REQUEST_CURRENCY_VALUES: set[SendMoneyRequestCurrency] = {
    "KES",
}


def check_send_money_request_currency(value: str) -> SendMoneyRequestCurrency:
    if value in SEND_MONEY_REQUEST_CURRENCY_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SEND_MONEY_REQUEST_CURRENCY_VALUES!r}")
