from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.b2b_transaction_resource import B2BTransactionResource


T = TypeVar("T", bound="PolledB2BTransaction")


@_attrs_define
class PolledB2BTransaction:
    """A B2B payment found by polling (an assumption: not sampled)."""

    type_: Literal["External Till to Till Transaction"]
    resource: B2BTransactionResource | Unset = UNSET
    """ A payment from another business's till. """
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
        from ..models.b2b_transaction_resource import B2BTransactionResource

        d = dict(src_dict)
        type_ = cast(Literal["External Till to Till Transaction"], d.pop("type"))
        if type_ != "External Till to Till Transaction":
            raise ValueError(f"type must match const 'External Till to Till Transaction', got '{type_}'")

        _resource = d.pop("resource", UNSET)
        resource: B2BTransactionResource | Unset
        if isinstance(_resource, Unset):
            resource = UNSET
        else:
            resource = B2BTransactionResource.from_dict(_resource)

        polled_b2b_transaction = cls(
            type_=type_,
            resource=resource,
        )

        polled_b2b_transaction.additional_properties = d
        return polled_b2b_transaction

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
