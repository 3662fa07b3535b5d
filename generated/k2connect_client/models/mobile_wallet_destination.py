from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="MobileWalletDestination")


@_attrs_define
class MobileWalletDestination:
    type_: Literal["mobile_wallet"]
    phone_number: str
    """ 254 and 9 digits, no leading +: Ruby 4.x enforces exactly this in the commit titled "match Core", the one
    source that says it mirrors the server. PHP's v2 branch also lets a leading + through and Python 2.x lets
    07XXXXXXXX through, but those are looser client-side checks, not evidence that K2 accepts them. """
    network: None | str
    """ "Safaricom". Ruby 4.x sends null when the caller gives none. """
    amount: float | str
    description: str
    nickname: None | str | Unset = UNSET
    favourite: bool | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        phone_number = self.phone_number

        network: None | str
        network = self.network

        amount: float | str
        amount = self.amount

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
                "phone_number": phone_number,
                "network": network,
                "amount": amount,
                "description": description,
            }
        )
        if nickname is not UNSET:
            field_dict["nickname"] = nickname
        if favourite is not UNSET:
            field_dict["favourite"] = favourite

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        type_ = cast(Literal["mobile_wallet"], d.pop("type"))
        if type_ != "mobile_wallet":
            raise ValueError(f"type must match const 'mobile_wallet', got '{type_}'")

        phone_number = d.pop("phone_number")

        def _parse_network(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        network = _parse_network(d.pop("network"))

        def _parse_amount(data: object) -> float | str:
            return cast(float | str, data)

        amount = _parse_amount(d.pop("amount"))

        description = d.pop("description")

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

        mobile_wallet_destination = cls(
            type_=type_,
            phone_number=phone_number,
            network=network,
            amount=amount,
            description=description,
            nickname=nickname,
            favourite=favourite,
        )

        mobile_wallet_destination.additional_properties = d
        return mobile_wallet_destination

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
