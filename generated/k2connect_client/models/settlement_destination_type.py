from typing import Literal

SettlementDestinationType = Literal["merchant_bank_account", "merchant_wallet"]

SETTLEMENT_DESTINATION_TYPE_VALUES: set[SettlementDestinationType] = {
    "merchant_bank_account",
    "merchant_wallet",
}


def check_settlement_destination_type(value: str) -> SettlementDestinationType:
    if value in SETTLEMENT_DESTINATION_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SETTLEMENT_DESTINATION_TYPE_VALUES!r}")
