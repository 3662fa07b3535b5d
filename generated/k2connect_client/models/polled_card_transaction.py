from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.card_transaction_resource import CardTransactionResource


T = TypeVar("T", bound="PolledCardTransaction")


@_attrs_define
class PolledCardTransaction:
    """A card payment found by polling (an assumption: not sampled)."""

    type_: Literal["Card Transaction"]
    resource: CardTransactionResource | Unset = UNSET
    """ A card payment at a till (no K2 sample exists; fields from the Ruby SDK). """
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
        from ..models.card_transaction_resource import CardTransactionResource

        d = dict(src_dict)
        type_ = cast(Literal["Card Transaction"], d.pop("type"))
        if type_ != "Card Transaction":
            raise ValueError(f"type must match const 'Card Transaction', got '{type_}'")

        _resource = d.pop("resource", UNSET)
        resource: CardTransactionResource | Unset
        if isinstance(_resource, Unset):
            resource = UNSET
        else:
            resource = CardTransactionResource.from_dict(_resource)

        polled_card_transaction = cls(
            type_=type_,
            resource=resource,
        )

        polled_card_transaction.additional_properties = d
        return polled_card_transaction

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
