from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="BankAccountDestination")


@_attrs_define
class BankAccountDestination:
    type_: Literal["bank_account"]
    account_name: str
    account_number: str
    bank_branch_ref: str
    amount: float | str
    description: str
    settlement_method: None | str | Unset = UNSET
    nickname: None | str | Unset = UNSET
    favourite: bool | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        account_name = self.account_name

        account_number = self.account_number

        bank_branch_ref = self.bank_branch_ref

        amount: float | str
        amount = self.amount

        description = self.description

        settlement_method: None | str | Unset
        if isinstance(self.settlement_method, Unset):
            settlement_method = UNSET
        else:
            settlement_method = self.settlement_method

        nickname: None | str | Unset
        if isinstance(self.nickname, Unset):
            nickname = UNSET
        else:
            nickname = self.nickname

        favourite: bool | None | Unset
        if isinstance(self.favourite, Unset):
            favourite = UNSET
        else:
            favourite = self.favourite

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "account_name": account_name,
                "account_number": account_number,
                "bank_branch_ref": bank_branch_ref,
                "amount": amount,
                "description": description,
            }
        )
        if settlement_method is not UNSET:
            field_dict["settlement_method"] = settlement_method
        if nickname is not UNSET:
            field_dict["nickname"] = nickname
        if favourite is not UNSET:
            field_dict["favourite"] = favourite

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        type_ = cast(Literal["bank_account"], d.pop("type"))
        if type_ != "bank_account":
            raise ValueError(f"type must match const 'bank_account', got '{type_}'")

        account_name = d.pop("account_name")

        account_number = d.pop("account_number")

        bank_branch_ref = d.pop("bank_branch_ref")

        def _parse_amount(data: object) -> float | str:
            return cast(float | str, data)

        amount = _parse_amount(d.pop("amount"))

        description = d.pop("description")

        def _parse_settlement_method(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        settlement_method = _parse_settlement_method(d.pop("settlement_method", UNSET))

        def _parse_nickname(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        nickname = _parse_nickname(d.pop("nickname", UNSET))

        def _parse_favourite(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        favourite = _parse_favourite(d.pop("favourite", UNSET))

        bank_account_destination = cls(
            type_=type_,
            account_name=account_name,
            account_number=account_number,
            bank_branch_ref=bank_branch_ref,
            amount=amount,
            description=description,
            settlement_method=settlement_method,
            nickname=nickname,
            favourite=favourite,
        )

        bank_account_destination.additional_properties = d
        return bank_account_destination

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
