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
    category: None | str | Unset = UNSET
    """ e.g. general, salaries, utilities. PHP sends null when the caller gives none. """
    tags: list[str] | None | str | Unset = UNSET
    """ A list of strings (Ruby, the guide), one string (Node 1.x validates and sends it as given) or null (PHP,
    when the caller gives none). """
    metadata: Metadata | None | str | Unset = UNSET
    """ metadata of an STK push or a PAY payment: up to 5 key/value pairs, null, or an empty string meaning none.
    The Python SDK 1.x sends `"metadata": ""` when it has no metadata (and `{}` when it has some, a bug of its own);
    Ruby 4.x and PHP send null. A K2-compatible server accepts all three. Results echo an empty string as null. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.metadata import Metadata

        destination_type: str = self.destination_type

        destination_reference = self.destination_reference

        amount = self.amount.to_dict()

        description = self.description

        field_links = self.field_links.to_dict()

        category: None | str | Unset
        if isinstance(self.category, Unset):
            category = UNSET
        else:
            category = self.category

        tags: list[str] | None | str | Unset
        if isinstance(self.tags, Unset):
            tags = UNSET
        elif isinstance(self.tags, list):
            tags = self.tags

        else:
            tags = self.tags

        metadata: dict[str, Any] | None | str | Unset
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

        def _parse_category(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        category = _parse_category(d.pop("category", UNSET))

        def _parse_tags(data: object) -> list[str] | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                tags_type_0 = cast(list[str], data)

                return tags_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | str | Unset, data)

        tags = _parse_tags(d.pop("tags", UNSET))

        def _parse_metadata(data: object) -> Metadata | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_lenient_metadata_type_0 = Metadata.from_dict(data)

                return componentsschemas_lenient_metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Metadata | None | str | Unset, data)

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
