from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.buygoods_transaction_resource import BuygoodsTransactionResource


T = TypeVar("T", bound="PolledBuygoodsTransaction")


@_attrs_define
class PolledBuygoodsTransaction:
    type_: Literal["Buygoods Transaction"]
    resource: BuygoodsTransactionResource | Unset = UNSET
    """ A till (buy goods) payment, as in buygoods webhooks and polling results. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        resource: dict[str, Any] | Unset = UNSET
        if not isinstance(self.resource, Unset):
            resource = self.resource.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
            }
        )
        if resource is not UNSET:
            field_dict["resource"] = resource

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.buygoods_transaction_resource import BuygoodsTransactionResource

        d = dict(src_dict)
        type_ = cast(Literal["Buygoods Transaction"], d.pop("type"))
        if type_ != "Buygoods Transaction":
            raise ValueError(f"type must match const 'Buygoods Transaction', got '{type_}'")

        _resource = d.pop("resource", UNSET)
        resource: BuygoodsTransactionResource | Unset
        if isinstance(_resource, Unset):
            resource = UNSET
        else:
            resource = BuygoodsTransactionResource.from_dict(_resource)

        polled_buygoods_transaction = cls(
            type_=type_,
            resource=resource,
        )

        polled_buygoods_transaction.additional_properties = d
        return polled_buygoods_transaction

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
