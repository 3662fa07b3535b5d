from typing import Literal

MerchantBankAccountRequestSettlementMethod = Literal["EFT", "RTS"]

MERCHANT_BANK_ACCOUNT_REQUEST_SETTLEMENT_METHOD_VALUES: set[MerchantBankAccountRequestSettlementMethod] = {
    "EFT",
    "RTS",
}


def check_merchant_bank_account_request_settlement_method(value: str) -> MerchantBankAccountRequestSettlementMethod:
    if value in MERCHANT_BANK_ACCOUNT_REQUEST_SETTLEMENT_METHOD_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {MERCHANT_BANK_ACCOUNT_REQUEST_SETTLEMENT_METHOD_VALUES!r}"
    )
