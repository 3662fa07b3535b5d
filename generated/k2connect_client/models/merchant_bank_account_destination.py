from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="MerchantBankAccountDestination")


@_attrs_define
class MerchantBankAccountDestination:
    type_: Literal["merchant_bank_account"]
    reference: str
    amount: float | str
    description: None | str | Unset = UNSET
    nickname: None | str | Unset = UNSET
    favourite: bool | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        reference = self.reference

        amount: float | str
        amount = self.amount

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

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
                "reference": reference,
                "amount": amount,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if nickname is not UNSET:
            field_dict["nickname"] = nickname
        if favourite is not UNSET:
            field_dict["favourite"] = favourite

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        type_ = cast(Literal["merchant_bank_account"], d.pop("type"))
        if type_ != "merchant_bank_account":
            raise ValueError(f"type must match const 'merchant_bank_account', got '{type_}'")

        reference = d.pop("reference")

        def _parse_amount(data: object) -> float | str:
            return cast(float | str, data)

        amount = _parse_amount(d.pop("amount"))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

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

        merchant_bank_account_destination = cls(
            type_=type_,
            reference=reference,
            amount=amount,
            description=description,
            nickname=nickname,
            favourite=favourite,
        )

        merchant_bank_account_destination.additional_properties = d
        return merchant_bank_account_destination

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
