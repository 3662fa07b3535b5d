from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.callback_links import CallbackLinks
    from ..models.metadata import Metadata


T = TypeVar("T", bound="ReversalRequest")


@_attrs_define
class ReversalRequest:
    transaction_reference: str
    """ M-PESA reference of the received transaction. """
    reason: str
    field_links: CallbackLinks
    metadata: Metadata | None | Unset = UNSET
    """ Up to 5 key/value pairs, or null meaning none (Ruby 4.x and PHP's v2 branch send null when the caller gives
    no metadata). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.metadata import Metadata

        transaction_reference = self.transaction_reference

        reason = self.reason

        field_links = self.field_links.to_dict()

        metadata: dict[str, Any] | None | Unset
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
                "transaction_reference": transaction_reference,
                "reason": reason,
                "_links": field_links,
            }
        )
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.callback_links import CallbackLinks
        from ..models.metadata import Metadata

        d = dict(src_dict)
        transaction_reference = d.pop("transaction_reference")

        reason = d.pop("reason")

        field_links = CallbackLinks.from_dict(d.pop("_links"))

        def _parse_metadata(data: object) -> Metadata | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_nullable_metadata_type_0 = Metadata.from_dict(data)

                return componentsschemas_nullable_metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Metadata | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        reversal_request = cls(
            transaction_reference=transaction_reference,
            reason=reason,
            field_links=field_links,
            metadata=metadata,
        )

        reversal_request.additional_properties = d
        return reversal_request

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
