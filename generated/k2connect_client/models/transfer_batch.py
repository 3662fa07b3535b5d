from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.disbursement import Disbursement


T = TypeVar("T", bound="TransferBatch")


@_attrs_define
class TransferBatch:
    """One transfer batch of a payment, settlement transfer or send money."""

    status: str | Unset = UNSET
    """ Seen: Transferred. """
    amount: float | None | str | Unset = UNSET
    disbursements: list[Disbursement] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status = self.status

        amount: float | None | str | Unset
        if isinstance(self.amount, Unset):
            amount = UNSET
        else:
            amount = self.amount

        disbursements: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.disbursements, Unset):
            disbursements = []
            for disbursements_item_data in self.disbursements:
                disbursements_item = disbursements_item_data.to_dict()
                disbursements.append(disbursements_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if status is not UNSET:
            field_dict["status"] = status
        if amount is not UNSET:
            field_dict["amount"] = amount
        if disbursements is not UNSET:
            field_dict["disbursements"] = disbursements

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.disbursement import Disbursement

        d = dict(src_dict)
        status = d.pop("status", UNSET)

        def _parse_amount(data: object) -> float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | str | Unset, data)

        amount = _parse_amount(d.pop("amount", UNSET))

        _disbursements = d.pop("disbursements", UNSET)
        disbursements: list[Disbursement] | Unset = UNSET
        if _disbursements is not UNSET:
            disbursements = []
            for disbursements_item_data in _disbursements:
                disbursements_item = Disbursement.from_dict(disbursements_item_data)

                disbursements.append(disbursements_item)

        transfer_batch = cls(
            status=status,
            amount=amount,
            disbursements=disbursements,
        )

        transfer_batch.additional_properties = d
        return transfer_batch

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
