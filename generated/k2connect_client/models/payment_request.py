from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.payment_request_destination_type import (
    PaymentRequestDestinationType,
    check_payment_request_destination_type,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.amount import Amount
    from ..models.callback_links import CallbackLinks
    from ..models.metadata import Metadata


T = TypeVar("T", bound="PaymentRequest")


@_attrs_define
class PaymentRequest:
    destination_type: PaymentRequestDestinationType
    destination_reference: str
    amount: Amount
    """ A sum of money in a request. value is sent as a number or a numeric string. """
    description: str
    field_links: CallbackLinks
    category: str | Unset = UNSET
    """ e.g. general, salaries, utilities. """
    tags: list[str] | Unset = UNSET
    metadata: Metadata | Unset = UNSET
    """ Up to 5 key/value pairs echoed back in results. Values are strings in every K2 sample. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        destination_type: str = self.destination_type

        destination_reference = self.destination_reference

        amount = self.amount.to_dict()

        description = self.description

        field_links = self.field_links.to_dict()

        category = self.category

        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "destination_type": destination_type,
                "destination_reference": destination_reference,
                "amount": amount,
                "description": description,
                "_links": field_links,
            }
        )
        if category is not UNSET:
            field_dict["category"] = category
        if tags is not UNSET:
            field_dict["tags"] = tags
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.amount import Amount
        from ..models.callback_links import CallbackLinks
        from ..models.metadata import Metadata

        d = dict(src_dict)
        destination_type = check_payment_request_destination_type(d.pop("destination_type"))

        destination_reference = d.pop("destination_reference")

        amount = Amount.from_dict(d.pop("amount"))

        description = d.pop("description")

        field_links = CallbackLinks.from_dict(d.pop("_links"))

        category = d.pop("category", UNSET)

        tags = cast(list[str], d.pop("tags", UNSET))

        _metadata = d.pop("metadata", UNSET)
        metadata: Metadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = Metadata.from_dict(_metadata)

        payment_request = cls(
            destination_type=destination_type,
            destination_reference=destination_reference,
            amount=amount,
            description=description,
            field_links=field_links,
            category=category,
            tags=tags,
            metadata=metadata,
        )

        payment_request.additional_properties = d
        return payment_request

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
