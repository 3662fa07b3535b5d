from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.send_money_attributes import SendMoneyAttributes


T = TypeVar("T", bound="SendMoneyData")


@_attrs_define
class SendMoneyData:
    id: str
    type_: str
    """ "send_money". """
    attributes: SendMoneyAttributes
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        type_ = self.type_

        attributes = self.attributes.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "type": type_,
                "attributes": attributes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.send_money_attributes import SendMoneyAttributes

        d = dict(src_dict)
        id = d.pop("id")

        type_ = d.pop("type")

        attributes = SendMoneyAttributes.from_dict(d.pop("attributes"))

        send_money_data = cls(
            id=id,
            type_=type_,
            attributes=attributes,
        )

        send_money_data.additional_properties = d
        return send_money_data

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
