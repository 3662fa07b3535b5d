from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.settlement_mobile_wallet import SettlementMobileWallet


T = TypeVar("T", bound="SettlementMobileWalletDestination")


@_attrs_define
class SettlementMobileWalletDestination:
    type_: Literal["Mobile Wallet"]
    resource: SettlementMobileWallet
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        resource = self.resource.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "resource": resource,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.settlement_mobile_wallet import SettlementMobileWallet

        d = dict(src_dict)
        type_ = cast(Literal["Mobile Wallet"], d.pop("type"))
        if type_ != "Mobile Wallet":
            raise ValueError(f"type must match const 'Mobile Wallet', got '{type_}'")

        resource = SettlementMobileWallet.from_dict(d.pop("resource"))

        settlement_mobile_wallet_destination = cls(
            type_=type_,
            resource=resource,
        )

        settlement_mobile_wallet_destination.additional_properties = d
        return settlement_mobile_wallet_destination

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
