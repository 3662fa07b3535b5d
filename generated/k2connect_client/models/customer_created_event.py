from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.customer_resource import CustomerResource


T = TypeVar("T", bound="CustomerCreatedEvent")


@_attrs_define
class CustomerCreatedEvent:
    type_: str
    """ "Customer Created". """
    resource: CustomerResource
    """ A new M-PESA customer of the merchant. No id; _links.resource points at the customer. """
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
        from ..models.customer_resource import CustomerResource

        d = dict(src_dict)
        type_ = d.pop("type")

        resource = CustomerResource.from_dict(d.pop("resource"))

        customer_created_event = cls(
            type_=type_,
            resource=resource,
        )

        customer_created_event.additional_properties = d
        return customer_created_event

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
