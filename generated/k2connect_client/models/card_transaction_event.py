from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.card_transaction_resource import CardTransactionResource


T = TypeVar("T", bound="CardTransactionEvent")


@_attrs_define
class CardTransactionEvent:
    """The event of a card webhook. Its type string is an assumption."""

    type_: str
    resource: CardTransactionResource
    """ A card payment at a till (no K2 sample exists; fields from the Ruby SDK). """
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
        from ..models.card_transaction_resource import CardTransactionResource

        d = dict(src_dict)
        type_ = d.pop("type")

        resource = CardTransactionResource.from_dict(d.pop("resource"))

        card_transaction_event = cls(
            type_=type_,
            resource=resource,
        )

        card_transaction_event.additional_properties = d
        return card_transaction_event

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
