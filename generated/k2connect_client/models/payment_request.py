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
    """A PAY payment to a recipient. As for STK pushes, the Ruby SDK 1.x's `meta_data` key is ignored, not read as
    metadata.

    """

    destination_type: PaymentRequestDestinationType
    destination_reference: str
    amount: Amount
    """ A sum of money in a request. value is sent as a number or a numeric string. """
    description: str
    field_links: CallbackLinks
    category: str | Unset = UNSET
    """ e.g. general, salaries, utilities. """
    tags: list[str] | Unset = UNSET
    metadata: Metadata | str | Unset = UNSET
    """ metadata of an STK push or a PAY payment: up to 5 key/value pairs, or an empty string meaning none. The
    Python SDK 1.x sends `"metadata": ""` when it has no metadata (and `{}` when it has some, a bug of its own), so
    a K2-compatible server accepts both. Results echo an empty string as null. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.metadata import Metadata

        destination_type: str = self.destination_type

        destination_reference = self.destination_reference

        amount = self.amount.to_dict()

        description = self.description

        field_links = self.field_links.to_dict()

        category = self.category

        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags

        metadata: dict[str, Any] | str | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, Metadata):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

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

        def _parse_metadata(data: object) -> Metadata | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_lenient_metadata_type_0 = Metadata.from_dict(data)

                return componentsschemas_lenient_metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Metadata | str | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

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
