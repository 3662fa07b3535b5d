from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.resource_links import ResourceLinks
    from ..models.result_amount import ResultAmount
    from ..models.result_metadata import ResultMetadata
    from ..models.transfer_batch import TransferBatch


T = TypeVar("T", bound="PaymentAttributes")


@_attrs_define
class PaymentAttributes:
    status: str
    """ Scheduled, Processed, Failed (more may appear). """
    created_at: str | Unset = UNSET
    amount: ResultAmount | Unset = UNSET
    """ A sum of money in a result; value is null for a blind settlement transfer. """
    transfer_batches: list[TransferBatch] | None | Unset = UNSET
    errors: Any | Unset = UNSET
    """ Null, or why it failed: a string, a list or an object (any JSON). """
    metadata: None | ResultMetadata | Unset = UNSET
    field_links: ResourceLinks | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.result_metadata import ResultMetadata

        status = self.status

        created_at = self.created_at

        amount: dict[str, Any] | Unset = UNSET
        if not isinstance(self.amount, Unset):
            amount = self.amount.to_dict()

        transfer_batches: list[dict[str, Any]] | None | Unset
        if isinstance(self.transfer_batches, Unset):
            transfer_batches = UNSET
        elif isinstance(self.transfer_batches, list):
            transfer_batches = []
            for transfer_batches_type_1_item_data in self.transfer_batches:
                transfer_batches_type_1_item = transfer_batches_type_1_item_data.to_dict()
                transfer_batches.append(transfer_batches_type_1_item)

        else:
            transfer_batches = self.transfer_batches

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
        if amount is not UNSET:
            field_dict["amount"] = amount
        if transfer_batches is not UNSET:
            field_dict["transfer_batches"] = transfer_batches
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
        from ..models.result_amount import ResultAmount
        from ..models.result_metadata import ResultMetadata
        from ..models.transfer_batch import TransferBatch

        d = dict(src_dict)
        status = d.pop("status")

        created_at = d.pop("created_at", UNSET)

        _amount = d.pop("amount", UNSET)
        amount: ResultAmount | Unset
        if isinstance(_amount, Unset):
            amount = UNSET
        else:
            amount = ResultAmount.from_dict(_amount)

        def _parse_transfer_batches(data: object) -> list[TransferBatch] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                transfer_batches_type_1 = []
                _transfer_batches_type_1 = data
                for transfer_batches_type_1_item_data in _transfer_batches_type_1:
                    transfer_batches_type_1_item = TransferBatch.from_dict(transfer_batches_type_1_item_data)

                    transfer_batches_type_1.append(transfer_batches_type_1_item)

                return transfer_batches_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[TransferBatch] | None | Unset, data)

        transfer_batches = _parse_transfer_batches(d.pop("transfer_batches", UNSET))

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

        payment_attributes = cls(
            status=status,
            created_at=created_at,
            amount=amount,
            transfer_batches=transfer_batches,
            errors=errors,
            metadata=metadata,
            field_links=field_links,
        )

        payment_attributes.additional_properties = d
        return payment_attributes

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
