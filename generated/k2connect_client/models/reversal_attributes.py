from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.resource_links import ResourceLinks
    from ..models.result_metadata import ResultMetadata
    from ..models.reversal_bulk_payment import ReversalBulkPayment


T = TypeVar("T", bound="ReversalAttributes")


@_attrs_define
class ReversalAttributes:
    status: str
    """ Received, Scheduled, Processed, Failed (more may appear). """
    created_at: str | Unset = UNSET
    transaction_reference: str | Unset = UNSET
    reason: str | Unset = UNSET
    reversal_bulk_payment: None | ReversalBulkPayment | Unset = UNSET
    errors: Any | Unset = UNSET
    """ Null, or why it failed: a string, a list or an object (any JSON). """
    metadata: None | ResultMetadata | Unset = UNSET
    field_links: ResourceLinks | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.result_metadata import ResultMetadata
        from ..models.reversal_bulk_payment import ReversalBulkPayment

        status = self.status

        created_at = self.created_at

        transaction_reference = self.transaction_reference

        reason = self.reason

        reversal_bulk_payment: dict[str, Any] | None | Unset
        if isinstance(self.reversal_bulk_payment, Unset):
            reversal_bulk_payment = UNSET
        elif isinstance(self.reversal_bulk_payment, ReversalBulkPayment):
            reversal_bulk_payment = self.reversal_bulk_payment.to_dict()
        else:
            reversal_bulk_payment = self.reversal_bulk_payment

        errors = self.errors

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, ResultMetadata):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        field_links: dict[str, Any] | Unset = UNSET
        if not isinstance(self.field_links, Unset):
            field_links = self.field_links.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
            }
        )
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if transaction_reference is not UNSET:
            field_dict["transaction_reference"] = transaction_reference
        if reason is not UNSET:
            field_dict["reason"] = reason
        if reversal_bulk_payment is not UNSET:
            field_dict["reversal_bulk_payment"] = reversal_bulk_payment
        if errors is not UNSET:
            field_dict["errors"] = errors
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if field_links is not UNSET:
            field_dict["_links"] = field_links

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.resource_links import ResourceLinks
        from ..models.result_metadata import ResultMetadata
        from ..models.reversal_bulk_payment import ReversalBulkPayment

        d = dict(src_dict)
        status = d.pop("status")

        created_at = d.pop("created_at", UNSET)

        transaction_reference = d.pop("transaction_reference", UNSET)

        reason = d.pop("reason", UNSET)

        def _parse_reversal_bulk_payment(data: object) -> None | ReversalBulkPayment | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                reversal_bulk_payment_type_0 = ReversalBulkPayment.from_dict(data)

                return reversal_bulk_payment_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReversalBulkPayment | Unset, data)

        reversal_bulk_payment = _parse_reversal_bulk_payment(d.pop("reversal_bulk_payment", UNSET))

        errors = d.pop("errors", UNSET)

        def _parse_metadata(data: object) -> None | ResultMetadata | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = ResultMetadata.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ResultMetadata | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        _field_links = d.pop("_links", UNSET)
        field_links: ResourceLinks | Unset
        if isinstance(_field_links, Unset):
            field_links = UNSET
        else:
            field_links = ResourceLinks.from_dict(_field_links)

        reversal_attributes = cls(
            status=status,
            created_at=created_at,
            transaction_reference=transaction_reference,
            reason=reason,
            reversal_bulk_payment=reversal_bulk_payment,
            errors=errors,
            metadata=metadata,
            field_links=field_links,
        )

        reversal_attributes.additional_properties = d
        return reversal_attributes

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
