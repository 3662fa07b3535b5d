from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.b2b_transaction_resource import B2BTransactionResource


T = TypeVar("T", bound="B2BTransactionEvent")


@_attrs_define
class B2BTransactionEvent:
    type_: str
    """ "External Till to Till Transaction" / "External Till To Till Reversal Transaction". """
    resource: B2BTransactionResource
    """ A payment from another business's till. """
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
        from ..models.b2b_transaction_resource import B2BTransactionResource

        d = dict(src_dict)
        type_ = d.pop("type")

        resource = B2BTransactionResource.from_dict(d.pop("resource"))

        b2b_transaction_event = cls(
            type_=type_,
            resource=resource,
        )

        b2b_transaction_event.additional_properties = d
        return b2b_transaction_event

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
