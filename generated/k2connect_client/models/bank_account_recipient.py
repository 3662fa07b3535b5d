from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.bank_account_recipient_settlement_method import (
    BankAccountRecipientSettlementMethod,
    check_bank_account_recipient_settlement_method,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="BankAccountRecipient")


@_attrs_define
class BankAccountRecipient:
    account_name: str
    account_number: str
    bank_branch_ref: str
    settlement_method: BankAccountRecipientSettlementMethod | Unset = UNSET
    nickname: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        account_name = self.account_name

        account_number = self.account_number

        bank_branch_ref = self.bank_branch_ref

        settlement_method: str | Unset = UNSET
        if not isinstance(self.settlement_method, Unset):
            settlement_method = self.settlement_method

        nickname: None | str | Unset
        if isinstance(self.nickname, Unset):
            nickname = UNSET
        else:
            nickname = self.nickname

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "account_name": account_name,
                "account_number": account_number,
                "bank_branch_ref": bank_branch_ref,
            }
        )
        if settlement_method is not UNSET:
            field_dict["settlement_method"] = settlement_method
        if nickname is not UNSET:
            field_dict["nickname"] = nickname

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        account_name = d.pop("account_name")

        account_number = d.pop("account_number")

        bank_branch_ref = d.pop("bank_branch_ref")

        _settlement_method = d.pop("settlement_method", UNSET)
        settlement_method: BankAccountRecipientSettlementMethod | Unset
        if isinstance(_settlement_method, Unset):
            settlement_method = UNSET
        else:
            settlement_method = check_bank_account_recipient_settlement_method(_settlement_method)

        def _parse_nickname(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        nickname = _parse_nickname(d.pop("nickname", UNSET))

        bank_account_recipient = cls(
            account_name=account_name,
            account_number=account_number,
            bank_branch_ref=bank_branch_ref,
            settlement_method=settlement_method,
            nickname=nickname,
        )

        bank_account_recipient.additional_properties = d
        return bank_account_recipient

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
