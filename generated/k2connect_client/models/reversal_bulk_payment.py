from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ReversalBulkPayment")


@_attrs_define
class ReversalBulkPayment:
    amount: float | None | str | Unset = UNSET
    status: str | Unset = UNSET
    origination_time: None | str | Unset = UNSET
    transaction_reference: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount: float | None | str | Unset
        if isinstance(self.amount, Unset):
            amount = UNSET
        else:
            amount = self.amount

        status = self.status

        origination_time: None | str | Unset
        if isinstance(self.origination_time, Unset):
            origination_time = UNSET
        else:
            origination_time = self.origination_time

        transaction_reference: None | str | Unset
        if isinstance(self.transaction_reference, Unset):
            transaction_reference = UNSET
        else:
            transaction_reference = self.transaction_reference

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if amount is not UNSET:
            field_dict["amount"] = amount
        if status is not UNSET:
            field_dict["status"] = status
        if origination_time is not UNSET:
            field_dict["origination_time"] = origination_time
        if transaction_reference is not UNSET:
            field_dict["transaction_reference"] = transaction_reference

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_amount(data: object) -> float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | str | Unset, data)

        amount = _parse_amount(d.pop("amount", UNSET))

        status = d.pop("status", UNSET)

        def _parse_origination_time(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        origination_time = _parse_origination_time(d.pop("origination_time", UNSET))

        def _parse_transaction_reference(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        transaction_reference = _parse_transaction_reference(d.pop("transaction_reference", UNSET))

        reversal_bulk_payment = cls(
            amount=amount,
            status=status,
            origination_time=origination_time,
            transaction_reference=transaction_reference,
        )

        reversal_bulk_payment.additional_properties = d
        return reversal_bulk_payment

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
