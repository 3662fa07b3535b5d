from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.resource_links import ResourceLinks
    from ..models.result_amount import ResultAmount
    from ..models.transfer_batch import TransferBatch


T = TypeVar("T", bound="SettlementTransferAttributes")


@_attrs_define
class SettlementTransferAttributes:
    status: str
    """ Scheduled, Processed, Failed (more may appear). """
    created_at: str | Unset = UNSET
    amount: ResultAmount | Unset = UNSET
    """ A sum of money in a result; value is null for a blind settlement transfer. """
    destination_type: None | str | Unset = UNSET
    destination_reference: None | str | Unset = UNSET
    transfer_batches: list[TransferBatch] | None | Unset = UNSET
    errors: Any | Unset = UNSET
    """ Null, or why it failed: a string, a list or an object (any JSON). """
    field_links: ResourceLinks | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status = self.status

        created_at = self.created_at

        amount: dict[str, Any] | Unset = UNSET
        if not isinstance(self.amount, Unset):
            amount = self.amount.to_dict()

        destination_type: None | str | Unset
        if isinstance(self.destination_type, Unset):
            destination_type = UNSET
        else:
            destination_type = self.destination_type

        destination_reference: None | str | Unset
        if isinstance(self.destination_reference, Unset):
            destination_reference = UNSET
        else:
            destination_reference = self.destination_reference

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
        if destination_type is not UNSET:
            field_dict["destination_type"] = destination_type
        if destination_reference is not UNSET:
            field_dict["destination_reference"] = destination_reference
        if transfer_batches is not UNSET:
            field_dict["transfer_batches"] = transfer_batches
        if errors is not UNSET:
            field_dict["errors"] = errors
        if field_links is not UNSET:
            field_dict["_links"] = field_links

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.resource_links import ResourceLinks
        from ..models.result_amount import ResultAmount
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

        def _parse_destination_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        destination_type = _parse_destination_type(d.pop("destination_type", UNSET))

        def _parse_destination_reference(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        destination_reference = _parse_destination_reference(d.pop("destination_reference", UNSET))

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

        _field_links = d.pop("_links", UNSET)
        field_links: ResourceLinks | Unset
        if isinstance(_field_links, Unset):
            field_links = UNSET
        else:
            field_links = ResourceLinks.from_dict(_field_links)

        settlement_transfer_attributes = cls(
            status=status,
            created_at=created_at,
            amount=amount,
            destination_type=destination_type,
            destination_reference=destination_reference,
            transfer_batches=transfer_batches,
            errors=errors,
            field_links=field_links,
        )

        settlement_transfer_attributes.additional_properties = d
        return settlement_transfer_attributes

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
