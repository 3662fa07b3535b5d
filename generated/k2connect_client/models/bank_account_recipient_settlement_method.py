from typing import Literal

BankAccountRecipientSettlementMethod = Literal["EFT", "RTS"]

BANK_ACCOUNT_RECIPIENT_SETTLEMENT_METHOD_VALUES: set[BankAccountRecipientSettlementMethod] = {
    "EFT",
    "RTS",
}


def check_bank_account_recipient_settlement_method(value: str) -> BankAccountRecipientSettlementMethod:
    if value in BANK_ACCOUNT_RECIPIENT_SETTLEMENT_METHOD_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {BANK_ACCOUNT_RECIPIENT_SETTLEMENT_METHOD_VALUES!r}")
